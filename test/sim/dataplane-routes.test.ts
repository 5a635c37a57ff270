// Route targets follow their target's state — in DescribeRouteTables and in the data plane at the same moment: an
// instance stopped or terminated, an ENI detached, a NAT gateway deleted, an internet gateway detached. Scenario
// routes may target an instance (id or name) or an ENI. And the data plane's protocol model: IP protocols by number,
// ICMP by type and code, ports for TCP and UDP only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachNetworkInterfaceCommand,
  DeleteNatGatewayCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DetachInternetGatewayCommand,
  DetachNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { awsError, startHarness, type SimHarness } from '../helpers/sim.js';
import { control } from '../helpers/control.js';
import { advance, flows, openFlow } from './dataplane-fixture.js';

const RTB = 'rtb-0eee0000000000001';
const RTB6 = 'rtb-0eee0000000000002';
const NAT = 'nat-0eee0000000000001';
const IGW = 'igw-0eee0000000000001';
const NATBOX = 'i-0eee0000000000002';
const FIREWALL = 'i-0eee0000000000003';
const FW_ENI = 'eni-0eee0000000000013';
const BOX_ENI = 'eni-0eee0000000000011';
const V6_ENI = 'eni-0eee0000000000021';

type Json = Record<string, unknown>;

function scenario(o: { routes?: Json[]; nat?: boolean } = {}): Json {
  const nat = o.nat ?? true;
  const open = [
    { protocol: 'all', cidr: '0.0.0.0/0' },
    { protocol: 'all', cidr: '::/0' },
  ];
  return {
    name: 'route-targets',
    accounts: [
      {
        id: '111122223333',
        regions: [
          {
            name: 'us-east-1',
            vpcs: [
              {
                name: 'v',
                cidr: '10.4.0.0/16',
                ipv6Cidr: '2600:1f18:4:400::/56',
                internetGateway: IGW,
                subnets: [
                  { name: 'app', cidr: '10.4.1.0/24', routeTable: 'app' },
                  { name: 'dmz', cidr: '10.4.2.0/24', routeTable: 'dmz' },
                  { name: 'v6', cidr: '10.4.3.0/24', ipv6Cidr: '2600:1f18:4:403::/64', routeTable: 'v6' },
                ],
                natGateways: nat ? [{ id: NAT, name: 'ngw', subnet: 'dmz' }] : [],
                routeTables: [
                  { name: 'main', main: true, routes: [] },
                  { name: 'dmz', routes: [{ destination: '0.0.0.0/0', target: 'igw' }] },
                  {
                    id: RTB,
                    name: 'app',
                    routes: o.routes ?? [
                      { destination: '0.0.0.0/0', target: 'instance:natbox' },
                      { destination: '198.51.100.0/24', target: FW_ENI },
                      ...(nat ? [{ destination: '203.0.113.0/24', target: 'nat:ngw' }] : []),
                    ],
                  },
                  { id: RTB6, name: 'v6', routes: [{ destination: '::/0', target: 'igw' }] },
                ],
                securityGroups: [
                  { name: 'box', ingress: [{ protocol: 47, cidr: '0.0.0.0/0' }], egress: open },
                  { name: 'open', ingress: open, egress: open },
                ],
              },
            ],
            instances: [
              { name: 'box', subnet: 'app', securityGroups: ['box'], primaryEni: { id: BOX_ENI } },
              { id: NATBOX, name: 'natbox', subnet: 'dmz', securityGroups: ['open'] },
              {
                id: FIREWALL,
                name: 'firewall',
                subnet: 'dmz',
                securityGroups: ['open'],
                extraNetworkInterfaces: [{ id: FW_ENI, subnet: 'dmz', securityGroups: ['open'] }],
              },
              { name: 'six', subnet: 'v6', securityGroups: ['box'], ipv6: 1, primaryEni: { id: V6_ENI } },
            ],
            flows: [
              {
                id: 'via-natbox',
                instance: 'box',
                protocol: 'tcp',
                remotePort: 443,
                remoteAddress: '45.33.32.156',
                initiator: 'outbound',
                path: 'appliance',
                active: true,
              },
              {
                id: 'via-firewall',
                instance: 'box',
                protocol: 'tcp',
                remotePort: 22,
                remoteAddress: '198.51.100.9',
                initiator: 'outbound',
                path: 'appliance',
                active: true,
              },
              ...(nat
                ? [
                    {
                      id: 'via-nat',
                      instance: 'box',
                      protocol: 'udp',
                      remotePort: 53,
                      remoteAddress: '203.0.113.53',
                      initiator: 'outbound',
                      path: 'nat',
                      active: true,
                    },
                  ]
                : []),
              {
                id: 'via-igw6',
                instance: 'six',
                protocol: 'tcp',
                remotePort: 443,
                remoteAddress: '2001:db8::443',
                initiator: 'outbound',
                path: 'igw',
                active: true,
              },
            ],
          },
        ],
      },
    ],
  };
}

