// Agreement: for a matrix of configurations, flows live in the simulator's data plane and `verify` — reasoning only
// from what the real SDK describes (src/aws/facts.ts) — must agree on every flow's fate:
//   verify says cut (for the flow's class, path and address family)  ⇔  the flow is dead;
//   open / may-survive                                                  ⇔  alive (may-survive: until idle past the
//                                                                          timeout verify reports).
// Flows the rules never admitted are not connections; they must be dead and are left out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familyOf } from '../../src/core/cidr.js';
import { createClients } from '../../src/aws/clients.js';
import { gatherNetworkFacts } from '../../src/aws/facts.js';
import { verify, type VerifyOptions, type VerifyReport } from '../../src/core/verify/verify.js';
import { KINDS, SIDES, DIRECTIONS } from '../../src/core/verify/paths.js';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { control } from '../helpers/control.js';
import {
  ACL_ISOLATION,
  ENI1,
  ENI2,
  MGMT_A,
  RTB_ISOLATION,
  SG_EMPTY,
  SG_OPEN,
  WEB1,
  WEB_A,
  advance,
  flows,
  openFlow,
  setGroups,
  setNacl,
  setRouteTable,
} from '../sim/dataplane-fixture.js';
import { MATRIX_FLOWS, PROBE, UNTRACKED_FLOWS, SG_OPEN_V4, matrixScenario } from './matrix.js';

const exercised = new Map<string, Set<string>>();

async function verifyNow(h: SimHarness, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const clients = createClients({
    region: 'us-east-1',
    endpointUrl: h.endpoint,
    credentials: { accessKeyId: 'AKIADEMORESPONDER01', secretAccessKey: 'sim-secret' },
    maxAttempts: 1,
  });
  try {
    return verify(await gatherNetworkFacts(clients, WEB1), opts);
  } finally {
    clients.destroy();
  }
}

/** Checks every flow against verify's verdict; returns the ids of the live ones. */
async function agree(
  h: SimHarness,
  label: string,
  opts: VerifyOptions = {},
): Promise<{ alive: string[]; report: VerifyReport }> {
  const report = await verifyNow(h, opts);
  const all = await flows(h.endpoint);
  const alive: string[] = [];
  for (const f of Object.values(all)) {
    if (!f.admitted) {
      assert.equal(f.alive, false, `${label}: ${f.id} was never admitted`);
      continue;
    }
    const eni = report.enis.find((e) => e.networkInterfaceId === f.eni);
    assert.ok(eni, `${label}: verify has no ENI ${f.eni}`);
    const cls = eni.classes.find((c) => c.side === f.side && c.direction === f.initiator && c.kind === f.kind)!;
    const family = familyOf(f.remoteAddress);
    const pv = cls.paths?.find((p) => p.path === f.path && p.family === family);
    assert.ok(
      pv,
      `${label}: verify has no verdict for ${f.id}'s path ${f.path} (IPv${family}) in ${f.side}/${f.initiator}/${f.kind}`,
    );
    const what = `${label}: flow ${f.id} (${f.side}/${f.initiator}/${f.kind} via ${f.path}, IPv${family}) is ${f.alive ? 'alive' : 'dead'} — ${f.reason}; verify says ${pv.verdict}: ${pv.reason}`;
    if (pv.verdict === 'cut') {
      assert.equal(f.alive, false, what);
      assert.equal(cls.verdict === 'cut' || cls.paths!.some((p) => p.verdict !== 'cut'), true, what);
    } else if (pv.verdict === 'may-survive' && !f.alive) {
      // Only past its idle timeout: the one thing verify cannot see.
      assert.equal(f.conntrack.dropped, 'expired', what);
      assert.equal(
        f.conntrack.idleSeconds > (pv.idleTimeoutSeconds ?? Infinity),
        true,
        `${what} (idle ${f.conntrack.idleSeconds} s, verify's timeout ${pv.idleTimeoutSeconds} s)`,
      );
    } else {
      assert.equal(f.alive, true, what);
    }
    const key = `${f.side}/${f.initiator}/${f.kind}`;
    (exercised.get(key) ?? exercised.set(key, new Set()).get(key)!).add(pv.verdict);
    if (f.alive) alive.push(f.id);
  }
  return { alive: alive.sort(), report };
}

async function harness(o: Parameters<typeof matrixScenario>[0] = {}): Promise<SimHarness> {
  const h = await startHarness(matrixScenario(o));
  const probe = await openFlow(h.endpoint, PROBE);
  assert.equal(probe.admitted, false);
  return h;
}

