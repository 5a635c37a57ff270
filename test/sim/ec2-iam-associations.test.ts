import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AssociateIamInstanceProfileCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DisassociateIamInstanceProfileCommand,
  ReplaceIamInstanceProfileAssociationCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type IamInstanceProfileAssociation,
} from '@aws-sdk/client-ec2';
import { awsError, type SimHarness } from '../helpers/sim.js';
import { ACCOUNT, harness, IDS, readOnlyEc2, settle, version } from './ec2-fixture.js';

const APP_ARN = `arn:aws:iam::${ACCOUNT}:instance-profile/app-profile`;
const ALT_ARN = `arn:aws:iam::${ACCOUNT}:instance-profile/team/alt-profile`;

async function associations(h: SimHarness, instanceId?: string): Promise<IamInstanceProfileAssociation[]> {
  const r = await h.ec2.send(
    new DescribeIamInstanceProfileAssociationsCommand(
      instanceId ? { Filters: [{ Name: 'instance-id', Values: [instanceId] }] } : {},
    ),
  );
  return r.IamInstanceProfileAssociations!;
}

async function profileOf(h: SimHarness, id: string) {
  return (await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!
    .IamInstanceProfile;
}

test('DescribeIamInstanceProfileAssociations: the scenario association, its shape and filters', async (t) => {
  const h = await harness(t);
  const all = await associations(h);
  assert.equal(all.length, 1);
  const a = all[0]!;
  assert.match(a.AssociationId!, /^iip-assoc-[0-9a-f]{17}$/);
  assert.deepEqual([a.InstanceId, a.State, a.IamInstanceProfile?.Arn], [IDS.web, 'associated', APP_ARN]);
  assert.match(a.IamInstanceProfile!.Id!, /^AIPA/);
  assert.ok(a.Timestamp instanceof Date);
  assert.deepEqual(await associations(h, IDS.multi), []);
  const byState = await h.ec2.send(
    new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'state', Values: ['associated'] }] }),
  );
  assert.equal(byState.IamInstanceProfileAssociations!.length, 1);
  const byId = await h.ec2.send(
    new DescribeIamInstanceProfileAssociationsCommand({ AssociationIds: [a.AssociationId!] }),
  );
  assert.equal(byId.IamInstanceProfileAssociations![0]!.InstanceId, IDS.web);
  const nf = await awsError(() =>
    h.ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ AssociationIds: ['iip-assoc-0123456789abcdef0'] })),
  );
  assert.equal(nf.name, 'InvalidAssociationID.NotFound');
  const malformed = await awsError(() =>
    h.ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ AssociationIds: ['i-0123456789abcdef0'] })),
  );
  assert.equal(malformed.name, 'InvalidParameterValue');
  const badFilter = await awsError(() =>
    h.ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'profile', Values: ['x'] }] })),
  );
  assert.equal(badFilter.name, 'InvalidParameterValue');
});

test('AssociateIamInstanceProfile by name and by ARN; the instance shows the profile', async (t) => {
  const h = await harness(t);
  const r = await h.ec2.send(
    new AssociateIamInstanceProfileCommand({ InstanceId: IDS.multi, IamInstanceProfile: { Name: 'alt-profile' } }),
  );
  const a = r.IamInstanceProfileAssociation!;
  assert.deepEqual([a.InstanceId, a.State, a.IamInstanceProfile?.Arn], [IDS.multi, 'associating', ALT_ARN]);
  const listed = await associations(h, IDS.multi);
  assert.deepEqual(
    listed.map((x) => [x.AssociationId, x.State]),
    [[a.AssociationId, 'associated']],
  );
  assert.equal((await profileOf(h, IDS.multi))?.Arn, ALT_ARN);
  // Stopped instances can be associated too.
  await h.ec2.send(
    new AssociateIamInstanceProfileCommand({ InstanceId: IDS.stopped, IamInstanceProfile: { Arn: APP_ARN } }),
  );
  assert.equal((await profileOf(h, IDS.stopped))?.Arn, APP_ARN);
});

