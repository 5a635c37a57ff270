// The network paths a flow can take to or from an instance, and what each needs. Shared vocabulary of the
// simulator's data plane (src/sim/dataplane/) and of `verify` (src/core/verify/). Pure data.
//
// Sources: ../../../../shared/reference/aws-api-semantics.md §1.4 (automatically tracked connections), §3.3 (routes),
// and the seed article (NACLs act at the subnet boundary; route tables cut external networks, not the VPC).

import { cidrContains } from '../cidr.js';

/** Where the far end of a flow is, seen from the instance. */
export type Side = 'internet' | 'other-networks' | 'same-vpc' | 'same-subnet';
export const SIDES: readonly Side[] = ['internet', 'other-networks', 'same-vpc', 'same-subnet'];

/** Who opened the connection. */
export type Direction = 'inbound' | 'outbound';
export const DIRECTIONS: readonly Direction[] = ['inbound', 'outbound'];

/**
 * How the security groups treat the flow. TCP and UDP (protocols 6 and 17) are `tracked` or `untracked` (§1.2), or
 * `auto-tracked` on a path that is always tracked (§1.4); ICMP (1, and 58 for IPv6) is `icmp`; every other IP protocol
 * (GRE 47, ESP 50, AH 51, SCTP 132, …) is `other`. ICMP and other protocols are always tracked, whatever the path.
 */
export type FlowKind = 'tracked' | 'untracked' | 'icmp' | 'other' | 'auto-tracked';
export const KINDS: readonly FlowKind[] = ['tracked', 'untracked', 'icmp', 'other', 'auto-tracked'];

export type PathName =
  | 'same-subnet'
  | 'same-vpc'
  | 'igw'
  | 'eigw'
  | 'nat'
  | 'appliance'
  | 'nlb'
  | 'global-accelerator'
  | 'gwlb'
  | 'network-firewall'
  | 'privatelink'
  | 'tgw'
  | 'peering'
  | 'vpn';

/** What a route points at, from its target id (`igw-…`, `nat-…`, `local` …). */
export type TargetKind = 'local' | 'igw' | 'eigw' | 'nat' | 'tgw' | 'pcx' | 'vgw' | 'vpce' | 'eni' | 'other';

export function targetKindOf(target: string): TargetKind {
  if (target === 'local') return 'local';
  const prefix = target.slice(0, target.indexOf('-') + 1);
  switch (prefix) {
    case 'igw-':
      return 'igw';
    case 'eigw-':
      return 'eigw';
    case 'nat-':
      return 'nat';
    case 'tgw-':
      return 'tgw';
    case 'pcx-':
      return 'pcx';
    case 'vgw-':
      return 'vgw';
    case 'vpce-':
      return 'vpce';
    case 'eni-':
    case 'i-':
      return 'eni';
    default:
      return 'other';
  }
}

export interface PathSpec {
  /** The far side; 'by-address' = same subnet / same VPC / internet by where the remote address lies. */
  side: Side | 'by-address';
  /** Always tracked whatever the rules say (§1.4). */
  autoTracked: boolean;
  initiators: readonly Direction[];
  /**
   * The IP protocols the path carries: 'any'; 'tcp-udp' (load balancers, accelerators, endpoints); 'tcp-udp-icmp'
   * (a NAT gateway: "TCP, UDP, and ICMP").
   */
  protocols: 'any' | 'tcp-udp' | 'tcp-udp-icmp';
  /** The route the subnet's table must give the remote address (longest prefix match); undefined = none needed. */
  route?: readonly TargetKind[];
  /** Reaching the internet over IPv4 through an internet gateway needs a public IPv4 address on the ENI. */
  needsPublicIpv4?: boolean;
  families: readonly (4 | 6)[];
  /** One line for docs and reasons. */
  label: string;
}

const BOTH: readonly Direction[] = ['inbound', 'outbound'];

/**
 * The path table. Auto-tracked paths follow the 2023 list in §1.4 (transit gateway attachments included — the current
 * page dropped them; tracking them is the cautious reading: more connections survive an SG swap, never fewer).
 */
