// Load balancers (a target group on an overridden port, a classic load balancer), IAM (disassociation, session
// revocation with the exact policy JSON, its order after the disassociation), IMDS and evidence preservation —
// applied to the bastion of the demo (not in any Auto Scaling group), verified by describing again, restored to
// the described original, and re-run.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeInstancesCommand,
  DescribeInstanceAttributeCommand,
  DescribeIamInstanceProfileAssociationsCommand,
} from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import { GetRolePolicyCommand, ListRolePoliciesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { cordonClients, tempStateDir, withoutCordonTags } from '../helpers/cordon.js';
import { ACCOUNT, BASTION, WEB2, demoPlus, lastSeq, okCalls } from '../helpers/playbook.js';
import { contain, planContainment } from '../../src/engine/contain.js';
import { restore } from '../../src/engine/restore.js';
import { cutoffTime, instanceArn, revocationPolicy } from '../../src/core/playbook.js';

const ROLE = 'web-app-role';

/** Everything the playbook touches on the bastion, as AWS describes it (cordon's own tags left out). */
async function described(h: SimHarness) {
  const inst = (await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [BASTION] }))).Reservations![0]!
    .Instances![0]!;
  const attr = async (a: 'disableApiTermination' | 'instanceInitiatedShutdownBehavior') =>
    h.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: BASTION, Attribute: a }));
  const tg = (await h.elbv2.send(new DescribeTargetGroupsCommand({ Names: ['admin-api'] }))).TargetGroups![0]!;
  const health = await h.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
  const clb = (await h.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: ['legacy-elb'] })))
    .LoadBalancerDescriptions![0]!;
  const assoc = await h.ec2.send(
    new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [BASTION] }] }),
  );
  return {
    termination: (await attr('disableApiTermination')).DisableApiTermination?.Value,
    shutdown: (await attr('instanceInitiatedShutdownBehavior')).InstanceInitiatedShutdownBehavior?.Value,
    deleteOnTermination: (inst.BlockDeviceMappings ?? []).map((b) => `${b.DeviceName}:${b.Ebs?.DeleteOnTermination}`),
    imds: inst.MetadataOptions?.HttpEndpoint,
    profile: inst.IamInstanceProfile?.Arn,
    associations: (assoc.IamInstanceProfileAssociations ?? []).map((a) => `${a.IamInstanceProfile?.Arn}:${a.State}`),
    targets: (health.TargetHealthDescriptions ?? [])
      .filter((d) => d.Target?.Id === BASTION)
      .map((d) => `${d.Target!.Port}:${d.TargetHealth!.State}`),
    classic: (clb.Instances ?? []).map((i) => i.InstanceId),
    tags: withoutCordonTags(inst.Tags ?? []),
  };
}

async function rolePolicies(h: SimHarness): Promise<string[]> {
  return (await h.iam.send(new ListRolePoliciesCommand({ RoleName: ROLE }))).PolicyNames ?? [];
}

async function policyDocument(h: SimHarness, name: string): Promise<string> {
  return decodeURIComponent(
    (await h.iam.send(new GetRolePolicyCommand({ RoleName: ROLE, PolicyName: name }))).PolicyDocument!,
  );
}

