import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  ModifySecurityGroupRulesCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { awsError, startHarness, type SimHarness } from '../helpers/sim.js';
import {
  ACCOUNT,
  APP_SG,
  DEFAULT_VPC,
  FULL_KEY,
  V6_VPC,
  networkScenario,
  readOnlyClients,
} from '../helpers/ec2-network.js';

async function harness(): Promise<{ h: SimHarness; sg: string }> {
  const h = await startHarness(networkScenario(), { accessKeyId: FULL_KEY });
  const sg = (
    await h.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'work', Description: 'rules under test', VpcId: V6_VPC }),
    )
  ).GroupId!;
  return { h, sg };
}

async function rules(h: SimHarness, groupId: string) {
  const out = await h.ec2.send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
  );
  return out.SecurityGroupRules!;
}

const ingressKeys = async (h: SimHarness, groupId: string): Promise<string[]> =>
  (await rules(h, groupId))
    .filter((r) => !r.IsEgress)
    .map(
      (r) =>
        `${r.IpProtocol}:${r.FromPort}-${r.ToPort}:${r.CidrIpv4 ?? r.CidrIpv6 ?? r.ReferencedGroupInfo?.GroupId ?? r.PrefixListId}`,
    )
    .sort();

test('AuthorizeSecurityGroupIngress: every source kind and protocol form, canonical CIDRs, the rule set in the answer, read back both ways', async () => {
  const { h, sg } = await harness();
  try {
    const out = await h.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: sg,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '203.0.113.9/24', Description: 'bastion (ssh)' }],
            Ipv6Ranges: [{ CidrIpv6: '2001:DB8:0:0::/32' }],
          },
          {
            IpProtocol: '6',
            FromPort: 443,
            ToPort: 443,
            UserIdGroupPairs: [{ GroupId: APP_SG, Description: 'from app' }],
            PrefixListIds: [{ PrefixListId: 'pl-0123456789abcdef0' }],
          },
          { IpProtocol: 'icmp', FromPort: 8, ToPort: -1, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
          { IpProtocol: 'icmpv6', Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
          { IpProtocol: '-1', FromPort: 1, ToPort: 2, IpRanges: [{ CidrIp: '192.0.2.0/24' }] },
          { IpProtocol: '50', IpRanges: [{ CidrIp: '192.0.2.0/24' }] },
        ],
        TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: [{ Key: 'owner', Value: 'cordon' }] }],
      }),
    );
    assert.equal(out.Return, true);
    const added = out.SecurityGroupRules!;
    assert.equal(added.length, 8);
    const ssh = added[0]!;
    assert.match(ssh.SecurityGroupRuleId!, /^sgr-[0-9a-f]{17}$/);
    assert.equal(ssh.GroupId, sg);
    assert.equal(ssh.GroupOwnerId, ACCOUNT);
    assert.equal(ssh.IsEgress, false);
    assert.equal(ssh.CidrIpv4, '203.0.113.0/24'); // canonicalised
    assert.equal(ssh.Description, 'bastion (ssh)');
    assert.deepEqual(ssh.Tags, [{ Key: 'owner', Value: 'cordon' }]);
    assert.equal(
      ssh.SecurityGroupRuleArn,
      `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group-rule/${ssh.SecurityGroupRuleId}`,
    );
    assert.equal(added[1]!.CidrIpv6, '2001:db8::/32');
    assert.deepEqual(added[2]!.ReferencedGroupInfo, { GroupId: APP_SG, UserId: ACCOUNT });

    assert.deepEqual(
      await ingressKeys(h, sg),
      [
        '-1:-1--1:192.0.2.0/24',
        '50:-1--1:192.0.2.0/24',
        'icmp:8--1:10.0.0.0/8',
        'icmpv6:-1--1:::/0',
        'tcp:22-22:2001:db8::/32',
        'tcp:22-22:203.0.113.0/24',
        'tcp:443-443:pl-0123456789abcdef0',
        'tcp:443-443:sg-0a1b0000000000002',
      ].sort(),
    );

    // DescribeSecurityGroups groups the rules into IpPermissions by protocol and ports.
    const g = (await h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg] }))).SecurityGroups![0]!;
    const perm = (proto: string, from?: number): IpPermission =>
      g.IpPermissions!.find((p) => p.IpProtocol === proto && p.FromPort === from)!;
    assert.deepEqual(perm('tcp', 22).IpRanges, [{ CidrIp: '203.0.113.0/24', Description: 'bastion (ssh)' }]);
    assert.deepEqual(perm('tcp', 22).Ipv6Ranges, [{ CidrIpv6: '2001:db8::/32' }]);
    assert.deepEqual(perm('tcp', 443).UserIdGroupPairs, [
      { GroupId: APP_SG, UserId: ACCOUNT, Description: 'from app' },
    ]);
    assert.deepEqual(perm('tcp', 443).PrefixListIds, [{ PrefixListId: 'pl-0123456789abcdef0' }]);
    assert.equal(perm('icmp', 8).ToPort, -1);
    assert.deepEqual(perm('-1').IpRanges, [{ CidrIp: '192.0.2.0/24' }]);
    assert.equal(perm('-1').ToPort, undefined);
    const filtered = await h.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'ip-permission.ipv6-cidr', Values: ['2001:db8::/32'] }] }),
    );
    assert.deepEqual(
      filtered.SecurityGroups!.map((x) => x.GroupId),
      [sg],
    );
  } finally {
    await h.close();
  }
});

