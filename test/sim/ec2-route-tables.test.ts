// Simulated EC2 route tables through the real SDK: shapes and filters, routes (create, replace, delete, the local
// route), associations (explicit, main, replacement of the main table), deletion rules, DryRun and 403.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AssociateRouteTableCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DescribeRouteTablesCommand,
  DisassociateRouteTableCommand,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  type EC2Client,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { awsError, clients, startHarness, type SimHarness, fullAndReadOnly } from '../helpers/sim.js';

const ACCOUNT = '111122223333';
const FULL_KEY = 'AKIARTBFULLACCESS01';
const READONLY_KEY = 'AKIARTBREADONLY0001';
const VPC = 'vpc-0ddd0000000000001';
const OTHER_VPC = 'vpc-0ddd0000000000002';
const PUBLIC_SUBNET = 'subnet-0ddd0000000000001';
const PRIVATE_SUBNET = 'subnet-0ddd0000000000002';
const OTHER_SUBNET = 'subnet-0ddd0000000000003';
const MAIN = 'rtb-0ddd0000000000001';
const PUBLIC = 'rtb-0ddd0000000000002';
const IGW = 'igw-0ddd0000000000001';
const NAT = 'nat-0ddd0000000000001';
const BOX = 'i-0ddd0000000000001';
const BOX_ENI = 'eni-0ddd0000000000001';

function scenario(): Record<string, unknown> {
  return fullAndReadOnly('route-tables', ACCOUNT, FULL_KEY, READONLY_KEY, {
    vpcs: [
      {
        id: VPC,
        name: 'prod',
        cidr: '10.1.0.0/16',
        ipv6Cidr: '2600:1f18:aaaa:bb00::/56',
        internetGateway: IGW,
        subnets: [
          { id: PUBLIC_SUBNET, name: 'public', cidr: '10.1.1.0/24', routeTable: 'public' },
          { id: PRIVATE_SUBNET, name: 'private', cidr: '10.1.2.0/24' },
        ],
        natGateways: [{ id: NAT, name: 'nat', subnet: 'public' }],
        routeTables: [
          { id: MAIN, name: 'main', main: true, routes: [] },
          {
            id: PUBLIC,
            name: 'public',
            routes: [
              { destination: '0.0.0.0/0', target: 'igw' },
              { destination: '::/0', target: 'igw' },
            ],
            tags: { tier: 'public' },
          },
        ],
        securityGroups: [{ name: 'app' }],
      },
      {
        id: OTHER_VPC,
        name: 'other',
        cidr: '172.16.0.0/16',
        subnets: [{ id: OTHER_SUBNET, name: 'o', cidr: '172.16.1.0/24' }],
      },
    ],
    instances: [{ id: BOX, name: 'box', subnet: 'private', securityGroups: ['app'], primaryEni: { id: BOX_ENI } }],
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

const table = async (h: SimHarness, id: string): Promise<RouteTable> =>
  (await h.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [id] }))).RouteTables![0]!;
const tableIds = async (h: SimHarness, Name: string, Values: string[]): Promise<string[]> =>
  ((await h.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name, Values }] }))).RouteTables ?? [])
    .map((t) => t.RouteTableId!)
    .sort();
const mainOf = async (h: SimHarness, vpcId: string): Promise<string[]> =>
  (
    (
      await h.ec2.send(
        new DescribeRouteTablesCommand({
          Filters: [
            { Name: 'association.main', Values: ['true'] },
            { Name: 'vpc-id', Values: [vpcId] },
          ],
        }),
      )
    ).RouteTables ?? []
  ).map((t) => t.RouteTableId!);
const routes = (t: RouteTable) =>
  t.Routes!.map(
    (r) =>
      `${r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock} ${r.GatewayId ?? r.NatGatewayId ?? r.NetworkInterfaceId ?? r.TransitGatewayId ?? r.VpcPeeringConnectionId ?? r.EgressOnlyInternetGatewayId} ${r.State} ${r.Origin}`,
  );

