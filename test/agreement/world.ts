// A generated world as a simulator scenario, and a generated flow as the data plane's flow spec (fitted to the world:
// its ENI, address family, path and protocol), for the property-based agreement run (property.ts).

import { cidrContains } from '../../src/core/cidr.js';
import { PATHS, pathAddressProblem, pathCarries, type PathName } from '../../src/core/verify/paths.js';
import { IDS, V6, type FlowGen, type NaclEntrySpec, type RouteSpec, type RuleSpec, type WorldSpec } from './cases.js';

type Json = Record<string, unknown>;

const ALL_OPEN = [
  { protocol: 'all', cidr: '0.0.0.0/0' },
  { protocol: 'all', cidr: '::/0' },
];

function sgRules(rules: RuleSpec[], ipv6: boolean, egress: boolean): Json[] {
  return rules
    .filter((r) => r.egress === egress && (ipv6 || !r.cidr.includes(':')))
    .map((r) => ({ protocol: r.protocol, ...(r.ports ? { ports: r.ports } : {}), cidr: r.cidr }));
}

function naclOf(entries: NaclEntrySpec[] | undefined, ipv6: boolean): Json[] | undefined {
  return entries
    ?.filter((e) => ipv6 || !e.cidr.includes(':'))
    .map((e) => ({
      rule: e.rule,
      egress: e.egress,
      protocol: e.protocol,
      action: e.action,
      cidr: e.cidr,
      ...(e.ports ? { ports: e.ports } : {}),
    }));
}

/** A route spec as a scenario route (undefined when the world lacks its target). */
export function routeTarget(w: WorldSpec, r: RouteSpec): string | undefined {
  const v6 = r.destination.includes(':');
  if (v6 && !w.ipv6) return undefined;
  switch (r.target) {
    case 'igw':
      return 'igw';
    case 'nat':
      return w.nat && !v6 ? 'nat:ngw' : undefined;
    case 'natbox':
      return 'instance:natbox';
    case 'firewall':
      return IDS.fwEni;
    case 'eigw':
      return v6 ? IDS.eigw : undefined;
    default:
      return IDS[r.target as 'tgw' | 'pcx' | 'vgw'];
  }
}

function routesOf(w: WorldSpec, rs: RouteSpec[]): Json[] {
  return rs.flatMap((r) => {
    const target = routeTarget(w, r);
    return target ? [{ destination: r.destination, target }] : [];
  });
}

