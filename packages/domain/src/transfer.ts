import type { Decider } from './decider.js';
import { accept, assertNever, reject, type Decision } from './decision.js';
import type { BatchMode, TransferEvent } from './events.js';
import { MAX_AMOUNT_MINOR, type Currency } from './money.js';

/**
 * The transfer process manager. A transfer moves through
 *   requested → source debited → destination credited → completed
 * or, when the credit is refused, source debited → source refunded → failed; when the debit
 * itself is refused it fails straight away. Each step is a command on the transfer stream,
 * decided after the matching account leg landed; a driver may record several steps in one append
 * (`decideTransferSteps`), so the stream can lag behind the legs, and a crash between steps is
 * finished by running `nextTransferStep` again from what the stream shows. In `source_debited` pass what the source account shows
 * (`hasTransferLeg(source, 'refund', id)`): a refund that landed but was not recorded must be
 * recorded, never followed by a credit. Every account leg is idempotent, so repeating a step whose
 * leg already landed appends nothing.
 */

export type TransferStatus =
  | 'requested'
  | 'source_debited'
  | 'destination_credited'
  | 'source_refunded'
  | 'completed'
  | 'failed';

export type TransferState =
  | { readonly status: 'none' }
  | {
      readonly status: TransferStatus;
      readonly transferId: string;
      readonly fromAccountId: string;
      readonly toAccountId: string;
      readonly amount: bigint;
      readonly currency: Currency;
      readonly reference: string;
      readonly failureReason: string | null;
      /** Set on a leg of a transfer batch. */
      readonly batchId?: string;
      readonly batchIndex?: number;
      readonly batchMode?: BatchMode;
      /** Set on a reversal: the transfer it moves money back for. */
      readonly reversalOf?: string;
      /** How much of this transfer reversals have moved back so far. */
      readonly reversedAmount: bigint;
    };

export type ActiveTransferState = Exclude<TransferState, { status: 'none' }>;

export const initialTransferState: TransferState = { status: 'none' };

export type RequestTransferCommandData = {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  amount: bigint;
  reference: string;
  /** The batch the transfer is a leg of, with its place in it. */
  batch?: { readonly batchId: string; readonly index: number; readonly mode: BatchMode };
  /** Set on a reversal: the transfer it moves money back for. */
  reversalOf?: string;
  /** Currencies of both accounts, looked up by the caller before deciding. */
  fromCurrency: Currency;
  toCurrency: Currency;
};

export type TransferCommand =
  | { type: 'RequestTransfer'; data: RequestTransferCommandData }
  | { type: 'RecordSourceDebited'; data: Record<string, never> }
  | { type: 'RecordDestinationCredited'; data: Record<string, never> }
  | { type: 'RecordSourceRefunded'; data: { reason: string } }
  | { type: 'CompleteTransfer'; data: Record<string, never> }
  | { type: 'FailTransfer'; data: { reason: string } }
  /** On a completed transfer: a reversal moves `amount` of it back (at most what is left). */
  | { type: 'RecordReversal'; data: { reversalId: string; amount: bigint } };

const ALLOWED_FROM: Record<
  Exclude<TransferCommand['type'], 'RequestTransfer' | 'RecordReversal'>,
  readonly TransferStatus[]
> = {
  RecordSourceDebited: ['requested'],
  RecordDestinationCredited: ['source_debited'],
  RecordSourceRefunded: ['source_debited'],
  CompleteTransfer: ['destination_credited'],
  FailTransfer: ['requested', 'source_refunded'],
};

export function decideTransfer(
  command: TransferCommand,
  state: TransferState,
): Decision<TransferEvent> {
  if (command.type === 'RequestTransfer') {
    const d = command.data;
    if (state.status !== 'none')
      return reject('TRANSFER_ALREADY_EXISTS', 'transfer already exists');
    if (d.fromAccountId === d.toAccountId) {
      return reject('SAME_ACCOUNT', 'source and destination must be different accounts');
    }
    if (d.fromCurrency !== d.toCurrency) {
      return reject('CURRENCY_MISMATCH', 'source and destination hold different currencies');
    }
    if (d.amount <= 0n || d.amount > MAX_AMOUNT_MINOR) {
      return reject('INVALID_AMOUNT', 'amount must be positive and at most the maximum amount');
    }
    return accept({
      type: 'TransferRequested',
      data: {
        transferId: d.transferId,
        fromAccountId: d.fromAccountId,
        toAccountId: d.toAccountId,
        amount: d.amount,
        currency: d.fromCurrency,
        reference: d.reference,
        ...(d.batch === undefined
          ? {}
          : { batchId: d.batch.batchId, batchIndex: d.batch.index, batchMode: d.batch.mode }),
        ...(d.reversalOf === undefined ? {} : { reversalOf: d.reversalOf }),
      },
    });
  }
  if (state.status === 'none') return reject('TRANSFER_NOT_FOUND', 'transfer not found');
  if (command.type === 'RecordReversal') return decideReversalRecord(command.data, state);
  if (!ALLOWED_FROM[command.type].includes(state.status)) {
    return reject(
      'TRANSFER_STATE_INVALID',
      `cannot ${command.type} a transfer that is ${state.status}`,
    );
  }
  const transferId = state.transferId;
  switch (command.type) {
    case 'RecordSourceDebited':
      return accept({ type: 'TransferSourceDebited', data: { transferId } });
    case 'RecordDestinationCredited':
      return accept({ type: 'TransferDestinationCredited', data: { transferId } });
    case 'RecordSourceRefunded':
      return accept({
        type: 'TransferSourceRefunded',
        data: { transferId, reason: command.data.reason },
      });
    case 'CompleteTransfer':
      return accept({ type: 'TransferCompleted', data: { transferId } });
    case 'FailTransfer':
      return accept({ type: 'TransferFailed', data: { transferId, reason: command.data.reason } });
    default:
      return assertNever(command);
  }
}

