// EC2 internet gateway actions: DescribeInternetGateways, CreateInternetGateway, AttachInternetGateway,
// DetachInternetGateway, DeleteInternetGateway; and DescribeNatGateways, DeleteNatGateway.
//
// Detach fails with DependencyViolation while any network interface in the VPC has a public IPv4 address or an
// Elastic IP mapped (instances, NAT gateways, load balancers …), with AWS's exact message. An attached gateway's
// attachment state reads `available`, as AWS reports it. Routes to a detached or deleted gateway turn blackhole, and
// so do routes to a deleted NAT gateway (AWS keeps the routes; its Elastic IP is disassociated, not released). The
// simulator forgets a deleted NAT gateway at once, where AWS lists it as `deleted` for about an hour.
// Limit (AWS default): 5 internet gateways per Region.

import type { Handler } from '../framework.js';
import { int, paginate, reqStr, str, strList, tagSet } from '../framework.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { lookup, lookupAll } from './ids.js';
import { readTagSpecifications } from './tags.js';
import { refreshRouteStates } from './routes.js';
import { deleteEni } from './lifecycle.js';
import type { XmlData } from '../../protocol/xml.js';
import type { InternetGateway, NatGateway, RegionState } from '../../state/types.js';

export const INTERNET_GATEWAYS_PER_REGION = 5;

function igwView(g: InternetGateway): XmlData {
  return {
    internetGatewayId: g.internetGatewayId,
    ownerId: g.ownerId,
    attachmentSet: g.attachments.map((a) => ({ vpcId: a.vpcId, state: a.state })),
    tagSet: tagSet(g.tags),
  };
}

function igwFilterValues(g: InternetGateway, name: string): (string | number | boolean | undefined)[] | undefined {
  switch (name) {
    case 'internet-gateway-id':
      return [g.internetGatewayId];
    case 'attachment.vpc-id':
      return g.attachments.map((a) => a.vpcId);
    case 'attachment.state':
      return g.attachments.map((a) => a.state);
    case 'owner-id':
      return [g.ownerId];
    default:
      return undefined;
  }
}

const describeInternetGateways: Handler = (ctx, p) => {
  const ids = strList(p, 'InternetGatewayId');
  const all = ctx.region.ec2.internetGateways;
  let items = ids.length ? lookupAll('igw', all, ids) : [...all.values()];
  items = applyFilters(items, readFilters(p), igwFilterValues);
  const { page, nextToken } = paginate(items, int(p, 'MaxResults'), str(p, 'NextToken'), 5, 1000);
  return { internetGatewaySet: page.map(igwView), nextToken };
};

const createInternetGateway: Handler = (ctx, p) => {
  const tags = readTagSpecifications(p, 'internet-gateway');
  if (ctx.region.ec2.internetGateways.size >= INTERNET_GATEWAYS_PER_REGION) {
    throw new AwsError(
      'InternetGatewayLimitExceeded',
      `The maximum number of internet gateways (${INTERNET_GATEWAYS_PER_REGION}) has been reached.`,
    );
  }
  ctx.dryRunGate();
  const g: InternetGateway = {
    internetGatewayId: ctx.world.ids.hex('igw'),
    ownerId: ctx.accountId,
    attachments: [],
    tags,
  };
  ctx.region.ec2.internetGateways.set(g.internetGatewayId, g);
  return { internetGateway: igwView(g) };
};

const attachInternetGateway: Handler = (ctx, p) => {
  const g = lookup('igw', ctx.region.ec2.internetGateways, reqStr(p, 'InternetGatewayId'), 'internetGatewayId');
  const vpc = lookup('vpc', ctx.region.ec2.vpcs, reqStr(p, 'VpcId'), 'vpcId');
  const current = g.attachments[0];
  if (current)
    throw new AwsError(
      'Resource.AlreadyAssociated',
      `resource ${g.internetGatewayId} is already attached to network ${current.vpcId}`,
    );
  const other = [...ctx.region.ec2.internetGateways.values()].find((x) =>
    x.attachments.some((a) => a.vpcId === vpc.vpcId),
  );
  if (other)
    throw new AwsError(
      'Resource.AlreadyAssociated',
      `Network ${vpc.vpcId} already has an internet gateway attached (${other.internetGatewayId})`,
    );
  ctx.dryRunGate();
  g.attachments = [{ vpcId: vpc.vpcId, state: 'available' }];
  refreshRouteStates(ctx.region);
  return { return: true };
};

