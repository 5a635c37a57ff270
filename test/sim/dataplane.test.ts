// The simulated data plane through its control API, with changes made by the real SDK.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthorizeSecurityGroupEgressCommand,
  CreateNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  DeleteNetworkAclEntryCommand,
  ModifyNetworkInterfaceAttributeCommand,
} from '@aws-sdk/client-ec2';
import { startHarness, awsError } from '../helpers/sim.js';
import { control } from '../helpers/control.js';
import {
  ACL_ISOLATION,
  ENI1,
  ENI2,
  RTB_ISOLATION,
  SG_ADMIN,
  SG_EMPTY,
  SG_OPEN,
  SG_WEB,
  WEB_A,
  MGMT_A,
  advance,
  containmentScenario,
  flows,
  openFlow,
  setGroups,
  setNacl,
  setRouteTable,
} from './dataplane-fixture.js';

test('the demo scenario opens its attacker flows, each alive for the reason its rules give', async () => {
  const h = await startHarness('demo');
  try {
    const f = await flows(h.endpoint);
    assert.deepEqual(Object.keys(f).sort(), [
      'attacker-ssh',
      'customer-https',
      'icmp-tunnel',
      'nat-exfil',
      'pivot-bastion',
      'reverse-shell',
    ]);
    for (const x of Object.values(f)) assert.equal(x.alive, true, `${x.id}: ${x.reason}`);
    assert.deepEqual(Object.fromEntries(Object.values(f).map((x) => [x.id, `${x.side}/${x.initiator}/${x.kind}`])), {
      'attacker-ssh': 'internet/inbound/tracked',
      'reverse-shell': 'internet/outbound/tracked',
      'icmp-tunnel': 'internet/outbound/icmp',
      'pivot-bastion': 'same-subnet/outbound/tracked',
      'nat-exfil': 'internet/outbound/auto-tracked',
      'customer-https': 'internet/inbound/untracked',
    });
    assert.equal(f['attacker-ssh']!.conntrack.entry, true);
    assert.equal(f['attacker-ssh']!.conntrack.timeoutSeconds, 432000);
    assert.match(f['attacker-ssh']!.reason, /tcp 22 from 203\.0\.113\.0\/24/);
    assert.equal(f['customer-https']!.conntrack.entry, false);
    assert.match(
      f['customer-https']!.reason,
      /^untracked: .*ingress tcp 443 from 0\.0\.0\.0\/0.*egress all to 0\.0\.0\.0\/0/,
    );
    assert.equal(f['icmp-tunnel']!.conntrack.timeoutSeconds, 600);
    const one = await control(h.endpoint, 'GET', '/_sim/flows?id=nat-exfil');
    assert.equal(one.status, 200);
    assert.equal(one.body.eni, ENI2);
    assert.equal(one.body.path, 'nat');
    const missing = await control(h.endpoint, 'GET', '/_sim/flows?id=nope');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /no flow "nope"; known: .*attacker-ssh/);
    const eni2 = await control(h.endpoint, 'GET', `/_sim/flows?eni=${ENI2}`);
    assert.deepEqual(
      eni2.body.flows.map((x: { id: string }) => x.id),
      ['nat-exfil'],
    );
  } finally {
    await h.close();
  }
});

