// Gatherer for the subnet- and edge-level layers: each instance subnet's NACL and route table (with their
// associations), every ENI in those subnets (the blast radius), cordon's isolation NACLs and route tables in the VPC,
// and — when a NACL changed in place is shared — the ENIs of the other subnets on it. It waits for the instances
// (to learn their subnets), then reads everything in one parallel wave (a second one only for shared NACLs in top
// mode). It runs only when a subnet layer is chosen, or when the caller names no layers (restore, status, verify).

import {
  DescribeNetworkAclsCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  paginateDescribeNetworkInterfaces,
  type NetworkAcl,
  type NetworkInterface,
  type RouteTable,
  type Route,
  type Filter,
} from '@aws-sdk/client-ec2';
import type { AwsClients } from './clients.js';
import { tagMap } from './normalize.js';
import type { Gatherer, GatherOptions } from './gatherers.js';
import type { InstanceFacts } from '../core/facts.js';
import { fnv1a } from '../core/plan.js';
import { TAG } from '../core/tags.js';
import {
  ROLE_INTERNET_CUT,
  ROLE_NACL,
  ROLE_ROUTE_TABLE,
  SUBNET_LAYERS,
  type LayerEni,
  type LayerNacl,
  type LayerRoute,
  type LayerRouteTable,
  type SubnetLayerFacts,
  type SubnetLayersFacts,
} from '../core/subnet-layers.js';

const SUBNET_LAYER_NAMES = ['nacl', 'route', 'igw'];

export function wantsSubnetLayers(o: GatherOptions): boolean {
  return o.layers === undefined || o.layers.some((l) => SUBNET_LAYER_NAMES.includes(l));
}

function layerEni(e: NetworkInterface): LayerEni {
  return {
    networkInterfaceId: e.NetworkInterfaceId!,
    subnetId: e.SubnetId ?? '',
    interfaceType: e.InterfaceType ?? 'interface',
    description: e.Description ?? '',
    requesterId: e.RequesterId,
    requesterManaged: e.RequesterManaged ?? false,
    instanceId: e.Attachment?.InstanceId,
    privateIp: e.PrivateIpAddress,
    status: e.Status,
  };
}

export function layerNacl(a: NetworkAcl): LayerNacl {
  return {
    networkAclId: a.NetworkAclId!,
    vpcId: a.VpcId ?? '',
    isDefault: a.IsDefault ?? false,
    entries: (a.Entries ?? [])
      .filter((e) => (e.RuleNumber ?? 0) < 32767)
      .map((e) => ({
        ruleNumber: e.RuleNumber!,
        egress: e.Egress ?? false,
        protocol: e.Protocol ?? '-1',
        action: e.RuleAction === 'deny' ? 'deny' : 'allow',
        cidr: e.CidrBlock,
        ipv6Cidr: e.Ipv6CidrBlock,
        portRange:
          e.PortRange?.From !== undefined
            ? { from: e.PortRange.From, to: e.PortRange.To ?? e.PortRange.From }
            : undefined,
        icmp:
          e.IcmpTypeCode?.Type !== undefined
            ? { type: e.IcmpTypeCode.Type, code: e.IcmpTypeCode.Code ?? -1 }
            : undefined,
      })),
    associations: (a.Associations ?? []).map((x) => ({
      associationId: x.NetworkAclAssociationId!,
      subnetId: x.SubnetId!,
    })),
    tags: tagMap(a.Tags),
  };
}

const TARGET_FIELDS: [keyof Route, LayerRoute['targetKind']][] = [
  ['NatGatewayId', 'nat'],
  ['TransitGatewayId', 'tgw'],
  ['VpcPeeringConnectionId', 'pcx'],
  ['EgressOnlyInternetGatewayId', 'eigw'],
  ['NetworkInterfaceId', 'eni'],
  ['InstanceId', 'instance'],
  ['CarrierGatewayId', 'other'],
  ['LocalGatewayId', 'other'],
  ['CoreNetworkArn', 'other'],
];

function layerRoute(r: Route): LayerRoute {
  const destination = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? '';
  const destinationType = r.DestinationCidrBlock ? 'ipv4' : r.DestinationIpv6CidrBlock ? 'ipv6' : 'prefix-list';
  const base = {
    destination,
    destinationType,
    state: r.State === 'blackhole' ? 'blackhole' : 'active',
    origin: r.Origin,
  } as const;
  const gw = r.GatewayId;
  if (gw) {
    const kind: LayerRoute['targetKind'] =
      gw === 'local'
        ? 'local'
        : gw.startsWith('igw-')
          ? 'igw'
          : gw.startsWith('vgw-')
            ? 'vgw'
            : gw.startsWith('vpce-')
              ? 'vpce'
              : 'other';
    return { ...base, targetField: 'GatewayId', target: gw, targetKind: kind };
  }
  for (const [field, kind] of TARGET_FIELDS) {
    const v = r[field];
    if (typeof v === 'string' && v) return { ...base, targetField: field, target: v, targetKind: kind };
  }
  return { ...base, targetField: 'unknown', target: '', targetKind: 'other' };
}

