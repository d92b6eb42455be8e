import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './ports.js';
import { startProcess, type StartedProcess } from './process.js';

/** Debian's etcd-server puts the binary here (.ci/run installs it). */
export const ETCD_BINARY = process.env['ETCD_BINARY'] ?? '/usr/bin/etcd';

export interface RunningEtcd {
  /** The client endpoint, host:port. */
  readonly endpoint: string;
  readonly process: StartedProcess;
  /** Freezes the server (SIGSTOP): it stops answering without closing its connections. */
  pause(): void;
  resume(): void;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

/**
 * A single-member etcd on free loopback ports with its own data folder, for tests of the
 * service registry. Fails, with the way to get it, when etcd is not installed.
 */
export async function startEtcd(): Promise<RunningEtcd> {
  if (!existsSync(ETCD_BINARY)) {
    throw new Error(
      `etcd is not installed at ${ETCD_BINARY}: this test needs it (apt-get install etcd-server; ` +
        '.ci/run installs it), or set ETCD_BINARY.',
    );
  }
  const [clientPort, peerPort] = await freePorts(2);
  const dataDir = mkdtempSync(join(tmpdir(), 'bank-etcd-'));
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child = await startProcess(
    ETCD_BINARY,
    [
      '--name=test',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=test=${peer}`,
      '--logger=zap',
      '--log-level=error',
    ],
    {},
    async () => {
      try {
        const response = await fetch(`${client}/health`);
        return response.ok;
      } catch {
        return false;
      }
    },
  );
  return {
    endpoint: `127.0.0.1:${clientPort}`,
    process: child,
    pause: () => process.kill(child.pid, 'SIGSTOP'),
    resume: () => process.kill(child.pid, 'SIGCONT'),
    async stop() {
      try {
        process.kill(child.pid, 'SIGCONT');
      } catch {
        // already gone
      }
      await child.stop(2000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
