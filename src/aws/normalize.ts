// Normalising the SDK's shapes into cordon's facts (src/core/facts.ts): instances and their ENIs, security groups
// with their rules, NACLs, route tables. No calls here; every reader of facts uses these.

import type {
  Instance,
  NetworkInterface,
  SecurityGroup,
  IpPermission,
  NetworkAcl,
  RouteTable,
  Tag,
} from '@aws-sdk/client-ec2';
import type {
  EniFacts,
  InstanceFacts,
  NaclFacts,
  RouteFacts,
  RouteTableFacts,
  RuleFacts,
  SecurityGroupFacts,
} from '../core/facts.js';

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

export function naclFacts(a: NetworkAcl, subnetId: string): NaclFacts {
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

export function routeTableFacts(t: RouteTable, subnetId: string): RouteTableFacts {
  const explicit = t.Associations?.find((a) => a.SubnetId === subnetId);
  return {
    routeTableId: t.RouteTableId!,
    implicitMain: !explicit,
    associationId: explicit?.RouteTableAssociationId,
    routes: (t.Routes ?? []).map(routeFacts),
    tags: tagMap(t.Tags),
  };
}