test('flow specs are validated: each error names the field, and a bad batch opens nothing', async () => {
  const h = await startHarness(containmentScenario({ flows: [] }));
  try {
    const bad = async (spec: Record<string, unknown>, re: RegExp): Promise<void> => {
      const r = await control(h.endpoint, 'POST', '/_sim/flows', spec);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.match(r.body.error, re);
    };
    const ok = {
      eni: ENI1,
      protocol: 'tcp',
      localPort: 22,
      remoteAddress: '203.0.113.9',
      initiator: 'inbound',
      path: 'igw',
    };
    await bad({ ...ok, eni: 'eni-0000000000000dead' }, /^eni: unknown network interface eni-0000000000000dead/);
    await bad({ ...ok, eni: undefined }, /eni: give exactly one of eni or instance/);
    await bad(
      { ...ok, protocol: 'icmp', remoteAddress: '2001:db8::9' },
      /^protocol: ICMP to an IPv6 address is icmpv6/,
    );
    await bad({ ...ok, localPort: undefined }, /^localPort: an inbound TCP\/UDP flow needs the port/);
    await bad(
      { ...ok, path: 'same-subnet' },
      /^remoteAddress: 203\.0\.113\.9 is not in the ENI's subnet \(10\.0\.1\.0\/24/,
    );
    await bad({ ...ok, remoteAddress: '172.16.4.4' }, /^remoteAddress: 172\.16\.4\.4 is not a public address/);
    await bad({ ...ok, path: 'nat' }, /^initiator: a NAT gateway flow is only ever outbound/);
    await bad({ ...ok, remoteAddress: '10.0.1.10' }, /^remoteAddress: is the ENI's own address/);
    await bad({ ...ok, remoteAddress: 'not-an-ip' }, /^remoteAddress: must be an IPv4 or IPv6 address/);
    await bad({ ...ok, path: 'carrier-pigeon' }, /^path: /);
    await bad({ ...ok, colour: 'red' }, /colour/);
    await bad(
      {
        instance: 'web-1',
        deviceIndex: 3,
        protocol: 'udp',
        remotePort: 53,
        remoteAddress: '198.51.100.53',
        initiator: 'outbound',
        path: 'igw',
      },
      /^deviceIndex: i-0c0ffee0000000001 has no network interface at device index 3/,
    );
    const batch = await control(h.endpoint, 'POST', '/_sim/flows', {
      flows: [
        { ...ok, id: 'good' },
        { ...ok, id: 'bad', protocol: 'sctp' },
      ],
    });
    assert.equal(batch.status, 400);
    assert.match(batch.body.error, /^flows\[1\]\.protocol: /);
    assert.deepEqual(Object.keys(await flows(h.endpoint)), []);
    await openFlow(h.endpoint, { ...ok, id: 'good' });
    await bad({ ...ok, id: 'good' }, /^id: a flow "good" already exists/);
    const byName = await openFlow(h.endpoint, {
      instance: 'web-1',
      deviceIndex: 1,
      protocol: 'tcp',
      remotePort: 443,
      remoteAddress: '52.0.0.10',
      initiator: 'outbound',
      path: 'nat',
    });
    assert.equal(byName.eni, ENI2);
    assert.equal(byName.localAddress, '10.0.10.10');
    assert.match(byName.id, /^flow-\d+$/);
  } finally {
    await h.close();
  }
});

test('a flow the rules do not admit is recorded dead with the layer that refused it, and stays dead', async () => {
  const h = await startHarness(containmentScenario({ flows: [] }));
  try {
    const f = await openFlow(h.endpoint, {
      id: 'ssh-from-elsewhere',
      eni: ENI1,
      protocol: 'tcp',
      localPort: 22,
      remoteAddress: '198.51.100.9',
      initiator: 'inbound',
      path: 'igw',
    });
    assert.equal(f.admitted, false);
    assert.equal(f.alive, false);
    assert.equal(f.cutBy, 'security-group');
    assert.match(
      f.rule!,
      /no ingress rule of sg-0a1b2c3d4e5f60001 \(web\), sg-0a1b2c3d4e5f60002 \(admin-ssh\) allows tcp 22 from 198\.51\.100\.9/,
    );
    await setGroups(h.ec2, ENI1, [SG_OPEN]);
    const later = (await flows(h.endpoint))['ssh-from-elsewhere']!;
    assert.equal(later.alive, false, 'a connection never established does not appear when the rules open');
    const mgmt = await openFlow(h.endpoint, {
      id: 'mgmt-igw',
      eni: ENI2,
      protocol: 'tcp',
      remotePort: 443,
      remoteAddress: '52.0.0.10',
      initiator: 'outbound',
      path: 'igw',
    });
    assert.equal(mgmt.cutBy, 'route');
    assert.match(
      mgmt.rule!,
      /^rtb-0a1b2c3d4e5f60003 sends 52\.0\.0\.10 to nat-0a1b2c3d4e5f60001 \(0\.0\.0\.0\/0\), not to an internet gateway$/,
    );
  } finally {
    await h.close();
  }
});

test('swapping straight to the empty group cuts untracked flows only; tracked, ICMP and auto-tracked flows live on', async () => {
  const h = await startHarness('demo');
  try {
    await control(h.endpoint, 'POST', '/_sim/reset', { scenario: containmentScenario() });
    await setGroups(h.ec2, ENI1, [SG_EMPTY]);
    await setGroups(h.ec2, ENI2, [SG_EMPTY]);
    const f = await flows(h.endpoint);
    assert.equal(f['customer-https']!.alive, false);
    assert.equal(f['customer-https']!.cutBy, 'security-group');
    assert.equal(f['customer-https']!.kind, 'untracked');
    assert.deepEqual(
      f['customer-https']!.events.map((e) => [e.cause, e.alive]),
      [
        ['_sim/flows/open', true],
        ['ModifyNetworkInterfaceAttribute', false],
      ],
    );
    for (const id of ['attacker-ssh', 'reverse-shell', 'icmp-tunnel', 'pivot-bastion', 'nat-exfil']) {
      assert.equal(f[id]!.alive, true, `${id}: ${f[id]!.reason}`);
      assert.equal(f[id]!.keptBy, 'conntrack');
      assert.match(f[id]!.reason, /^tracked: conntrack entry kept until idle/);
    }
  } finally {
    await h.close();
  }
});

test('the all-open step makes tracked TCP/UDP flows untracked, so the empty group then cuts them; ICMP and NAT flows survive', async () => {
  const h = await startHarness(containmentScenario());
  try {
    await setGroups(h.ec2, ENI1, [SG_OPEN]);
    await setGroups(h.ec2, ENI2, [SG_OPEN]);
    let f = await flows(h.endpoint);
    assert.equal(f['attacker-ssh']!.kind, 'untracked');
    assert.equal(f['attacker-ssh']!.conntrack.entry, false);
    assert.equal(f['attacker-ssh']!.alive, true);
    assert.equal(f['attacker-ssh']!.conntrack.dropped, 'untracked');
    assert.equal(f['nat-exfil']!.kind, 'auto-tracked');
    assert.equal(f['icmp-tunnel']!.kind, 'icmp');
    await setGroups(h.ec2, ENI1, [SG_EMPTY]);
    await setGroups(h.ec2, ENI2, [SG_EMPTY]);
    f = await flows(h.endpoint);
    for (const id of ['attacker-ssh', 'reverse-shell', 'pivot-bastion', 'customer-https']) {
      assert.equal(f[id]!.alive, false, id);
      assert.equal(f[id]!.cutBy, 'security-group');
    }
    assert.equal(f['icmp-tunnel']!.alive, true);
    assert.equal(f['nat-exfil']!.alive, true);
  } finally {
    await h.close();
  }
});

test('without the untracking assumption (switch off), the all-open step drops nothing and tracked flows survive the swap', async () => {
  for (const how of ['scenario', 'control'] as const) {
    const h = await startHarness(
      containmentScenario(how === 'scenario' ? { dataplane: { untrackingDropsEntries: false } } : {}),
    );
    try {
      if (how === 'control') {
        const bad = await control(h.endpoint, 'PUT', '/_sim/dataplane', { untrackingDropsEntries: 'no' });
        assert.equal(bad.status, 400);
        assert.match(bad.body.error, /untrackingDropsEntries/);
        const r = await control(h.endpoint, 'PUT', '/_sim/dataplane', { untrackingDropsEntries: false });
        assert.deepEqual(r.body, { options: { untrackingDropsEntries: false } });
      }
      const got = await control(h.endpoint, 'GET', '/_sim/dataplane');
      assert.equal(got.body.options.untrackingDropsEntries, false);
      assert.equal(
        got.body.cases.some(
          (c: { id: string; cite: string }) => c.id === 'change.untracking' && c.cite.includes('§1.7'),
        ),
        true,
      );
      await setGroups(h.ec2, ENI1, [SG_OPEN]);
      await setGroups(h.ec2, ENI1, [SG_EMPTY]);
      const f = await flows(h.endpoint);
      assert.equal(f['attacker-ssh']!.alive, true, how);
      assert.equal(f['attacker-ssh']!.kind, 'tracked');
      assert.equal(f['customer-https']!.alive, false, 'an untracked flow still dies');
    } finally {
      await h.close();
    }
  }
});

test("a tracked flow dies once idle past the ENI's timeout; traffic resets the timer, active flows never idle", async () => {
  const h = await startHarness(containmentScenario({ flows: [] }));
  try {
    h.sim.world.clock.freeze(true);
    await h.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: ENI1,
        ConnectionTrackingSpecification: { TcpEstablishedTimeout: 60 },
      }),
    );
    const spec = {
      eni: ENI1,
      protocol: 'tcp',
      localPort: 22,
      remoteAddress: '203.0.113.50',
      initiator: 'inbound',
      path: 'igw',
    };
    await openFlow(h.endpoint, { ...spec, id: 'idle' });
    await openFlow(h.endpoint, { ...spec, id: 'chatty', remotePort: 50001 });
    await openFlow(h.endpoint, { ...spec, id: 'keepalive', remotePort: 50002, active: true });
    await setGroups(h.ec2, ENI1, [SG_EMPTY]);
    let f = await flows(h.endpoint);
    assert.equal(f.idle!.conntrack.timeoutSeconds, 60);
    assert.equal(f.idle!.conntrack.expiresAt, new Date(Date.parse(f.idle!.lastActivity) + 60_000).toISOString());
    await advance(h.endpoint, 50);
    const t = await control(h.endpoint, 'POST', '/_sim/flows/traffic', { id: 'chatty' });
    assert.equal(t.status, 200);
    assert.equal(t.body.flows[0].conntrack.idleSeconds, 0);
    await advance(h.endpoint, 20);
    f = await flows(h.endpoint);
    assert.equal(f.idle!.alive, false);
    assert.equal(f.idle!.cutBy, 'security-group');
    assert.match(f.idle!.rule!, /conntrack entry is gone \(expired\)/);
    assert.equal(f.chatty!.alive, true);
    assert.equal(f.keepalive!.alive, true);
    await advance(h.endpoint, 50);
    f = await flows(h.endpoint);
    assert.equal(f.chatty!.alive, false);
    assert.equal(f.keepalive!.alive, true);
    assert.equal(f.keepalive!.conntrack.expiresAt, undefined);
    const unknown = await control(h.endpoint, 'POST', '/_sim/flows/traffic', { ids: ['idle', 'nope'] });
    assert.equal(unknown.status, 404);
  } finally {
    await h.close();
  }
});

