import { isBankEventType, type BankEvent } from './events.js';

/**
 * Event payloads as stored: JSON with every amount an integer string of minor units,
 * so that no reader ever routes money through a JavaScript number.
 */

/** Fields that carry minor units in any event payload. */
const MONEY_FIELDS = new Set(['amount', 'overdraftLimit', 'released']);

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
const upcasters = new Map<string, Upcaster>();

export function registerUpcaster(type: string, fromVersion: number, upcast: Upcaster): void {
  upcasters.set(`${type}@${fromVersion}`, upcast);
}

export function upcast(type: string, schemaVersion: number, data: JsonObject): JsonObject {
  let version = schemaVersion;
  let current = data;
  while (version < CURRENT_SCHEMA_VERSION) {
    const step = upcasters.get(`${type}@${version}`);
    if (!step) throw new EventDecodeError(`no upcaster for ${type} from schema version ${version}`);
    current = step(current);
    version += 1;
  }
  return current;
}

/** Decodes a stored payload into a typed event, upcasting older schema versions first. */
export function decodeEvent(type: string, data: unknown, schemaVersion = CURRENT_SCHEMA_VERSION): BankEvent {
  if (!isBankEventType(type)) throw new EventDecodeError(`unknown event type ${JSON.stringify(type)}`);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new EventDecodeError(`${type} payload is not an object`);
  }
  if (schemaVersion > CURRENT_SCHEMA_VERSION) {
    throw new EventDecodeError(`${type} has schema version ${schemaVersion}, newer than this code`);
  }
  const raw = upcast(type, schemaVersion, data as JsonObject);
  const decoded: JsonObject = {};
  for (const [key, value] of Object.entries(raw)) {
    if (MONEY_FIELDS.has(key)) {
      if (typeof value !== 'string' || !/^-?[0-9]+$/.test(value)) {
        throw new EventDecodeError(`${type}.${key} is not an integer string`);
      }
      decoded[key] = BigInt(value);
    } else {
      decoded[key] = value;
    }
  }
  return { type, data: decoded } as BankEvent;
}
