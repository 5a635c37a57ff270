// Reading facts from AWS: the instances, their ENIs (with tags: the write-ahead record), the isolation groups, and —
// for plan and verify — the groups' rules, the subnets' NACLs and route tables. Everything is normalised into
// src/core/facts.ts types. The fast path (contain) reads only what the swap needs, in one round trip.

import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeNetworkAclsCommand,
  DescribeRouteTablesCommand,
  DescribeVpcsCommand,
  DescribeSubnetsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeRegionsCommand,
  type Instance,
  type NetworkInterface,
  type SecurityGroup,
  type IpPermission,
  type NetworkAcl,
  type RouteTable,
  type Tag,
} from '@aws-sdk/client-ec2';
import type { AwsClients } from './clients.js';
import { awsErrorCode, createClients } from './clients.js';
import { CordonError, EXIT } from '../core/errors.js';
import type {
  EniFacts,
  InstanceFacts,
  NaclFacts,
  NetworkFacts,
  RouteFacts,
  RouteTableFacts,
  RuleFacts,
  SecurityGroupFacts,
  SubnetFacts,
} from '../core/facts.js';
import { TAG, joinTagValue } from '../core/tags.js';
import { LTAG, ROLE_ALLOW } from '../core/subnet-layers.js';
import { GATHERERS, type GatherOptions } from './gatherers.js';

export const INSTANCE_ID_RE = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;

/** What describeTargets itself reads (the extra gatherers declare their own); DescribeRegions finds a wrong region. */
export const BASE_READ_PERMISSIONS = [
  'ec2:DescribeInstances',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeRegions',
];
/** What gatherNetworkFacts (plan details, `cordon verify`) reads on top. */
export const VERIFY_READ_PERMISSIONS = [
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeNetworkAcls',
  'ec2:DescribeRouteTables',
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeIamInstanceProfileAssociations',
];