describe('load balancers, IAM, IMDS and preservation on an instance outside any Auto Scaling group', () => {
  let h: SimHarness;
  const stateDir = tempStateDir();
  before(async () => {
    h = await startHarness(demoPlus());
  });
  after(async () => h.close());

  test('plan shows every registration; contain changes each layer; restore puts back the described original; reruns change nothing', async () => {
    const clients = cordonClients(h.sim);
    const original = await described(h);
    assert.deepEqual(original.targets, ['9090:healthy']);
    assert.deepEqual(original.classic, [BASTION]);
    assert.equal(original.imds, 'enabled');
    assert.equal(original.shutdown, 'terminate');
    assert.equal(original.termination, false);
    const policiesBefore = await rolePolicies(h);

    const { plan } = await planContainment({
      clients,
      instanceIds: [BASTION],
      stateDir,
      incident: 'ir-inst',
      playbook: { revokeSessions: true },
    });
    const summaries = Object.fromEntries(
      plan.changes.filter((c) => c.instanceId === BASTION).map((c) => [c.stepId, c.summary]),
    );
    assert.match(summaries['elb-deregister']!, /admin-api:9090, classic legacy-elb/);
    assert.match(summaries['iam-disassociate-profile']!, /web-app-profile/);
    assert.match(summaries['iam-revoke-sessions']!, /cordon-revoke-sessions-i-0c0ffee0000000003 on web-app-role/);
    assert.match(summaries['imds-disable']!, /enabled → disabled/);
    assert.match(summaries['preserve-termination-protection']!, /off → on/);
    assert.match(summaries['preserve-shutdown-behaviour']!, /terminate → stop/);
    assert.match(summaries['preserve-volumes']!, /DeleteOnTermination → false/);

    const seq0 = lastSeq(h.sim);
    const r = await contain({ clients, instanceIds: [BASTION], stateDir, plan });
    assert.equal(r.instances[0]!.status, 'contained');
    const calls = okCalls(h.sim, seq0);
    // The same port it was registered with.
    assert.deepEqual(calls.find((c) => c.action === 'DeregisterTargets')!.params.Targets, [
      { Id: BASTION, Port: '9090' },
    ]);
    // Revocation only after the disassociation has finished (otherwise IMDS hands out fresh credentials).
    const disassoc = calls.find((c) => c.action === 'DisassociateIamInstanceProfile')!;
    const put = calls.find((c) => c.action === 'PutRolePolicy')!;
    assert.ok(disassoc.seq < put.seq);
    const disassocTime = Date.parse(h.sim.world.calls.find((c) => c.seq === disassoc.seq)!.time);

    const contained = await described(h);
    assert.deepEqual(contained.targets, ['9090:draining']);
    assert.deepEqual(contained.classic, []);
    assert.equal(contained.imds, 'disabled');
    assert.equal(contained.profile, undefined);
    assert.deepEqual(contained.associations, []);
    assert.equal(contained.termination, true);
    assert.equal(contained.shutdown, 'stop');
    assert.ok(contained.deleteOnTermination.every((d) => d.endsWith(':false')));

    // The policy is exactly the IAM user guide's revocation deny, scoped to this instance's credentials.
    const name = 'cordon-revoke-sessions-i-0c0ffee0000000003';
    const doc = await policyDocument(h, name);
    const cutoff = JSON.parse(doc).Statement.Condition.DateLessThan['aws:TokenIssueTime'] as string;
    assert.match(cutoff, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Date.parse(cutoff) >= disassocTime, 'the cut-off is not before the disassociation');
    assert.equal(
      doc,
      `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"${cutoff}"},"ArnEquals":{"ec2:SourceInstanceARN":"arn:aws:ec2:us-east-1:${ACCOUNT}:instance/${BASTION}"}}}}`,
    );

    // Rerun: nothing left to change on any layer.
    const seq1 = lastSeq(h.sim);
    const again = await contain({
      clients,
      instanceIds: [BASTION],
      stateDir,
      incident: 'ir-inst',
      playbook: { revokeSessions: true },
    });
    assert.deepEqual(
      again.plan.changes.map((c) => c.stepId),
      [],
    );
    assert.deepEqual(
      okCalls(h.sim, seq1)
        .filter((c) => !/^(Describe|Get|List|CreateTags)/.test(c.action))
        .map((c) => c.action),
      [],
    );

    // Restore: every layer back; the revocation is kept unless asked.
    await restore({ clients, instanceIds: [BASTION], stateDir });
    const restored = await described(h);
    assert.deepEqual({ ...restored, targets: restored.targets }, { ...original });
    assert.ok((await rolePolicies(h)).includes(name), 'the revocation is kept by default');
    const seq2 = lastSeq(h.sim);
    await restore({ clients, instanceIds: [BASTION], stateDir });
    assert.deepEqual(
      okCalls(h.sim, seq2)
        .filter((c) => !/^(Describe|Get|List)/.test(c.action))
        .map((c) => c.action),
      ['CreateTags'],
      'a second restore only re-marks the instance released',
    );
    await restore({ clients, instanceIds: [BASTION], stateDir, removeRevocation: true });
    assert.deepEqual((await rolePolicies(h)).sort(), [...policiesBefore].sort());
    clients.destroy();
  });

  test("--revoke-scope role: the console's AWSRevokeOlderSessions, exactly; an earlier one is put back on removal", async () => {
    await h.sim.reset(demoPlus());
    const clients = cordonClients(h.sim);
    const earlier = revocationPolicy('2020-01-01T00:00:00Z');
    await h.iam.send(
      new PutRolePolicyCommand({ RoleName: ROLE, PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: earlier }),
    );
    await contain({
      clients,
      instanceIds: [WEB2],
      stateDir,
      incident: 'ir-role',
      playbook: { revokeSessions: true, revokeScope: 'role', asg: 'skip' },
    });
    const doc = await policyDocument(h, 'AWSRevokeOlderSessions');
    const cutoff = JSON.parse(doc).Statement.Condition.DateLessThan['aws:TokenIssueTime'] as string;
    assert.equal(
      doc,
      `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"${cutoff}"}}}}`,
    );
    await restore({ clients, instanceIds: [WEB2], stateDir, removeRevocation: true });
    assert.equal(await policyDocument(h, 'AWSRevokeOlderSessions'), earlier);
    clients.destroy();
  });

  test('contain without a saved plan finds the registrations at apply time, off the critical path', async () => {
    await h.sim.reset(demoPlus());
    const clients = cordonClients(h.sim);
    const seq0 = lastSeq(h.sim);
    const r = await contain({ clients, instanceIds: [BASTION], stateDir, incident: 'ir-fast' });
    assert.match(r.plan.changes.find((c) => c.stepId === 'elb-deregister')!.summary, /at apply time/);
    const calls = okCalls(h.sim, seq0);
    const firstDiscovery = calls.find((c) => c.action === 'DescribeTargetGroups')!;
    const firstSwap = calls.find((c) => c.action === 'ModifyNetworkInterfaceAttribute')!;
    assert.ok(firstDiscovery.seq > firstSwap.seq, 'no discovery read before the isolation starts');
    assert.deepEqual(calls.find((c) => c.action === 'DeregisterTargets')!.params.Targets, [
      { Id: BASTION, Port: '9090' },
    ]);
    assert.deepEqual(calls.find((c) => c.action === 'DeregisterInstancesFromLoadBalancer')!.params.Instances, [
      { InstanceId: BASTION },
    ]);
    const now = await described(h);
    assert.deepEqual([now.targets, now.classic], [['9090:draining'], []]);
    await restore({ clients, instanceIds: [BASTION], stateDir });
    const back = await described(h);
    assert.deepEqual([back.targets, back.classic], [['9090:healthy'], [BASTION]]);
    clients.destroy();
  });

  test('switched off, each layer is left alone', async () => {
    await h.sim.reset(demoPlus());
    const clients = cordonClients(h.sim);
    const original = await described(h);
    const seq0 = lastSeq(h.sim);
    const r = await contain({
      clients,
      instanceIds: [BASTION],
      stateDir,
      incident: 'ir-off',
      playbook: { elb: false, disassociateProfile: false, disableImds: false, preserve: false, evidence: false },
    });
    assert.equal(r.instances[0]!.status, 'contained');
    assert.deepEqual(await described(h), original);
    assert.deepEqual(
      okCalls(h.sim, seq0)
        .filter(
          (c) =>
            !/^(Describe|Get|List|CreateTags|CreateSecurityGroup|Authorize|Revoke|ModifyNetworkInterfaceAttribute)/.test(
              c.action,
            ),
        )
        .map((c) => c.action),
      [],
    );
    clients.destroy();
  });
});

test('the revocation policy is the documented JSON, and the cut-off rounds up to the second', () => {
  assert.equal(
    revocationPolicy('2014-05-07T23:47:00Z'),
    '{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2014-05-07T23:47:00Z"}}}}',
  );
  assert.equal(cutoffTime(Date.parse('2014-05-07T23:46:59.001Z')), '2014-05-07T23:47:00Z');
  assert.equal(cutoffTime(Date.parse('2014-05-07T23:47:00.000Z')), '2014-05-07T23:47:00Z');
  assert.equal(
    instanceArn('cn-north-1', '123456789012', 'i-0abc'),
    'arn:aws-cn:ec2:cn-north-1:123456789012:instance/i-0abc',
  );
  assert.equal(
    instanceArn('us-gov-west-1', '123456789012', 'i-0abc'),
    'arn:aws-us-gov:ec2:us-gov-west-1:123456789012:instance/i-0abc',
  );
});