test('AssociateIamInstanceProfile: one association per instance, known profiles only, running or stopped instances', async (t) => {
  const h = await harness(t);
  const existing = await awsError(() =>
    h.ec2.send(
      new AssociateIamInstanceProfileCommand({ InstanceId: IDS.web, IamInstanceProfile: { Name: 'alt-profile' } }),
    ),
  );
  assert.deepEqual([existing.name, existing.status], ['IncorrectState', 400]);
  assert.match(existing.message, /existing association/);
  assert.equal((await profileOf(h, IDS.web))?.Arn, APP_ARN);
  const unknownName = await awsError(() =>
    h.ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: IDS.multi, IamInstanceProfile: { Name: 'nope' } })),
  );
  assert.equal(unknownName.name, 'InvalidParameterValue');
  const unknownArn = await awsError(() =>
    h.ec2.send(
      new AssociateIamInstanceProfileCommand({
        InstanceId: IDS.multi,
        IamInstanceProfile: { Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/alt-profile` },
      }),
    ),
  );
  assert.equal(unknownArn.name, 'InvalidParameterValue');
  const noProfile = await awsError(() =>
    h.ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: IDS.multi, IamInstanceProfile: {} })),
  );
  assert.equal(noProfile.name, 'MissingParameter');
  const nf = await awsError(() =>
    h.ec2.send(
      new AssociateIamInstanceProfileCommand({
        InstanceId: 'i-0123456789abcdef0',
        IamInstanceProfile: { Name: 'alt-profile' },
      }),
    ),
  );
  assert.equal(nf.name, 'InvalidInstanceID.NotFound');
  h.sim.world.clock.freeze(true);
  await h.ec2.send(new StopInstancesCommand({ InstanceIds: [IDS.multi] }));
  const stopping = await awsError(() =>
    h.ec2.send(
      new AssociateIamInstanceProfileCommand({ InstanceId: IDS.multi, IamInstanceProfile: { Name: 'alt-profile' } }),
    ),
  );
  assert.equal(stopping.name, 'IncorrectInstanceState');
  assert.equal(stopping.message, `The instance '${IDS.multi}' is not in the 'running' or 'stopped' states.`);
  const launched = await h.ec2.send(
    new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', MinCount: 1, MaxCount: 1, SubnetId: IDS.subnetA }),
  );
  const pending = await awsError(() =>
    h.ec2.send(
      new AssociateIamInstanceProfileCommand({
        InstanceId: launched.Instances![0]!.InstanceId,
        IamInstanceProfile: { Name: 'alt-profile' },
      }),
    ),
  );
  assert.equal(pending.name, 'IncorrectInstanceState');
  assert.deepEqual(await associations(h, IDS.multi), []);
});

test('DisassociateIamInstanceProfile takes the association id; the instance loses its profile', async (t) => {
  const h = await harness(t);
  const [a] = await associations(h, IDS.web);
  const r = await h.ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: a!.AssociationId }));
  assert.deepEqual(
    [r.IamInstanceProfileAssociation?.AssociationId, r.IamInstanceProfileAssociation?.State],
    [a!.AssociationId, 'disassociating'],
  );
  assert.deepEqual(await associations(h, IDS.web), []);
  assert.equal(await profileOf(h, IDS.web), undefined);
  const again = await awsError(() =>
    h.ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: a!.AssociationId })),
  );
  assert.deepEqual([again.name, again.status], ['InvalidAssociationID.NotFound', 400]);
  const missing = await awsError(() => h.ec2.send(new DisassociateIamInstanceProfileCommand({} as never)));
  assert.equal(missing.name, 'MissingParameter');
  // A fresh association can follow.
  await h.ec2.send(
    new AssociateIamInstanceProfileCommand({ InstanceId: IDS.web, IamInstanceProfile: { Name: 'alt-profile' } }),
  );
  assert.equal((await profileOf(h, IDS.web))?.Arn, ALT_ARN);
});

test('ReplaceIamInstanceProfileAssociation: a new association id and profile on a running instance', async (t) => {
  const h = await harness(t);
  const [a] = await associations(h, IDS.web);
  const r = await h.ec2.send(
    new ReplaceIamInstanceProfileAssociationCommand({
      AssociationId: a!.AssociationId,
      IamInstanceProfile: { Arn: ALT_ARN },
    }),
  );
  const n = r.IamInstanceProfileAssociation!;
  assert.notEqual(n.AssociationId, a!.AssociationId);
  assert.deepEqual([n.State, n.IamInstanceProfile?.Arn, n.InstanceId], ['associating', ALT_ARN, IDS.web]);
  assert.deepEqual(
    (await associations(h, IDS.web)).map((x) => x.AssociationId),
    [n.AssociationId],
  );
  assert.equal((await profileOf(h, IDS.web))?.Arn, ALT_ARN);
  const old = await awsError(() =>
    h.ec2.send(
      new ReplaceIamInstanceProfileAssociationCommand({
        AssociationId: a!.AssociationId,
        IamInstanceProfile: { Name: 'app-profile' },
      }),
    ),
  );
  assert.equal(old.name, 'InvalidAssociationID.NotFound');
  const badProfile = await awsError(() =>
    h.ec2.send(
      new ReplaceIamInstanceProfileAssociationCommand({
        AssociationId: n.AssociationId,
        IamInstanceProfile: { Name: 'nope' },
      }),
    ),
  );
  assert.equal(badProfile.name, 'InvalidParameterValue');
});

test('ReplaceIamInstanceProfileAssociation on a stopped instance: IncorrectState', async (t) => {
  const h = await harness(t);
  await h.ec2.send(new StopInstancesCommand({ InstanceIds: [IDS.web] }));
  settle(h);
  const [a] = await associations(h, IDS.web);
  const e = await awsError(() =>
    h.ec2.send(
      new ReplaceIamInstanceProfileAssociationCommand({
        AssociationId: a!.AssociationId,
        IamInstanceProfile: { Name: 'alt-profile' },
      }),
    ),
  );
  assert.equal(e.name, 'IncorrectState');
  assert.equal((await profileOf(h, IDS.web))?.Arn, APP_ARN);
});

test('Associations: a Describe-only key gets 403 and nothing changes (these actions have no DryRun parameter)', async (t) => {
  const h = await harness(t);
  const ro = readOnlyEc2(t, h);
  const [a] = await associations(h, IDS.web);
  const before = version(h);
  const cmds = [
    new AssociateIamInstanceProfileCommand({ InstanceId: IDS.multi, IamInstanceProfile: { Name: 'alt-profile' } }),
    new DisassociateIamInstanceProfileCommand({ AssociationId: a!.AssociationId }),
    new ReplaceIamInstanceProfileAssociationCommand({
      AssociationId: a!.AssociationId,
      IamInstanceProfile: { Name: 'alt-profile' },
    }),
  ];
  for (const cmd of cmds) {
    const denied = await awsError(() => ro.send(cmd as never));
    assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
  }
  assert.equal(version(h), before);
  assert.deepEqual(
    (await associations(h)).map((x) => x.AssociationId),
    [a!.AssociationId],
  );
  assert.equal((await profileOf(h, IDS.web))?.Arn, APP_ARN);
  assert.equal(await profileOf(h, IDS.multi), undefined);
});

test('DescribeIamInstanceProfileAssociations: pagination with MaxResults and NextToken', async (t) => {
  const h = await harness(t);
  const r = await h.ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-0123456789abcdef0',
      MinCount: 6,
      MaxCount: 6,
      SubnetId: IDS.subnetA,
      IamInstanceProfile: { Name: 'alt-profile' },
    }),
  );
  assert.equal(r.Instances!.length, 6);
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await h.ec2.send(
      new DescribeIamInstanceProfileAssociationsCommand({ MaxResults: 5, NextToken: token }),
    );
    assert.ok(page.IamInstanceProfileAssociations!.length <= 5);
    seen.push(...page.IamInstanceProfileAssociations!.map((x) => x.AssociationId!));
    token = page.NextToken;
    pages++;
  } while (token);
  assert.equal(pages, 2);
  assert.equal(new Set(seen).size, 7);
  const small = await awsError(() => h.ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ MaxResults: 4 })));
  assert.equal(small.name, 'InvalidParameterValue');
  // Terminating drops the association.
  await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [r.Instances![0]!.InstanceId!] }));
  assert.equal((await associations(h)).length, 6);
});
