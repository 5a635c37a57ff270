// The simulated Auto Scaling service through the real SDK: groups, instances, detach / attach / standby,
// protection, processes, activities, replacement launches and draining on the simulated clock.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachInstancesCommand,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeScalingActivitiesCommand,
  DetachInstancesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
  ResumeProcessesCommand,
  SetInstanceProtectionCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, StopInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import { awsError, startHarness, type SimHarness } from '../helpers/sim.js';

const ASG = 'storefront-web-asg';
const WEB1 = 'i-0c0ffee0000000001';
const WEB2 = 'i-0c0ffee0000000002';
const BASTION = 'i-0c0ffee0000000003';
const WEB_A = 'subnet-0a1b2c3d4e5f60001';

async function demo(t: TestContext, scenario: Parameters<typeof startHarness>[0] = 'demo'): Promise<SimHarness> {
  const h = await startHarness(scenario);
  t.after(() => h.close());
  return h;
}

async function group(h: SimHarness, name = ASG): Promise<AutoScalingGroup> {
  const r = await h.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  assert.equal(r.AutoScalingGroups?.length, 1, `group ${name} exists`);
  return r.AutoScalingGroups![0]!;
}

async function instance(h: SimHarness, id: string): Promise<Instance> {
  const r = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return r.Reservations![0]!.Instances![0]!;
}

async function tgArn(h: SimHarness): Promise<string> {
  const r = await h.elbv2.send(new DescribeTargetGroupsCommand({ Names: ['storefront-web'] }));
  return r.TargetGroups![0]!.TargetGroupArn!;
}

async function targetStates(h: SimHarness): Promise<Record<string, string>> {
  const r = await h.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: await tgArn(h) }));
  return Object.fromEntries((r.TargetHealthDescriptions ?? []).map((d) => [d.Target!.Id!, d.TargetHealth!.State!]));
}

function advance(h: SimHarness, seconds: number): void {
  h.sim.world.clock.advance(seconds * 1000);
}

test('DescribeAutoScalingGroups returns the group with its instances, tags, target groups and launch template', async (t) => {
  const h = await demo(t);
  const g = await group(h);
  assert.equal(g.MinSize, 2);
  assert.equal(g.MaxSize, 4);
  assert.equal(g.DesiredCapacity, 2);
  assert.equal(g.HealthCheckType, 'ELB');
  assert.deepEqual(g.AvailabilityZones, ['us-east-1a', 'us-east-1b']);
  assert.equal(g.VPCZoneIdentifier, 'subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002');
  assert.deepEqual(g.TargetGroupARNs, [await tgArn(h)]);
  assert.match(
    g.AutoScalingGroupARN!,
    /^arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:.+:autoScalingGroupName\/storefront-web-asg$/,
  );
  assert.equal(g.LaunchTemplate?.LaunchTemplateName, 'storefront-web-asg-lt');
  assert.deepEqual(
    g.Instances!.map((i) => [
      i.InstanceId,
      i.LifecycleState,
      i.HealthStatus,
      i.ProtectedFromScaleIn,
      i.AvailabilityZone,
    ]),
    [
      [WEB1, 'InService', 'Healthy', false, 'us-east-1a'],
      [WEB2, 'InService', 'Healthy', false, 'us-east-1b'],
    ],
  );
  assert.deepEqual(g.Tags, [
    { ResourceId: ASG, ResourceType: 'auto-scaling-group', Key: 'app', Value: 'storefront', PropagateAtLaunch: true },
  ]);
  assert.deepEqual(g.SuspendedProcesses, []);
  assert.ok(g.CreatedTime instanceof Date);
});

