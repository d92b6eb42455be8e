import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';

const LOGGER = new URL('./logger.js', import.meta.url).href;

/**
 * A service whose parent dies (npm start SIGKILLed) logs its shutdown into a pipe nobody reads:
 * it must still exit. sonic-boom 4 looped for ever in its exit flush on EPIPE (hence the
 * override of sonic-boom in package.json).
 */
describe('a logger whose stdout reader is gone', () => {
  it('lets the process exit', async () => {
    const script = `
      import { createLogger } from ${JSON.stringify(LOGGER)};
      const logger = createLogger({ level: 'info', service: 'exit-test' });
      logger.info('started');
      process.stdin.once('end', () => {
        for (let i = 0; i < 2000; i++) logger.info({ i, pad: 'x'.repeat(200) }, 'shutting down');
        process.exit(0);
      });
      process.stdin.resume();
      setInterval(() => logger.info('tick'), 5);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    await once(child.stdout, 'data');
    child.stdout.destroy();
    child.stdin.end();
    const exited = once(child, 'exit');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    clearTimeout(timer);
    assert.notEqual(signal, 'SIGKILL', 'the process hung after its stdout reader went away');
    assert.notEqual(code, null);
  });
});
