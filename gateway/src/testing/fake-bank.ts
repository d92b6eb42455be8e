import { randomUUID } from 'node:crypto';
import { formatAmount, isCurrency, parseAmount, type Currency } from '@bank/domain';
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
 * An in-memory bank behind fake command and query services implementing the protos, so the
 * gateway is tested alone. Not the real rules: just enough of them (balances, holds,
 * transfers, ownership, command-id replay) to check what the gateway sends and answers.
 * Several fake command services may share one bank, as real ones share a store.
 */

const FAKE_NS = '9d4b8a2c-1e6f-4c3a-8b7d-2f5e6a1c0d93';

interface FakeAccount {
  id: string;
  ownerId: string;
  currency: Currency;
  type: string;
  status: 'open' | 'frozen' | 'closed';
  balance: bigint;
  overdraft: bigint;
  holds: Map<string, bigint>;
  revision: bigint;
  openedAt: string;
  updatedAt: string;
}

interface FakeEntry {
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

export class FakeBank {
  readonly accounts = new Map<string, FakeAccount>();
  readonly transfers = new Map<string, queryTypes.Transfer__Output>();
  readonly entries: FakeEntry[] = [];
  readonly calls: RecordedCall[] = [];
  private readonly replies = new Map<string, unknown>();
  private position = 0n;
  /** Every call waits this long first (a slow upstream). */
  delayMs = 0;
  /** The next call fails with this error (then calls work again). */
  failNext: Error | null = null;

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

  /** Opens an account directly (test setup), with an optional starting balance. */
  seedAccount(options: {
    ownerId: string;
    currency?: Currency;
    balance?: string;
    id?: string;
  }): string {
    const currency = options.currency ?? 'USD';
    const id = options.id ?? randomUUID();
    const now = new Date().toISOString();
    this.accounts.set(id, {
      id,
      ownerId: options.ownerId,
      currency,
      type: 'checking',
      status: 'open',
      balance: 0n,
      overdraft: 0n,
      holds: new Map(),
      revision: 0n,
      openedAt: now,
      updatedAt: now,
    });
    if (options.balance) {
      const account = this.accounts.get(id) as FakeAccount;
      this.post(account, 'deposit', this.amount(options.balance, currency), {});
    }
    return id;
  }

  /** A hold placed directly (test setup). */
  seedHold(accountId: string, amount: string): string {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error('no such account');
    const holdId = randomUUID();
    account.holds.set(holdId, this.amount(amount, account.currency));
    return holdId;
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
    if (isCustomerOnly(actor) && request.ownerId !== actor.id)
      throw notFoundError('owner not found');
    const overdraft = request.overdraftLimit
      ? this.amount(request.overdraftLimit, request.currency, 'overdraft_limit', true)
      : 0n;
    const id = request.accountId || tupleUuid(FAKE_NS, ['account', commandId]);
    const now = new Date().toISOString();
    const account: FakeAccount = {
      id,
      ownerId: request.ownerId,
      currency: request.currency,
      type: request.type || 'checking',
      status: 'open',
      balance: 0n,
      overdraft,
      holds: new Map(),
      revision: 0n,
      openedAt: now,
      updatedAt: now,
    };
    this.accounts.set(id, account);
    return this.reply(account);
  }

  deposit(actor: Actor, request: commandTypes.MoneyRequest__Output): commandTypes.AccountReply {
    const account = this.writable(actor, request.accountId);
    this.post(account, 'deposit', this.amount(request.amount, account.currency), {});
    return this.reply(account);
  }

  withdraw(actor: Actor, request: commandTypes.MoneyRequest__Output): commandTypes.AccountReply {
    const account = this.writable(actor, request.accountId);
    const amount = this.amount(request.amount, account.currency);
    this.requireFunds(account, amount);
    this.post(account, 'withdrawal', -amount, {});
    return this.reply(account);
  }

