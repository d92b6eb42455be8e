import { COMMON_OPTIONS_HELP } from './cli/args.js';
import { EXIT, EXIT_CODES_HELP, exitCodeOf, UsageError, type ExitCode } from './cli/exit-codes.js';
import { dlqCommand } from './commands/dlq.js';
import { rebuildCommand } from './commands/rebuild.js';
import { replayCommand } from './commands/replay.js';
import { statusCommand } from './commands/status.js';
import { verifyCommand } from './commands/verify.js';

export const MAIN_HELP = `Usage: bank <command> [options]

The bank's operator tool. It reads the same configuration as the services
(DATABASE_URL, EVENTSTORE_CONNECTION_STRING, KAFKA_BROKERS, KAFKA_TOPIC, LOG_LEVEL);
flags override it. Without DATABASE_URL it acts on the system a running npm start
recorded in .bank/state.json (BANK_STATE_DIR moves it). It says on stderr which
database it acts on. Details: docs/operations-cli.md, or bank <command> --help.

Commands:
  replay                    events by position/time range, stream, prefix or type
                            to stdout (NDJSON), a Kafka topic or the live projection
  rebuild <accounts|transfers|all>
                            rebuild read models in shadow tables and swap them in
  verify                    fold the event store and diff it against the read models
  status                    checkpoints, lag, dead letters and DLQ size
  dlq list | show | replay  the projector's dead letters (the Kafka DLQ topic, or in
                            embedded mode the projection_dead_letters table)

${COMMON_OPTIONS_HELP}

${EXIT_CODES_HELP}`;

const COMMANDS: Record<string, (argv: readonly string[]) => Promise<ExitCode>> = {
  replay: replayCommand,
  rebuild: rebuildCommand,
  verify: verifyCommand,
  status: statusCommand,
  dlq: dlqCommand,
};

/** Runs one command line and returns its exit code; errors are printed here, once. */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      process.stdout.write(`${MAIN_HELP}\n`);
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}; try bank --help`);
    return await command(rest);
  } catch (error) {
    const code = exitCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    const hint =
      code === EXIT.usage
        ? `\n(bank ${name && COMMANDS[name] ? `${name} ` : ''}--help for usage)`
        : '';
    process.stderr.write(`bank: ${message}${hint}\n`);
    if (code === EXIT.failed && process.env['BANK_DEBUG'] && error instanceof Error)
      process.stderr.write(`${error.stack ?? ''}\n`);
    return code;
  }
}
