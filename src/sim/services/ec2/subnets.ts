// EC2 subnet actions: DescribeSubnets, CreateSubnet, DeleteSubnet (merged into the VPC action table).
// Limits (AWS defaults): 200 subnets per VPC; IPv4 subnet CIDR between /16 and /28 inside the VPC's CIDR and
// overlapping no other subnet; IPv6 subnet CIDR a /64 inside the VPC's /56.

import type { Handler } from '../framework.js';
import { bool, int, paginate, str, strList } from '../framework.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { lookup, lookupAll } from './ids.js';
import { readTagSpecifications } from './tags.js';
import { availableIpCount, subnetIpv6AssociationId, subnetView } from './vpcViews.js';
import { zonesOf, zoneIdOf } from './zones.js';
import { createSubnet } from '../../state/build.js';
import { canonicalCidr, cidrOverlaps, cidrWithin, parseCidr } from '../../../core/cidr.js';
import type { RegionState, Subnet } from '../../state/types.js';

export const SUBNETS_PER_VPC = 200;

/** An IPv4 CIDR given to CreateVpc / CreateSubnet: well formed and on its network boundary, as AWS requires. */
export function readIpv4Cidr(value: string, param: string): string {
  const c = parseCidr(value);
  if (!c || c.family !== 4 || canonicalCidr(value) !== value) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${value}) for parameter ${param} is invalid. This is not a valid CIDR block.`,
    );
  }
  return value;
}

function subnetFilterValues(region: RegionState) {
  return (s: Subnet, name: string): (string | number | boolean | undefined)[] | undefined => {
    switch (name) {
      case 'subnet-id':
        return [s.subnetId];
      case 'vpc-id':
        return [s.vpcId];
      case 'cidr-block':
      case 'cidr':
      case 'cidrBlock':
        return [s.cidrBlock];
      case 'availability-zone':
      case 'availabilityZone':
        return [s.availabilityZone];
      case 'availability-zone-id':
      case 'availabilityZoneId':
        return [zoneIdOf(region.name, s.availabilityZone)];
      case 'available-ip-address-count':
        return [availableIpCount(region, s)];
      case 'default-for-az':
      case 'defaultForAz':
        return [region.ec2.vpcs.get(s.vpcId)?.isDefault ?? false];
      case 'ipv6-cidr-block-association.ipv6-cidr-block':
        return [s.ipv6CidrBlock];
      case 'ipv6-cidr-block-association.association-id':
        return s.ipv6CidrBlock ? [subnetIpv6AssociationId(s)] : [];
      case 'ipv6-cidr-block-association.state':
        return s.ipv6CidrBlock ? ['associated'] : [];
      case 'ipv6-native':
        return [false];
      case 'map-public-ip-on-launch':
        return [s.mapPublicIpOnLaunch];
      case 'owner-id':
        return [s.ownerId];
      case 'state':
        return [s.state];
      case 'subnet-arn':
        return [`arn:aws:ec2:${region.name}:${s.ownerId}:subnet/${s.subnetId}`];
      default:
        return undefined;
    }
  };
}

const describeSubnets: Handler = (ctx, p) => {
  const ids = strList(p, 'SubnetId');
  const all = ctx.region.ec2.subnets;
  let items = ids.length ? lookupAll('subnet', all, ids) : [...all.values()];
  items = applyFilters(items, readFilters(p), subnetFilterValues(ctx.region));
  const { page, nextToken } = paginate(items, int(p, 'MaxResults'), str(p, 'NextToken'), 5, 1000);
  return { subnetSet: page.map((s) => subnetView(ctx.region, s)), nextToken };
};

function pickZone(region: RegionState, zoneName: string | undefined, zoneId: string | undefined): string {
  const zones = zonesOf(region);
  if (zoneName && zoneId)
    throw new AwsError(
      'InvalidParameterCombination',
      'The parameter availabilityZone cannot be used with the parameter availabilityZoneId',
    );
  const listing = zones.map((z) => z.zoneName).join(', ');
  if (zoneName) {
    if (!zones.some((z) => z.zoneName === zoneName)) {
      throw new AwsError(
        'InvalidParameterValue',
        `Value (${zoneName}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${listing}.`,
      );
    }
    return zoneName;
  }
  if (zoneId) {
    const z = zones.find((x) => x.zoneId === zoneId);
    if (!z) {
      throw new AwsError(
        'InvalidParameterValue',
        `Value (${zoneId}) for parameter availabilityZoneId is invalid. Subnets can currently only be created in the following availability zone ids: ${zones.map((x) => x.zoneId).join(', ')}.`,
      );
    }
    return z.zoneName;
  }
  return zones[0]!.zoneName;
}

const createSubnet_: Handler = (ctx, p) => {
  const vpc = lookup('vpc', ctx.region.ec2.vpcs, str(p, 'VpcId'), 'vpcId');
  if (bool(p, 'Ipv6Native'))
    throw new AwsError(
      'InvalidParameterValue',
      'IPv6-only subnets (Ipv6Native) are not supported by the simulator; give a CidrBlock.',
    );
  if (str(p, 'Ipv4IpamPoolId'))
    throw new AwsError('InvalidIpamPoolId.NotFound', `The ipam pool ID '${str(p, 'Ipv4IpamPoolId')}' does not exist`);
  const cidr = str(p, 'CidrBlock');
  if (!cidr) throw new AwsError('MissingParameter', 'The request must contain the parameter cidrBlock');
  readIpv4Cidr(cidr, 'cidrBlock');
  const prefix = parseCidr(cidr)!.prefix;
  if (prefix < 16 || prefix > 28 || !cidrWithin(cidr, vpc.cidrBlock))
    throw new AwsError('InvalidSubnet.Range', `The CIDR '${cidr}' is invalid.`);
  const siblings = [...ctx.region.ec2.subnets.values()].filter((s) => s.vpcId === vpc.vpcId);
  if (siblings.some((s) => cidrOverlaps(s.cidrBlock, cidr)))
    throw new AwsError('InvalidSubnet.Conflict', `The CIDR '${cidr}' conflicts with another subnet`);

  let ipv6: string | undefined;
  const ipv6Given = str(p, 'Ipv6CidrBlock');
  if (ipv6Given) {
    const c = parseCidr(ipv6Given);
    if (!c || c.family !== 6)
      throw new AwsError(
        'InvalidParameterValue',
        `Value (${ipv6Given}) for parameter ipv6CidrBlock is invalid. This is not a valid IPv6 CIDR block.`,
      );
    ipv6 = canonicalCidr(ipv6Given)!;
    if (c.prefix !== 64 || !vpc.ipv6CidrBlock || !cidrWithin(ipv6, vpc.ipv6CidrBlock))
      throw new AwsError('InvalidSubnet.Range', `The IPv6 CIDR '${ipv6Given}' is invalid.`);
    if (siblings.some((s) => s.ipv6CidrBlock && cidrOverlaps(s.ipv6CidrBlock, ipv6!)))
      throw new AwsError('InvalidSubnet.Conflict', `The CIDR '${ipv6Given}' conflicts with another subnet`);
  }
  const zone = pickZone(ctx.region, str(p, 'AvailabilityZone'), str(p, 'AvailabilityZoneId'));
  const tags = readTagSpecifications(p, 'subnet');
  if (siblings.length >= SUBNETS_PER_VPC)
    throw new AwsError('SubnetLimitExceeded', 'The maximum number of subnets has been reached.');

  ctx.dryRunGate();
  const subnet = createSubnet(ctx.world, ctx.region, ctx.accountId, {
    vpcId: vpc.vpcId,
    cidrBlock: cidr,
    ipv6CidrBlock: ipv6,
    availabilityZone: zone,
    tags,
  });
  return { subnet: subnetView(ctx.region, subnet, true) };
};

const deleteSubnet: Handler = (ctx, p) => {
  const subnet = lookup('subnet', ctx.region.ec2.subnets, str(p, 'SubnetId'), 'subnetId');
  const ec2 = ctx.region.ec2;
  const inUse =
    [...ec2.networkInterfaces.values()].some((e) => e.subnetId === subnet.subnetId) ||
    [...ec2.natGateways.values()].some((n) => n.subnetId === subnet.subnetId) ||
    [...ec2.instances.values()].some((i) => i.subnetId === subnet.subnetId && i.state !== 'terminated');
  if (inUse)
    throw new AwsError(
      'DependencyViolation',
      `The subnet '${subnet.subnetId}' has dependencies and cannot be deleted.`,
    );
  ctx.dryRunGate();
  // Its NACL and route table associations go with it, as in AWS.
  for (const a of ec2.networkAcls.values())
    a.associations = a.associations.filter((x) => x.subnetId !== subnet.subnetId);
  for (const t of ec2.routeTables.values())
    t.associations = t.associations.filter((x) => x.subnetId !== subnet.subnetId);
  ec2.subnets.delete(subnet.subnetId);
  return { return: true };
};

export const subnetActions: Record<string, Handler> = {
  DescribeSubnets: describeSubnets,
  CreateSubnet: createSubnet_,
  DeleteSubnet: deleteSubnet,
};
