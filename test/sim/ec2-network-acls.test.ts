// Simulated EC2 network ACLs through the real SDK: the catch-all denies in the view, entry validation and
// canonicalisation, the 20-rules-per-direction limit, association replacement, deletion rules, DryRun and 403.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  DeleteNetworkAclCommand,
  DeleteNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  ReplaceNetworkAclAssociationCommand,
  ReplaceNetworkAclEntryCommand,
  type EC2Client,
  type NetworkAcl,
  type CreateNetworkAclEntryCommandInput,
} from '@aws-sdk/client-ec2';
import { awsError, clients, startHarness, type SimHarness, fullAndReadOnly } from '../helpers/sim.js';

const ACCOUNT = '111122223333';
const FULL_KEY = 'AKIANACLFULLACCESS1';
const READONLY_KEY = 'AKIANACLREADONLY001';
const V6_VPC = 'vpc-0ccc0000000000001';
const V4_VPC = 'vpc-0ccc0000000000002';
const S1 = 'subnet-0ccc0000000000001';
const S2 = 'subnet-0ccc0000000000002';
const W1 = 'subnet-0ccc0000000000003';
const ISO = 'acl-0ccc0000000000009';

function scenario(): Record<string, unknown> {
  return fullAndReadOnly('nacls', ACCOUNT, FULL_KEY, READONLY_KEY, {
    vpcs: [
      {
        id: V6_VPC,
        name: 'prod',
        cidr: '10.1.0.0/16',
        ipv6Cidr: '2600:1f18:aaaa:bb00::/56',
        subnets: [
          { id: S1, name: 's1', cidr: '10.1.1.0/24', ipv6Cidr: '2600:1f18:aaaa:bb01::/64' },
          { id: S2, name: 's2', cidr: '10.1.2.0/24', networkAcl: 'iso' },
        ],
        networkAcls: [
          {
            id: ISO,
            name: 'iso',
            entries: [{ rule: 10, action: 'deny', protocol: 'tcp', ports: 22, cidr: '198.51.100.0/24' }],
            tags: { purpose: 'isolation' },
          },
        ],
      },
      { id: V4_VPC, name: 'legacy', cidr: '172.16.0.0/16', subnets: [{ id: W1, name: 'w1', cidr: '172.16.1.0/24' }] },
    ],
  });
}

async function harness(): Promise<SimHarness> {
  return startHarness(scenario(), { accessKeyId: FULL_KEY });
}

async function withReadOnly<T>(h: SimHarness, fn: (ec2: EC2Client) => Promise<T>): Promise<T> {
  const ro = clients(h.endpoint, { accessKeyId: READONLY_KEY });
  try {
    return await fn(ro.ec2);
  } finally {
    for (const c of Object.values(ro)) c.destroy();
  }
}

const acl = async (h: SimHarness, id: string): Promise<NetworkAcl> =>
  (await h.ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [id] }))).NetworkAcls![0]!;
const aclIds = async (h: SimHarness, Name: string, Values: string[]): Promise<string[]> =>
  ((await h.ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name, Values }] }))).NetworkAcls ?? [])
    .map((a) => a.NetworkAclId!)
    .sort();
const defaultAclOf = async (h: SimHarness, vpcId: string): Promise<NetworkAcl> =>
  (
    await h.ec2.send(
      new DescribeNetworkAclsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'default', Values: ['true'] },
        ],
      }),
    )
  ).NetworkAcls![0]!;
const rows = (a: NetworkAcl) =>
  a.Entries!.map(
    (e) =>
      `${e.Egress ? 'out' : 'in'} ${e.RuleNumber} ${e.RuleAction} ${e.Protocol} ${e.CidrBlock ?? e.Ipv6CidrBlock}${e.PortRange ? ` ${e.PortRange.From}-${e.PortRange.To}` : ''}`,
  );