test('a NACL deny blocks flows crossing the subnet boundary at once; the entry survives and the flow revives when the NACL goes', async () => {
  const h = await startHarness(containmentScenario());
  try {
    const original = await setNacl(h.ec2, WEB_A, ACL_ISOLATION);
    await setNacl(h.ec2, MGMT_A, ACL_ISOLATION);
    let f = await flows(h.endpoint);
    for (const id of ['attacker-ssh', 'reverse-shell', 'icmp-tunnel', 'nat-exfil', 'customer-https']) {
      assert.equal(f[id]!.alive, false, id);
      assert.equal(f[id]!.cutBy, 'nacl');
      assert.match(f[id]!.rule!, /^acl-0c0ffee00000000f1 (ingress|egress) rule \* \(32767\) deny all/);
    }
    assert.equal(f['attacker-ssh']!.conntrack.entry, true, 'the conntrack entry is kept while the NACL blocks');
    assert.equal(f['pivot-bastion']!.alive, true, 'inside the subnet no NACL applies');
    assert.equal(f['pivot-bastion']!.cases.includes('nacl.same-subnet'), true);
    // The SGs are swapped to the empty group while the NACL holds: tracked flows keep their entries …
    await setGroups(h.ec2, ENI1, [SG_EMPTY]);
    await setNacl(h.ec2, WEB_A, original);
    f = await flows(h.endpoint);
    assert.equal(f['attacker-ssh']!.alive, true, 'revives on its conntrack entry when the NACL is removed');
    assert.equal(f['customer-https']!.alive, false, 'untracked: nothing to revive it, the rules now deny it');
  } finally {
    await h.close();
  }
});

