import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (faults/dist/paths.js → ../..). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}