test('DescribeNetworkAcls shows the catch-all denies (32767, and 32768 in an IPv6 VPC), associations and filters', async () => {
  const h = await harness();
  try {
    const def = await defaultAclOf(h, V6_VPC);
    assert.equal(def.IsDefault, true);
    assert.equal(def.OwnerId, ACCOUNT);
    assert.deepEqual(rows(def), [
      'out 100 allow -1 0.0.0.0/0',
      'out 101 allow -1 ::/0',
      'out 32767 deny -1 0.0.0.0/0',
      'out 32768 deny -1 ::/0',
      'in 100 allow -1 0.0.0.0/0',
      'in 101 allow -1 ::/0',
      'in 32767 deny -1 0.0.0.0/0',
      'in 32768 deny -1 ::/0',
    ]);
    assert.deepEqual(
      def.Associations!.map((a) => [a.SubnetId, a.NetworkAclId]),
      [[S1, def.NetworkAclId]],
    );
    assert.match(def.Associations![0]!.NetworkAclAssociationId!, /^aclassoc-[0-9a-f]{17}$/);

    const legacy = await defaultAclOf(h, V4_VPC);
    assert.deepEqual(rows(legacy), [
      'out 100 allow -1 0.0.0.0/0',
      'out 32767 deny -1 0.0.0.0/0',
      'in 100 allow -1 0.0.0.0/0',
      'in 32767 deny -1 0.0.0.0/0',
    ]);

    const iso = await acl(h, ISO);
    assert.equal(iso.IsDefault, false);
    assert.deepEqual(rows(iso), [
      'out 32767 deny -1 0.0.0.0/0',
      'out 32768 deny -1 ::/0',
      'in 10 deny 6 198.51.100.0/24 22-22',
      'in 32767 deny -1 0.0.0.0/0',
      'in 32768 deny -1 ::/0',
    ]);
    assert.deepEqual(
      iso.Tags!.find((t) => t.Key === 'purpose'),
      { Key: 'purpose', Value: 'isolation' },
    );

    assert.deepEqual(await aclIds(h, 'association.subnet-id', [S2]), [ISO]);
    assert.deepEqual(await aclIds(h, 'association.association-id', [def.Associations![0]!.NetworkAclAssociationId!]), [
      def.NetworkAclId,
    ]);
    assert.deepEqual(await aclIds(h, 'vpc-id', [V4_VPC]), [legacy.NetworkAclId]);
    assert.deepEqual(await aclIds(h, 'default', ['false']), [ISO]);
    assert.deepEqual(await aclIds(h, 'tag:purpose', ['isolation']), [ISO]);
    assert.deepEqual(await aclIds(h, 'network-acl-id', [ISO]), [ISO]);
    assert.deepEqual(await aclIds(h, 'entry.rule-number', ['10']), [ISO]);

    const missing = await awsError(() =>
      h.ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: ['acl-0123456789abcdef0'] })),
    );
    assert.deepEqual([missing.name, missing.status], ['InvalidNetworkAclID.NotFound', 400]);
    const bad = await awsError(() => h.ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: ['acl-zz'] })));
    assert.deepEqual([bad.name, bad.status], ['InvalidNetworkAclID.Malformed', 400]);
  } finally {
    await h.close();
  }
});

