// verify() on hand-made NetworkFacts: the pure reasoning, layer by layer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verify, type ClassVerdict, type VerifyReport } from '../../src/core/verify/verify.js';
import type { NaclEntryFacts, NetworkFacts, RouteFacts, RuleFacts, SecurityGroupFacts } from '../../src/core/facts.js';
import type { Direction, FlowKind, Side } from '../../src/core/verify/paths.js';

const ALL_OUT: RuleFacts = { protocol: '-1', cidr: '0.0.0.0/0' };
const ALLOW_ALL_NACL: NaclEntryFacts[] = [
  { ruleNumber: 100, egress: false, protocol: '-1', action: 'allow', cidr: '0.0.0.0/0' },
  { ruleNumber: 100, egress: true, protocol: '-1', action: 'allow', cidr: '0.0.0.0/0' },
  { ruleNumber: 32767, egress: false, protocol: '-1', action: 'deny', cidr: '0.0.0.0/0' },
  { ruleNumber: 32767, egress: true, protocol: '-1', action: 'deny', cidr: '0.0.0.0/0' },
];
const PUBLIC_ROUTES: RouteFacts[] = [
  { destination: '10.9.0.0/16', target: 'local', targetKind: 'local', state: 'active' },
  { destination: '0.0.0.0/0', target: 'igw-0123456789abcdef0', targetKind: 'igw', state: 'active' },
];

function group(id: string, ingress: RuleFacts[], egress: RuleFacts[] = [ALL_OUT]): SecurityGroupFacts {
  return { groupId: id, groupName: id, description: '', vpcId: 'vpc-1', tags: {}, ingress, egress };
}

interface Shape {
  groups?: SecurityGroupFacts[];
  groupIds?: string[];
  nacl?: NaclEntryFacts[] | null;
  routes?: RouteFacts[] | null;
  publicIps?: string[];
  ipv6?: string[];
  tcpTimeout?: number;
}