test('DescribeRouteTables: routes, associations (main and explicit) and filters', async () => {
  const h = await harness();
  try {
    const pub = await table(h, PUBLIC);
    assert.deepEqual([pub.VpcId, pub.OwnerId], [VPC, ACCOUNT]);
    assert.deepEqual(routes(pub), [
      '10.1.0.0/16 local active CreateRouteTable',
      '2600:1f18:aaaa:bb00::/56 local active CreateRouteTable',
      `0.0.0.0/0 ${IGW} active CreateRoute`,
      `::/0 ${IGW} active CreateRoute`,
    ]);
    assert.equal(pub.Associations!.length, 1);
    const a = pub.Associations![0]!;
    assert.deepEqual(
      [a.Main, a.SubnetId, a.RouteTableId, a.AssociationState!.State],
      [false, PUBLIC_SUBNET, PUBLIC, 'associated'],
    );
    assert.match(a.RouteTableAssociationId!, /^rtbassoc-[0-9a-f]{17}$/);
    assert.deepEqual(pub.PropagatingVgws, []);
    assert.deepEqual(
      pub.Tags!.find((t) => t.Key === 'tier'),
      { Key: 'tier', Value: 'public' },
    );

    const main = await table(h, MAIN);
    assert.deepEqual(
      main.Associations!.map((x) => [x.Main, x.SubnetId]),
      [[true, undefined]],
    );

    assert.deepEqual(await mainOf(h, VPC), [MAIN]);
    assert.equal((await tableIds(h, 'association.main', ['true'])).length, 2, 'one main table per VPC');
    assert.deepEqual(await tableIds(h, 'association.main', ['false']), [PUBLIC]);
    assert.deepEqual(await tableIds(h, 'association.subnet-id', [PUBLIC_SUBNET]), [PUBLIC]);
    // The private subnet is on the main table implicitly: it has no association to match.
    assert.deepEqual(await tableIds(h, 'association.subnet-id', [PRIVATE_SUBNET]), []);
    assert.deepEqual(await tableIds(h, 'route.gateway-id', [IGW]), [PUBLIC]);
    assert.deepEqual(await tableIds(h, 'association.route-table-association-id', [a.RouteTableAssociationId!]), [
      PUBLIC,
    ]);
    assert.deepEqual(await tableIds(h, 'route-table-id', [MAIN]), [MAIN]);
    assert.equal((await tableIds(h, 'vpc-id', [VPC])).length, 2);
    assert.deepEqual(await tableIds(h, 'tag:tier', ['public']), [PUBLIC]);
    assert.deepEqual(await tableIds(h, 'route.destination-cidr-block', ['0.0.0.0/0']), [PUBLIC]);

    const missing = await awsError(() =>
      h.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ['rtb-0123456789abcdef0'] })),
    );
    assert.deepEqual([missing.name, missing.status], ['InvalidRouteTableID.NotFound', 400]);
    const bad = await awsError(() => h.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ['rtb-nope'] })));
    assert.deepEqual([bad.name, bad.status], ['InvalidRouteTableID.Malformed', 400]);
  } finally {
    await h.close();
  }
});