test('CreateNetworkAcl has only the catch-all denies; DescribeNetworkAcls pages (MaxResults 5..100)', async () => {
  const h = await harness();
  try {
    const { NetworkAcl: created } = await h.ec2.send(
      new CreateNetworkAclCommand({
        VpcId: V6_VPC,
        TagSpecifications: [{ ResourceType: 'network-acl', Tags: [{ Key: 'Name', Value: 'cordon-isolation' }] }],
      }),
    );
    assert.match(created!.NetworkAclId!, /^acl-[0-9a-f]{17}$/);
    assert.deepEqual([created!.VpcId, created!.IsDefault, created!.Associations], [V6_VPC, false, []]);
    assert.deepEqual(rows(created!), [
      'out 32767 deny -1 0.0.0.0/0',
      'out 32768 deny -1 ::/0',
      'in 32767 deny -1 0.0.0.0/0',
      'in 32768 deny -1 ::/0',
    ]);
    assert.deepEqual(created!.Tags, [{ Key: 'Name', Value: 'cordon-isolation' }]);
    assert.deepEqual(rows(await acl(h, created!.NetworkAclId!)), rows(created!));

    for (let i = 0; i < 3; i++) await h.ec2.send(new CreateNetworkAclCommand({ VpcId: V4_VPC }));
    const first = await h.ec2.send(new DescribeNetworkAclsCommand({ MaxResults: 5 }));
    assert.equal(first.NetworkAcls!.length, 5);
    assert.ok(first.NextToken);
    const second = await h.ec2.send(new DescribeNetworkAclsCommand({ MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(second.NetworkAcls!.length, 2);
    assert.equal(second.NextToken, undefined);
    assert.equal(new Set([...first.NetworkAcls!, ...second.NetworkAcls!].map((a) => a.NetworkAclId)).size, 7);
    const tooMany = await awsError(() => h.ec2.send(new DescribeNetworkAclsCommand({ MaxResults: 101 })));
    assert.deepEqual([tooMany.name, tooMany.status], ['InvalidParameterValue', 400]);
    const noVpc = await awsError(() => h.ec2.send(new CreateNetworkAclCommand({ VpcId: 'vpc-0123456789abcdef0' })));
    assert.deepEqual([noVpc.name, noVpc.status], ['InvalidVpcID.NotFound', 400]);
  } finally {
    await h.close();
  }
});

test('CreateNetworkAclEntry: canonical CIDRs, protocol names, port ranges, ICMP, and AWS errors', async () => {
  const h = await harness();
  try {
    const entry = (e: Partial<CreateNetworkAclEntryCommandInput>) =>
      h.ec2.send(
        new CreateNetworkAclEntryCommand({
          NetworkAclId: ISO,
          RuleNumber: 1,
          Egress: false,
          Protocol: '-1',
          RuleAction: 'deny',
          CidrBlock: '0.0.0.0/0',
          ...e,
        }),
      );
    await entry({ RuleNumber: 1, CidrBlock: '100.68.0.18/18' });
    await entry({
      RuleNumber: 2,
      Protocol: 'tcp',
      RuleAction: 'allow',
      CidrBlock: '10.1.0.0/16',
      PortRange: { From: 1024, To: 65535 },
      Egress: true,
    });
    await entry({ RuleNumber: 3, Protocol: '1', CidrBlock: '0.0.0.0/0', IcmpTypeCode: { Type: 8, Code: -1 } });
    await entry({
      RuleNumber: 4,
      Protocol: '58',
      CidrBlock: undefined,
      Ipv6CidrBlock: '2001:db8::1/64',
      IcmpTypeCode: { Type: -1, Code: -1 },
    });
    await entry({ RuleNumber: 5, Protocol: '50' });
    const a = await acl(h, ISO);
    const find = (n: number, egress = false) => a.Entries!.find((e) => e.RuleNumber === n && e.Egress === egress)!;
    assert.equal(find(1).CidrBlock, '100.68.0.0/18');
    assert.deepEqual([find(2, true).Protocol, find(2, true).PortRange], ['6', { From: 1024, To: 65535 }]);
    assert.deepEqual(find(3).IcmpTypeCode, { Type: 8, Code: -1 });
    assert.equal(find(4).Ipv6CidrBlock, '2001:db8::/64');
    assert.deepEqual([find(5).Protocol, find(5).PortRange], ['50', undefined]);

    const cases: [Partial<CreateNetworkAclEntryCommandInput>, string][] = [
      [{ RuleNumber: 1 }, 'NetworkAclEntryAlreadyExists'],
      [{ RuleNumber: 0 }, 'InvalidParameterValue'],
      [{ RuleNumber: 32767 }, 'InvalidParameterValue'],
      [{ RuleNumber: 20, Protocol: 'tcp' }, 'MissingParameter'],
      [{ RuleNumber: 20, Protocol: '17', PortRange: { From: 53, To: 70000 } }, 'InvalidParameterValue'],
      [{ RuleNumber: 20, Protocol: '6', PortRange: { From: 90, To: 80 } }, 'InvalidParameterValue'],
      [{ RuleNumber: 20, Protocol: 'icmp' }, 'MissingParameter'],
      [{ RuleNumber: 20, Protocol: 'gre' }, 'InvalidParameterValue'],
      [{ RuleNumber: 20, RuleAction: 'drop' as 'deny' }, 'InvalidParameterValue'],
      [{ RuleNumber: 20, CidrBlock: '10.0.0.0/33' }, 'InvalidParameterValue'],
      [{ RuleNumber: 20, CidrBlock: '::/0' }, 'InvalidParameterValue'],
      [{ RuleNumber: 20, CidrBlock: undefined }, 'MissingParameter'],
      [{ RuleNumber: 20, Ipv6CidrBlock: '::/0' }, 'InvalidParameterCombination'],
      [{ RuleNumber: 20, NetworkAclId: 'acl-0123456789abcdef0' }, 'InvalidNetworkAclID.NotFound'],
    ];
    for (const [input, code] of cases) {
      const e = await awsError(() => entry(input));
      assert.deepEqual([e.name, e.status], [code, 400], JSON.stringify(input));
    }
    // Rule 1 exists for ingress only: the same number in the other direction is a different entry.
    await entry({ RuleNumber: 1, Egress: true });
    assert.equal((await acl(h, ISO)).Entries!.filter((e) => e.RuleNumber === 1).length, 2);
  } finally {
    await h.close();
  }
});

test('NetworkAclEntryLimitExceeded: 20 rules per direction per family including the default deny (19 user rules)', async () => {
  const h = await harness();
  try {
    const { NetworkAcl: created } = await h.ec2.send(new CreateNetworkAclCommand({ VpcId: V6_VPC }));
    const id = created!.NetworkAclId!;
    const add = (RuleNumber: number, Egress: boolean, v6 = false) =>
      h.ec2.send(
        new CreateNetworkAclEntryCommand({
          NetworkAclId: id,
          RuleNumber,
          Egress,
          Protocol: '-1',
          RuleAction: 'deny',
          ...(v6 ? { Ipv6CidrBlock: '::/0' } : { CidrBlock: '0.0.0.0/0' }),
        }),
      );
    for (let n = 1; n <= 19; n++) await add(n, false);
    const twentieth = await awsError(() => add(20, false));
    assert.deepEqual([twentieth.name, twentieth.status], ['NetworkAclEntryLimitExceeded', 400]);
    // IPv6 and egress rules are counted separately.
    await add(20, false, true);
    await add(1, true);
    const a = await acl(h, id);
    assert.equal(a.Entries!.filter((e) => !e.Egress && e.CidrBlock).length, 20, '19 user rules + 32767');
    // Replacing within a full direction is fine; changing a rule's family counts against the other family.
    await h.ec2.send(
      new ReplaceNetworkAclEntryCommand({
        NetworkAclId: id,
        RuleNumber: 19,
        Egress: false,
        Protocol: '6',
        RuleAction: 'allow',
        CidrBlock: '10.0.0.0/8',
        PortRange: { From: 22, To: 22 },
      }),
    );
    await h.ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: id, RuleNumber: 19, Egress: false }));
    await add(25, false);
    const again = await awsError(() => add(26, false));
    assert.equal(again.name, 'NetworkAclEntryLimitExceeded');
  } finally {
    await h.close();
  }
});

