// The disagreements an outsider found between `verify` and the data plane (always in the dangerous direction: verify
// said cut, the traffic passed), each held here as a flow on the simulator and verify's answer for it:
//   1. ports the attacker chooses (its own source port, both ends 0-65535);
//   2. IP protocols other than TCP, UDP and ICMP (GRE, ESP) as themselves;
//   3. a route to an instance that stops (blackhole in the describes and in the data plane at once);
//   4. examples that open as they stand (ICMP type/code, both ports, a concrete address).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthorizeSecurityGroupIngressCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { createClients } from '../../src/aws/clients.js';
import { gatherNetworkFacts } from '../../src/aws/facts.js';
import { verify, type ClassVerdict, type FlowExample, type VerifyReport } from '../../src/core/verify/verify.js';
import type { Direction, FlowKind, Side } from '../../src/core/verify/paths.js';
import type { FlowView } from '../../src/sim/dataplane/index.js';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { control } from '../helpers/control.js';
import { flows, openFlow } from '../sim/dataplane-fixture.js';

const BOX = 'i-0fa00000000000001';
const ENI = 'eni-0fa00000000000001';
const SG = 'sg-0fa00000000000001';

type Json = Record<string, unknown>;

/** One instance in 10.5.1.0/24 (public IP, route to the internet), its group and its subnet's NACL as given. */
function world(o: { ingress?: Json[]; egress?: Json[]; nacl?: Json[]; routes?: Json[]; flows?: Json[] }): Json {
  return {
    name: 'issue-cases',
    accounts: [
      {
        id: '111122223333',
        regions: [
          {
            name: 'us-east-1',
            vpcs: [
              {
                name: 'v',
                cidr: '10.5.0.0/16',
                internetGateway: true,
                subnets: [
                  { name: 'app', cidr: '10.5.1.0/24', routeTable: 'app', networkAcl: 'app' },
                  { name: 'dmz', cidr: '10.5.2.0/24', routeTable: 'dmz' },
                ],
                routeTables: [
                  { name: 'main', main: true, routes: [] },
                  { name: 'app', routes: o.routes ?? [{ destination: '0.0.0.0/0', target: 'igw' }] },
                  { name: 'dmz', routes: [{ destination: '0.0.0.0/0', target: 'igw' }] },
                ],
                networkAcls: [{ name: 'app', entries: o.nacl }],
                securityGroups: [
                  { id: SG, name: 'box', ingress: o.ingress ?? [], egress: o.egress },
                  { name: 'open', ingress: [{ protocol: 'all', cidr: '0.0.0.0/0' }] },
                ],
              },
            ],
            instances: [
              {
                id: BOX,
                name: 'box',
                subnet: 'app',
                securityGroups: ['box'],
                privateIp: '10.5.1.10',
                publicIp: '54.5.5.5',
                primaryEni: { id: ENI },
              },
              { name: 'natbox', subnet: 'dmz', securityGroups: ['open'], privateIp: '10.5.2.20', publicIp: '54.5.5.6' },
            ],
            flows: o.flows ?? [],
          },
        ],
      },
    ],
  };
}

const both = (entry: Json): Json[] => [
  { ...entry, egress: false },
  { ...entry, egress: true },
];

async function report(h: SimHarness): Promise<VerifyReport> {
  const c = createClients({
    region: 'us-east-1',
    endpointUrl: h.endpoint,
    credentials: { accessKeyId: 'AKIADEMORESPONDER01', secretAccessKey: 'sim-secret' },
    maxAttempts: 1,
  });
  try {
    return verify(await gatherNetworkFacts(c, BOX));
  } finally {
    c.destroy();
  }
}

function cls(r: VerifyReport, side: Side, direction: Direction, kind: FlowKind): ClassVerdict {
  return r.enis[0]!.classes.find((c) => c.side === side && c.direction === direction && c.kind === kind)!;
}

function pathVerdict(c: ClassVerdict, path: string, family: 4 | 6 = 4): string {
  return c.paths!.find((p) => p.path === path && p.family === family)!.verdict;
}