export function layerRouteTable(t: RouteTable): LayerRouteTable {
  return {
    routeTableId: t.RouteTableId!,
    vpcId: t.VpcId ?? '',
    main: (t.Associations ?? []).some((a) => a.Main),
    associations: (t.Associations ?? [])
      .filter(
        (a) =>
          a.AssociationState?.State === undefined ||
          a.AssociationState.State === 'associated' ||
          a.AssociationState.State === 'associating',
      )
      .map((a) => ({ associationId: a.RouteTableAssociationId!, subnetId: a.SubnetId, main: a.Main ?? false })),
    routes: (t.Routes ?? []).map(layerRoute),
    propagatingVgws: (t.PropagatingVgws ?? []).map((v) => v.GatewayId!).filter(Boolean),
    tags: tagMap(t.Tags),
  };
}

async function enisIn(clients: AwsClients, subnetIds: string[]): Promise<LayerEni[]> {
  if (subnetIds.length === 0) return [];
  const out: LayerEni[] = [];
  for await (const page of paginateDescribeNetworkInterfaces(
    { client: clients.ec2 },
    { Filters: [{ Name: 'subnet-id', Values: subnetIds }] },
  )) {
    out.push(...(page.NetworkInterfaces ?? []).map(layerEni));
  }
  return out;
}

const byFilters = (...f: [string, string[]][]): Filter[] => f.map(([Name, Values]) => ({ Name, Values }));

async function gather(
  clients: AwsClients,
  instanceIds: string[],
  instancesP: Promise<InstanceFacts[]>,
  options: GatherOptions,
): Promise<Record<string, unknown>> {
  if (!wantsSubnetLayers(options)) return {};
  const instances = await instancesP;
  if (options.layers !== undefined) return read(clients, instanceIds, instances, options);
  // No layers named (restore, status, verify): read when an instance's cordon:layers tag names a subnet layer — then
  // a failed read is a real failure (restore must not skip a layer) — or when it has no such tag (a failure then
  // just leaves the facts out, so a responder without these read permissions can still restore the sg layer).
  const tagged = instances.map((i) => i.tags[TAG.layers]);
  if (tagged.every((t) => t !== undefined && !t.split(',').some((l) => SUBNET_LAYER_NAMES.includes(l)))) return {};
  const needed = tagged.some((t) => t?.split(',').some((l) => SUBNET_LAYER_NAMES.includes(l)));
  return read(clients, instanceIds, instances, options).catch((e) => {
    if (needed) throw e;
    return {};
  });
}

