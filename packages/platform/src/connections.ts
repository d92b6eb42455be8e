import { readFileSync } from 'node:fs';
import type { EnvReader } from './config.js';

/**
 * TLS and SASL for the Kafka clients, passed through to kafkajs as they are (the shape of its
 * `ssl` and `sasl` options): KAFKA_SSL (or any KAFKA_SSL_*_FILE) turns TLS on, verified against
 * KAFKA_SSL_CA_FILE (else the system's CAs), with KAFKA_SSL_CERT_FILE / KAFKA_SSL_KEY_FILE as
 * the client's certificate; KAFKA_SASL_MECHANISM (plain, scram-sha-256, scram-sha-512) with
 * KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD.
 */
export interface KafkaSecurity {
  readonly ssl?: true | { readonly ca?: string[]; readonly cert?: string; readonly key?: string };
  readonly sasl?: {
    [M in SaslMechanism]: {
      readonly mechanism: M;
      readonly username: string;
      readonly password: string;
    };
  }[SaslMechanism];
}

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export function readKafkaSecurity(reader: EnvReader): KafkaSecurity {
  const files = {
    ca: readPem(reader, 'KAFKA_SSL_CA_FILE'),
    cert: readPem(reader, 'KAFKA_SSL_CERT_FILE'),
    key: readPem(reader, 'KAFKA_SSL_KEY_FILE'),
  };
  const anyFile = files.ca !== undefined || files.cert !== undefined || files.key !== undefined;
  const tls = reader.bool('KAFKA_SSL', anyFile);
  if ((files.cert === undefined) !== (files.key === undefined))
    reader.report('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together');
  const ssl = !tls
    ? undefined
    : anyFile
      ? {
          ...(files.ca === undefined ? {} : { ca: [files.ca] }),
          ...(files.cert === undefined ? {} : { cert: files.cert }),
          ...(files.key === undefined ? {} : { key: files.key }),
        }
      : (true as const);
  const mechanism = reader.string('KAFKA_SASL_MECHANISM');
  let sasl: KafkaSecurity['sasl'];
  if (mechanism !== undefined) {
    const chosen = SASL_MECHANISMS.find((name) => name === mechanism.toLowerCase());
    if (!chosen) reader.report(`KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}`);
    sasl = {
      mechanism: chosen ?? 'plain',
      username: reader.required('KAFKA_SASL_USERNAME'),
      password: reader.required('KAFKA_SASL_PASSWORD'),
    };
  }
  return { ...(ssl ? { ssl } : {}), ...(sasl ? { sasl } : {}) };
}

/**
 * TLS and authentication for the etcd registry client, in etcd3's `credentials` / `auth` shape:
 * REGISTRY_TLS_CA_FILE (the endpoints are then https), REGISTRY_TLS_CERT_FILE /
 * REGISTRY_TLS_KEY_FILE for client-certificate auth, REGISTRY_USERNAME / REGISTRY_PASSWORD.
 */
export interface RegistrySecurity {
  readonly credentials?: {
    readonly rootCertificate: Buffer;
    readonly privateKey?: Buffer;
    readonly certChain?: Buffer;
  };
  readonly auth?: { readonly username: string; readonly password: string };
}

export function readRegistrySecurity(reader: EnvReader): RegistrySecurity {
  const ca = readPem(reader, 'REGISTRY_TLS_CA_FILE');
  const cert = readPem(reader, 'REGISTRY_TLS_CERT_FILE');
  const key = readPem(reader, 'REGISTRY_TLS_KEY_FILE');
  if ((cert === undefined) !== (key === undefined))
    reader.report('REGISTRY_TLS_CERT_FILE and REGISTRY_TLS_KEY_FILE go together');
  if (cert !== undefined && ca === undefined)
    reader.report('REGISTRY_TLS_CERT_FILE needs REGISTRY_TLS_CA_FILE');
  const username = reader.string('REGISTRY_USERNAME');
  const password = reader.string('REGISTRY_PASSWORD');
  if ((username === undefined) !== (password === undefined))
    reader.report('REGISTRY_USERNAME and REGISTRY_PASSWORD go together');
  return {
    ...(ca === undefined
      ? {}
      : {
          credentials: {
            rootCertificate: Buffer.from(ca),
            ...(key === undefined ? {} : { privateKey: Buffer.from(key) }),
            ...(cert === undefined ? {} : { certChain: Buffer.from(cert) }),
          },
        }),
    ...(username !== undefined && password !== undefined ? { auth: { username, password } } : {}),
  };
}

function readPem(reader: EnvReader, name: string): string | undefined {
  const file = reader.string(name);
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    reader.report(`${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
    return undefined;
  }
}