test('ReplaceNetworkAclEntry and DeleteNetworkAclEntry: replace in place, InvalidNetworkAclEntry.NotFound', async () => {
  const h = await harness();
  try {
    await h.ec2.send(
      new ReplaceNetworkAclEntryCommand({
        NetworkAclId: ISO,
        RuleNumber: 10,
        Egress: false,
        Protocol: '-1',
        RuleAction: 'allow',
        CidrBlock: '203.0.113.77/32',
      }),
    );
    assert.deepEqual(
      rows(await acl(h, ISO)).filter((r) => r.startsWith('in 10 ')),
      ['in 10 allow -1 203.0.113.77/32'],
    );
    const notThere = await awsError(() =>
      h.ec2.send(
        new ReplaceNetworkAclEntryCommand({
          NetworkAclId: ISO,
          RuleNumber: 10,
          Egress: true,
          Protocol: '-1',
          RuleAction: 'allow',
          CidrBlock: '0.0.0.0/0',
        }),
      ),
    );
    assert.deepEqual([notThere.name, notThere.status], ['InvalidNetworkAclEntry.NotFound', 400]);
    const reserved = await awsError(() =>
      h.ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: ISO, RuleNumber: 32767, Egress: false })),
    );
    assert.deepEqual([reserved.name, reserved.status], ['InvalidParameterValue', 400]);
    await h.ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: ISO, RuleNumber: 10, Egress: false }));
    assert.deepEqual(
      rows(await acl(h, ISO)).filter((r) => !/ 3276[78] /.test(r)),
      [],
    );
    const deleted = await awsError(() =>
      h.ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: ISO, RuleNumber: 10, Egress: false })),
    );
    assert.deepEqual([deleted.name, deleted.status], ['InvalidNetworkAclEntry.NotFound', 400]);
  } finally {
    await h.close();
  }
});