async function read(
  clients: AwsClients,
  instanceIds: string[],
  instances: InstanceFacts[],
  options: GatherOptions,
): Promise<Record<string, unknown>> {
  const subnetIds = [...new Set(instances.flatMap((i) => i.enis.map((e) => e.subnetId)).filter(Boolean))];
  const vpcIds = [...new Set(instances.map((i) => i.vpcId ?? i.enis[0]?.vpcId).filter((v): v is string => !!v))];
  if (subnetIds.length === 0 || vpcIds.length === 0) return {};
  const ec2 = clients.ec2;
  const [subs, acls, isoAcls, rtbs, mains, cordonRtbs, vpcs, enis] = await Promise.all([
    ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds })),
    ec2.send(new DescribeNetworkAclsCommand({ Filters: byFilters(['association.subnet-id', subnetIds]) })),
    ec2.send(
      new DescribeNetworkAclsCommand({ Filters: byFilters(['vpc-id', vpcIds], [`tag:${TAG.role}`, [ROLE_NACL]]) }),
    ),
    ec2.send(new DescribeRouteTablesCommand({ Filters: byFilters(['association.subnet-id', subnetIds]) })),
    ec2.send(
      new DescribeRouteTablesCommand({ Filters: byFilters(['vpc-id', vpcIds], ['association.main', ['true']]) }),
    ),
    ec2.send(
      new DescribeRouteTablesCommand({
        Filters: byFilters(['vpc-id', vpcIds], [`tag:${TAG.role}`, [ROLE_ROUTE_TABLE, ROLE_INTERNET_CUT]]),
      }),
    ),
    ec2.send(new DescribeVpcsCommand({ VpcIds: vpcIds })),
    enisIn(clients, subnetIds),
  ]);
  const naclList = (acls.NetworkAcls ?? []).map(layerNacl);
  const subnetFacts = new Map<string, SubnetLayerFacts>();
  for (const s of subs.Subnets ?? []) {
    const subnetId = s.SubnetId!;
    const nacl = naclList.find((a) => a.associations.some((x) => x.subnetId === subnetId));
    const explicit = (rtbs.RouteTables ?? []).find((t) => t.Associations?.some((a) => a.SubnetId === subnetId));
    const table = explicit ?? (mains.RouteTables ?? []).find((t) => t.VpcId === s.VpcId);
    subnetFacts.set(subnetId, {
      subnetId,
      vpcId: s.VpcId ?? '',
      cidr: s.CidrBlock ?? '',
      ipv6Cidr: s.Ipv6CidrBlockAssociationSet?.find((a) => a.Ipv6CidrBlockState?.State !== 'disassociated')
        ?.Ipv6CidrBlock,
      tags: tagMap(s.Tags),
      nacl,
      naclAssociationId: nacl?.associations.find((x) => x.subnetId === subnetId)?.associationId,
      routeTable: table ? layerRouteTable(table) : undefined,
      routeAssociationId: explicit?.Associations?.find((a) => a.SubnetId === subnetId)?.RouteTableAssociationId,
      enis: enis.filter((e) => e.subnetId === subnetId),
    });
  }

  // Shared NACLs (top mode changes the NACL itself): the other subnets on it, and their ENIs.
  const naclPeers: Record<string, { subnetId: string; enis: LayerEni[] }[]> = {};
  const wantPeers =
    options.layers === undefined ? false : options.layers.includes('nacl') && options.naclMode === 'top';
  const peerSubnets = wantPeers
    ? [...new Set(naclList.flatMap((a) => a.associations.map((x) => x.subnetId)))].filter((s) => !subnetIds.includes(s))
    : [];
  const peerEnis = await enisIn(clients, peerSubnets);
  for (const a of naclList) {
    naclPeers[a.networkAclId] = a.associations
      .filter((x) => !subnetIds.includes(x.subnetId))
      .map((x) => ({ subnetId: x.subnetId, enis: peerEnis.filter((e) => e.subnetId === x.subnetId) }));
  }

  const isolationNacls = (isoAcls.NetworkAcls ?? []).map(layerNacl);
  const cordonRouteTables = (cordonRtbs.RouteTables ?? []).map(layerRouteTable);
  const out: Record<string, SubnetLayersFacts> = {};
  for (const i of instances) {
    const vpcId = i.vpcId ?? i.enis[0]?.vpcId ?? '';
    const subnets = [...new Set(i.enis.map((e) => e.subnetId))]
      .map((s) => subnetFacts.get(s))
      .filter((s): s is SubnetLayerFacts => !!s);
    const vpc = vpcs.Vpcs?.find((v) => v.VpcId === vpcId);
    const peers: SubnetLayersFacts['naclPeers'] = {};
    for (const s of subnets) if (s.nacl) peers[s.nacl.networkAclId] = naclPeers[s.nacl.networkAclId] ?? [];
    const facts: SubnetLayersFacts = {
      vpcId,
      vpcIpv6: (vpc?.Ipv6CidrBlockAssociationSet ?? []).some((a) => a.Ipv6CidrBlockState?.State !== 'disassociated'),
      subnets,
      isolationNacls: isolationNacls.filter((a) => a.vpcId === vpcId),
      cordonRouteTables: cordonRouteTables.filter((t) => t.vpcId === vpcId),
      naclPeers: peers,
      requestInstanceIds: [...instanceIds],
      fingerprint: '',
    };
    facts.fingerprint = fingerprintOf(facts);
    out[i.instanceId] = facts;
  }
  return out;
}

/** What the layers' plan depends on: the subnets' NACLs, route tables, associations and who else is in them. */
function fingerprintOf(f: SubnetLayersFacts): string {
  return fnv1a(
    JSON.stringify({
      s: f.subnets.map((s) => ({
        id: s.subnetId,
        n: s.nacl && { id: s.nacl.networkAclId, e: s.nacl.entries, a: s.naclAssociationId },
        r: s.routeTable && { id: s.routeTable.routeTableId, r: s.routeTable.routes, a: s.routeAssociationId },
        e: s.enis.map((e) => e.networkInterfaceId).sort(),
      })),
      p: Object.entries(f.naclPeers).map(([k, v]) => [
        k,
        v.flatMap((x) => x.enis.map((e) => e.networkInterfaceId)).sort(),
      ]),
    }),
  );
}

export const subnetLayersGatherer: Gatherer = {
  id: SUBNET_LAYERS,
  permissions: (o) =>
    (o.layers ?? ['sg']).some((l) => l !== 'sg')
      ? [
          'ec2:DescribeSubnets',
          'ec2:DescribeNetworkAcls',
          'ec2:DescribeRouteTables',
          'ec2:DescribeVpcs',
          'ec2:DescribeNetworkInterfaces',
        ]
      : [],
  gather,
};
