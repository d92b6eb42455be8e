import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ConfigError } from '@bank/platform';
import { DEVELOPMENT_JWT_SECRET, readGatewayConfig } from './environment.js';

describe('gateway environment', () => {
  it('has the documented defaults', () => {
    const config = readGatewayConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.commandServiceAddress, '127.0.0.1:50051');
    assert.equal(config.queryServiceAddress, '127.0.0.1:50052');
    assert.equal(config.jwtIssuer, 'bank-gateway');
    assert.equal(config.jwtAudience, 'bank-api');
    assert.equal(config.jwtMaxLifetimeSeconds, 24 * 3600);
    assert.equal(config.cacheTtlMs, 1000);
    assert.equal(config.upstreamTimeoutMs, 5000);
    assert.equal(config.bodyLimitBytes, 16 * 1024);
    assert.deepEqual(config.jwt, { kind: 'secret', secret: DEVELOPMENT_JWT_SECRET });
  });

  it('lists every problem at once, and refuses the development secret in production', () => {
    assert.throws(
      () =>
        readGatewayConfig({
          NODE_ENV: 'production',
          PORT: 'eighty',
          COMMAND_SERVICE_ADDRESS: 'a.internal:1,b.internal:2',
          BODY_LIMIT_BYTES: '1',
        }),
      (error: unknown) => {
        if (!(error instanceof ConfigError)) return false;
        assert.equal(error.problems.length, 4, error.message);
        return true;
      },
    );
  });

  it('reads the maximum token lifetime, and refuses one under a minute', () => {
    assert.equal(readGatewayConfig({ JWT_MAX_LIFETIME_SECONDS: '900' }).jwtMaxLifetimeSeconds, 900);
    assert.throws(
      () => readGatewayConfig({ JWT_MAX_LIFETIME_SECONDS: '59' }),
      /JWT_MAX_LIFETIME_SECONDS/,
    );
  });

  it('refuses a short HS256 secret and an unreadable key file', () => {
    assert.throws(() => readGatewayConfig({ JWT_SECRET: 'short' }), /at least 32 bytes/);
    assert.throws(
      () => readGatewayConfig({ JWT_PUBLIC_KEY_FILE: '/nonexistent/key.pem' }),
      /cannot read/,
    );
  });

  it('takes a redis:// or rediss:// REDIS_URL and names the schemes when refusing another', () => {
    assert.equal(
      readGatewayConfig({ REDIS_URL: 'rediss://cache.internal:6380' }).redisUrl,
      'rediss://cache.internal:6380',
    );
    assert.throws(
      () => readGatewayConfig({ REDIS_URL: 'http://cache.internal:6379' }),
      /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL, got "http:\/\/cache\.internal:6379"/,
    );
    assert.throws(() => readGatewayConfig({ REDIS_URL: 'not a url' }), /REDIS_URL must be/);
  });
});
