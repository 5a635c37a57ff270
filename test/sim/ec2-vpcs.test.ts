import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { awsError, startHarness, type SimHarness } from '../helpers/sim.js';
import {
  ACCOUNT,
  DEFAULT_VPC,
  FULL_KEY,
  V6_SUBNET,
  V6_VPC,
  networkScenario,
  readOnlyClients,
} from '../helpers/ec2-network.js';

async function harness(extraVpcs: Record<string, unknown>[] = []): Promise<SimHarness> {
  return startHarness(networkScenario(extraVpcs), { accessKeyId: FULL_KEY });
}

const vpcIds = async (h: SimHarness): Promise<string[]> =>
  ((await h.ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? []).map((v) => v.VpcId!).sort();

test('DescribeVpcs: shape, ids, filters (vpc-id, cidr, is-default, state, tag:Name) and unknown or malformed ids', async () => {
  const h = await harness();
  try {
    const all = await h.ec2.send(new DescribeVpcsCommand({}));
    assert.deepEqual(all.Vpcs!.map((v) => v.VpcId).sort(), [DEFAULT_VPC, V6_VPC].sort());
    const prod = all.Vpcs!.find((v) => v.VpcId === V6_VPC)!;
    assert.equal(prod.CidrBlock, '10.1.0.0/16');
    assert.equal(prod.State, 'available');
    assert.equal(prod.IsDefault, false);
    assert.equal(prod.OwnerId, ACCOUNT);
    assert.equal(prod.InstanceTenancy, 'default');
    assert.match(prod.DhcpOptionsId!, /^dopt-[0-9a-f]{17}$/);
    assert.equal(prod.CidrBlockAssociationSet![0]!.CidrBlock, '10.1.0.0/16');
    assert.match(prod.CidrBlockAssociationSet![0]!.AssociationId!, /^vpc-cidr-assoc-[0-9a-f]{17}$/);
    assert.equal(prod.CidrBlockAssociationSet![0]!.CidrBlockState!.State, 'associated');
    assert.equal(prod.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock, '2600:1f18:aaaa:bb00::/56');
    assert.equal(prod.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlockState!.State, 'associated');
    assert.deepEqual(prod.Tags, [{ Key: 'Name', Value: 'prod' }]);
    // The association id is stable from one call to the next.
    const again = await h.ec2.send(new DescribeVpcsCommand({ VpcIds: [V6_VPC] }));
    assert.equal(
      again.Vpcs![0]!.CidrBlockAssociationSet![0]!.AssociationId,
      prod.CidrBlockAssociationSet![0]!.AssociationId,
    );

    const f = async (Name: string, Values: string[]) =>
      ((await h.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name, Values }] }))).Vpcs ?? []).map((v) => v.VpcId);
    assert.deepEqual(await f('vpc-id', [V6_VPC]), [V6_VPC]);
    assert.deepEqual(await f('cidr', ['172.31.0.0/16']), [DEFAULT_VPC]);
    assert.deepEqual(await f('is-default', ['true']), [DEFAULT_VPC]);
    assert.deepEqual(await f('is-default', ['false']), [V6_VPC]);
    assert.equal((await f('state', ['available'])).length, 2);
    assert.deepEqual(await f('tag:Name', ['pro*']), [V6_VPC]);
    assert.deepEqual(await f('tag:Name', ['nothing']), []);

    const missing = await awsError(() => h.ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0123456789abcdef0'] })));
    assert.deepEqual([missing.name, missing.status], ['InvalidVpcID.NotFound', 400]);
    assert.match(missing.message, /vpc-0123456789abcdef0/);
    const bad = await awsError(() => h.ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-xyz'] })));
    assert.deepEqual([bad.name, bad.status], ['InvalidVpcID.Malformed', 400]);
    const badFilter = await awsError(() =>
      h.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })),
    );
    assert.deepEqual([badFilter.name, badFilter.status], ['InvalidParameterValue', 400]);
  } finally {
    await h.close();
  }
});

