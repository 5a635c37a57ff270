// Fleet targets (issue 10): instance ARNs across two accounts and two regions (one worker per account × region,
// a role assumed in the other account), --tag / --asg selectors, a fleet restore, and the times and round trips
// contain reports (from the end of the confirmation, every wave counted).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { mutations, tempStateDir, cordonClients } from '../helpers/cordon.js';
import { createClients, type AwsClients } from '../../src/aws/clients.js';
import { planWorkers, containFleet, restoreFleet, type Worker } from '../../src/engine/fleet.js';
import { contain, countRoundTrips } from '../../src/engine/contain.js';
import { parseTarget } from '../../src/core/targets.js';
import { CordonError } from '../../src/core/errors.js';
import { TAG } from '../../src/core/tags.js';
import { FLEET_ACCOUNT, fleetAsgOf, fleetEniId, fleetEnis, fleetInstanceId } from '../../src/sim/scenarios/fleet.js';

const SECURITY = '111122223333';
const WORKLOAD = '444455556666';
const ARNS = [
  `arn:aws:ec2:us-east-1:${SECURITY}:instance/i-0aaa00000000000a1`,
  `arn:aws:ec2:eu-west-1:${SECURITY}:instance/i-0aaa00000000000e1`,
  `arn:aws:ec2:us-east-1:${WORKLOAD}:instance/i-0bbb00000000000a1`,
  `arn:aws:ec2:eu-west-1:${WORKLOAD}:instance/i-0bbb00000000000e1`,
];

function factory(h: SimHarness, accessKeyId: string, roleName?: string) {
  const made: AwsClients[] = [];
  return {
    made,
    clientsFor(accountId: string | undefined, region: string): AwsClients {
      if (accountId && !roleName) throw new CordonError('no-role', `no role for ${accountId}`, 2);
      const c = createClients({
        region,
        endpointUrl: h.endpoint,
        credentials: { accessKeyId, secretAccessKey: 'x' },
        roleArn: accountId ? `arn:aws:iam::${accountId}:role/${roleName}` : undefined,
      });
      made.push(c);
      return c;
    },
  };
}

function enisOf(h: SimHarness, account: string, region: string, instanceId: string) {
  const r = h.sim.world.region(account, region);
  return r.ec2.instances.get(instanceId)!.networkInterfaceIds.map((id) => {
    const e = r.ec2.networkInterfaces.get(id)!;
    return { id, groups: [...e.groupIds], roles: e.groupIds.map((g) => r.ec2.securityGroups.get(g)?.tags[TAG.role]) };
  });
}

