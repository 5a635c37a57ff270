// Simulated EC2 internet gateways and NAT gateways through the real SDK: shapes and filters, the detach rule for
// mapped public addresses (AWS's exact DependencyViolation), Gateway.NotAttached, blackhole routes, attach and
// delete rules, pagination, DryRun and 403.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  DeleteInternetGatewayCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DetachInternetGatewayCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { awsError, clients, startHarness, type SimHarness, fullAndReadOnly } from '../helpers/sim.js';

const ACCOUNT = '111122223333';
const FULL_KEY = 'AKIAIGWFULLACCESS01';
const READONLY_KEY = 'AKIAIGWREADONLY0001';
const VPC_PUB = 'vpc-0eee0000000000001';
const VPC_PRIV = 'vpc-0eee0000000000002';
const VPC_EIP = 'vpc-0eee0000000000003';
const VPC_NAT = 'vpc-0eee0000000000004';
const VPC_BARE = 'vpc-0eee0000000000005';
const IGW_PUB = 'igw-0eee0000000000001';
const IGW_PRIV = 'igw-0eee0000000000002';
const IGW_EIP = 'igw-0eee0000000000003';
const IGW_NAT = 'igw-0eee0000000000004';
const NAT = 'nat-0eee0000000000001';
const PRIV_MAIN = 'rtb-0eee0000000000002';

function scenario(extraVpcs: Record<string, unknown>[] = []): Record<string, unknown> {
  return fullAndReadOnly('internet-gateways', ACCOUNT, FULL_KEY, READONLY_KEY, {
    vpcs: [
      {
        id: VPC_PUB,
        name: 'pub',
        cidr: '10.1.0.0/16',
        internetGateway: IGW_PUB,
        subnets: [{ name: 'pub-s', cidr: '10.1.1.0/24' }],
        securityGroups: [{ name: 'app' }],
      },
      {
        id: VPC_PRIV,
        name: 'priv',
        cidr: '10.2.0.0/16',
        internetGateway: IGW_PRIV,
        subnets: [{ name: 'priv-s', cidr: '10.2.1.0/24' }],
        securityGroups: [{ name: 'app' }],
        routeTables: [
          { id: PRIV_MAIN, name: 'main', main: true, routes: [{ destination: '0.0.0.0/0', target: 'igw' }] },
        ],
      },
      {
        id: VPC_EIP,
        name: 'eip',
        cidr: '10.3.0.0/16',
        internetGateway: IGW_EIP,
        subnets: [{ name: 'eip-s', cidr: '10.3.1.0/24' }],
        securityGroups: [{ name: 'lb' }],
      },
      {
        id: VPC_NAT,
        name: 'natvpc',
        cidr: '10.4.0.0/16',
        internetGateway: IGW_NAT,
        subnets: [{ name: 'nat-s', cidr: '10.4.1.0/24', az: 'us-east-1b' }],
        natGateways: [{ id: NAT, name: 'egress', subnet: 'nat-s', publicIp: '198.51.100.44' }],
      },
      { id: VPC_BARE, name: 'bare', cidr: '10.5.0.0/16' },
      ...extraVpcs,
    ],
    instances: [
      { name: 'web', subnet: 'pub-s', securityGroups: ['app'], publicIp: '54.1.2.3' },
      { name: 'worker', subnet: 'priv-s', securityGroups: ['app'] },
    ],
    networkInterfaces: [
      {
        subnet: 'eip-s',
        securityGroups: ['lb'],
        elasticIp: '3.3.3.3',
        description: 'stand-alone interface with an Elastic IP',
      },
    ],
  });
}

async function harness(extraVpcs: Record<string, unknown>[] = []): Promise<SimHarness> {
  return startHarness(scenario(extraVpcs), { accessKeyId: FULL_KEY });
}

async function withReadOnly<T>(h: SimHarness, fn: (ec2: EC2Client) => Promise<T>): Promise<T> {
  const ro = clients(h.endpoint, { accessKeyId: READONLY_KEY });
  try {
    return await fn(ro.ec2);
  } finally {
    for (const c of Object.values(ro)) c.destroy();
  }
}