export const PATHS: Record<PathName, PathSpec> = {
  'same-subnet': {
    side: 'same-subnet',
    autoTracked: false,
    initiators: BOTH,
    protocols: 'any',
    families: [4, 6],
    label: 'inside the subnet (no NACL, no route)',
  },
  'same-vpc': {
    side: 'same-vpc',
    autoTracked: false,
    initiators: BOTH,
    protocols: 'any',
    route: ['local'],
    families: [4, 6],
    label: 'another subnet of the VPC (local route)',
  },
  igw: {
    side: 'internet',
    autoTracked: false,
    initiators: BOTH,
    protocols: 'any',
    route: ['igw'],
    needsPublicIpv4: true,
    families: [4, 6],
    label: 'internet gateway',
  },
  eigw: {
    side: 'internet',
    autoTracked: true,
    initiators: ['outbound'],
    protocols: 'any',
    route: ['eigw'],
    families: [6],
    label: 'egress-only internet gateway (IPv6)',
  },
  nat: {
    side: 'internet',
    autoTracked: true,
    initiators: ['outbound'],
    protocols: 'tcp-udp-icmp',
    route: ['nat'],
    families: [4],
    label: 'NAT gateway',
  },
  appliance: {
    side: 'internet',
    autoTracked: false,
    initiators: BOTH,
    protocols: 'any',
    route: ['eni', 'other'],
    families: [4, 6],
    label: 'NAT instance or appliance ENI',
  },
  nlb: {
    side: 'by-address',
    autoTracked: true,
    initiators: ['inbound'],
    protocols: 'tcp-udp',
    families: [4, 6],
    label: 'Network Load Balancer (client IP preserved)',
  },
  'global-accelerator': {
    side: 'internet',
    autoTracked: true,
    initiators: ['inbound'],
    protocols: 'tcp-udp',
    families: [4, 6],
    label: 'Global Accelerator',
  },
  gwlb: {
    side: 'internet',
    autoTracked: true,
    initiators: BOTH,
    protocols: 'any',
    route: ['vpce'],
    families: [4, 6],
    label: 'Gateway Load Balancer endpoint',
  },
  'network-firewall': {
    side: 'internet',
    autoTracked: true,
    initiators: BOTH,
    protocols: 'any',
    route: ['vpce'],
    families: [4, 6],
    label: 'Network Firewall endpoint',
  },
  privatelink: {
    side: 'by-address',
    autoTracked: true,
    initiators: BOTH,
    protocols: 'tcp-udp',
    families: [4, 6],
    label: 'PrivateLink interface endpoint',
  },
  tgw: {
    side: 'other-networks',
    autoTracked: true,
    initiators: BOTH,
    protocols: 'any',
    route: ['tgw'],
    families: [4, 6],
    label: 'transit gateway',
  },
  peering: {
    side: 'other-networks',
    autoTracked: false,
    initiators: BOTH,
    protocols: 'any',
    route: ['pcx'],
    families: [4, 6],
    label: 'VPC peering connection',
  },
  vpn: {
    side: 'other-networks',
    autoTracked: false,
    initiators: BOTH,
    protocols: 'any',
    route: ['vgw'],
    families: [4, 6],
    label: 'virtual private gateway (VPN, Direct Connect)',
  },
};

export const PATH_NAMES = Object.keys(PATHS) as PathName[];

/** "a NAT gateway", "an internet gateway". */
export function article(label: string): string {
  return /^[aeiou]/i.test(label) ? `an ${label}` : `a ${label}`;
}

/** Route targets that lead to other private networks rather than the internet. */
export const OTHER_NETWORK_TARGETS: readonly TargetKind[] = ['tgw', 'pcx', 'vgw'];

/**
 * Addresses that are never on the internet: private (RFC 1918, RFC 6598 shared, IPv6 ULA), loopback, link-local,
 * multicast, reserved. An internet path carries only other (public) addresses; the documentation ranges
 * (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) count as public so examples can use them.
 */
export const NON_PUBLIC_CIDRS = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/3',
  '::/127',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
];

