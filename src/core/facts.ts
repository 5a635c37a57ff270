// Facts: what cordon read from AWS about an instance and its network, normalised. Pure data (JSON-able), produced by
// src/aws/facts.ts from Describe* calls and consumed by the planner and by verify. Nothing here knows the SDK.

export interface RuleFacts {
  /** '-1' (all), 'tcp', 'udp', 'icmp', 'icmpv6' or a protocol number as a string. */
  protocol: string;
  /** Absent or -1 for all ports / all ICMP types. */
  fromPort?: number;
  toPort?: number;
  /** IPv4 or IPv6 CIDR. */
  cidr?: string;
  groupId?: string;
  prefixListId?: string;
  description?: string;
}

export interface SecurityGroupFacts {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  tags: Record<string, string>;
  ingress: RuleFacts[];
  egress: RuleFacts[];
}

export interface ConnTrackFacts {
  /** Explicit values from DescribeNetworkInterfaces; undefined = AWS default. */
  tcpEstablishedTimeout?: number;
  udpStreamTimeout?: number;
  udpTimeout?: number;
}

export interface EniFacts {
  networkInterfaceId: string;
  deviceIndex: number;
  subnetId: string;
  vpcId: string;
  interfaceType: string;
  description: string;
  groupIds: string[];
  privateIps: string[];
  ipv6Addresses: string[];
  publicIps: string[];
  connectionTracking: ConnTrackFacts;
  tags: Record<string, string>;
}

export interface NaclEntryFacts {
  ruleNumber: number;
  egress: boolean;
  /** '-1' or protocol number ('6' tcp, '17' udp, '1' icmp, '58' icmpv6). */
  protocol: string;
  action: 'allow' | 'deny';
  cidr: string;
  portRange?: { from: number; to: number };
}

export interface NaclFacts {
  networkAclId: string;
  isDefault: boolean;
  /** The subnet's association id with this NACL (needed for ReplaceNetworkAclAssociation). */
  associationId?: string;
  entries: NaclEntryFacts[];
  tags: Record<string, string>;
}

export type RouteTargetKind = 'local' | 'igw' | 'eigw' | 'nat' | 'tgw' | 'pcx' | 'vgw' | 'eni' | 'instance' | 'other';

export interface RouteFacts {
  destination: string;
  target: string;
  targetKind: RouteTargetKind;
  state: 'active' | 'blackhole';
}

export interface RouteTableFacts {
  routeTableId: string;
  /** True when the subnet has no explicit association and uses the VPC's main table. */
  implicitMain: boolean;
  /** The subnet's explicit association id, when it has one. */
  associationId?: string;
  routes: RouteFacts[];
  tags: Record<string, string>;
}

export interface SubnetFacts {
  subnetId: string;
  vpcId: string;
  cidr: string;
  ipv6Cidr?: string;
  availabilityZone: string;
  nacl?: NaclFacts;
  routeTable?: RouteTableFacts;
}

export interface VolumeFacts {
  volumeId: string;
  deviceName: string;
  deleteOnTermination: boolean;
  size?: number;
}

export interface InstanceFacts {
  instanceId: string;
  region: string;
  accountId?: string;
  state: string;
  instanceType: string;
  vpcId?: string;
  subnetId?: string;
  launchTime?: string;
  tags: Record<string, string>;
  enis: EniFacts[];
  volumes: VolumeFacts[];
  iamInstanceProfile?: { arn: string; associationId?: string };
  metadataHttpEndpoint?: string;
  /**
   * Facts read by the extra gatherers (src/aws/gatherers.ts), keyed by gatherer id, for the steps that need them
   * (Auto Scaling membership, load balancer registrations, instance attributes, subnet layers …).
   */
  extras?: Record<string, unknown>;
}

export interface VpcFacts {
  vpcId: string;
  cidr: string;
  ipv6Cidr?: string;
}

/** Everything cordon knows about one instance's network position. */
export interface NetworkFacts {
  instance: InstanceFacts;
  vpc?: VpcFacts;
  /** Every group on any of the instance's ENIs, plus the isolation groups found in its VPC. */
  groups: Record<string, SecurityGroupFacts>;
  subnets: Record<string, SubnetFacts>;
}

/** Default connection-tracking idle timeouts (seconds), aws-api-semantics.md §1.5. */
export const CONNTRACK_DEFAULTS = { tcpEstablishedTimeout: 432000, udpStreamTimeout: 180, udpTimeout: 30 } as const;