test('ReplaceNetworkAclAssociation moves a subnet and answers a new association id; DeleteNetworkAcl rules', async () => {
  const h = await harness();
  try {
    const def = await defaultAclOf(h, V6_VPC);
    const oldAssoc = def.Associations!.find((a) => a.SubnetId === S1)!.NetworkAclAssociationId!;
    const { NewAssociationId } = await h.ec2.send(
      new ReplaceNetworkAclAssociationCommand({ AssociationId: oldAssoc, NetworkAclId: ISO }),
    );
    assert.match(NewAssociationId!, /^aclassoc-[0-9a-f]{17}$/);
    assert.notEqual(NewAssociationId, oldAssoc);
    assert.deepEqual((await acl(h, ISO)).Associations!.map((a) => a.SubnetId).sort(), [S1, S2].sort());
    assert.deepEqual((await defaultAclOf(h, V6_VPC)).Associations, []);
    assert.deepEqual(await aclIds(h, 'association.association-id', [NewAssociationId!]), [ISO]);

    const stale = await awsError(() =>
      h.ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: oldAssoc, NetworkAclId: ISO })),
    );
    assert.deepEqual([stale.name, stale.status], ['InvalidAssociationID.NotFound', 400]);
    // Naming the ACL the subnet already uses is idempotent: same association, nothing moves.
    const same = await h.ec2.send(
      new ReplaceNetworkAclAssociationCommand({ AssociationId: NewAssociationId, NetworkAclId: ISO }),
    );
    assert.equal(same.NewAssociationId, NewAssociationId);
    const legacy = await defaultAclOf(h, V4_VPC);
    const cross = await awsError(() =>
      h.ec2.send(
        new ReplaceNetworkAclAssociationCommand({ AssociationId: NewAssociationId, NetworkAclId: legacy.NetworkAclId }),
      ),
    );
    assert.deepEqual([cross.name, cross.status], ['InvalidParameterValue', 400]);

    const delDefault = await awsError(() =>
      h.ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: def.NetworkAclId })),
    );
    assert.deepEqual([delDefault.name, delDefault.status], ['InvalidParameterValue', 400]);
    const delUsed = await awsError(() => h.ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: ISO })));
    assert.deepEqual([delUsed.name, delUsed.status], ['DependencyViolation', 400]);

    // Restore: move both subnets back to the default ACL, then the isolation ACL can go.
    for (const a of (await acl(h, ISO)).Associations!) {
      await h.ec2.send(
        new ReplaceNetworkAclAssociationCommand({
          AssociationId: a.NetworkAclAssociationId,
          NetworkAclId: def.NetworkAclId,
        }),
      );
    }
    await h.ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: ISO }));
    const gone = await awsError(() => acl(h, ISO));
    assert.equal(gone.name, 'InvalidNetworkAclID.NotFound');
    assert.deepEqual((await defaultAclOf(h, V6_VPC)).Associations!.map((a) => a.SubnetId).sort(), [S1, S2].sort());
  } finally {
    await h.close();
  }
});

test('NACL mutations under DryRun (412) and with a Describe-only credential (403) change nothing', async () => {
  const h = await harness();
  try {
    const before = JSON.stringify((await h.ec2.send(new DescribeNetworkAclsCommand({}))).NetworkAcls);
    const version = h.sim.world.version;
    const def = await defaultAclOf(h, V6_VPC);
    const assoc = def.Associations![0]!.NetworkAclAssociationId!;
    const calls: ((ec2: EC2Client, dry?: boolean) => Promise<unknown>)[] = [
      (ec2, DryRun) =>
        ec2.send(
          new CreateNetworkAclEntryCommand({
            DryRun,
            NetworkAclId: ISO,
            RuleNumber: 1,
            Egress: false,
            Protocol: '-1',
            RuleAction: 'deny',
            CidrBlock: '0.0.0.0/0',
          }),
        ),
      (ec2, DryRun) =>
        ec2.send(
          new ReplaceNetworkAclEntryCommand({
            DryRun,
            NetworkAclId: ISO,
            RuleNumber: 10,
            Egress: false,
            Protocol: '-1',
            RuleAction: 'allow',
            CidrBlock: '0.0.0.0/0',
          }),
        ),
      (ec2, DryRun) =>
        ec2.send(new DeleteNetworkAclEntryCommand({ DryRun, NetworkAclId: ISO, RuleNumber: 10, Egress: false })),
      (ec2, DryRun) =>
        ec2.send(new ReplaceNetworkAclAssociationCommand({ DryRun, AssociationId: assoc, NetworkAclId: ISO })),
      (ec2, DryRun) => ec2.send(new CreateNetworkAclCommand({ DryRun, VpcId: V6_VPC })),
      (ec2, DryRun) => ec2.send(new DeleteNetworkAclCommand({ DryRun, NetworkAclId: ISO })),
    ];
    // DeleteNetworkAcl of an associated ACL fails validation before the DryRun gate.
    for (const [i, call] of calls.entries()) {
      const e = await awsError(() => call(h.ec2, true));
      if (i === 5) assert.equal(e.name, 'DependencyViolation');
      else assert.deepEqual([e.name, e.status], ['DryRunOperation', 412], `call ${i}`);
    }
    await withReadOnly(h, async (ec2) => {
      for (const call of calls) {
        const e = await awsError(() => call(ec2));
        assert.deepEqual([e.name, e.status], ['UnauthorizedOperation', 403]);
      }
      assert.equal(JSON.stringify((await ec2.send(new DescribeNetworkAclsCommand({}))).NetworkAcls), before);
    });
    assert.equal(h.sim.world.version, version);
    assert.equal(JSON.stringify((await h.ec2.send(new DescribeNetworkAclsCommand({}))).NetworkAcls), before);
  } finally {
    await h.close();
  }
});
