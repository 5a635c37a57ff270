// The route and igw layers end to end on the simulator (real SDK): explicit and implicit (main-table) associations,
// the internet-cut copy of a shared table (VPN and peering kept, the IGW never detached), the full preset, shared
// subnets held by two contained instances, and exact restore.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeInternetGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeNetworkInterfacesCommand,
} from '@aws-sdk/client-ec2';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { cordonClients, mutations, tempStateDir, withoutCordonTags } from '../helpers/cordon.js';
import {
  NETWORK_ONLY,
  PCX,
  VGW,
  instanceId,
  layersScenario,
  region,
  subnetId,
  tagsOf,
  userNetworkSnapshot,
} from '../helpers/layers.js';
import { contain, type ContainRequest } from '../../src/engine/contain.js';
import { restore } from '../../src/engine/restore.js';
import type { AwsClients } from '../../src/aws/clients.js';

type Extra = Partial<Omit<ContainRequest, 'clients' | 'instanceIds'>>;

async function tableOf(h: SimHarness, subnet: string) {
  const explicit = await h.ec2.send(
    new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnet] }] }),
  );
  if (explicit.RouteTables!.length) return { table: explicit.RouteTables![0]!, implicit: false };
  const main = await h.ec2.send(
    new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.main', Values: ['true'] }] }),
  );
  return { table: main.RouteTables![0]!, implicit: true };
}

const routes = (t: {
  Routes?: {
    DestinationCidrBlock?: string;
    DestinationIpv6CidrBlock?: string;
    GatewayId?: string;
    VpcPeeringConnectionId?: string;
  }[];
}) =>
  t
    .Routes!.map(
      (r) => `${r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock} → ${r.GatewayId ?? r.VpcPeeringConnectionId}`,
    )
    .sort();

