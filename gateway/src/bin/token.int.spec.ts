import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTokenVerifier } from '@bank/platform';
import { readGatewayConfig } from '../environment.js';

const TOKEN_CLI = fileURLToPath(new URL('./token.js', import.meta.url));

/** `npm run token` as a person runs it: a child process with the gateway's environment. */
async function runTokenCli(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [TOKEN_CLI, ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run token', () => {
  it('mints a token the gateway accepts, with its default lifetime and with --ttl', async () => {
    const config = readGatewayConfig({});
    const verifier = createTokenVerifier({
      key: config.jwt,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      clockToleranceSeconds: config.jwtClockToleranceSeconds,
      maxLifetimeSeconds: config.jwtMaxLifetimeSeconds,
    });
    for (const args of [[], ['--ttl', String(config.jwtMaxLifetimeSeconds)]]) {
      const minted = await runTokenCli(['--sub', 'alice', '--role', 'teller', ...args]);
      assert.equal(minted.code, 0, minted.stderr);
      assert.deepEqual(await verifier.verify(minted.stdout.trim()), {
        id: 'alice',
        roles: ['teller'],
      });
    }
  });

  it('refuses a --ttl longer than the gateway accepts, naming the setting', async () => {
    const refused = await runTokenCli(['--sub', 'alice', '--ttl', '7200'], {
      JWT_MAX_LIFETIME_SECONDS: '3600',
    });
    assert.equal(refused.code, 2);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /--ttl 7200 is longer than the gateway accepts/);
    assert.match(refused.stderr, /JWT_MAX_LIFETIME_SECONDS=3600/);
  });
});
