import { mintToken } from '../auth.js';
import type { BenchContext } from '../context.js';
import type { StackSession } from '../infra/stack-session.js';
import { runHttpLoad } from '../load/http-load.js';

const SCENARIO = '4 queries';
/** A cached GET must reach this share of the Fastify hello-world ceiling. */
const MIN_CACHED_RATIO = 0.25;
/** Distinct principals for the miss phases: the gateway's cache is per principal and URL. */
const MISS_PRINCIPALS = 500;

type Kind = 'account' | 'transactions';

/**
 * GET an account and a page of its ledger through the gateway, cache hit and miss. Hit: one
 * principal reading 10 accounts again and again (the cache lives CACHE_TTL_MS, 1 s by default,
 * so each URL misses about once a second). Miss: a random principal out of 500 reading a random
 * account out of 10,000, so that (principal, URL) practically never repeats. The gateway's own
 * cache counter gives the hit ratio each phase really had.
 */
export async function runQueryScenarios(ctx: BenchContext, session: StackSession): Promise<void> {
  const hitToken = await mintToken(ctx.jwtSecret, 'bench-reader', ['teller']);
  const missTokens = await Promise.all(
    Array.from({ length: MISS_PRINCIPALS }, (_, i) =>
      mintToken(ctx.jwtSecret, `bench-reader-${i}`, ['teller']),
    ),
  );
  const hot = session.accounts.slice(0, 10);
  for (const kind of ['account', 'transactions'] as const) {
    await phase(ctx, session, kind, 'hit', () => [pick(hot), hitToken]);
    await phase(ctx, session, kind, 'miss', () => [pick(session.accounts), pick(missTokens)]);
  }
}

async function phase(
  ctx: BenchContext,
  session: StackSession,
  kind: Kind,
  cache: 'hit' | 'miss',
  choose: () => [string, string],
): Promise<void> {
  const { options, results } = ctx;
  const duration = Math.max(3, Math.round(options.durationSeconds / 2));
  ctx.log(`queries: GET ${kind}, cache ${cache}, ${duration} s`);
  const before = await cacheCounters(session.stack.gatewayUrl);
  const run = await runHttpLoad({
    url: session.stack.gatewayUrl,
    connections: options.concurrency,
    durationSeconds: duration,
    maxRequests: options.maxRequests * 5,
    next: () => {
      const [account, token] = choose();
      return {
        method: 'GET',
        path:
          kind === 'account'
            ? `/v1/accounts/${account}`
            : `/v1/accounts/${account}/transactions?limit=20`,
        headers: { authorization: `Bearer ${token}` },
      };
    },
  });
  const after = await cacheCounters(session.stack.gatewayUrl);
  const hits = after.hit - before.hit;
  const lookups = hits + (after.miss - before.miss);
  const hitRatio =
    lookups > 0
      ? `${((100 * hits) / lookups).toFixed(1)}% cache hits`
      : 'cache counter unavailable';
  const metric = `GET ${kind === 'account' ? 'account' : 'transactions page (20)'}, cache ${cache}`;
  const note = `p50 ${run.latency.p50.toFixed(2)} ms; ${hitRatio}; ${run.outcomes.total - run.outcomes.ok} not 2xx (${run.outcomes.describe()})`;
  results.againstCeiling(
    {
      scenario: SCENARIO,
      metric: `${metric}: throughput`,
      value: run.okThroughput,
      unit: 'req/s',
      note,
    },
    ctx.ceilings.fastify,
    cache === 'hit' && kind === 'account' ? MIN_CACHED_RATIO : undefined,
  );
  results.add({
    scenario: SCENARIO,
    metric: `${metric}: latency p99`,
    value: run.latency.p99,
    unit: 'ms',
  });
}

function pick<T>(list: readonly T[]): T {
  const value = list[Math.floor(Math.random() * list.length)];
  if (value === undefined) throw new Error('empty list');
  return value;
}

/** gateway_cache_requests_total{result="hit"|"miss"} from the gateway's /metrics. */
async function cacheCounters(gatewayUrl: string): Promise<{ hit: number; miss: number }> {
  try {
    const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
    const value = (result: string): number => {
      const match = new RegExp(
        `^gateway_cache_requests_total\\{[^}]*result="${result}"[^}]*\\} ([0-9.e+]+)$`,
        'm',
      ).exec(text);
      return match?.[1] ? Number(match[1]) : 0;
    };
    return { hit: value('hit'), miss: value('miss') };
  } catch {
    return { hit: 0, miss: 0 };
  }
}
