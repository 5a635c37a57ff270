// Agreement tests for the subnet- and edge-level layers: cordon contains with a layer, the simulated data plane says
// which live flows it cut (control API /_sim/flows), and `verify` — reasoning from the described configuration alone —
// must agree: a flow still alive is never in a class verify calls cut; a flow the layer cut is in a class it calls cut.
//   NACL:  cuts a tracked SSH flow and an ICMP flow at once, not a flow inside the subnet.
//   route: cuts an internet flow, not a flow to another subnet of the VPC.
//   igw:   cuts the internet, keeps the VPN and peering paths.
//   subnet preset vs sg alone: the ICMP tunnel and the NAT-gateway path survive the group swap; the NACL cuts them.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { control } from '../helpers/control.js';
import { cordonClients, tempStateDir } from '../helpers/cordon.js';
import { NETWORK_ONLY, PCX, VGW, instanceId } from '../helpers/layers.js';
import { contain } from '../../src/engine/contain.js';
import { gatherNetworkFacts } from '../../src/aws/facts.js';
import { verify } from '../../src/core/verify/verify.js';
import type { Layer } from '../../src/core/layers.js';

const flow = (id: string, instance: string, spec: Record<string, unknown>) => ({ id, instance, active: true, ...spec });

function scenario(): Record<string, unknown> {
  return {
    name: 'layers-agreement',
    accounts: [
      {
        id: '111122223333',
        regions: [
          {
            name: 'us-east-1',
            vpcs: [
              {
                name: 'v',
                cidr: '10.2.0.0/16',
                internetGateway: true,
                subnets: [
                  { name: 'pub', cidr: '10.2.1.0/24', routeTable: 'rt-pub' },
                  { name: 'priv', cidr: '10.2.2.0/24', routeTable: 'rt-priv' },
                  { name: 'other', cidr: '10.2.3.0/24', routeTable: 'rt-pub' },
                ],
                natGateways: [{ name: 'ngw', subnet: 'other', publicIp: '54.9.9.9' }],
                routeTables: [
                  { name: 'main', main: true, routes: [] },
                  {
                    name: 'rt-pub',
                    routes: [
                      { destination: '0.0.0.0/0', target: 'igw' },
                      { destination: '172.16.0.0/12', target: VGW },
                      { destination: '10.50.0.0/16', target: PCX },
                    ],
                  },
                  { name: 'rt-priv', routes: [{ destination: '0.0.0.0/0', target: 'nat:ngw' }] },
                ],
                securityGroups: [
                  {
                    name: 'app',
                    ingress: [
                      { protocol: 'tcp', ports: 22, cidr: '198.51.100.7/32' },
                      { protocol: 'icmp', cidr: '0.0.0.0/0' },
                      { protocol: 'all', cidr: '10.2.0.0/16' },
                    ],
                  },
                ],
              },
            ],
            instances: [
              { name: 'box', subnet: 'pub', securityGroups: ['app'], privateIp: '10.2.1.10', publicIp: '54.1.2.3' },
              { name: 'peer', subnet: 'pub', securityGroups: ['app'], privateIp: '10.2.1.11' },
              { name: 'far', subnet: 'other', securityGroups: ['app'], privateIp: '10.2.3.10' },
              { name: 'worker', subnet: 'priv', securityGroups: ['app'], privateIp: '10.2.2.10' },
            ],
            flows: [
              flow('ssh', 'box', {
                protocol: 'tcp',
                localPort: 22,
                remoteAddress: '198.51.100.7',
                initiator: 'inbound',
                path: 'igw',
              }),
              flow('icmp', 'box', {
                protocol: 'icmp',
                remoteAddress: '203.0.113.9',
                initiator: 'inbound',
                path: 'igw',
              }),
              flow('local', 'box', {
                protocol: 'tcp',
                localPort: 5432,
                remoteAddress: '10.2.1.11',
                initiator: 'inbound',
                path: 'same-subnet',
              }),
              flow('vpc', 'box', {
                protocol: 'tcp',
                remotePort: 443,
                remoteAddress: '10.2.3.10',
                initiator: 'outbound',
                path: 'same-vpc',
              }),
              flow('web', 'box', {
                protocol: 'tcp',
                remotePort: 443,
                remoteAddress: '93.184.216.34',
                initiator: 'outbound',
                path: 'igw',
              }),
              flow('vpn', 'box', {
                protocol: 'tcp',
                remotePort: 22,
                remoteAddress: '172.16.5.5',
                initiator: 'outbound',
                path: 'vpn',
              }),
              flow('pcx', 'box', {
                protocol: 'tcp',
                remotePort: 5432,
                remoteAddress: '10.50.1.1',
                initiator: 'outbound',
                path: 'peering',
              }),
              flow('natweb', 'worker', {
                protocol: 'tcp',
                remotePort: 443,
                remoteAddress: '93.184.216.34',
                initiator: 'outbound',
                path: 'nat',
              }),
              flow('naticmp', 'worker', {
                protocol: 'icmp',
                remoteAddress: '8.8.8.8',
                initiator: 'outbound',
                path: 'nat',
              }),
            ],
          },
        ],
      },
    ],
  };
}