describe('route and igw layers', () => {
  let h: SimHarness;
  let clients: AwsClients;
  const stateDir = tempStateDir();
  const run = (ids: string[], extra: Extra = {}) =>
    contain({ clients, instanceIds: ids, stateDir, playbook: NETWORK_ONLY, acceptBlastRadius: true, ...extra });
  before(async () => {
    h = await startHarness(layersScenario());
    clients = cordonClients(h.sim);
  });
  after(async () => {
    clients.destroy();
    await h.close();
  });

  test('route layer on an explicit association: only the local routes; the shared table is untouched; exact restore', async () => {
    const box = instanceId(h, 'box');
    const app = subnetId(h, '10.1.1.0/24');
    const db = subnetId(h, '10.1.2.0/24');
    const snapshot = await userNetworkSnapshot(h);
    const before = await tableOf(h, app);
    const seq0 = h.sim.world.calls.length;
    const r = await run([box], { layers: ['sg', 'route'] });
    assert.equal(r.instances[0]!.status, 'contained');
    const now = await tableOf(h, app);
    assert.notEqual(now.table.RouteTableId, before.table.RouteTableId);
    assert.deepEqual(routes(now.table), ['10.1.0.0/16 → local', '2600:1f18:aaaa:bb00::/56 → local']);
    assert.equal(tagsOf(now.table.Tags)['cordon:role'], 'isolation-route-table');
    assert.equal(
      (await tableOf(h, db)).table.RouteTableId,
      before.table.RouteTableId,
      'the db subnet keeps the shared table',
    );
    assert.deepEqual(
      mutations(h.sim, seq0)
        .filter((m) => /RouteTable|Route$/.test(m.action))
        .map((m) => m.action),
      ['CreateRouteTable', 'ReplaceRouteTableAssociation'],
    );
    await restore({ clients, instanceIds: [box], stateDir });
    assert.deepEqual(await userNetworkSnapshot(h), snapshot);
  });

  test('route layer on a subnet using the main table implicitly: AssociateRouteTable, restored with DisassociateRouteTable', async () => {
    const mainbox = instanceId(h, 'mainbox');
    const sub = subnetId(h, '10.1.3.0/24');
    const snapshot = await userNetworkSnapshot(h);
    assert.equal((await tableOf(h, sub)).implicit, true);
    const seq0 = h.sim.world.calls.length;
    const r = await run([mainbox], { layers: ['route'] });
    assert.equal(r.instances[0]!.status, 'contained');
    assert.ok(r.plan.changes.some((c) => c.stepId === 'associate-route-table' && /main, implicit/.test(c.summary)));
    const now = await tableOf(h, sub);
    assert.equal(now.implicit, false);
    assert.equal(tagsOf(now.table.Tags)['cordon:role'], 'isolation-route-table');
    const muts = mutations(h.sim, seq0)
      .filter((m) => /RouteTable/.test(m.action))
      .map((m) => m.action);
    assert.deepEqual(muts, ['AssociateRouteTable'], 'the isolation table of the previous test is reused');
    const seq1 = h.sim.world.calls.length;
    await restore({ clients, instanceIds: [mainbox], stateDir });
    assert.deepEqual(
      mutations(h.sim, seq1)
        .filter((m) => /RouteTable/.test(m.action))
        .map((m) => m.action),
      ['DisassociateRouteTable'],
    );
    assert.equal((await tableOf(h, sub)).implicit, true);
    assert.deepEqual(await userNetworkSnapshot(h), snapshot);
  });

  test('igw layer: a copy without the internet routes keeps peering and VPN; the IGW stays attached; the copy goes at restore', async () => {
    const box = instanceId(h, 'box');
    const app = subnetId(h, '10.1.1.0/24');
    const db = subnetId(h, '10.1.2.0/24');
    const snapshot = await userNetworkSnapshot(h);
    const igwsBefore = withoutCordonTags(await h.ec2.send(new DescribeInternetGatewaysCommand({})));
    const seq0 = h.sim.world.calls.length;
    const r = await run([box], { layers: ['sg', 'igw'], incident: 'ir-igw' });
    assert.equal(r.instances[0]!.status, 'contained');
    assert.ok(
      r.plan.warnings.some((w) => /stays attached: DetachInternetGateway fails with DependencyViolation/.test(w)),
    );
    const now = await tableOf(h, app);
    assert.deepEqual(routes(now.table), [
      '10.1.0.0/16 → local',
      `10.50.0.0/16 → ${PCX}`,
      `172.16.0.0/12 → ${VGW}`,
      '2600:1f18:aaaa:bb00::/56 → local',
    ]);
    const t = tagsOf(now.table.Tags);
    assert.equal(t['cordon:role'], 'internet-cut-copy');
    assert.equal(t['cordon:incident'], 'ir-igw');
    const shared = await tableOf(h, db);
    assert.ok(
      routes(shared.table).some((x) => x.startsWith('0.0.0.0/0 → igw-')),
      'the shared table keeps its internet route for the db subnet',
    );
    assert.deepEqual(
      mutations(h.sim, seq0).filter((m) => /InternetGateway/.test(m.action)),
      [],
      'never detaches the IGW',
    );
    assert.deepEqual(withoutCordonTags(await h.ec2.send(new DescribeInternetGatewaysCommand({}))), igwsBefore);
    const copyId = now.table.RouteTableId!;
    await restore({ clients, instanceIds: [box], stateDir });
    assert.deepEqual(await userNetworkSnapshot(h), snapshot);
    const left = await h.ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'route-table-id', Values: [copyId] }] }),
    );
    assert.deepEqual(left.RouteTables, [], 'the per-incident copy is deleted');
  });

  test('full preset: all four layers (igw covered by route), exact restore of every layer', async () => {
    const box = instanceId(h, 'box');
    const eni = region(h).ec2.instances.get(box)!.networkInterfaceIds[0]!;
    const snapshot = await userNetworkSnapshot(h);
    const eniBefore = withoutCordonTags(
      (await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] }))).NetworkInterfaces![0]!,
    );
    const r = await run([box], { layers: ['sg', 'nacl', 'route', 'igw'] });
    assert.equal(r.instances[0]!.status, 'contained');
    assert.ok(r.plan.warnings.some((w) => /igw layer is covered by the route layer/.test(w)));
    assert.deepEqual(
      r.instances[0]!.layers!.map((l) => `${l.layer}:${l.isolated}`),
      ['nacl:true', 'route:true'],
    );
    assert.ok(r.plan.blastRadius!.enis.every((e) => e.layers.includes('nacl') && e.layers.includes('route')));
    await restore({ clients, instanceIds: [box], stateDir });
    assert.deepEqual(await userNetworkSnapshot(h), snapshot);
    const eniAfter = withoutCordonTags(
      (await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] }))).NetworkInterfaces![0]!,
    );
    delete eniAfter.ConnectionTrackingConfiguration;
    delete eniBefore.ConnectionTrackingConfiguration;
    assert.deepEqual(eniAfter, eniBefore);
  });

  test('two contained instances share a subnet: one change; restoring one keeps the isolation the other needs', async () => {
    const box = instanceId(h, 'box');
    const neighbour = instanceId(h, 'neighbour');
    const app = subnetId(h, '10.1.1.0/24');
    const snapshot = await userNetworkSnapshot(h);
    const r = await run([box, neighbour], { layers: ['sg', 'nacl', 'route'] });
    assert.deepEqual(
      r.instances.map((i) => i.status),
      ['contained', 'contained'],
    );
    assert.equal(r.plan.changes.filter((c) => c.stepId === 'associate-route-table').length, 1);
    assert.equal(r.plan.changes.filter((c) => c.stepId === 'associate-isolation-nacl').length, 1);
    assert.ok(
      !r.plan.blastRadius!.enis.some((e) => e.instanceId === neighbour),
      'a target is not its own blast radius',
    );
    const isolated = (await tableOf(h, app)).table.RouteTableId;

    const rr = await restore({ clients, instanceIds: [box], stateDir });
    assert.ok(!rr.instances[0]!.restored.some((x) => x.attribute === 'route-table' || x.attribute === 'network-acl'));
    assert.equal((await tableOf(h, app)).table.RouteTableId, isolated, 'still isolated for the neighbour');
    await restore({ clients, instanceIds: [neighbour], stateDir });
    assert.deepEqual(await userNetworkSnapshot(h), snapshot);

    // Both holders restored in one command: the shared subnet layers come back once.
    await run([box, neighbour], { layers: ['sg', 'nacl', 'route'] });
    const seq0 = h.sim.world.calls.length;
    await restore({ clients, instanceIds: [box, neighbour], stateDir });
    const muts = mutations(h.sim, seq0).map((m) => m.action);
    assert.equal(muts.filter((a) => a === 'ReplaceRouteTableAssociation').length, 1);
    assert.equal(muts.filter((a) => a === 'ReplaceNetworkAclAssociation').length, 1);
    assert.deepEqual(await userNetworkSnapshot(h), snapshot);
  });
});
