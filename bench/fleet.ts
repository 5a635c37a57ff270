// `npm run bench -- fleet [--instances 1000] [--scale 10] [--latency-ms 20] [--no-evidence]`: contains a generated
// fleet (src/sim/scenarios/fleet.ts: N instances, 1–3 ENIs each, the playbook on) on the simulator with EC2's token
// buckets on, and prints one JSON line:
//   {"instances","enis","scale","isolatedAfterMs","isolationBoundMs","ratio","completedAfterMs","completedBoundMs",
//    "completedRatio","failures","openEnisAtEnd","calls","throttled"}
//
// The bounds come from the buckets alone, for the calls the run had to make: a bucket of size B refilled at R per
// second serves C calls no sooner than max(0, C − B) / R seconds (src/core/rate-limits.ts drainSeconds).
//   isolationBoundMs = drain(2 × ENIs, ModifyNetworkInterfaceAttribute) — the two swaps of every ENI;
//   completedBoundMs = the largest drain over every bucket, counting the calls that succeeded in it.
// No client can beat them; ratio = isolatedAfterMs / isolationBoundMs (target ≤ 1.10), completedRatio the same
// for the whole run (target ≤ 1.25). `scale` multiplies every bucket's size and refill rate (in the simulator and
// in cordon's scheduler alike) so a 1,000-instance run takes a minute or two instead of twenty. failures counts
// instances not contained; openEnisAtEnd the ENIs left on the all-open group (both must be 0).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { createClients } from '../src/aws/clients.js';
import { contain } from '../src/engine/contain.js';
import { bucketOf, drainSeconds, type BucketSize } from '../src/core/rate-limits.js';
import { FLEET_ACCESS_KEY, fleetEnis, fleetInstanceId } from '../src/sim/scenarios/fleet.js';
import { TAG } from '../src/core/tags.js';
import { options, round } from './_stats.js';
import { startSimChild } from './_sim-child.js';

export default async function fleetBench(args: string[]): Promise<void> {
  const o = options(args, { instances: 1000, scale: 10, latencyMs: 20, noEvidence: false, verbose: false });
  const n = o.instances;
  const sim = await startSimChild(`fleet-${n}`, {
    faults: { throttle: { enabled: true, scale: o.scale }, latency: { fixedMs: o.latencyMs } },
  });
  const clients = createClients({
    region: 'us-east-1',
    endpointUrl: sim.endpoint,
    credentials: { accessKeyId: FLEET_ACCESS_KEY, secretAccessKey: 'sim-secret' },
    rateLimits: { scale: o.scale },
  });
  try {
    const ids = Array.from({ length: n }, (_, k) => fleetInstanceId(k));
    const enis = ids.reduce((a, _, k) => a + fleetEnis(k), 0);
    const r = await contain({
      clients,
      instanceIds: ids,
      stateDir: mkdtempSync(join(tmpdir(), 'cordon-bench-fleet-')),
      playbook: o.noEvidence ? { evidence: false } : {},
      deadlineMs: 3_600_000,
    });
    const failures = r.instances.filter((i) => i.status !== 'contained').length;
    const openEnisAtEnd = await countOpen(clients.ec2);
    const scaled = (s: BucketSize): BucketSize => ({ max: s.max * o.scale, refill: s.refill * o.scale });
    const mnia = scaled(bucketOf('ec2', 'ModifyNetworkInterfaceAttribute', {}).size);
    const isolationBoundMs = drainSeconds(2 * enis, mnia) * 1000;
    // Successful calls per bucket (an attempt answered "throttled" spent no token).
    const perBucket = new Map<string, { calls: number; size: BucketSize }>();
    for (const c of r.calls) {
      if (!c.ok) continue;
      const [service, action] = c.action.split(':') as [string, string];
      const b = bucketOf(service, action, { Filters: [] });
      const e = perBucket.get(b.key) ?? { calls: 0, size: scaled(b.size) };
      e.calls++;
      perBucket.set(b.key, e);
    }
    const drains = [...perBucket].map(([key, b]) => ({
      key,
      calls: b.calls,
      ms: drainSeconds(b.calls, b.size) * 1000,
    }));
    const completedBoundMs = Math.max(0, ...drains.map((d) => d.ms));
    const throttled = r.calls.filter(
      (c) => c.errorCode === 'RequestLimitExceeded' || c.errorCode === 'Throttling',
    ).length;
    if (o.verbose) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(tmpdir(), 'cordon-bench-fleet-calls.json'), JSON.stringify(r.calls));
      for (const d of drains.sort((a, b) => b.ms - a.ms))
        console.error(`  bucket ${d.key}: ${d.calls} calls, drain ${round(d.ms / 1000, 1)} s`);
      for (const i of r.instances.filter((x) => x.status !== 'contained').slice(0, 5))
        console.error(
          `  ${i.instanceId} ${i.status}: ${i.steps
            .filter((s) => s.error)
            .map((s) => `${s.id}: ${s.error!.message}`)
            .join('; ')}`,
        );
    }
    console.log(
      JSON.stringify({
        instances: n,
        enis,
        scale: o.scale,
        isolatedAfterMs: r.isolatedAfterMs ?? null,
        isolationBoundMs: Math.round(isolationBoundMs),
        ratio: r.isolatedAfterMs === undefined ? null : round(r.isolatedAfterMs / Math.max(isolationBoundMs, 1), 3),
        completedAfterMs: r.completedAfterMs,
        completedBoundMs: Math.round(completedBoundMs),
        completedRatio: round(r.completedAfterMs / Math.max(completedBoundMs, 1), 3),
        failures,
        openEnisAtEnd,
        calls: r.calls.length,
        throttled,
      }),
    );
  } finally {
    clients.destroy();
    await sim.stop();
  }
}

/** ENIs on a group tagged as cordon's all-open isolation group. */
async function countOpen(ec2: ReturnType<typeof createClients>['ec2']): Promise<number> {
  const groups = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: `tag:${TAG.role}`, Values: ['isolation-open'] }] }),
  );
  const open = (groups.SecurityGroups ?? []).map((g) => g.GroupId!);
  if (open.length === 0) return 0;
  let count = 0;
  let token: string | undefined;
  do {
    const r = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'group-id', Values: open }],
        MaxResults: 1000,
        NextToken: token,
      }),
    );
    count += r.NetworkInterfaces?.length ?? 0;
    for (const e of r.NetworkInterfaces ?? [])
      console.error(`  on the all-open group: ${e.NetworkInterfaceId} (${e.Attachment?.InstanceId ?? 'unattached'})`);
    token = r.NextToken;
  } while (token);
  return count;
}