test('a conntrack entry does not refresh while a NACL blocks the flow: past its timeout it cannot revive', async () => {
  const h = await startHarness(containmentScenario({ flows: [] }));
  try {
    h.sim.world.clock.freeze(true);
    await h.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: ENI1,
        ConnectionTrackingSpecification: { TcpEstablishedTimeout: 120 },
      }),
    );
    const spec = {
      eni: ENI1,
      protocol: 'tcp',
      localPort: 22,
      remoteAddress: '203.0.113.50',
      initiator: 'inbound',
      path: 'igw',
      active: true,
    };
    await openFlow(h.endpoint, { ...spec, id: 'short-block' });
    await openFlow(h.endpoint, { ...spec, id: 'long-block', remotePort: 50100 });
    await setGroups(h.ec2, ENI1, [SG_EMPTY]);
    const original = await setNacl(h.ec2, WEB_A, ACL_ISOLATION);
    await advance(h.endpoint, 60);
    await setNacl(h.ec2, WEB_A, original);
    let f = await flows(h.endpoint);
    assert.equal(f['short-block']!.alive, true, 'blocked 60 s < 120 s: revives');
    assert.equal(f['long-block']!.alive, true);
    await setNacl(h.ec2, WEB_A, ACL_ISOLATION);
    await advance(h.endpoint, 121);
    f = await flows(h.endpoint);
    assert.equal(
      f['long-block']!.conntrack.entry,
      false,
      'active, but nothing got through for 121 s: the entry expired',
    );
    await setNacl(h.ec2, WEB_A, original);
    f = await flows(h.endpoint);
    assert.equal(f['long-block']!.alive, false);
    assert.equal(f['long-block']!.cutBy, 'security-group');
    assert.equal(f['long-block']!.conntrack.dropped, 'expired');
  } finally {
    await h.close();
  }
});

