import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import {
  debitRefusal,
  decideAccount,
  decideTransfer,
  initialTransferState,
  REJECTION_CODES,
  MAX_AMOUNT_MINOR,
  MAX_BALANCE_MINOR,
  type AccountCommand,
  type AccountState,
  type AccountStatus,
  type Hold,
} from '@bank/domain';
import type { ProblemCode } from './http/problem-codes.js';
import { servedDocument } from './testing/harness.js';

/**
 * The domain against the document: every rejection a decider gives for a command the gateway
 * can send (amounts the command service lets through, ids derived from the command id) is
 * listed on the operation that sends it.
 */

const NOW = '2030-01-01T00:00:00.000Z';
const HOLD = 'hold-1';
const AMOUNTS = [1n, 100n, 150n, 10_000n, MAX_AMOUNT_MINOR];

function states(): AccountState[] {
  const all: AccountState[] = [{ status: 'none' }];
  const holdSets: Map<string, Hold>[] = [
    new Map<string, Hold>(),
    new Map<string, Hold>([[HOLD, { amount: 100n, expiresAt: '2031-01-01T00:00:00.000Z' }]]),
    new Map<string, Hold>([[HOLD, { amount: 100n, expiresAt: '2029-01-01T00:00:00.000Z' }]]),
  ];
  for (const status of ['open', 'frozen', 'closed'] as AccountStatus[])
    for (const balance of [0n, 500n, MAX_BALANCE_MINOR - 1n])
      for (const holds of holdSets)
        for (const overdraftLimit of [0n, 1_000n])
          all.push({
            status,
            accountId: 'account-1',
            ownerId: 'owner-1',
            currency: 'USD',
            accountType: 'checking',
            balance,
            overdraftLimit,
            holds,
            heldTotal: [...holds.values()].reduce((sum, hold) => sum + hold.amount, 0n),
            transferLegs: new Set(),
            transferDebits: new Map(),
            declinedLegs: new Map(),
            holdIds: new Set(holds.keys()),
          });
  return all;
}

const COMMANDS: Record<string, () => AccountCommand[]> = {
  deposit: () => AMOUNTS.map((amount) => ({ type: 'Deposit', data: { amount } })),
  withdraw: () => AMOUNTS.map((amount) => ({ type: 'Withdraw', data: { amount } })),
  placeHold: () =>
    AMOUNTS.flatMap((amount) =>
      [null, '2031-01-01T00:00:00.000Z', '2029-01-01T00:00:00.000Z'].map((expiresAt) => ({
        type: 'PlaceHold' as const,
        data: { holdId: 'hold-new', amount, expiresAt, now: NOW },
      })),
    ),
  captureHold: () =>
    [null, ...AMOUNTS].flatMap((amount) =>
      [HOLD, 'hold-other'].map((holdId) => ({
        type: 'CaptureHold' as const,
        data: { holdId, amount, now: NOW },
      })),
    ),
  releaseHold: () =>
    [HOLD, 'hold-other'].map((holdId) => ({ type: 'ReleaseHold', data: { holdId } })),
  freezeAccount: () => [{ type: 'FreezeAccount', data: { reason: '' } }],
  unfreezeAccount: () => [{ type: 'UnfreezeAccount', data: {} }],
  closeAccount: () => [{ type: 'CloseAccount', data: {} }],
  changeOverdraftLimit: () =>
    [0n, ...AMOUNTS].map((overdraftLimit) => ({
      type: 'ChangeOverdraftLimit',
      data: { overdraftLimit },
    })),
  openAccount: () =>
    [0n, ...AMOUNTS].map((overdraftLimit) => ({
      type: 'OpenAccount',
      data: {
        accountId: 'account-1',
        ownerId: 'owner-1',
        currency: 'USD',
        accountType: 'checking',
        overdraftLimit,
      },
    })),
};

/** What the command service answers for a transfer: its up-front refusal or the transfer rules'. */
function transferCodes(): Set<string> {
  const codes = new Set<string>();
  for (const source of states())
    for (const destination of states())
      for (const amount of AMOUNTS)
        for (const sameAccount of [false, true])
          for (const toCurrency of ['USD', 'EUR'] as const) {
            if (source.status === 'none' || destination.status === 'none') {
              codes.add('ACCOUNT_NOT_FOUND');
              continue;
            }
            const decided = decideTransfer(
              {
                type: 'RequestTransfer',
                data: {
                  transferId: 'transfer-1',
                  fromAccountId: 'account-1',
                  toAccountId: sameAccount ? 'account-1' : 'account-2',
                  amount,
                  reference: '',
                  fromCurrency: source.currency,
                  toCurrency,
                },
              },
              initialTransferState,
            );
            if (!decided.ok) codes.add(decided.rejection.code);
            else {
              const refusal = debitRefusal(source, amount);
              if (refusal) codes.add(refusal.code);
            }
          }
  return codes;
}

describe('problem codes of the domain', () => {
  let listed: Map<string, Set<string>>;
  before(async () => {
    const document = await servedDocument<{
      paths: Record<
        string,
        Record<string, { operationId: string; 'x-problem-codes': ProblemCode[] }>
      >;
    }>();
    listed = new Map(
      Object.values(document.paths)
        .flatMap((methods) => Object.values(methods))
        .map((operation) => [operation.operationId, new Set(operation['x-problem-codes'])]),
    );
  });

  /** The domain codes the operation lists are exactly those its decider can give. */
  const assertListed = (operationId: string, codes: Set<string>) => {
    const domainCodes = [...(listed.get(operationId) ?? [])].filter((code) =>
      (REJECTION_CODES as readonly string[]).includes(code),
    );
    assert.deepEqual(domainCodes.sort(), [...codes].sort(), `${operationId}: listed vs decided`);
    if (codes.has('ACCOUNT_NOT_FOUND') || codes.has('HOLD_NOT_FOUND'))
      assert.ok(
        listed.get(operationId)?.has('NOT_FOUND'),
        `${operationId}: customers see NOT_FOUND`,
      );
  };

  for (const [operationId, commands] of Object.entries(COMMANDS)) {
    it(`lists every rejection of ${operationId}`, () => {
      const codes = new Set<string>();
      for (const state of states()) {
        if (operationId === 'openAccount' && state.status !== 'none') continue;
        for (const command of commands()) {
          const decision = decideAccount(command, state);
          if (!decision.ok) codes.add(decision.rejection.code);
        }
      }
      assert.ok(codes.size > 0 || operationId === 'openAccount');
      assertListed(operationId, codes);
    });
  }

  it('lists every rejection of requestTransfer', () => {
    assertListed('requestTransfer', transferCodes());
  });
});
