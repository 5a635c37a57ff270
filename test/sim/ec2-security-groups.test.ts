import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { awsError, startHarness, tinyScenario, type SimHarness } from '../helpers/sim.js';
import {
  ACCOUNT,
  APP_SG,
  DEFAULT_VPC,
  FULL_KEY,
  V6_VPC,
  networkScenario,
  readOnlyClients,
} from '../helpers/ec2-network.js';

async function harness(): Promise<SimHarness> {
  return startHarness(networkScenario(), { accessKeyId: FULL_KEY });
}

async function group(h: SimHarness, id: string) {
  return (await h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }))).SecurityGroups![0]!;
}

const groupIds = async (h: SimHarness): Promise<string[]> =>
  ((await h.ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? []).map((g) => g.GroupId!).sort();

test('DescribeSecurityGroups: the SDK shape, GroupIds, GroupNames (default VPC only) and unknown or malformed ids', async () => {
  const h = await harness();
  try {
    const app = await group(h, APP_SG);
    assert.equal(app.GroupName, 'app');
    assert.equal(app.Description, 'app tier');
    assert.equal(app.VpcId, V6_VPC);
    assert.equal(app.OwnerId, ACCOUNT);
    assert.equal(app.SecurityGroupArn, `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/${APP_SG}`);
    assert.deepEqual(app.IpPermissions, [
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '198.51.100.7/32' }],
        Ipv6Ranges: [],
        UserIdGroupPairs: [],
        PrefixListIds: [],
      },
    ]);
    assert.deepEqual(app.IpPermissionsEgress, [
      {
        IpProtocol: '-1',
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [],
        UserIdGroupPairs: [],
        PrefixListIds: [],
      },
    ]);

    const byName = (await h.ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['web', 'default'] })))
      .SecurityGroups!;
    assert.deepEqual(
      byName.map((g) => [g.GroupName, g.VpcId]),
      [
        ['web', DEFAULT_VPC],
        ['default', DEFAULT_VPC],
      ],
    );
    const notDefault = await awsError(() => h.ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['app'] })));
    assert.deepEqual([notDefault.name, notDefault.status], ['InvalidGroup.NotFound', 400]);
    assert.match(notDefault.message, new RegExp(`does not exist in default VPC '${DEFAULT_VPC}'`));

    const missing = await awsError(() =>
      h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0123456789abcdef0'] })),
    );
    assert.deepEqual([missing.name, missing.status], ['InvalidGroup.NotFound', 400]);
    const bad = await awsError(() => h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-nope'] })));
    assert.deepEqual([bad.name, bad.status], ['InvalidGroupId.Malformed', 400]);
  } finally {
    await h.close();
  }

  // Without a default VPC, group names are refused as AWS does.
  const t = await startHarness(tinyScenario());
  try {
    const e = await awsError(() => t.ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['app'] })));
    assert.deepEqual([e.name, e.status], ['VPCIdNotSpecified', 400]);
  } finally {
    await t.close();
  }
});

test('DescribeSecurityGroups filters: group-id, group-name, vpc-id, description, ip-permission.*, egress.ip-permission.cidr, tag:*', async () => {
  const h = await harness();
  try {
    const ids = async (Name: string, Values: string[]) =>
      ((await h.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name, Values }] }))).SecurityGroups ?? [])
        .map((g) => g.GroupName)
        .sort();
    assert.deepEqual(await ids('group-id', [APP_SG]), ['app']);
    assert.deepEqual(await ids('group-name', ['default']), ['default', 'default']);
    assert.deepEqual(await ids('vpc-id', [V6_VPC]), ['app', 'default']);
    assert.deepEqual(await ids('description', ['web*']), ['web']);
    assert.deepEqual(await ids('ip-permission.cidr', ['198.51.100.7/32']), ['app']);
    assert.deepEqual(await ids('ip-permission.cidr', ['0.0.0.0/0']), ['web']);
    assert.deepEqual(await ids('ip-permission.protocol', ['-1']), ['default', 'default']);
    assert.deepEqual(await ids('ip-permission.from-port', ['443']), ['web']);
    assert.deepEqual(await ids('egress.ip-permission.cidr', ['0.0.0.0/0']), ['app', 'default', 'default', 'web']);
    assert.deepEqual(await ids('egress.ip-permission.ipv6-cidr', ['::/0']), ['default']);

    await h.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'tagged',
        Description: 'd',
        VpcId: V6_VPC,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'cordon:role', Value: 'isolation' }] }],
      }),
    );
    assert.deepEqual(await ids('tag:cordon:role', ['isolation']), ['tagged']);
    assert.deepEqual(await ids('tag-key', ['cordon:role']), ['tagged']);
    // Two filters combine with AND; two values of one filter with OR.
    const both = await h.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [V6_VPC] },
          { Name: 'group-name', Values: ['app', 'web'] },
        ],
      }),
    );
    assert.deepEqual(
      both.SecurityGroups!.map((g) => g.GroupName),
      ['app'],
    );
    const unknown = await awsError(() =>
      h.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'ip-permission.colour', Values: ['x'] }] })),
    );
    assert.equal(unknown.name, 'InvalidParameterValue');
  } finally {
    await h.close();
  }
});

