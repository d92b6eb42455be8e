import { pathToFileURL } from 'node:url';
import { repoPath } from '../paths.js';
import { freePort } from '@bank/testkit';

interface KafkaLease {
  readonly brokers: string;
  release(): Promise<void>;
}

interface KafkaScript {
  acquireKafka(options: { log: (line: string) => void; lease: string }): Promise<KafkaLease>;
  restartBroker(options: {
    log: (line: string) => void;
    signal: 'SIGTERM' | 'SIGKILL';
    downMs: number;
  }): Promise<void>;
}

export interface OwnBroker {
  readonly brokers: string;
  /** Stops the JVM (SIGTERM or SIGKILL) and starts it again on the same log directory. */
  restart(signal: 'SIGTERM' | 'SIGKILL', downMs: number): Promise<void>;
  release(): Promise<void>;
}

/**
 * A Kafka broker of the run's own (infra/kafka/kafka.mjs on free ports with its own state
 * folder): restarting it must not disturb a test run sharing the usual broker at 19092.
 */
export async function startOwnBroker(log: (line: string) => void): Promise<OwnBroker> {
  const [port, controllerPort] = [await freePort(), await freePort()];
  delete process.env['KAFKA_BROKERS'];
  process.env['KAFKA_PORT'] = String(port);
  process.env['KAFKA_CONTROLLER_PORT'] = String(controllerPort);
  process.env['KAFKA_STATE_DIR'] = repoPath('.infra', `kafka-faults-${process.pid}`);
  const script = (await import(
    pathToFileURL(repoPath('infra/kafka/kafka.mjs')).href
  )) as KafkaScript;
  const lease = await script.acquireKafka({ log, lease: String(process.pid) });
  return {
    brokers: lease.brokers,
    restart: (signal, downMs) => script.restartBroker({ log, signal, downMs }),
    async release() {
      await lease.release();
      const { rmSync } = await import('node:fs');
      rmSync(repoPath('.infra', `kafka-faults-${process.pid}`), { recursive: true, force: true });
    },
  };
}