export function scenarioOf(w: WorldSpec): Json {
  const sg = (id: string, name: string, rules: RuleSpec[]): Json => ({
    id,
    name,
    ingress: sgRules(rules, w.ipv6, false),
    egress: sgRules(rules, w.ipv6, true),
  });
  const defaultEgress: RuleSpec[] = [
    ...(w.defaultEgress ? ALL_OPEN.map((r) => ({ egress: true, protocol: 'all', cidr: r.cidr })) : []),
    ...(w.broadIngress ? [{ egress: false, protocol: 'all', cidr: w.broadIngress }] : []),
  ];
  return {
    name: 'agreement-property',
    ...(w.drops ? {} : { dataplane: { untrackingDropsEntries: false } }),
    accounts: [
      {
        id: '111122223333',
        regions: [
          {
            name: 'us-east-1',
            vpcs: [
              {
                id: IDS.vpc,
                name: 'v',
                cidr: '10.0.0.0/16',
                ...(w.ipv6 ? { ipv6Cidr: V6.vpc } : {}),
                internetGateway: IDS.igw,
                subnets: [
                  {
                    id: IDS.app,
                    name: 'app',
                    cidr: '10.0.1.0/24',
                    ...(w.ipv6 ? { ipv6Cidr: V6.app } : {}),
                    routeTable: 'rt-app',
                    networkAcl: 'acl-app',
                  },
                  {
                    id: IDS.other,
                    name: 'other',
                    cidr: '10.0.2.0/24',
                    ...(w.ipv6 ? { ipv6Cidr: V6.other } : {}),
                    routeTable: 'rt-other',
                    networkAcl: 'acl-other',
                  },
                ],
                natGateways: w.nat ? [{ id: IDS.nat, name: 'ngw', subnet: 'other' }] : [],
                routeTables: [
                  { name: 'main', main: true, routes: [] },
                  { id: IDS.rtApp, name: 'rt-app', routes: routesOf(w, w.routesApp) },
                  { id: IDS.rtOther, name: 'rt-other', routes: routesOf(w, w.routesOther) },
                  { id: IDS.rtIsolation, name: 'isolation', routes: [] },
                ],
                networkAcls: [
                  { id: IDS.aclApp, name: 'acl-app', entries: naclOf(w.aclApp, w.ipv6) },
                  { id: IDS.aclOther, name: 'acl-other', entries: naclOf(w.aclOther, w.ipv6) },
                  { id: IDS.aclIsolation, name: 'isolation', entries: [] },
                ],
                securityGroups: [
                  sg(IDS.g1, 'g1', [...w.g1, ...defaultEgress]),
                  sg(IDS.g2, 'g2', w.g2),
                  { id: IDS.step1, name: 'step-01', ingress: ALL_OPEN, egress: ALL_OPEN },
                  { id: IDS.step2, name: 'step-02', ingress: [], egress: [] },
                  { id: IDS.probe, name: 'probe', ingress: [], egress: [] },
                  { id: IDS.appliance, name: 'appliance', ingress: ALL_OPEN, egress: ALL_OPEN },
                ],
              },
            ],
            instances: [
              {
                id: IDS.box,
                name: 'box',
                subnet: 'app',
                securityGroups: w.boxGroups,
                privateIp: '10.0.1.10',
                ...(w.publicIp ? { publicIp: '54.1.2.3' } : {}),
                ...(w.ipv6 ? { ipv6: ['2600:1f18:77:101::10'] } : {}),
                primaryEni: { id: IDS.eni1 },
                extraNetworkInterfaces: w.secondEni
                  ? [
                      {
                        id: IDS.eni2,
                        subnet: 'other',
                        securityGroups: w.eni2Groups,
                        privateIp: '10.0.2.10',
                        ...(w.ipv6 ? { ipv6: ['2600:1f18:77:102::10'] } : {}),
                      },
                    ]
                  : [],
              },
              {
                id: IDS.natbox,
                name: 'natbox',
                subnet: 'other',
                securityGroups: ['appliance'],
                privateIp: '10.0.2.20',
                publicIp: '54.1.2.4',
              },
              {
                id: IDS.firewall,
                name: 'firewall',
                subnet: 'other',
                securityGroups: ['appliance'],
                privateIp: '10.0.2.30',
                extraNetworkInterfaces: [
                  { id: IDS.fwEni, subnet: 'other', securityGroups: ['appliance'], privateIp: '10.0.2.31' },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

const PATH_OF_TARGET: Record<string, PathName> = {
  igw: 'igw',
  nat: 'nat',
  natbox: 'appliance',
  firewall: 'appliance',
  tgw: 'tgw',
  pcx: 'peering',
  vgw: 'vpn',
  eigw: 'eigw',
};

/**
 * The flow spec the data plane takes: the ENI resolved and, for a flow that follows the route, the path the ENI's
 * table (as generated) gives its address — so most flows have a chance to be admitted.
 */
export function flowSpec(w: WorldSpec, flow: FlowGen, id: string): Json {
  const eni = w.secondEni ? flow.eni : 0;
  const f = flow.aim === undefined ? flow : aimAt(w, flow, eni);
  const { followRoute, eni: _eni, aim: _aim, ...rest } = f;
  const remoteAddress = fitAddress(w, f, eni);
  const v6 = remoteAddress.includes(':');
  const protocol = f.protocol === 'icmp' && v6 ? 'icmpv6' : f.protocol === 'icmpv6' && !v6 ? 'icmp' : f.protocol;
  let path = f.path;
  if (followRoute && PATHS[path].route && !PATHS[path].route!.includes('local')) {
    let best: RouteSpec | undefined;
    for (const r of eni === 0 ? w.routesApp : w.routesOther) {
      if (!routeTarget(w, r) || !cidrContains(r.destination, remoteAddress)) continue;
      if (!best || prefix(r.destination) > prefix(best.destination)) best = r;
    }
    const routed = best && PATH_OF_TARGET[best.target];
    // Only where the address can be the far end of that path (a route to the internet carries no private address).
    if (routed && !pathAddressProblem(routed, remoteAddress, [], ['10.0.0.0/16', V6.vpc])) path = routed;
  }
  // What the path allows: its directions, and TCP/UDP only on load balancers, accelerators and endpoints.
  const spec = PATHS[path];
  const initiator = spec.initiators.includes(f.initiator) ? f.initiator : spec.initiators[0]!;
  const carried = pathCarries(path, String(protocol)) ? protocol : 'tcp';
  const tcpUdp = carried === 'tcp' || carried === 'udp';
  return {
    id,
    eni: eni === 0 ? IDS.eni1 : IDS.eni2,
    ...rest,
    protocol: carried,
    remoteAddress,
    path,
    initiator,
    localPort: tcpUdp ? (f.localPort ?? 443) : undefined,
    remotePort: tcpUdp ? (f.remotePort ?? 443) : undefined,
    icmpType: carried === protocol ? f.icmpType : undefined,
    icmpCode: carried === protocol ? f.icmpCode : undefined,
  };
}

/** An address inside each CIDR the generators use. */
const INSIDE: Record<string, string> = {
  '0.0.0.0/0': '203.0.113.9',
  '::/0': '2001:db8::9',
  '203.0.113.0/24': '203.0.113.9',
  '198.51.100.7/32': '198.51.100.7',
  '10.0.0.0/16': '10.0.2.50',
  '10.0.1.0/24': '10.0.1.50',
  '10.0.2.0/24': '10.0.2.50',
  '172.16.0.0/12': '172.16.5.5',
  '192.168.0.0/16': '192.168.1.1',
  '45.33.32.0/24': '45.33.32.156',
  '0.0.0.0/1': '45.33.32.156',
  '128.0.0.0/1': '203.0.113.9',
  '10.0.0.0/8': '10.200.1.1',
  '2000::/3': '2001:db8::9',
  '2001:db8::/32': '2001:db8::9',
  'fd00::/8': 'fd00::5',
  [V6.app]: '2600:1f18:77:101::50',
  [V6.vpc]: '2600:1f18:77:102::50',
};

/** The flow turned towards one of the rules of its ENI's groups in its direction, so that it is admitted. */
function aimAt(w: WorldSpec, f: FlowGen, eni: 0 | 1): FlowGen {
  const egress = f.initiator === 'outbound';
  const extra: RuleSpec[] = [
    ...(w.defaultEgress ? [{ egress: true, protocol: 'all', cidr: '0.0.0.0/0' }] : []),
    ...(w.broadIngress ? [{ egress: false, protocol: 'all', cidr: w.broadIngress }] : []),
  ];
  const rules = (eni === 0 ? w.boxGroups : w.eni2Groups)
    .flatMap((g) => (g === 'g1' ? [...w.g1, ...extra] : w.g2))
    .filter((r) => r.egress === egress && (w.ipv6 || !r.cidr.includes(':')));
  if (!rules.length) return f;
  const r = rules[f.aim! % rules.length]!;
  const protocol =
    r.protocol === 'all' ? f.protocol : r.protocol === 6 ? 'tcp' : r.protocol === 17 ? 'udp' : r.protocol;
  const port = r.ports ? Number(r.ports.split('-')[0]) : undefined;
  const remoteAddress = cidrContains(r.cidr, f.remoteAddress) ? f.remoteAddress : (INSIDE[r.cidr] ?? f.remoteAddress);
  const local = eni === 0 ? ['10.0.1.0/24', V6.app] : ['10.0.2.0/24', V6.other];
  const path: PathName = local.some((c) => cidrContains(c, remoteAddress))
    ? 'same-subnet'
    : ['10.0.0.0/16', V6.vpc].some((c) => cidrContains(c, remoteAddress))
      ? 'same-vpc'
      : f.path;
  return {
    ...f,
    protocol,
    remoteAddress,
    path,
    followRoute: true,
    ...(port !== undefined && egress ? { remotePort: port } : {}),
    ...(port !== undefined && !egress ? { localPort: port } : {}),
  };
}

/** The flow's address made to fit the world: IPv4 where there is no IPv6, the ENI's own subnet for same-subnet. */
function fitAddress(w: WorldSpec, f: FlowGen, eni: 0 | 1): string {
  const v4 = (a: string): string => (a.includes(':') && !w.ipv6 ? (V4_OF[a] ?? '198.51.100.7') : a);
  const mine = eni === 0 ? ['10.0.1.50', '2600:1f18:77:101::50'] : ['10.0.2.50', '2600:1f18:77:102::50'];
  const theirs = eni === 0 ? ['10.0.2.50', '2600:1f18:77:102::50'] : ['10.0.1.50', '2600:1f18:77:101::50'];
  const family = f.remoteAddress.includes(':') ? 1 : 0;
  if (f.path === 'same-subnet') return v4(mine[family]!);
  if (f.path === 'same-vpc') return v4(theirs[family]!);
  return v4(f.remoteAddress);
}

const V4_OF: Record<string, string> = {
  '2001:db8::9': '203.0.113.9',
  '2001:db8:1::5': '45.33.32.156',
  'fd00::5': '172.16.5.5',
  '2600:1f18:77:101::50': '10.0.1.50',
  '2600:1f18:77:102::50': '10.0.2.50',
};

const prefix = (c: string): number => Number(c.split('/')[1]);