test('DescribeSecurityGroups pages with MaxResults/NextToken', async () => {
  const h = await harness();
  try {
    for (let i = 0; i < 4; i++)
      await h.ec2.send(new CreateSecurityGroupCommand({ GroupName: `g${i}`, Description: 'd', VpcId: V6_VPC }));
    const p1 = await h.ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 5 }));
    assert.equal(p1.SecurityGroups!.length, 5);
    assert.ok(p1.NextToken);
    const p2 = await h.ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 5, NextToken: p1.NextToken }));
    assert.equal(p2.SecurityGroups!.length, 3);
    assert.equal(p2.NextToken, undefined);
    assert.equal(new Set([...p1.SecurityGroups!, ...p2.SecurityGroups!].map((g) => g.GroupId)).size, 8);
    const e = await awsError(() => h.ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 1001 })));
    assert.equal(e.name, 'InvalidParameterValue');
  } finally {
    await h.close();
  }
});

test('CreateSecurityGroup: id, tags and ARN; only the IPv4 allow-all egress rule, even in an IPv6 VPC; default VPC when VpcId is omitted', async () => {
  const h = await harness();
  try {
    const out = await h.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'cordon-isolation-step02',
        Description: 'cordon: no rules',
        VpcId: V6_VPC,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'cordon', Value: 'isolation' }] }],
      }),
    );
    assert.match(out.GroupId!, /^sg-[0-9a-f]{17}$/);
    assert.deepEqual(out.Tags, [{ Key: 'cordon', Value: 'isolation' }]);
    assert.equal(out.SecurityGroupArn, `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/${out.GroupId}`);
    const g = await group(h, out.GroupId!);
    assert.equal(g.GroupName, 'cordon-isolation-step02');
    assert.equal(g.Description, 'cordon: no rules');
    assert.equal(g.VpcId, V6_VPC);
    assert.deepEqual(g.IpPermissions, []);
    assert.deepEqual(g.IpPermissionsEgress, [
      {
        IpProtocol: '-1',
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [],
        UserIdGroupPairs: [],
        PrefixListIds: [],
      },
    ]);
    assert.deepEqual(g.Tags, [{ Key: 'cordon', Value: 'isolation' }]);

    const noVpc = await h.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'in-default', Description: 'd' }));
    assert.equal((await group(h, noVpc.GroupId!)).VpcId, DEFAULT_VPC);
    // The same name in another VPC is fine.
    await h.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'in-default', Description: 'd', VpcId: V6_VPC }));
  } finally {
    await h.close();
  }
});

test('CreateSecurityGroup errors: duplicate, reserved and sg- names, missing parameters, bad characters, unknown VPC, no default VPC', async () => {
  const h = await harness();
  try {
    const before = await groupIds(h);
    const cases: [Record<string, string | undefined>, string][] = [
      [{ GroupName: 'app', Description: 'x', VpcId: V6_VPC }, 'InvalidGroup.Duplicate'],
      [{ GroupName: 'default', Description: 'x', VpcId: V6_VPC }, 'InvalidParameterValue'],
      [{ GroupName: 'sg-lookalike', Description: 'x', VpcId: V6_VPC }, 'InvalidParameterValue'],
      [{ GroupName: 'ok', Description: 'é not ascii', VpcId: V6_VPC }, 'InvalidParameterValue'],
      [{ GroupName: 'x'.repeat(256), Description: 'x', VpcId: V6_VPC }, 'InvalidParameterValue'],
      [{ Description: 'x', VpcId: V6_VPC }, 'MissingParameter'],
      [{ GroupName: 'ok', VpcId: V6_VPC }, 'MissingParameter'],
      [{ GroupName: 'ok', Description: 'x', VpcId: 'vpc-0123456789abcdef0' }, 'InvalidVpcID.NotFound'],
    ];
    for (const [input, code] of cases) {
      const e = await awsError(() => h.ec2.send(new CreateSecurityGroupCommand(input as never)));
      assert.deepEqual([e.name, e.status], [code, 400], JSON.stringify(input).slice(0, 80));
    }
    const dup = await awsError(() =>
      h.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'x', VpcId: V6_VPC })),
    );
    assert.match(dup.message, new RegExp(`The security group 'app' already exists for VPC '${V6_VPC}'`));
    assert.deepEqual(await groupIds(h), before);
  } finally {
    await h.close();
  }
  const t = await startHarness(tinyScenario());
  try {
    const e = await awsError(() => t.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'x', Description: 'x' })));
    assert.deepEqual([e.name, e.status], ['VPCIdNotSpecified', 400]);
  } finally {
    await t.close();
  }
});

