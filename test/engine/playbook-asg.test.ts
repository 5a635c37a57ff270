// Auto Scaling: detach (keeping capacity), --asg-decrement at the group's minimum, --asg-standby, --no-asg — each
// applied against the simulator, verified by describing again, restored to the described original, and re-run.
// The order guarantee (the instance leaves its group no later than the isolation) is read from the call log.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeTargetHealthCommand, DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { cordonClients, tempStateDir } from '../helpers/cordon.js';
import { ASG, WEB1, groupState, isolationEndSeq, lastSeq, okCalls } from '../helpers/playbook.js';
import { contain, planContainment } from '../../src/engine/contain.js';
import { restore } from '../../src/engine/restore.js';
import { prepare } from '../../src/engine/prepare.js';
import { PB_TAG, decodeRecord } from '../../src/core/playbook.js';
import { CordonError } from '../../src/core/errors.js';

const DRAIN_MS = 301_000; // storefront-web's deregistration delay is 300 s
const ASG_MUTATION =
  /^(AttachInstances|DetachInstances|UpdateAutoScalingGroup|SetInstanceProtection|ExitStandby|EnterStandby|SuspendProcesses|ResumeProcesses)$/;

async function membership(h: SimHarness, id = WEB1) {
  const r = await h.asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [id] }));
  return r.AutoScalingInstances?.[0];
}

async function instanceTags(h: SimHarness, id = WEB1): Promise<Record<string, string>> {
  const r = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return Object.fromEntries((r.Reservations![0]!.Instances![0]!.Tags ?? []).map((t) => [t.Key!, t.Value!]));
}

async function web1Targets(h: SimHarness): Promise<string[]> {
  const tg = (await h.elbv2.send(new DescribeTargetGroupsCommand({ Names: ['storefront-web'] }))).TargetGroups![0]!;
  const r = await h.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
  return (r.TargetHealthDescriptions ?? [])
    .filter((d) => d.Target?.Id === WEB1)
    .map((d) => `${d.Target!.Port}:${d.TargetHealth!.State}`);
}

describe('asg-detach: default keeps capacity', () => {
  let h: SimHarness;
  const stateDir = tempStateDir();
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test("detaches in the first swap's round trip, a replacement launches, restore puts the group back exactly", async () => {
    const clients = cordonClients(h.sim);
    await prepare(clients, ['vpc-0a1b2c3d4e5f60001']);
    const original = await groupState(h);
    assert.deepEqual(original.members.length, 2);

    const seq0 = lastSeq(h.sim);
    // A round trip that takes as long as one does over the internet, so "the same round trip" means something.
    h.sim.faults.set({ latency: { fixedMs: 40 } });
    const r = await contain({ clients, instanceIds: [WEB1], stateDir, incident: 'ir-asg-1' });
    h.sim.faults.reset();
    assert.equal(r.instances[0]!.status, 'contained');
    const calls = okCalls(h.sim, seq0);
    const detach = calls.filter((c) => c.action === 'DetachInstances');
    assert.equal(detach.length, 1);
    assert.deepEqual(detach[0]!.params.InstanceIds, [WEB1]);
    assert.equal(detach[0]!.params.ShouldDecrementDesiredCapacity, 'false');
    // Order: the instance left its group before the isolation ended — and alongside the first swap, not after it.
    const isolated = await isolationEndSeq(h, seq0);
    assert.ok(
      detach[0]!.seq < isolated,
      `DetachInstances (seq ${detach[0]!.seq}) must come before the isolation ends (seq ${isolated})`,
    );
    const cordonDetach = r.calls.find((c) => c.action === 'autoscaling:DetachInstances')!;
    const firstSwap = r.calls.find((c) => c.action === 'ec2:ModifyNetworkInterfaceAttribute')!;
    assert.ok(
      cordonDetach.startedMs <= firstSwap.endedMs,
      'DetachInstances is sent in the same round trip as the first swap',
    );
    assert.equal(
      calls.filter((c) => c.action === 'SuspendProcesses' || c.action === 'UpdateAutoScalingGroup').length,
      0,
      'nothing suspended, no size changed',
    );

    // Verify by describing: web-1 is leaving (draining its target group), a replacement keeps the capacity.
    assert.equal((await membership(h))?.LifecycleState, 'Detaching');
    assert.deepEqual(await web1Targets(h), ['80:draining']);
    h.sim.world.clock.advance(DRAIN_MS);
    assert.equal(await membership(h), undefined);
    const contained = await groupState(h);
    assert.equal(contained.desired, 2);
    assert.equal(contained.members.length, 2);
    assert.ok(!contained.members.some((m) => m.startsWith(WEB1)));
    const rec = decodeRecord((await instanceTags(h))[PB_TAG.asg]);
    assert.deepEqual(
      { group: rec?.group, mode: rec?.mode, dec: rec?.dec, state: rec?.state },
      { group: ASG, mode: 'detach', dec: '0', state: 'InService' },
    );
    // The elb step left the group's own target group to the detach: no DeregisterTargets of its own.
    assert.equal(calls.filter((c) => c.action === 'DeregisterTargets').length, 0);
    assert.equal(r.apply.steps.find((s) => s.id === 'elb-deregister')!.status, 'done');

    // Idempotent re-run: nothing more to do for the group.
    const seq1 = lastSeq(h.sim);
    const again = await contain({ clients, instanceIds: [WEB1], stateDir, incident: 'ir-asg-1' });
    assert.equal(again.plan.changes.filter((c) => c.stepId === 'asg-detach').length, 0);
    assert.deepEqual(
      okCalls(h.sim, seq1).filter((c) => ASG_MUTATION.test(c.action)),
      [],
    );

    // Restore: re-attached, the replacement scaled in, sizes and members as described before.
    await restore({ clients, instanceIds: [WEB1], stateDir });
    assert.deepEqual(await groupState(h), original);
    assert.equal((await membership(h))?.LifecycleState, 'InService');
    assert.deepEqual(await web1Targets(h), ['80:healthy']);
    assert.equal((await instanceTags(h))[PB_TAG.asg], undefined, 'the record tag is removed');
    const seq2 = lastSeq(h.sim);
    await restore({ clients, instanceIds: [WEB1], stateDir });
    assert.deepEqual(
      okCalls(h.sim, seq2).filter((c) => ASG_MUTATION.test(c.action)),
      [],
      'a second restore changes nothing in the group',
    );
    clients.destroy();
  });

  test('restore while the instance is still draining out of its group is refused and changes nothing', async () => {
    await h.sim.reset('demo');
    const clients = cordonClients(h.sim);
    await contain({ clients, instanceIds: [WEB1], stateDir, incident: 'ir-asg-busy' });
    const seq0 = lastSeq(h.sim);
    await assert.rejects(
      restore({ clients, instanceIds: [WEB1], stateDir }),
      (e: unknown) => e instanceof CordonError && e.code === 'asg-busy',
    );
    assert.deepEqual(
      okCalls(h.sim, seq0).filter((c) => !c.action.startsWith('Describe') && !c.action.startsWith('Get')),
      [],
    );
    clients.destroy();
  });
});