// Runs last (tests in a file run in order): each class of the verdict table met by flows, and each verdict seen.
function coverage(): void {
  const missing: string[] = [];
  for (const side of SIDES)
    for (const d of DIRECTIONS)
      for (const k of KINDS) if (!exercised.has(`${side}/${d}/${k}`)) missing.push(`${side}/${d}/${k}`);
  const verdicts = new Set([...exercised.values()].flatMap((s) => [...s]));
  assert.deepEqual(missing, [], `classes no flow exercised: ${missing.join(', ')}`);
  assert.deepEqual([...verdicts].sort(), ['cut', 'may-survive', 'open']);
}

test('before containment: every flow is alive and verify calls every class it belongs to open', async () => {
  const h = await harness();
  try {
    const { alive, report } = await agree(h, 'before');
    assert.equal(alive.length, MATRIX_FLOWS.length, 'all but the never-admitted ICMPv6 probe');
    assert.equal(report.summary.contained, false);
    assert.match(report.bottomLine, /^\d+ of 80 classes may still reach this instance: \d+ open to new connections/);
  } finally {
    await h.close();
  }
});

test('SG swap straight to the empty group: tracked, ICMP and auto-tracked survive (may-survive), untracked die (cut)', async () => {
  const h = await harness();
  try {
    await setGroups(h.ec2, ENI1, [SG_EMPTY]);
    await setGroups(h.ec2, ENI2, [SG_EMPTY]);
    const { alive, report } = await agree(h, 'one-step swap');
    const untracked = MATRIX_FLOWS.filter((f) => f.kind === 'untracked').map((f) => f.id);
    for (const id of untracked) assert.equal(alive.includes(id), false, id);
    assert.equal(alive.includes('i-in-tr'), true);
    const c = report.enis[0]!.classes.find(
      (x) => x.side === 'internet' && x.direction === 'inbound' && x.kind === 'tracked',
    )!;
    assert.equal(c.verdict, 'may-survive');
    assert.equal(c.idleTimeoutSeconds, 432000);
    assert.equal(report.summary.open, 0);
  } finally {
    await h.close();
  }
});

test('SG swap with the all-open step: TCP/UDP flows become untracked, then the empty group cuts them; ICMP, GRE/ESP and auto-tracked survive', async () => {
  const h = await harness();
  try {
    await setGroups(h.ec2, ENI1, [SG_OPEN]);
    await setGroups(h.ec2, ENI2, [SG_OPEN]);
    await agree(h, 'step 1 (all-open)');
    for (const f of UNTRACKED_FLOWS) assert.equal((await openFlow(h.endpoint, f)).kind, 'untracked', f.id as string);
    const s1 = await agree(h, 'step 1, new flows');
    const tracked = s1.report.enis[0]!.classes.find(
      (x) => x.side === 'internet' && x.direction === 'inbound' && x.kind === 'tracked',
    )!;
    assert.equal(tracked.verdict, 'cut');
    assert.match(tracked.reason, /untracked/);
    await setGroups(h.ec2, ENI1, [SG_EMPTY]);
    await setGroups(h.ec2, ENI2, [SG_EMPTY]);
    const s2 = await agree(h, 'step 2 (empty)');
    const survivors = MATRIX_FLOWS.filter((f) => f.kind === 'icmp' || f.kind === 'other' || f.kind === 'auto-tracked')
      .map((f) => f.id)
      .sort();
    assert.deepEqual(s2.alive, survivors);
    const swapped = await agree(h, 'step 2, verify told the swap ran', { untrackStepApplied: true });
    for (const e of swapped.report.enis)
      for (const c of e.classes.filter((x) => x.kind === 'tracked' || x.kind === 'untracked'))
        assert.equal(c.verdict, 'cut', `${c.side}/${c.direction}/${c.kind}`);
  } finally {
    await h.close();
  }
});

test('without the untracking assumption (both sides switched off), the all-open step cuts nothing tracked', async () => {
  const h = await harness({ dataplane: { untrackingDropsEntries: false } });
  try {
    await setGroups(h.ec2, ENI1, [SG_OPEN]);
    await setGroups(h.ec2, ENI2, [SG_OPEN]);
    await agree(h, 'no-assumption step 1', { untrackingDropsEntries: false });
    await setGroups(h.ec2, ENI1, [SG_EMPTY]);
    await setGroups(h.ec2, ENI2, [SG_EMPTY]);
    const { alive } = await agree(h, 'no-assumption step 2', { untrackingDropsEntries: false });
    for (const id of ['i-in-tr', 'i-out-tr', 's-out-tr', 'o-in-tr', '6-out-tr'])
      assert.equal(alive.includes(id), true, id);
  } finally {
    await h.close();
  }
});

