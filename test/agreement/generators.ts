// Generators (fast-check) for the property-based agreement run (property.ts): a random world around one instance
// ("box": one or two ENIs, IPv4 and maybe IPv6, random groups, NACLs and routes — to an internet gateway, a NAT
// gateway, a NAT instance, an appliance's ENI, TGW, peering, VPN, an egress-only gateway), random flows of every
// protocol kind on every path, and random containment steps (the two-step swap, the empty group, regrouping, NACL and
// route isolation or edits, rule changes, stopping the NAT instance or the firewall, detaching the firewall's ENI,
// deleting the NAT gateway). The shapes are in cases.ts; world.ts turns a world into a scenario.

import fc from 'fast-check';
import { PATH_NAMES, type PathName } from '../../src/core/verify/paths.js';
import {
  V6,
  type Case,
  type FlowGen,
  type IcmpRuleSpec,
  type NaclEntrySpec,
  type Op,
  type RouteSpec,
  type RuleSpec,
  type WorldSpec,
} from './cases.js';

// ---------------------------------------------------------------- pieces

const CIDRS_V4 = [
  '203.0.113.0/24',
  '198.51.100.7/32',
  '10.0.0.0/16',
  '10.0.1.0/24',
  '10.0.2.0/24',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '45.33.32.0/24',
  '0.0.0.0/1',
  '128.0.0.0/1',
];
const CIDRS_V6 = ['2001:db8::/32', V6.app, V6.vpc, 'fd00::/8'];
const cidr = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('0.0.0.0/0', '::/0') },
  { weight: 4, arbitrary: fc.constantFrom(...CIDRS_V4) },
  { weight: 2, arbitrary: fc.constantFrom(...CIDRS_V6) },
);

const PORTS = ['22', '53', '443', '3389', '80-90', '1024-65535', '0-1023', '0-65535', '49152-65535', '8000-9000'];
const OTHER_PROTOCOLS = [47, 50, 51, 132];

const sgRule = (egress: fc.Arbitrary<boolean>): fc.Arbitrary<RuleSpec> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        egress,
        protocol: fc.constantFrom('tcp', 'udp', 6, 17),
        ports: fc.constantFrom(...PORTS),
        cidr,
      }),
    },
    fc.record({ egress, protocol: fc.constant('all'), cidr }),
    fc.record({ egress, protocol: fc.constantFrom('icmp', 'icmpv6', ...OTHER_PROTOCOLS), cidr }),
  );

const icmpRule: fc.Arbitrary<IcmpRuleSpec> = fc
  .record({
    group: fc.constantFrom('g1' as const, 'g2' as const),
    egress: fc.boolean(),
    v6: fc.boolean(),
    type: fc.constantFrom(0, 3, 8, 11, 128, 129),
    code: fc.constantFrom(-1, 0, 1, 4),
  })
  .map(({ v6, ...r }) => ({
    ...r,
    protocol: v6 ? ('icmpv6' as const) : ('icmp' as const),
    cidr: v6 ? '::/0' : r.egress ? '0.0.0.0/0' : '203.0.113.0/24',
  }));

const action = fc.oneof(
  { weight: 2, arbitrary: fc.constant('allow' as const) },
  { weight: 1, arbitrary: fc.constant('deny' as const) },
);
const naclEntry: fc.Arbitrary<NaclEntrySpec> = fc.oneof(
  fc.record({
    rule: fc.integer({ min: 1, max: 200 }),
    egress: fc.boolean(),
    protocol: fc.constantFrom(6, 17),
    action,
    cidr,
    ports: fc.constantFrom(...PORTS),
  }),
  fc.record({
    rule: fc.integer({ min: 1, max: 200 }),
    egress: fc.boolean(),
    protocol: fc.constantFrom('all', 1, 58, 47, 50),
    action,
    cidr,
  }),
);

const naclEntries = fc.uniqueArray(naclEntry, {
  minLength: 1,
  maxLength: 10,
  selector: (e) => `${e.egress}/${e.rule}`,
});