const attachmentsOf = async (h: SimHarness, id: string) =>
  (
    await h.ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [id] }))
  ).InternetGateways![0]!.Attachments!.map((a) => [a.VpcId, a.State]);
const igwIds = async (h: SimHarness, Name: string, Values: string[]): Promise<string[]> =>
  ((await h.ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name, Values }] }))).InternetGateways ?? [])
    .map((g) => g.InternetGatewayId!)
    .sort();
const defaultRouteState = async (h: SimHarness): Promise<string | undefined> =>
  (await h.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [PRIV_MAIN] }))).RouteTables![0]!.Routes!.find(
    (r) => r.DestinationCidrBlock === '0.0.0.0/0',
  )!.State;

test('DescribeInternetGateways: shape, attachment state "available", filters and errors', async () => {
  const h = await harness();
  try {
    const all = (await h.ec2.send(new DescribeInternetGatewaysCommand({}))).InternetGateways!;
    assert.deepEqual(all.map((g) => g.InternetGatewayId).sort(), [IGW_PUB, IGW_PRIV, IGW_EIP, IGW_NAT].sort());
    const pub = all.find((g) => g.InternetGatewayId === IGW_PUB)!;
    assert.equal(pub.OwnerId, ACCOUNT);
    assert.deepEqual(pub.Attachments, [{ VpcId: VPC_PUB, State: 'available' }]);
    assert.deepEqual(pub.Tags, [{ Key: 'Name', Value: 'pub-igw' }]);

    assert.deepEqual(await igwIds(h, 'attachment.vpc-id', [VPC_PRIV]), [IGW_PRIV]);
    assert.deepEqual(await igwIds(h, 'attachment.vpc-id', [VPC_BARE]), []);
    assert.deepEqual(await igwIds(h, 'internet-gateway-id', [IGW_EIP]), [IGW_EIP]);
    assert.deepEqual(await igwIds(h, 'tag:Name', ['nat*']), [IGW_NAT]);
    assert.equal((await igwIds(h, 'attachment.state', ['available'])).length, 4);

    const missing = await awsError(() =>
      h.ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: ['igw-0123456789abcdef0'] })),
    );
    assert.deepEqual([missing.name, missing.status], ['InvalidInternetGatewayID.NotFound', 400]);
    const bad = await awsError(() =>
      h.ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: ['igw-x'] })),
    );
    assert.deepEqual([bad.name, bad.status], ['InvalidInternetGatewayID.Malformed', 400]);
  } finally {
    await h.close();
  }
});

