import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestSchema, startStack, type Stack, type TestSchema } from '@bank/testkit';

/**
 * The project pins its Node (the root `node` dev dependency): every service the stack starts
 * runs on that binary, whatever Node the machine has, and says so on /healthz and when it starts.
 */

const nodePackage = createRequire(import.meta.url).resolve('node/package.json');
const PINNED = `v${(JSON.parse(readFileSync(nodePackage, 'utf8')) as { version: string }).version}`;
const PINNED_BINARY = realpathSync(join(dirname(nodePackage), 'bin', 'node'));

describe('the runtime of every service', () => {
  let schema: TestSchema;
  let stack: Stack;

  before(async () => {
    schema = await createTestSchema('e2e_runtime');
    stack = await startStack({
      databaseUrl: schema.url,
      jwtSecret: randomBytes(32).toString('hex'),
      logLevel: 'info',
    });
  });
  after(async () => {
    await stack?.stop();
    await schema?.drop();
  });

  it('is the pinned Node, on /healthz', async () => {
    const answers: Record<string, unknown> = {};
    for (const service of stack.services.all) {
      const response = await fetch(service.readyUrl.replace(/\/readyz$/, '/healthz'));
      answers[service.name] = { status: response.status, body: await response.json() };
    }
    const expected = Object.fromEntries(
      stack.services.all.map((service) => [
        service.name,
        { status: 200, body: { status: 'ok', node: PINNED } },
      ]),
    );
    assert.deepEqual(answers, expected);
    assert.equal(
      Object.keys(answers).length,
      4,
      'command service, projector, query service, gateway',
    );
  });

  it('is the pinned Node, in each start log line', () => {
    const startLines: Record<string, unknown> = {};
    for (const service of stack.services.all) {
      const lines = service.output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg?: string; node?: string });
      const start = lines.find((line) => line.node !== undefined);
      startLines[service.name] = start?.node ?? `no start line with node in:\n${service.output}`;
    }
    assert.deepEqual(
      startLines,
      Object.fromEntries(stack.services.all.map((service) => [service.name, PINNED])),
    );
  });

  it(
    'is the pinned binary itself, not only its version',
    { skip: process.platform !== 'linux' },
    () => {
      for (const service of stack.services.all) {
        assert.equal(readlinkSync(`/proc/${service.pid}/exe`), PINNED_BINARY, service.name);
      }
    },
  );
});