/** Opens a flow from an example, as it stands. */
async function openExample(h: SimHarness, id: string, d: Direction, x: FlowExample): Promise<FlowView> {
  return openFlow(h.endpoint, {
    id,
    eni: ENI,
    protocol: /^\d+$/.test(x.protocol) ? Number(x.protocol) : x.protocol,
    remoteAddress: x.remote,
    initiator: d,
    path: x.path,
    ...(x.localPort !== undefined ? { localPort: x.localPort, remotePort: x.remotePort } : {}),
    ...(x.icmpType !== undefined ? { icmpType: x.icmpType, icmpCode: x.icmpCode } : {}),
  });
}

test('1a. an outbound TCP connection from local port 53 to port 53, through PrivateLink, gets its replies through a NACL that admits TCP 53: verify says open, and names the narrow opening', async () => {
  const h = await startHarness(
    world({
      nacl: both({ rule: 10, protocol: 6, ports: 53, action: 'allow', cidr: '0.0.0.0/0' }),
      egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }],
      flows: [
        // The compromised host picks its own source port: 53. The far side is an endpoint ENI in the other subnet.
        {
          id: 'dns-tunnel',
          eni: ENI,
          protocol: 'tcp',
          localPort: 53,
          remotePort: 53,
          remoteAddress: '10.5.2.53',
          initiator: 'outbound',
          path: 'privatelink',
          active: true,
        },
      ],
    }),
  );
  try {
    assert.equal((await flows(h.endpoint))['dns-tunnel']!.alive, true);
    const ordinary = await openFlow(h.endpoint, {
      id: 'ordinary',
      eni: ENI,
      protocol: 'tcp',
      localPort: 49152,
      remotePort: 53,
      remoteAddress: '10.5.2.53',
      initiator: 'outbound',
      path: 'privatelink',
    });
    assert.equal(ordinary.alive, false, 'from an ephemeral port the replies are denied');
    const c = cls(await report(h), 'same-vpc', 'outbound', 'auto-tracked');
    assert.equal(c.verdict, 'open');
    assert.equal(pathVerdict(c, 'privatelink'), 'open');
    assert.match(c.reason, /only replies to port 53 pass acl-\w+ \(the initiator must use one as its source port\)/);
    assert.equal(c.example!.localPort, 53);
    assert.equal(c.example!.remotePort, 53);
    assert.equal((await openExample(h, 'x', 'outbound', c.example!)).alive, true);
  } finally {
    await h.close();
  }
});

test('1b. an inbound SSH session from remote source port 443, with replies allowed only to 443: alive, and verify says open (not "NACL denies it … (replies)")', async () => {
  const h = await startHarness(
    world({
      ingress: [{ protocol: 'tcp', ports: 22, cidr: '203.0.113.0/24' }],
      egress: [],
      nacl: [
        { rule: 10, egress: false, protocol: 6, ports: 22, action: 'allow', cidr: '203.0.113.0/24' },
        { rule: 10, egress: true, protocol: 6, ports: 443, action: 'allow', cidr: '0.0.0.0/0' },
      ],
      flows: [
        {
          id: 'ssh',
          eni: ENI,
          protocol: 'tcp',
          localPort: 22,
          remotePort: 443,
          remoteAddress: '203.0.113.50',
          initiator: 'inbound',
          path: 'igw',
          active: true,
        },
      ],
    }),
  );
  try {
    assert.equal((await flows(h.endpoint)).ssh!.alive, true);
    const r = await report(h);
    const c = cls(r, 'internet', 'inbound', 'tracked');
    assert.equal(c.verdict, 'open');
    assert.equal(pathVerdict(c, 'igw'), 'open');
    assert.match(c.reason, /^admitted by sg-\w+ ingress tcp 22 from 203\.0\.113\.0\/24; only replies to port 443 pass/);
    assert.deepEqual([c.example!.localPort, c.example!.remotePort], [22, 443]);
    // A service port of 1024 or above is judged the same way: 3389 both ways is open only from source port 3389.
    const rdp = await startHarness(
      world({
        ingress: [{ protocol: 'tcp', ports: 3389, cidr: '0.0.0.0/0' }],
        egress: [],
        nacl: both({ rule: 10, protocol: 6, ports: 3389, action: 'allow', cidr: '0.0.0.0/0' }),
      }),
    );
    try {
      const rc = cls(await report(rdp), 'internet', 'inbound', 'tracked');
      assert.equal(rc.verdict, 'open');
      assert.match(rc.reason, /only replies to port 3389 pass/);
      assert.deepEqual([rc.example!.localPort, rc.example!.remotePort], [3389, 3389]);
      assert.equal((await openExample(rdp, 'x', 'inbound', rc.example!)).alive, true);
    } finally {
      await rdp.close();
    }
  } finally {
    await h.close();
  }
});

