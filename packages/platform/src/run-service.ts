import { ConfigError, type TelemetryConfig } from './config.js';
import { createLogger, wantsPrettyLogs, type Logger } from './logger.js';
import { onShutdownSignal } from './shutdown.js';
import { startTracing } from './tracing.js';

/** A started service: how to stop it, and how long its stop may take before the process exits. */
export interface RunningService {
  stop(): Promise<void>;
  /** Past this after the first signal the process exits anyway (onShutdownSignal's default). */
  readonly shutdownDeadlineMs?: number;
}

/**
 * The start-up every service's entry point shares: its configuration from the environment (a bad
 * setting prints its message on stderr and exits 1), the logger and tracing, the service
 * started (a failure is logged as fatal, exit 1), and a graceful stop on SIGTERM or SIGINT: the
 * service's own stop, then tracing's.
 */
export async function runService<C extends TelemetryConfig>(options: {
  readonly service: string;
  readonly version: string;
  readonly readConfig: () => C;
  readonly start: (config: C, logger: Logger) => Promise<RunningService>;
}): Promise<void> {
  let config: C;
  try {
    config = options.readConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const { service, version } = options;
  const logger = createLogger({
    service,
    version,
    level: config.logLevel,
    pretty: wantsPrettyLogs(config.nodeEnv),
  });
  // Before the service is built: its tracing hooks are only registered when tracing is on.
  const tracing = startTracing({ service, version, endpoint: config.otlpEndpoint });
  try {
    const running = await options.start(config, logger);
    onShutdownSignal(
      logger,
      async () => {
        await running.stop();
        await tracing.shutdown();
      },
      running.shutdownDeadlineMs === undefined ? {} : { deadlineMs: running.shutdownDeadlineMs },
    );
  } catch (error) {
    logger.fatal({ err: error }, `${service} failed to start`);
    process.exit(1);
  }
}