test('CreateSecurityGroup / DeleteSecurityGroup DryRun: 412 when allowed, 403 for a Describe-only key, no change either way', async () => {
  const h = await harness();
  const ro = readOnlyClients(h.endpoint);
  try {
    const before = await groupIds(h);
    const dry = await awsError(() =>
      h.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'n', Description: 'd', VpcId: V6_VPC, DryRun: true })),
    );
    assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
    const denied = await awsError(() =>
      ro.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'n', Description: 'd', VpcId: V6_VPC, DryRun: true })),
    );
    assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
    // Validation still comes first: a DryRun of an invalid request answers the validation error.
    const invalidDry = await awsError(() =>
      h.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'd', VpcId: V6_VPC, DryRun: true })),
    );
    assert.equal(invalidDry.name, 'InvalidGroup.Duplicate');
    assert.deepEqual(await groupIds(h), before);

    const id = (await h.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'n', Description: 'd', VpcId: V6_VPC })))
      .GroupId!;
    const dryDel = await awsError(() => h.ec2.send(new DeleteSecurityGroupCommand({ GroupId: id, DryRun: true })));
    assert.deepEqual([dryDel.name, dryDel.status], ['DryRunOperation', 412]);
    const roDel = await awsError(() => ro.ec2.send(new DeleteSecurityGroupCommand({ GroupId: id })));
    assert.deepEqual([roDel.name, roDel.status], ['UnauthorizedOperation', 403]);
    assert.ok((await groupIds(h)).includes(id));
  } finally {
    for (const c of Object.values(ro)) c.destroy();
    await h.close();
  }
});

test('DeleteSecurityGroup: CannotDelete for a default group, DependencyViolation while on an ENI or referenced by another group, by name in the default VPC', async () => {
  const h = await harness();
  try {
    const def = (
      await h.ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [V6_VPC] },
            { Name: 'group-name', Values: ['default'] },
          ],
        }),
      )
    ).SecurityGroups![0]!;
    const cannot = await awsError(() => h.ec2.send(new DeleteSecurityGroupCommand({ GroupId: def.GroupId })));
    assert.deepEqual([cannot.name, cannot.status], ['CannotDelete', 400]);
    assert.match(cannot.message, /name: "default"/);

    const onEni = await awsError(() => h.ec2.send(new DeleteSecurityGroupCommand({ GroupId: APP_SG })));
    assert.deepEqual([onEni.name, onEni.status], ['DependencyViolation', 400]);
    assert.equal(onEni.message, `resource ${APP_SG} has a dependent object`);

    const target = (
      await h.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'target', Description: 'd', VpcId: V6_VPC }))
    ).GroupId!;
    const referrer = (
      await h.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'referrer', Description: 'd', VpcId: V6_VPC }))
    ).GroupId!;
    const perm = { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: target }] };
    await h.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: referrer, IpPermissions: [perm] }));
    // A group that references itself can still be deleted; one referenced by another group cannot.
    await h.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: target,
        IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: target }] }],
      }),
    );
    assert.equal(
      (await awsError(() => h.ec2.send(new DeleteSecurityGroupCommand({ GroupId: target })))).name,
      'DependencyViolation',
    );
    await h.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: referrer, IpPermissions: [perm] }));
    const res = await h.ec2.send(new DeleteSecurityGroupCommand({ GroupId: target }));
    assert.equal(res.Return, true);
    assert.equal(res.GroupId, target);
    assert.equal(
      (await awsError(() => h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [target] })))).name,
      'InvalidGroup.NotFound',
    );
    assert.equal(
      (await awsError(() => h.ec2.send(new DeleteSecurityGroupCommand({ GroupId: target })))).name,
      'InvalidGroup.NotFound',
    );

    // GroupName works in the default VPC only.
    await h.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'scratch', Description: 'd' }));
    await h.ec2.send(new DeleteSecurityGroupCommand({ GroupName: 'scratch' }));
    assert.deepEqual(
      (await h.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['scratch'] }] })))
        .SecurityGroups,
      [],
    );
    const nondefault = await awsError(() => h.ec2.send(new DeleteSecurityGroupCommand({ GroupName: 'referrer' })));
    assert.equal(nondefault.name, 'InvalidGroup.NotFound');
    assert.equal((await awsError(() => h.ec2.send(new DeleteSecurityGroupCommand({})))).name, 'MissingParameter');
  } finally {
    await h.close();
  }
});
