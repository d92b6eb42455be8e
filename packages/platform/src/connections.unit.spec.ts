import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EnvReader } from './config.js';
import { readKafkaSecurity, readRegistrySecurity } from './connections.js';

const dir = mkdtempSync(join(tmpdir(), 'bank-connections-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const pem = (name: string) => {
  const file = join(dir, name);
  writeFileSync(file, `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`);
  return file;
};

const read = <T>(parse: (reader: EnvReader) => T, env: Record<string, string>): T => {
  const reader = new EnvReader(env);
  const value = parse(reader);
  reader.done();
  return value;
};

describe('Kafka and registry connection security', () => {
  it('passes nothing when nothing is set', () => {
    assert.deepEqual(read(readKafkaSecurity, {}), {});
    assert.deepEqual(read(readRegistrySecurity, {}), {});
  });

  it('passes Kafka TLS and SASL through in kafkajs shape', () => {
    assert.deepEqual(read(readKafkaSecurity, { KAFKA_SSL: 'true' }), { ssl: true });
    const ca = pem('kafka-ca.pem');
    const security = read(readKafkaSecurity, {
      KAFKA_SSL_CA_FILE: ca,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'bank',
      KAFKA_SASL_PASSWORD: 'secret',
    });
    assert.deepEqual(security.ssl, {
      ca: [`-----BEGIN CERTIFICATE-----\nkafka-ca.pem\n-----END CERTIFICATE-----\n`],
    });
    assert.deepEqual(security.sasl, {
      mechanism: 'scram-sha-512',
      username: 'bank',
      password: 'secret',
    });
    assert.throws(() => read(readKafkaSecurity, { KAFKA_SASL_MECHANISM: 'gssapi' }), /one of/);
    assert.throws(
      () => read(readKafkaSecurity, { KAFKA_SASL_MECHANISM: 'plain' }),
      /KAFKA_SASL_USERNAME is required/,
    );
  });

  it('passes etcd TLS and credentials through in etcd3 shape', () => {
    const security = read(readRegistrySecurity, {
      REGISTRY_TLS_CA_FILE: pem('etcd-ca.pem'),
      REGISTRY_TLS_CERT_FILE: pem('etcd-cert.pem'),
      REGISTRY_TLS_KEY_FILE: pem('etcd-key.pem'),
      REGISTRY_USERNAME: 'bank',
      REGISTRY_PASSWORD: 'secret',
    });
    assert.match(String(security.credentials?.rootCertificate), /etcd-ca/);
    assert.match(String(security.credentials?.certChain), /etcd-cert/);
    assert.match(String(security.credentials?.privateKey), /etcd-key/);
    assert.deepEqual(security.auth, { username: 'bank', password: 'secret' });
    assert.throws(
      () => read(readRegistrySecurity, { REGISTRY_TLS_CERT_FILE: pem('lonely.pem') }),
      /go together/,
    );
  });
});