export function tagMap(tags: Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

function eniFacts(e: NetworkInterface, deviceIndex: number): EniFacts {
  const ct = e.ConnectionTrackingConfiguration;
  return {
    networkInterfaceId: e.NetworkInterfaceId!,
    deviceIndex,
    subnetId: e.SubnetId ?? '',
    vpcId: e.VpcId ?? '',
    interfaceType: e.InterfaceType ?? 'interface',
    description: e.Description ?? '',
    groupIds: (e.Groups ?? []).map((g) => g.GroupId!),
    privateIps: (e.PrivateIpAddresses ?? []).map((p) => p.PrivateIpAddress!).filter(Boolean),
    ipv6Addresses: (e.Ipv6Addresses ?? []).map((a) => a.Ipv6Address!).filter(Boolean),
    publicIps: (e.PrivateIpAddresses ?? []).map((p) => p.Association?.PublicIp).filter((x): x is string => !!x),
    connectionTracking: {
      tcpEstablishedTimeout: ct?.TcpEstablishedTimeout,
      udpStreamTimeout: ct?.UdpStreamTimeout,
      udpTimeout: ct?.UdpTimeout,
    },
    tags: tagMap(e.TagSet),
  };
}

export function instanceFacts(i: Instance, enis: NetworkInterface[], region: string): InstanceFacts {
  const byId = new Map(enis.map((e) => [e.NetworkInterfaceId!, e]));
  const list = (i.NetworkInterfaces ?? [])
    .map((ie) => {
      const full = byId.get(ie.NetworkInterfaceId!) ?? (ie as NetworkInterface);
      return eniFacts(
        {
          ...full,
          Groups: ie.Groups ?? full.Groups,
          ConnectionTrackingConfiguration: full.ConnectionTrackingConfiguration ?? ie.ConnectionTrackingConfiguration,
        },
        ie.Attachment?.DeviceIndex ?? 0,
      );
    })
    .sort((a, b) => a.deviceIndex - b.deviceIndex);
  return {
    instanceId: i.InstanceId!,
    region,
    accountId: enis[0]?.OwnerId,
    state: i.State?.Name ?? 'unknown',
    instanceType: i.InstanceType ?? '',
    vpcId: i.VpcId,
    subnetId: i.SubnetId,
    launchTime: i.LaunchTime?.toISOString(),
    tags: tagMap(i.Tags),
    enis: list,
    volumes: (i.BlockDeviceMappings ?? [])
      .filter((b) => b.Ebs?.VolumeId)
      .map((b) => ({
        volumeId: b.Ebs!.VolumeId!,
        deviceName: b.DeviceName ?? '',
        deleteOnTermination: b.Ebs!.DeleteOnTermination ?? true,
      })),
    iamInstanceProfile: i.IamInstanceProfile?.Arn ? { arn: i.IamInstanceProfile.Arn } : undefined,
    metadataHttpEndpoint: i.MetadataOptions?.HttpEndpoint,
  };
}

function ruleFacts(perms: IpPermission[] | undefined): RuleFacts[] {
  const out: RuleFacts[] = [];
  for (const p of perms ?? []) {
    const base = { protocol: p.IpProtocol ?? '-1', fromPort: p.FromPort, toPort: p.ToPort };
    for (const r of p.IpRanges ?? []) out.push({ ...base, cidr: r.CidrIp, description: r.Description });
    for (const r of p.Ipv6Ranges ?? []) out.push({ ...base, cidr: r.CidrIpv6, description: r.Description });
    for (const g of p.UserIdGroupPairs ?? []) out.push({ ...base, groupId: g.GroupId, description: g.Description });
    for (const l of p.PrefixListIds ?? [])
      out.push({ ...base, prefixListId: l.PrefixListId, description: l.Description });
  }
  return out;
}

export function groupFacts(g: SecurityGroup): SecurityGroupFacts {
  return {
    groupId: g.GroupId!,
    groupName: g.GroupName ?? '',
    description: g.Description ?? '',
    vpcId: g.VpcId ?? '',
    tags: tagMap(g.Tags),
    ingress: ruleFacts(g.IpPermissions),
    egress: ruleFacts(g.IpPermissionsEgress),
  };
}

function naclFacts(a: NetworkAcl, subnetId: string): NaclFacts {
  return {
    networkAclId: a.NetworkAclId!,
    isDefault: a.IsDefault ?? false,
    associationId: a.Associations?.find((x) => x.SubnetId === subnetId)?.NetworkAclAssociationId,
    entries: (a.Entries ?? []).map((e) => ({
      ruleNumber: e.RuleNumber!,
      egress: e.Egress ?? false,
      protocol: e.Protocol ?? '-1',
      action: e.RuleAction === 'deny' ? 'deny' : 'allow',
      cidr: e.CidrBlock ?? e.Ipv6CidrBlock ?? '',
      portRange:
        e.PortRange?.From !== undefined
          ? { from: e.PortRange.From, to: e.PortRange.To ?? e.PortRange.From }
          : undefined,
    })),
    tags: tagMap(a.Tags),
  };
}

function routeFacts(r: NonNullable<RouteTable['Routes']>[number]): RouteFacts {
  const destination = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? '';
  const gw = r.GatewayId;
  let target = '';
  let kind: RouteFacts['targetKind'] = 'other';
  if (gw === 'local') [target, kind] = ['local', 'local'];
  else if (gw?.startsWith('igw-')) [target, kind] = [gw, 'igw'];
  else if (gw?.startsWith('vgw-')) [target, kind] = [gw, 'vgw'];
  else if (r.NatGatewayId) [target, kind] = [r.NatGatewayId, 'nat'];
  else if (r.TransitGatewayId) [target, kind] = [r.TransitGatewayId, 'tgw'];
  else if (r.VpcPeeringConnectionId) [target, kind] = [r.VpcPeeringConnectionId, 'pcx'];
  else if (r.EgressOnlyInternetGatewayId) [target, kind] = [r.EgressOnlyInternetGatewayId, 'eigw'];
  else if (r.NetworkInterfaceId) [target, kind] = [r.NetworkInterfaceId, 'eni'];
  else if (r.InstanceId) [target, kind] = [r.InstanceId, 'instance'];
  else if (gw) target = gw;
  return { destination, target, targetKind: kind, state: r.State === 'blackhole' ? 'blackhole' : 'active' };
}

function routeTableFacts(t: RouteTable, subnetId: string): RouteTableFacts {
  const explicit = t.Associations?.find((a) => a.SubnetId === subnetId);
  return {
    routeTableId: t.RouteTableId!,
    implicitMain: !explicit,
    associationId: explicit?.RouteTableAssociationId,
    routes: (t.Routes ?? []).map(routeFacts),
    tags: tagMap(t.Tags),
  };
}

/** Translates a describe failure on instance ids into a CordonError that says what to do. */
export async function explainInstanceLookupFailure(clients: AwsClients, ids: string[], e: unknown): Promise<never> {
  const code = awsErrorCode(e);
  if (code === 'InvalidInstanceID.Malformed') {
    throw new CordonError(
      'malformed-id',
      `malformed instance id in ${ids.join(', ')}`,
      EXIT.usage,
      'instance ids look like i-0123456789abcdef0',
    );
  }
  if (code === 'InvalidInstanceID.NotFound') {
    const missing = ids.filter((id) => String((e as Error).message).includes(id));
    const where = await findInOtherRegions(clients, missing.length ? missing : ids);
    const hint = where.length
      ? `found in ${where.map((w) => `${w.region} (${w.instanceId})`).join(', ')}: rerun with --region ${where[0]!.region}`
      : `check the id and the account; searched every enabled region`;
    throw new CordonError(
      'instance-not-found',
      `instance ${(missing.length ? missing : ids).join(', ')} not found in ${clients.region}`,
      EXIT.refused,
      hint,
    );
  }
  throw e;
}

async function findInOtherRegions(
  clients: AwsClients,
  ids: string[],
): Promise<{ region: string; instanceId: string }[]> {
  let regions: string[] = [];
  try {
    const r = await clients.ec2.send(new DescribeRegionsCommand({}));
    regions = (r.Regions ?? []).map((x) => x.RegionName!).filter((x) => x && x !== clients.region);
  } catch {
    return [];
  }
  const endpoint = await clients.ec2.config.endpoint?.().catch(() => undefined);
  const credentials = clients.ec2.config.credentials;
  const found: { region: string; instanceId: string }[] = [];
  await Promise.all(
    regions.map(async (region) => {
      const other = createClients({
        region,
        credentials,
        endpointUrl: endpoint
          ? `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}${endpoint.path}`
          : undefined,
        maxAttempts: 2,
      });
      try {
        const r = await other.ec2.send(
          new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ids }] }),
        );
        for (const res of r.Reservations ?? [])
          for (const i of res.Instances ?? []) found.push({ region, instanceId: i.InstanceId! });
      } catch {
        // a region we cannot read is simply not searched
      } finally {
        other.destroy();
      }
    }),
  );
  return found;
}

