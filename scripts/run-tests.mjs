// Runs every test/**/*.test.ts file with node's built-in test runner (through tsx).
// Usage: npm test [-- <substring filter>...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk('test')
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const concurrency = process.env.CORDON_TEST_CONCURRENCY ?? '2';
// A test that hangs fails after 10 minutes instead of holding CI until its own limit.
const timeout = process.env.CORDON_TEST_TIMEOUT_MS ?? '600000';
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${timeout}`, ...files],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