test('DescribeAutoScalingGroups: unknown names are left out; tag filters; MaxRecords / NextToken paging', async (t) => {
  const h = await demo(t);
  assert.deepEqual(
    (await h.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['nope'] }))).AutoScalingGroups,
    [],
  );
  const byTag = await h.asg.send(
    new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'tag:app', Values: ['storefront'] }] }),
  );
  assert.deepEqual(
    byTag.AutoScalingGroups!.map((g) => g.AutoScalingGroupName),
    [ASG],
  );
  const none = await h.asg.send(
    new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'tag-value', Values: ['other'] }] }),
  );
  assert.deepEqual(none.AutoScalingGroups, []);
  const badFilter = await awsError(() =>
    h.asg.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'instance-id', Values: ['x'] }] })),
  );
  assert.deepEqual([badFilter.name, badFilter.status], ['ValidationError', 400]);

  for (const name of ['a-1', 'a-2']) {
    await h.asg.send(
      new CreateAutoScalingGroupCommand({ AutoScalingGroupName: name, MinSize: 0, MaxSize: 1, InstanceId: BASTION }),
    );
  }
  const p1 = await h.asg.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 2 }));
  assert.deepEqual(
    p1.AutoScalingGroups!.map((g) => g.AutoScalingGroupName),
    ['a-1', 'a-2'],
  );
  assert.ok(p1.NextToken);
  const p2 = await h.asg.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 2, NextToken: p1.NextToken }));
  assert.deepEqual(
    p2.AutoScalingGroups!.map((g) => g.AutoScalingGroupName),
    [ASG],
  );
  assert.equal(p2.NextToken, undefined);
  const bad = await awsError(() => h.asg.send(new DescribeAutoScalingGroupsCommand({ NextToken: 'garbage' })));
  assert.deepEqual([bad.name, bad.status], ['InvalidNextToken', 400]);
  const tooMany = await awsError(() => h.asg.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 101 })));
  assert.deepEqual([tooMany.name, tooMany.status], ['ValidationError', 400]);
  assert.match(tooMany.message, /maxRecords/);
});

test('DescribeAutoScalingInstances lists group members only (HEALTHY in capitals); others are simply absent', async (t) => {
  const h = await demo(t);
  const r = await h.asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [WEB1, BASTION] }));
  assert.equal(r.AutoScalingInstances!.length, 1);
  const i = r.AutoScalingInstances![0]!;
  assert.deepEqual(
    [i.InstanceId, i.AutoScalingGroupName, i.LifecycleState, i.HealthStatus, i.AvailabilityZone, i.InstanceType],
    [WEB1, ASG, 'InService', 'HEALTHY', 'us-east-1a', 'm6i.large'],
  );
  const all = await h.asg.send(new DescribeAutoScalingInstancesCommand({}));
  assert.deepEqual(
    all.AutoScalingInstances!.map((x) => x.InstanceId),
    [WEB1, WEB2],
  );
});

test('DetachInstances with decrement at the minimum size fails with ValidationError and changes nothing', async (t) => {
  const h = await demo(t);
  const e = await awsError(() =>
    h.asg.send(
      new DetachInstancesCommand({
        AutoScalingGroupName: ASG,
        InstanceIds: [WEB1],
        ShouldDecrementDesiredCapacity: true,
      }),
    ),
  );
  assert.deepEqual([e.name, e.status], ['ValidationError', 400]);
  assert.equal(
    e.message,
    `AutoScalingGroup ${ASG} has min-size=2, max-size=4, and desired-size=2. To detach 1 instance, please update the AutoScalingGroup sizes appropriately.`,
  );
  const g = await group(h);
  assert.equal(g.DesiredCapacity, 2);
  assert.deepEqual(
    g.Instances!.map((i) => i.LifecycleState),
    ['InService', 'InService'],
  );
  assert.equal((await instance(h, WEB1)).Tags!.find((x) => x.Key === 'aws:autoscaling:groupName')?.Value, ASG);
  assert.equal((await targetStates(h))[WEB1], 'healthy');
});

test('DetachInstances after lowering MinSize: desired capacity drops, no replacement, target drains', async (t) => {
  const h = await demo(t);
  await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: ASG, MinSize: 1 }));
  const r = await h.asg.send(
    new DetachInstancesCommand({
      AutoScalingGroupName: ASG,
      InstanceIds: [WEB1],
      ShouldDecrementDesiredCapacity: true,
    }),
  );
  const act = r.Activities![0]!;
  assert.equal(act.Description, `Detaching EC2 instance: ${WEB1}`);
  assert.match(
    act.Cause!,
    new RegExp(`instance ${WEB1} was detached in response to a user request, shrinking the capacity from 2 to 1\\.$`),
  );
  assert.equal(act.StatusCode, 'InProgress');
  assert.deepEqual(JSON.parse(act.Details!), { 'Availability Zone': 'us-east-1a', 'Subnet ID': WEB_A });
  const g = await group(h);
  assert.equal(g.DesiredCapacity, 1);
  assert.equal(g.MinSize, 1);
  assert.deepEqual(
    g.Instances!.map((i) => [i.InstanceId, i.LifecycleState]),
    [
      [WEB1, 'Detaching'],
      [WEB2, 'InService'],
    ],
  );
  assert.deepEqual(await targetStates(h), { [WEB1]: 'draining', [WEB2]: 'healthy' });
});