test("a deny entry inserted at the top of the subnet's own NACL (CreateNetworkAclEntry) cuts at once; deleting it revives", async () => {
  const h = await startHarness(containmentScenario());
  try {
    const acls = await h.ec2.send(
      new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [WEB_A] }] }),
    );
    const acl = acls.NetworkAcls![0]!.NetworkAclId!;
    await h.ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: acl,
        RuleNumber: 1,
        Egress: false,
        Protocol: '-1',
        RuleAction: 'deny',
        CidrBlock: '0.0.0.0/0',
      }),
    );
    let f = await flows(h.endpoint);
    assert.equal(f['attacker-ssh']!.alive, false);
    assert.equal(f['attacker-ssh']!.rule, `${acl} ingress rule 1 deny all 0.0.0.0/0`);
    assert.equal(f['reverse-shell']!.alive, false, 'the reply direction is denied too');
    assert.match(f['reverse-shell']!.rule!, /ingress rule 1 deny all 0\.0\.0\.0\/0 \(the reply direction\)$/);
    assert.equal(f['pivot-bastion']!.alive, true);
    assert.equal(
      f['nat-exfil']!.alive,
      false,
      "mgmt-a shares the VPC's default NACL: the blast radius of a NACL is every subnet it is associated with",
    );
    await h.ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: acl, RuleNumber: 1, Egress: false }));
    f = await flows(h.endpoint);
    assert.equal(f['attacker-ssh']!.alive, true);
    assert.equal(f['reverse-shell']!.alive, true);
    assert.equal(f['nat-exfil']!.alive, true);
  } finally {
    await h.close();
  }
});

