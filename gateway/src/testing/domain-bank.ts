import { randomUUID } from 'node:crypto';
import {
  availableBalance,
  debitRefusal,
  decideAccount,
  decideTransfer,
  evolveAccount,
  evolveTransfer,
  formatAmount,
  initialAccountState,
  initialTransferState,
  isCurrency,
  nextTransferStep,
  parseAmount,
  transferLegOutcome,
  type AccountCommand,
  type AccountEvent,
  type AccountState,
  type AccountType,
  type ActiveTransferState,
  type Currency,
  type Decision,
  type OpenAccountState,
  type TransferCommand,
  type TransferEvent,
} from '@bank/domain';
import {
  createLogger,
  notFoundError,
  rejectionError,
  startGrpcServer,
  tupleUuid,
  unary,
  validationError,
  grpc,
  type RunningGrpcServer,
} from '@bank/platform';
import { commandsPackage, queriesPackage, type commandTypes, type queryTypes } from '@bank/proto';

/**
 * An in-memory bank behind stand-in command and query services implementing the protos, so the
 * gateway is tested alone while its upstreams can be slowed down or made to fail. Every business
 * answer comes from @bank/domain: commands go through decideAccount / decideTransfer and state
 * through evolveAccount / evolveTransfer, as in the command service; the query side shows what
 * those events imply. What is left here is transport: who may see what, command-id replay,
 * ledger entries and the recorded calls. Several command services may share one bank, as real
 * ones share a store.
 */

const FAKE_NS = '9d4b8a2c-1e6f-4c3a-8b7d-2f5e6a1c0d93';

interface AccountRecord {
  state: OpenAccountState;
  /** Events on the account's stream, less one: the stream revision. */
  revision: bigint;
  openedAt: string;
  updatedAt: string;
}

interface TransferRecord {
  state: ActiveTransferState;
  history: { status: string; at: string; reason: string }[];
  requestedAt: string;
  updatedAt: string;
}

interface LedgerEntry {
  entryId: string;
  accountId: string;
  type: string;
  amount: bigint;
  balanceAfter: bigint;
  counterpartyAccountId: string;
  transferId: string;
  holdId: string;
  occurredAt: string;
  position: bigint;
}

export interface RecordedCall {
  readonly service: 'command' | 'query';
  readonly method: string;
  readonly instance: string;
  readonly commandId?: string;
  readonly actor?: { id: string; roles: string[] };
  readonly options?: { consistencyToken: string; restrictToOwner: string };
  readonly correlationId: string | undefined;
  readonly request: unknown;
}

type Actor = { id: string; roles: string[] };

const SEEDER: Actor = { id: 'seeder', roles: ['admin'] };

export class DomainBank {
  private readonly records = new Map<string, AccountRecord>();
  private readonly transfers = new Map<string, TransferRecord>();
  private readonly entries: LedgerEntry[] = [];
  readonly calls: RecordedCall[] = [];
  private readonly replies = new Map<string, unknown>();
  private position = 0n;
  /** Every call waits this long first (a slow upstream). */
  delayMs = 0;
  /** The next call fails with this error (then calls work again). */
  failNext: Error | null = null;

  /** The accounts' decider states, by id. */
  get accounts(): ReadonlyMap<string, OpenAccountState> {
    return new Map([...this.records].map(([id, record]) => [id, record.state]));
  }

  private failIfAsked(): void {
    const error = this.failNext;
    this.failNext = null;
    if (error) throw error;
  }