test('DetachInstances without decrement launches a clone in the same subnet and registers it; the detached instance drains out', async (t) => {
  const h = await demo(t);
  const web2 = await instance(h, WEB2);
  const r = await h.asg.send(
    new DetachInstancesCommand({
      AutoScalingGroupName: ASG,
      InstanceIds: [WEB1],
      ShouldDecrementDesiredCapacity: false,
    }),
  );
  assert.match(r.Activities![0]!.Cause!, /was detached in response to a user request\.$/);

  // The detached instance loses the group tag at once and is deregistered from the target group (draining).
  const web1 = await instance(h, WEB1);
  assert.equal(
    web1.Tags!.find((x) => x.Key === 'aws:autoscaling:groupName'),
    undefined,
  );
  assert.equal(web1.State?.Name, 'running');

  const g = await group(h);
  assert.equal(g.DesiredCapacity, 2);
  const replacement = g.Instances!.find((i) => i.InstanceId !== WEB1 && i.InstanceId !== WEB2);
  assert.ok(replacement, 'a replacement was launched');
  assert.equal(replacement.LifecycleState, 'InService');
  assert.equal(replacement.AvailabilityZone, 'us-east-1a');
  const clone = await instance(h, replacement.InstanceId!);
  assert.equal(clone.SubnetId, WEB_A);
  assert.equal(clone.VpcId, web2.VpcId);
  assert.equal(clone.ImageId, web2.ImageId);
  assert.equal(clone.InstanceType, 'm6i.large');
  assert.equal(clone.IamInstanceProfile?.Arn, web2.IamInstanceProfile?.Arn);
  assert.deepEqual(clone.NetworkInterfaces!.length, 1);
  assert.deepEqual(
    clone.NetworkInterfaces![0]!.Groups!.map((x) => x.GroupId).sort(),
    web2.SecurityGroups!.map((x) => x.GroupId).sort(),
  );
  assert.equal(clone.NetworkInterfaces![0]!.SubnetId, WEB_A);
  assert.equal(clone.Tags!.find((x) => x.Key === 'aws:autoscaling:groupName')?.Value, ASG);
  assert.equal(clone.Tags!.find((x) => x.Key === 'app')?.Value, 'storefront', 'PropagateAtLaunch tags are applied');
  assert.deepEqual(await targetStates(h), {
    [WEB1]: 'draining',
    [WEB2]: 'healthy',
    [replacement.InstanceId!]: 'healthy',
  });

  const acts = await h.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: ASG }));
  assert.deepEqual(
    acts.Activities!.map((a) => a.Description),
    [`Launching a new EC2 instance: ${replacement.InstanceId}`, `Detaching EC2 instance: ${WEB1}`],
  );

  // 300 s deregistration delay: still draining just before, gone after; the ASG then forgets the instance.
  advance(h, 299);
  assert.equal((await targetStates(h))[WEB1], 'draining');
  assert.equal(
    (await h.asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [WEB1] }))).AutoScalingInstances![0]!
      .LifecycleState,
    'Detaching',
  );
  advance(h, 2);
  assert.equal((await targetStates(h))[WEB1], undefined);
  assert.deepEqual(
    (await h.asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [WEB1] }))).AutoScalingInstances,
    [],
  );
  const after = await h.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: ASG }));
  assert.deepEqual(
    after.Activities!.map((a) => a.StatusCode),
    ['Successful', 'Successful'],
  );
  assert.ok(after.Activities![1]!.EndTime instanceof Date);
});