  placeHold(
    actor: Actor,
    commandId: string,
    request: commandTypes.PlaceHoldRequest__Output,
  ): commandTypes.AccountReply {
    const account = this.writable(actor, request.accountId);
    const amount = this.amount(request.amount, account.currency);
    this.requireFunds(account, amount);
    const holdId = request.holdId || tupleUuid(FAKE_NS, ['hold', commandId]);
    account.holds.set(holdId, amount);
    this.touch(account);
    return { ...this.reply(account), holdId };
  }

  captureHold(
    actor: Actor,
    request: commandTypes.CaptureHoldRequest__Output,
  ): commandTypes.AccountReply {
    const account = this.writable(actor, request.accountId);
    const held = account.holds.get(request.holdId);
    if (held === undefined) throw rejectionError('HOLD_NOT_FOUND', 'hold not found');
    const amount = request.amount ? this.amount(request.amount, account.currency) : held;
    if (amount > held) throw rejectionError('CAPTURE_EXCEEDS_HOLD', 'capture exceeds the hold');
    account.holds.delete(request.holdId);
    this.post(account, 'hold_capture', -amount, { holdId: request.holdId });
    return { ...this.reply(account), released: formatAmount(held - amount, account.currency) };
  }

  releaseHold(actor: Actor, request: commandTypes.HoldRequest__Output): commandTypes.AccountReply {
    const account = this.writable(actor, request.accountId);
    if (!account.holds.delete(request.holdId))
      throw rejectionError('HOLD_NOT_FOUND', 'hold not found');
    this.touch(account);
    return this.reply(account);
  }

  setStatus(
    actor: Actor,
    accountId: string,
    status: 'open' | 'frozen' | 'closed',
  ): commandTypes.AccountReply {
    const account = this.owned(actor, accountId);
    if (account.status === 'closed') throw rejectionError('ACCOUNT_CLOSED', 'account is closed');
    if (status === 'open' && account.status !== 'frozen')
      throw rejectionError('ACCOUNT_NOT_FROZEN', 'account is not frozen');
    if (status === 'frozen' && account.status === 'frozen')
      throw rejectionError('ACCOUNT_FROZEN', 'account is frozen');
    if (status === 'closed') {
      if (account.balance !== 0n) throw rejectionError('ACCOUNT_NOT_EMPTY', 'balance is not zero');
      if (account.holds.size > 0) throw rejectionError('OPEN_HOLDS', 'account has open holds');
    }
    account.status = status;
    this.touch(account);
    return this.reply(account);
  }

  changeOverdraft(
    actor: Actor,
    request: commandTypes.ChangeOverdraftLimitRequest__Output,
  ): commandTypes.AccountReply {
    const account = this.writable(actor, request.accountId);
    account.overdraft = this.amount(
      request.overdraftLimit,
      account.currency,
      'overdraft_limit',
      true,
    );
    this.touch(account);
    return this.reply(account);
  }