test('DescribeVpcs pages with MaxResults/NextToken and rejects MaxResults outside 5..1000', async () => {
  const extra = Array.from({ length: 5 }, (_, i) => ({ name: `extra-${i}`, cidr: `10.${10 + i}.0.0/16` }));
  const h = await harness(extra);
  try {
    const first = await h.ec2.send(new DescribeVpcsCommand({ MaxResults: 5 }));
    assert.equal(first.Vpcs!.length, 5);
    assert.ok(first.NextToken);
    const second = await h.ec2.send(new DescribeVpcsCommand({ MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(second.Vpcs!.length, 2);
    assert.equal(second.NextToken, undefined);
    const seen = [...first.Vpcs!, ...second.Vpcs!].map((v) => v.VpcId!);
    assert.equal(new Set(seen).size, 7);
    const e = await awsError(() => h.ec2.send(new DescribeVpcsCommand({ MaxResults: 4 })));
    assert.deepEqual([e.name, e.status], ['InvalidParameterValue', 400]);
    const tok = await awsError(() => h.ec2.send(new DescribeVpcsCommand({ MaxResults: 5, NextToken: '!!notatoken' })));
    assert.equal(tok.name, 'InvalidNextToken');
  } finally {
    await h.close();
  }
});

test('CreateVpc: a VPC with an Amazon /56, tags, its default group, default NACL and main route table', async () => {
  const h = await harness();
  try {
    const out = await h.ec2.send(
      new CreateVpcCommand({
        CidrBlock: '10.50.0.0/16',
        AmazonProvidedIpv6CidrBlock: true,
        TagSpecifications: [
          { ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'quarantine' }] },
          { ResourceType: 'subnet', Tags: [{ Key: 'x', Value: 'y' }] },
        ],
      }),
    );
    const vpc = out.Vpc!;
    assert.match(vpc.VpcId!, /^vpc-[0-9a-f]{17}$/);
    assert.equal(vpc.CidrBlock, '10.50.0.0/16');
    assert.equal(vpc.State, 'pending');
    assert.equal(vpc.IsDefault, false);
    assert.deepEqual(vpc.Tags, [{ Key: 'Name', Value: 'quarantine' }]);
    const v6 = vpc.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock!;
    assert.match(v6, /^2600:1f18:[0-9a-f]{1,4}:[0-9a-f]{1,4}::\/56$/);

    const read = (await h.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpc.VpcId!] }))).Vpcs![0]!;
    assert.equal(read.State, 'available');
    assert.equal(read.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock, v6);
    assert.equal(read.Ipv6CidrBlockAssociationSet![0]!.NetworkBorderGroup, 'us-east-1');

    // A second VPC gets a different /56.
    const other = await h.ec2.send(
      new CreateVpcCommand({ CidrBlock: '10.51.0.0/16', AmazonProvidedIpv6CidrBlock: true }),
    );
    assert.notEqual(other.Vpc!.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock, v6);
    assert.deepEqual(other.Vpc!.Tags ?? [], []);

    // Default security group: self-referencing ingress, allow-all egress for IPv4 and (IPv6 VPC) IPv6.
    const groups = (
      await h.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] }))
    ).SecurityGroups!;
    assert.equal(groups.length, 1);
    const def = groups[0]!;
    assert.equal(def.GroupName, 'default');
    assert.equal(def.Description, 'default VPC security group');
    assert.deepEqual(
      def.IpPermissions!.map((p) => [p.IpProtocol, p.UserIdGroupPairs!.map((g) => g.GroupId)]),
      [['-1', [def.GroupId]]],
    );
    assert.deepEqual(
      def.IpPermissionsEgress!.map((p) => [
        p.IpProtocol,
        p.IpRanges!.map((r) => r.CidrIp),
        p.Ipv6Ranges!.map((r) => r.CidrIpv6),
      ]),
      [['-1', ['0.0.0.0/0'], ['::/0']]],
    );

    const ec2 = h.sim.world.region(ACCOUNT, 'us-east-1').ec2;
    const acls = [...ec2.networkAcls.values()].filter((a) => a.vpcId === vpc.VpcId);
    assert.deepEqual(
      acls.map((a) => a.isDefault),
      [true],
    );
    const tables = [...ec2.routeTables.values()].filter((t) => t.vpcId === vpc.VpcId);
    assert.equal(tables.length, 1);
    assert.ok(tables[0]!.associations.some((a) => a.main));
    assert.deepEqual(
      tables[0]!.routes.map((r) => r.destinationCidrBlock ?? r.destinationIpv6CidrBlock),
      ['10.50.0.0/16', v6],
    );
  } finally {
    await h.close();
  }
});