test('DetachInstances input errors: unknown group, instance not in the group, more than 20 ids, missing decrement flag', async (t) => {
  const h = await demo(t);
  const noGroup = await awsError(() =>
    h.asg.send(
      new DetachInstancesCommand({
        AutoScalingGroupName: 'nope',
        InstanceIds: [WEB1],
        ShouldDecrementDesiredCapacity: false,
      }),
    ),
  );
  assert.deepEqual([noGroup.name, noGroup.status], ['ValidationError', 400]);
  assert.match(noGroup.message, /AutoScalingGroup name not found/);
  const notMember = await awsError(() =>
    h.asg.send(
      new DetachInstancesCommand({
        AutoScalingGroupName: ASG,
        InstanceIds: [BASTION],
        ShouldDecrementDesiredCapacity: false,
      }),
    ),
  );
  assert.equal(notMember.message, `The instance ${BASTION} is not part of Auto Scaling group ${ASG}.`);
  const ids = Array.from({ length: 21 }, (_, i) => `i-0c0ffee00000001${String(i).padStart(2, '0')}`);
  const many = await awsError(() =>
    h.asg.send(
      new DetachInstancesCommand({
        AutoScalingGroupName: ASG,
        InstanceIds: ids,
        ShouldDecrementDesiredCapacity: false,
      }),
    ),
  );
  assert.deepEqual([many.name, many.status], ['ValidationError', 400]);
  assert.match(many.message, /instanceIds.*less than or equal to 20/);
  const noFlag = await awsError(() =>
    h.asg.send(new DetachInstancesCommand({ AutoScalingGroupName: ASG, InstanceIds: [WEB1] } as never)),
  );
  assert.match(noFlag.message, /shouldDecrementDesiredCapacity.*must not be null/);
  assert.equal((await group(h)).Instances!.length, 2);
});

test("DetachInstances also deregisters from the group's classic load balancers", async (t) => {
  const h = await demo(t, classicScenario());
  await h.asg.send(
    new DetachInstancesCommand({
      AutoScalingGroupName: 'g',
      InstanceIds: ['i-0000000000000000a'],
      ShouldDecrementDesiredCapacity: true,
    }),
  );
  const lb = await h.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: ['legacy'] }));
  assert.deepEqual(lb.LoadBalancerDescriptions![0]!.Instances, [{ InstanceId: 'i-0000000000000000b' }]);
  // No target group: nothing to drain, the instance leaves the group at once.
  assert.deepEqual(
    (await h.asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: ['i-0000000000000000a'] })))
      .AutoScalingInstances,
    [],
  );
});

test('AttachInstances adds the instance, raises desired capacity, tags and registers it; respects MaxSize', async (t) => {
  const h = await demo(t);
  await h.asg.send(new AttachInstancesCommand({ AutoScalingGroupName: ASG, InstanceIds: [BASTION] }));
  const g = await group(h);
  assert.equal(g.DesiredCapacity, 3);
  assert.equal(g.Instances!.find((i) => i.InstanceId === BASTION)?.LifecycleState, 'InService');
  assert.equal((await instance(h, BASTION)).Tags!.find((x) => x.Key === 'aws:autoscaling:groupName')?.Value, ASG);
  assert.equal((await targetStates(h))[BASTION], 'healthy');
  const again = await awsError(() =>
    h.asg.send(new AttachInstancesCommand({ AutoScalingGroupName: ASG, InstanceIds: [BASTION] })),
  );
  assert.deepEqual([again.name, again.status], ['ValidationError', 400]);

  await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: ASG, MaxSize: 3 }));
  await h.asg.send(
    new DetachInstancesCommand({
      AutoScalingGroupName: ASG,
      InstanceIds: [BASTION],
      ShouldDecrementDesiredCapacity: false,
    }),
  );
  // Still Detaching while its target drains: it is part of the group until then.
  const draining = await awsError(() =>
    h.asg.send(new AttachInstancesCommand({ AutoScalingGroupName: ASG, InstanceIds: [BASTION] })),
  );
  assert.match(draining.message, /already part of the Auto Scaling group/);
  advance(h, 301);
  // The group launched a replacement and is at MaxSize 3 again: attaching one more is refused.
  assert.equal((await group(h)).DesiredCapacity, 3);
  assert.equal((await group(h)).Instances!.length, 3);
  const full = await awsError(() =>
    h.asg.send(new AttachInstancesCommand({ AutoScalingGroupName: ASG, InstanceIds: [BASTION] })),
  );
  assert.deepEqual([full.name, full.status], ['ValidationError', 400]);
  assert.equal(
    full.message,
    `AutoScalingGroup ${ASG} has min-size=2, max-size=3, and desired-size=3. To attach 1 instance, please update the AutoScalingGroup sizes appropriately.`,
  );
});