test('CreateRoute / ReplaceRoute / DeleteRoute: targets, duplicates, the local route and errors', async () => {
  const h = await harness();
  try {
    await h.ec2.send(
      new CreateRouteCommand({ RouteTableId: MAIN, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: NAT }),
    );
    await h.ec2.send(
      new CreateRouteCommand({
        RouteTableId: MAIN,
        DestinationCidrBlock: '192.168.7.9/24',
        TransitGatewayId: 'tgw-0123456789abcdef0',
      }),
    );
    await h.ec2.send(
      new CreateRouteCommand({
        RouteTableId: MAIN,
        DestinationIpv6CidrBlock: '::/0',
        EgressOnlyInternetGatewayId: 'eigw-0123456789abcdef0',
      }),
    );
    await h.ec2.send(
      new CreateRouteCommand({
        RouteTableId: MAIN,
        DestinationCidrBlock: '172.31.0.0/16',
        VpcPeeringConnectionId: 'pcx-0123456789abcdef0',
      }),
    );
    await h.ec2.send(
      new CreateRouteCommand({ RouteTableId: MAIN, DestinationCidrBlock: '100.64.0.0/10', InstanceId: BOX }),
    );
    let main = await table(h, MAIN);
    assert.deepEqual(routes(main), [
      '10.1.0.0/16 local active CreateRouteTable',
      '2600:1f18:aaaa:bb00::/56 local active CreateRouteTable',
      `0.0.0.0/0 ${NAT} active CreateRoute`,
      '192.168.7.0/24 tgw-0123456789abcdef0 active CreateRoute',
      '::/0 eigw-0123456789abcdef0 active CreateRoute',
      '172.31.0.0/16 pcx-0123456789abcdef0 active CreateRoute',
      `100.64.0.0/10 ${BOX_ENI} active CreateRoute`,
    ]);
    const viaInstance = main.Routes!.find((r) => r.DestinationCidrBlock === '100.64.0.0/10')!;
    assert.deepEqual([viaInstance.InstanceId, viaInstance.InstanceOwnerId], [BOX, ACCOUNT]);
    assert.deepEqual(await tableIds(h, 'route.nat-gateway-id', [NAT]), [MAIN]);

    const dup = await awsError(() =>
      h.ec2.send(new CreateRouteCommand({ RouteTableId: MAIN, DestinationCidrBlock: '0.0.0.0/0', GatewayId: IGW })),
    );
    assert.deepEqual([dup.name, dup.status], ['RouteAlreadyExists', 400]);
    const local = await awsError(() =>
      h.ec2.send(new CreateRouteCommand({ RouteTableId: MAIN, DestinationCidrBlock: '10.1.0.0/16', GatewayId: IGW })),
    );
    assert.equal(local.name, 'RouteAlreadyExists');

    await h.ec2.send(
      new ReplaceRouteCommand({ RouteTableId: MAIN, DestinationCidrBlock: '0.0.0.0/0', GatewayId: IGW }),
    );
    main = await table(h, MAIN);
    assert.ok(routes(main).includes(`0.0.0.0/0 ${IGW} active CreateRoute`));
    assert.equal(main.Routes!.find((r) => r.DestinationCidrBlock === '0.0.0.0/0')!.NatGatewayId, undefined);

    const cases: [() => Promise<unknown>, string][] = [
      [
        () =>
          h.ec2.send(
            new ReplaceRouteCommand({ RouteTableId: MAIN, DestinationCidrBlock: '8.8.8.0/24', GatewayId: IGW }),
          ),
        'InvalidParameterValue',
      ],
      [
        () =>
          h.ec2.send(
            new ReplaceRouteCommand({ RouteTableId: MAIN, DestinationCidrBlock: '10.1.0.0/16', GatewayId: IGW }),
          ),
        'InvalidParameterValue',
      ],
      [
        () => h.ec2.send(new DeleteRouteCommand({ RouteTableId: MAIN, DestinationCidrBlock: '10.1.0.0/16' })),
        'InvalidParameterValue',
      ],
      [
        () =>
          h.ec2.send(
            new DeleteRouteCommand({ RouteTableId: MAIN, DestinationIpv6CidrBlock: '2600:1f18:aaaa:bb00::/56' }),
          ),
        'InvalidParameterValue',
      ],
      [
        () => h.ec2.send(new DeleteRouteCommand({ RouteTableId: MAIN, DestinationCidrBlock: '8.8.8.0/24' })),
        'InvalidRoute.NotFound',
      ],
      [
        () => h.ec2.send(new CreateRouteCommand({ RouteTableId: MAIN, DestinationCidrBlock: '8.8.8.0/24' })),
        'MissingParameter',
      ],
      [
        () =>
          h.ec2.send(
            new CreateRouteCommand({
              RouteTableId: MAIN,
              DestinationCidrBlock: '8.8.8.0/24',
              GatewayId: IGW,
              NatGatewayId: NAT,
            }),
          ),
        'InvalidParameterCombination',
      ],
      [() => h.ec2.send(new CreateRouteCommand({ RouteTableId: MAIN, GatewayId: IGW })), 'MissingParameter'],
      [
        () =>
          h.ec2.send(
            new CreateRouteCommand({ RouteTableId: MAIN, DestinationCidrBlock: 'not-a-cidr', GatewayId: IGW }),
          ),
        'InvalidParameterValue',
      ],
      [
        () =>
          h.ec2.send(
            new CreateRouteCommand({
              RouteTableId: MAIN,
              DestinationCidrBlock: '8.8.8.0/24',
              EgressOnlyInternetGatewayId: 'eigw-0123456789abcdef0',
            }),
          ),
        'InvalidParameterValue',
      ],
      [
        () =>
          h.ec2.send(
            new CreateRouteCommand({
              RouteTableId: MAIN,
              DestinationCidrBlock: '8.8.8.0/24',
              GatewayId: 'igw-0123456789abcdef0',
            }),
          ),
        'InvalidInternetGatewayID.NotFound',
      ],
      [
        () =>
          h.ec2.send(
            new CreateRouteCommand({
              RouteTableId: MAIN,
              DestinationCidrBlock: '8.8.8.0/24',
              NatGatewayId: 'nat-0123456789abcdef0',
            }),
          ),
        'NatGatewayNotFound',
      ],
      [
        () =>
          h.ec2.send(
            new CreateRouteCommand({
              RouteTableId: MAIN,
              DestinationCidrBlock: '8.8.8.0/24',
              TransitGatewayId: 'tgw-xyz',
            }),
          ),
        'InvalidTransitGatewayID.Malformed',
      ],
      [
        () =>
          h.ec2.send(
            new CreateRouteCommand({
              RouteTableId: 'rtb-0123456789abcdef0',
              DestinationCidrBlock: '8.8.8.0/24',
              GatewayId: IGW,
            }),
          ),
        'InvalidRouteTableID.NotFound',
      ],
    ];
    for (const [call, code] of cases) {
      const e = await awsError(call);
      assert.deepEqual([e.name, e.status], [code, 400]);
    }

    await h.ec2.send(new DeleteRouteCommand({ RouteTableId: MAIN, DestinationCidrBlock: '0.0.0.0/0' }));
    await h.ec2.send(new DeleteRouteCommand({ RouteTableId: MAIN, DestinationIpv6CidrBlock: '::/0' }));
    main = await table(h, MAIN);
    assert.equal(
      main.Routes!.some((r) => r.DestinationCidrBlock === '0.0.0.0/0' || r.DestinationIpv6CidrBlock === '::/0'),
      false,
    );
    assert.equal(main.Routes!.length, 5);
  } finally {
    await h.close();
  }
});