const TARGETS = ['igw', 'nat', 'natbox', 'firewall', 'tgw', 'pcx', 'vgw'];
const route: fc.Arbitrary<RouteSpec> = fc.oneof(
  fc.record({
    destination: fc.constantFrom('0.0.0.0/0', '203.0.113.0/24', '45.33.32.0/24', '172.16.0.0/12', '192.168.0.0/16'),
    target: fc.constantFrom(...TARGETS),
  }),
  fc.record({ destination: fc.constantFrom('::/0', '2001:db8::/32'), target: fc.constantFrom('igw', 'eigw', 'tgw') }),
);
/** A table most paths can use (a default route, the private networks), then random routes over it. */
const routes: fc.Arbitrary<RouteSpec[]> = fc
  .record({
    v4: fc.option(fc.constantFrom('igw', 'igw', 'nat', 'natbox', 'firewall'), { freq: 5, nil: undefined }),
    v6: fc.option(fc.constantFrom('igw', 'eigw'), { freq: 5, nil: undefined }),
    tgw: fc.boolean(),
    pcx: fc.boolean(),
    vgw: fc.boolean(),
    extra: fc.array(route, { maxLength: 3 }),
  })
  .map(({ v4, v6, tgw, pcx, vgw, extra }) => {
    const base: RouteSpec[] = [
      ...(v4 ? [{ destination: '0.0.0.0/0', target: v4 }] : []),
      ...(v6 ? [{ destination: '::/0', target: v6 }] : []),
      ...(tgw ? [{ destination: '172.16.0.0/12', target: 'tgw' }] : []),
      ...(pcx ? [{ destination: '192.168.0.0/16', target: 'pcx' }] : []),
      ...(vgw ? [{ destination: '10.200.0.0/16', target: 'vgw' }] : []),
    ];
    const seen = new Set(base.map((r) => r.destination));
    return [...base, ...extra.filter((r) => !seen.has(r.destination) && seen.add(r.destination))];
  });

/** Allow-all entries (both families, both directions) numbered after everything else. */
const allowAllAfter = (): NaclEntrySpec[] =>
  [false, true].flatMap((egress) =>
    ['0.0.0.0/0', '::/0'].map((c, i) => ({
      rule: 300 + i,
      egress,
      protocol: 'all',
      action: 'allow' as const,
      cidr: c,
    })),
  );

/**
 * A NACL: random entries, often over an allow-all rule numbered after them (the usual shape); or the shapes that
 * make ports matter — the same service port(s) allowed both ways (replies pass only to those ports: a sender who
 * picks one as its source port gets through), or the ephemeral range denied.
 */
const nacl: fc.Arbitrary<NaclEntrySpec[]> = fc.oneof(
  fc
    .record({ entries: naclEntries, allowAll: fc.boolean() })
    .map(({ entries, allowAll }) => (allowAll ? [...entries, ...allowAllAfter()] : entries)),
  fc
    .record({
      protocol: fc.constantFrom(6, 17),
      ports: fc.constantFrom('22', '53', '443', '3389', '0-1023', '80-90'),
      cidr: fc.constantFrom('0.0.0.0/0', '203.0.113.0/24', '::/0'),
      others: fc.subarray(['all', 1, 58, 47, 50] as (string | number)[]),
    })
    .map(({ protocol, ports, cidr, others }) =>
      [false, true].flatMap((egress) => [
        { rule: 10, egress, protocol, action: 'allow' as const, cidr, ports },
        ...others.map((p, i) => ({ rule: 20 + i, egress, protocol: p, action: 'allow' as const, cidr })),
      ]),
    ),
  fc
    .record({
      egress: fc.boolean(),
      protocol: fc.constantFrom(6, 17),
      ports: fc.constantFrom('1024-65535', '49152-65535'),
    })
    .map(({ egress, protocol, ports }) => [
      { rule: 5, egress, protocol, action: 'deny' as const, cidr: '0.0.0.0/0', ports },
      ...allowAllAfter(),
    ]),
);

const groups = fc.subarray(['g1', 'g2'] as ('g1' | 'g2')[], { minLength: 1 });

const often = fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false));

export const worldArb: fc.Arbitrary<WorldSpec> = fc.record({
  ipv6: fc.boolean(),
  defaultEgress: often,
  broadIngress: fc.option(
    fc.constantFrom('0.0.0.0/1', '128.0.0.0/1', '10.0.0.0/8', '172.16.0.0/12', '203.0.113.0/24', '2000::/3'),
    { freq: 2, nil: undefined },
  ),
  publicIp: often,
  secondEni: fc.boolean(),
  nat: fc.boolean(),
  drops: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
  g1: fc.array(sgRule(fc.boolean()), { minLength: 1, maxLength: 6 }),
  g2: fc.array(sgRule(fc.boolean()), { maxLength: 4 }),
  icmpRules: fc.array(icmpRule, { maxLength: 2 }),
  boxGroups: groups,
  eni2Groups: groups,
  aclApp: fc.option(nacl, { freq: 2, nil: undefined }),
  aclOther: fc.option(nacl, { freq: 2, nil: undefined }),
  routesApp: routes,
  routesOther: routes,
});