async function routeStates(ec2: EC2Client, table: string): Promise<Record<string, string>> {
  const r = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [table] }));
  return Object.fromEntries(
    r.RouteTables![0]!.Routes!.map((x) => [x.DestinationCidrBlock ?? x.DestinationIpv6CidrBlock, x.State!]),
  );
}

async function alive(h: SimHarness): Promise<Record<string, boolean>> {
  return Object.fromEntries(Object.values(await flows(h.endpoint)).map((f) => [f.id, f.alive]));
}

test('scenario routes target an instance (by name) and an ENI: described as AWS does, and the flows through them are alive', async () => {
  const h = await startHarness(scenario());
  try {
    const r = await h.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [RTB] }));
    const routes = r.RouteTables![0]!.Routes!;
    const toNatbox = routes.find((x) => x.DestinationCidrBlock === '0.0.0.0/0')!;
    assert.equal(toNatbox.InstanceId, NATBOX);
    assert.match(toNatbox.NetworkInterfaceId ?? '', /^eni-/, "an instance route names the instance's ENI too");
    assert.equal(toNatbox.State, 'active');
    assert.equal(routes.find((x) => x.DestinationCidrBlock === '198.51.100.0/24')!.NetworkInterfaceId, FW_ENI);
    assert.deepEqual(await alive(h), { 'via-natbox': true, 'via-firewall': true, 'via-nat': true, 'via-igw6': true });
  } finally {
    await h.close();
  }
});

test('stopping the NAT instance blackholes its route in DescribeRouteTables and cuts the flow at the same moment; starting it revives both', async () => {
  const h = await startHarness(scenario());
  try {
    await h.ec2.send(new StopInstancesCommand({ InstanceIds: [NATBOX] }));
    assert.equal((await routeStates(h.ec2, RTB))['0.0.0.0/0'], 'blackhole');
    const f = (await flows(h.endpoint))['via-natbox']!;
    assert.equal(f.alive, false);
    assert.equal(f.cutBy, 'route');
    assert.match(f.rule ?? '', /route 0\.0\.0\.0\/0 → eni-\w+ is a blackhole/);
    assert.equal((await alive(h))['via-firewall'], true, 'the other appliance is untouched');
    await advance(h.endpoint, 60); // past the stopping transition
    await h.ec2.send(new StartInstancesCommand({ InstanceIds: [NATBOX] }));
    assert.equal((await routeStates(h.ec2, RTB))['0.0.0.0/0'], 'active');
    assert.equal((await alive(h))['via-natbox'], true, 'the tracked flow revives on its conntrack entry');
    await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [NATBOX] }));
    assert.equal((await routeStates(h.ec2, RTB))['0.0.0.0/0'], 'blackhole');
    assert.equal((await alive(h))['via-natbox'], false);
  } finally {
    await h.close();
  }
});

test("detaching an appliance's ENI or stopping its instance blackholes the ENI route; attaching it back restores it", async () => {
  const h = await startHarness(scenario());
  try {
    const d = await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [FW_ENI] }));
    await h.ec2.send(
      new DetachNetworkInterfaceCommand({ AttachmentId: d.NetworkInterfaces![0]!.Attachment!.AttachmentId! }),
    );
    assert.equal((await routeStates(h.ec2, RTB))['198.51.100.0/24'], 'blackhole');
    assert.equal((await alive(h))['via-firewall'], false);
    await h.ec2.send(
      new AttachNetworkInterfaceCommand({ NetworkInterfaceId: FW_ENI, InstanceId: FIREWALL, DeviceIndex: 1 }),
    );
    assert.equal((await routeStates(h.ec2, RTB))['198.51.100.0/24'], 'active');
    assert.equal((await alive(h))['via-firewall'], true);
    await h.ec2.send(new StopInstancesCommand({ InstanceIds: [FIREWALL] }));
    assert.equal((await routeStates(h.ec2, RTB))['198.51.100.0/24'], 'blackhole');
    assert.equal((await alive(h))['via-firewall'], false);
  } finally {
    await h.close();
  }
});

test('deleting the NAT gateway blackholes its routes and cuts its flows at once; the gateway is gone from DescribeNatGateways', async () => {
  const h = await startHarness(scenario());
  try {
    const dry = await awsError(() => h.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: NAT, DryRun: true })));
    assert.equal(dry.name, 'DryRunOperation');
    assert.equal((await alive(h))['via-nat'], true);
    const r = await h.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: NAT }));
    assert.equal(r.NatGatewayId, NAT);
    assert.equal((await routeStates(h.ec2, RTB))['203.0.113.0/24'], 'blackhole');
    assert.equal((await alive(h))['via-nat'], false);
    assert.equal((await h.ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways!.length, 0);
    const again = await awsError(() => h.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: NAT })));
    assert.equal(again.name, 'NatGatewayNotFound');
  } finally {
    await h.close();
  }
});