describe('fleet targets across accounts and regions', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness('multi-account');
  });
  after(async () => h.close());

  test('ARNs in two accounts × two regions: one worker each, all contained, then restored exactly', async () => {
    await h.sim.reset('multi-account');
    const f = factory(h, 'AKIAMULTIPRIMARY001', 'cordon-responder');
    const before = ARNS.map((a) => {
      const t = parseTarget(a);
      return enisOf(h, t.accountId!, t.region!, t.instanceId);
    });
    const workers = await planWorkers({
      targets: ARNS.map((a) => parseTarget(a)),
      region: 'us-east-1',
      clientsFor: f.clientsFor,
    });
    assert.deepEqual(
      workers.map((w) => `${w.accountId ?? 'own'}/${w.region}`).sort(),
      ['444455556666/eu-west-1', '444455556666/us-east-1', 'own/eu-west-1', 'own/us-east-1'],
      'ARNs of the credentials’ own account need no role',
    );
    const state = tempStateDir();
    let confirmations = 0;
    const r = await containFleet(workers, {
      stateDir: state,
      playbook: { evidence: false },
      confirm: async (plans) => {
        confirmations++;
        assert.equal(plans.length, 4, 'every worker planned before anything changed');
        return true;
      },
    });
    assert.equal(confirmations, 1, 'one confirmation for the whole fleet');
    assert.equal(r.summary.contained, 4);
    assert.equal(new Set(r.workers.map((w) => w.result!.incident)).size, 1, 'one incident across the fleet');
    for (const a of ARNS) {
      const t = parseTarget(a);
      for (const e of enisOf(h, t.accountId!, t.region!, t.instanceId))
        assert.deepEqual(e.roles, ['isolation-empty'], `${a} ${e.id}`);
    }
    // Each account × region has its own scheduler (the buckets are per account and region).
    assert.equal(new Set(workers.map((w) => w.clients.scheduler)).size, 4);

    const restored = await restoreFleet(workers, { stateDir: state });
    assert.ok(restored.instances.every((i) => i.status === 'restored'));
    ARNS.forEach((a, k) => {
      const t = parseTarget(a);
      const now = enisOf(h, t.accountId!, t.region!, t.instanceId);
      assert.deepEqual(
        now.map((e) => e.groups),
        before[k]!.map((e) => e.groups),
        `${a} back on its original groups`,
      );
    });
    for (const c of f.made) c.destroy();
  });

  test('an ARN in another account without a role: refused before anything changes, anywhere', async () => {
    await h.sim.reset('multi-account');
    const f = factory(h, 'AKIAMULTIPRIMARY001');
    const seq0 = h.sim.world.calls.length;
    await assert.rejects(
      planWorkers({ targets: ARNS.map((a) => parseTarget(a)), region: 'us-east-1', clientsFor: f.clientsFor }),
      (e: unknown) => e instanceof CordonError && e.code === 'no-role',
    );
    assert.deepEqual(mutations(h.sim, seq0), []);
    for (const c of f.made) c.destroy();
  });

  test('a bad target in one worker stops every worker before any change', async () => {
    await h.sim.reset('multi-account');
    const f = factory(h, 'AKIAMULTIPRIMARY001', 'cordon-responder');
    const targets = [...ARNS, `arn:aws:ec2:eu-west-1:${WORKLOAD}:instance/i-0bbb00000000000ff`].map((a) =>
      parseTarget(a),
    );
    const workers = await planWorkers({ targets, region: 'us-east-1', clientsFor: f.clientsFor });
    const seq0 = h.sim.world.calls.length;
    await assert.rejects(
      containFleet(workers, { stateDir: tempStateDir(), playbook: { evidence: false } }),
      (e: unknown) => e instanceof CordonError && e.code === 'instance-not-found',
    );
    assert.deepEqual(mutations(h.sim, seq0), [], 'nothing changed in any account or region');
    for (const c of f.made) c.destroy();
  });
});