function facts(o: Shape = {}): NetworkFacts {
  const groups = o.groups ?? [
    group('sg-0000000000000000a', [
      { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' },
      { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' },
    ]),
  ];
  return {
    instance: {
      instanceId: 'i-0123456789abcdef0',
      region: 'eu-west-1',
      state: 'running',
      instanceType: 'm6i.large',
      tags: {},
      volumes: [],
      enis: [
        {
          networkInterfaceId: 'eni-0123456789abcdef0',
          deviceIndex: 0,
          subnetId: 'subnet-1',
          vpcId: 'vpc-1',
          interfaceType: 'interface',
          description: '',
          groupIds: o.groupIds ?? groups.map((g) => g.groupId),
          privateIps: ['10.9.1.10'],
          ipv6Addresses: o.ipv6 ?? [],
          publicIps: o.publicIps ?? ['54.0.0.1'],
          connectionTracking: { tcpEstablishedTimeout: o.tcpTimeout },
          tags: {},
        },
      ],
    },
    vpc: { vpcId: 'vpc-1', cidr: '10.9.0.0/16', ipv6Cidr: o.ipv6?.length ? '2600:1f18:9::/56' : undefined },
    groups: Object.fromEntries(groups.map((g) => [g.groupId, g])),
    subnets: {
      'subnet-1': {
        subnetId: 'subnet-1',
        vpcId: 'vpc-1',
        cidr: '10.9.1.0/24',
        ipv6Cidr: o.ipv6?.length ? '2600:1f18:9:1::/64' : undefined,
        availabilityZone: 'eu-west-1a',
        nacl:
          o.nacl === null
            ? undefined
            : { networkAclId: 'acl-1', isDefault: true, entries: o.nacl ?? ALLOW_ALL_NACL, tags: {} },
        routeTable:
          o.routes === null
            ? undefined
            : { routeTableId: 'rtb-1', implicitMain: false, routes: o.routes ?? PUBLIC_ROUTES, tags: {} },
      },
    },
  };
}

function cls(r: VerifyReport, side: Side, direction: Direction, kind: FlowKind): ClassVerdict {
  return r.enis[0]!.classes.find((c) => c.side === side && c.direction === direction && c.kind === kind)!;
}

const v = (r: VerifyReport, side: Side, direction: Direction, kind: FlowKind): string =>
  cls(r, side, direction, kind).verdict;

test('40 classes per ENI; rules decide tracked vs untracked exactly as §1.2 says', () => {
  const r = verify(facts());
  assert.equal(r.enis[0]!.classes.length, 40);
  const https = cls(r, 'internet', 'inbound', 'untracked');
  assert.equal(https.verdict, 'open');
  assert.equal(
    https.reason,
    'untracked: sg-0000000000000000a ingress tcp 443 from 0.0.0.0/0 and sg-0000000000000000a egress all to 0.0.0.0/0',
  );
  assert.deepEqual(https.example, {
    protocol: 'tcp',
    remote: '198.51.100.1',
    port: 443,
    localPort: 443,
    remotePort: 49152,
    path: 'igw',
  });
  const ssh = cls(r, 'internet', 'inbound', 'tracked');
  assert.equal(ssh.verdict, 'open');
  assert.match(ssh.reason, /^admitted by sg-0000000000000000a ingress tcp 22 from 203\.0\.113\.0\/24$/);
  assert.equal(ssh.idleTimeoutSeconds, 432000);
  const out = cls(r, 'internet', 'outbound', 'untracked');
  assert.equal(out.verdict, 'cut');
  assert.match(out.reason, /narrower than all traffic both ways: it is tracked/);
  assert.equal(v(r, 'internet', 'outbound', 'tracked'), 'open');
  assert.equal(v(r, 'other-networks', 'inbound', 'tracked'), 'cut');
  assert.equal(
    cls(r, 'other-networks', 'inbound', 'tracked').reason,
    'rtb-1 has no route to a VPC peering connection or a virtual private gateway (VPN, Direct Connect)',
  );
  assert.equal(r.summary.contained, false);
  assert.deepEqual(r.options, { untrackingDropsEntries: true, untrackStepApplied: false });
});

test('the empty group: new connections nowhere, existing tracked ones may survive; untracked are cut', () => {
  const r = verify(facts({ groups: [group('sg-0000000000000000e', [], [])] }));
  for (const side of ['internet', 'same-vpc', 'same-subnet'] as Side[]) {
    for (const d of ['inbound', 'outbound'] as Direction[]) {
      assert.equal(v(r, side, d, 'tracked'), 'may-survive', `${side} ${d}`);
      assert.equal(v(r, side, d, 'untracked'), 'cut', `${side} ${d}`);
      assert.equal(v(r, side, d, 'icmp'), 'may-survive', `${side} ${d}`);
    }
  }
  assert.equal(
    cls(r, 'same-subnet', 'inbound', 'tracked').remedy,
    'the all-open step then the empty group (§1.7) — no NACL or route applies inside the subnet',
  );
  assert.equal(
    cls(r, 'internet', 'inbound', 'icmp').remedy,
    'only a NACL deny on subnet-1 or removing the route (always tracked: the group swap cannot)',
  );
  assert.equal(cls(r, 'internet', 'inbound', 'icmp').idleTimeoutSeconds, 600);
  assert.equal(r.summary.open, 0);
  assert.equal(r.summary.contained, false);
});

test('the all-open group converts tracked TCP/UDP (cut, with the assumption), and without the assumption they may survive', () => {
  const open = group('sg-000000000000000f1', [{ protocol: '-1', cidr: '0.0.0.0/0' }], [ALL_OUT]);
  const r = verify(facts({ groups: [open] }));
  const t = cls(r, 'internet', 'inbound', 'tracked');
  assert.equal(t.verdict, 'cut');
  assert.match(t.reason, /the rules make all of it untracked .*conntrack entries are dropped \(assumption, §1\.7\)/);
  assert.equal(v(r, 'internet', 'inbound', 'untracked'), 'open');
  assert.equal(v(r, 'internet', 'inbound', 'icmp'), 'open');
  const without = verify(facts({ groups: [open] }), { untrackingDropsEntries: false });
  assert.equal(v(without, 'internet', 'inbound', 'tracked'), 'may-survive');
  const empty = facts({ groups: [group('sg-0000000000000000e', [], [])] });
  const after = verify(empty, { untrackStepApplied: true });
  assert.equal(v(after, 'internet', 'inbound', 'tracked'), 'cut');
  assert.match(cls(after, 'internet', 'inbound', 'tracked').reason, /the all-open step dropped the entries/);
  assert.equal(
    v(after, 'internet', 'inbound', 'icmp'),
    'may-survive',
    'ICMP is always tracked: the swap does not reach it',
  );
  assert.equal(
    v(verify(empty, { untrackStepApplied: true, untrackingDropsEntries: false }), 'internet', 'inbound', 'tracked'),
    'may-survive',
  );
});

test('IPv6 is judged on its own: ::/0 rules make IPv6 untracked, 0.0.0.0/0 rules do not', () => {
  const g = group(
    'sg-000000000000000b6',
    [
      { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' },
      { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '::/0' },
    ],
    [ALL_OUT],
  );
  const routes = [
    ...PUBLIC_ROUTES,
    { destination: '::/0', target: 'igw-0123456789abcdef0', targetKind: 'igw' as const, state: 'active' as const },
  ];
  const nacl = [
    ...ALLOW_ALL_NACL,
    { ruleNumber: 101, egress: false, protocol: '-1', action: 'allow' as const, cidr: '::/0' },
    { ruleNumber: 101, egress: true, protocol: '-1', action: 'allow' as const, cidr: '::/0' },
  ];
  const r = verify(facts({ groups: [g], ipv6: ['2600:1f18:9:1::10'], routes, nacl }));
  const c = cls(r, 'internet', 'inbound', 'untracked');
  assert.deepEqual(
    c.paths!.filter((p) => p.path === 'igw').map((p) => [p.family, p.verdict]),
    [
      [4, 'open'],
      [6, 'cut'],
    ],
  );
  const t = cls(r, 'internet', 'inbound', 'tracked');
  assert.deepEqual(
    t.paths!.filter((p) => p.path === 'igw').map((p) => [p.family, p.verdict]),
    [
      [4, 'may-survive'],
      [6, 'open'],
    ],
  );
  const v4only = verify(facts({ groups: [g] }));
  assert.deepEqual(
    cls(v4only, 'internet', 'inbound', 'untracked').paths!.map((p) => `${p.path}/${p.family}`),
    ['igw/4', 'appliance/4'],
    'no IPv6 address, no IPv6 paths',
  );
});

test('NACLs: first match by rule number, both directions, catch-all deny; nothing applies inside the subnet', () => {
  const deny1: NaclEntryFacts[] = [
    { ruleNumber: 1, egress: false, protocol: '-1', action: 'deny', cidr: '0.0.0.0/0' },
    ...ALLOW_ALL_NACL,
  ];
  const r = verify(facts({ nacl: deny1 }));
  const c = cls(r, 'internet', 'inbound', 'tracked');
  assert.equal(c.verdict, 'cut');
  assert.equal(c.layer, 'nacl');
  assert.equal(c.reason, 'NACL denies it: acl-1 ingress rule 1 deny all 0.0.0.0/0');
  assert.equal(c.remedy, 'note: removing this NACL deny revives tracked connections still within their idle timeout');
  assert.equal(v(r, 'internet', 'outbound', 'tracked'), 'cut', 'the replies come in through the same ingress entries');
  assert.match(cls(r, 'internet', 'outbound', 'tracked').reason, /ingress rule 1 deny all 0\.0\.0\.0\/0 \(replies\)/);
  assert.equal(v(r, 'same-subnet', 'inbound', 'untracked'), 'open');
  // An allow before the deny wins; replies to ephemeral ports need their own entry.
  const ssh: NaclEntryFacts[] = [
    {
      ruleNumber: 10,
      egress: false,
      protocol: '6',
      action: 'allow',
      cidr: '203.0.113.0/24',
      portRange: { from: 22, to: 22 },
    },
    { ruleNumber: 20, egress: false, protocol: '-1', action: 'deny', cidr: '0.0.0.0/0' },
    {
      ruleNumber: 10,
      egress: true,
      protocol: '6',
      action: 'allow',
      cidr: '0.0.0.0/0',
      portRange: { from: 80, to: 80 },
    },
  ];
  // Replies pass only to port 80: an SSH client that picks 80 as its source port gets through.
  const narrow = verify(facts({ nacl: ssh }));
  const n = cls(narrow, 'internet', 'inbound', 'tracked');
  assert.equal(n.verdict, 'open');
  assert.match(n.reason, /; only replies to port 80 pass acl-1 \(the initiator must use one as its source port\)$/);
  assert.deepEqual(n.example, {
    protocol: 'tcp',
    remote: '203.0.113.1',
    port: 22,
    localPort: 22,
    remotePort: 80,
    path: 'igw',
  });
  const noReplies = verify(facts({ nacl: ssh.filter((e) => !e.egress) }));
  assert.equal(v(noReplies, 'internet', 'inbound', 'tracked'), 'cut');
  assert.match(
    cls(noReplies, 'internet', 'inbound', 'tracked').reason,
    /egress rule \* deny all 0\.0\.0\.0\/0 \(replies\)/,
  );
  ssh.push({
    ruleNumber: 11,
    egress: true,
    protocol: '6',
    action: 'allow',
    cidr: '0.0.0.0/0',
    portRange: { from: 1024, to: 65535 },
  });
  const withReplies = verify(facts({ nacl: ssh }));
  assert.equal(v(withReplies, 'internet', 'inbound', 'tracked'), 'open');
  assert.doesNotMatch(cls(withReplies, 'internet', 'inbound', 'tracked').reason, /only replies/);
  assert.deepEqual(cls(withReplies, 'internet', 'inbound', 'tracked').example, {
    protocol: 'tcp',
    remote: '203.0.113.1',
    port: 22,
    localPort: 22,
    remotePort: 49152,
    path: 'igw',
  });
  assert.equal(v(withReplies, 'internet', 'inbound', 'untracked'), 'cut', '443 from anywhere is denied by rule 20');
});

test('routes: an isolation table cuts the internet but not the VPC; a blackhole route cuts; no public IPv4 cuts the IGW path', () => {
  const local = [PUBLIC_ROUTES[0]!];
  const r = verify(facts({ routes: local }));
  const c = cls(r, 'internet', 'outbound', 'tracked');
  assert.equal(c.verdict, 'cut');
  assert.equal(c.layer, 'route');
  assert.equal(c.reason, 'rtb-1 has no route to an internet gateway or a NAT instance or appliance ENI');
  assert.equal(v(r, 'same-vpc', 'outbound', 'tracked'), 'open');
  assert.equal(
    v(r, 'internet', 'inbound', 'auto-tracked'),
    'open',
    'a load balancer delivers without a route from the subnet',
  );
  const black = verify(
    facts({
      routes: [
        local[0]!,
        { destination: '0.0.0.0/0', target: 'igw-0123456789abcdef0', targetKind: 'igw', state: 'blackhole' },
      ],
    }),
  );
  assert.match(
    cls(black, 'internet', 'outbound', 'tracked').reason,
    /rtb-1 route 0\.0\.0\.0\/0 → igw-0123456789abcdef0 is a blackhole/,
  );
  const nopub = verify(facts({ publicIps: [] }));
  const np = cls(nopub, 'internet', 'inbound', 'tracked');
  assert.equal(np.verdict, 'cut');
  assert.equal(
    np.reason,
    'eni-0123456789abcdef0 has no public IPv4 address (an internet gateway needs one); rtb-1 has no route to a NAT instance or appliance ENI',
  );
  assert.equal(np.paths!.find((p) => p.path === 'igw')!.verdict, 'cut');
  const nat = verify(
    facts({
      publicIps: [],
      routes: [
        local[0]!,
        { destination: '0.0.0.0/0', target: 'nat-0123456789abcdef0', targetKind: 'nat', state: 'active' },
      ],
    }),
  );
  assert.equal(v(nat, 'internet', 'outbound', 'auto-tracked'), 'open');
  assert.equal(cls(nat, 'internet', 'outbound', 'auto-tracked').paths!.find((p) => p.path === 'nat')!.verdict, 'open');
});

test('what verify cannot see it assumes the cautious way: unknown groups allow all, group references match the VPC, conntrack timeouts come from the ENI', () => {
  const r = verify(facts({ groupIds: ['sg-0000000000000dead'], groups: [] }));
  assert.deepEqual(r.enis[0]!.warnings, ['group sg-0000000000000dead was not described: assumed to allow everything']);
  assert.equal(v(r, 'internet', 'inbound', 'tracked'), 'open');
  assert.equal(v(r, 'internet', 'inbound', 'untracked'), 'cut', 'an unknown group never counts as all-open');
  const ref = verify(
    facts({
      groups: [
        group(
          'sg-0000000000000000c',
          [{ protocol: 'tcp', fromPort: 22, toPort: 22, groupId: 'sg-0000000000000000d' }],
          [],
        ),
      ],
    }),
  );
  assert.equal(v(ref, 'same-vpc', 'inbound', 'tracked'), 'open');
  assert.equal(v(ref, 'internet', 'inbound', 'tracked'), 'may-survive');
  const nothing = verify(facts({ nacl: null, routes: null }));
  assert.deepEqual(nothing.enis[0]!.warnings, [
    'no route table found for subnet-1: routes assumed present',
    'no network ACL found for subnet-1: assumed to allow everything',
  ]);
  assert.equal(v(nothing, 'other-networks', 'outbound', 'tracked'), 'open');
  const short = verify(facts({ groups: [group('sg-0000000000000000e', [], [])], tcpTimeout: 120 }));
  assert.equal(cls(short, 'internet', 'inbound', 'tracked').idleTimeoutSeconds, 120);
  assert.equal(
    cls(short, 'internet', 'inbound', 'auto-tracked').paths!.find((p) => p.path === 'nlb')!.idleTimeoutSeconds,
    350,
    'NLB: 350 s whatever the ENI says',
  );
  assert.equal(short.enis[0]!.conntrack.tcpEstablishedTimeout, 120);
});

test('the bottom line: a short list when few classes remain; "contained" only when nothing a network layer can cut remains', () => {
  const deny: NaclEntryFacts[] = [
    { ruleNumber: 1, egress: false, protocol: '-1', action: 'deny', cidr: '0.0.0.0/0' },
    { ruleNumber: 1, egress: true, protocol: '-1', action: 'deny', cidr: '0.0.0.0/0' },
  ];
  const empty = [group('sg-0000000000000000e', [], [])];
  const full = verify(facts({ groups: empty, nacl: deny }), { untrackStepApplied: true });
  assert.equal(full.summary.contained, true);
  assert.equal(full.summary.residual, 6);
  assert.match(
    full.bottomLine,
    /^Contained as far as the network allows: nothing new gets in or out\. Left: existing ICMP, other IP protocols \(GRE, ESP…\) and auto-tracked \(NAT\/NLB\/TGW…\) connections inside the subnet \(6 classes\)/,
  );
  const noSwap = verify(facts({ groups: empty, nacl: deny }));
  assert.equal(noSwap.summary.contained, false);
  assert.equal(
    noSwap.bottomLine,
    '8 of 40 classes may still reach this instance through existing connections only (nothing new gets in or out): TCP/UDP tracked, ICMP, other IP protocols (GRE, ESP…), auto-tracked (NAT/NLB/TGW…) — same subnet.',
  );
  const pingable = [
    group('sg-0000000000000000e', [{ protocol: 'icmp', fromPort: -1, toPort: -1, cidr: '10.9.1.0/24' }], []),
  ];
  const few = verify(facts({ groups: pingable, nacl: deny }), { untrackStepApplied: true });
  assert.equal(
    few.bottomLine,
    [
      '6 classes may still reach this instance: eni-0123456789abcdef0 same subnet inbound ICMP (open)',
      'eni-0123456789abcdef0 same subnet inbound other IP protocols (GRE, ESP…) (existing connections, up to 600 s idle)',
      'eni-0123456789abcdef0 same subnet inbound auto-tracked (NAT/NLB/TGW…) (existing connections, up to 432000 s idle)',
      'eni-0123456789abcdef0 same subnet outbound ICMP (existing connections, up to 600 s idle)',
      'eni-0123456789abcdef0 same subnet outbound other IP protocols (GRE, ESP…) (existing connections, up to 600 s idle)',
      'eni-0123456789abcdef0 same subnet outbound auto-tracked (NAT/NLB/TGW…) (existing connections, up to 432000 s idle)',
    ].join('; '),
  );
  const open = verify(facts());
  assert.match(
    open.bottomLine,
    /^\d+ of 40 classes may still reach this instance: \d+ open to new connections \(internet, other networks, same VPC, same subnet\), \d+ through existing connections only\.$/,
  );
});