test('Authorize errors: InvalidPermission.Duplicate, ports, protocols, CIDRs, descriptions, groups from another VPC, ids; nothing is added', async () => {
  const { h, sg } = await harness();
  try {
    await h.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: sg,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const before = await ingressKeys(h, sg);
    const otherVpcGroup = (await h.ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['web'] })))
      .SecurityGroups![0]!.GroupId!;
    const cases: [IpPermission[], string][] = [
      [
        [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'other text' }],
          },
        ],
        'InvalidPermission.Duplicate',
      ],
      [
        [
          {
            IpProtocol: 'udp',
            FromPort: 53,
            ToPort: 53,
            IpRanges: [{ CidrIp: '10.0.0.0/8' }, { CidrIp: '10.9.9.9/8' }],
          },
        ],
        'InvalidPermission.Duplicate',
      ],
      [[{ IpProtocol: 'tcp', IpRanges: [{ CidrIp: '10.0.0.0/8' }] }], 'InvalidParameterValue'],
      [
        [{ IpProtocol: 'tcp', FromPort: 90, ToPort: 80, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }],
        'InvalidParameterValue',
      ],
      [
        [{ IpProtocol: 'udp', FromPort: 0, ToPort: 70000, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }],
        'InvalidParameterValue',
      ],
      [
        [{ IpProtocol: 'icmp', FromPort: -1, ToPort: 3, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }],
        'InvalidParameterValue',
      ],
      [[{ IpProtocol: 'gre', IpRanges: [{ CidrIp: '10.0.0.0/8' }] }], 'InvalidParameterValue'],
      [[{ IpProtocol: '256', IpRanges: [{ CidrIp: '10.0.0.0/8' }] }], 'InvalidParameterValue'],
      [[{ IpProtocol: 'tcp', FromPort: 1, ToPort: 1, IpRanges: [{ CidrIp: '10.0.0.0/33' }] }], 'InvalidParameterValue'],
      [[{ IpProtocol: 'tcp', FromPort: 1, ToPort: 1, IpRanges: [{ CidrIp: '::/0' }] }], 'InvalidParameterValue'],
      [
        [{ IpProtocol: 'tcp', FromPort: 1, ToPort: 1, Ipv6Ranges: [{ CidrIpv6: '10.0.0.0/8' }] }],
        'InvalidParameterValue',
      ],
      [
        [{ IpProtocol: 'tcp', FromPort: 1, ToPort: 1, IpRanges: [{ CidrIp: '10.0.0.0/8', Description: 'naïve' }] }],
        'InvalidParameterValue',
      ],
      [
        [{ IpProtocol: 'tcp', FromPort: 1, ToPort: 1, UserIdGroupPairs: [{ GroupId: otherVpcGroup }] }],
        'InvalidGroup.NotFound',
      ],
      [
        [{ IpProtocol: 'tcp', FromPort: 1, ToPort: 1, UserIdGroupPairs: [{ GroupId: 'sg-0123456789abcdef0' }] }],
        'InvalidGroup.NotFound',
      ],
      [
        [{ IpProtocol: 'tcp', FromPort: 1, ToPort: 1, UserIdGroupPairs: [{ GroupId: 'sg-bad' }] }],
        'InvalidGroupId.Malformed',
      ],
      [
        [{ IpProtocol: 'tcp', FromPort: 1, ToPort: 1, PrefixListIds: [{ PrefixListId: 'pl-xyz' }] }],
        'InvalidPrefixListId.Malformed',
      ],
    ];
    for (const [IpPermissions, code] of cases) {
      const e = await awsError(() =>
        h.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions })),
      );
      assert.deepEqual([e.name, e.status], [code, 400], JSON.stringify(IpPermissions));
    }
    const dup = await awsError(() =>
      h.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: sg,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      ),
    );
    assert.equal(
      dup.message,
      'the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" already exists',
    );
    const other = await awsError(() =>
      h.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: sg,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 1, ToPort: 1, UserIdGroupPairs: [{ GroupId: otherVpcGroup }] },
          ],
        }),
      ),
    );
    assert.match(other.message, /belong to different networks/);

    // Target group errors: by name outside the default VPC, unknown id, missing id (egress has no GroupName).
    const perm = [{ IpProtocol: 'tcp', FromPort: 2, ToPort: 2, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }];
    assert.equal(
      (
        await awsError(() =>
          h.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupName: 'work', IpPermissions: perm })),
        )
      ).name,
      'InvalidGroup.NotFound',
    );
    assert.equal(
      (
        await awsError(() =>
          h.ec2.send(
            new AuthorizeSecurityGroupIngressCommand({ GroupId: 'sg-0123456789abcdef0', IpPermissions: perm }),
          ),
        )
      ).name,
      'InvalidGroup.NotFound',
    );
    assert.equal(
      (
        await awsError(() =>
          h.ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: undefined, IpPermissions: perm })),
        )
      ).name,
      'MissingParameter',
    );
    assert.equal(
      (await awsError(() => h.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg })))).name,
      'MissingParameter',
    );
    // The old top-level form needs a source and cannot be mixed with IpPermissions.
    assert.equal(
      (
        await awsError(() =>
          h.ec2.send(
            new AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpProtocol: 'tcp', FromPort: 5, ToPort: 5 }),
          ),
        )
      ).name,
      'MissingParameter',
    );
    assert.equal(
      (
        await awsError(() =>
          h.ec2.send(
            new AuthorizeSecurityGroupIngressCommand({
              GroupId: sg,
              CidrIp: '10.0.0.0/8',
              IpProtocol: 'tcp',
              FromPort: 5,
              ToPort: 5,
              IpPermissions: perm,
            }),
          ),
        )
      ).name,
      'InvalidParameterCombination',
    );
    assert.deepEqual(await ingressKeys(h, sg), before);

    // The top-level form alone works; by name it works in the default VPC.
    await h.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: sg,
        CidrIp: '10.0.0.0/8',
        IpProtocol: 'tcp',
        FromPort: 5,
        ToPort: 5,
      }),
    );
    assert.ok((await ingressKeys(h, sg)).includes('tcp:5-5:10.0.0.0/8'));
    const byName = await h.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupName: 'web', IpPermissions: perm }),
    );
    assert.equal(byName.SecurityGroupRules![0]!.GroupId, otherVpcGroup);
    assert.equal(
      (await h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [otherVpcGroup] }))).SecurityGroups![0]!.VpcId,
      DEFAULT_VPC,
    );
  } finally {
    await h.close();
  }
});