export interface TargetFacts {
  instances: InstanceFacts[];
  /** Isolation groups by VPC: the groups cordon prepared or created, found by their cordon:role tag. */
  isolationGroups: Record<
    string,
    { open?: SecurityGroupFacts; empty?: SecurityGroupFacts; allow?: Record<string, SecurityGroupFacts> }
  >;
}

/**
 * The fast path: instances with their ENIs (and ENI tags), every isolation group in the region, and whatever the
 * registered extra gatherers read — all started at once (one round trip for everything keyed by instance id).
 */
export async function describeTargets(
  clients: AwsClients,
  ids: string[],
  options: GatherOptions = {},
): Promise<TargetFacts> {
  for (const id of ids) {
    if (!INSTANCE_ID_RE.test(id)) {
      throw new CordonError(
        'malformed-id',
        `"${id}" is not an instance id`,
        EXIT.usage,
        'instance ids look like i-0123456789abcdef0',
      );
    }
  }
  const base = Promise.all([
    clients.ec2
      .send(new DescribeInstancesCommand({ InstanceIds: ids }))
      .catch((e) => explainInstanceLookupFailure(clients, ids, e)),
    clients.ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: ids }] }),
    ),
    clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag-key', Values: [TAG.role] }] })),
  ]);
  const instancesP = base.then(([inst, enis]) => {
    const all = (inst.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    return ids.map((id) => {
      const i = all.find((x) => x.InstanceId === id);
      if (!i)
        throw new CordonError('instance-not-found', `instance ${id} not found in ${clients.region}`, EXIT.refused);
      return instanceFacts(
        i,
        (enis.NetworkInterfaces ?? []).filter((e) => e.Attachment?.InstanceId === id),
        clients.region,
      );
    });
  });
  const extrasP = Promise.all(
    GATHERERS.map(async (g) => [g.id, await g.gather(clients, ids, instancesP, options)] as const),
  );
  extrasP.catch(() => undefined); // observed below; avoids an unhandled rejection when the base read fails first
  // A failed base read surfaces first (it explains bad ids); gatherer failures are real failures too.
  const [[, , groups], instances] = await Promise.all([base, instancesP]);
  const extras = await extrasP;
  for (const i of instances) {
    i.extras = {};
    for (const [id, perInstance] of extras)
      if (perInstance[i.instanceId] !== undefined) i.extras[id] = perInstance[i.instanceId];
  }
  return { instances, isolationGroups: indexIsolationGroups((groups.SecurityGroups ?? []).map(groupFacts)) };
}

