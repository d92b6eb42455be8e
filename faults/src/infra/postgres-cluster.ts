import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '@bank/testkit';

/**
 * A PostgreSQL cluster of the run's own: initdb from the machine's binaries into a folder under
 * /tmp, on a free loopback port, so that stopping it is a fault the run may inject without ever
 * touching the machine's shared server (5432). As root the server runs as the `postgres` user
 * (initdb refuses root), so the folder belongs to that user.
 */
export interface PostgresCluster {
  readonly port: number;
  /** The run's database on this cluster. */
  readonly url: string;
  readonly dataDir: string;
  /** `pg_ctl stop -m <mode>`: `immediate` is a crash (WAL recovery at the next start). */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  destroy(): void;
}

export function findPostgresBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) throw new Error(`no PostgreSQL binaries under ${base}/*/bin`);
  return join(base, newest, 'bin');
}

export async function createPostgresCluster(database = 'bank'): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  const port = await freePort();
  const root = mkdtempSync('/tmp/bank-faults-pg-');
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(run('id', ['-u', 'postgres']).trim());
    const gid = Number(run('id', ['-g', 'postgres']).trim());
    chownSync(root, uid, gid);
  }
  const pgRun = (tool: string, args: string[]): string =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args])
      : run(join(bin, tool), args);
  // Asynchronous for the faults: the workload in this process keeps running meanwhile.
  const pgRunAsync = async (tool: string, args: string[]): Promise<void> => {
    const [command, all] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]]
      : [join(bin, tool), args];
    await execFileAsync(command, all, { timeout: 120_000 });
  };

  pgRun('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const options = [
    `-p ${port}`,
    `-k ${root}`,
    `-c listen_addresses=127.0.0.1`,
    '-c max_connections=300',
    // The OS never crashes in this run, only the server: fsync buys nothing here.
    '-c fsync=off',
    '-c shared_buffers=64MB',
  ].join(' ');
  const startArgs = ['-D', dataDir, '-l', logFile, '-o', options, '-w', '-t', '60', 'start'];
  pgRun('pg_ctl', startArgs);
  const url = `postgres://postgres@127.0.0.1:${port}/${database}`;
  const admin = new pg.Client({
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
  });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  let destroyed = false;
  return {
    port,
    url,
    dataDir,
    stop: (mode) => pgRunAsync('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']),
    start: () => pgRunAsync('pg_ctl', startArgs),
    destroy() {
      if (destroyed) return;
      destroyed = true;
      try {
        pgRun('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

const execFileAsync = promisify(execFile);

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000 });
  if (result.error || result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n` +
        `${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}