test('EnterStandby / ExitStandby: min-size rule, draining, Launch must not be suspended, capacity restored', async (t) => {
  const h = await demo(t);
  const atMin = await awsError(() =>
    h.asg.send(
      new EnterStandbyCommand({ AutoScalingGroupName: ASG, InstanceIds: [WEB2], ShouldDecrementDesiredCapacity: true }),
    ),
  );
  assert.deepEqual([atMin.name, atMin.status], ['ValidationError', 400]);
  await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: ASG, MinSize: 1 }));
  const r = await h.asg.send(
    new EnterStandbyCommand({ AutoScalingGroupName: ASG, InstanceIds: [WEB2], ShouldDecrementDesiredCapacity: true }),
  );
  assert.equal(r.Activities![0]!.Description, `Moving EC2 instance to Standby: ${WEB2}`);
  assert.match(
    r.Activities![0]!.Cause!,
    /moved to standby in response to a user request, shrinking the capacity from 2 to 1\.$/,
  );
  let g = await group(h);
  assert.equal(g.DesiredCapacity, 1);
  assert.equal(g.Instances!.find((i) => i.InstanceId === WEB2)?.LifecycleState, 'EnteringStandby');
  assert.equal((await targetStates(h))[WEB2], 'draining');
  const notInService = await awsError(() =>
    h.asg.send(
      new EnterStandbyCommand({ AutoScalingGroupName: ASG, InstanceIds: [WEB2], ShouldDecrementDesiredCapacity: true }),
    ),
  );
  assert.equal(notInService.message, `The instance ${WEB2} is not in InService.`);

  advance(h, 301);
  g = await group(h);
  assert.equal(g.Instances!.find((i) => i.InstanceId === WEB2)?.LifecycleState, 'Standby');
  assert.equal(g.Instances!.length, 2, 'no replacement when the capacity was decremented');

  await h.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: ASG, ScalingProcesses: ['Launch'] }));
  const suspended = await awsError(() =>
    h.asg.send(new ExitStandbyCommand({ AutoScalingGroupName: ASG, InstanceIds: [WEB2] })),
  );
  assert.deepEqual([suspended.name, suspended.status], ['ValidationError', 400]);
  await h.asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: ASG, ScalingProcesses: ['Launch'] }));

  const out = await h.asg.send(new ExitStandbyCommand({ AutoScalingGroupName: ASG, InstanceIds: [WEB2] }));
  assert.match(
    out.Activities![0]!.Cause!,
    /moved out of standby in response to a user request, increasing the capacity from 1 to 2\.$/,
  );
  g = await group(h);
  assert.equal(g.DesiredCapacity, 2);
  assert.equal(g.Instances!.find((i) => i.InstanceId === WEB2)?.LifecycleState, 'InService');
  assert.equal((await targetStates(h))[WEB2], 'healthy');
  const notStandby = await awsError(() =>
    h.asg.send(new ExitStandbyCommand({ AutoScalingGroupName: ASG, InstanceIds: [WEB2] })),
  );
  assert.equal(notStandby.message, `The instance ${WEB2} is not in Standby.`);
});

test('EnterStandby without decrement keeps the capacity by launching a replacement', async (t) => {
  const h = await demo(t);
  await h.asg.send(
    new EnterStandbyCommand({ AutoScalingGroupName: ASG, InstanceIds: [WEB1], ShouldDecrementDesiredCapacity: false }),
  );
  const g = await group(h);
  assert.equal(g.DesiredCapacity, 2);
  assert.equal(g.Instances!.length, 3);
  assert.deepEqual(g.Instances!.filter((i) => i.LifecycleState === 'InService').length, 2);
});

test('SetInstanceProtection is read back; an instance outside the group is refused', async (t) => {
  const h = await demo(t);
  await h.asg.send(
    new SetInstanceProtectionCommand({ AutoScalingGroupName: ASG, InstanceIds: [WEB1], ProtectedFromScaleIn: true }),
  );
  const g = await group(h);
  assert.deepEqual(
    g.Instances!.map((i) => i.ProtectedFromScaleIn),
    [true, false],
  );
  const e = await awsError(() =>
    h.asg.send(
      new SetInstanceProtectionCommand({
        AutoScalingGroupName: ASG,
        InstanceIds: [BASTION],
        ProtectedFromScaleIn: true,
      }),
    ),
  );
  assert.deepEqual([e.name, e.status], ['ValidationError', 400]);
  // Scale-in keeps the protected instance.
  await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: ASG, MinSize: 1, DesiredCapacity: 1 }));
  const after = await group(h);
  assert.deepEqual(
    after.Instances!.map((i) => i.InstanceId),
    [WEB1],
  );
  assert.equal((await instance(h, WEB2)).State?.Name, 'shutting-down');
});