test('RulesPerSecurityGroupLimitExceeded past 60 rules per direction per family; group references count for both families', async () => {
  const { h, sg } = await harness();
  try {
    const v4 = Array.from({ length: 60 }, (_, i) => ({ CidrIp: `10.0.${i}.0/24` }));
    await h.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: sg,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: v4 }],
      }),
    );
    const over = await awsError(() =>
      h.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: sg,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 81, ToPort: 81, IpRanges: [{ CidrIp: '10.1.0.0/24' }] }],
        }),
      ),
    );
    assert.deepEqual([over.name, over.status], ['RulesPerSecurityGroupLimitExceeded', 400]);
    const ref = await awsError(() =>
      h.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: sg,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 81, ToPort: 81, UserIdGroupPairs: [{ GroupId: APP_SG }] }],
        }),
      ),
    );
    assert.equal(ref.name, 'RulesPerSecurityGroupLimitExceeded');
    // IPv6 ingress and IPv4 egress have their own quotas.
    await h.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: sg,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, Ipv6Ranges: [{ CidrIpv6: '2001:db8::/32' }] }],
      }),
    );
    await h.ec2.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: sg,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '10.1.0.0/24' }] }],
      }),
    );
    assert.equal((await rules(h, sg)).filter((r) => !r.IsEgress).length, 61);
  } finally {
    await h.close();
  }
});

