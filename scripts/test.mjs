#!/usr/bin/env node
// Runs the compiled test files of one suite (unit, int, e2e) or all of them with node's test
// runner. Suites are told apart by file suffix: *.unit.spec.ts, *.int.spec.ts, *.e2e.spec.ts.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const suite = process.argv[2] ?? 'all';
const suites = suite === 'all' ? ['unit', 'int', 'e2e'] : [suite];
const filter = process.argv[3];

const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;

function* walk(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

const files = [];
for (const ws of workspaces) {
  const dist = join(root, ws, 'dist');
  try {
    statSync(dist);
  } catch {
    continue;
  }
  for (const file of walk(dist)) {
    if (suites.some((s) => file.endsWith(`.${s}.spec.js`)) && (!filter || file.includes(filter))) {
      files.push(file);
    }
  }
}
if (files.length === 0) {
  console.error(`no ${suite} test files found`);
  process.exit(1);
}
console.log(`running ${files.length} test files: ${files.map((f) => relative(root, f)).join(' ')}`);
const result = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-concurrency=2', ...files],
  { stdio: 'inherit', env: process.env },
);
process.exit(result.status ?? 1);
