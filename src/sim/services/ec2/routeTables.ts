// EC2 route table actions: DescribeRouteTables, CreateRouteTable, DeleteRouteTable, AssociateRouteTable,
// DisassociateRouteTable, ReplaceRouteTableAssociation (routes: routes.ts).
//
// A subnet without an explicit association uses the VPC's main table implicitly (it has no association id).
// ReplaceRouteTableAssociation also moves the main association to another table. Every replace answers a new
// association id; the old one stops existing. Limit (AWS default): 200 route tables per VPC.

import type { CallContext, Handler } from '../framework.js';
import { int, paginate, reqStr, str, strList, tagSet } from '../framework.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { lookup, lookupAll } from './ids.js';
import { readTagSpecifications } from './tags.js';
import { routeActions, routeState, routeView } from './routes.js';
import { localRoutes } from '../../state/build.js';
import type { XmlData } from '../../protocol/xml.js';
import type { RegionState, RouteTable, RouteTableAssociation } from '../../state/types.js';

export const ROUTE_TABLES_PER_VPC = 200;

function associationView(a: RouteTableAssociation): XmlData {
  return {
    main: a.main,
    routeTableAssociationId: a.routeTableAssociationId,
    routeTableId: a.routeTableId,
    subnetId: a.subnetId,
    gatewayId: a.gatewayId,
    associationState: { state: a.associationState.state },
  };
}

export function routeTableView(region: RegionState, t: RouteTable): XmlData {
  return {
    routeTableId: t.routeTableId,
    vpcId: t.vpcId,
    ownerId: t.ownerId,
    routeSet: t.routes.map((r) => routeView(region, t, r)),
    associationSet: t.associations.map(associationView),
    propagatingVgwSet: [],
    tagSet: tagSet(t.tags),
  };
}

function routeTableFilterValues(region: RegionState) {
  return (t: RouteTable, name: string): (string | number | boolean | undefined)[] | undefined => {
    const routes = (
      key:
        | 'gatewayId'
        | 'destinationCidrBlock'
        | 'destinationIpv6CidrBlock'
        | 'destinationPrefixListId'
        | 'natGatewayId'
        | 'transitGatewayId'
        | 'vpcPeeringConnectionId'
        | 'egressOnlyInternetGatewayId'
        | 'networkInterfaceId'
        | 'instanceId'
        | 'origin',
    ) => t.routes.map((r) => r[key]);
    switch (name) {
      case 'route-table-id':
        return [t.routeTableId];
      case 'vpc-id':
        return [t.vpcId];
      case 'owner-id':
        return [t.ownerId];
      case 'association.subnet-id':
        return t.associations.map((a) => a.subnetId);
      case 'association.gateway-id':
        return t.associations.map((a) => a.gatewayId);
      case 'association.main':
        return t.associations.map((a) => a.main);
      case 'association.route-table-association-id':
        return t.associations.map((a) => a.routeTableAssociationId);
      case 'association.route-table-id':
        return t.associations.map((a) => a.routeTableId);
      case 'association.association-state':
        return t.associations.map((a) => a.associationState.state);
      case 'route.gateway-id':
        return routes('gatewayId');
      case 'route.destination-cidr-block':
        return routes('destinationCidrBlock');
      case 'route.destination-ipv6-cidr-block':
        return routes('destinationIpv6CidrBlock');
      case 'route.destination-prefix-list-id':
        return routes('destinationPrefixListId');
      case 'route.nat-gateway-id':
        return routes('natGatewayId');
      case 'route.transit-gateway-id':
        return routes('transitGatewayId');
      case 'route.vpc-peering-connection-id':
        return routes('vpcPeeringConnectionId');
      case 'route.egress-only-internet-gateway-id':
        return routes('egressOnlyInternetGatewayId');
      case 'route.network-interface-id':
        return routes('networkInterfaceId');
      case 'route.instance-id':
        return routes('instanceId');
      case 'route.origin':
        return routes('origin');
      case 'route.state':
        return t.routes.map((r) => routeState(region, t, r));
      default:
        return undefined;
    }
  };
}

const describeRouteTables: Handler = (ctx, p) => {
  const ids = strList(p, 'RouteTableId');
  const all = ctx.region.ec2.routeTables;
  let items = ids.length ? lookupAll('rtb', all, ids) : [...all.values()];
  items = applyFilters(items, readFilters(p), routeTableFilterValues(ctx.region));
  const { page, nextToken } = paginate(items, int(p, 'MaxResults'), str(p, 'NextToken'), 5, 100);
  return { routeTableSet: page.map((t) => routeTableView(ctx.region, t)), nextToken };
};

const createRouteTable: Handler = (ctx, p) => {
  const vpc = lookup('vpc', ctx.region.ec2.vpcs, reqStr(p, 'VpcId'), 'vpcId');
  const tags = readTagSpecifications(p, 'route-table');
  const inVpc = [...ctx.region.ec2.routeTables.values()].filter((t) => t.vpcId === vpc.vpcId).length;
  if (inVpc >= ROUTE_TABLES_PER_VPC)
    throw new AwsError(
      'RouteTableLimitExceeded',
      `The maximum number of route tables (${ROUTE_TABLES_PER_VPC}) for ${vpc.vpcId} has been reached.`,
    );
  ctx.dryRunGate();
  const t: RouteTable = {
    routeTableId: ctx.world.ids.hex('rtb'),
    ownerId: ctx.accountId,
    vpcId: vpc.vpcId,
    routes: localRoutes(vpc),
    associations: [],
    tags,
  };
  ctx.region.ec2.routeTables.set(t.routeTableId, t);
  return { routeTable: routeTableView(ctx.region, t) };
};