test('CreateVpc validation: malformed, off-boundary and out-of-range CIDRs, missing CIDR, tenancy, the 5-VPC quota', async () => {
  const h = await harness();
  try {
    const before = await vpcIds(h);
    const cases: [string | undefined, string][] = [
      ['10.0.0.0', 'InvalidParameterValue'],
      ['10.0.0.1/16', 'InvalidParameterValue'],
      ['2001:db8::/56', 'InvalidParameterValue'],
      ['10.0.0.0/8', 'InvalidVpc.Range'],
      ['10.0.0.0/29', 'InvalidVpc.Range'],
      [undefined, 'MissingParameter'],
    ];
    for (const [CidrBlock, code] of cases) {
      const e = await awsError(() => h.ec2.send(new CreateVpcCommand({ CidrBlock })));
      assert.deepEqual([e.name, e.status], [code, 400], `CidrBlock ${CidrBlock}`);
    }
    const tenancy = await awsError(() =>
      h.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16', InstanceTenancy: 'host' })),
    );
    assert.equal(tenancy.name, 'InvalidParameterValue');
    assert.deepEqual(await vpcIds(h), before);

    for (let i = 0; i < 3; i++) await h.ec2.send(new CreateVpcCommand({ CidrBlock: `10.${60 + i}.0.0/16` }));
    const limit = await awsError(() => h.ec2.send(new CreateVpcCommand({ CidrBlock: '10.70.0.0/16' })));
    assert.deepEqual([limit.name, limit.status], ['VpcLimitExceeded', 400]);
    assert.equal((await vpcIds(h)).length, 5);
  } finally {
    await h.close();
  }
});

test('CreateVpc / DeleteVpc DryRun: 412 with permission, 403 without (ec2:Describe* only), nothing changes', async () => {
  const h = await harness();
  const ro = readOnlyClients(h.endpoint);
  try {
    const before = await vpcIds(h);
    const version = h.sim.world.version;
    const dry = await awsError(() => h.ec2.send(new CreateVpcCommand({ CidrBlock: '10.80.0.0/16', DryRun: true })));
    assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
    const denied = await awsError(() => ro.ec2.send(new CreateVpcCommand({ CidrBlock: '10.80.0.0/16' })));
    assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
    const deniedDry = await awsError(() =>
      ro.ec2.send(new CreateVpcCommand({ CidrBlock: '10.80.0.0/16', DryRun: true })),
    );
    assert.deepEqual([deniedDry.name, deniedDry.status], ['UnauthorizedOperation', 403]);

    const vpc = (await h.ec2.send(new CreateVpcCommand({ CidrBlock: '10.81.0.0/16' }))).Vpc!.VpcId!;
    const dryDel = await awsError(() => h.ec2.send(new DeleteVpcCommand({ VpcId: vpc, DryRun: true })));
    assert.deepEqual([dryDel.name, dryDel.status], ['DryRunOperation', 412]);
    const roDel = await awsError(() => ro.ec2.send(new DeleteVpcCommand({ VpcId: vpc })));
    assert.deepEqual([roDel.name, roDel.status], ['UnauthorizedOperation', 403]);
    assert.deepEqual(await vpcIds(h), [...before, vpc].sort());
    assert.ok(h.sim.world.version > version);
    // Read-only callers can still describe.
    assert.equal((await ro.ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length, 3);
  } finally {
    for (const c of Object.values(ro)) c.destroy();
    await h.close();
  }
});

test('DeleteVpc: DependencyViolation while subnets, groups or an internet gateway remain; then its default group, NACL and main table go with it', async () => {
  const h = await harness([
    { id: 'vpc-0e0e0000000000003', name: 'gw-only', cidr: '10.90.0.0/16', internetGateway: true },
  ]);
  try {
    for (const VpcId of [V6_VPC, 'vpc-0e0e0000000000003']) {
      const e = await awsError(() => h.ec2.send(new DeleteVpcCommand({ VpcId })));
      assert.deepEqual([e.name, e.status], ['DependencyViolation', 400], VpcId);
      assert.match(e.message, new RegExp(`The vpc '${VpcId}' has dependencies`));
    }
    const vpc = (await h.ec2.send(new CreateVpcCommand({ CidrBlock: '10.91.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await h.ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.91.1.0/24' }))).Subnet!
      .SubnetId!;
    const sg = (await h.ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: 'x', Description: 'x' })))
      .GroupId!;
    assert.equal((await awsError(() => h.ec2.send(new DeleteVpcCommand({ VpcId: vpc })))).name, 'DependencyViolation');
    await h.ec2.send(new DeleteSubnetCommand({ SubnetId: subnet }));
    assert.equal((await awsError(() => h.ec2.send(new DeleteVpcCommand({ VpcId: vpc })))).name, 'DependencyViolation');
    await h.ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg }));

    const res = await h.ec2.send(new DeleteVpcCommand({ VpcId: vpc }));
    assert.equal(res.$metadata.httpStatusCode, 200);
    assert.ok(!(await vpcIds(h)).includes(vpc));
    assert.deepEqual(
      (await h.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] })))
        .SecurityGroups,
      [],
    );
    const ec2 = h.sim.world.region(ACCOUNT, 'us-east-1').ec2;
    assert.equal([...ec2.networkAcls.values()].filter((a) => a.vpcId === vpc).length, 0);
    assert.equal([...ec2.routeTables.values()].filter((t) => t.vpcId === vpc).length, 0);
    const again = await awsError(() => h.ec2.send(new DeleteVpcCommand({ VpcId: vpc })));
    assert.deepEqual([again.name, again.status], ['InvalidVpcID.NotFound', 400]);
    const missing = await awsError(() => h.ec2.send(new DeleteVpcCommand({ VpcId: undefined })));
    assert.equal(missing.name, 'MissingParameter');
  } finally {
    await h.close();
  }
});

