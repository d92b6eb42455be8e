import { runService } from '@bank/platform';
import {
  readConfig,
  SERVICE_NAME,
  SERVICE_VERSION,
  startCommandService,
  type TransferHooks,
} from './index.js';

/** The process entry point: configuration from the environment, graceful stop on SIGTERM. */
await runService({
  service: SERVICE_NAME,
  version: SERVICE_VERSION,
  readConfig,
  async start(config, logger) {
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
    const service = await startCommandService(config, {
      logger,
      ...(transferHooks ? { transferHooks } : {}),
    });
    // Past the calls' grace: the recovery and expiry workers and the store get their time too.
    return { stop: () => service.stop(), shutdownDeadlineMs: config.shutdownGraceMs + 30_000 };
  },
});
