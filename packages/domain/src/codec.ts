import { isBankEventType, type BankEvent, type BankEventType } from './events.js';

/**
 * Event payloads as stored: JSON with every amount an integer string of minor units,
 * so that no reader ever routes money through a JavaScript number.
 */

/** Fields that carry minor units, per event type. Each one is required in its payload. */
const MONEY_FIELDS: Record<BankEventType, readonly string[]> = {
  AccountOpened: ['overdraftLimit'],
  FundsDeposited: ['amount'],
  FundsWithdrawn: ['amount'],
  HoldPlaced: ['amount'],
  HoldCaptured: ['amount', 'released'],
  HoldReleased: ['amount'],
  HoldExpired: ['amount'],
  AccountFrozen: [],
  AccountUnfrozen: [],
  OverdraftLimitChanged: ['overdraftLimit'],
  AccountClosed: [],
  TransferDebited: ['amount'],
  TransferCredited: ['amount'],
  TransferRefunded: ['amount'],
  TransferDebitDeclined: ['amount'],
  TransferCreditDeclined: ['amount'],
  TransferRequested: ['amount'],
  TransferSourceDebited: [],
  TransferDestinationCredited: [],
  TransferSourceRefunded: [],
  TransferCompleted: [],
  TransferFailed: [],
  TransferReversed: ['amount'],
};

/** The schema version written for each event type today. */
export const CURRENT_SCHEMA_VERSION = 1;

export type JsonObject = { [key: string]: unknown };

export function encodeEventData(event: BankEvent): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(event.data)) {
    out[key] = typeof value === 'bigint' ? value.toString() : value;
  }
  return out;
}

export class EventDecodeError extends Error {
  readonly type = 'EventDecodeError';
}

/**
 * An upcaster turns a payload written at `fromVersion` into the next version's shape.
 * Register one per (type, version) when an event's schema changes; reads apply them in order.
 */
export type Upcaster = (data: JsonObject) => JsonObject;

/**
 * A set of upcasters. The process-wide `defaultUpcasters` is what `registerUpcaster` and
 * `decodeEvent` use unless told otherwise; tests build their own so they leave it untouched.
 */
export class UpcasterRegistry {
  private readonly steps = new Map<string, Upcaster>();

  register(type: string, fromVersion: number, upcast: Upcaster): this {
    this.steps.set(`${type}@${fromVersion}`, upcast);
    return this;
  }

  upcast(type: string, schemaVersion: number, data: JsonObject): JsonObject {
    let version = schemaVersion;
    let current = data;
    while (version < CURRENT_SCHEMA_VERSION) {
      const step = this.steps.get(`${type}@${version}`);
      if (!step)
        throw new EventDecodeError(`no upcaster for ${type} from schema version ${version}`);
      current = step(current);
      version += 1;
    }
    return current;
  }
}

export const defaultUpcasters = new UpcasterRegistry();

export function registerUpcaster(type: string, fromVersion: number, upcast: Upcaster): void {
  defaultUpcasters.register(type, fromVersion, upcast);
}

export function upcast(type: string, schemaVersion: number, data: JsonObject): JsonObject {
  return defaultUpcasters.upcast(type, schemaVersion, data);
}

const INTEGER_STRING = /^-?[0-9]+$/;

/** Decodes a stored payload into a typed event, upcasting older schema versions first. */
export function decodeEvent(
  type: string,
  data: unknown,
  schemaVersion = CURRENT_SCHEMA_VERSION,
  upcasters: UpcasterRegistry = defaultUpcasters,
): BankEvent {
  if (!isBankEventType(type))
    throw new EventDecodeError(`unknown event type ${JSON.stringify(type)}`);
  if (!isJsonObject(data)) throw new EventDecodeError(`${type} payload is not an object`);
  if (!Number.isSafeInteger(schemaVersion) || schemaVersion < 0) {
    throw new EventDecodeError(`${type} has an invalid schema version ${String(schemaVersion)}`);
  }
  if (schemaVersion > CURRENT_SCHEMA_VERSION) {
    throw new EventDecodeError(`${type} has schema version ${schemaVersion}, newer than this code`);
  }
  const raw = upcasters.upcast(type, schemaVersion, data);
  if (!isJsonObject(raw)) throw new EventDecodeError(`${type} upcast payload is not an object`);
  const moneyFields = MONEY_FIELDS[type];
  const decoded: JsonObject = {};
  for (const [key, value] of Object.entries(raw)) {
    // JSON.parse makes "__proto__" an own key; assigning it would swap the object's prototype.
    if (key === '__proto__') continue;
    if (moneyFields.includes(key)) {
      if (typeof value !== 'string' || !INTEGER_STRING.test(value)) {
        throw new EventDecodeError(`${type}.${key} is not an integer string`);
      }
      decoded[key] = BigInt(value);
    } else {
      decoded[key] = value;
    }
  }
  for (const key of moneyFields) {
    if (!Object.hasOwn(decoded, key)) throw new EventDecodeError(`${type}.${key} is missing`);
  }
  return { type, data: decoded } as BankEvent;
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decodes a stored event by the schema version its metadata records: absent means the current
 * version, anything but a number is undecodable. Every reader of stored events decodes here.
 */
export function decodeRecorded(
  type: string,
  data: unknown,
  metadata: unknown,
  upcasters: UpcasterRegistry = defaultUpcasters,
): BankEvent {
  const version = isJsonObject(metadata) ? metadata['schemaVersion'] : undefined;
  if (version !== undefined && typeof version !== 'number')
    throw new EventDecodeError(`${type} has a non-numeric schema version`);
  return decodeEvent(type, data, version ?? CURRENT_SCHEMA_VERSION, upcasters);
}