test('CreateRouteTable (local routes only), AssociateRouteTable, DisassociateRouteTable, DeleteRouteTable', async () => {
  const h = await harness();
  try {
    const { RouteTable: created } = await h.ec2.send(
      new CreateRouteTableCommand({
        VpcId: VPC,
        TagSpecifications: [{ ResourceType: 'route-table', Tags: [{ Key: 'Name', Value: 'cordon-local-only' }] }],
      }),
    );
    const id = created!.RouteTableId!;
    assert.match(id, /^rtb-[0-9a-f]{17}$/);
    assert.deepEqual(routes(created!), [
      '10.1.0.0/16 local active CreateRouteTable',
      '2600:1f18:aaaa:bb00::/56 local active CreateRouteTable',
    ]);
    assert.deepEqual([created!.Associations, created!.Tags], [[], [{ Key: 'Name', Value: 'cordon-local-only' }]]);

    const conflict = await awsError(() =>
      h.ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: PUBLIC_SUBNET })),
    );
    assert.deepEqual([conflict.name, conflict.status], ['Resource.AlreadyAssociated', 400]);
    const cross = await awsError(() =>
      h.ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: OTHER_SUBNET })),
    );
    assert.deepEqual([cross.name, cross.status], ['InvalidParameterValue', 400]);
    const noSubnet = await awsError(() =>
      h.ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: 'subnet-0123456789abcdef0' })),
    );
    assert.deepEqual([noSubnet.name, noSubnet.status], ['InvalidSubnetID.NotFound', 400]);

    // The private subnet uses the main table implicitly, so it can be associated explicitly.
    const assoc = await h.ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: PRIVATE_SUBNET }));
    assert.match(assoc.AssociationId!, /^rtbassoc-[0-9a-f]{17}$/);
    assert.equal(assoc.AssociationState!.State, 'associated');
    assert.deepEqual(await tableIds(h, 'association.subnet-id', [PRIVATE_SUBNET]), [id]);
    const again = await awsError(() =>
      h.ec2.send(new AssociateRouteTableCommand({ RouteTableId: PUBLIC, SubnetId: PRIVATE_SUBNET })),
    );
    assert.equal(again.name, 'Resource.AlreadyAssociated');

    const busy = await awsError(() => h.ec2.send(new DeleteRouteTableCommand({ RouteTableId: id })));
    assert.deepEqual([busy.name, busy.status], ['DependencyViolation', 400]);
    const mainBusy = await awsError(() => h.ec2.send(new DeleteRouteTableCommand({ RouteTableId: MAIN })));
    assert.equal(mainBusy.name, 'DependencyViolation');

    await h.ec2.send(new DisassociateRouteTableCommand({ AssociationId: assoc.AssociationId }));
    assert.deepEqual(await tableIds(h, 'association.subnet-id', [PRIVATE_SUBNET]), []);
    const stale = await awsError(() =>
      h.ec2.send(new DisassociateRouteTableCommand({ AssociationId: assoc.AssociationId })),
    );
    assert.deepEqual([stale.name, stale.status], ['InvalidAssociationID.NotFound', 400]);
    await h.ec2.send(new DeleteRouteTableCommand({ RouteTableId: id }));
    const gone = await awsError(() => table(h, id));
    assert.equal(gone.name, 'InvalidRouteTableID.NotFound');
  } finally {
    await h.close();
  }
});