  transfer(
    actor: Actor,
    commandId: string,
    request: commandTypes.RequestTransferRequest__Output,
  ): commandTypes.TransferReply {
    const from = this.writable(actor, request.fromAccountId);
    const to = this.accounts.get(request.toAccountId);
    if (!to) throw rejectionError('ACCOUNT_NOT_FOUND', 'account not found');
    if (from.id === to.id)
      throw rejectionError('SAME_ACCOUNT', 'cannot transfer to the same account');
    if (from.currency !== to.currency)
      throw rejectionError('CURRENCY_MISMATCH', 'currencies differ');
    const amount = this.amount(request.amount, from.currency);
    this.requireFunds(from, amount);
    const id = request.transferId || tupleUuid(FAKE_NS, ['transfer', commandId]);
    const now = new Date().toISOString();
    this.post(from, 'transfer_out', -amount, { transferId: id, counterparty: to.id });
    const history = [
      { status: 'requested', at: now, reason: '' },
      { status: 'debited', at: now, reason: '' },
    ];
    let status = 'completed';
    let failureReason = '';
    if (to.status !== 'open') {
      failureReason = to.status === 'frozen' ? 'ACCOUNT_FROZEN' : 'ACCOUNT_CLOSED';
      this.post(from, 'transfer_refund', amount, { transferId: id, counterparty: to.id });
      status = 'failed';
      history.push({ status: 'failed', at: now, reason: failureReason });
    } else {
      this.post(to, 'transfer_in', amount, { transferId: id, counterparty: from.id });
      history.push({ status: 'completed', at: now, reason: '' });
    }
    const amountText = formatAmount(amount, from.currency);
    this.transfers.set(id, {
      transferId: id,
      fromAccountId: from.id,
      toAccountId: to.id,
      amount: amountText,
      currency: from.currency,
      reference: request.reference,
      batchId: '',
      reversalOf: '',
      reversedAmount: formatAmount(0n, from.currency),
      status,
      failureReason,
      history,
      requestedAt: now,
      updatedAt: now,
    });
    return {
      transferId: id,
      status,
      failureReason,
      position: this.position.toString(),
      replayed: false,
      amount: amountText,
      currency: from.currency,
    };
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
    const accounts = [...this.accounts.values()].filter(
      (a) => a.ownerId === ownerId && (!restrictTo || a.ownerId === restrictTo),
    );
    return { accounts: accounts.map((a) => this.accountView(a)) };
  }

  listTransactions(
    restrictTo: string,
    request: queryTypes.ListTransactionsRequest__Output,
  ): queryTypes.ListTransactionsReply {
    const account = this.visible(restrictTo, request.accountId);
    const all = this.entries
      .filter((e) => e.accountId === account.id)
      .filter((e) => request.types.length === 0 || request.types.includes(e.type))
      .reverse();
    const start = request.cursor ? Number(request.cursor) : 0;
    const limit = request.limit || 50;
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : '';
    return { entries: page.map((e) => this.entryView(e, account.currency)), nextCursor: next };
  }

  getTransfer(restrictTo: string, transferId: string): queryTypes.Transfer {
    const transfer = this.transfers.get(transferId);
    if (!transfer) throw rejectionError('TRANSFER_NOT_FOUND', 'transfer not found');
    if (restrictTo) {
      const owners = [transfer.fromAccountId, transfer.toAccountId].map(
        (id) => this.accounts.get(id)?.ownerId,
      );
      if (!owners.includes(restrictTo))
        throw rejectionError('TRANSFER_NOT_FOUND', 'transfer not found');
    }
    return transfer;
  }

  statement(
    restrictTo: string,
    request: queryTypes.GetStatementRequest__Output,
  ): queryTypes.Statement {
    const account = this.visible(restrictTo, request.accountId);
    const mine = this.entries.filter((e) => e.accountId === account.id);
    const inPeriod = mine.filter((e) => {
      const day = e.occurredAt.slice(0, 10);
      return day >= request.from && day <= request.to;
    });
    const before = mine.filter((e) => e.occurredAt.slice(0, 10) < request.from);
    const opening = before.at(-1)?.balanceAfter ?? 0n;
    const closing = inPeriod.at(-1)?.balanceAfter ?? opening;
    const totalIn = inPeriod.filter((e) => e.amount > 0n).reduce((sum, e) => sum + e.amount, 0n);
    const totalOut = inPeriod.filter((e) => e.amount < 0n).reduce((sum, e) => sum - e.amount, 0n);
    const f = (minor: bigint) => formatAmount(minor, account.currency);
    return {
      accountId: account.id,
      currency: account.currency,
      from: request.from,
      to: request.to,
      openingBalance: f(opening),
      closingBalance: f(closing),
      totalIn: f(totalIn),
      totalOut: f(totalOut),
      entries: inPeriod.map((e) => this.entryView(e, account.currency)),
    };
  }

  // --- helpers -----------------------------------------------------------------------------

