import { readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import pg from 'pg';
import { repoPath } from './paths.js';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly postgres: string;
  readonly kafka: string;
  readonly loadAverageAtStart: readonly number[];
}

/** What the figures were measured on; the load average says how busy the machine already was. */
export async function describeMachine(databaseUrl: string): Promise<MachineInfo> {
  const cpuList = cpus();
  return {
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres: await postgresVersion(databaseUrl),
    kafka: kafkaVersion(),
    loadAverageAtStart: roundedLoad(),
  };
}

export function roundedLoad(): number[] {
  return loadavg().map((n) => Math.round(n * 100) / 100);
}

async function postgresVersion(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>(
      "SELECT current_setting('server_version') AS version",
    );
    return rows[0]?.version ?? 'unknown';
  } catch (error) {
    return `unreachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The broker version from the jar infra/kafka/kafka.mjs runs, when that is the broker used. */
function kafkaVersion(): string {
  try {
    const jar = readdirSync(repoPath('infra/kafka/lib')).find((f) =>
      /^kafka_2\.13-.*\.jar$/.test(f),
    );
    return jar ? jar.replace(/^kafka_2\.13-/, '').replace(/\.jar$/, '') : 'unknown';
  } catch {
    return 'unknown (no infra/kafka/lib)';
  }
}

export function describeMachineLine(m: MachineInfo): string {
  return (
    `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, node ${m.node}, PostgreSQL ${m.postgres}, ` +
    `Kafka ${m.kafka}; load average at start ${m.loadAverageAtStart.join(' / ')} (1/5/15 min)`
  );
}