test('DescribeSubnets: shape and filters (subnet-id, vpc-id, cidr-block, availability-zone, tag:Name)', async () => {
  const h = await harness();
  try {
    const s = (await h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [V6_SUBNET] }))).Subnets![0]!;
    assert.equal(s.VpcId, V6_VPC);
    assert.equal(s.CidrBlock, '10.1.1.0/24');
    assert.equal(s.AvailabilityZone, 'us-east-1b');
    assert.equal(s.AvailabilityZoneId, 'use1-az2');
    assert.equal(s.State, 'available');
    assert.equal(s.DefaultForAz, false);
    assert.equal(s.MapPublicIpOnLaunch, false);
    assert.equal(s.AvailableIpAddressCount, 256 - 5 - 1); // one ENI (the instance's) in use
    assert.equal(s.SubnetArn, `arn:aws:ec2:us-east-1:${ACCOUNT}:subnet/${V6_SUBNET}`);
    assert.equal(s.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock, '2600:1f18:aaaa:bb01::/64');
    assert.deepEqual(s.Tags, [{ Key: 'Name', Value: 's' }]);

    const f = async (Name: string, Values: string[]) =>
      ((await h.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name, Values }] }))).Subnets ?? []).map(
        (x) => x.SubnetId,
      );
    assert.deepEqual(await f('subnet-id', [V6_SUBNET]), [V6_SUBNET]);
    assert.deepEqual(await f('vpc-id', [V6_VPC]), [V6_SUBNET]);
    assert.deepEqual(await f('cidr-block', ['10.1.1.0/24']), [V6_SUBNET]);
    assert.deepEqual(await f('availability-zone', ['us-east-1b']), [V6_SUBNET]);
    assert.deepEqual(await f('tag:Name', ['s']), [V6_SUBNET]);
    assert.equal((await f('default-for-az', ['true'])).length, 1);
    const e = await awsError(() => h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0123456789abcdef0'] })));
    assert.deepEqual([e.name, e.status], ['InvalidSubnetID.NotFound', 400]);
  } finally {
    await h.close();
  }
});