test('DetachInternetGateway: DependencyViolation while a public IP, an Elastic IP or a NAT gateway address is mapped; Gateway.NotAttached', async () => {
  const h = await harness();
  try {
    for (const [igw, vpc] of [
      [IGW_PUB, VPC_PUB],
      [IGW_EIP, VPC_EIP],
      [IGW_NAT, VPC_NAT],
    ] as const) {
      const e = await awsError(() =>
        h.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc })),
      );
      assert.deepEqual([e.name, e.status], ['DependencyViolation', 400]);
      assert.equal(
        e.message,
        `Network ${vpc} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
      );
      assert.deepEqual(await attachmentsOf(h, igw), [[vpc, 'available']]);
    }
    const wrongVpc = await awsError(() =>
      h.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: IGW_PUB, VpcId: VPC_PRIV })),
    );
    assert.deepEqual([wrongVpc.name, wrongVpc.status], ['Gateway.NotAttached', 400]);
    const noVpc = await awsError(() =>
      h.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: IGW_PUB, VpcId: 'vpc-0123456789abcdef0' })),
    );
    assert.deepEqual([noVpc.name, noVpc.status], ['InvalidVpcID.NotFound', 400]);
    const noIgw = await awsError(() =>
      h.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: 'igw-0123456789abcdef0', VpcId: VPC_PUB })),
    );
    assert.deepEqual([noIgw.name, noIgw.status], ['InvalidInternetGatewayID.NotFound', 400]);
    const noParam = await awsError(() =>
      h.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: IGW_PUB, VpcId: undefined })),
    );
    assert.deepEqual([noParam.name, noParam.status], ['MissingParameter', 400]);
  } finally {
    await h.close();
  }
});

test('detach, routes turn blackhole, attach back, and the attach / delete rules', async () => {
  const h = await harness();
  try {
    assert.equal(await defaultRouteState(h), 'active');
    const attachedDelete = await awsError(() =>
      h.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: IGW_PRIV })),
    );
    assert.deepEqual([attachedDelete.name, attachedDelete.status], ['DependencyViolation', 400]);

    await h.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: IGW_PRIV, VpcId: VPC_PRIV }));
    assert.deepEqual(await attachmentsOf(h, IGW_PRIV), []);
    assert.equal(await defaultRouteState(h), 'blackhole');
    const twice = await awsError(() =>
      h.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: IGW_PRIV, VpcId: VPC_PRIV })),
    );
    assert.equal(twice.name, 'Gateway.NotAttached');

    const already = await awsError(() =>
      h.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: IGW_PUB, VpcId: VPC_PRIV })),
    );
    assert.deepEqual([already.name, already.status], ['Resource.AlreadyAssociated', 400]);
    const vpcHasOne = await awsError(() =>
      h.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: IGW_PRIV, VpcId: VPC_PUB })),
    );
    assert.deepEqual([vpcHasOne.name, vpcHasOne.status], ['Resource.AlreadyAssociated', 400]);

    await h.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: IGW_PRIV, VpcId: VPC_PRIV }));
    assert.deepEqual(await attachmentsOf(h, IGW_PRIV), [[VPC_PRIV, 'available']]);
    assert.equal(await defaultRouteState(h), 'active');

    // A fifth gateway fits the default quota of 5 per Region; a sixth does not.
    const { InternetGateway: created } = await h.ec2.send(
      new CreateInternetGatewayCommand({
        TagSpecifications: [{ ResourceType: 'internet-gateway', Tags: [{ Key: 'Name', Value: 'spare' }] }],
      }),
    );
    assert.match(created!.InternetGatewayId!, /^igw-[0-9a-f]{17}$/);
    assert.deepEqual(
      [created!.Attachments, created!.OwnerId, created!.Tags],
      [[], ACCOUNT, [{ Key: 'Name', Value: 'spare' }]],
    );
    const sixth = await awsError(() => h.ec2.send(new CreateInternetGatewayCommand({})));
    assert.deepEqual([sixth.name, sixth.status], ['InternetGatewayLimitExceeded', 400]);
    await h.ec2.send(
      new AttachInternetGatewayCommand({ InternetGatewayId: created!.InternetGatewayId, VpcId: VPC_BARE }),
    );
    assert.deepEqual(await igwIds(h, 'attachment.vpc-id', [VPC_BARE]), [created!.InternetGatewayId!]);
    await h.ec2.send(
      new DetachInternetGatewayCommand({ InternetGatewayId: created!.InternetGatewayId, VpcId: VPC_BARE }),
    );
    await h.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: created!.InternetGatewayId }));
    const gone = await awsError(() =>
      h.ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [created!.InternetGatewayId!] })),
    );
    assert.equal(gone.name, 'InvalidInternetGatewayID.NotFound');

    // Deleting the detached gateway of a route leaves the route a blackhole.
    await h.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: IGW_PRIV, VpcId: VPC_PRIV }));
    await h.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: IGW_PRIV }));
    assert.equal(await defaultRouteState(h), 'blackhole');
  } finally {
    await h.close();
  }
});

test('DescribeInternetGateways pages (MaxResults 5..1000)', async () => {
  const extra = Array.from({ length: 3 }, (_, i) => ({
    name: `extra-${i}`,
    cidr: `10.${20 + i}.0.0/16`,
    internetGateway: true,
  }));
  const h = await harness(extra);
  try {
    const first = await h.ec2.send(new DescribeInternetGatewaysCommand({ MaxResults: 5 }));
    assert.equal(first.InternetGateways!.length, 5);
    assert.ok(first.NextToken);
    const second = await h.ec2.send(new DescribeInternetGatewaysCommand({ MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(second.InternetGateways!.length, 2);
    assert.equal(second.NextToken, undefined);
    const small = await awsError(() => h.ec2.send(new DescribeInternetGatewaysCommand({ MaxResults: 4 })));
    assert.deepEqual([small.name, small.status], ['InvalidParameterValue', 400]);
  } finally {
    await h.close();
  }
});

test('DescribeNatGateways: shape, filters and errors', async () => {
  const h = await harness();
  try {
    const { NatGateways } = await h.ec2.send(new DescribeNatGatewaysCommand({}));
    assert.equal(NatGateways!.length, 1);
    const n = NatGateways![0]!;
    assert.deepEqual([n.NatGatewayId, n.VpcId, n.State, n.ConnectivityType], [NAT, VPC_NAT, 'available', 'public']);
    assert.match(n.SubnetId!, /^subnet-[0-9a-f]{17}$/);
    const addr = n.NatGatewayAddresses![0]!;
    assert.equal(addr.PublicIp, '198.51.100.44');
    assert.match(addr.PrivateIp!, /^10\.4\.1\.\d+$/);
    assert.match(addr.NetworkInterfaceId!, /^eni-[0-9a-f]{17}$/);
    assert.equal(addr.IsPrimary, true);
    assert.deepEqual(n.Tags, [{ Key: 'Name', Value: 'egress' }]);

    const f = async (Name: string, Values: string[]) =>
      ((await h.ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name, Values }] }))).NatGateways ?? []).map(
        (x) => x.NatGatewayId,
      );
    assert.deepEqual(await f('vpc-id', [VPC_NAT]), [NAT]);
    assert.deepEqual(await f('vpc-id', [VPC_PUB]), []);
    assert.deepEqual(await f('state', ['available']), [NAT]);
    assert.deepEqual(await f('subnet-id', [n.SubnetId!]), [NAT]);
    assert.deepEqual(await f('tag:Name', ['egress']), [NAT]);
    assert.deepEqual(
      (await h.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [NAT] }))).NatGateways!.length,
      1,
    );
    const missing = await awsError(() =>
      h.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: ['nat-0123456789abcdef0'] })),
    );
    assert.deepEqual([missing.name, missing.status], ['NatGatewayNotFound', 400]);
  } finally {
    await h.close();
  }
});

test('internet gateway mutations under DryRun (412) and with a Describe-only credential (403) change nothing', async () => {
  const h = await harness();
  try {
    const before = JSON.stringify((await h.ec2.send(new DescribeInternetGatewaysCommand({}))).InternetGateways);
    const version = h.sim.world.version;
    const calls: ((ec2: EC2Client, dry?: boolean) => Promise<unknown>)[] = [
      (ec2, DryRun) =>
        ec2.send(new DetachInternetGatewayCommand({ DryRun, InternetGatewayId: IGW_PRIV, VpcId: VPC_PRIV })),
      (ec2, DryRun) => ec2.send(new CreateInternetGatewayCommand({ DryRun })),
    ];
    for (const call of calls) {
      const e = await awsError(() => call(h.ec2, true));
      assert.deepEqual([e.name, e.status], ['DryRunOperation', 412]);
    }
    // Validation answers before the DryRun gate: the mapped-address rule still applies.
    const blocked = await awsError(() =>
      h.ec2.send(new DetachInternetGatewayCommand({ DryRun: true, InternetGatewayId: IGW_PUB, VpcId: VPC_PUB })),
    );
    assert.equal(blocked.name, 'DependencyViolation');
    await withReadOnly(h, async (ec2) => {
      for (const call of [
        ...calls,
        (c: EC2Client) => c.send(new AttachInternetGatewayCommand({ InternetGatewayId: IGW_PRIV, VpcId: VPC_BARE })),
        (c: EC2Client) => c.send(new DeleteInternetGatewayCommand({ InternetGatewayId: IGW_PRIV })),
      ]) {
        const e = await awsError(() => call(ec2));
        assert.deepEqual([e.name, e.status], ['UnauthorizedOperation', 403]);
      }
      assert.equal((await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways!.length, 1);
    });
    assert.equal(h.sim.world.version, version);
    assert.equal(JSON.stringify((await h.ec2.send(new DescribeInternetGatewaysCommand({}))).InternetGateways), before);
    assert.equal(await defaultRouteState(h), 'active');
  } finally {
    await h.close();
  }
});
