import type { BenchContext } from './context.js';
import { withStack } from './infra/stack-session.js';
import { runCeilings } from './scenarios/ceilings.js';
import { probeCommandMaximum, runCommandScenarios } from './scenarios/commands.js';
import { runLagScenario } from './scenarios/projection-lag.js';
import { runQueryScenarios } from './scenarios/queries.js';
import { runRebuildScenario } from './scenarios/rebuild.js';
import { runStartupScenario } from './scenarios/startup.js';
import { missingServices, StackUnavailableError, type RunningStack } from './stack.js';

/** Runs one scenario under a time limit; a failure or timeout becomes a "not run" row. */
export async function bounded(
  ctx: BenchContext,
  name: string,
  limitSeconds: number,
  body: () => Promise<void>,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not finish within ${limitSeconds} s`)),
      limitSeconds * 1000,
    );
  });
  try {
    await Promise.race([body(), timeout]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.log(`${name} failed: ${message}`);
    ctx.results.notRun(name, error instanceof StackUnavailableError ? message : summarize(message));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The scenarios in an order that reuses each stack for everything it can serve: ceilings; the
 * Kafka stack for commands, lag (Kafka) and queries; the embedded stack for lag (embedded);
 * rebuild/replay on a schema of their own; `npm start` last.
 */
export async function runScenarios(ctx: BenchContext): Promise<void> {
  const { scenarios, durationSeconds: d } = ctx.options;
  const wants = (name: string) => scenarios.has(name as never);
  // Ratios need the ceilings: measure them whenever a scenario compares with one.
  if (wants('ceilings') || wants('commands') || wants('queries')) {
    await bounded(ctx, '1 ceilings', 4 * d + 200, () => runCeilings(ctx));
  }

  if (wants('commands') || wants('lag') || wants('queries')) {
    const missing = missingServices();
    if (missing.length > 0) {
      for (const name of ['2 commands', '3 projection lag', '4 queries'])
        ctx.results.notRun(name, `not built yet: ${missing.join(', ')}`);
    } else {
      await bounded(ctx, '2-4 Kafka stack', 12 * d + 420, () =>
        withStack(
          ctx,
          { label: 'kafka', accounts: ctx.options.accounts, hotAccounts: ctx.options.hotAccounts },
          async (session) => {
            if (wants('commands'))
              await bounded(ctx, '2 commands', 5 * d + 120, () =>
                runCommandScenarios(ctx, session),
              );
            checkStack(ctx, session.stack);
            if (wants('lag')) {
              await bounded(ctx, '3 projection lag (Kafka)', 3 * d + 120, async () => {
                if (ctx.commandMaxThroughput === undefined) await probeCommandMaximum(ctx, session);
                await runLagScenario(ctx, session, halfLoad(ctx));
              });
            }
            checkStack(ctx, session.stack);
            if (wants('queries'))
              await bounded(ctx, '4 queries', 3 * d + 120, () => runQueryScenarios(ctx, session));
            checkStack(ctx, session.stack);
          },
        ),
      );
      if (wants('lag')) {
        await bounded(ctx, '3 projection lag (embedded)', 3 * d + 300, () =>
          withStack(ctx, { label: 'embedded', accounts: 1000, hotAccounts: 0 }, async (session) => {
            if (ctx.commandMaxThroughput === undefined) await probeCommandMaximum(ctx, session);
            await runLagScenario(ctx, session, halfLoad(ctx));
            checkStack(ctx, session.stack);
          }),
        );
      }
    }
  }
  if (wants('rebuild'))
    // --full seeds and rebuilds 10,000,000 events too (see runRebuildScenario).
    await bounded(ctx, '5 rebuild/replay', ctx.options.mode === 'full' ? 5400 : 400, () =>
      runRebuildScenario(ctx),
    );
  if (wants('startup')) await bounded(ctx, '6 start-up', 180, () => runStartupScenario(ctx));
}

function halfLoad(ctx: BenchContext): number {
  return Math.max(1, (ctx.commandMaxThroughput ?? 0) / 2);
}

/** The first line of an error and, for a service that died, the message it logged last. */
function summarize(message: string): string {
  const lines = message.split('\n').filter((l) => l.trim().length > 0);
  const first = lines[0] ?? message;
  const logged = [...lines]
    .reverse()
    .map((l) => /"msg":"([^"]*)".*|"message":"([^"]*)"/.exec(l))
    .find((m) => m !== null);
  const detail = logged
    ? (logged[2] ?? logged[1])
    : lines.length > 1
      ? lines[lines.length - 1]
      : undefined;
  return (detail && !first.includes(detail) ? `${first} ${detail}` : first).slice(0, 300);
}

/** A service that died during a scenario makes its figures meaningless: say so in the table. */
function checkStack(ctx: BenchContext, stack: RunningStack): void {
  for (const casualty of stack.casualties()) {
    ctx.log(casualty);
    ctx.results.notRun('stack', casualty.slice(0, 300));
  }
}