const PUBLIC = ['203.0.113.9', '198.51.100.7', '45.33.32.156', '8.8.8.8', '2001:db8::9', '2001:db8:1::5'];
const PRIVATE = ['172.16.5.5', '192.168.1.1', '10.200.1.1', '100.64.0.5', 'fd00::5'];
const LOCAL = ['10.0.1.50', '10.0.2.50', '10.0.2.4', '2600:1f18:77:101::50', '2600:1f18:77:102::50'];
/** Addresses a flow on each path may go to (some still do not fit: the data plane refuses those, as it should). */
const ADDRESSES: Record<PathName, string[]> = Object.fromEntries(
  PATH_NAMES.map((p) => [
    p,
    p === 'same-subnet' || p === 'same-vpc'
      ? LOCAL
      : p === 'tgw' || p === 'peering' || p === 'vpn'
        ? PRIVATE
        : p === 'nlb' || p === 'privatelink'
          ? [...PUBLIC, ...PRIVATE, ...LOCAL]
          : PUBLIC,
  ]),
) as Record<PathName, string[]>;
const port = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(22, 53, 80, 443, 3389, 1023, 1024, 4444, 8080, 9000, 49152, 65535, 0) },
  fc.integer({ min: 0, max: 65535 }),
);

export const flowArb: fc.Arbitrary<FlowGen> = fc
  .constantFrom(...PATH_NAMES)
  .chain((path) =>
    fc.record({
      path: fc.constant(path),
      remoteAddress: fc.constantFrom(...ADDRESSES[path]),
      followRoute: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
      aim: fc.option(fc.nat({ max: 100 }), { freq: 3, nil: undefined }),
      eni: fc.oneof({ weight: 2, arbitrary: fc.constant(0 as const) }, fc.constant(1 as const)),
      protocol: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('tcp', 'udp') },
        { weight: 2, arbitrary: fc.constantFrom('icmp', 'icmpv6') },
        { weight: 1, arbitrary: fc.constantFrom(...OTHER_PROTOCOLS) },
      ),
      initiator: fc.constantFrom('inbound' as const, 'outbound' as const),
      localPort: port,
      remotePort: port,
      icmp: fc.constantFrom([8, 0], [0, 0], [3, 4], [3, 1], [11, 0], [128, 0]),
      active: fc.boolean(),
      udpStream: fc.boolean(),
    }),
  )
  .map(({ icmp, ...f }) => {
    const tcpUdp = f.protocol === 'tcp' || f.protocol === 'udp';
    const isIcmp = f.protocol === 'icmp' || f.protocol === 'icmpv6';
    return {
      ...f,
      protocol: f.protocol === 'icmp' && f.remoteAddress.includes(':') ? 'icmpv6' : f.protocol,
      localPort: tcpUdp ? f.localPort : undefined,
      remotePort: tcpUdp ? f.remotePort : undefined,
      icmpType: isIcmp ? icmp[0] : undefined,
      icmpCode: isIcmp ? icmp[1] : undefined,
    };
  });

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'swap' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'empty' as const }) },
  fc.record({ kind: fc.constant('regroup' as const), groups }),
  { weight: 2, arbitrary: fc.constant({ kind: 'nacl-isolate' as const }) },
  fc.record({ kind: fc.constant('nacl-add' as const), entry: naclEntry }),
  fc.record({
    kind: fc.constant('nacl-delete' as const),
    rule: fc.integer({ min: 1, max: 200 }),
    egress: fc.boolean(),
  }),
  { weight: 2, arbitrary: fc.constant({ kind: 'route-isolate' as const }) },
  fc.record({ kind: fc.constant('route-set' as const), route }),
  fc.record({ kind: fc.constant('route-delete' as const), destination: fc.constantFrom('0.0.0.0/0', '::/0') }),
  fc.record({ kind: fc.constant('stop' as const), instance: fc.constantFrom('natbox' as const, 'firewall' as const) }),
  fc.constant({ kind: 'detach-firewall-eni' as const }),
  fc.constant({ kind: 'delete-nat' as const }),
  fc.record({
    kind: fc.constant('authorize' as const),
    group: fc.constantFrom('g1' as const, 'g2' as const),
    rule: sgRule(fc.boolean()),
  }),
  fc.record({ kind: fc.constant('authorize-icmp' as const), rule: icmpRule }),
  fc.record({
    kind: fc.constant('revoke-all' as const),
    group: fc.constantFrom('g1' as const, 'g2' as const),
    egress: fc.boolean(),
  }),
);

export const caseArb: fc.Arbitrary<Case> = fc.record({
  world: worldArb,
  flows: fc.array(flowArb, { minLength: 4, maxLength: 24 }),
  steps: fc.array(fc.record({ op: opArb, flows: fc.array(flowArb, { maxLength: 10 }) }), { maxLength: 3 }),
});