test('Egress: revoke the default allow-all rule, authorize IPv6 egress, revoke by rule id; revoked rules in the answer', async () => {
  const { h, sg } = await harness();
  try {
    const allOut = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
    const res = await h.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: sg, IpPermissions: [allOut] }));
    assert.equal(res.Return, true);
    assert.equal(res.RevokedSecurityGroupRules!.length, 1);
    assert.equal(res.RevokedSecurityGroupRules![0]!.CidrIpv4, '0.0.0.0/0');
    assert.equal(res.RevokedSecurityGroupRules![0]!.IsEgress, true);
    assert.deepEqual(
      (await h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg] }))).SecurityGroups![0]!.IpPermissionsEgress,
      [],
    );

    const v6 = await h.ec2.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: sg,
        IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
      }),
    );
    const id = v6.SecurityGroupRules![0]!.SecurityGroupRuleId!;
    assert.equal(v6.SecurityGroupRules![0]!.IsEgress, true);
    // An egress rule id is not an ingress rule.
    assert.equal(
      (
        await awsError(() =>
          h.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: sg, SecurityGroupRuleIds: [id] })),
        )
      ).name,
      'InvalidSecurityGroupRuleId.NotFound',
    );
    const byId = await h.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: sg, SecurityGroupRuleIds: [id] }));
    assert.deepEqual(
      byId.RevokedSecurityGroupRules!.map((r) => [r.SecurityGroupRuleId, r.CidrIpv6]),
      [[id, '::/0']],
    );
    assert.deepEqual(await rules(h, sg), []);
  } finally {
    await h.close();
  }
});