test('IPv6: an all-open step with IPv4 rules only leaves IPv6 flows tracked, and they survive the swap', async () => {
  const h = await harness();
  try {
    await setGroups(h.ec2, ENI1, [SG_OPEN_V4]);
    const s1 = await agree(h, 'v4-only step 1');
    assert.equal(s1.alive.includes('6-out-tr'), true);
    assert.equal(s1.alive.includes('6-in-un'), false, 'IPv6 443 is no longer allowed at all');
    const cls = s1.report.enis[0]!.classes.find(
      (x) => x.side === 'internet' && x.direction === 'outbound' && x.kind === 'tracked',
    )!;
    assert.deepEqual(
      cls.paths!.filter((p) => p.path === 'igw').map((p) => [p.family, p.verdict]),
      [
        [4, 'cut'],
        [6, 'may-survive'],
      ],
    );
    await setGroups(h.ec2, ENI1, [SG_EMPTY]);
    const s2 = await agree(h, 'v4-only step 2');
    assert.equal(s2.alive.includes('6-out-tr'), true);
    assert.equal(s2.alive.includes('i-out-tr'), false);
  } finally {
    await h.close();
  }
});

test('NACL deny: everything crossing the subnet boundary is cut at once, the same subnet is not; removing it revives tracked flows', async () => {
  const h = await harness();
  try {
    const web = await setNacl(h.ec2, WEB_A, ACL_ISOLATION);
    const mgmt = await setNacl(h.ec2, MGMT_A, ACL_ISOLATION);
    const { alive, report } = await agree(h, 'NACL deny');
    assert.deepEqual(
      alive,
      MATRIX_FLOWS.filter((f) => f.side === 'same-subnet')
        .map((f) => f.id)
        .sort(),
    );
    const c = report.enis[0]!.classes.find(
      (x) => x.side === 'internet' && x.direction === 'inbound' && x.kind === 'tracked',
    )!;
    assert.equal(c.layer, 'nacl');
    assert.equal(
      c.reason,
      'NACL denies it: acl-0c0ffee00000000f1 ingress rule * deny all 0.0.0.0/0; acl-0c0ffee00000000f1 ingress rule * deny all ::/0',
    );
    await setGroups(h.ec2, ENI1, [SG_EMPTY]);
    await setGroups(h.ec2, ENI2, [SG_EMPTY]);
    await agree(h, 'NACL deny + empty group');
    await setNacl(h.ec2, WEB_A, web);
    await setNacl(h.ec2, MGMT_A, mgmt);
    const back = await agree(h, 'NACL removed, empty group');
    assert.equal(back.alive.includes('i-in-tr'), true, 'the tracked SSH session revives on its conntrack entry');
    assert.equal(back.alive.includes('i-in-un'), false);
  } finally {
    await h.close();
  }
});

test('isolation route table: internet, NAT and TGW/peering/VPN flows are cut; the VPC, the subnet and NLB-delivered flows are not', async () => {
  const h = await harness();
  try {
    await setRouteTable(h.ec2, WEB_A, RTB_ISOLATION);
    await setRouteTable(h.ec2, MGMT_A, RTB_ISOLATION);
    const { alive, report } = await agree(h, 'isolation route table');
    for (const id of ['i-in-tr', 'i-out-tr', 'i-out-nat', 'o-in-auto', 'o-in-tr', 'o-out-tr'])
      assert.equal(alive.includes(id), false, id);
    for (const id of ['v-in-tr', 'v-out-tr', 's-out-tr', 'i-in-auto', 'i-in-ga'])
      assert.equal(alive.includes(id), true, id);
    const nat = report.enis[1]!.classes.find(
      (x) => x.side === 'internet' && x.direction === 'outbound' && x.kind === 'auto-tracked',
    )!;
    assert.equal(nat.paths!.find((p) => p.path === 'nat')!.verdict, 'cut');
    assert.match(
      nat.paths!.find((p) => p.path === 'nat')!.reason,
      /rtb-0c0ffee00000000f1 has no route to a NAT gateway/,
    );
  } finally {
    await h.close();
  }
});