test('2. ESP out and GRE in, admitted by rules for protocols 50 and 47: alive, and verify calls the other-protocols class open (ESP is not judged as ICMP)', async () => {
  const h = await startHarness(
    world({
      ingress: [{ protocol: 47, cidr: '0.0.0.0/0' }],
      egress: [{ protocol: 50, cidr: '0.0.0.0/0' }],
      nacl: [
        ...both({ rule: 10, protocol: 50, action: 'allow', cidr: '0.0.0.0/0' }),
        ...both({ rule: 20, protocol: 47, action: 'allow', cidr: '0.0.0.0/0' }),
      ],
      flows: [
        {
          id: 'esp',
          eni: ENI,
          protocol: 50,
          remoteAddress: '198.51.100.9',
          initiator: 'outbound',
          path: 'igw',
          active: true,
        },
        {
          id: 'gre',
          eni: ENI,
          protocol: 47,
          remoteAddress: '198.51.100.10',
          initiator: 'inbound',
          path: 'igw',
          active: true,
        },
      ],
    }),
  );
  try {
    const f = await flows(h.endpoint);
    assert.deepEqual([f.esp!.alive, f.esp!.kind, f.gre!.alive, f.gre!.kind], [true, 'other', true, 'other']);
    const r = await report(h);
    const out = cls(r, 'internet', 'outbound', 'other');
    assert.equal(out.verdict, 'open');
    assert.equal(out.reason, `admitted by ${SG} egress 50 to 0.0.0.0/0 (always tracked)`);
    assert.equal(out.example!.protocol, '50');
    assert.equal(out.idleTimeoutSeconds, 600);
    const inbound = cls(r, 'internet', 'inbound', 'other');
    assert.equal(inbound.verdict, 'open', 'GRE in is admitted: new tunnels, not only existing ones');
    assert.equal(inbound.example!.protocol, '47');
    assert.equal(cls(r, 'internet', 'outbound', 'icmp').verdict, 'cut', 'ICMP has neither a rule nor a NACL entry');
    for (const [id, d, x] of [
      ['x-out', 'outbound', out.example!],
      ['x-in', 'inbound', inbound.example!],
    ] as const)
      assert.equal((await openExample(h, id, d, x)).alive, true, id);
    // Matched by number: a NACL passing only GRE cuts ESP, and verify's example is GRE.
    const gre = await startHarness(
      world({
        ingress: [{ protocol: 'all', cidr: '0.0.0.0/0' }],
        egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }],
        nacl: both({ rule: 20, protocol: 47, action: 'allow', cidr: '0.0.0.0/0' }),
      }),
    );
    try {
      const esp = await openFlow(gre.endpoint, {
        eni: ENI,
        protocol: 50,
        remoteAddress: '198.51.100.9',
        initiator: 'outbound',
        path: 'igw',
      });
      assert.equal(esp.alive, false);
      const c = cls(await report(gre), 'internet', 'outbound', 'other');
      assert.equal(c.verdict, 'open');
      assert.equal(c.example!.protocol, '47');
      const t = cls(await report(gre), 'internet', 'outbound', 'tracked');
      assert.equal(t.verdict, 'cut');
      assert.match(t.reason, /^NACL denies it: /);
    } finally {
      await gre.close();
    }
  } finally {
    await h.close();
  }
});

