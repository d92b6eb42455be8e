import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  CURRENT_SCHEMA_VERSION,
  EventDecodeError,
  UpcasterRegistry,
  decodeEvent,
  decodeRecorded,
  defaultUpcasters,
  encodeEventData,
  upcast,
} from './codec.js';
import { BANK_EVENT_TYPES, type BankEvent, type BankEventType } from './events.js';

const a = 'acc-1';
const b = 'acc-2';
const t = 'tr-1';

/** One sample of every event type; the Record makes a new type fail to compile until added. */
const SAMPLES: { [K in BankEventType]: Extract<BankEvent, { type: K }> } = {
  AccountOpened: {
    type: 'AccountOpened',
    data: {
      accountId: a,
      ownerId: 'o',
      currency: 'BHD',
      accountType: 'savings',
      overdraftLimit: 0n,
    },
  },
  FundsDeposited: {
    type: 'FundsDeposited',
    data: { accountId: a, amount: 1_000_000_000_000_000n },
  },
  FundsWithdrawn: { type: 'FundsWithdrawn', data: { accountId: a, amount: 1n } },
  HoldPlaced: {
    type: 'HoldPlaced',
    data: { accountId: a, holdId: 'h', amount: 9_007_199_254_740_993n, expiresAt: null },
  },
  HoldCaptured: {
    type: 'HoldCaptured',
    data: { accountId: a, holdId: 'h', amount: 60n, released: 40n },
  },
  HoldReleased: { type: 'HoldReleased', data: { accountId: a, holdId: 'h', amount: 5n } },
  HoldExpired: { type: 'HoldExpired', data: { accountId: a, holdId: 'h', amount: 5n } },
  AccountFrozen: { type: 'AccountFrozen', data: { accountId: a, reason: 'kyc' } },
  AccountUnfrozen: { type: 'AccountUnfrozen', data: { accountId: a } },
  OverdraftLimitChanged: {
    type: 'OverdraftLimitChanged',
    data: { accountId: a, overdraftLimit: 12_345n },
  },
  AccountClosed: { type: 'AccountClosed', data: { accountId: a } },
  TransferDebited: {
    type: 'TransferDebited',
    data: { accountId: a, transferId: t, counterpartyAccountId: b, amount: 7n },
  },
  TransferCredited: {
    type: 'TransferCredited',
    data: { accountId: b, transferId: t, counterpartyAccountId: a, amount: 7n },
  },
  TransferRefunded: {
    type: 'TransferRefunded',
    data: { accountId: a, transferId: t, counterpartyAccountId: b, amount: 7n },
  },
  TransferDebitDeclined: {
    type: 'TransferDebitDeclined',
    data: {
      accountId: a,
      transferId: t,
      counterpartyAccountId: b,
      amount: 7n,
      reason: 'INSUFFICIENT_FUNDS',
    },
  },
  TransferCreditDeclined: {
    type: 'TransferCreditDeclined',
    data: {
      accountId: b,
      transferId: t,
      counterpartyAccountId: a,
      amount: 7n,
      reason: 'ACCOUNT_FROZEN',
    },
  },
  TransferRequested: {
    type: 'TransferRequested',
    data: {
      transferId: t,
      fromAccountId: a,
      toAccountId: b,
      amount: 7n,
      currency: 'USD',
      reference: '',
    },
  },
  TransferSourceDebited: { type: 'TransferSourceDebited', data: { transferId: t } },
  TransferDestinationCredited: { type: 'TransferDestinationCredited', data: { transferId: t } },
  TransferSourceRefunded: {
    type: 'TransferSourceRefunded',
    data: { transferId: t, reason: 'ACCOUNT_CLOSED' },
  },
  TransferCompleted: { type: 'TransferCompleted', data: { transferId: t } },
  TransferFailed: { type: 'TransferFailed', data: { transferId: t, reason: 'INSUFFICIENT_FUNDS' } },
  TransferReversed: {
    type: 'TransferReversed',
    data: { transferId: t, reversalId: '77777777-7777-4777-8777-777777777777', amount: 12_345n },
  },
};

/** What a store hands back: the encoded payload after a JSON round trip. */
const stored = (event: BankEvent): unknown => JSON.parse(JSON.stringify(encodeEventData(event)));

describe('codec: round trip', () => {
  it('covers every event type', () => {
    assert.deepEqual(Object.keys(SAMPLES).sort(), [...BANK_EVENT_TYPES].sort());
  });

  for (const event of Object.values(SAMPLES)) {
    it(`${event.type} survives encode → JSON → decode`, () => {
      const encoded = encodeEventData(event);
      for (const value of Object.values(encoded)) assert.notEqual(typeof value, 'bigint');
      assert.deepEqual(decodeEvent(event.type, stored(event)), event);
    });
  }

  it('writes amounts as integer strings, never numbers', () => {
    assert.deepEqual(encodeEventData(SAMPLES.HoldCaptured), {
      accountId: a,
      holdId: 'h',
      amount: '60',
      released: '40',
    });
    assert.deepEqual(encodeEventData(SAMPLES.AccountOpened).overdraftLimit, '0');
    // 2^53 + 1: a number would have lost the last unit.
    assert.equal(encodeEventData(SAMPLES.HoldPlaced).amount, '9007199254740993');
    assert.equal(encodeEventData(SAMPLES.HoldPlaced).expiresAt, null);
  });
});

