// The cases of the property-based agreement run (property.ts), as plain data: the world (world.ts builds it as a
// scenario), the flows and the containment steps. generators.ts draws them at random; a failing case prints as JSON
// and replays.

import type { PathName } from '../../src/core/verify/paths.js';

export const IDS = {
  vpc: 'vpc-0a0a0a0a0a0a0a0a1',
  igw: 'igw-0a0a0a0a0a0a0a0a1',
  nat: 'nat-0a0a0a0a0a0a0a0a1',
  box: 'i-0b0b0b0b0b0b0b0b1',
  eni1: 'eni-0b0b0b0b0b0b0b0b1',
  eni2: 'eni-0b0b0b0b0b0b0b0b2',
  natbox: 'i-0c0c0c0c0c0c0c0c1',
  firewall: 'i-0d0d0d0d0d0d0d0d1',
  fwEni: 'eni-0d0d0d0d0d0d0d0d2',
  app: 'subnet-0a0a0a0a0a0a0a0a1',
  other: 'subnet-0a0a0a0a0a0a0a0a2',
  rtApp: 'rtb-0a0a0a0a0a0a0a0a1',
  rtOther: 'rtb-0a0a0a0a0a0a0a0a2',
  rtIsolation: 'rtb-0a0a0a0a0a0a0a0a9',
  aclApp: 'acl-0a0a0a0a0a0a0a0a1',
  aclOther: 'acl-0a0a0a0a0a0a0a0a2',
  aclIsolation: 'acl-0a0a0a0a0a0a0a0a9',
  g1: 'sg-0a0a0a0a0a0a0a0a1',
  g2: 'sg-0a0a0a0a0a0a0a0a2',
  step1: 'sg-0a0a0a0a0a0a0a0f1',
  step2: 'sg-0a0a0a0a0a0a0a0f2',
  probe: 'sg-0a0a0a0a0a0a0a0f3',
  appliance: 'sg-0a0a0a0a0a0a0a0f4',
  tgw: 'tgw-0a0a0a0a0a0a0a0a1',
  pcx: 'pcx-0a0a0a0a0a0a0a0a1',
  vgw: 'vgw-0a0a0a0a0a0a0a0a1',
  eigw: 'eigw-0a0a0a0a0a0a0a0a1',
} as const;

export const V6 = { vpc: '2600:1f18:77:100::/56', app: '2600:1f18:77:101::/64', other: '2600:1f18:77:102::/64' };

export interface RuleSpec {
  egress: boolean;
  protocol: string | number;
  ports?: string;
  cidr: string;
}

/** An ICMP rule with a type (and maybe a code): the scenario format has no field for these, the API does. */
export interface IcmpRuleSpec {
  group: 'g1' | 'g2';
  egress: boolean;
  protocol: 'icmp' | 'icmpv6';
  type: number;
  code: number;
  cidr: string;
}

export interface NaclEntrySpec {
  rule: number;
  egress: boolean;
  protocol: string | number;
  action: 'allow' | 'deny';
  cidr: string;
  ports?: string;
}

export interface RouteSpec {
  destination: string;
  /** igw | nat | natbox | firewall | tgw | pcx | vgw | eigw */
  target: string;
}

export interface WorldSpec {
  ipv6: boolean;
  /** AWS's default egress rule (all traffic to 0.0.0.0/0, and ::/0) on g1. */
  defaultEgress: boolean;
  /** An ingress rule for all traffic from a range (not 0.0.0.0/0: such flows stay tracked) on g1. */
  broadIngress?: string;
  publicIp: boolean;
  secondEni: boolean;
  nat: boolean;
  drops: boolean;
  g1: RuleSpec[];
  g2: RuleSpec[];
  icmpRules: IcmpRuleSpec[];
  boxGroups: ('g1' | 'g2')[];
  eni2Groups: ('g1' | 'g2')[];
  /** undefined: allow all (the default NACL's entries). */
  aclApp?: NaclEntrySpec[];
  aclOther?: NaclEntrySpec[];
  routesApp: RouteSpec[];
  routesOther: RouteSpec[];
}

export interface FlowGen {
  eni: 0 | 1;
  /** Take the path the ENI's route table gives the address (most flows), rather than `path`. */
  followRoute: boolean;
  /** Aim at a rule of the ENI's groups (index, modulo their count): its protocol, port and a CIDR address. */
  aim?: number;
  protocol: string | number;
  remoteAddress: string;
  initiator: 'inbound' | 'outbound';
  path: PathName;
  localPort?: number;
  remotePort?: number;
  icmpType?: number;
  icmpCode?: number;
  active: boolean;
  udpStream: boolean;
}

export type Op =
  | { kind: 'swap' }
  | { kind: 'empty' }
  | { kind: 'regroup'; groups: ('g1' | 'g2')[] }
  | { kind: 'nacl-isolate' }
  | { kind: 'nacl-add'; entry: NaclEntrySpec }
  | { kind: 'nacl-delete'; rule: number; egress: boolean }
  | { kind: 'route-isolate' }
  | { kind: 'route-set'; route: RouteSpec }
  | { kind: 'route-delete'; destination: string }
  | { kind: 'stop'; instance: 'natbox' | 'firewall' }
  | { kind: 'detach-firewall-eni' }
  | { kind: 'delete-nat' }
  | { kind: 'authorize'; group: 'g1' | 'g2'; rule: RuleSpec }
  | { kind: 'authorize-icmp'; rule: IcmpRuleSpec }
  | { kind: 'revoke-all'; group: 'g1' | 'g2'; egress: boolean };

export interface Case {
  world: WorldSpec;
  flows: FlowGen[];
  steps: { op: Op; flows: FlowGen[] }[];
}
