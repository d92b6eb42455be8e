import { randomUUID } from 'node:crypto';
import {
  accountStream,
  transferStream,
  type AccountEvent,
  type BankEvent,
  type TransferEvent,
} from '@bank/domain';
import type { EventToAppend, PostgresEventStore } from '@bank/event-store';
import { eventToStore } from '@bank/read-models/testing';

/**
 * Appends a realistic history for tests: accounts with deposits, withdrawals, holds (captured
 * and released) and completed transfers between them, spread over several days. Every sequence
 * is valid for the domain (no balance goes below zero).
 */
export interface SeedOptions {
  readonly accounts: number;
  /** Roughly how many events to append in total. */
  readonly events: number;
  /** Events per append call (one stream per call). */
  readonly chunk?: number;
  readonly start?: Date;
}

export interface Seeded {
  readonly accountIds: string[];
  readonly transferIds: string[];
  readonly events: number;
}

export async function seedEvents(store: PostgresEventStore, options: SeedOptions): Promise<Seeded> {
  const start = options.start?.getTime() ?? Date.parse('2024-03-01T08:00:00Z');
  let minute = 0;
  const at = (): string => new Date(start + (minute += 7) * 60_000).toISOString();
  const accountIds: string[] = Array.from({ length: options.accounts }, () => randomUUID());
  const balances = new Map(accountIds.map((id) => [id, 0n]));
  const transferIds: string[] = [];
  let appended = 0;
  const append = async (
    streamId: string,
    events: Array<{ event: BankEvent; occurredAt: string }>,
  ): Promise<void> => {
    await store.append(
      streamId,
      events.map(({ event, occurredAt }) => toAppend(event, occurredAt)),
      'any',
    );
    appended += events.length;
  };

  for (const accountId of accountIds) {
    await append(accountStream(accountId), [
      {
        event: {
          type: 'AccountOpened',
          data: {
            accountId,
            ownerId: `owner-${accountId.slice(0, 4)}`,
            currency: 'USD',
            accountType: 'checking',
            overdraftLimit: 0n,
          },
        },
        occurredAt: at(),
      },
    ]);
  }
  const chunk = options.chunk ?? 20;
  let round = 0;
  while (appended < options.events) {
    round += 1;
    for (const accountId of accountIds) {
      if (appended >= options.events) break;
      const events: Array<{ event: AccountEvent; occurredAt: string }> = [];
      let balance = balances.get(accountId) ?? 0n;
      for (let i = 0; i < chunk; i += 1) {
        const kind = (i + round) % 5;
        if (kind === 0 || balance < 1000n) {
          const amount = BigInt(1000 + ((i * 7919 + round * 104729) % 90_000));
          balance += amount;
          events.push({
            event: { type: 'FundsDeposited', data: { accountId, amount } },
            occurredAt: at(),
          });
        } else if (kind === 1 || kind === 2) {
          const amount = balance / 7n + 1n;
          balance -= amount;
          events.push({
            event: { type: 'FundsWithdrawn', data: { accountId, amount } },
            occurredAt: at(),
          });
        } else if (kind === 3) {
          const holdId = randomUUID();
          const amount = balance / 5n + 1n;
          events.push({
            event: { type: 'HoldPlaced', data: { accountId, holdId, amount, expiresAt: null } },
            occurredAt: at(),
          });
          const captured = amount / 2n;
          if (i % 2 === 0 && captured > 0n) {
            balance -= captured;
            events.push({
              event: {
                type: 'HoldCaptured',
                data: { accountId, holdId, amount: captured, released: amount - captured },
              },
              occurredAt: at(),
            });
          } else {
            events.push({
              event: { type: 'HoldReleased', data: { accountId, holdId, amount } },
              occurredAt: at(),
            });
          }
        } else {
          events.push({
            event: {
              type: 'OverdraftLimitChanged',
              data: { accountId, overdraftLimit: BigInt(i * 100) },
            },
            occurredAt: at(),
          });
        }
      }
      balances.set(accountId, balance);
      await append(accountStream(accountId), events);
    }
    // A transfer per pair of neighbours each round.
    for (let i = 0; i + 1 < accountIds.length && appended < options.events; i += 2) {
      const from = accountIds[i] as string;
      const to = accountIds[i + 1] as string;
      const amount = (balances.get(from) ?? 0n) / 10n;
      if (amount <= 0n) continue;
      const transferId = randomUUID();
      transferIds.push(transferId);
      const leg = { transferId, amount };
      const requested: TransferEvent = {
        type: 'TransferRequested',
        data: {
          transferId,
          fromAccountId: from,
          toAccountId: to,
          amount,
          currency: 'USD',
          reference: `r${round}`,
        },
      };
      await append(transferStream(transferId), [{ event: requested, occurredAt: at() }]);
      await append(accountStream(from), [
        {
          event: {
            type: 'TransferDebited',
            data: { accountId: from, counterpartyAccountId: to, ...leg },
          },
          occurredAt: at(),
        },
      ]);
      await append(transferStream(transferId), [
        { event: { type: 'TransferSourceDebited', data: { transferId } }, occurredAt: at() },
      ]);
      await append(accountStream(to), [
        {
          event: {
            type: 'TransferCredited',
            data: { accountId: to, counterpartyAccountId: from, ...leg },
          },
          occurredAt: at(),
        },
      ]);
      await append(transferStream(transferId), [
        { event: { type: 'TransferDestinationCredited', data: { transferId } }, occurredAt: at() },
        { event: { type: 'TransferCompleted', data: { transferId } }, occurredAt: at() },
      ]);
      balances.set(from, (balances.get(from) ?? 0n) - amount);
      balances.set(to, (balances.get(to) ?? 0n) + amount);
    }
  }
  return { accountIds, transferIds, events: appended };
}

function toAppend(event: BankEvent, occurredAt: string): EventToAppend {
  return eventToStore(event, { occurredAt, actor: { id: 'seed', roles: ['admin'] } });
}