  /** How many calls carried `commandId`, replays included. */
  callsFor(commandId: string): number {
    return this.calls.filter((c) => c.commandId === commandId).length;
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  reset(): void {
    this.calls.length = 0;
    this.delayMs = 0;
    this.failNext = null;
  }

  /** Opens an account directly (test setup), with an optional starting deposit. */
  seedAccount(options: {
    ownerId: string;
    currency?: Currency;
    balance?: string;
    id?: string;
  }): string {
    const currency = options.currency ?? 'USD';
    const id = options.id ?? randomUUID();
    this.openAccount(id, options.ownerId, currency, 'checking', 0n);
    if (options.balance) {
      this.decide(id, {
        type: 'Deposit',
        data: { amount: this.amount(options.balance, currency) },
      });
    }
    return id;
  }

  /** A hold placed directly (test setup). */
  seedHold(accountId: string, amount: string): string {
    const holdId = randomUUID();
    const account = this.owned(SEEDER, accountId);
    this.decide(accountId, {
      type: 'PlaceHold',
      data: {
        holdId,
        amount: this.amount(amount, account.state.currency),
        expiresAt: null,
        now: now(),
      },
    });
    return holdId;
  }

  /** Freezes an account directly (test setup). */
  seedFreeze(accountId: string): void {
    this.owned(SEEDER, accountId);
    this.decide(accountId, { type: 'FreezeAccount', data: { reason: 'test setup' } });
  }

  /** A transfer run directly (test setup); answers its id. */
  seedTransfer(fromAccountId: string, toAccountId: string, amount: string): string {
    return this.transfer(SEEDER, randomUUID(), {
      context: null,
      transferId: '',
      fromAccountId,
      toAccountId,
      amount,
      reference: '',
      dryRun: false,
    }).transferId;
  }

  // --- command side ------------------------------------------------------------------------

  async command<T>(
    method: string,
    instance: string,
    request: { context: commandTypes.CommandContext__Output | null },
    metadata: grpc.Metadata,
    run: (actor: Actor, commandId: string) => T,
  ): Promise<T> {
    const commandId = request.context?.commandId ?? '';
    const actor = {
      id: request.context?.actor?.id ?? '',
      roles: request.context?.actor?.roles ?? [],
    };
    this.calls.push({
      service: 'command',
      method,
      instance,
      commandId,
      actor,
      correlationId: metadata.get('x-correlation-id')[0]?.toString(),
      request,
    });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.failIfAsked();
    if (!commandId) throw validationError('context.command_id is required', 'context.command_id');
    const previous = this.replies.get(commandId);
    if (previous) return { ...(previous as T), replayed: true };
    const reply = run(actor, commandId);
    this.replies.set(commandId, reply);
    return reply;
  }

  open(
    actor: Actor,
    commandId: string,
    request: commandTypes.OpenAccountRequest__Output,
  ): commandTypes.AccountReply {
    if (!isCurrency(request.currency)) throw validationError('unknown currency', 'currency');
    const accountType = request.type || 'checking';
    if (accountType !== 'checking' && accountType !== 'savings')
      throw validationError('unknown account type', 'type');
    if (isCustomerOnly(actor) && request.ownerId !== actor.id)
      throw notFoundError('owner not found');
    const overdraft = request.overdraftLimit
      ? this.amount(request.overdraftLimit, request.currency, 'overdraft_limit', true)
      : 0n;
    const id = request.accountId || tupleUuid(FAKE_NS, ['account', commandId]);
    return this.reply(
      this.openAccount(id, request.ownerId, request.currency, accountType, overdraft),
    );
  }

  deposit(actor: Actor, request: commandTypes.MoneyRequest__Output): commandTypes.AccountReply {
    const account = this.owned(actor, request.accountId);
    const amount = this.amount(request.amount, account.state.currency);
    return this.reply(this.decide(request.accountId, { type: 'Deposit', data: { amount } }));
  }

  withdraw(actor: Actor, request: commandTypes.MoneyRequest__Output): commandTypes.AccountReply {
    const account = this.owned(actor, request.accountId);
    const amount = this.amount(request.amount, account.state.currency);
    return this.reply(this.decide(request.accountId, { type: 'Withdraw', data: { amount } }));
  }

  placeHold(
    actor: Actor,
    commandId: string,
    request: commandTypes.PlaceHoldRequest__Output,
  ): commandTypes.AccountReply {
    const account = this.owned(actor, request.accountId);
    const amount = this.amount(request.amount, account.state.currency);
    const holdId = request.holdId || tupleUuid(FAKE_NS, ['hold', commandId]);
    const placed = this.decide(request.accountId, {
      type: 'PlaceHold',
      data: { holdId, amount, expiresAt: request.expiresAt || null, now: now() },
    });
    return { ...this.reply(placed), holdId };
  }

  captureHold(
    actor: Actor,
    request: commandTypes.CaptureHoldRequest__Output,
  ): commandTypes.AccountReply {
    const account = this.owned(actor, request.accountId);
    const amount = request.amount ? this.amount(request.amount, account.state.currency) : null;
    const events: AccountEvent[] = [];
    const captured = this.decide(
      request.accountId,
      { type: 'CaptureHold', data: { holdId: request.holdId, amount, now: now() } },
      events,
    );
    const released = events.find((e) => e.type === 'HoldCaptured')?.data.released ?? 0n;
    return { ...this.reply(captured), released: formatAmount(released, captured.state.currency) };
  }

  releaseHold(actor: Actor, request: commandTypes.HoldRequest__Output): commandTypes.AccountReply {
    this.owned(actor, request.accountId);
    return this.reply(
      this.decide(request.accountId, { type: 'ReleaseHold', data: { holdId: request.holdId } }),
    );
  }

  freeze(
    actor: Actor,
    request: commandTypes.FreezeAccountRequest__Output,
  ): commandTypes.AccountReply {
    this.owned(actor, request.accountId);
    return this.reply(
      this.decide(request.accountId, { type: 'FreezeAccount', data: { reason: request.reason } }),
    );
  }

  unfreeze(actor: Actor, accountId: string): commandTypes.AccountReply {
    this.owned(actor, accountId);
    return this.reply(this.decide(accountId, { type: 'UnfreezeAccount', data: {} }));
  }

  close(actor: Actor, accountId: string): commandTypes.AccountReply {
    this.owned(actor, accountId);
    return this.reply(this.decide(accountId, { type: 'CloseAccount', data: {} }));
  }

  changeOverdraft(
    actor: Actor,
    request: commandTypes.ChangeOverdraftLimitRequest__Output,
  ): commandTypes.AccountReply {
    const account = this.owned(actor, request.accountId);
    const overdraftLimit = this.amount(
      request.overdraftLimit,
      account.state.currency,
      'overdraft_limit',
      true,
    );
    return this.reply(
      this.decide(request.accountId, { type: 'ChangeOverdraftLimit', data: { overdraftLimit } }),
    );
  }

  /**
   * As the command service: a transfer its source plainly cannot pay is refused up front; any
   * other is recorded and driven step by step (nextTransferStep) to completed or failed.
   */
  transfer(
    actor: Actor,
    commandId: string,
    request: commandTypes.RequestTransferRequest__Output,
  ): commandTypes.TransferReply & { transferId: string } {
    const from = this.owned(actor, request.fromAccountId);
    const to = this.records.get(request.toAccountId);
    if (!to) throw rejectionError('ACCOUNT_NOT_FOUND', 'account not found');
    const amount = this.amount(request.amount, from.state.currency);
    const transferId = request.transferId || tupleUuid(FAKE_NS, ['transfer', commandId]);
    const requested = decideTransfer(
      {
        type: 'RequestTransfer',
        data: {
          transferId,
          fromAccountId: from.state.accountId,
          toAccountId: to.state.accountId,
          amount,
          reference: request.reference,
          fromCurrency: from.state.currency,
          toCurrency: to.state.currency,
        },
      },
      initialTransferState,
    );
    const unpayable = requested.ok ? debitRefusal(from.state, amount) : undefined;
    if (unpayable) throw rejectionError(unpayable.code, unpayable.message);
    const record = this.recordTransfer(transferId, requested);
    this.driveTransfer(record);
    const state = record.state;
    return {
      transferId,
      status: state.status,
      failureReason: state.failureReason ?? '',
      position: this.position.toString(),
      replayed: false,
      amount: formatAmount(state.amount, state.currency),
      currency: state.currency,
    };
  }

  private recordTransfer(transferId: string, requested: Decision<TransferEvent>): TransferRecord {
    const events = accepted(requested);
    const at = now();
    const record: TransferRecord = {
      state: evolveTransferAll(initialTransferState, events),
      history: [],
      requestedAt: at,
      updatedAt: at,
    };
    this.transfers.set(transferId, record);
    this.recordTransferEvents(record, events);
    return record;
  }

  private driveTransfer(record: TransferRecord): void {
    const { transferId, fromAccountId, toAccountId, amount } = record.state;
    const leg = (counterpartyAccountId: string) => ({ transferId, counterpartyAccountId, amount });
    const step = (command: TransferCommand) =>
      this.recordTransferEvents(record, accepted(decideTransfer(command, record.state)));
    for (;;) {
      const next = nextTransferStep(record.state);
      switch (next.kind) {
        case 'debit-source': {
          const source = this.decide(fromAccountId, {
            type: 'DebitForTransfer',
            data: leg(toAccountId),
          });
          const outcome = transferLegOutcome(source.state, 'debit', transferId);
          if (outcome.kind === 'declined')
            step({ type: 'FailTransfer', data: { reason: outcome.reason } });
          else step({ type: 'RecordSourceDebited', data: {} });
          break;
        }
        case 'credit-destination': {
          const destination = this.decide(toAccountId, {
            type: 'CreditForTransfer',
            data: leg(fromAccountId),
          });
          const outcome = transferLegOutcome(destination.state, 'credit', transferId);
          if (outcome.kind === 'declined') {
            this.decide(fromAccountId, { type: 'RefundTransfer', data: leg(toAccountId) });
            step({ type: 'RecordSourceRefunded', data: { reason: outcome.reason } });
          } else step({ type: 'RecordDestinationCredited', data: {} });
          break;
        }
        case 'refund-source':
          this.decide(fromAccountId, { type: 'RefundTransfer', data: leg(toAccountId) });
          step({ type: 'RecordSourceRefunded', data: { reason: next.reason } });
          break;
        case 'complete':
          step({ type: 'CompleteTransfer', data: {} });
          break;
        case 'fail':
          step({ type: 'FailTransfer', data: { reason: next.reason } });
          break;
        case 'done':
          return;
        default: {
          const unhandled: never = next;
          throw new Error(`unhandled step ${JSON.stringify(unhandled)}`);
        }
      }
    }
  }

  private recordTransferEvents(record: TransferRecord, events: readonly TransferEvent[]): void {
    const at = now();
    for (const event of events) {
      record.state = evolveTransferAll(record.state, [event]);
      this.position++;
      record.updatedAt = at;
      const reason =
        event.type === 'TransferSourceRefunded' || event.type === 'TransferFailed'
          ? event.data.reason
          : '';
      record.history.push({ status: record.state.status, at, reason });
    }
  }

  // --- query side --------------------------------------------------------------------------

  async query<T>(
    method: string,
    instance: string,
    request: { options: queryTypes.ReadOptions__Output | null },
    metadata: grpc.Metadata,
    run: (restrictTo: string) => T,
  ): Promise<T> {
    const options = {
      consistencyToken: request.options?.consistencyToken ?? '',
      restrictToOwner: request.options?.restrictToOwner ?? '',
    };
    this.calls.push({
      service: 'query',
      method,
      instance,
      options,
      correlationId: metadata.get('x-correlation-id')[0]?.toString(),
      request,
    });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.failIfAsked();
    return run(options.restrictToOwner);
  }

  getAccount(restrictTo: string, accountId: string): queryTypes.Account {
    return this.accountView(this.visible(restrictTo, accountId));
  }

  listAccounts(restrictTo: string, ownerId: string): queryTypes.ListAccountsReply {
    const accounts = [...this.records.values()].filter(
      (a) => a.state.ownerId === ownerId && (!restrictTo || a.state.ownerId === restrictTo),
    );
    return { accounts: accounts.map((a) => this.accountView(a)) };
  }

  listTransactions(
    restrictTo: string,
    request: queryTypes.ListTransactionsRequest__Output,
  ): queryTypes.ListTransactionsReply {
    const account = this.visible(restrictTo, request.accountId);
    const all = this.entries
      .filter((e) => e.accountId === account.state.accountId)
      .filter((e) => request.types.length === 0 || request.types.includes(e.type))
      .reverse();
    const start = request.cursor ? Number(request.cursor) : 0;
    const limit = request.limit || 50;
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : '';
    return {
      entries: page.map((e) => this.entryView(e, account.state.currency)),
      nextCursor: next,
    };
  }

  getTransfer(restrictTo: string, transferId: string): queryTypes.Transfer {
    const transfer = this.transfers.get(transferId);
    if (!transfer) throw rejectionError('TRANSFER_NOT_FOUND', 'transfer not found');
    const state = transfer.state;
    if (restrictTo) {
      const owners = [state.fromAccountId, state.toAccountId].map(
        (id) => this.records.get(id)?.state.ownerId,
      );
      if (!owners.includes(restrictTo))
        throw rejectionError('TRANSFER_NOT_FOUND', 'transfer not found');
    }
    return {
      transferId: state.transferId,
      fromAccountId: state.fromAccountId,
      toAccountId: state.toAccountId,
      amount: formatAmount(state.amount, state.currency),
      currency: state.currency,
      reference: state.reference,
      batchId: state.batchId ?? '',
      reversalOf: state.reversalOf ?? '',
      reversedAmount: formatAmount(state.reversedAmount, state.currency),
      status: state.status,
      failureReason: state.failureReason ?? '',
      history: transfer.history,
      requestedAt: transfer.requestedAt,
      updatedAt: transfer.updatedAt,
    };
  }

  statement(
    restrictTo: string,
    request: queryTypes.GetStatementRequest__Output,
  ): queryTypes.Statement {
    const account = this.visible(restrictTo, request.accountId);
    const currency = account.state.currency;
    const mine = this.entries.filter((e) => e.accountId === account.state.accountId);
    const inPeriod = mine.filter((e) => {
      const day = e.occurredAt.slice(0, 10);
      return day >= request.from && day <= request.to;
    });
    const before = mine.filter((e) => e.occurredAt.slice(0, 10) < request.from);
    const opening = before.at(-1)?.balanceAfter ?? 0n;
    const closing = inPeriod.at(-1)?.balanceAfter ?? opening;
    const totalIn = inPeriod.filter((e) => e.amount > 0n).reduce((sum, e) => sum + e.amount, 0n);
    const totalOut = inPeriod.filter((e) => e.amount < 0n).reduce((sum, e) => sum - e.amount, 0n);
    const f = (minor: bigint) => formatAmount(minor, currency);
    return {
      accountId: account.state.accountId,
      currency,
      from: request.from,
      to: request.to,
      openingBalance: f(opening),
      closingBalance: f(closing),
      totalIn: f(totalIn),
      totalOut: f(totalOut),
      entries: inPeriod.map((e) => this.entryView(e, currency)),
    };
  }

  // --- the decider and its events ----------------------------------------------------------

  private openAccount(
    accountId: string,
    ownerId: string,
    currency: Currency,
    accountType: AccountType,
    overdraftLimit: bigint,
  ): AccountRecord {
    const existing = this.records.get(accountId)?.state ?? initialAccountState;
    const events = accepted(
      decideAccount(
        {
          type: 'OpenAccount',
          data: { accountId, ownerId, currency, accountType, overdraftLimit },
        },
        existing,
      ),
    );
    const at = now();
    const state = evolveAccountAll(initialAccountState, events);
    if (state.status === 'none') throw new Error('AccountOpened left no account');
    const record: AccountRecord = { state, revision: 0n, openedAt: at, updatedAt: at };
    this.records.set(accountId, record);
    this.position++;
    return record;
  }

  /**
   * Decides `command` on the account with the domain's decider, applies the events it answers
   * (their ledger entries too) and answers the account; a rejection throws it as the command
   * service does. The applied events are pushed onto `applied` when given.
   */
  private decide(
    accountId: string,
    command: AccountCommand,
    applied: AccountEvent[] = [],
  ): AccountRecord {
    const record = this.records.get(accountId);
    if (!record) throw rejectionError('ACCOUNT_NOT_FOUND', 'account not found');
    const events = accepted(decideAccount(command, record.state));
    for (const event of events) {
      const state = evolveAccount(record.state, event);
      if (state.status === 'none') throw new Error(`${event.type} left no account`);
      record.state = state;
      record.revision++;
      record.updatedAt = now();
      this.position++;
      this.recordEntry(record, event);
      applied.push(event);
    }
    return record;
  }

  /** Writes the ledger entry the event implies, if any. */
  private recordEntry(record: AccountRecord, event: AccountEvent): void {
    const entry = ledgerEntryOf(event);
    if (!entry) return;
    this.entries.push({
      entryId: `${record.state.accountId}:${record.revision}`,
      accountId: record.state.accountId,
      type: entry.type,
      amount: entry.amount,
      balanceAfter: record.state.balance,
      counterpartyAccountId: entry.counterparty ?? '',
      transferId: entry.transferId ?? '',
      holdId: entry.holdId ?? '',
      occurredAt: record.updatedAt,
      position: this.position,
    });
  }

  // --- helpers -----------------------------------------------------------------------------

  private amount(text: string, currency: Currency, field = 'amount', allowZero = false): bigint {
    const parsed = parseAmount(text, currency, { allowZero });
    if (!parsed.ok) throw validationError(parsed.error.message, field);
    return parsed.minor;
  }

  /** Customers act on their own accounts only; anything else does not exist for them. */
  private owned(actor: Actor, accountId: string): AccountRecord {
    const account = this.records.get(accountId);
    if (!account || (isCustomerOnly(actor) && account.state.ownerId !== actor.id)) {
      throw rejectionError('ACCOUNT_NOT_FOUND', 'account not found');
    }
    return account;
  }

  private visible(restrictTo: string, accountId: string): AccountRecord {
    const account = this.records.get(accountId);
    if (!account || (restrictTo && account.state.ownerId !== restrictTo)) {
      throw rejectionError('ACCOUNT_NOT_FOUND', 'account not found');
    }
    return account;
  }

  private snapshot(record: AccountRecord): commandTypes.AccountSnapshot {
    const state = record.state;
    const f = (minor: bigint) => formatAmount(minor, state.currency);
    return {
      accountId: state.accountId,
      ownerId: state.ownerId,
      currency: state.currency,
      type: state.accountType,
      status: state.status,
      balance: f(state.balance),
      available: f(availableBalance(state)),
      held: f(state.heldTotal),
      overdraftLimit: f(state.overdraftLimit),
      revision: record.revision.toString(),
    };
  }

  private accountView(record: AccountRecord): queryTypes.Account {
    return { ...this.snapshot(record), openedAt: record.openedAt, updatedAt: record.updatedAt };
  }

  private reply(record: AccountRecord): commandTypes.AccountReply {
    return {
      account: this.snapshot(record),
      position: this.position.toString(),
      replayed: false,
      holdId: '',
    };
  }

  private entryView(entry: LedgerEntry, currency: Currency): queryTypes.LedgerEntry {
    return {
      entryId: entry.entryId,
      accountId: entry.accountId,
      type: entry.type,
      amount: formatAmount(entry.amount, currency),
      balanceAfter: formatAmount(entry.balanceAfter, currency),
      currency,
      counterpartyAccountId: entry.counterpartyAccountId,
      transferId: entry.transferId,
      holdId: entry.holdId,
      occurredAt: entry.occurredAt,
      position: entry.position.toString(),
    };
  }
}

/** The entry an event writes in the ledger, as the projection writes it: money moved, or none. */
function ledgerEntryOf(
  event: AccountEvent,
):
  | { type: string; amount: bigint; transferId?: string; holdId?: string; counterparty?: string }
  | undefined {
  if (event.type === 'FundsDeposited') return { type: 'deposit', amount: event.data.amount };
  if (event.type === 'FundsWithdrawn') return { type: 'withdrawal', amount: -event.data.amount };
  if (event.type === 'HoldCaptured') {
    return { type: 'hold_capture', amount: -event.data.amount, holdId: event.data.holdId };
  }
  if (
    event.type !== 'TransferDebited' &&
    event.type !== 'TransferCredited' &&
    event.type !== 'TransferRefunded'
  )
    return undefined;
  const { transferId, counterpartyAccountId: counterparty, amount } = event.data;
  if (event.type === 'TransferDebited')
    return { type: 'transfer_out', amount: -amount, transferId, counterparty };
  const type = event.type === 'TransferCredited' ? 'transfer_in' : 'transfer_refund';
  return { type, amount, transferId, counterparty };
}

/** The events of an accepted decision; a rejection throws as the command service answers it. */
function accepted<E>(decision: Decision<E>): readonly E[] {
  if (!decision.ok) throw rejectionError(decision.rejection.code, decision.rejection.message);
  return decision.events;
}

const evolveAccountAll = (state: AccountState, events: readonly AccountEvent[]): AccountState =>
  events.reduce(evolveAccount, state);

function evolveTransferAll(
  state: ActiveTransferState | typeof initialTransferState,
  events: readonly TransferEvent[],
): ActiveTransferState {
  const next = events.reduce(evolveTransfer, state);
  if (next.status === 'none') throw new Error('a transfer event left no transfer');
  return next;
}

const now = (): string => new Date().toISOString();

const isCustomerOnly = (actor: Actor): boolean =>
  !actor.roles.includes('teller') && !actor.roles.includes('admin');

const silent = createLogger({ service: 'fake-upstream', level: 'silent' });

export interface FakeService {
  readonly server: RunningGrpcServer;
  readonly address: string;
  readonly instance: string;
  stop(graceMs?: number): Promise<void>;
}

/** A fake CommandService over `bank`, on 127.0.0.1 (port 0: a free one). */
export async function startFakeCommandService(
  bank: DomainBank,
  options: { port?: number; instance?: string } = {},
): Promise<FakeService> {
  const instance = options.instance ?? 'command';
  const { CommandService } = commandsPackage();
  type Handler<Req> = (actor: Actor, commandId: string, request: Req) => unknown;
  const handle = <Req extends { context: commandTypes.CommandContext__Output | null }>(
    method: string,
    run: Handler<Req>,
  ) =>
    unary<Req, unknown>(
      method,
      (request, context) =>
        bank.command(method, instance, request, context.metadata, (actor, id) =>
          run(actor, id, request),
        ),
      { logger: silent },
    );
  const handlers = {
    OpenAccount: handle<commandTypes.OpenAccountRequest__Output>('OpenAccount', (a, id, r) =>
      bank.open(a, id, r),
    ),
    Deposit: handle<commandTypes.MoneyRequest__Output>('Deposit', (a, _id, r) =>
      bank.deposit(a, r),
    ),
    Withdraw: handle<commandTypes.MoneyRequest__Output>('Withdraw', (a, _id, r) =>
      bank.withdraw(a, r),
    ),
    PlaceHold: handle<commandTypes.PlaceHoldRequest__Output>('PlaceHold', (a, id, r) =>
      bank.placeHold(a, id, r),
    ),
    CaptureHold: handle<commandTypes.CaptureHoldRequest__Output>('CaptureHold', (a, _id, r) =>
      bank.captureHold(a, r),
    ),
    ReleaseHold: handle<commandTypes.HoldRequest__Output>('ReleaseHold', (a, _id, r) =>
      bank.releaseHold(a, r),
    ),
    FreezeAccount: handle<commandTypes.FreezeAccountRequest__Output>('FreezeAccount', (a, _id, r) =>
      bank.freeze(a, r),
    ),
    UnfreezeAccount: handle<commandTypes.AccountRequest__Output>('UnfreezeAccount', (a, _id, r) =>
      bank.unfreeze(a, r.accountId),
    ),
    CloseAccount: handle<commandTypes.AccountRequest__Output>('CloseAccount', (a, _id, r) =>
      bank.close(a, r.accountId),
    ),
    ChangeOverdraftLimit: handle<commandTypes.ChangeOverdraftLimitRequest__Output>(
      'ChangeOverdraftLimit',
      (a, _id, r) => bank.changeOverdraft(a, r),
    ),
    RequestTransfer: handle<commandTypes.RequestTransferRequest__Output>(
      'RequestTransfer',
      (a, id, r) => bank.transfer(a, id, r),
    ),
  };
  const server = await startGrpcServer({
    credentials: grpc.ServerCredentials.createInsecure(),
    host: '127.0.0.1',
    port: options.port ?? 0,
    register: (s) => s.addService(CommandService.service, handlers),
    healthServices: ['bank.v1.CommandService'],
  });
  return {
    server,
    address: `127.0.0.1:${server.port}`,
    instance,
    stop: (graceMs = 2000) => server.shutdown(graceMs),
  };
}

/** A fake QueryService over `bank`. */
export async function startFakeQueryService(
  bank: DomainBank,
  options: { port?: number } = {},
): Promise<FakeService> {
  const { QueryService } = queriesPackage();
  const handle = <Req extends { options: queryTypes.ReadOptions__Output | null }>(
    method: string,
    run: (restrictTo: string, request: Req) => unknown,
  ) =>
    unary<Req, unknown>(
      method,
      (request, context) =>
        bank.query(method, 'query', request, context.metadata, (restrictTo) =>
          run(restrictTo, request),
        ),
      { logger: silent },
    );
  const handlers = {
    GetAccount: handle<queryTypes.GetAccountRequest__Output>('GetAccount', (o, r) =>
      bank.getAccount(o, r.accountId),
    ),
    ListAccounts: handle<queryTypes.ListAccountsRequest__Output>('ListAccounts', (o, r) =>
      bank.listAccounts(o, r.ownerId),
    ),
    ListTransactions: handle<queryTypes.ListTransactionsRequest__Output>(
      'ListTransactions',
      (o, r) => bank.listTransactions(o, r),
    ),
    GetTransfer: handle<queryTypes.GetTransferRequest__Output>('GetTransfer', (o, r) =>
      bank.getTransfer(o, r.transferId),
    ),
    GetStatement: handle<queryTypes.GetStatementRequest__Output>('GetStatement', (o, r) =>
      bank.statement(o, r),
    ),
    GetProjectionStatus: unary(
      'GetProjectionStatus',
      () =>
        Promise.resolve({ consistentPosition: '0', checkpoints: [], secondsSinceLastApplied: 0 }),
      { logger: silent },
    ),
  };
  const server = await startGrpcServer({
    credentials: grpc.ServerCredentials.createInsecure(),
    host: '127.0.0.1',
    port: options.port ?? 0,
    register: (s) => s.addService(QueryService.service, handlers),
    healthServices: ['bank.v1.QueryService'],
  });
  return {
    server,
    address: `127.0.0.1:${server.port}`,
    instance: 'query',
    stop: (graceMs = 2000) => server.shutdown(graceMs),
  };
}