describe('selectors and fleet restore', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness('fleet-24');
  });
  after(async () => h.close());

  test('--tag and --asg select instances in the region; unknown names are clear errors that change nothing', async () => {
    await h.sim.reset('fleet-24');
    const f = factory(h, 'AKIAFLEETRESPONDER1');
    const byTag = await planWorkers({
      targets: [],
      selectors: {
        tags: [
          { key: 'tier', value: 'web' },
          { key: 'wave', value: '1' },
        ],
        asgs: [],
      },
      region: 'us-east-1',
      clientsFor: f.clientsFor,
    });
    const web1 = Array.from({ length: 24 }, (_, k) => k).filter((k) => k % 2 === 1 && k % 5 === 1);
    assert.deepEqual(byTag[0]!.instanceIds.sort(), web1.map(fleetInstanceId).sort(), 'every tag must match');
    const byAsg = await planWorkers({
      targets: [parseTarget(fleetInstanceId(1))],
      selectors: { tags: [], asgs: ['fleet-asg-1'] },
      region: 'us-east-1',
      clientsFor: f.clientsFor,
    });
    const members = Array.from({ length: 24 }, (_, k) => k).filter((k) => fleetAsgOf(k) === 'fleet-asg-1');
    assert.deepEqual(byAsg[0]!.instanceIds.sort(), [fleetInstanceId(1), ...members.map(fleetInstanceId)].sort());
    const seq0 = h.sim.world.calls.length;
    await assert.rejects(
      planWorkers({
        targets: [],
        selectors: { tags: [], asgs: ['no-such-asg'] },
        region: 'us-east-1',
        clientsFor: f.clientsFor,
      }),
      (e: unknown) => e instanceof CordonError && e.code === 'asg-not-found' && /no-such-asg/.test(e.message),
    );
    await assert.rejects(
      planWorkers({
        targets: [],
        selectors: { tags: [{ key: 'tier', value: 'nothing' }], asgs: [] },
        region: 'us-east-1',
        clientsFor: f.clientsFor,
      }),
      (e: unknown) => e instanceof CordonError && e.code === 'no-targets',
    );
    assert.deepEqual(mutations(h.sim, seq0), []);
    for (const c of f.made) c.destroy();
  });

  test('a contained fleet is restored at once: every ENI back on its original groups, every instance released', async () => {
    await h.sim.reset('fleet-24');
    h.sim.faults.set({
      throttle: { enabled: true, overrides: { ModifyNetworkInterfaceAttribute: { max: 10, refill: 10 } } },
    });
    const region = h.sim.world.region(FLEET_ACCOUNT, 'us-east-1');
    const ids = Array.from({ length: 24 }, (_, k) => fleetInstanceId(k));
    const enis = ids.flatMap((_, k) => Array.from({ length: fleetEnis(k) }, (__, d) => fleetEniId(k, d)));
    const original = new Map(enis.map((e) => [e, [...region.ec2.networkInterfaces.get(e)!.groupIds]]));
    const f = factory(h, 'AKIAFLEETRESPONDER1');
    const workers: Worker[] = await planWorkers({
      targets: ids.map((i) => parseTarget(i)),
      region: 'us-east-1',
      clientsFor: f.clientsFor,
    });
    const state = tempStateDir();
    const c = await containFleet(workers, { stateDir: state, playbook: { evidence: false } });
    assert.equal(c.summary.contained, 24);
    h.sim.world.clock.advance(301_000); // target-group draining ends
    const seq0 = h.sim.world.calls.length;
    const r = await restoreFleet(workers, { stateDir: state });
    h.sim.faults.reset();
    assert.ok(
      r.instances.every((i) => i.status === 'restored'),
      JSON.stringify(r.instances.filter((i) => i.error)),
    );
    for (const e of enis) assert.deepEqual(region.ec2.networkInterfaces.get(e)!.groupIds, original.get(e), e);
    for (const id of ids) assert.equal(region.ec2.instances.get(id)!.tags[TAG.status], 'released');
    // The instances are restored together: the 'restoring' marks share CreateTags calls.
    const marks = h.sim.world.calls.filter(
      (x) => x.seq > seq0 && x.action === 'CreateTags' && JSON.stringify(x.params).includes('"restoring"'),
    );
    assert.ok(marks.length <= 3, `restoring marks batched (${marks.length} calls for 24 instances)`);
    for (const x of f.made) x.destroy();
  });
});

describe('what contain reports: time and round trips', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test('the wait at a confirmation prompt is not counted; with --layers subnet every wave of the describe counts', async () => {
    await h.sim.reset('demo');
    const clients = cordonClients(h.sim);
    const waitMs = 4000;
    const r = await contain({
      clients,
      instanceIds: ['i-0c0ffee0000000001'],
      stateDir: tempStateDir(),
      layers: ['sg', 'nacl'],
      acceptBlastRadius: true,
      confirm: () => new Promise((resolve) => setTimeout(() => resolve(true), waitMs)),
    });
    assert.equal(r.instances[0]!.status, 'contained');
    assert.ok(r.isolatedAfterMs! < waitMs, `a person's ${waitMs} ms at the prompt is not in ${r.isolatedAfterMs} ms`);
    // Every wave up to the last swap, from the call log: the subnet layers' describe takes two.
    const lastSwap = Math.max(
      ...r.calls
        .filter((c) => c.action.endsWith('ModifyNetworkInterfaceAttribute') && c.label !== 'lower-conntrack-timeouts')
        .map((c) => c.endedMs),
    );
    const waves = countRoundTrips(r.calls.filter((c) => c.endedMs <= lastSwap));
    assert.equal(r.roundTrips, waves);
    const describes = r.calls.filter((c) => c.action.startsWith('ec2:Describe') && c.endedMs <= lastSwap);
    assert.ok(countRoundTrips(describes) >= 2, 'the describe phase took two waves, and they are counted');
    clients.destroy();
  });
});
