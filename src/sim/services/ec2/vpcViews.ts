// Wire views of VPCs and subnets (element names checked with `scripts/shape.mjs ec2 Vpc|Subnet`), and the
// stable derived ids they show (CIDR association ids, the DHCP options set) — derived from the resource id so
// every Describe answers the same id without storing it.

import type { XmlData } from '../../protocol/xml.js';
import type { RegionState, Subnet, Vpc } from '../../state/types.js';
import { parseCidr } from '../../../core/cidr.js';
import { tagSet } from '../framework.js';
import { zoneIdOf } from './zones.js';

/** A stable id derived from another id (FNV-1a over the source and a salt), e.g. a CIDR association id. */
export function derivedId(prefix: string, from: string, salt: string, digits = 17): string {
  let out = '';
  let h = 0x811c9dc5;
  for (let round = 0; out.length < digits; round++) {
    for (const c of `${from}/${salt}/${round}`) {
      h ^= c.charCodeAt(0);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    out += h.toString(16).padStart(8, '0');
  }
  return `${prefix}-${out.slice(0, digits)}`;
}

export function dhcpOptionsIdOf(ownerId: string, regionName: string): string {
  return derivedId('dopt', `${ownerId}/${regionName}`, 'dhcp');
}

export const vpcCidrAssociationId = (vpc: Vpc): string => derivedId('vpc-cidr-assoc', vpc.vpcId, 'ipv4');
export const vpcIpv6AssociationId = (vpc: Vpc): string => derivedId('vpc-cidr-assoc', vpc.vpcId, 'ipv6');
export const subnetIpv6AssociationId = (s: Subnet): string => derivedId('subnet-cidr-assoc', s.subnetId, 'ipv6');

export function vpcView(region: RegionState, vpc: Vpc, creating = false): XmlData {
  return {
    cidrBlock: vpc.cidrBlock,
    dhcpOptionsId: dhcpOptionsIdOf(vpc.ownerId, region.name),
    state: creating ? 'pending' : vpc.state,
    vpcId: vpc.vpcId,
    ownerId: vpc.ownerId,
    instanceTenancy: vpc.instanceTenancy ?? 'default',
    ipv6CidrBlockAssociationSet: vpc.ipv6CidrBlock
      ? [
          {
            associationId: vpcIpv6AssociationId(vpc),
            ipv6CidrBlock: vpc.ipv6CidrBlock,
            ipv6CidrBlockState: { state: creating ? 'associating' : 'associated' },
            networkBorderGroup: region.name,
            ipv6Pool: 'Amazon',
            ipv6AddressAttribute: 'public',
            ipSource: 'amazon',
          },
        ]
      : undefined,
    cidrBlockAssociationSet: [
      { associationId: vpcCidrAssociationId(vpc), cidrBlock: vpc.cidrBlock, cidrBlockState: { state: 'associated' } },
    ],
    isDefault: vpc.isDefault,
    tagSet: tagSet(vpc.tags),
    blockPublicAccessStates: { internetGatewayBlockMode: 'off' },
  };
}

/** Free IPv4 addresses: the subnet's size minus AWS's five reserved addresses and those in use by ENIs. */
export function availableIpCount(region: RegionState, s: Subnet): number {
  const c = parseCidr(s.cidrBlock);
  if (!c) return 0;
  const size = 2 ** (32 - c.prefix);
  let used = 0;
  for (const e of region.ec2.networkInterfaces.values())
    if (e.subnetId === s.subnetId) used += e.privateIpAddresses.length;
  return Math.max(0, size - 5 - used);
}

export function subnetView(region: RegionState, s: Subnet, creating = false): XmlData {
  const vpc = region.ec2.vpcs.get(s.vpcId);
  return {
    availabilityZone: s.availabilityZone,
    availabilityZoneId: zoneIdOf(region.name, s.availabilityZone),
    availableIpAddressCount: availableIpCount(region, s),
    cidrBlock: s.cidrBlock,
    defaultForAz: vpc?.isDefault ?? false,
    mapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
    state: creating ? 'pending' : s.state,
    subnetId: s.subnetId,
    vpcId: s.vpcId,
    ownerId: s.ownerId,
    assignIpv6AddressOnCreation: false,
    ipv6CidrBlockAssociationSet: s.ipv6CidrBlock
      ? [
          {
            associationId: subnetIpv6AssociationId(s),
            ipv6CidrBlock: s.ipv6CidrBlock,
            ipv6CidrBlockState: { state: 'associated' },
            ipv6AddressAttribute: 'public',
            ipSource: 'amazon',
          },
        ]
      : [],
    tagSet: tagSet(s.tags),
    subnetArn: `arn:aws:ec2:${region.name}:${s.ownerId}:subnet/${s.subnetId}`,
    enableDns64: false,
    ipv6Native: false,
    mapCustomerOwnedIpOnLaunch: false,
    privateDnsNameOptionsOnLaunch: {
      hostnameType: 'ip-name',
      enableResourceNameDnsARecord: false,
      enableResourceNameDnsAAAARecord: false,
    },
    blockPublicAccessStates: { internetGatewayBlockMode: 'off' },
  };
}