/**
 * Decides several transfer commands in a row, each on the state the previous ones left: the
 * events of all of them, or the first rejection. Lets the process manager record a drive's
 * progress (source debited, destination credited, completed) in one append.
 */
/** What reversals may still move back of a transfer: its amount less what they moved already. */
export const reversibleAmount = (state: ActiveTransferState): bigint =>
  state.amount - state.reversedAmount;

/**
 * Only a completed transfer can be reversed (a failed one moved no money), and reversals together
 * never move back more than it moved.
 */
function decideReversalRecord(
  data: { readonly reversalId: string; readonly amount: bigint },
  state: ActiveTransferState,
): Decision<TransferEvent> {
  if (state.status !== 'completed') {
    return reject(
      'TRANSFER_NOT_REVERSIBLE',
      `only a completed transfer can be reversed; this one is ${state.status}`,
    );
  }
  const left = reversibleAmount(state);
  if (data.amount <= 0n || data.amount > left) {
    return reject(
      'REVERSAL_EXCEEDS_ORIGINAL',
      left === 0n
        ? 'this transfer is reversed in full already'
        : 'the reversal would move back more than what is left of the transfer',
    );
  }
  return accept({
    type: 'TransferReversed',
    data: { transferId: state.transferId, reversalId: data.reversalId, amount: data.amount },
  });
}

export function decideTransferSteps(
  commands: readonly TransferCommand[],
  state: TransferState,
): Decision<TransferEvent> {
  const events: TransferEvent[] = [];
  let current = state;
  for (const command of commands) {
    const decision = decideTransfer(command, current);
    if (!decision.ok) return decision;
    for (const event of decision.events) {
      events.push(event);
      current = evolveTransfer(current, event);
    }
  }
  return accept(...events);
}

export function evolveTransfer(state: TransferState, event: TransferEvent): TransferState {
  if (event.type === 'TransferRequested') {
    return { status: 'requested', ...event.data, failureReason: null, reversedAmount: 0n };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'TransferSourceDebited':
      return { ...state, status: 'source_debited' };
    case 'TransferDestinationCredited':
      return { ...state, status: 'destination_credited' };
    case 'TransferSourceRefunded':
      return { ...state, status: 'source_refunded', failureReason: event.data.reason };
    case 'TransferCompleted':
      return { ...state, status: 'completed' };
    case 'TransferFailed':
      return { ...state, status: 'failed', failureReason: event.data.reason };
    case 'TransferReversed':
      return { ...state, reversedAmount: state.reversedAmount + event.data.amount };
    default:
      return assertNever(event);
  }
}

export function foldTransfer(
  events: Iterable<TransferEvent>,
  from = initialTransferState,
): TransferState {
  let state = from;
  for (const event of events) state = evolveTransfer(state, event);
  return state;
}

/** What the process manager must do next for a transfer in this state. */
export type TransferStep =
  | { kind: 'debit-source' }
  | { kind: 'credit-destination' }
  | { kind: 'refund-source'; reason: string }
  | { kind: 'complete' }
  | { kind: 'fail'; reason: string }
  | { kind: 'done' };

/**
 * What the source account shows about this transfer. Needed in `source_debited`: a crash after the
 * refund landed on the source but before `RecordSourceRefunded` leaves the transfer looking
 * "debited", and crediting the destination then (say it was unfrozen meanwhile) would pay twice.
 */
export type TransferSourceLegs = { readonly refunded: boolean };

/** The refund reason recorded when recovery finds a refund whose original reason was lost. */
export const REFUND_FOUND_ON_RECOVERY = 'destination refused the credit (refund found on recovery)';

export function nextTransferStep(
  state: ActiveTransferState,
  source?: TransferSourceLegs,
): TransferStep {
  switch (state.status) {
    case 'requested':
      return { kind: 'debit-source' };
    case 'source_debited':
      if (source?.refunded) return { kind: 'refund-source', reason: REFUND_FOUND_ON_RECOVERY };
      return { kind: 'credit-destination' };
    case 'destination_credited':
      return { kind: 'complete' };
    case 'source_refunded':
      return { kind: 'fail', reason: state.failureReason ?? 'refunded' };
    case 'completed':
    case 'failed':
      return { kind: 'done' };
    default:
      return assertNever(state.status);
  }
}

/** The transfer stream's decider. */
export const transferDecider: Decider<TransferCommand, TransferEvent, TransferState> = {
  decide: decideTransfer,
  evolve: evolveTransfer,
  initialState: initialTransferState,
};
