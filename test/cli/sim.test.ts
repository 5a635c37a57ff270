import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EC2Client, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { control } from '../helpers/control.js';

const BIN = new URL('../../bin/cordon.js', import.meta.url).pathname;

const exits = new WeakMap<ChildProcessWithoutNullStreams, Promise<[number | null, string | null]>>();

function cordon(args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, CORDON_FROM_SOURCE: '1', NO_COLOR: '1' },
    stdio: 'pipe',
  });
  exits.set(child, once(child, 'exit') as Promise<[number | null, string | null]>);
  return child;
}

/** The child's exit code and signal (the promise is taken at spawn, so an early exit is not missed). */
const exitOf = (child: ChildProcessWithoutNullStreams): Promise<[number | null, string | null]> => exits.get(child)!;

/** The child's first stdout line (fails if it exits first or takes more than 60 s). */
async function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  const rl = createInterface({ input: child.stdout });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    const line = await Promise.race([
      once(rl, 'line').then(([l]) => l as string),
      exitOf(child).then(([code]) => {
        throw new Error(`cordon sim exited (${String(code)}) before printing: ${stderr}`);
      }),
    ]);
    return line;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs cordon to completion; returns its exit code and output. */
async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = cordon(args);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = await exitOf(child);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

test('cordon sim --port 0 --output json: one JSON line, the SDK works against it, SIGTERM exits 0', async () => {
  const child = cordon(['sim', '--port', '0', '--output', 'json']);
  try {
    const info = JSON.parse(await firstLine(child)) as {
      endpoint: string;
      scenario: string;
      env: Record<string, string>;
    };
    assert.match(info.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(info.scenario, 'demo');
    assert.equal(info.env.AWS_ENDPOINT_URL, info.endpoint);
    assert.equal(info.env.AWS_REGION, 'us-east-1');
    const ec2 = new EC2Client({
      endpoint: info.endpoint,
      region: info.env.AWS_REGION,
      credentials: { accessKeyId: info.env.AWS_ACCESS_KEY_ID!, secretAccessKey: info.env.AWS_SECRET_ACCESS_KEY! },
      maxAttempts: 1,
    });
    const r = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0c0ffee0000000001'] }));
    assert.equal(r.Reservations?.[0]?.Instances?.[0]?.InstanceId, 'i-0c0ffee0000000001');
    ec2.destroy();
    assert.equal((await control(info.endpoint, 'GET', '/_sim/health')).body.scenario, 'demo');
  } finally {
    child.kill('SIGTERM');
  }
  const [code, signal] = await exitOf(child);
  assert.deepEqual([code, signal], [0, null]);
});

test('cordon sim (text): prints where it listens and the export lines; --scenario and --faults apply', async () => {
  const child = cordon([
    'sim',
    '--port',
    '0',
    '--scenario',
    'minimal',
    '--faults',
    '{"failNth":[{"action":"DescribeInstances","nth":1,"code":"throttle"}]}',
  ]);
  // One reader for the whole output (a second readline on the same stream can miss lines the first one buffered).
  let out = '';
  const complete = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cordon sim printed no export lines in 60 s: ${out}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/export AWS_DEFAULT_REGION=.*\n/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exitOf(child).then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`cordon sim exited (${String(code)}) early: ${out}`));
    });
  });
  let lines: string[] = [];
  try {
    await complete;
    lines = out.split('\n');
    const first = lines[0]!;
    assert.match(first, /^cordon sim listening on http:\/\/127\.0\.0\.1:\d+$/);
    const endpoint = first.slice('cordon sim listening on '.length);
    assert.ok(lines.includes(`export AWS_ENDPOINT_URL=${endpoint}`), lines.join('\n'));
    assert.ok(lines.includes('export AWS_ACCESS_KEY_ID=AKIAMINIMALUSER0001'), lines.join('\n'));
    assert.equal((await control(endpoint, 'GET', '/_sim/health')).body.scenario, 'minimal');
    assert.equal((await control(endpoint, 'GET', '/_sim/faults')).body.failNth[0].code, 'throttle');
  } finally {
    child.kill('SIGINT');
  }
  const [code] = await exitOf(child);
  assert.equal(code, 0);
});

test('bad --port, --scenario or --faults: exit code 2 with a clear message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-cli-'));
  const badScenario = join(dir, 'bad.json');
  writeFileSync(
    badScenario,
    JSON.stringify({
      name: 'bad',
      accounts: [
        {
          id: '111122223333',
          regions: [{ name: 'us-east-1', instances: [{ subnet: 'nowhere', securityGroups: ['x'] }] }],
        },
      ],
    }),
  );
  const cases: [string[], RegExp][] = [
    [['sim', '--port', '70000'], /--port must be an integer from 0 to 65535, not "70000"/],
    [['sim', '--port', 'abc'], /--port must be an integer from 0 to 65535, not "abc"/],
    [
      ['sim', '--port', '0', '--scenario', 'no-such-scenario'],
      /scenario "no-such-scenario" not found: give a file path or one of: .*minimal/,
    ],
    [
      ['sim', '--port', '0', '--scenario', badScenario],
      /accounts\[0\]\.regions\[0\]\.instances\[0\]\.subnet: unknown subnet "nowhere"/,
    ],
    [['sim', '--port', '0', '--faults', '{"latency":{"fixedMs":-1}}'], /latency\.fixedMs/],
    [['sim', '--port', '0', '--faults', join(dir, 'missing.json')], /--faults: no such file/],
    [['sim', '--port', '0', '--output', 'yaml'], /--output must be "text" or "json"/],
  ];
  await Promise.all(
    cases.map(async ([args, re]) => {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.doesNotMatch(r.stdout, /listening/);
    }),
  );
});