const deleteRouteTable: Handler = (ctx, p) => {
  const t = lookup('rtb', ctx.region.ec2.routeTables, reqStr(p, 'RouteTableId'), 'routeTableId');
  if (t.associations.length)
    throw new AwsError(
      'DependencyViolation',
      `The routeTable '${t.routeTableId}' has dependencies and cannot be deleted.`,
    );
  ctx.dryRunGate();
  ctx.region.ec2.routeTables.delete(t.routeTableId);
  return { return: true };
};

function findAssociation(
  region: RegionState,
  associationId: string,
): { table: RouteTable; assoc: RouteTableAssociation } {
  for (const table of region.ec2.routeTables.values()) {
    const assoc = table.associations.find((a) => a.routeTableAssociationId === associationId);
    if (assoc) return { table, assoc };
  }
  throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
}

function explicitAssociation(
  region: RegionState,
  match: (a: RouteTableAssociation) => boolean,
): RouteTableAssociation | undefined {
  for (const t of region.ec2.routeTables.values()) {
    const a = t.associations.find(match);
    if (a) return a;
  }
  return undefined;
}

function newAssociation(
  ctx: CallContext,
  table: RouteTable,
  spec: { subnetId?: string; gatewayId?: string; main: boolean },
): RouteTableAssociation {
  const a: RouteTableAssociation = {
    routeTableAssociationId: ctx.world.ids.hex('rtbassoc'),
    routeTableId: table.routeTableId,
    ...spec,
    associationState: { state: 'associated' },
  };
  table.associations.push(a);
  return a;
}

const associateRouteTable: Handler = (ctx, p) => {
  const table = lookup('rtb', ctx.region.ec2.routeTables, reqStr(p, 'RouteTableId'), 'routeTableId');
  const subnetId = str(p, 'SubnetId');
  const gatewayId = str(p, 'GatewayId');
  if (!subnetId && !gatewayId)
    throw new AwsError('MissingParameter', 'The request must contain the parameter subnetId or gatewayId');
  if (subnetId && gatewayId)
    throw new AwsError(
      'InvalidParameterCombination',
      'The parameter subnetId cannot be used with the parameter gatewayId',
    );
  const conflict = (): AwsError =>
    new AwsError(
      'Resource.AlreadyAssociated',
      `the specified association for route table ${table.routeTableId} conflicts with an existing association`,
    );
  if (subnetId) {
    const subnet = lookup('subnet', ctx.region.ec2.subnets, subnetId, 'subnetId');
    if (subnet.vpcId !== table.vpcId)
      throw new AwsError(
        'InvalidParameterValue',
        `Route table ${table.routeTableId} and subnet ${subnet.subnetId} belong to different networks`,
      );
    if (explicitAssociation(ctx.region, (a) => a.subnetId === subnet.subnetId)) throw conflict();
  } else {
    const igw = lookup('igw', ctx.region.ec2.internetGateways, gatewayId, 'gatewayId');
    if (!igw.attachments.some((a) => a.vpcId === table.vpcId)) {
      throw new AwsError(
        'InvalidParameterValue',
        `Route table ${table.routeTableId} and gateway ${igw.internetGatewayId} belong to different networks`,
      );
    }
    if (explicitAssociation(ctx.region, (a) => a.gatewayId === igw.internetGatewayId)) throw conflict();
  }
  ctx.dryRunGate();
  const a = newAssociation(ctx, table, { subnetId, gatewayId, main: false });
  return { associationId: a.routeTableAssociationId, associationState: { state: 'associated' } };
};

const disassociateRouteTable: Handler = (ctx, p) => {
  const { table, assoc } = findAssociation(ctx.region, reqStr(p, 'AssociationId'));
  if (assoc.main)
    throw new AwsError(
      'InvalidParameterValue',
      `cannot disassociate the main route table association ${assoc.routeTableAssociationId}`,
    );
  ctx.dryRunGate();
  table.associations = table.associations.filter((a) => a !== assoc);
  return { return: true };
};

const replaceRouteTableAssociation: Handler = (ctx, p) => {
  const associationId = reqStr(p, 'AssociationId');
  const target = lookup('rtb', ctx.region.ec2.routeTables, reqStr(p, 'RouteTableId'), 'routeTableId');
  const { table, assoc } = findAssociation(ctx.region, associationId);
  if (target.vpcId !== table.vpcId) {
    throw new AwsError(
      'InvalidParameterValue',
      `Route table association ${associationId} and route table ${target.routeTableId} belong to different networks`,
    );
  }
  ctx.dryRunGate();
  table.associations = table.associations.filter((a) => a !== assoc);
  const a = newAssociation(ctx, target, { subnetId: assoc.subnetId, gatewayId: assoc.gatewayId, main: assoc.main });
  return { newAssociationId: a.routeTableAssociationId, associationState: { state: 'associated' } };
};

export const routeTablesActions: Record<string, Handler> = {
  DescribeRouteTables: describeRouteTables,
  CreateRouteTable: createRouteTable,
  DeleteRouteTable: deleteRouteTable,
  AssociateRouteTable: associateRouteTable,
  DisassociateRouteTable: disassociateRouteTable,
  ReplaceRouteTableAssociation: replaceRouteTableAssociation,
  ...routeActions,
};
