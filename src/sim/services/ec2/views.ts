// Wire views of EC2 records: data shaped like the EC2 XML model (lower-camel names, lists as arrays).
// Element names checked with `node --import tsx scripts/shape.mjs ec2 <Shape>`.

import type { XmlData } from '../../protocol/xml.js';
import type { Instance, NetworkInterface, RegionState, SecurityGroup, SgRule } from '../../state/types.js';
import { INSTANCE_STATE_CODES } from '../../state/types.js';
import { tagSet } from '../framework.js';

export function groupSetOf(region: RegionState, groupIds: string[]): XmlData {
  return groupIds.map((id) => ({ groupId: id, groupName: region.ec2.securityGroups.get(id)?.groupName ?? '' }));
}

function dnsName(ip: string, region: string): string {
  return `ip-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;
}

function associationView(a: NonNullable<NetworkInterface['privateIpAddresses'][number]['association']>): XmlData {
  return {
    publicIp: a.publicIp,
    publicDnsName: `ec2-${a.publicIp.replace(/\./g, '-')}.compute-1.amazonaws.com`,
    ipOwnerId: a.ipOwnerId,
    allocationId: a.allocationId,
    associationId: a.associationId,
  };
}

export function connectionTrackingView(eni: NetworkInterface): XmlData {
  const c = eni.connectionTracking;
  if (!c || (c.tcpEstablishedTimeout === undefined && c.udpStreamTimeout === undefined && c.udpTimeout === undefined))
    return undefined;
  return {
    tcpEstablishedTimeout: c.tcpEstablishedTimeout,
    udpStreamTimeout: c.udpStreamTimeout,
    udpTimeout: c.udpTimeout,
  };
}

export function eniView(region: RegionState, eni: NetworkInterface): { [k: string]: XmlData } {
  const primary = eni.privateIpAddresses.find((p) => p.primary) ?? eni.privateIpAddresses[0];
  return {
    association: primary?.association ? associationView(primary.association) : undefined,
    attachment: eni.attachment
      ? {
          attachTime: eni.attachment.attachTime,
          attachmentId: eni.attachment.attachmentId,
          deleteOnTermination: eni.attachment.deleteOnTermination,
          deviceIndex: eni.attachment.deviceIndex,
          networkCardIndex: eni.attachment.networkCardIndex,
          instanceId: eni.attachment.instanceId,
          instanceOwnerId: eni.ownerId,
          status: eni.attachment.status,
        }
      : undefined,
    availabilityZone: eni.availabilityZone,
    connectionTrackingConfiguration: connectionTrackingView(eni),
    description: eni.description,
    groupSet: groupSetOf(region, eni.groupIds),
    interfaceType: eni.interfaceType,
    ipv6AddressesSet: eni.ipv6Addresses.map((a) => ({ ipv6Address: a, isPrimaryIpv6: false })),
    macAddress: eni.macAddress,
    networkInterfaceId: eni.networkInterfaceId,
    ownerId: eni.ownerId,
    privateDnsName: primary ? dnsName(primary.privateIpAddress, region.name) : undefined,
    privateIpAddress: primary?.privateIpAddress,
    privateIpAddressesSet: eni.privateIpAddresses.map((p) => ({
      association: p.association ? associationView(p.association) : undefined,
      primary: p.primary,
      privateDnsName: dnsName(p.privateIpAddress, region.name),
      privateIpAddress: p.privateIpAddress,
    })),
    requesterId: eni.requesterId,
    requesterManaged: eni.requesterManaged,
    sourceDestCheck: eni.sourceDestCheck,
    status: eni.status,
    subnetId: eni.subnetId,
    tagSet: tagSet(eni.tags),
    vpcId: eni.vpcId,
  };
}

/** The ENI as it appears inside DescribeInstances (InstanceNetworkInterface). */
function instanceEniView(region: RegionState, eni: NetworkInterface): XmlData {
  const v = eniView(region, eni);
  return {
    association: v.association,
    attachment: v.attachment,
    description: v.description,
    groupSet: v.groupSet,
    ipv6AddressesSet: v.ipv6AddressesSet,
    macAddress: v.macAddress,
    networkInterfaceId: v.networkInterfaceId,
    ownerId: v.ownerId,
    privateDnsName: v.privateDnsName,
    privateIpAddress: v.privateIpAddress,
    privateIpAddressesSet: v.privateIpAddressesSet,
    sourceDestCheck: v.sourceDestCheck,
    status: v.status,
    subnetId: v.subnetId,
    vpcId: v.vpcId,
    interfaceType: v.interfaceType,
    connectionTrackingConfiguration: v.connectionTrackingConfiguration,
  };
}

export function instanceView(region: RegionState, inst: Instance): XmlData {
  const enis = inst.networkInterfaceIds
    .map((id) => region.ec2.networkInterfaces.get(id))
    .filter((e): e is NetworkInterface => !!e);
  const primary = enis[0];
  const primaryIp = primary?.privateIpAddresses.find((p) => p.primary);
  const groups = primary ? primary.groupIds : [];
  const live = inst.state !== 'terminated';
  const volumes = inst.blockDevices.map((b) => ({ b, v: region.ec2.volumes.get(b.volumeId) }));
  return {
    instanceId: inst.instanceId,
    imageId: inst.imageId,
    instanceState: { code: INSTANCE_STATE_CODES[inst.state], name: inst.state },
    privateDnsName: primaryIp ? dnsName(primaryIp.privateIpAddress, region.name) : '',
    dnsName:
      primaryIp?.association && inst.state === 'running'
        ? `ec2-${primaryIp.association.publicIp.replace(/\./g, '-')}.compute-1.amazonaws.com`
        : '',
    reason: inst.stateTransitionReason,
    keyName: inst.keyName,
    amiLaunchIndex: 0,
    instanceType: inst.instanceType,
    launchTime: inst.launchTime,
    placement: { availabilityZone: inst.availabilityZone, groupName: '', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: live ? inst.subnetId : undefined,
    vpcId: live ? inst.vpcId : undefined,
    privateIpAddress: primaryIp?.privateIpAddress,
    ipAddress: inst.state === 'running' ? primaryIp?.association?.publicIp : undefined,
    sourceDestCheck: primary?.sourceDestCheck,
    groupSet: groupSetOf(region, groups),
    architecture: inst.architecture,
    rootDeviceType: inst.rootDeviceType,
    rootDeviceName: inst.rootDeviceName,
    blockDeviceMapping: volumes.map(({ b, v }) => ({
      deviceName: b.deviceName,
      ebs: {
        volumeId: b.volumeId,
        status: v?.attachments[0]?.state ?? 'attached',
        attachTime: v?.attachments[0]?.attachTime,
        deleteOnTermination: v?.attachments[0]?.deleteOnTermination ?? true,
      },
    })),
    virtualizationType: 'hvm',
    clientToken: '',
    tagSet: tagSet(inst.tags),
    hypervisor: inst.nitro ? 'xen' : 'xen',
    networkInterfaceSet: enis.map((e) => instanceEniView(region, e)),
    iamInstanceProfile: inst.iamInstanceProfile
      ? { arn: inst.iamInstanceProfile.arn, id: inst.iamInstanceProfile.id }
      : undefined,
    ebsOptimized: false,
    enaSupport: true,
    metadataOptions: {
      state: inst.metadataOptions.state,
      httpTokens: inst.metadataOptions.httpTokens,
      httpPutResponseHopLimit: inst.metadataOptions.httpPutResponseHopLimit,
      httpEndpoint: inst.metadataOptions.httpEndpoint,
      httpProtocolIpv6: inst.metadataOptions.httpProtocolIpv6,
      instanceMetadataTags: inst.metadataOptions.instanceMetadataTags,
    },
    platformDetails: inst.platformDetails,
    currentInstanceBootMode: 'uefi',
  };
}

export function ruleView(g: SecurityGroup, r: SgRule, regionName?: string): XmlData {
  return {
    securityGroupRuleId: r.securityGroupRuleId,
    groupId: g.groupId,
    groupOwnerId: g.ownerId,
    isEgress: r.isEgress,
    ipProtocol: r.ipProtocol,
    fromPort: r.fromPort ?? -1,
    toPort: r.toPort ?? -1,
    cidrIpv4: r.cidrIpv4,
    cidrIpv6: r.cidrIpv6,
    prefixListId: r.prefixListId,
    referencedGroupInfo: r.referencedGroupId ? { groupId: r.referencedGroupId, userId: g.ownerId } : undefined,
    description: r.description,
    tagSet: tagSet(r.tags),
    securityGroupRuleArn: regionName
      ? `arn:aws:ec2:${regionName}:${g.ownerId}:security-group-rule/${r.securityGroupRuleId}`
      : undefined,
  };
}

/** Groups rules into EC2's IpPermissions form: one permission per (protocol, from, to), with its sources. */
export function ipPermissionsView(rules: SgRule[], ownerId: string): XmlData {
  const perms = new Map<
    string,
    {
      ipProtocol: string;
      fromPort?: number;
      toPort?: number;
      ipRanges: XmlData[];
      ipv6Ranges: XmlData[];
      groups: XmlData[];
      prefixListIds: XmlData[];
    }
  >();
  for (const r of rules) {
    const key = `${r.ipProtocol}/${r.fromPort}/${r.toPort}`;
    let p = perms.get(key);
    if (!p) {
      p = {
        ipProtocol: r.ipProtocol,
        fromPort: r.fromPort,
        toPort: r.toPort,
        ipRanges: [],
        ipv6Ranges: [],
        groups: [],
        prefixListIds: [],
      };
      perms.set(key, p);
    }
    if (r.cidrIpv4) p.ipRanges.push({ cidrIp: r.cidrIpv4, description: r.description });
    if (r.cidrIpv6) p.ipv6Ranges.push({ cidrIpv6: r.cidrIpv6, description: r.description });
    if (r.referencedGroupId)
      p.groups.push({ groupId: r.referencedGroupId, userId: ownerId, description: r.description });
    if (r.prefixListId) p.prefixListIds.push({ prefixListId: r.prefixListId, description: r.description });
  }
  return [...perms.values()].map((p) => ({
    ipProtocol: p.ipProtocol,
    fromPort: p.ipProtocol === '-1' ? undefined : p.fromPort,
    toPort: p.ipProtocol === '-1' ? undefined : p.toPort,
    groups: p.groups,
    ipRanges: p.ipRanges,
    ipv6Ranges: p.ipv6Ranges,
    prefixListIds: p.prefixListIds,
  }));
}

export function securityGroupView(g: SecurityGroup, regionName?: string): XmlData {
  return {
    ownerId: g.ownerId,
    groupId: g.groupId,
    groupName: g.groupName,
    groupDescription: g.description,
    vpcId: g.vpcId,
    securityGroupArn: regionName ? `arn:aws:ec2:${regionName}:${g.ownerId}:security-group/${g.groupId}` : undefined,
    ipPermissions: ipPermissionsView(
      g.rules.filter((r) => !r.isEgress),
      g.ownerId,
    ),
    ipPermissionsEgress: ipPermissionsView(
      g.rules.filter((r) => r.isEgress),
      g.ownerId,
    ),
    tagSet: tagSet(g.tags),
  };
}