test('the isolation route table cuts internet and transit-gateway flows, not the VPC or the subnet', async () => {
  const h = await startHarness(containmentScenario());
  try {
    await openFlow(h.endpoint, {
      id: 'to-db',
      eni: ENI2,
      protocol: 'tcp',
      localPort: 5432,
      remoteAddress: '172.16.8.8',
      initiator: 'inbound',
      path: 'tgw',
    });
    await openFlow(h.endpoint, {
      id: 'web-b',
      eni: ENI1,
      protocol: 'tcp',
      remotePort: 8080,
      remoteAddress: '10.0.2.10',
      initiator: 'outbound',
      path: 'same-vpc',
    });
    const before = await setRouteTable(h.ec2, WEB_A, RTB_ISOLATION);
    await setRouteTable(h.ec2, MGMT_A, RTB_ISOLATION);
    const f = await flows(h.endpoint);
    for (const id of ['attacker-ssh', 'reverse-shell', 'icmp-tunnel', 'nat-exfil', 'to-db']) {
      assert.equal(f[id]!.alive, false, id);
      assert.equal(f[id]!.cutBy, 'route');
      assert.match(f[id]!.rule!, /^rtb-0c0ffee00000000f1 has no route for /);
    }
    assert.equal(f['web-b']!.alive, true);
    assert.equal(f['pivot-bastion']!.alive, true);
    await setRouteTable(h.ec2, WEB_A, before);
    assert.equal((await flows(h.endpoint))['attacker-ssh']!.alive, true);
  } finally {
    await h.close();
  }
});

test('group-referencing rules match the addresses of ENIs carrying the group', async () => {
  const h = await startHarness(containmentScenario({ flows: [] }));
  try {
    // mgmt allows tcp from 10.0.0.0/16; make a group that admits SSH only from members of admin-ssh.
    const world = h.sim.world.region('111122223333', 'us-east-1');
    world.ec2.securityGroups.get(SG_EMPTY)!.rules.push({
      securityGroupRuleId: 'sgr-0c0ffee000000aaa1',
      isEgress: false,
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      referencedGroupId: SG_ADMIN,
      tags: {},
    });
    await setGroups(h.ec2, ENI2, [SG_EMPTY]);
    const fromBastion = await openFlow(h.endpoint, {
      eni: ENI2,
      protocol: 'tcp',
      localPort: 22,
      remoteAddress: '10.0.1.20',
      initiator: 'inbound',
      path: 'same-vpc',
    });
    const fromWeb2 = await openFlow(h.endpoint, {
      eni: ENI2,
      protocol: 'tcp',
      localPort: 22,
      remoteAddress: '10.0.2.99',
      initiator: 'inbound',
      path: 'same-vpc',
    });
    assert.equal(fromBastion.alive, true, fromBastion.reason);
    assert.match(fromBastion.reason, /from group sg-0a1b2c3d4e5f60002/);
    assert.equal(fromWeb2.alive, false);
  } finally {
    await h.close();
  }
});

