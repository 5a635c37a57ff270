// Simulator throughput: calls/second and latency for DescribeInstances and ModifyNetworkInterfaceAttribute.
//   npm run bench -- sim [--calls 20000] [--seconds 10] [--concurrency 16] [--only <Action>] [--profile]
// The simulator runs as `cordon sim` in its own child process (so the load generator does not share its core),
// on 127.0.0.1 only, with no faults. The load generator sends signed-looking requests over keep-alive HTTP, the
// way the SDK does (the simulator reads the SigV4 scope, it does not verify signatures). Each action is bounded
// by a call count and a time limit. --profile writes a V8 CPU profile of the simulator to
// $TMPDIR/cordon-bench-profiles/.
// Prints one JSON line per action.

import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { options, quantile, round } from './_stats.js';
import { startSimChild } from './_sim-child.js';

interface Target {
  action: string;
  /** The form body of the i-th call. */
  body(i: number): string;
}

const ENI = 'eni-0c0ffee0000000003';
const SG_WEB = 'sg-0a1b2c3d4e5f60001';
const SG_ADMIN = 'sg-0a1b2c3d4e5f60002';

const targets: Target[] = [
  { action: 'DescribeInstances', body: () => 'Action=DescribeInstances&Version=2016-11-15' },
  {
    action: 'ModifyNetworkInterfaceAttribute',
    // Alternate between two group sets so every call really changes the world.
    body: (i) =>
      `Action=ModifyNetworkInterfaceAttribute&Version=2016-11-15&NetworkInterfaceId=${ENI}&SecurityGroupId.1=${SG_WEB}${i % 2 ? `&SecurityGroupId.2=${SG_ADMIN}` : ''}`,
  },
];

function authorization(): string {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  return `AWS4-HMAC-SHA256 Credential=AKIADEMORESPONDER01/${day}/us-east-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${'ab'.repeat(32)}`;
}

function call(agent: Agent, port: number, body: string, auth: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          authorization: auth,
          'x-amz-date': '20240101T000000Z',
        },
      },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100/s)
  } catch {
    return undefined;
  }
}

async function drive(
  port: number,
  pid: number | undefined,
  t: Target,
  calls: number,
  seconds: number,
  concurrency: number,
): Promise<Record<string, unknown>> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const auth = authorization();
  // Warm-up: JIT and connections.
  const warm = Math.min(500, calls);
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = w; i < warm; i += concurrency) await call(agent, port, t.body(i), auth);
    }),
  );
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const cpu0 = cpuMs(pid);
  const gen0 = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls && performance.now() < deadline) {
        const i = next++;
        const t0 = performance.now();
        const status = await call(agent, port, t.body(i), auth);
        latencies.push(performance.now() - t0);
        if (status !== 200) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const cpu1 = cpuMs(pid);
  const gen = process.cpuUsage(gen0);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    bench: 'sim',
    action: t.action,
    calls: latencies.length,
    errors,
    seconds: round(elapsed, 3),
    callsPerSecond: Math.round(latencies.length / elapsed),
    p50Ms: round(quantile(latencies, 0.5), 3),
    p99Ms: round(quantile(latencies, 0.99), 3),
    /** The simulator's own CPU time per call: steadier than calls/s on a busy machine. */
    simCpuUsPerCall:
      cpu0 === undefined || cpu1 === undefined ? undefined : round(((cpu1 - cpu0) * 1000) / latencies.length, 1),
    /** The load generator's CPU time per call (it shares the machine's cores). */
    loadCpuUsPerCall: round((gen.user + gen.system) / latencies.length, 1),
    concurrency,
  };
}

export default async function simBench(args: string[]): Promise<void> {
  const o = options(args, { calls: 20_000, seconds: 10, concurrency: 16, only: '', profile: false });
  const chosen = o.only ? targets.filter((t) => t.action === o.only) : targets;
  if (chosen.length === 0)
    throw new Error(`--only: no target "${o.only}"; targets: ${targets.map((t) => t.action).join(', ')}`);
  const profileDir = join(tmpdir(), 'cordon-bench-profiles');
  const nodeArgs = o.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const sim = await startSimChild('demo', {
    nodeArgs,
    killAfterMs: (o.seconds * targets.length + 120) * 1000,
  });
  try {
    const port = Number(new URL(sim.endpoint).port);
    for (const t of chosen) {
      const result = await drive(port, sim.child.pid, t, o.calls, o.seconds, o.concurrency);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  } finally {
    await sim.stop();
  }
  if (o.profile)
    console.error(`bench sim: CPU profile of the simulator written to ${profileDir}/ (open it in Chrome DevTools)`);
}
