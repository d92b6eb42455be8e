import { accessSync, constants } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ConfigError, type EnvReader } from './config.js';
import type { Logger } from './logger.js';

/**
 * How internal gRPC connections are secured. `mtls`: every server asks for a client
 * certificate from the CA and refuses a handshake without one; every client presents its own
 * and verifies the server's against the same CA. The files are re-read every
 * `reloadIntervalMs`, so a rotated certificate takes effect without a restart. `insecure`
 * (plaintext) only when GRPC_INSECURE=true says so; with neither, no server starts and no
 * client connects.
 */
export type GrpcTlsConfig =
  | {
      readonly mode: 'mtls';
      readonly caFile: string;
      readonly certFile: string;
      readonly keyFile: string;
      readonly reloadIntervalMs: number;
    }
  | { readonly mode: 'insecure' }
  /** Nothing configured: fine for reading settings (docs, tokens), refused for a connection. */
  | { readonly mode: 'unset' };

const UNSET_MESSAGE =
  'internal gRPC runs over mTLS: set GRPC_TLS_CA_FILE, GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE ' +
  '(npm start makes development ones), or GRPC_INSECURE=true for plaintext';

export const TLS_VARIABLES = [
  'GRPC_TLS_CA_FILE',
  'GRPC_TLS_CERT_FILE',
  'GRPC_TLS_KEY_FILE',
] as const;

/** GRPC_TLS_CA_FILE, GRPC_TLS_CERT_FILE, GRPC_TLS_KEY_FILE, GRPC_TLS_RELOAD_INTERVAL_MS, GRPC_INSECURE. */
export function readGrpcTlsConfig(reader: EnvReader): GrpcTlsConfig {
  const insecure = reader.bool('GRPC_INSECURE', false);
  const [caFile, certFile, keyFile] = TLS_VARIABLES.map((name) => reader.string(name));
  const reloadIntervalMs = reader.int('GRPC_TLS_RELOAD_INTERVAL_MS', 60_000, {
    min: 1000,
    max: 24 * 3600 * 1000,
  });
  if (insecure) {
    if (caFile || certFile || keyFile)
      reader.report('GRPC_INSECURE=true and GRPC_TLS_* files are both set: choose one');
    return { mode: 'insecure' };
  }
  if (!caFile && !certFile && !keyFile) return { mode: 'unset' };
  if (!caFile || !certFile || !keyFile) {
    reader.report('GRPC_TLS_CA_FILE, GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE go together');
    return { mode: 'unset' };
  }
  for (const [name, file] of [
    ['GRPC_TLS_CA_FILE', caFile],
    ['GRPC_TLS_CERT_FILE', certFile],
    ['GRPC_TLS_KEY_FILE', keyFile],
  ] as const) {
    try {
      accessSync(file, constants.R_OK);
    } catch (error) {
      reader.report(`${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  return { mode: 'mtls', caFile, certFile, keyFile, reloadIntervalMs };
}

function provider(config: Extract<GrpcTlsConfig, { mode: 'mtls' }>) {
  return new grpc.experimental.FileWatcherCertificateProvider({
    caCertificateFile: config.caFile,
    certificateFile: config.certFile,
    privateKeyFile: config.keyFile,
    refreshIntervalMs: config.reloadIntervalMs,
  });
}

const warned = new WeakSet<Logger>();
function warnInsecure(logger: Logger | undefined): void {
  if (!logger || warned.has(logger)) return;
  warned.add(logger);
  logger.warn('GRPC_INSECURE=true: internal gRPC is plaintext, without certificates');
}

/**
 * A server's credentials: mTLS with a client certificate required, or plaintext. Resolves once
 * the certificate files have been read: grpc-js drops every connection that arrives before its
 * certificate provider has delivered them, and a service must not say it listens until it can
 * take a handshake.
 */
export async function grpcServerCredentials(
  config: GrpcTlsConfig,
  logger?: Logger,
): Promise<grpc.ServerCredentials> {
  if (config.mode === 'unset') throw new ConfigError([UNSET_MESSAGE]);
  if (config.mode === 'insecure') {
    warnInsecure(logger);
    return grpc.ServerCredentials.createInsecure();
  }
  const files = provider(config);
  await firstRead(files, config);
  return grpc.experimental.createCertificateProviderServerCredentials(files, files, true);
}

/**
 * Waits for the provider's first read of the CA and the identity. The provider keeps what it
 * read, so the server's own listeners get it on their first tick, before any connection.
 */
function firstRead(
  files: grpc.experimental.FileWatcherCertificateProvider,
  config: Extract<GrpcTlsConfig, { mode: 'mtls' }>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let ca: boolean | undefined;
    let identity: boolean | undefined;
    const onCa = (update: grpc.experimental.CaCertificateUpdate | null) => {
      ca = update !== null;
      settle();
    };
    const onIdentity = (update: grpc.experimental.IdentityCertificateUpdate | null) => {
      identity = update !== null;
      settle();
    };
    const settle = () => {
      if (ca === undefined || identity === undefined) return;
      files.removeCaCertificateListener(onCa);
      files.removeIdentityCertificateListener(onIdentity);
      if (ca && identity) resolve();
      else
        reject(
          new ConfigError([
            `cannot read the gRPC certificates (${config.caFile}, ${config.certFile}, ${config.keyFile})`,
          ]),
        );
    };
    files.addCaCertificateListener(onCa);
    files.addIdentityCertificateListener(onIdentity);
  });
}

/** A client's credentials: its certificate presented, the server's checked against the CA. */
export function grpcChannelCredentials(
  config: GrpcTlsConfig,
  logger?: Logger,
): grpc.ChannelCredentials {
  if (config.mode === 'unset') throw new ConfigError([UNSET_MESSAGE]);
  if (config.mode === 'insecure') {
    warnInsecure(logger);
    return grpc.credentials.createInsecure();
  }
  const files = provider(config);
  return grpc.experimental.createCertificateProviderChannelCredentials(files, files);
}