export function isPublicAddress(addr: string): boolean {
  return !NON_PUBLIC_CIDRS.some((c) => cidrContains(c, addr));
}

/** Where an address lies relative to the ENI's subnet and VPC (CIDRs of both families). */
export function sideOfAddress(
  addr: string,
  subnetCidrs: string[],
  vpcCidrs: string[],
): 'same-subnet' | 'same-vpc' | 'outside' {
  if (subnetCidrs.some((c) => cidrContains(c, addr))) return 'same-subnet';
  if (vpcCidrs.some((c) => cidrContains(c, addr))) return 'same-vpc';
  return 'outside';
}

/**
 * The side a flow on `path` to `addr` belongs to. Paths with a fixed side keep it; for load balancers and endpoints
 * ('by-address') it is the subnet, the VPC, the internet for a public address, other networks for a private one.
 */
export function sideOfPath(path: PathName, addr: string, subnetCidrs: string[], vpcCidrs: string[]): Side {
  const spec = PATHS[path];
  if (spec.side !== 'by-address') return spec.side;
  const where = sideOfAddress(addr, subnetCidrs, vpcCidrs);
  if (where !== 'outside') return where;
  return isPublicAddress(addr) ? 'internet' : 'other-networks';
}

/** Whether `addr` can be the far end of a flow on `path` at all (undefined) or why not. */
export function pathAddressProblem(
  path: PathName,
  addr: string,
  subnetCidrs: string[],
  vpcCidrs: string[],
): string | undefined {
  const spec = PATHS[path];
  const where = sideOfAddress(addr, subnetCidrs, vpcCidrs);
  if (spec.side === 'same-subnet' && where !== 'same-subnet')
    return `is not in the ENI's subnet (${subnetCidrs.join(', ')})`;
  if (spec.side === 'same-vpc' && where !== 'same-vpc')
    return `is not in another subnet of the VPC (${vpcCidrs.join(', ')}; inside ${subnetCidrs.join(', ')} use same-subnet)`;
  if ((spec.side === 'internet' || spec.side === 'other-networks') && where !== 'outside')
    return 'is inside the VPC: use path same-subnet or same-vpc';
  if (spec.side === 'internet' && !isPublicAddress(addr))
    return `is not a public address: ${article(spec.label)} reaches the internet only (private networks: tgw, peering, vpn)`;
  return undefined;
}

/** Whether the path may carry this protocol ('tcp' | 'udp' | 'icmp' | 'icmpv6' | a protocol number). */
export function pathCarries(path: PathName, protocol: string): boolean {
  const carried = PATHS[path].protocols;
  const p = PROTOCOL_NAMES[protocol] ?? protocol;
  if (carried === 'any' || p === 'tcp' || p === 'udp') return true;
  return carried === 'tcp-udp-icmp' && (p === 'icmp' || p === 'icmpv6');
}

/** IP protocol numbers by name, and back: the four protocols AWS names; every other one is its number. */
export const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = { tcp: '6', udp: '17', icmp: '1', icmpv6: '58' };
export const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
};

/** 'tcp' | 'udp' | 'icmp' | 'icmpv6' for those four (by name or number), else the number as a string ('47'). */
export function protocolName(p: string): string {
  return PROTOCOL_NAMES[p] ?? p;
}

/** The protocol's number as a string ('6' for tcp …); '-1' stays '-1'. */
export function protocolNumber(p: string): string {
  return PROTOCOL_NUMBERS[p] ?? p;
}

/** Default idle timeouts (seconds) beyond the ENI's ConnectionTrackingSpecification (§1.1, §1.5). */
export const OTHER_TIMEOUTS = {
  /** Protocols other than TCP/UDP/ICMP: "within 600 seconds" (§1.1). */
  otherProtocols: 600,
  /** [UNVERIFIED] ICMP's idle timeout is not documented; 600 s (as other protocols) errs on the side of survival. */
  icmp: 600,
  /** Through a Network Load Balancer: 350 s TCP, 120 s UDP, whatever the ENI says (§1.5). */
  nlbTcp: 350,
  nlbUdp: 120,
} as const;