  private amount(text: string, currency: Currency, field = 'amount', allowZero = false): bigint {
    const parsed = parseAmount(text, currency, { allowZero });
    if (!parsed.ok) throw validationError(parsed.error.message, field);
    return parsed.minor;
  }

  /** Customers act on their own accounts only; anything else does not exist for them. */
  private owned(actor: Actor, accountId: string): FakeAccount {
    const account = this.accounts.get(accountId);
    if (!account || (isCustomerOnly(actor) && account.ownerId !== actor.id)) {
      throw rejectionError('ACCOUNT_NOT_FOUND', 'account not found');
    }
    return account;
  }

  private writable(actor: Actor, accountId: string): FakeAccount {
    const account = this.owned(actor, accountId);
    if (account.status === 'frozen') throw rejectionError('ACCOUNT_FROZEN', 'account is frozen');
    if (account.status === 'closed') throw rejectionError('ACCOUNT_CLOSED', 'account is closed');
    return account;
  }

  private visible(restrictTo: string, accountId: string): FakeAccount {
    const account = this.accounts.get(accountId);
    if (!account || (restrictTo && account.ownerId !== restrictTo)) {
      throw rejectionError('ACCOUNT_NOT_FOUND', 'account not found');
    }
    return account;
  }

  private available(account: FakeAccount): bigint {
    let held = 0n;
    for (const amount of account.holds.values()) held += amount;
    return account.balance - held + account.overdraft;
  }

  private requireFunds(account: FakeAccount, amount: bigint): void {
    if (amount > this.available(account))
      throw rejectionError('INSUFFICIENT_FUNDS', 'insufficient funds');
  }

  private touch(account: FakeAccount): void {
    account.revision++;
    account.updatedAt = new Date().toISOString();
    this.position++;
  }

  private post(
    account: FakeAccount,
    type: string,
    amount: bigint,
    links: { transferId?: string; holdId?: string; counterparty?: string },
  ): void {
    account.balance += amount;
    this.touch(account);
    this.entries.push({
      entryId: `${account.id}:${account.revision}`,
      accountId: account.id,
      type,
      amount,
      balanceAfter: account.balance,
      counterpartyAccountId: links.counterparty ?? '',
      transferId: links.transferId ?? '',
      holdId: links.holdId ?? '',
      occurredAt: account.updatedAt,
      position: this.position,
    });
  }

  private snapshot(account: FakeAccount): commandTypes.AccountSnapshot {
    let held = 0n;
    for (const amount of account.holds.values()) held += amount;
    const f = (minor: bigint) => formatAmount(minor, account.currency);
    return {
      accountId: account.id,
      ownerId: account.ownerId,
      currency: account.currency,
      type: account.type,
      status: account.status,
      balance: f(account.balance),
      available: f(this.available(account)),
      held: f(held),
      overdraftLimit: f(account.overdraft),
      revision: account.revision.toString(),
    };
  }

  private accountView(account: FakeAccount): queryTypes.Account {
    return { ...this.snapshot(account), openedAt: account.openedAt, updatedAt: account.updatedAt };
  }

  private reply(account: FakeAccount): commandTypes.AccountReply {
    return {
      account: this.snapshot(account),
      position: this.position.toString(),
      replayed: false,
      holdId: '',
    };
  }

  private entryView(entry: FakeEntry, currency: Currency): queryTypes.LedgerEntry {
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
  bank: FakeBank,
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
      bank.setStatus(a, r.accountId, 'frozen'),
    ),
    UnfreezeAccount: handle<commandTypes.AccountRequest__Output>('UnfreezeAccount', (a, _id, r) =>
      bank.setStatus(a, r.accountId, 'open'),
    ),
    CloseAccount: handle<commandTypes.AccountRequest__Output>('CloseAccount', (a, _id, r) =>
      bank.setStatus(a, r.accountId, 'closed'),
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
  bank: FakeBank,
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
