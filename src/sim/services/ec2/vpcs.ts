// EC2 VPC actions: DescribeVpcs, CreateVpc, DeleteVpc (and the subnet actions from subnets.ts).
// Limits (AWS defaults): 5 VPCs per Region; IPv4 VPC CIDR between /16 and /28; Amazon-provided IPv6 CIDR is a /56.

import type { Handler } from '../framework.js';
import { bool, int, paginate, str, strList } from '../framework.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { lookup, lookupAll } from './ids.js';
import { readTagSpecifications } from './tags.js';
import { dhcpOptionsIdOf, vpcCidrAssociationId, vpcIpv6AssociationId, vpcView } from './vpcViews.js';
import { readIpv4Cidr, subnetActions } from './subnets.js';
import { createVpc } from '../../state/build.js';
import { canonicalCidr, parseCidr } from '../../../core/cidr.js';
import type { RegionState, Vpc } from '../../state/types.js';

/** VPCs per Region: AWS's default quota. */
export const VPCS_PER_REGION = 5;

function vpcFilterValues(region: RegionState) {
  return (v: Vpc, name: string): (string | number | boolean | undefined)[] | undefined => {
    switch (name) {
      case 'vpc-id':
        return [v.vpcId];
      case 'cidr':
      case 'cidr-block':
      case 'cidrBlock':
      case 'cidr-block-association.cidr-block':
        return [v.cidrBlock];
      case 'cidr-block-association.association-id':
        return [vpcCidrAssociationId(v)];
      case 'cidr-block-association.state':
        return ['associated'];
      case 'ipv6-cidr-block-association.ipv6-cidr-block':
        return [v.ipv6CidrBlock];
      case 'ipv6-cidr-block-association.association-id':
        return v.ipv6CidrBlock ? [vpcIpv6AssociationId(v)] : [];
      case 'ipv6-cidr-block-association.state':
        return v.ipv6CidrBlock ? ['associated'] : [];
      case 'ipv6-cidr-block-association.ipv6-pool':
        return v.ipv6CidrBlock ? ['Amazon'] : [];
      case 'dhcp-options-id':
        return [dhcpOptionsIdOf(v.ownerId, region.name)];
      case 'is-default':
      case 'isDefault':
        return [v.isDefault];
      case 'owner-id':
        return [v.ownerId];
      case 'state':
        return [v.state];
      default:
        return undefined;
    }
  };
}

const describeVpcs: Handler = (ctx, p) => {
  const ids = strList(p, 'VpcId');
  const all = ctx.region.ec2.vpcs;
  let items = ids.length ? lookupAll('vpc', all, ids) : [...all.values()];
  items = applyFilters(items, readFilters(p), vpcFilterValues(ctx.region));
  const { page, nextToken } = paginate(items, int(p, 'MaxResults'), str(p, 'NextToken'), 5, 1000);
  return { vpcSet: page.map((v) => vpcView(ctx.region, v)), nextToken };
};

/** The next Amazon-provided /56, deterministic and unused in this Region. */
function amazonIpv6Block(ctx: Parameters<Handler>[0]): string {
  const used = new Set([...ctx.region.ec2.vpcs.values()].map((v) => v.ipv6CidrBlock));
  for (;;) {
    const h = ctx.world.ids.hex('ipv6pool', 6).slice(-6);
    const block = canonicalCidr(`2600:1f18:${h.slice(0, 4)}:${h.slice(4, 6)}00::/56`)!;
    if (!used.has(block)) return block;
  }
}