test('SuspendProcesses / ResumeProcesses: named processes, all processes, invalid names', async (t) => {
  const h = await demo(t);
  await h.asg.send(
    new SuspendProcessesCommand({ AutoScalingGroupName: ASG, ScalingProcesses: ['HealthCheck', 'ReplaceUnhealthy'] }),
  );
  let g = await group(h);
  assert.deepEqual(
    g.SuspendedProcesses!.map((s) => s.ProcessName),
    ['HealthCheck', 'ReplaceUnhealthy'],
  );
  assert.match(g.SuspendedProcesses![0]!.SuspensionReason!, /^User suspended at \d{4}-/);
  const bad = await awsError(() =>
    h.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: ASG, ScalingProcesses: ['Reboot'] })),
  );
  assert.deepEqual([bad.name, bad.status], ['ValidationError', 400]);
  await h.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: ASG }));
  g = await group(h);
  assert.equal(g.SuspendedProcesses!.length, 9);
  await h.asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: ASG, ScalingProcesses: ['Launch'] }));
  assert.equal(
    (await group(h)).SuspendedProcesses!.some((s) => s.ProcessName === 'Launch'),
    false,
  );
  await h.asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: ASG }));
  assert.deepEqual((await group(h)).SuspendedProcesses, []);
});

test('a stopped member is replaced by the health check unless HealthCheck is suspended', async (t) => {
  const h = await demo(t);
  await h.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: ASG, ScalingProcesses: ['HealthCheck'] }));
  await h.ec2.send(new StopInstancesCommand({ InstanceIds: [WEB2] }));
  advance(h, 301); // past the health check grace period
  let g = await group(h);
  assert.deepEqual(
    g.Instances!.map((i) => [i.InstanceId, i.HealthStatus]),
    [
      [WEB1, 'Healthy'],
      [WEB2, 'Healthy'],
    ],
  );

  await h.asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: ASG, ScalingProcesses: ['HealthCheck'] }));
  g = await group(h);
  assert.equal(
    g.Instances!.some((i) => i.InstanceId === WEB2),
    false,
    'the unhealthy instance left the group',
  );
  assert.equal(g.Instances!.length, 2, 'and was replaced');
  assert.equal((await instance(h, WEB2)).State?.Name, 'shutting-down');
  const acts = await h.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: ASG }));
  assert.ok(acts.Activities!.some((a) => a.Description === `Terminating EC2 instance: ${WEB2}`));
});

test('CreateAutoScalingGroup launches to the desired capacity from a template instance; errors for bad input', async (t) => {
  const h = await demo(t);
  const arn = await tgArn(h);
  await h.asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'ops',
      MinSize: 1,
      MaxSize: 3,
      DesiredCapacity: 2,
      InstanceId: BASTION,
      VPCZoneIdentifier: 'subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002',
      TargetGroupARNs: [arn],
      Tags: [{ Key: 'team', Value: 'ops', PropagateAtLaunch: false }],
    }),
  );
  const g = await group(h, 'ops');
  assert.equal(g.DesiredCapacity, 2);
  assert.equal(g.Instances!.length, 2);
  assert.deepEqual(
    g.Instances!.map((i) => i.AvailabilityZone).sort(),
    ['us-east-1a', 'us-east-1b'],
    'spread over the zones',
  );
  const states = await targetStates(h);
  for (const i of g.Instances!) assert.equal(states[i.InstanceId!], 'healthy');
  const launched = await instance(h, g.Instances![0]!.InstanceId!);
  assert.equal(launched.InstanceType, 't3.micro');
  assert.equal(
    launched.Tags!.some((x) => x.Key === 'team'),
    false,
    'PropagateAtLaunch=false tags stay on the group',
  );

  const dup = await awsError(() =>
    h.asg.send(
      new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'ops', MinSize: 0, MaxSize: 1, InstanceId: BASTION }),
    ),
  );
  assert.deepEqual([dup.name, dup.status], ['AlreadyExistsFault', 400]);
  const bounds = await awsError(() =>
    h.asg.send(
      new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'x', MinSize: 2, MaxSize: 1, InstanceId: BASTION }),
    ),
  );
  assert.deepEqual([bounds.name, bounds.status], ['ValidationError', 400]);
  const subnet = await awsError(() =>
    h.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'x',
        MinSize: 0,
        MaxSize: 1,
        InstanceId: BASTION,
        VPCZoneIdentifier: 'subnet-0000000000000dead',
      }),
    ),
  );
  assert.match(subnet.message, /subnet-0000000000000dead/);
  const noSource = await awsError(() =>
    h.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'x',
        MinSize: 0,
        MaxSize: 1,
        VPCZoneIdentifier: WEB_A,
      }),
    ),
  );
  assert.match(noSource.message, /LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy/);
  assert.deepEqual(
    (await h.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['x'] }))).AutoScalingGroups,
    [],
  );
});

