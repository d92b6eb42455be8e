import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root (bench/dist/paths.js → ../..). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}