test('ReplaceRouteTableAssociation: a subnet and the main association move to another table with new ids', async () => {
  const h = await harness();
  try {
    const { RouteTable: iso } = await h.ec2.send(new CreateRouteTableCommand({ VpcId: VPC }));
    const isoId = iso!.RouteTableId!;
    const pubAssoc = (await table(h, PUBLIC)).Associations![0]!.RouteTableAssociationId!;
    const moved = await h.ec2.send(
      new ReplaceRouteTableAssociationCommand({ AssociationId: pubAssoc, RouteTableId: isoId }),
    );
    assert.match(moved.NewAssociationId!, /^rtbassoc-[0-9a-f]{17}$/);
    assert.notEqual(moved.NewAssociationId, pubAssoc);
    assert.equal(moved.AssociationState!.State, 'associated');
    assert.deepEqual(await tableIds(h, 'association.subnet-id', [PUBLIC_SUBNET]), [isoId]);
    assert.deepEqual((await table(h, PUBLIC)).Associations, []);

    // The main association: the VPC's main table becomes the isolation table.
    const mainAssoc = (await table(h, MAIN)).Associations!.find((a) => a.Main)!.RouteTableAssociationId!;
    const mainMoved = await h.ec2.send(
      new ReplaceRouteTableAssociationCommand({ AssociationId: mainAssoc, RouteTableId: isoId }),
    );
    assert.deepEqual(await mainOf(h, VPC), [isoId]);
    const isoNow = await table(h, isoId);
    assert.deepEqual(
      isoNow.Associations!.map((a) => [a.Main, a.SubnetId ?? null]).sort(),
      [
        [false, PUBLIC_SUBNET],
        [true, null],
      ].sort(),
    );
    assert.deepEqual((await table(h, MAIN)).Associations, []);
    const disMain = await awsError(() =>
      h.ec2.send(new DisassociateRouteTableCommand({ AssociationId: mainMoved.NewAssociationId })),
    );
    assert.deepEqual([disMain.name, disMain.status], ['InvalidParameterValue', 400]);
    // The old main table has no association left, so it can now be deleted; the new main table cannot.
    const delNewMain = await awsError(() => h.ec2.send(new DeleteRouteTableCommand({ RouteTableId: isoId })));
    assert.equal(delNewMain.name, 'DependencyViolation');

    const stale = await awsError(() =>
      h.ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: mainAssoc, RouteTableId: MAIN })),
    );
    assert.deepEqual([stale.name, stale.status], ['InvalidAssociationID.NotFound', 400]);
    const { RouteTable: foreign } = await h.ec2.send(new CreateRouteTableCommand({ VpcId: OTHER_VPC }));
    const cross = await awsError(() =>
      h.ec2.send(
        new ReplaceRouteTableAssociationCommand({
          AssociationId: mainMoved.NewAssociationId,
          RouteTableId: foreign!.RouteTableId,
        }),
      ),
    );
    assert.deepEqual([cross.name, cross.status], ['InvalidParameterValue', 400]);

    // Restore both: back to the original tables.
    await h.ec2.send(
      new ReplaceRouteTableAssociationCommand({ AssociationId: mainMoved.NewAssociationId, RouteTableId: MAIN }),
    );
    await h.ec2.send(
      new ReplaceRouteTableAssociationCommand({ AssociationId: moved.NewAssociationId, RouteTableId: PUBLIC }),
    );
    assert.deepEqual(await mainOf(h, VPC), [MAIN]);
    assert.deepEqual(await tableIds(h, 'association.subnet-id', [PUBLIC_SUBNET]), [PUBLIC]);
    await h.ec2.send(new DeleteRouteTableCommand({ RouteTableId: isoId }));
  } finally {
    await h.close();
  }
});