test('UpdateAutoScalingGroup: MinSize above desired raises it and launches; bounds are checked', async (t) => {
  const h = await demo(t);
  await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: ASG, MinSize: 3 }));
  let g = await group(h);
  assert.deepEqual([g.MinSize, g.DesiredCapacity, g.MaxSize, g.Instances!.length], [3, 3, 4, 3]);
  const desired = await awsError(() =>
    h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: ASG, DesiredCapacity: 5 })),
  );
  assert.equal(desired.message, 'Desired capacity:5 must be between the specified min size:3 and max size:4');
  const max = await awsError(() =>
    h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: ASG, MaxSize: 2 })),
  );
  assert.deepEqual([max.name, max.status], ['ValidationError', 400]);
  const missing = await awsError(() =>
    h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'nope', MinSize: 0 })),
  );
  assert.match(missing.message, /AutoScalingGroup name not found/);
  g = await group(h);
  assert.deepEqual([g.MinSize, g.DesiredCapacity, g.MaxSize], [3, 3, 4]);
});

test('DescribeScalingActivities: newest first, by group, paged', async (t) => {
  const h = await demo(t);
  await h.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: ASG, MinSize: 0 }));
  await h.asg.send(
    new DetachInstancesCommand({
      AutoScalingGroupName: ASG,
      InstanceIds: [WEB1],
      ShouldDecrementDesiredCapacity: true,
    }),
  );
  await h.asg.send(
    new DetachInstancesCommand({
      AutoScalingGroupName: ASG,
      InstanceIds: [WEB2],
      ShouldDecrementDesiredCapacity: true,
    }),
  );
  const all = await h.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: ASG }));
  assert.deepEqual(
    all.Activities!.map((a) => a.Description),
    [`Detaching EC2 instance: ${WEB2}`, `Detaching EC2 instance: ${WEB1}`],
  );
  const p1 = await h.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: ASG, MaxRecords: 1 }));
  assert.equal(p1.Activities!.length, 1);
  const p2 = await h.asg.send(
    new DescribeScalingActivitiesCommand({ AutoScalingGroupName: ASG, MaxRecords: 1, NextToken: p1.NextToken }),
  );
  assert.equal(p2.Activities![0]!.Description, `Detaching EC2 instance: ${WEB1}`);
  assert.equal(p2.NextToken, undefined);
  const byId = await h.asg.send(
    new DescribeScalingActivitiesCommand({ ActivityIds: [p2.Activities![0]!.ActivityId!] }),
  );
  assert.equal(byId.Activities!.length, 1);
  assert.deepEqual(
    (await h.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'other' }))).Activities,
    [],
  );
});

function classicScenario(): Record<string, unknown> {
  return {
    name: 'classic',
    accounts: [
      {
        id: '111122223333',
        credentials: [{ accessKeyId: 'AKIADEMORESPONDER01' }],
        regions: [
          {
            name: 'us-east-1',
            vpcs: [
              {
                name: 'v',
                cidr: '10.9.0.0/16',
                subnets: [{ name: 's', cidr: '10.9.1.0/24', az: 'us-east-1a' }],
                securityGroups: [{ name: 'web' }],
              },
            ],
            instances: [
              { id: 'i-0000000000000000a', subnet: 's', securityGroups: ['web'] },
              { id: 'i-0000000000000000b', subnet: 's', securityGroups: ['web'] },
            ],
            classicLoadBalancers: [
              {
                name: 'legacy',
                vpc: 'v',
                subnets: ['s'],
                securityGroups: ['web'],
                instances: ['i-0000000000000000a', 'i-0000000000000000b'],
              },
            ],
            autoScalingGroups: [
              {
                name: 'g',
                min: 1,
                max: 3,
                instances: ['i-0000000000000000a', 'i-0000000000000000b'],
                classicLoadBalancers: ['legacy'],
              },
            ],
          },
        ],
      },
    ],
  };
}
