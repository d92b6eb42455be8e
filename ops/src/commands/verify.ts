import { parseArgs } from 'node:util';
import {
  COMMON_OPTIONS,
  COMMON_OPTIONS_HELP,
  parseCommandLine,
  parseIntFlag,
} from '../cli/args.js';
import { EXIT, EXIT_CODES_HELP, type ExitCode } from '../cli/exit-codes.js';
import { Progress } from '../cli/progress.js';
import { LineWriter, toJson } from '../cli/stdout.js';
import { readOpsConfig } from '../config.js';
import { OpsContext } from '../context.js';
import { runVerify } from '../verify/run-verify.js';

export const VERIFY_HELP = `Usage: bank verify [options]

Folds every stream of the event store with the domain's evolve functions and compares the
result with the read models: per account balance, available, held, status, revision, ledger
entry count and sum; per transfer status and revision. Prints each difference as
  account <id> <field>: expected <from events>, actual <in the views>
and exits 1 if there is any, 0 when everything agrees.

A difference that may be projection lag (another revision, a missing or extra row) is
rechecked stream by stream for --settle-ms before it counts; run verify on a quiet system
or with the projector caught up for a strict answer.

Options:
  --batch-size <n>     events per read and rows per view page (default 1000)
  --settle-ms <n>      how long lag-like differences are rechecked (default 5000)

${COMMON_OPTIONS_HELP}

${EXIT_CODES_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  'batch-size': { type: 'string' },
  'settle-ms': { type: 'string' },
} as const;

export async function verifyCommand(argv: readonly string[]): Promise<ExitCode> {
  const { values } = parseCommandLine(() =>
    parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }),
  );
  if (values.help) {
    process.stdout.write(`${VERIFY_HELP}\n`);
    return EXIT.ok;
  }
  const options = {
    batchSize: parseIntFlag('batch-size', values['batch-size'], 1000, 1, 100_000),
    settleMs: parseIntFlag('settle-ms', values['settle-ms'], 5000, 0, 3_600_000),
  };
  const config = readOpsConfig(values);
  const context = new OpsContext(config);
  try {
    const db = await context.db();
    const store = await context.events();
    const progress = new Progress('verify', values.json ? 'silent' : 'auto');
    const result = await runVerify(db, store, options, progress);
    const out = new LineWriter();
    if (result.events === 0 && result.differences.length === 0) {
      process.stderr.write(
        'bank: the event store holds no events and the views are empty: nothing to verify\n',
      );
    }
    if (values.json) {
      await out.write(`${toJson({ ok: result.differences.length === 0, ...result })}\n`);
    } else {
      for (const d of result.differences) {
        if (
          !(await out.write(
            `${d.entity} ${d.id} ${d.field}: expected ${d.expected}, actual ${d.actual}\n`,
          ))
        )
          break;
      }
      await out.write(
        `${result.differences.length === 0 ? 'OK' : 'DIFFERENCES'}: ${result.events} events up to position ${result.position}, ` +
          `${result.accounts} accounts, ${result.transfers} transfers, ${result.differences.length} differences\n`,
      );
    }
    return result.differences.length === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await context.close();
  }
}