test('Revoke ingress: by properties (description not needed) and by id; InvalidPermission.NotFound in a non-default VPC, unknownIpPermissionSet in the default VPC', async () => {
  const { h, sg } = await harness();
  try {
    const add = await h.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: sg,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '198.51.100.0/24', Description: 'ops' }],
          },
          { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '198.51.100.0/24' }] },
        ],
      }),
    );
    const rdpId = add.SecurityGroupRules![1]!.SecurityGroupRuleId!;
    await h.ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: sg,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '198.51.100.0/24' }] }],
      }),
    );
    assert.deepEqual(await ingressKeys(h, sg), ['tcp:3389-3389:198.51.100.0/24']);

    const missing = await awsError(() =>
      h.ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: sg,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '198.51.100.0/24' }] }],
        }),
      ),
    );
    assert.deepEqual([missing.name, missing.status], ['InvalidPermission.NotFound', 400]);
    // A request naming one existing and one missing rule revokes neither.
    const mixed = await awsError(() =>
      h.ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: sg,
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: 3389,
              ToPort: 3389,
              IpRanges: [{ CidrIp: '198.51.100.0/24' }, { CidrIp: '192.0.2.0/24' }],
            },
          ],
        }),
      ),
    );
    assert.equal(mixed.name, 'InvalidPermission.NotFound');
    assert.deepEqual(await ingressKeys(h, sg), ['tcp:3389-3389:198.51.100.0/24']);

    assert.equal(
      (
        await awsError(() =>
          h.ec2.send(
            new RevokeSecurityGroupIngressCommand({ GroupId: sg, SecurityGroupRuleIds: ['sgr-0123456789abcdef0'] }),
          ),
        )
      ).name,
      'InvalidSecurityGroupRuleId.NotFound',
    );
    assert.equal(
      (
        await awsError(() =>
          h.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: sg, SecurityGroupRuleIds: ['sgr-nope'] })),
        )
      ).name,
      'InvalidSecurityGroupRuleId.Malformed',
    );
    assert.equal(
      (
        await awsError(() =>
          h.ec2.send(
            new RevokeSecurityGroupIngressCommand({
              GroupId: sg,
              SecurityGroupRuleIds: [rdpId],
              IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
            }),
          ),
        )
      ).name,
      'InvalidParameterCombination',
    );
    const res = await h.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: sg, SecurityGroupRuleIds: [rdpId] }));
    assert.equal(res.RevokedSecurityGroupRules![0]!.FromPort, 3389);
    assert.deepEqual(await ingressKeys(h, sg), []);

    // Default VPC: the missing rule is reported, the existing one revoked, and the call succeeds.
    const web = (await h.ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['web'] }))).SecurityGroups![0]!
      .GroupId!;
    const lenient = await h.ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupName: 'web',
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          { IpProtocol: 'udp', FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
        ],
      }),
    );
    assert.equal(lenient.Return, true);
    assert.deepEqual(
      lenient.UnknownIpPermissions!.map((p) => [p.IpProtocol, p.FromPort, p.IpRanges![0]!.CidrIp]),
      [['udp', 53, '10.0.0.0/8']],
    );
    assert.deepEqual(await ingressKeys(h, web), []);
  } finally {
    await h.close();
  }
});

test('Authorize / Revoke DryRun: 412 when allowed, 403 for a Describe-only key; the rules stay as they were', async () => {
  const { h, sg } = await harness();
  const ro = readOnlyClients(h.endpoint);
  try {
    const before = await rules(h, sg);
    const perm = [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
    const egress = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
    const calls: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
      [
        'AuthorizeIngress',
        () => h.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: perm, DryRun: true })),
        () => ro.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: perm })),
      ],
      [
        'AuthorizeEgress',
        () =>
          h.ec2.send(
            new AuthorizeSecurityGroupEgressCommand({
              GroupId: sg,
              IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
              DryRun: true,
            }),
          ),
        () => ro.ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: sg, IpPermissions: perm, DryRun: true })),
      ],
      [
        'RevokeEgress',
        () => h.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: sg, IpPermissions: egress, DryRun: true })),
        () => ro.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: sg, IpPermissions: egress })),
      ],
      [
        'RevokeEgressById',
        () =>
          h.ec2.send(
            new RevokeSecurityGroupEgressCommand({
              GroupId: sg,
              SecurityGroupRuleIds: [before[0]!.SecurityGroupRuleId!],
              DryRun: true,
            }),
          ),
        () => ro.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: perm })),
      ],
      [
        'Modify',
        () =>
          h.ec2.send(
            new ModifySecurityGroupRulesCommand({
              GroupId: sg,
              SecurityGroupRules: [
                {
                  SecurityGroupRuleId: before[0]!.SecurityGroupRuleId!,
                  SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 1, ToPort: 1, CidrIpv4: '10.0.0.0/8' },
                },
              ],
              DryRun: true,
            }),
          ),
        () =>
          ro.ec2.send(
            new ModifySecurityGroupRulesCommand({
              GroupId: sg,
              SecurityGroupRules: [
                {
                  SecurityGroupRuleId: before[0]!.SecurityGroupRuleId!,
                  SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 1, ToPort: 1, CidrIpv4: '10.0.0.0/8' },
                },
              ],
            }),
          ),
      ],
    ];
    for (const [label, dry, denied] of calls) {
      const d = await awsError(dry);
      assert.deepEqual([d.name, d.status], ['DryRunOperation', 412], label);
      const u = await awsError(denied);
      assert.deepEqual([u.name, u.status], ['UnauthorizedOperation', 403], label);
    }
    // A DryRun of a request that would fail answers the real error, not DryRunOperation.
    const missing = await awsError(() =>
      h.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: perm, DryRun: true })),
    );
    assert.equal(missing.name, 'InvalidPermission.NotFound');
    assert.deepEqual(await rules(h, sg), before);
  } finally {
    for (const c of Object.values(ro)) c.destroy();
    await h.close();
  }
});