describe('asg-detach --asg-decrement at the group minimum', () => {
  let h: SimHarness;
  const stateDir = tempStateDir();
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test('the plan says MinSize is lowered; it is, before a decrementing detach; restore puts min and desired back', async () => {
    const clients = cordonClients(h.sim);
    const original = await groupState(h);
    assert.equal(original.min, 2);
    assert.equal(original.desired, 2);
    const { plan } = await planContainment({
      clients,
      instanceIds: [WEB1],
      stateDir,
      incident: 'ir-asg-dec',
      playbook: { asgDecrement: true },
    });
    const change = plan.changes.find((c) => c.stepId === 'asg-detach')!;
    assert.match(change.summary, /lower storefront-web-asg's MinSize 2 → 1 \(it is at its minimum\)/);
    assert.match(change.summary, /desired capacity lowered by 1/);

    const seq0 = lastSeq(h.sim);
    const r = await contain({
      clients,
      instanceIds: [WEB1],
      stateDir,
      incident: 'ir-asg-dec',
      playbook: { asgDecrement: true },
    });
    assert.equal(r.instances[0]!.status, 'contained');
    const calls = okCalls(h.sim, seq0);
    const update = calls.find((c) => c.action === 'UpdateAutoScalingGroup')!;
    const detach = calls.find((c) => c.action === 'DetachInstances')!;
    assert.equal(update.params.MinSize, '1');
    assert.equal(detach.params.ShouldDecrementDesiredCapacity, 'true');
    assert.ok(update.seq < detach.seq, 'MinSize is lowered first');
    // Cold (the isolation groups are created first): the detach is done well before the swap onto the empty group.
    assert.ok(detach.seq < (await isolationEndSeq(h, seq0)));
    h.sim.world.clock.advance(DRAIN_MS);
    const contained = await groupState(h);
    assert.deepEqual(
      { min: contained.min, desired: contained.desired, members: contained.members.length },
      { min: 1, desired: 1, members: 1 },
      'no replacement launched',
    );
    assert.equal(decodeRecord((await instanceTags(h))[PB_TAG.asg])?.min, '2');

    await restore({ clients, instanceIds: [WEB1], stateDir });
    assert.deepEqual(await groupState(h), original);
    clients.destroy();
  });
});

describe('asg-detach --asg-standby and --no-asg', () => {
  let h: SimHarness;
  const stateDir = tempStateDir();
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test('standby: EnterStandby keeping capacity; restore exits standby and scales the replacement in', async () => {
    const clients = cordonClients(h.sim);
    const original = await groupState(h);
    const seq0 = lastSeq(h.sim);
    const r = await contain({
      clients,
      instanceIds: [WEB1],
      stateDir,
      incident: 'ir-asg-sb',
      playbook: { asg: 'standby' },
    });
    assert.equal(r.instances[0]!.status, 'contained');
    const calls = okCalls(h.sim, seq0);
    assert.equal(calls.filter((c) => c.action === 'DetachInstances').length, 0);
    const standby = calls.find((c) => c.action === 'EnterStandby')!;
    assert.equal(standby.params.ShouldDecrementDesiredCapacity, 'false');
    assert.ok(standby.seq < (await isolationEndSeq(h, seq0)));
    h.sim.world.clock.advance(DRAIN_MS);
    assert.equal((await membership(h))?.LifecycleState, 'Standby');
    assert.equal(
      (await groupState(h)).members.filter((m) => m.includes(':InService:')).length,
      2,
      'a replacement is in service',
    );

    await restore({ clients, instanceIds: [WEB1], stateDir });
    assert.deepEqual(await groupState(h), original);
    clients.destroy();
  });

  test('an instance that cannot leave its group yet: only the processes that would replace it are suspended, and only those resumed', async () => {
    await h.sim.reset('demo');
    const clients = cordonClients(h.sim);
    const g = h.sim.world.region('111122223333', 'us-east-1').autoscaling.groups.get(ASG)!;
    g.instances.find((m) => m.instanceId === WEB1)!.lifecycleState = 'Pending:Wait';
    g.suspendedProcesses.push({ processName: 'AZRebalance', suspensionReason: 'by the ops team' });
    const original = await groupState(h);
    const planned = await planContainment({ clients, instanceIds: [WEB1], stateDir, incident: 'ir-asg-pending' });
    assert.match(
      planned.plan.changes.find((c) => c.stepId === 'asg-detach')!.summary,
      /suspend HealthCheck, ReplaceUnhealthy on the group/,
    );
    const seq0 = lastSeq(h.sim);
    const r = await contain({ clients, instanceIds: [WEB1], stateDir, incident: 'ir-asg-pending' });
    assert.match(
      r.plan.changes.find((c) => c.stepId === 'asg-detach')!.summary,
      /cannot leave storefront-web-asg in its current state: suspend whichever of HealthCheck, ReplaceUnhealthy, AZRebalance are not suspended yet/,
    );
    const calls = okCalls(h.sim, seq0);
    assert.deepEqual(
      calls.filter((c) => c.action === 'SuspendProcesses').map((c) => c.params.ScalingProcesses),
      [['HealthCheck', 'ReplaceUnhealthy']],
    );
    assert.equal(calls.filter((c) => c.action === 'DetachInstances').length, 0);
    assert.deepEqual((await groupState(h)).suspended, ['AZRebalance', 'HealthCheck', 'ReplaceUnhealthy']);
    await restore({ clients, instanceIds: [WEB1], stateDir });
    assert.deepEqual(await groupState(h), original, 'AZRebalance, suspended by someone else, stays suspended');
    clients.destroy();
  });

  test("--no-asg: no Auto Scaling call; the load balancer step deregisters the group's target group itself, restore re-registers", async () => {
    await h.sim.reset('demo');
    const clients = cordonClients(h.sim);
    const original = await groupState(h);
    const { plan } = await planContainment({
      clients,
      instanceIds: [WEB1],
      stateDir,
      incident: 'ir-no-asg',
      playbook: { asg: 'skip' },
    });
    assert.ok(plan.warnings.some((w) => /stays in Auto Scaling group storefront-web-asg \(--no-asg\)/.test(w)));
    assert.match(plan.changes.find((c) => c.stepId === 'elb-deregister')!.summary, /deregister from storefront-web:80/);
    const seq0 = lastSeq(h.sim);
    await contain({ clients, instanceIds: [WEB1], stateDir, plan });
    const calls = okCalls(h.sim, seq0);
    assert.deepEqual(
      calls.filter((c) => c.action.match(/^(Detach|EnterStandby|UpdateAutoScaling|Suspend)/)),
      [],
    );
    const dereg = calls.filter((c) => c.action === 'DeregisterTargets');
    assert.equal(dereg.length, 1);
    assert.deepEqual(dereg[0]!.params.Targets, [{ Id: WEB1, Port: '80' }]);
    assert.equal((await membership(h))?.LifecycleState, 'InService');
    assert.deepEqual(await web1Targets(h), ['80:draining']);
    await restore({ clients, instanceIds: [WEB1], stateDir });
    assert.deepEqual(await web1Targets(h), ['80:healthy']);
    assert.deepEqual(await groupState(h), original);
    clients.destroy();
  });
});