test('CreateSubnet: IPv4 and IPv6 ranges, zone, tags; the default NACL; pagination across pages', async () => {
  const h = await harness();
  try {
    const out = await h.ec2.send(
      new CreateSubnetCommand({
        VpcId: V6_VPC,
        CidrBlock: '10.1.2.0/24',
        Ipv6CidrBlock: '2600:1F18:AAAA:BB02:0:0:0:0/64',
        AvailabilityZone: 'us-east-1c',
        TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'Name', Value: 'isolation' }] }],
      }),
    );
    const s = out.Subnet!;
    assert.match(s.SubnetId!, /^subnet-[0-9a-f]{17}$/);
    assert.equal(s.AvailabilityZone, 'us-east-1c');
    assert.equal(s.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock, '2600:1f18:aaaa:bb02::/64');
    assert.equal(s.AvailableIpAddressCount, 251);
    assert.deepEqual(s.Tags, [{ Key: 'Name', Value: 'isolation' }]);
    const read = (
      await h.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:Name', Values: ['isolation'] }] }))
    ).Subnets!;
    assert.deepEqual(
      read.map((x) => x.SubnetId),
      [s.SubnetId],
    );
    assert.equal(read[0]!.State, 'available');
    // A new subnet is associated with the VPC's default network ACL.
    const ec2 = h.sim.world.region(ACCOUNT, 'us-east-1').ec2;
    const acl = [...ec2.networkAcls.values()].find((a) => a.associations.some((x) => x.subnetId === s.SubnetId))!;
    assert.equal(acl.vpcId, V6_VPC);
    assert.equal(acl.isDefault, true);

    // No zone given: the first zone of the Region.
    const z = await h.ec2.send(new CreateSubnetCommand({ VpcId: V6_VPC, CidrBlock: '10.1.3.0/28' }));
    assert.equal(z.Subnet!.AvailabilityZone, 'us-east-1a');
    for (let i = 4; i < 9; i++)
      await h.ec2.send(
        new CreateSubnetCommand({ VpcId: V6_VPC, CidrBlock: `10.1.${i}.0/24`, AvailabilityZoneId: 'use1-az2' }),
      );
    const filter = [{ Name: 'vpc-id', Values: [V6_VPC] }];
    const p1 = await h.ec2.send(new DescribeSubnetsCommand({ Filters: filter, MaxResults: 5 }));
    const p2 = await h.ec2.send(
      new DescribeSubnetsCommand({ Filters: filter, MaxResults: 5, NextToken: p1.NextToken }),
    );
    assert.equal(p1.Subnets!.length, 5);
    assert.equal(p2.Subnets!.length, 3);
    assert.equal(p2.NextToken, undefined);
    assert.equal(new Set([...p1.Subnets!, ...p2.Subnets!].map((x) => x.SubnetId)).size, 8);
    assert.ok(p2.Subnets!.every((x) => x.VpcId === V6_VPC));
  } finally {
    await h.close();
  }
});

