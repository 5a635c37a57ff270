// Fleet containment under EC2's rate limits (issue 10): every instance of a generated fleet contained through small
// token buckets, and the safety invariant — no ENI ever stays on the all-open group of step 1 — checked by reading
// every ENI's groups after runs under throttling, 5xx, lost answers, a failed second swap, a deadline and a SIGKILL.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { tempStateDir } from '../helpers/cordon.js';
import { runCli } from '../helpers/cli.js';
import { createClients, type AwsClients } from '../../src/aws/clients.js';
import type { RateLimitOptions } from '../../src/aws/scheduler.js';
import { contain } from '../../src/engine/contain.js';
import { prepare } from '../../src/engine/prepare.js';
import { TAG } from '../../src/core/tags.js';
import { FLEET_ACCOUNT, fleetEniId, fleetEnis, fleetInstanceId } from '../../src/sim/scenarios/fleet.js';

const N = 24;
const IDS = Array.from({ length: N }, (_, k) => fleetInstanceId(k));
const ENIS = IDS.flatMap((_, k) => Array.from({ length: fleetEnis(k) }, (__, d) => fleetEniId(k, d)));
/** Small buckets, so a 24-instance fleet runs into them within a second or two. */
const SMALL = {
  ModifyNetworkInterfaceAttribute: { max: 8, refill: 8 },
  CreateTags: { max: 4, refill: 4 },
  ModifyInstanceAttribute: { max: 8, refill: 8 },
  DescribeInstanceAttribute: { max: 10, refill: 10 },
};

function clientsFor(h: SimHarness, rateLimits?: RateLimitOptions): AwsClients {
  return createClients({
    region: 'us-east-1',
    endpointUrl: h.endpoint,
    credentials: { accessKeyId: 'AKIAFLEETRESPONDER1', secretAccessKey: 'x' },
    maxAttempts: 5,
    rateLimits,
  });
}

interface EniState {
  eni: string;
  groups: string[];
  role: 'open' | 'empty' | 'original';
}

/** Every ENI of the fleet, read from the world after the run. */
function eniStates(h: SimHarness, original: Map<string, string[]>): EniState[] {
  const region = h.sim.world.region(FLEET_ACCOUNT, 'us-east-1');
  return ENIS.map((eni) => {
    const groups = region.ec2.networkInterfaces.get(eni)!.groupIds;
    const roles = groups.map((g) => region.ec2.securityGroups.get(g)?.tags[TAG.role]);
    const role = roles.includes('isolation-open')
      ? 'open'
      : groups.length === 1 && roles[0] === 'isolation-empty'
        ? 'empty'
        : 'original';
    if (role === 'original')
      assert.deepEqual(
        [...groups].sort(),
        [...original.get(eni)!].sort(),
        `${eni} is on neither isolation group nor its original ones`,
      );
    return { eni, groups, role };
  });
}

function originals(h: SimHarness): Map<string, string[]> {
  const region = h.sim.world.region(FLEET_ACCOUNT, 'us-east-1');
  return new Map(ENIS.map((e) => [e, [...region.ec2.networkInterfaces.get(e)!.groupIds]]));
}

/** The most ENIs that were on the all-open group at the same time, replaying the simulator's call log. */
function mostOpenAtOnce(h: SimHarness, sinceSeq: number): number {
  const region = h.sim.world.region(FLEET_ACCOUNT, 'us-east-1');
  const open = [...region.ec2.securityGroups.values()].find((g) => g.tags[TAG.role] === 'isolation-open')?.groupId;
  const onOpen = new Set<string>();
  let most = 0;
  for (const c of h.sim.world.calls) {
    if (c.seq <= sinceSeq || c.action !== 'ModifyNetworkInterfaceAttribute' || c.outcome !== 'ok' || c.dryRun) continue;
    const p = c.params as { NetworkInterfaceId?: string; SecurityGroupId?: string[] | Record<string, string> };
    const groups = Array.isArray(p.SecurityGroupId) ? p.SecurityGroupId : Object.values(p.SecurityGroupId ?? {});
    if (!p.NetworkInterfaceId || groups.length === 0) continue;
    if (groups.includes(open ?? '')) onOpen.add(p.NetworkInterfaceId);
    else onOpen.delete(p.NetworkInterfaceId);
    most = Math.max(most, onOpen.size);
  }
  return most;
}

