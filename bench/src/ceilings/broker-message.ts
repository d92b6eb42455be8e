import { randomBytes } from 'node:crypto';

/** Messages per publish batch, the same for every broker measured. */
export const BROKER_BATCH = 500;

const KEYS = Array.from({ length: 1000 }, (_, i) => `account-bench-${i}`);

/** One message as the relay sends it: keyed by stream, ~350 bytes of event JSON, four headers. */
export interface BrokerMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** A source of numbered, identically sized messages for the broker ceilings. */
export function brokerMessages(): (n: number) => BrokerMessage {
  const payload = randomBytes(120).toString('base64');
  return (n) => ({
    key: KEYS[n % KEYS.length] ?? 'k',
    value: `{"type":"FundsDeposited","position":"${n}","data":{"amount":"100","payload":"${payload}"}}`,
    headers: { 'event-id': String(n), 'event-type': 'FundsDeposited', position: String(n) },
  });
}

/** What a broker ceiling reports: produced, consumed and the two rates. */
export interface BrokerCeilingResult {
  readonly produced: number;
  readonly consumed: number;
  /** Messages produced per second while producing. */
  readonly produceRate: number;
  /** Messages per second from the first send to the last message consumed. */
  readonly roundTripRate: number;
}

/**
 * Produces batches until the count or the time runs out, then waits (at most a minute) for the
 * consumer to catch up; the rates are measured from the first send.
 */
export async function measureRoundTrip(
  limits: { readonly durationSeconds: number; readonly maxMessages: number },
  sendBatch: (messages: readonly BrokerMessage[]) => Promise<void>,
  progress: () => { readonly consumed: number; readonly lastConsumedAt: number },
): Promise<BrokerCeilingResult> {
  const message = brokerMessages();
  const started = performance.now();
  const deadline = started + limits.durationSeconds * 1000;
  let produced = 0;
  while (produced < limits.maxMessages && performance.now() < deadline) {
    const batch = Array.from({ length: BROKER_BATCH }, (_, i) => message(produced + i));
    await sendBatch(batch);
    produced += batch.length;
  }
  const produceSeconds = (performance.now() - started) / 1000;
  const drainDeadline = performance.now() + 60_000;
  while (progress().consumed < produced && performance.now() < drainDeadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { consumed, lastConsumedAt } = progress();
  const roundTripSeconds =
    ((consumed >= produced ? lastConsumedAt : performance.now()) - started) / 1000;
  return {
    produced,
    consumed,
    produceRate: produced / produceSeconds,
    roundTripRate: Math.min(consumed, produced) / roundTripSeconds,
  };
}
