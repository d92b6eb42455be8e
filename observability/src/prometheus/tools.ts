import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The Prometheus binaries: `PROMETHEUS_BIN` / `PROMTOOL_BIN` when set, else the first on PATH
 * (Debian's `prometheus` package installs both in /usr/bin).
 */

export type PrometheusTool = 'prometheus' | 'promtool';

const OVERRIDE: Record<PrometheusTool, string> = {
  prometheus: 'PROMETHEUS_BIN',
  promtool: 'PROMTOOL_BIN',
};

export const INSTALL_HINT =
  'install Prometheus (Debian: `apt-get install prometheus`, which brings promtool too), ' +
  'or point PROMETHEUS_BIN and PROMTOOL_BIN at the binaries';

/** The tool's path, or undefined when it is not installed. */
export function findTool(
  tool: PrometheusTool,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const override = env[OVERRIDE[tool]];
  if (override) return override;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** The tool's path; throws, saying how to install it, when it is missing. */
export function requireTool(
  tool: PrometheusTool,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const found = findTool(tool, env);
  if (!found) throw new Error(`${tool} was not found: ${INSTALL_HINT}`);
  return found;
}

export interface ToolRun {
  /** The exit code; 0 is success. */
  readonly code: number;
  /** stdout and stderr, in that order. */
  readonly output: string;
}

/** Runs promtool with `args` and returns its exit code and output (never rejects on exit code). */
export function runPromtool(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<ToolRun> {
  const promtool = requireTool('promtool', env);
  return new Promise((resolve, reject) => {
    execFile(promtool, [...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (error && typeof error.code !== 'number') {
        reject(new Error(`promtool ${args.join(' ')}: ${error.message}\n${output}`));
        return;
      }
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, output });
    });
  });
}
