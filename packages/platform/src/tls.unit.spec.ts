import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ConfigError, EnvReader } from './config.js';
import { grpcChannelCredentials, grpcServerCredentials, readGrpcTlsConfig } from './tls.js';

const read = (env: Record<string, string>) => {
  const reader = new EnvReader(env);
  const config = readGrpcTlsConfig(reader);
  reader.done();
  return config;
};

describe('internal gRPC TLS settings', () => {
  it('starts nothing without certificates or an explicit GRPC_INSECURE', async () => {
    const config = read({});
    assert.equal(config.mode, 'unset');
    await assert.rejects(grpcServerCredentials(config), ConfigError);
    assert.throws(() => grpcChannelCredentials(config), /GRPC_TLS_CA_FILE/);
  });

  it('is plaintext only when told so, and not together with certificate files', () => {
    assert.equal(read({ GRPC_INSECURE: 'true' }).mode, 'insecure');
    assert.throws(
      () => read({ GRPC_INSECURE: 'true', GRPC_TLS_CA_FILE: '/x/ca.pem' }),
      /choose one/,
    );
  });

  it('wants all three files, readable', () => {
    assert.throws(() => read({ GRPC_TLS_CA_FILE: '/x/ca.pem' }), /go together/);
    assert.throws(
      () =>
        read({
          GRPC_TLS_CA_FILE: '/nonexistent/ca.pem',
          GRPC_TLS_CERT_FILE: '/nonexistent/cert.pem',
          GRPC_TLS_KEY_FILE: '/nonexistent/key.pem',
        }),
      (error: unknown) => error instanceof ConfigError && error.problems.length === 3,
    );
  });
});