/** Public addresses (auto-assigned or Elastic) mapped to network interfaces in the VPC. */
export function mappedPublicAddresses(region: RegionState, vpcId: string): string[] {
  const out: string[] = [];
  for (const eni of region.ec2.networkInterfaces.values()) {
    if (eni.vpcId !== vpcId) continue;
    for (const ip of eni.privateIpAddresses) if (ip.association) out.push(ip.association.publicIp);
  }
  return out;
}

const detachInternetGateway: Handler = (ctx, p) => {
  const g = lookup('igw', ctx.region.ec2.internetGateways, reqStr(p, 'InternetGatewayId'), 'internetGatewayId');
  const vpc = lookup('vpc', ctx.region.ec2.vpcs, reqStr(p, 'VpcId'), 'vpcId');
  if (!g.attachments.some((a) => a.vpcId === vpc.vpcId)) {
    throw new AwsError(
      'Gateway.NotAttached',
      `resource ${g.internetGatewayId} is not attached to network ${vpc.vpcId}`,
    );
  }
  if (mappedPublicAddresses(ctx.region, vpc.vpcId).length) {
    throw new AwsError(
      'DependencyViolation',
      `Network ${vpc.vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
    );
  }
  ctx.dryRunGate();
  g.attachments = g.attachments.filter((a) => a.vpcId !== vpc.vpcId);
  refreshRouteStates(ctx.region);
  return { return: true };
};

const deleteInternetGateway: Handler = (ctx, p) => {
  const g = lookup('igw', ctx.region.ec2.internetGateways, reqStr(p, 'InternetGatewayId'), 'internetGatewayId');
  if (g.attachments.length)
    throw new AwsError(
      'DependencyViolation',
      `The internetGateway '${g.internetGatewayId}' has dependencies and cannot be deleted.`,
    );
  ctx.dryRunGate();
  ctx.region.ec2.internetGateways.delete(g.internetGatewayId);
  refreshRouteStates(ctx.region);
  return { return: true };
};

function natView(region: RegionState, n: NatGateway): XmlData {
  const eip = [...region.ec2.addresses.values()].find((a) => a.networkInterfaceId === n.networkInterfaceId);
  return {
    natGatewayId: n.natGatewayId,
    subnetId: n.subnetId,
    vpcId: n.vpcId,
    state: n.state,
    connectivityType: n.publicIp ? 'public' : 'private',
    natGatewayAddressSet: [
      {
        allocationId: eip?.allocationId,
        associationId: eip?.associationId,
        networkInterfaceId: n.networkInterfaceId,
        privateIp: n.privateIp,
        publicIp: n.publicIp,
        isPrimary: true,
        status: 'succeeded',
      },
    ],
    tagSet: tagSet(n.tags),
  };
}

function natFilterValues(n: NatGateway, name: string): (string | number | boolean | undefined)[] | undefined {
  switch (name) {
    case 'nat-gateway-id':
      return [n.natGatewayId];
    case 'state':
      return [n.state];
    case 'subnet-id':
      return [n.subnetId];
    case 'vpc-id':
      return [n.vpcId];
    default:
      return undefined;
  }
}

const describeNatGateways: Handler = (ctx, p) => {
  const ids = strList(p, 'NatGatewayId');
  const all = ctx.region.ec2.natGateways;
  let items = ids.length ? lookupAll('natgw', all, ids) : [...all.values()];
  items = applyFilters(items, readFilters(p), natFilterValues);
  const { page, nextToken } = paginate(items, int(p, 'MaxResults'), str(p, 'NextToken'), 5, 1000);
  return { natGatewaySet: page.map((n) => natView(ctx.region, n)), nextToken };
};

const deleteNatGateway: Handler = (ctx, p) => {
  const nat = lookup('natgw', ctx.region.ec2.natGateways, reqStr(p, 'NatGatewayId'), 'natGatewayId');
  ctx.dryRunGate();
  const eni = ctx.region.ec2.networkInterfaces.get(nat.networkInterfaceId);
  if (eni) deleteEni(ctx.region, eni);
  ctx.region.ec2.natGateways.delete(nat.natGatewayId);
  refreshRouteStates(ctx.region);
  return { natGatewayId: nat.natGatewayId };
};

export const internetGatewaysActions: Record<string, Handler> = {
  DescribeInternetGateways: describeInternetGateways,
  CreateInternetGateway: createInternetGateway,
  AttachInternetGateway: attachInternetGateway,
  DetachInternetGateway: detachInternetGateway,
  DeleteInternetGateway: deleteInternetGateway,
  DescribeNatGateways: describeNatGateways,
  DeleteNatGateway: deleteNatGateway,
};