describe('codec: rejects what it cannot trust', () => {
  it('an unknown type', () => {
    assert.throws(() => decodeEvent('FundsTeleported', { accountId: a }), EventDecodeError);
    assert.throws(() => decodeEvent('toString', {}), EventDecodeError);
  });

  it('a payload that is not an object', () => {
    for (const data of [null, undefined, 'x', 5, ['amount']]) {
      assert.throws(() => decodeEvent('AccountClosed', data), EventDecodeError);
    }
  });

  it('an amount that is not an integer string', () => {
    for (const amount of ['12.34', '1e3', '', ' 1', 'abc', 12, 12.5, null, true]) {
      assert.throws(
        () => decodeEvent('FundsDeposited', { accountId: a, amount }),
        EventDecodeError,
        String(amount),
      );
    }
    assert.throws(
      () => decodeEvent('HoldCaptured', { accountId: a, holdId: 'h', amount: '1', released: 0 }),
      EventDecodeError,
    );
  });

  it('a missing amount', () => {
    assert.throws(
      () => decodeEvent('FundsDeposited', { accountId: a }),
      /FundsDeposited\.amount is missing/,
    );
    assert.throws(
      () => decodeEvent('HoldCaptured', { accountId: a, holdId: 'h', amount: '1' }),
      /released is missing/,
    );
    assert.throws(
      () => decodeEvent('AccountOpened', { accountId: a, ownerId: 'o' }),
      EventDecodeError,
    );
  });

  it('a schema version newer than the code, or not a version at all', () => {
    assert.throws(
      () => decodeEvent('AccountClosed', { accountId: a }, CURRENT_SCHEMA_VERSION + 1),
      /newer/,
    );
    for (const version of [Number.NaN, 0.5, -1, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => decodeEvent('AccountClosed', { accountId: a }, version),
        EventDecodeError,
        String(version),
      );
    }
  });

  it('an older version with no upcaster', () => {
    assert.throws(
      () => decodeEvent('AccountClosed', { accountId: a }, 0),
      /no upcaster for AccountClosed/,
    );
  });

  it('a "__proto__" key cannot swap the prototype of the decoded data', () => {
    const data: unknown = JSON.parse('{"accountId":"acc-1","__proto__":{"polluted":true}}');
    const event = decodeEvent('AccountClosed', data);
    assert.equal(Object.getPrototypeOf(event.data), Object.prototype);
    assert.deepEqual(event, SAMPLES.AccountClosed);
  });
});

describe('codec: upcasting', () => {
  // A made-up version 0 of FundsDeposited that stored the amount as "cents" and the account as "account".
  const v0ToV1 = (data: Record<string, unknown>) => ({
    accountId: data['account'],
    amount: data['cents'],
  });

  it('applies a registered upcaster before decoding', () => {
    const registry = new UpcasterRegistry().register('FundsDeposited', 0, v0ToV1);
    const event = decodeEvent('FundsDeposited', { account: a, cents: '1234' }, 0, registry);
    assert.deepEqual(event, { type: 'FundsDeposited', data: { accountId: a, amount: 1234n } });
    // The current version passes through untouched.
    assert.deepEqual(decodeEvent('FundsDeposited', { accountId: a, amount: '5' }, 1, registry), {
      type: 'FundsDeposited',
      data: { accountId: a, amount: 5n },
    });
  });

  it('chains upcasters in order from old to current', () => {
    const seen: number[] = [];
    const registry = new UpcasterRegistry()
      .register('AccountFrozen', -1, (d) => (seen.push(-1), { ...d, why: d['note'] }))
      .register(
        'AccountFrozen',
        0,
        (d) => (seen.push(0), { accountId: d['accountId'], reason: d['why'] }),
      );
    // Stored versions are never negative; the registry itself chains from any start.
    assert.deepEqual(
      registry.upcast('AccountFrozen', -1, { accountId: a, note: 'kyc' }),
      SAMPLES.AccountFrozen.data,
    );
    assert.deepEqual(seen, [-1, 0]);
  });

  it('checks the upcast payload like any other', () => {
    const registry = new UpcasterRegistry().register('FundsDeposited', 0, (d) => ({
      accountId: d['account'],
    }));
    assert.throws(
      () => decodeEvent('FundsDeposited', { account: a, cents: '1' }, 0, registry),
      /amount is missing/,
    );
  });

  it('a test registry leaves the process-wide one untouched', () => {
    new UpcasterRegistry().register('FundsDeposited', 0, v0ToV1);
    assert.throws(() => upcast('FundsDeposited', 0, { account: a, cents: '1' }), EventDecodeError);
    assert.throws(() => defaultUpcasters.upcast('FundsDeposited', 0, {}), EventDecodeError);
  });
});

describe('codec: decodeRecorded takes the version from the metadata', () => {
  const event = SAMPLES.FundsDeposited;
  it('decodes at the recorded version, and at the current one when none is recorded', () => {
    assert.deepEqual(decodeRecorded(event.type, stored(event), { schemaVersion: 1 }), event);
    assert.deepEqual(decodeRecorded(event.type, stored(event), {}), event);
    assert.deepEqual(decodeRecorded(event.type, stored(event), undefined), event);
  });

  it('refuses a version that is not a number, or newer than this code', () => {
    for (const schemaVersion of ['1', null, true])
      assert.throws(
        () => decodeRecorded(event.type, stored(event), { schemaVersion }),
        EventDecodeError,
      );
    assert.throws(
      () => decodeRecorded(event.type, stored(event), { schemaVersion: 99 }),
      EventDecodeError,
    );
  });
});