test('DescribeRouteTables pages (MaxResults 5..100)', async () => {
  const h = await harness();
  try {
    for (let i = 0; i < 5; i++) await h.ec2.send(new CreateRouteTableCommand({ VpcId: VPC }));
    const first = await h.ec2.send(new DescribeRouteTablesCommand({ MaxResults: 5 }));
    assert.equal(first.RouteTables!.length, 5);
    assert.ok(first.NextToken);
    const second = await h.ec2.send(new DescribeRouteTablesCommand({ MaxResults: 5, NextToken: first.NextToken }));
    // 2 from the scenario, 1 main table of the other VPC, 5 created.
    assert.equal(second.RouteTables!.length, 3);
    assert.equal(second.NextToken, undefined);
    const tooMany = await awsError(() => h.ec2.send(new DescribeRouteTablesCommand({ MaxResults: 500 })));
    assert.deepEqual([tooMany.name, tooMany.status], ['InvalidParameterValue', 400]);
  } finally {
    await h.close();
  }
});

test('route table mutations under DryRun (412) and with a Describe-only credential (403) change nothing', async () => {
  const h = await harness();
  try {
    const before = JSON.stringify((await h.ec2.send(new DescribeRouteTablesCommand({}))).RouteTables);
    const version = h.sim.world.version;
    const pubAssoc = (await table(h, PUBLIC)).Associations![0]!.RouteTableAssociationId!;
    const calls: ((ec2: EC2Client, dry?: boolean) => Promise<unknown>)[] = [
      (ec2, DryRun) => ec2.send(new CreateRouteTableCommand({ DryRun, VpcId: VPC })),
      (ec2, DryRun) =>
        ec2.send(
          new CreateRouteCommand({ DryRun, RouteTableId: MAIN, DestinationCidrBlock: '0.0.0.0/0', GatewayId: IGW }),
        ),
      (ec2, DryRun) =>
        ec2.send(
          new ReplaceRouteCommand({
            DryRun,
            RouteTableId: PUBLIC,
            DestinationCidrBlock: '0.0.0.0/0',
            NatGatewayId: NAT,
          }),
        ),
      (ec2, DryRun) =>
        ec2.send(new DeleteRouteCommand({ DryRun, RouteTableId: PUBLIC, DestinationCidrBlock: '0.0.0.0/0' })),
      (ec2, DryRun) =>
        ec2.send(new AssociateRouteTableCommand({ DryRun, RouteTableId: PUBLIC, SubnetId: PRIVATE_SUBNET })),
      (ec2, DryRun) => ec2.send(new DisassociateRouteTableCommand({ DryRun, AssociationId: pubAssoc })),
      (ec2, DryRun) =>
        ec2.send(new ReplaceRouteTableAssociationCommand({ DryRun, AssociationId: pubAssoc, RouteTableId: MAIN })),
    ];
    for (const call of calls) {
      const e = await awsError(() => call(h.ec2, true));
      assert.deepEqual([e.name, e.status], ['DryRunOperation', 412]);
    }
    await withReadOnly(h, async (ec2) => {
      for (const call of calls) {
        const e = await awsError(() => call(ec2));
        assert.deepEqual([e.name, e.status], ['UnauthorizedOperation', 403]);
      }
    });
    assert.equal(h.sim.world.version, version);
    assert.equal(JSON.stringify((await h.ec2.send(new DescribeRouteTablesCommand({}))).RouteTables), before);
  } finally {
    await h.close();
  }
});
