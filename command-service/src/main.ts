import {
  ConfigError,
  createLogger,
  onShutdownSignal,
  startTracing,
  wantsPrettyLogs,
} from '@bank/platform';
import {
  readConfig,
  SERVICE_NAME,
  SERVICE_VERSION,
  startCommandService,
  type TransferHooks,
} from './index.js';

/** The process entry point: configuration from the environment, graceful stop on SIGTERM. */
let config;
try {
  config = readConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
const logger = createLogger({
  service: SERVICE_NAME,
  version: SERVICE_VERSION,
  level: config.logLevel,
  pretty: wantsPrettyLogs(config.nodeEnv),
});
const tracing = startTracing({
  service: SERVICE_NAME,
  version: SERVICE_VERSION,
  endpoint: config.otlpEndpoint,
});
const crashAfter = config.crashAfterTransferLeg;
const transferHooks: TransferHooks | undefined =
  crashAfter === undefined
    ? undefined
    : {
        afterLeg: (leg) => {
          if (leg !== crashAfter) return;
          logger.warn({ leg }, 'test crash hook: killing the process');
          process.kill(process.pid, 'SIGKILL');
        },
      };
if (transferHooks)
  logger.warn(
    { crashAfter },
    'COMMAND_SERVICE_TEST_CRASH_AFTER_LEG is set: test-only crash hook armed',
  );

try {
  const service = await startCommandService(config, {
    logger,
    ...(transferHooks ? { transferHooks } : {}),
  });
  onShutdownSignal(
    logger,
    async () => {
      await service.stop();
      await tracing.shutdown();
    },
    // Past the calls' grace: the recovery and expiry workers and the store get their time too.
    { deadlineMs: config.shutdownGraceMs + 30_000 },
  );
} catch (error) {
  logger.fatal({ err: error }, 'command service failed to start');
  process.exit(1);
}
