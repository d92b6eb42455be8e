/**
 * Full-jitter exponential backoff: a random pause in [0, min(cap, base·2^attempt)]. The jitter
 * spreads out instances that lost the same race so they do not collide again in lockstep.
 */
export function backoffMs(
  attempt: number,
  random: () => number = Math.random,
  baseMs = 5,
  capMs = 100,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