interface FlowView {
  id: string;
  alive: boolean;
  side: string;
  initiator: string;
  kind: string;
  blocks: { layer: string }[];
  instanceId?: string;
}

async function flows(h: SimHarness): Promise<Record<string, FlowView>> {
  const r = await control<{ flows: FlowView[] }>(h.endpoint, 'GET', '/_sim/flows');
  assert.equal(r.status, 200);
  return Object.fromEntries(r.body.flows.map((f) => [f.id, f]));
}

/** Contains `name` with `layers` on a fresh world; returns the flows after, and verify's report for the instance. */
async function containWith(name: string, layers: Layer[]) {
  const h = await startHarness(scenario());
  const clients = cordonClients(h.sim);
  try {
    const before = await flows(h);
    for (const f of Object.values(before)) assert.equal(f.alive, true, `flow ${f.id} is alive before containment`);
    const id = instanceId(h, name);
    const r = await contain({
      clients,
      instanceIds: [id],
      stateDir: tempStateDir(),
      playbook: NETWORK_ONLY,
      layers,
      acceptBlastRadius: true,
    });
    assert.equal(r.instances[0]!.status, 'contained');
    const after = await flows(h);
    const report = verify(await gatherNetworkFacts(clients, id), { untrackStepApplied: layers.includes('sg') });
    return { after, report, instanceId: id };
  } finally {
    clients.destroy();
    await h.close();
  }
}

/** verify's verdict for the class a flow belongs to (on the instance's first ENI). */
function verdictFor(report: ReturnType<typeof verify>, f: FlowView): string {
  const c = report.enis[0]!.classes.find((x) => x.side === f.side && x.direction === f.initiator && x.kind === f.kind);
  assert.ok(c, `verify has a class for ${f.side}/${f.initiator}/${f.kind}`);
  return c.verdict;
}

function assertAgreement(report: ReturnType<typeof verify>, after: Record<string, FlowView>, instance: string): void {
  for (const f of Object.values(after).filter((x) => x.instanceId === instance)) {
    const v = verdictFor(report, f);
    if (f.alive) assert.notEqual(v, 'cut', `flow ${f.id} is alive in the data plane, but verify says its class is cut`);
    else if (f.blocks.some((b) => b.layer === 'nacl' || b.layer === 'route'))
      assert.equal(v, 'cut', `flow ${f.id} is cut by ${f.blocks.map((b) => b.layer)} but verify says ${v}`);
  }
}

describe('layers agree with the data plane and with verify', () => {
  test('NACL: cuts the tracked SSH and ICMP flows at once, not the flow inside the subnet', async () => {
    const { after, report, instanceId: id } = await containWith('box', ['nacl']);
    assert.equal(after.ssh!.alive, false);
    assert.ok(after.ssh!.blocks.some((b) => b.layer === 'nacl'));
    assert.equal(after.icmp!.alive, false);
    assert.ok(after.icmp!.blocks.some((b) => b.layer === 'nacl'));
    assert.equal(after.local!.alive, true, 'inside the subnet no NACL applies');
    assertAgreement(report, after, id);
  });

  test('route: cuts the internet flow, keeps the flow to another subnet of the VPC', async () => {
    const { after, report, instanceId: id } = await containWith('box', ['route']);
    assert.equal(after.web!.alive, false);
    assert.ok(after.web!.blocks.some((b) => b.layer === 'route'));
    assert.equal(after.vpn!.alive, false, 'the isolation table has no VPN route either');
    assert.equal(after.vpc!.alive, true);
    assert.equal(after.local!.alive, true);
    assertAgreement(report, after, id);
  });

  test('igw: cuts the internet, keeps the VPN and peering paths', async () => {
    const { after, report, instanceId: id } = await containWith('box', ['igw']);
    assert.equal(after.web!.alive, false);
    assert.equal(after.ssh!.alive, false);
    assert.equal(after.vpn!.alive, true);
    assert.equal(after.pcx!.alive, true);
    assert.equal(after.vpc!.alive, true);
    assertAgreement(report, after, id);
  });

  test('the group swap alone leaves the ICMP tunnel and the NAT-gateway path; the subnet preset cuts them', async () => {
    const sg = await containWith('worker', ['sg']);
    assert.equal(sg.after.naticmp!.alive, true, 'ICMP is always tracked: the swap cannot cut it');
    assert.equal(sg.after.natweb!.alive, true, 'NAT-gateway flows are always tracked: the swap cannot cut them');
    assertAgreement(sg.report, sg.after, sg.instanceId);
    const subnet = await containWith('worker', ['sg', 'nacl']);
    assert.equal(subnet.after.naticmp!.alive, false);
    assert.equal(subnet.after.natweb!.alive, false);
    assertAgreement(subnet.report, subnet.after, subnet.instanceId);
  });
});