test('IPv6 flows need ::/0 rules both ways to be untracked, and stopping the instance ends every flow', async () => {
  const h = await startHarness(containmentScenario({ flows: [] }));
  try {
    const v4 = await openFlow(h.endpoint, {
      id: 'v4-https',
      eni: ENI1,
      protocol: 'tcp',
      localPort: 443,
      remoteAddress: '198.51.100.77',
      initiator: 'inbound',
      path: 'igw',
    });
    assert.equal(v4.kind, 'untracked');
    // web's egress is AWS's default, all traffic to 0.0.0.0/0 only: IPv6 replies ride on conntrack.
    const v6 = await openFlow(h.endpoint, {
      id: 'v6-https',
      eni: ENI1,
      protocol: 'tcp',
      localPort: 443,
      remoteAddress: '2001:db8::77',
      initiator: 'inbound',
      path: 'igw',
    });
    assert.equal(v6.kind, 'tracked');
    const out6 = await openFlow(h.endpoint, {
      id: 'v6-out',
      eni: ENI1,
      protocol: 'udp',
      remotePort: 53,
      remoteAddress: '2001:db8::53',
      initiator: 'outbound',
      path: 'igw',
    });
    assert.equal(out6.admitted, false, 'no IPv6 egress rule');
    await h.ec2.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: SG_WEB,
        IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
      }),
    );
    const v6b = await openFlow(h.endpoint, {
      id: 'v6-https-2',
      eni: ENI1,
      protocol: 'tcp',
      localPort: 443,
      remoteAddress: '2001:db8::78',
      initiator: 'inbound',
      path: 'igw',
    });
    assert.equal(v6b.kind, 'untracked');
    const f0 = await flows(h.endpoint);
    assert.equal(f0['v6-https']!.kind, 'untracked', 'the tracked IPv6 flow became untracked with the new egress rule');
    assert.equal(f0['v6-https']!.conntrack.dropped, 'untracked');
    const eigw = await control(h.endpoint, 'POST', '/_sim/flows', {
      eni: ENI1,
      protocol: 'tcp',
      remotePort: 443,
      remoteAddress: '203.0.113.8',
      initiator: 'outbound',
      path: 'eigw',
    });
    assert.equal(eigw.status, 400);
    assert.match(eigw.body.error, /^path: an egress-only internet gateway \(IPv6\) carries IPv6 only/);
    h.sim.world.region('111122223333', 'us-east-1').ec2.instances.get('i-0c0ffee0000000001')!.state = 'stopped';
    await advance(h.endpoint, 1);
    const f = await flows(h.endpoint);
    assert.equal(f['v6-https']!.alive, false);
    assert.equal(f['v6-https']!.cutBy, 'instance');
    assert.match(f['v6-https']!.reason, /the instance is stopped/);
  } finally {
    await h.close();
  }
});

test('DELETE /_sim/flows forgets one flow or all; a bad scenario flow is a scenario error naming its path', async () => {
  const h = await startHarness('demo');
  try {
    const one = await control(h.endpoint, 'DELETE', '/_sim/flows?id=icmp-tunnel');
    assert.deepEqual(one.body, { ok: true, removed: 1 });
    assert.equal(Object.keys(await flows(h.endpoint)).length, 5);
    const all = await control(h.endpoint, 'DELETE', '/_sim/flows');
    assert.deepEqual(all.body, { ok: true, removed: 5 });
    const bad = await control(h.endpoint, 'POST', '/_sim/reset', {
      scenario: containmentScenario({
        flows: [
          {
            eni: ENI1,
            protocol: 'tcp',
            localPort: 22,
            remoteAddress: '198.51.100.1',
            initiator: 'inbound',
            path: 'igw',
          },
        ],
      }),
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /accounts\[0\]\.regions\[0\]\.flows\[0\]: the flow is not admitted at the start/);
    const bad2 = await control(h.endpoint, 'POST', '/_sim/reset', {
      scenario: containmentScenario({
        flows: [{ eni: ENI1, protocol: 'tcp', remoteAddress: '198.51.100.1', initiator: 'sideways', path: 'igw' }],
      }),
    });
    assert.equal(bad2.status, 400);
    assert.match(bad2.body.error, /accounts\[0\]\.regions\[0\]\.flows\[0\]\.initiator/);
    assert.equal(Object.keys(await flows(h.endpoint)).length, 0, 'a failed reset leaves the current world');
    const e = await awsError(() =>
      h.ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: ENI1, Groups: ['sg-0000000000000dead'] }),
      ),
    );
    assert.equal(e.name, 'InvalidGroup.NotFound');
  } finally {
    await h.close();
  }
});
