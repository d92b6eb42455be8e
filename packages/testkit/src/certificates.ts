import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GrpcTlsConfig } from '@bank/platform';
import {
  certificateFilesIn,
  createDevelopmentCertificates,
  type CertificateFiles,
} from '@bank/platform/dev-certificates';

let made: { dir: string; files: Promise<CertificateFiles> } | undefined;

function make(): { dir: string; files: Promise<CertificateFiles> } {
  if (!made) {
    const dir = mkdtempSync(join(tmpdir(), 'bank-tls-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    made = { dir, files: createDevelopmentCertificates(dir) };
  }
  return made;
}

/**
 * A development CA and service certificate for this test process (made once, removed at exit):
 * tests run every internal gRPC connection over mTLS, as deployments do.
 */
export function testCertificates(): Promise<CertificateFiles> {
  return make().files;
}

/**
 * The mTLS settings of a test client or service on this process's certificates. The files are
 * read when a connection is made: await testCertificates() (a test service's start does) first.
 */
export function testTlsConfig(): GrpcTlsConfig {
  return { mode: 'mtls', ...testCertificateFiles(), reloadIntervalMs: 60_000 };
}

/** Where this process's test certificates are (or are being) written. */
export function testCertificateFiles(): CertificateFiles {
  return certificateFilesIn(make().dir);
}