export function indexIsolationGroups(groups: SecurityGroupFacts[]): TargetFacts['isolationGroups'] {
  const out: TargetFacts['isolationGroups'] = {};
  for (const g of groups) {
    const role = g.tags[TAG.role];
    const slot = (out[g.vpcId] ??= {});
    if (role === 'isolation-open' && !slot.open) slot.open = g;
    if (role === 'isolation-empty' && !slot.empty) slot.empty = g;
    // Step-2 groups with an allow-list (--allow-cidr), by their canonical allow-list: used only by that allow-list.
    if (role === ROLE_ALLOW) (slot.allow ??= {})[joinTagValue(g.tags, LTAG.allowList) ?? ''] ??= g;
  }
  return out;
}

/** The full picture for plan and verify: groups with rules, each ENI subnet's NACL and route table, the VPC. */
export async function gatherNetworkFacts(
  clients: AwsClients,
  instanceId: string,
  known?: TargetFacts,
): Promise<NetworkFacts> {
  const targets = known ?? (await describeTargets(clients, [instanceId]));
  const instance = targets.instances.find((i) => i.instanceId === instanceId)!;
  const groupIds = [...new Set(instance.enis.flatMap((e) => e.groupIds))];
  const subnetIds = [...new Set(instance.enis.map((e) => e.subnetId))];
  const vpcId = instance.vpcId ?? instance.enis[0]?.vpcId;
  const [sgs, acls, rtbs, mains, vpcs, assoc, subs] = await Promise.all([
    groupIds.length
      ? clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }))
      : Promise.resolve({ SecurityGroups: [] }),
    subnetIds.length
      ? clients.ec2.send(
          new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: subnetIds }] }),
        )
      : Promise.resolve({ NetworkAcls: [] }),
    subnetIds.length
      ? clients.ec2.send(
          new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: subnetIds }] }),
        )
      : Promise.resolve({ RouteTables: [] }),
    vpcId
      ? clients.ec2.send(
          new DescribeRouteTablesCommand({
            Filters: [
              { Name: 'vpc-id', Values: [vpcId] },
              { Name: 'association.main', Values: ['true'] },
            ],
          }),
        )
      : Promise.resolve({ RouteTables: [] }),
    vpcId ? clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })) : Promise.resolve({ Vpcs: [] }),
    clients.ec2
      .send(
        new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }),
      )
      .catch(() => ({ IamInstanceProfileAssociations: [] })),
    subnetIds.length
      ? clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }))
      : Promise.resolve({ Subnets: [] }),
  ]);
  const groups: Record<string, SecurityGroupFacts> = {};
  for (const g of sgs.SecurityGroups ?? []) groups[g.GroupId!] = groupFacts(g);
  const iso = vpcId ? targets.isolationGroups[vpcId] : undefined;
  if (iso?.open) groups[iso.open.groupId] = iso.open;
  if (iso?.empty) groups[iso.empty.groupId] = iso.empty;
  const subnets: Record<string, SubnetFacts> = {};
  for (const subnetId of subnetIds) {
    const acl = (acls.NetworkAcls ?? []).find((a) => a.Associations?.some((x) => x.SubnetId === subnetId));
    const rtb =
      (rtbs.RouteTables ?? []).find((t) => t.Associations?.some((x) => x.SubnetId === subnetId)) ??
      mains.RouteTables?.[0];
    const eni = instance.enis.find((e) => e.subnetId === subnetId)!;
    const sub = subs.Subnets?.find((x) => x.SubnetId === subnetId);
    subnets[subnetId] = {
      subnetId,
      vpcId: eni.vpcId,
      cidr: sub?.CidrBlock ?? '',
      ipv6Cidr: sub?.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock,
      availabilityZone: sub?.AvailabilityZone ?? '',
      nacl: acl ? naclFacts(acl, subnetId) : undefined,
      routeTable: rtb ? routeTableFacts(rtb, subnetId) : undefined,
    };
  }
  const association = assoc.IamInstanceProfileAssociations?.find(
    (a) => a.State === 'associated' || a.State === 'associating',
  );
  if (instance.iamInstanceProfile && association) instance.iamInstanceProfile.associationId = association.AssociationId;
  const vpc = vpcs.Vpcs?.[0];
  return {
    instance,
    vpc: vpc
      ? { vpcId: vpc.VpcId!, cidr: vpc.CidrBlock ?? '', ipv6Cidr: vpc.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock }
      : undefined,
    groups,
    subnets,
  };
}