test('NAT path: the all-open swap cannot cut a NAT-gateway flow; a NACL or the route can', async () => {
  const h = await harness();
  try {
    await setGroups(h.ec2, ENI2, [SG_OPEN]);
    await setGroups(h.ec2, ENI2, [SG_EMPTY]);
    const a = await agree(h, 'NAT after the swap');
    assert.equal(a.alive.includes('i-out-nat'), true);
    const before = await setRouteTable(h.ec2, MGMT_A, RTB_ISOLATION);
    assert.equal((await agree(h, 'NAT route removed')).alive.includes('i-out-nat'), false);
    await setRouteTable(h.ec2, MGMT_A, before);
    assert.equal((await agree(h, 'NAT route back')).alive.includes('i-out-nat'), true);
    await setNacl(h.ec2, MGMT_A, ACL_ISOLATION);
    assert.equal((await agree(h, 'NAT subnet NACL deny')).alive.includes('i-out-nat'), false);
  } finally {
    await h.close();
  }
});

test('same-subnet attacker after full containment (swap + NACL + routes): only always-tracked same-subnet flows remain, and verify names exactly them', async () => {
  const h = await harness();
  try {
    for (const eni of [ENI1, ENI2]) await setGroups(h.ec2, eni, [SG_OPEN]);
    for (const eni of [ENI1, ENI2]) await setGroups(h.ec2, eni, [SG_EMPTY]);
    for (const s of [WEB_A, MGMT_A]) await setNacl(h.ec2, s, ACL_ISOLATION);
    for (const s of [WEB_A, MGMT_A]) await setRouteTable(h.ec2, s, RTB_ISOLATION);
    const { alive, report } = await agree(h, 'full containment', { untrackStepApplied: true });
    assert.deepEqual(alive, ['s-in-auto', 's-in-gre', 's-in-icmp', 's-out-auto', 's-out-esp', 's-out-icmp']);
    const live = report.enis.flatMap((e) =>
      e.classes
        .filter((c) => c.verdict !== 'cut')
        .map((c) => `${e.networkInterfaceId}:${c.side}/${c.direction}/${c.kind}:${c.verdict}`),
    );
    assert.deepEqual(live.sort(), [
      `${ENI1}:same-subnet/inbound/auto-tracked:may-survive`,
      `${ENI1}:same-subnet/inbound/icmp:may-survive`,
      `${ENI1}:same-subnet/inbound/other:may-survive`,
      `${ENI1}:same-subnet/outbound/auto-tracked:may-survive`,
      `${ENI1}:same-subnet/outbound/icmp:may-survive`,
      `${ENI1}:same-subnet/outbound/other:may-survive`,
      `${ENI2}:same-subnet/inbound/auto-tracked:may-survive`,
      `${ENI2}:same-subnet/inbound/icmp:may-survive`,
      `${ENI2}:same-subnet/inbound/other:may-survive`,
      `${ENI2}:same-subnet/outbound/auto-tracked:may-survive`,
      `${ENI2}:same-subnet/outbound/icmp:may-survive`,
      `${ENI2}:same-subnet/outbound/other:may-survive`,
    ]);
    assert.equal(report.summary.contained, true);
    assert.equal(report.summary.residual, 12);
    assert.equal(
      report.bottomLine,
      'Contained as far as the network allows: nothing new gets in or out. Left: existing ICMP, other IP protocols (GRE, ESP…) and auto-tracked (NAT/NLB/TGW…) connections inside the subnet (12 classes) — no network layer cuts them; they end when idle or when the instance stops.',
    );
  } finally {
    await h.close();
  }
});

test("idle expiry: past the ENI's TcpEstablishedTimeout the idle tracked flows die, as verify's timeout says", async () => {
  const h = await harness();
  try {
    h.sim.world.clock.freeze(true);
    const ct = await control(h.endpoint, 'GET', '/_sim/flows?id=i-in-tr');
    assert.equal(ct.body.conntrack.timeoutSeconds, 432000);
    const { ModifyNetworkInterfaceAttributeCommand } = await import('@aws-sdk/client-ec2');
    await h.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: ENI1,
        ConnectionTrackingSpecification: { TcpEstablishedTimeout: 60 },
      }),
    );
    await setGroups(h.ec2, ENI1, [SG_EMPTY]);
    const a = await agree(h, 'empty group, 60 s timeout');
    const cls = a.report.enis[0]!.classes.find(
      (x) => x.side === 'internet' && x.direction === 'inbound' && x.kind === 'tracked',
    )!;
    assert.equal(cls.idleTimeoutSeconds, 60);
    await advance(h.endpoint, 61);
    const b = await agree(h, 'after 61 s idle');
    assert.equal(b.alive.includes('i-in-tr'), false, 'idle tracked SSH expired');
    assert.equal(b.alive.includes('i-out-tr'), true, 'the active reverse shell never idles');
  } finally {
    await h.close();
  }
});

test('coverage: every class of the verdict table (side × direction × kind) met flows, and every verdict was exercised', () => {
  coverage();
});