test('CreateSubnet validation: InvalidSubnet.Range, InvalidSubnet.Conflict, zones, unknown VPC; DryRun and 403 change nothing', async () => {
  const h = await harness();
  const ro = readOnlyClients(h.endpoint);
  try {
    const count = async () => (await h.ec2.send(new DescribeSubnetsCommand({}))).Subnets!.length;
    const before = await count();
    const cases: [Record<string, unknown>, string][] = [
      [{ CidrBlock: '10.2.0.0/24' }, 'InvalidSubnet.Range'], // outside the VPC
      [{ CidrBlock: '10.1.0.0/29' }, 'InvalidSubnet.Range'], // smaller than /28
      [{ CidrBlock: '10.1.0.0/16', AvailabilityZone: 'us-east-1a' }, 'InvalidSubnet.Conflict'], // overlaps 10.1.1.0/24
      [{ CidrBlock: '10.1.1.128/25' }, 'InvalidSubnet.Conflict'],
      [{ CidrBlock: '10.1.9.1/24' }, 'InvalidParameterValue'],
      [{ CidrBlock: '10.1.9.0/24', Ipv6CidrBlock: '2600:1f18:aaaa:cc00::/64' }, 'InvalidSubnet.Range'],
      [{ CidrBlock: '10.1.9.0/24', Ipv6CidrBlock: '2600:1f18:aaaa:bb00::/60' }, 'InvalidSubnet.Range'],
      [{ CidrBlock: '10.1.9.0/24', Ipv6CidrBlock: '2600:1f18:aaaa:bb01::/64' }, 'InvalidSubnet.Conflict'],
      [{ CidrBlock: '10.1.9.0/24', AvailabilityZone: 'us-east-1z' }, 'InvalidParameterValue'],
      [
        { CidrBlock: '10.1.9.0/24', AvailabilityZone: 'us-east-1a', AvailabilityZoneId: 'use1-az1' },
        'InvalidParameterCombination',
      ],
      [{}, 'MissingParameter'],
    ];
    for (const [extra, code] of cases) {
      const e = await awsError(() => h.ec2.send(new CreateSubnetCommand({ VpcId: V6_VPC, ...extra } as never)));
      assert.deepEqual([e.name, e.status], [code, 400], JSON.stringify(extra));
    }
    const zoneErr = await awsError(() =>
      h.ec2.send(new CreateSubnetCommand({ VpcId: V6_VPC, CidrBlock: '10.1.9.0/24', AvailabilityZone: 'us-east-1z' })),
    );
    assert.match(zoneErr.message, /us-east-1a, us-east-1b, us-east-1c/);
    const noVpc = await awsError(() =>
      h.ec2.send(new CreateSubnetCommand({ VpcId: 'vpc-0123456789abcdef0', CidrBlock: '10.1.9.0/24' })),
    );
    assert.deepEqual([noVpc.name, noVpc.status], ['InvalidVpcID.NotFound', 400]);
    // An IPv4-only VPC has no IPv6 range to carve from.
    const noV6 = await awsError(() =>
      h.ec2.send(
        new CreateSubnetCommand({
          VpcId: DEFAULT_VPC,
          CidrBlock: '172.31.16.0/20',
          Ipv6CidrBlock: '2600:1f18:aaaa:bb09::/64',
        }),
      ),
    );
    assert.equal(noV6.name, 'InvalidSubnet.Range');

    const dry = await awsError(() =>
      h.ec2.send(new CreateSubnetCommand({ VpcId: V6_VPC, CidrBlock: '10.1.9.0/24', DryRun: true })),
    );
    assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
    const denied = await awsError(() =>
      ro.ec2.send(new CreateSubnetCommand({ VpcId: V6_VPC, CidrBlock: '10.1.9.0/24', DryRun: true })),
    );
    assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
    assert.equal(await count(), before);
  } finally {
    for (const c of Object.values(ro)) c.destroy();
    await h.close();
  }
});

test('DeleteSubnet: DependencyViolation while an ENI is in it; otherwise removed with its NACL association', async () => {
  const h = await harness();
  const ro = readOnlyClients(h.endpoint);
  try {
    const busy = await awsError(() => h.ec2.send(new DeleteSubnetCommand({ SubnetId: V6_SUBNET })));
    assert.deepEqual([busy.name, busy.status], ['DependencyViolation', 400]);
    assert.match(busy.message, new RegExp(`The subnet '${V6_SUBNET}' has dependencies`));

    const id = (await h.ec2.send(new CreateSubnetCommand({ VpcId: V6_VPC, CidrBlock: '10.1.5.0/24' }))).Subnet!
      .SubnetId!;
    const dry = await awsError(() => h.ec2.send(new DeleteSubnetCommand({ SubnetId: id, DryRun: true })));
    assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
    const denied = await awsError(() => ro.ec2.send(new DeleteSubnetCommand({ SubnetId: id })));
    assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
    assert.equal((await h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [id] }))).Subnets!.length, 1);

    await h.ec2.send(new DeleteSubnetCommand({ SubnetId: id }));
    const gone = await awsError(() => h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [id] })));
    assert.equal(gone.name, 'InvalidSubnetID.NotFound');
    const ec2 = h.sim.world.region(ACCOUNT, 'us-east-1').ec2;
    assert.ok(![...ec2.networkAcls.values()].some((a) => a.associations.some((x) => x.subnetId === id)));
    // The CIDR is free again.
    const again = await h.ec2.send(new CreateSubnetCommand({ VpcId: V6_VPC, CidrBlock: '10.1.5.0/24' }));
    assert.ok(again.Subnet!.SubnetId);
    const malformed = await awsError(() => h.ec2.send(new DeleteSubnetCommand({ SubnetId: 'subnet-zz' })));
    assert.equal(malformed.name, 'InvalidSubnetID.Malformed');
  } finally {
    for (const c of Object.values(ro)) c.destroy();
    await h.close();
  }
});