test('3. a route to a NAT instance that stops: blackhole in DescribeRouteTables, the flow cut, and verify says cut — all at once', async () => {
  const h = await startHarness(
    world({
      egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }],
      routes: [{ destination: '0.0.0.0/0', target: 'instance:natbox' }],
      flows: [
        {
          id: 'exfil',
          eni: ENI,
          protocol: 'tcp',
          remotePort: 443,
          remoteAddress: '45.33.32.156',
          initiator: 'outbound',
          path: 'appliance',
          active: true,
        },
      ],
    }),
  );
  try {
    assert.equal((await flows(h.endpoint)).exfil!.alive, true);
    assert.equal(pathVerdict(cls(await report(h), 'internet', 'outbound', 'tracked'), 'appliance'), 'open');
    const natbox = h.sim.world.accounts.get('111122223333')!.regions.get('us-east-1')!.ec2.instances;
    const id = [...natbox.values()].find((i) => i.tags.Name === 'natbox')!.instanceId;
    await h.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    const f = (await flows(h.endpoint)).exfil!;
    assert.equal(f.alive, false);
    assert.equal(f.cutBy, 'route');
    const c = cls(await report(h), 'internet', 'outbound', 'tracked');
    assert.equal(pathVerdict(c, 'appliance'), 'cut');
    assert.match(c.paths!.find((p) => p.path === 'appliance')!.reason, /route 0\.0\.0\.0\/0 → eni-\w+ is a blackhole/);
  } finally {
    await h.close();
  }
});

test('4. every example opens as it stands: the ICMP type a rule allows, the far-side port a NACL needs, a concrete address and ports', async () => {
  const h = await startHarness(
    world({
      ingress: [{ protocol: 'tcp', ports: 3389, cidr: '0.0.0.0/0' }],
      egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }],
      nacl: [
        ...both({ rule: 10, protocol: 6, ports: 3389, action: 'allow', cidr: '0.0.0.0/0' }),
        ...both({ rule: 20, protocol: 1, action: 'allow', cidr: '0.0.0.0/0' }),
        ...both({ rule: 30, protocol: 'all', action: 'allow', cidr: '10.5.0.0/16' }),
      ],
    }),
  );
  try {
    // Only destination unreachable (type 3), any code: the scenario format has no field for a type, the API does.
    await h.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: SG,
        IpPermissions: [{ IpProtocol: 'icmp', FromPort: 3, ToPort: -1, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const r = await report(h);
    const icmp = cls(r, 'internet', 'inbound', 'icmp');
    assert.equal(icmp.verdict, 'open');
    assert.deepEqual([icmp.example!.icmpType, icmp.example!.icmpCode], [3, 0]);
    assert.match(icmp.reason, /ingress icmp type 3 from 0\.0\.0\.0\/0/);
    const rdp = cls(r, 'internet', 'inbound', 'untracked'); // 3389 from 0.0.0.0/0, all egress: untracked
    assert.deepEqual([rdp.example!.localPort, rdp.example!.remotePort], [3389, 3389]);
    let n = 0;
    for (const c of r.enis[0]!.classes) {
      for (const x of [c.example, ...(c.paths ?? []).map((p) => p.example)]) {
        if (!x) continue;
        assert.ok(!['0.0.0.0', '::'].includes(x.remote), `${c.side}/${c.direction}/${c.kind}: ${x.remote}`);
        assert.notEqual(x.localPort, 0);
        assert.notEqual(x.remotePort, 0);
        if (c.verdict !== 'open' || x !== c.example) continue;
        const f = await openExample(h, `x${++n}`, c.direction, x);
        assert.equal(f.alive, true, `${c.side}/${c.direction}/${c.kind} example ${JSON.stringify(x)}: ${f.reason}`);
        assert.deepEqual([f.side, f.kind], [c.side, c.kind]);
      }
    }
    assert.ok(n >= 8, `only ${n} open examples`);
    const ping = await control(h.endpoint, 'POST', '/_sim/flows', {
      eni: ENI,
      protocol: 'icmp',
      remoteAddress: icmp.example!.remote,
      initiator: 'inbound',
      path: 'igw',
    });
    assert.equal((ping.body as FlowView).alive, false, 'the default echo request (type 8) is not what the rule allows');
  } finally {
    await h.close();
  }
});
