import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { ConfigError } from './config.js';
import { createDevelopmentCertificates, type CertificateFiles } from './dev-certificates.js';
import { grpcServerCredentials } from './tls.js';

describe('a gRPC server on mTLS credentials', () => {
  let dir: string;
  let files: CertificateFiles;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bank-tls-test-'));
    files = await createDevelopmentCertificates(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a handshake as soon as it is bound', async () => {
    const credentials = await grpcServerCredentials({
      mode: 'mtls',
      ...files,
      reloadIntervalMs: 60_000,
    });
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', credentials, (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    try {
      // grpc-js drops a connection that arrives before the certificates are loaded (the client
      // sees ECONNRESET): the very first one must get through.
      const authorized = await new Promise<boolean>((resolve, reject) => {
        const socket = connect({
          host: '127.0.0.1',
          port,
          ca: readFileSync(files.caFile),
          cert: readFileSync(files.certFile),
          key: readFileSync(files.keyFile),
          servername: 'localhost',
          ALPNProtocols: ['h2'],
        });
        socket.once('secureConnect', () => {
          resolve(socket.authorized);
          socket.destroy();
        });
        socket.once('error', reject);
      });
      assert.equal(authorized, true);
    } finally {
      server.forceShutdown();
    }
  });

  it('does not start on certificate files it cannot read', async () => {
    await assert.rejects(
      grpcServerCredentials({
        mode: 'mtls',
        caFile: join(dir, 'missing-ca.pem'),
        certFile: files.certFile,
        keyFile: files.keyFile,
        reloadIntervalMs: 60_000,
      }),
      (error: unknown) => error instanceof ConfigError && /missing-ca\.pem/.test(error.message),
    );
  });
});