test('detaching the internet gateway (no public IPv4 mapped) blackholes its routes and cuts the IPv6 flow through it', async () => {
  const h = await startHarness(scenario({ nat: false }));
  try {
    await h.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: IGW, VpcId: await vpcOf(h.ec2) }));
    assert.equal((await routeStates(h.ec2, RTB6))['::/0'], 'blackhole');
    const f = (await flows(h.endpoint))['via-igw6']!;
    assert.equal(f.alive, false);
    assert.equal(f.cutBy, 'route');
  } finally {
    await h.close();
  }
});

async function vpcOf(ec2: EC2Client): Promise<string> {
  const r = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [RTB6] }));
  return r.RouteTables![0]!.VpcId!;
}

test('bad route targets in a scenario are errors naming the field', async () => {
  const bad = async (target: string): Promise<string> => {
    const h = await startHarness('minimal');
    try {
      const r = await control(h.endpoint, 'POST', '/_sim/reset', {
        scenario: scenario({ routes: [{ destination: '0.0.0.0/0', target }] }),
      });
      assert.equal(r.status, 400);
      return (r.body as { error: string }).error;
    } finally {
      await h.close();
    }
  };
  assert.match(await bad('instance:nobody'), /routeTables\[2\]\.routes\[0\]\.target: unknown instance "nobody"/);
  assert.match(await bad('instance:firewall'), /instance "firewall" has 2 network interfaces: route to one of them/);
  assert.match(await bad('eni-0eee00000000000ff'), /unknown network interface "eni-0eee00000000000ff"/);
  assert.match(await bad('gw-1'), /unknown route target "gw-1" \(igw, nat:<name>, .*instance:<id or name>\)/);
});

test('protocols by number: a rule for 47 admits GRE, not ESP; ICMP rules match type and code; only TCP/UDP take ports', async () => {
  const h = await startHarness(scenario());
  try {
    const base = { eni: BOX_ENI, initiator: 'inbound', path: 'same-vpc', remoteAddress: '10.4.2.77' };
    const gre = await openFlow(h.endpoint, { ...base, id: 'gre', protocol: 47 });
    assert.equal(gre.alive, true);
    assert.equal(gre.kind, 'other');
    const esp = await openFlow(h.endpoint, { ...base, id: 'esp', protocol: 50 });
    assert.equal(esp.alive, false);
    assert.match(esp.reason, /no ingress rule .* allows 50 from 10\.4\.2\.77/);
    const ping = await openFlow(h.endpoint, { ...base, id: 'ping', protocol: 'icmp', icmpType: 3, icmpCode: 4 });
    assert.equal(ping.alive, false, 'box admits GRE only');
    assert.equal(ping.kind, 'icmp');
    const ported = await control(h.endpoint, 'POST', '/_sim/flows', { ...base, protocol: 47, localPort: 22 });
    assert.equal(ported.status, 400);
    assert.match((ported.body as { error: string }).error, /localPort: 47 has no ports \(TCP and UDP only\)/);
    const typed = await control(h.endpoint, 'POST', '/_sim/flows', {
      ...base,
      protocol: 'tcp',
      localPort: 22,
      icmpType: 3,
    });
    assert.equal(typed.status, 400);
    assert.match((typed.body as { error: string }).error, /icmpType: goes with protocol icmp or icmpv6 only/);
    const gre2 = await control(h.endpoint, 'POST', '/_sim/flows', { ...base, protocol: 47, path: 'nlb' });
    assert.equal(gre2.status, 400);
    assert.match((gre2.body as { error: string }).error, /carries TCP and UDP only/);
    const natIcmp = await openFlow(h.endpoint, {
      eni: BOX_ENI,
      id: 'nat-ping',
      protocol: 'icmp',
      remoteAddress: '203.0.113.8',
      initiator: 'outbound',
      path: 'nat',
    });
    assert.equal(natIcmp.alive, true, 'a NAT gateway carries ICMP');
    const natGre = await control(h.endpoint, 'POST', '/_sim/flows', {
      eni: BOX_ENI,
      protocol: 47,
      remoteAddress: '203.0.113.8',
      initiator: 'outbound',
      path: 'nat',
    });
    assert.equal(natGre.status, 400);
    assert.match((natGre.body as { error: string }).error, /a NAT gateway carries TCP and UDP and ICMP only/);
  } finally {
    await h.close();
  }
});