test('DescribeSecurityGroupRules: ids, filters (group-id, security-group-rule-id, tag:*), pagination; ModifySecurityGroupRules keeps the id', async () => {
  const { h, sg } = await harness();
  try {
    const perms = [
      {
        IpProtocol: 'tcp',
        FromPort: 8000,
        ToPort: 8010,
        IpRanges: Array.from({ length: 6 }, (_, i) => ({ CidrIp: `10.${i}.0.0/16` })),
      },
    ];
    const added = (
      await h.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: sg,
          IpPermissions: perms,
          TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: [{ Key: 'batch', Value: 'one' }] }],
        }),
      )
    ).SecurityGroupRules!;
    const filters = [{ Name: 'group-id', Values: [sg] }];
    const p1 = await h.ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: filters, MaxResults: 5 }));
    const p2 = await h.ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: filters, MaxResults: 5, NextToken: p1.NextToken }),
    );
    assert.equal(p1.SecurityGroupRules!.length, 5);
    assert.equal(p2.SecurityGroupRules!.length, 2); // 6 ingress + the default egress rule
    assert.equal(p2.NextToken, undefined);

    const one = added[3]!.SecurityGroupRuleId!;
    const byId = await h.ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [one] }));
    assert.deepEqual(
      byId.SecurityGroupRules!.map((r) => [r.SecurityGroupRuleId, r.CidrIpv4, r.FromPort, r.ToPort]),
      [[one, '10.3.0.0/16', 8000, 8010]],
    );
    const byFilter = await h.ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'security-group-rule-id', Values: [one] }] }),
    );
    assert.equal(byFilter.SecurityGroupRules!.length, 1);
    assert.equal(
      (await h.ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'tag:batch', Values: ['one'] }] })))
        .SecurityGroupRules!.length,
      6,
    );
    assert.equal(
      (
        await awsError(() =>
          h.ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: ['sgr-0123456789abcdef0'] })),
        )
      ).name,
      'InvalidSecurityGroupRuleId.NotFound',
    );
    assert.equal(
      (await awsError(() => h.ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: ['rule-1'] }))))
        .name,
      'InvalidSecurityGroupRuleId.Malformed',
    );

    const mod = await h.ec2.send(
      new ModifySecurityGroupRulesCommand({
        GroupId: sg,
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: one,
            SecurityGroupRule: {
              IpProtocol: 'udp',
              FromPort: 53,
              ToPort: 53,
              CidrIpv4: '10.3.0.0/16',
              Description: 'dns',
            },
          },
        ],
      }),
    );
    assert.equal(mod.Return, true);
    const after = (await h.ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [one] })))
      .SecurityGroupRules![0]!;
    assert.deepEqual(
      [after.IpProtocol, after.FromPort, after.ToPort, after.Description, after.Tags],
      ['udp', 53, 53, 'dns', [{ Key: 'batch', Value: 'one' }]],
    );
    const dup = await awsError(() =>
      h.ec2.send(
        new ModifySecurityGroupRulesCommand({
          GroupId: sg,
          SecurityGroupRules: [
            {
              SecurityGroupRuleId: added[0]!.SecurityGroupRuleId!,
              SecurityGroupRule: { IpProtocol: 'udp', FromPort: 53, ToPort: 53, CidrIpv4: '10.3.0.0/16' },
            },
          ],
        }),
      ),
    );
    assert.equal(dup.name, 'InvalidPermission.Duplicate');
  } finally {
    await h.close();
  }
});