const createVpc_: Handler = (ctx, p) => {
  const cidr = str(p, 'CidrBlock');
  const ipamPool = str(p, 'Ipv4IpamPoolId');
  if (!cidr && !ipamPool)
    throw new AwsError('MissingParameter', "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.");
  if (ipamPool) throw new AwsError('InvalidIpamPoolId.NotFound', `The ipam pool ID '${ipamPool}' does not exist`);
  readIpv4Cidr(cidr!, 'cidrBlock');
  const prefix = parseCidr(cidr!)!.prefix;
  if (prefix < 16 || prefix > 28) throw new AwsError('InvalidVpc.Range', `The CIDR '${cidr}' is invalid.`);

  const amazonIpv6 = bool(p, 'AmazonProvidedIpv6CidrBlock') ?? false;
  const ipv6Cidr = str(p, 'Ipv6CidrBlock');
  const ipv6Pool = str(p, 'Ipv6Pool');
  const ipv6Ipam = str(p, 'Ipv6IpamPoolId');
  if (amazonIpv6 && (ipv6Cidr || ipv6Pool || ipv6Ipam)) {
    throw new AwsError(
      'InvalidParameterCombination',
      'The parameter amazonProvidedIpv6CidrBlock cannot be used with the parameter ipv6Pool, ipv6CidrBlock or ipv6IpamPoolId',
    );
  }
  if (ipv6Ipam) throw new AwsError('InvalidIpamPoolId.NotFound', `The ipam pool ID '${ipv6Ipam}' does not exist`);
  if (ipv6Cidr && !ipv6Pool) throw new AwsError('MissingParameter', 'The request must contain the parameter ipv6Pool');
  if (ipv6Pool) throw new AwsError('InvalidIpv6PoolID.NotFound', `The IPv6 pool '${ipv6Pool}' does not exist`);

  const tenancy = str(p, 'InstanceTenancy') ?? 'default';
  if (tenancy !== 'default' && tenancy !== 'dedicated') {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${tenancy}) for parameter instanceTenancy is invalid. Valid values: default, dedicated`,
    );
  }
  const tags = readTagSpecifications(p, 'vpc');
  if (ctx.region.ec2.vpcs.size >= VPCS_PER_REGION)
    throw new AwsError('VpcLimitExceeded', 'The maximum number of VPCs has been reached.');

  ctx.dryRunGate();
  const vpc = createVpc(ctx.world, ctx.region, ctx.accountId, {
    cidrBlock: cidr!,
    ipv6CidrBlock: amazonIpv6 ? amazonIpv6Block(ctx) : undefined,
    tags,
  });
  if (tenancy === 'dedicated') vpc.instanceTenancy = 'dedicated';
  return { vpc: vpcView(ctx.region, vpc, true) };
};

/** What keeps a VPC from being deleted (AWS: every subnet, gateway, non-default group/NACL/table must go first). */
function vpcDependencies(region: RegionState, vpcId: string): string[] {
  const ec2 = region.ec2;
  const deps: string[] = [];
  for (const s of ec2.subnets.values()) if (s.vpcId === vpcId) deps.push(s.subnetId);
  for (const g of ec2.securityGroups.values()) if (g.vpcId === vpcId && g.groupName !== 'default') deps.push(g.groupId);
  for (const a of ec2.networkAcls.values()) if (a.vpcId === vpcId && !a.isDefault) deps.push(a.networkAclId);
  for (const t of ec2.routeTables.values())
    if (t.vpcId === vpcId && !t.associations.some((x) => x.main)) deps.push(t.routeTableId);
  for (const g of ec2.internetGateways.values())
    if (g.attachments.some((x) => x.vpcId === vpcId)) deps.push(g.internetGatewayId);
  for (const n of ec2.natGateways.values()) if (n.vpcId === vpcId) deps.push(n.natGatewayId);
  for (const e of ec2.networkInterfaces.values()) if (e.vpcId === vpcId) deps.push(e.networkInterfaceId);
  for (const i of ec2.instances.values()) if (i.vpcId === vpcId && i.state !== 'terminated') deps.push(i.instanceId);
  for (const t of region.elb.targetGroups.values()) if (t.vpcId === vpcId) deps.push(t.targetGroupArn);
  return deps;
}

const deleteVpc: Handler = (ctx, p) => {
  const vpc = lookup('vpc', ctx.region.ec2.vpcs, str(p, 'VpcId'), 'vpcId');
  if (vpcDependencies(ctx.region, vpc.vpcId).length) {
    throw new AwsError('DependencyViolation', `The vpc '${vpc.vpcId}' has dependencies and cannot be deleted.`);
  }
  ctx.dryRunGate();
  const ec2 = ctx.region.ec2;
  for (const [id, g] of ec2.securityGroups) if (g.vpcId === vpc.vpcId) ec2.securityGroups.delete(id);
  for (const [id, a] of ec2.networkAcls) if (a.vpcId === vpc.vpcId) ec2.networkAcls.delete(id);
  for (const [id, t] of ec2.routeTables) if (t.vpcId === vpc.vpcId) ec2.routeTables.delete(id);
  ec2.vpcs.delete(vpc.vpcId);
  return { return: true };
};

export const vpcsActions: Record<string, Handler> = {
  DescribeVpcs: describeVpcs,
  CreateVpc: createVpc_,
  DeleteVpc: deleteVpc,
  ...subnetActions,
};
