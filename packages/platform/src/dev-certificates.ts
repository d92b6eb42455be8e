import 'reflect-metadata';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

// Node's WebCrypto is the standard one; the library types it with the DOM's.
x509.cryptoProvider.set(webcrypto as never);

type KeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600 * 1000;

/** The files a service's GRPC_TLS_* settings name. */
export interface CertificateFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** Where createDevelopmentCertificates writes its files in `dir`. */
export const certificateFilesIn = (dir: string): CertificateFiles => ({
  caFile: join(dir, 'ca.pem'),
  certFile: join(dir, 'service.pem'),
  keyFile: join(dir, 'service-key.pem'),
});

/** GRPC_TLS_* variables for a set of files. */
export const tlsEnv = (files: CertificateFiles): Record<string, string> => ({
  GRPC_TLS_CA_FILE: files.caFile,
  GRPC_TLS_CERT_FILE: files.certFile,
  GRPC_TLS_KEY_FILE: files.keyFile,
});

/** Host names and addresses the development certificate is valid for. */
const SUBJECT_NAMES: readonly { type: 'dns' | 'ip'; value: string }[] = [
  { type: 'dns', value: 'localhost' },
  { type: 'ip', value: '127.0.0.1' },
  { type: 'ip', value: '::1' },
  // docker-compose service names
  { type: 'dns', value: 'command-service' },
  { type: 'dns', value: 'query-service' },
  { type: 'dns', value: 'gateway' },
];

async function keyPair(): Promise<KeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

const serial = () =>
  Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');

/**
 * A development CA and one certificate it signs for every service (server and client auth,
 * valid for localhost, 127.0.0.1 and the compose service names), written as PEM files into
 * `dir`. For `npm start` and tests: a deployment brings its own PKI.
 */
export async function createDevelopmentCertificates(
  dir: string,
  options: { validDays?: number; caName?: string } = {},
): Promise<CertificateFiles> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + (options.validDays ?? 365) * DAY_MS);
  const caKeys = await keyPair();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${options.caName ?? 'bank development CA'}`,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const keys = await keyPair();
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=bank-service',
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingKey: caKeys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(
        [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
        false,
      ),
      new x509.SubjectAlternativeNameExtension([...SUBJECT_NAMES]),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false),
    ],
  });
  const files = certificateFilesIn(dir);
  writeFileSync(files.caFile, ca.toString('pem'));
  writeFileSync(files.certFile, leaf.toString('pem'));
  writeFileSync(files.keyFile, await privateKeyPem(keys.privateKey), { mode: 0o600 });
  return files;
}

/** The files in `dir`, made on first use: what `npm start` keeps in its state folder. */
export async function ensureDevelopmentCertificates(dir: string): Promise<CertificateFiles> {
  const files = certificateFilesIn(dir);
  if ([files.caFile, files.certFile, files.keyFile].every((file) => existsSync(file))) return files;
  return createDevelopmentCertificates(dir);
}
