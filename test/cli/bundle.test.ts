// The published CLI is the esbuild bundle (scripts/bundle.mjs): built here into a scratch folder and run against the
// simulator, so the schema rewrite the bundle relies on (literal keys, unused shapes dropped) is exercised through
// real AWS SDK calls — a read (status) and a whole containment (lab).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startHarness, type SimHarness } from '../helpers/sim.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runBundle(entry: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `const { main } = await import(${JSON.stringify(pathToFileURL(entry).href)}); await main(process.argv);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, 'cordon', ...args], {
      env: {
        ...process.env,
        NO_COLOR: '1',
        AWS_ACCESS_KEY_ID: 'AKIADEMORESPONDER01',
        AWS_SECRET_ACCESS_KEY: 'sim-secret',
        AWS_REGION: 'us-east-1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the bundled CLI', () => {
  let h: SimHarness;
  let dir: string;
  let entry: string;
  before(async () => {
    h = await startHarness('demo');
    // Inside the package (dist/), so the bundle finds package.json and the bundled scenarios as an installed one does.
    mkdirSync(join(ROOT, 'dist'), { recursive: true });
    dir = mkdtempSync(join(ROOT, 'dist', '.bundle-test-'));
    const { bundle } = (await import(pathToFileURL(join(ROOT, 'scripts', 'bundle.mjs')).href)) as {
      bundle: (o: { outdir: string }) => Promise<unknown>;
    };
    await bundle({ outdir: dir });
    entry = join(dir, 'cordon.mjs');
    assert.ok(existsSync(entry));
  });
  after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('--version and --help', async () => {
    const v = await runBundle(entry, ['--version']);
    assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/);
    const help = await runBundle(entry, ['status', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:/);
  });

  test('status reads through the bundled SDK', async () => {
    const r = await runBundle(entry, [
      'status',
      'i-0c0ffee0000000001',
      '--endpoint-url',
      h.endpoint,
      '--output',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { instances: { instanceId: string; enis: unknown[] }[] };
    assert.equal(out.instances[0]!.instanceId, 'i-0c0ffee0000000001');
    assert.equal(out.instances[0]!.enis.length, 2);
  });

  test('lab contains through the bundled SDK and simulator', async () => {
    const r = await runBundle(entry, ['lab', '--latency-ms', '0', '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      result: { instances: { status: string }[] };
      flowsAfter: { alive: boolean }[];
    };
    assert.equal(out.result.instances[0]!.status, 'contained');
    assert.ok(out.flowsAfter.some((f) => !f.alive));
  });
});