describe('fleet containment under rate limits', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness(`fleet-${N}`);
  });
  after(async () => h.close());

  test('24 instances through small buckets: all contained, writes batched, few ENIs on step 1 at a time', async () => {
    await h.sim.reset(`fleet-${N}`);
    h.sim.faults.set({ throttle: { enabled: true, overrides: SMALL } });
    const before = originals(h);
    const seq0 = h.sim.world.calls.length;
    // cordon knows the account's buckets (as it knows EC2's published sizes): it should hardly ever be throttled.
    const clients = clientsFor(h, { overrides: SMALL });
    const r = await contain({ clients, instanceIds: IDS, stateDir: tempStateDir(), playbook: { evidence: false } });
    h.sim.faults.reset();
    assert.deepEqual(
      r.instances
        .filter((i) => i.status !== 'contained')
        .map((i) => `${i.instanceId}: ${i.steps.filter((s) => s.error).map((s) => s.error!.message)}`),
      [],
    );
    assert.ok(
      eniStates(h, before).every((e) => e.role === 'empty'),
      'every ENI on the empty group',
    );
    const throttled = h.sim.world.calls.filter((c) => c.seq > seq0 && c.errorCode === 'RequestLimitExceeded').length;
    assert.ok(throttled <= 3, `the scheduler kept to the buckets (${throttled} throttled)`);
    // An ENI goes onto step 1 only with a token reserved for its step 2: never more on it than the bucket holds.
    const most = mostOpenAtOnce(h, seq0);
    assert.ok(
      most >= 1 && most <= SMALL.ModifyNetworkInterfaceAttribute.max,
      `at most a bucket of ENIs on step 1 at once (${most})`,
    );
    // Same tag sets share one CreateTags call: the ENIs' write-ahead records (four distinct group sets in this fleet)
    // and the instances' containment tags take a handful of calls, not one per resource.
    const tagCalls = (key: string, value?: string): number =>
      h.sim.world.calls.filter((c) => {
        if (c.seq <= seq0 || c.action !== 'CreateTags' || c.outcome !== 'ok') return false;
        const tags = Object.values((c.params as { Tag?: Record<string, { Key: string; Value?: string }> }).Tag ?? {});
        return tags.some((t) => t.Key === key && (value === undefined || t.Value === value));
      }).length;
    assert.ok(
      tagCalls(TAG.originalGroups) <= 8,
      `ENI records batched (${tagCalls(TAG.originalGroups)} calls for ${ENIS.length} ENIs)`,
    );
    assert.ok(
      tagCalls(TAG.status, 'containing') <= 3,
      `instance tags batched (${tagCalls(TAG.status, 'containing')} calls)`,
    );
    // Results are per instance, with when each reached its layers.
    assert.ok(r.instances.every((i) => (i.reached?.sg ?? -1) >= 0));
    clients.destroy();
  });

  test('the account is busier than cordon thinks (others spend its buckets): it learns from RequestLimitExceeded and contains all', async () => {
    await h.sim.reset(`fleet-${N}`);
    h.sim.faults.set({
      throttle: { enabled: true, overrides: { ...SMALL, ModifyNetworkInterfaceAttribute: { max: 4, refill: 4 } } },
    });
    const before = originals(h);
    const clients = clientsFor(h); // EC2's published sizes: 100 / 5 per second
    const r = await contain({ clients, instanceIds: IDS, stateDir: tempStateDir(), playbook: { evidence: false } });
    h.sim.faults.reset();
    assert.ok(r.instances.every((i) => i.status === 'contained'));
    assert.ok(eniStates(h, before).every((e) => e.role === 'empty'));
    assert.ok(
      r.calls.some((c) => c.errorCode === 'RequestLimitExceeded'),
      'it was throttled, and went on',
    );
    const view = clients.scheduler.view().find((b) => b.key === 'ec2/ModifyNetworkInterfaceAttribute')!;
    assert.ok(view.throttled > 0, `the bucket learned from the throttles (${JSON.stringify(view)})`);
    clients.destroy();
  });

  test('throttling, 5xx and lost answers together, and a deadline too short: no ENI stays on the all-open group', async () => {
    await h.sim.reset(`fleet-${N}`);
    h.sim.faults.set({
      throttle: { enabled: true, overrides: { ...SMALL, ModifyNetworkInterfaceAttribute: { max: 6, refill: 3 } } },
      failRate: { rate: 0.2, seed: 11, codes: [{ code: 'internal' }, { code: 'unavailable' }, { code: 'throttle' }] },
      failNth: [
        { action: 'ModifyNetworkInterfaceAttribute', nth: 3, afterEffect: true, code: 'InternalError', status: 500 },
        { action: 'ModifyNetworkInterfaceAttribute', nth: 9, afterEffect: true, code: 'InternalError', status: 500 },
      ],
    });
    const before = originals(h);
    const clients = clientsFor(h);
    const r = await contain({
      clients,
      instanceIds: IDS,
      stateDir: tempStateDir(),
      playbook: { evidence: false },
      deadlineMs: 4000,
    });
    h.sim.faults.reset();
    const states = eniStates(h, before);
    assert.deepEqual(
      states.filter((e) => e.role === 'open'),
      [],
      'no ENI on the all-open group',
    );
    const incomplete = r.instances.filter((i) => i.status === 'incomplete');
    assert.ok(incomplete.length > 0, 'the deadline stopped some instances');
    assert.ok(
      incomplete.some((i) => i.steps.some((s) => s.error?.code === 'deadline')),
      'and says so, per instance',
    );
    // Every instance reported contained really is: all its ENIs on the empty group.
    for (const i of r.instances.filter((x) => x.status === 'contained'))
      assert.ok(i.enis.every((e) => states.find((s) => s.eni === e.networkInterfaceId)!.role === 'empty'));
    clients.destroy();
  });

  test('an ENI whose second swap cannot be made goes back to its original groups; the rest are contained', async () => {
    await h.sim.reset(`fleet-${N}`);
    const clients = clientsFor(h);
    const prepared = await prepare(clients, 'all');
    const empty = prepared.vpcs[0]!.empty.groupId;
    const victim = fleetEniId(4, 1);
    h.sim.faults.set({
      failNth: [
        {
          action: 'ModifyNetworkInterfaceAttribute',
          nth: 1,
          times: 100,
          match: { NetworkInterfaceId: victim, SecurityGroupId: empty },
          code: 'InvalidParameterValue',
        },
      ],
    });
    const before = originals(h);
    const r = await contain({ clients, instanceIds: IDS, stateDir: tempStateDir(), playbook: { evidence: false } });
    h.sim.faults.reset();
    const states = eniStates(h, before);
    assert.deepEqual(states.find((e) => e.eni === victim)!.groups.sort(), before.get(victim)!.sort());
    assert.deepEqual(
      states.filter((e) => e.role === 'open'),
      [],
    );
    const inst = r.instances.find((i) => i.instanceId === fleetInstanceId(4))!;
    assert.equal(inst.status, 'incomplete');
    assert.ok(
      inst.warnings.some((w) => w.includes(victim) && /put it back on its original groups/.test(w)),
      inst.warnings.join('\n'),
    );
    assert.equal(
      r.instances.filter((i) => i.status === 'contained').length,
      N - 1,
      'one failure holds back no other instance',
    );
    clients.destroy();
  });

  test(
    'SIGKILL mid-fleet with ENIs on step 1: the rerun finishes them first, then the rest',
    { timeout: 120_000 },
    async () => {
      await h.sim.reset(`fleet-${N}`);
      h.sim.faults.set({ throttle: { enabled: true, overrides: SMALL } });
      const before = originals(h);
      const state = tempStateDir();
      const childKey = 'AKIAFLEETCRASHCHILD1';
      let pid: number | undefined;
      let killed = false;
      let seen = 0;
      h.sim.world.afterCall.push((c) => {
        if (
          killed ||
          c.accessKeyId !== childKey ||
          c.action !== 'ModifyNetworkInterfaceAttribute' ||
          c.outcome !== 'ok'
        )
          return;
        // Kill right after an ENI went onto the all-open group, once the fleet is well under way.
        const p = c.params as { SecurityGroupId?: string[] | Record<string, string> };
        const groups = Array.isArray(p.SecurityGroupId) ? p.SecurityGroupId : Object.values(p.SecurityGroupId ?? {});
        const region = h.sim.world.region(FLEET_ACCOUNT, 'us-east-1');
        const toOpen = groups.some((g) => region.ec2.securityGroups.get(g)?.tags[TAG.role] === 'isolation-open');
        if (toOpen && ++seen === 12 && pid !== undefined) {
          killed = true;
          process.kill(pid, 'SIGKILL');
        }
      });
      await runCli(
        [
          'contain',
          ...IDS,
          '--yes',
          '--no-evidence',
          '--endpoint-url',
          h.endpoint,
          '--region',
          'us-east-1',
          '--state-dir',
          state,
        ],
        { AWS_ACCESS_KEY_ID: childKey },
        undefined,
        (p) => (pid = p),
      );
      h.sim.world.afterCall.length = 0;
      assert.ok(killed, 'the run was killed mid-fleet');
      const left = eniStates(h, before)
        .filter((e) => e.role === 'open')
        .map((e) => e.eni);
      assert.ok(left.length > 0, 'it left ENIs on the all-open group (the case the rerun must fix first)');

      const seq0 = h.sim.world.calls.length;
      const clients = clientsFor(h, { overrides: SMALL });
      const r = await contain({ clients, instanceIds: IDS, stateDir: state, playbook: { evidence: false } });
      h.sim.faults.reset();
      assert.ok(
        r.instances.every((i) => i.status !== 'incomplete'),
        'the rerun converges',
      );
      assert.ok(eniStates(h, before).every((e) => e.role === 'empty'));
      // The rerun's first swaps are those ENIs' moves off the all-open group.
      const swaps = h.sim.world.calls
        .filter(
          (c) => c.seq > seq0 && c.action === 'ModifyNetworkInterfaceAttribute' && c.outcome === 'ok' && !c.dryRun,
        )
        .map((c) => (c.params as { NetworkInterfaceId: string }).NetworkInterfaceId);
      assert.deepEqual(new Set(swaps.slice(0, left.length)), new Set(left));
      clients.destroy();
    },
  );
});
