import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A Prometheus server process of our own, on a loopback port, with its own data folder. */

export interface PrometheusServerOptions {
  /** The prometheus binary (findTool('prometheus', env)). */
  readonly binary: string;
  /** The prometheus.yml text (prometheusConfig()); written into `dataDir`. */
  readonly config: string;
  /** TSDB and config folder; created when missing. */
  readonly dataDir: string;
  /** Listens on 127.0.0.1 only. */
  readonly port: number;
  /** How long to wait for /-/ready (default 30 s). */
  readonly readyTimeoutMs?: number;
  /** How long samples are kept (default Prometheus's 15d). */
  readonly retention?: string;
}

export interface PrometheusServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly pid: number;
  /** What the process printed so far (its log, logfmt). */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** SIGTERM (Prometheus flushes its head block), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

const OUTPUT_KEPT = 64 * 1024;

export async function startPrometheus(options: PrometheusServerOptions): Promise<PrometheusServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const configFile = join(options.dataDir, 'prometheus.yml');
  writeFileSync(configFile, options.config);
  const url = `http://127.0.0.1:${options.port}`;
  const child = spawn(
    options.binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(options.dataDir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      ...(options.retention ? [`--storage.tsdb.retention.time=${options.retention}`] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let hasExited = false;
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true;
      resolve(code ?? signal);
    });
    child.once('error', (error) => {
      hasExited = true;
      output += `\n${error.message}`;
      resolve(null);
    });
  });

  const stop = async (): Promise<void> => {
    if (hasExited) return;
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(force);
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (hasExited) {
      throw new Error(`Prometheus exited before it was ready:\n${output.slice(-4000)}`);
    }
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Prometheus was not ready at ${url} in time:\n${output.slice(-4000)}`);
    }
    await sleep(100);
  }

  return {
    url,
    pid: child.pid ?? -1,
    output: () => output,
    exited,
    stop,
  };
}
