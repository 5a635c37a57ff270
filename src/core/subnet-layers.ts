// Facts for the subnet- and edge-level layers (read by src/aws/subnet-layers.ts into InstanceFacts.extras under
// SUBNET_LAYERS), the tags cordon writes on subnets, NACLs and route tables, and small pure helpers. JSON-able.

import type { InstanceFacts, RouteTargetKind } from './facts.js';
import { joinTagValue, splitTagValue } from './tags.js';

export const SUBNET_LAYERS = 'subnet-layers';

/** Tags of the subnet-level write-ahead record and of cordon's isolation entities (all `cordon:`: audit tags). */
export const LTAG = {
  /** On the subnet: the network ACL it used before cordon (dedicated mode). */
  originalNacl: 'cordon:original-nacl',
  /** On the subnet: the route table it used before cordon: `rtb-…`, or `main` for the implicit main-table case. */
  originalRouteTable: 'cordon:original-route-table',
  /** On the subnet: instances whose containment relies on its NACL / its route-table association. */
  holdersNacl: 'cordon:holders:nacl',
  holdersRtb: 'cordon:holders:rtb',
  /** On a NACL changed in place (top mode): the instances relying on the inserted entries. */
  holders: 'cordon:holders',
  /** On a NACL changed in place: the rule numbers cordon inserted, `in:1,2;out:1,2`. */
  topEntries: 'cordon:nacl-top-entries',
  /** On a NACL changed in place: entries cordon renumbered to make room, `in:1>97,2>98;out:`. */
  renumbered: 'cordon:nacl-renumbered',
  /** On per-allow-list isolation entities: the canonical allow-list. */
  allowList: 'cordon:allow-list',
  /** On an internet-cut copy: the table it copies. */
  sourceRouteTable: 'cordon:source-route-table',
} as const;

export const ROLE_NACL = 'isolation-nacl';
export const ROLE_ROUTE_TABLE = 'isolation-route-table';
export const ROLE_INTERNET_CUT = 'internet-cut-copy';
export const ROLE_ALLOW = 'isolation-allow';

/** Rules per direction per address family, including the catch-all deny (AWS default; the simulator enforces it). */
export const NACL_RULE_LIMIT = 20;

export interface LayerEni {
  networkInterfaceId: string;
  subnetId: string;
  interfaceType: string;
  description: string;
  requesterId?: string;
  requesterManaged: boolean;
  instanceId?: string;
  privateIp?: string;
  status?: string;
}

export interface LayerNaclEntry {
  ruleNumber: number;
  egress: boolean;
  /** '-1' or a protocol number. */
  protocol: string;
  action: 'allow' | 'deny';
  cidr?: string;
  ipv6Cidr?: string;
  portRange?: { from: number; to: number };
  icmp?: { type: number; code: number };
}

export interface LayerNacl {
  networkAclId: string;
  vpcId: string;
  isDefault: boolean;
  /** User entries only (the catch-all 32767 / 32768 left out). */
  entries: LayerNaclEntry[];
  associations: { associationId: string; subnetId: string }[];
  tags: Record<string, string>;
}

export interface LayerRoute {
  destination: string;
  destinationType: 'ipv4' | 'ipv6' | 'prefix-list';
  /** The SDK field of the target: GatewayId, NatGatewayId, … */
  targetField: string;
  target: string;
  targetKind: RouteTargetKind | 'vpce';
  state: 'active' | 'blackhole';
  /** CreateRouteTable (local), CreateRoute, EnableVgwRoutePropagation. */
  origin?: string;
}

export interface LayerRouteTable {
  routeTableId: string;
  vpcId: string;
  main: boolean;
  associations: { associationId: string; subnetId?: string; main: boolean }[];
  routes: LayerRoute[];
  propagatingVgws: string[];
  tags: Record<string, string>;
}

export interface SubnetLayerFacts {
  subnetId: string;
  vpcId: string;
  cidr: string;
  ipv6Cidr?: string;
  tags: Record<string, string>;
  nacl?: LayerNacl;
  naclAssociationId?: string;
  routeTable?: LayerRouteTable;
  /** The subnet's explicit route-table association; undefined when it uses the main table implicitly. */
  routeAssociationId?: string;
  /** Every ENI in the subnet. */
  enis: LayerEni[];
}

export interface SubnetLayersFacts {
  vpcId: string;
  vpcIpv6: boolean;
  /** The instance's subnets (its ENIs'). */
  subnets: SubnetLayerFacts[];
  /** Network ACLs tagged cordon:role=isolation-nacl in the VPC. */
  isolationNacls: LayerNacl[];
  /** Route tables tagged by cordon in the VPC (isolation tables and internet-cut copies). */
  cordonRouteTables: LayerRouteTable[];
  /** For each NACL of the instance's subnets: the other subnets it is associated with, and their ENIs. */
  naclPeers: Record<string, { subnetId: string; enis: LayerEni[] }[]>;
  /** Every instance id of the request (contain or restore): holders outside it keep a shared layer in place. */
  requestInstanceIds: string[];
  /** Hash of what the subnet layers depend on (stale-plan check). */
  fingerprint: string;
}

export function subnetLayersOf(i: InstanceFacts): SubnetLayersFacts | undefined {
  return i.extras?.[SUBNET_LAYERS] as SubnetLayersFacts | undefined;
}

export function readList(tags: Record<string, string>, key: string): string[] {
  return (joinTagValue(tags, key) ?? '').split(',').filter(Boolean);
}

/** The tags that write `values` (sorted, de-duplicated) under `key`, split past 256 characters. */
export function listTags(key: string, values: string[]): Record<string, string> {
  return splitTagValue(key, [...new Set(values)].sort().join(','));
}

/** Every tag key of a split value (`key`, `key:2` …) present in `tags`. */
export function splitKeys(tags: Record<string, string>, key: string): string[] {
  const out = tags[key] !== undefined ? [key] : [];
  for (let n = 2; tags[`${key}:${n}`] !== undefined; n++) out.push(`${key}:${n}`);
  return out;
}

/** `in:1,2;out:3` ⇄ { in: [1, 2], out: [3] }. */
export function encodeDirections(v: { in: string[]; out: string[] }): string {
  return `in:${v.in.join(',')};out:${v.out.join(',')}`;
}

export function decodeDirections(s: string | undefined): { in: string[]; out: string[] } {
  const out = { in: [] as string[], out: [] as string[] };
  for (const part of (s ?? '').split(';')) {
    const [dir, list] = part.split(':');
    if (dir === 'in' || dir === 'out') out[dir] = (list ?? '').split(',').filter(Boolean);
  }
  return out;
}

/** The route targets whose removal cuts the internet (the igw layer). */
export const INTERNET_TARGETS: readonly LayerRoute['targetKind'][] = ['igw', 'eigw', 'nat'];
