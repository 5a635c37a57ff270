// EC2 routes: CreateRoute, ReplaceRoute, DeleteRoute, and the effective state of a route.
//
// A destination is one of DestinationCidrBlock (canonicalised), DestinationIpv6CidrBlock, DestinationPrefixListId;
// a target exactly one of GatewayId (igw-… attached to the table's VPC, or vgw-…), NatGatewayId,
// TransitGatewayId, VpcPeeringConnectionId, NetworkInterfaceId, EgressOnlyInternetGatewayId (IPv6 only) or
// InstanceId (single-interface instances). The local routes can be neither replaced nor deleted.
// A route is `blackhole` while its target cannot carry traffic: an internet gateway detached or deleted, a NAT
// gateway deleted, an ENI deleted or detached, an instance (or the instance of an ENI) not running. `routeState`
// derives it from the target's state on every read, and the data plane uses the same function, so DescribeRouteTables
// and the flows change at the same moment. Limit (AWS default): 50 non-propagated routes per table per address family.

import type { CallContext, Handler } from '../framework.js';
import { str } from '../framework.js';
import type { FormObject } from '../../protocol/form.js';
import { AwsError } from '../../errors.js';
import { lookup } from './ids.js';
import { canonicalCidr, parseCidr } from '../../../core/cidr.js';
import type { RegionState, Route, RouteTable } from '../../state/types.js';

export const ROUTES_PER_TABLE = 50;

type DestKey = 'destinationCidrBlock' | 'destinationIpv6CidrBlock' | 'destinationPrefixListId';
interface Destination {
  key: DestKey;
  value: string;
}

const TARGETS = [
  ['GatewayId', 'gatewayId'],
  ['NatGatewayId', 'natGatewayId'],
  ['TransitGatewayId', 'transitGatewayId'],
  ['VpcPeeringConnectionId', 'vpcPeeringConnectionId'],
  ['NetworkInterfaceId', 'networkInterfaceId'],
  ['EgressOnlyInternetGatewayId', 'egressOnlyInternetGatewayId'],
  ['InstanceId', 'instanceId'],
] as const;
const UNMODELLED_TARGETS = ['VpcEndpointId', 'LocalGatewayId', 'CarrierGatewayId', 'CoreNetworkArn', 'OdbNetworkArn'];
const TARGET_NAMES =
  'gatewayId, natGatewayId, networkInterfaceId, vpcPeeringConnectionId, egressOnlyInternetGatewayId, transitGatewayId or instanceId';

export function isLocalRoute(r: Route): boolean {
  return r.gatewayId === 'local';
}

/** The state AWS reports for a route: blackhole while its target cannot carry traffic. */
export function routeState(region: RegionState, table: RouteTable, r: Route): Route['state'] {
  const ec2 = region.ec2;
  const up = (ok: boolean): Route['state'] => (ok ? 'active' : 'blackhole');
  if (r.gatewayId?.startsWith('igw-')) {
    return up(
      !!ec2.internetGateways
        .get(r.gatewayId)
        ?.attachments.some((a) => a.vpcId === table.vpcId && (a.state === 'available' || a.state === 'attached')),
    );
  }
  if (r.natGatewayId) return up(ec2.natGateways.get(r.natGatewayId)?.state === 'available');
  if (r.instanceId && ec2.instances.get(r.instanceId)?.state !== 'running') return 'blackhole';
  if (r.networkInterfaceId) {
    const eni = ec2.networkInterfaces.get(r.networkInterfaceId);
    if (!eni) return 'blackhole';
    const att = eni.attachment;
    // An instance's ENI carries traffic while attached to a running instance; a service's (requester-managed) ENI
    // while in use.
    if (att) return up(att.status === 'attached' && ec2.instances.get(att.instanceId)?.state === 'running');
    return up(eni.status === 'in-use');
  }
  if (r.instanceId) return 'active';
  return r.state;
}

/** Re-derives the stored state of every route in the region (after a gateway or target changed). */
export function refreshRouteStates(region: RegionState): void {
  for (const t of region.ec2.routeTables.values()) for (const r of t.routes) r.state = routeState(region, t, r);
}

export function routeView(region: RegionState, table: RouteTable, r: Route) {
  return {
    destinationCidrBlock: r.destinationCidrBlock,
    destinationIpv6CidrBlock: r.destinationIpv6CidrBlock,
    destinationPrefixListId: r.destinationPrefixListId,
    egressOnlyInternetGatewayId: r.egressOnlyInternetGatewayId,
    gatewayId: r.gatewayId,
    instanceId: r.instanceId,
    instanceOwnerId: r.instanceId ? table.ownerId : undefined,
    natGatewayId: r.natGatewayId,
    transitGatewayId: r.transitGatewayId,
    networkInterfaceId: r.networkInterfaceId,
    origin: r.origin,
    state: routeState(region, table, r),
    vpcPeeringConnectionId: r.vpcPeeringConnectionId,
  };
}

function readDestination(p: FormObject): Destination {
  const given: Destination[] = [];
  const v4 = str(p, 'DestinationCidrBlock');
  const v6 = str(p, 'DestinationIpv6CidrBlock');
  const pl = str(p, 'DestinationPrefixListId');
  if (v4) given.push({ key: 'destinationCidrBlock', value: v4 });
  if (v6) given.push({ key: 'destinationIpv6CidrBlock', value: v6 });
  if (pl) given.push({ key: 'destinationPrefixListId', value: pl });
  if (given.length === 0)
    throw new AwsError(
      'MissingParameter',
      'The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock or destinationPrefixListId',
    );
  if (given.length > 1)
    throw new AwsError(
      'InvalidParameterCombination',
      'Only one of destinationCidrBlock, destinationIpv6CidrBlock or destinationPrefixListId may be given.',
    );
  const d = given[0]!;
  if (d.key === 'destinationPrefixListId') {
    if (!/^pl-[0-9a-f]{8,17}$/.test(d.value))
      throw new AwsError('InvalidPrefixListID.Malformed', `Invalid id: "${d.value}"`);
    return d;
  }
  const family = d.key === 'destinationCidrBlock' ? 4 : 6;
  const c = parseCidr(d.value);
  if (!c || c.family !== family)
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${d.value}) for parameter ${d.key} is invalid. This is not a valid CIDR block.`,
    );
  return { key: d.key, value: canonicalCidr(d.value)! };
}

function findRoute(table: RouteTable, d: Destination): Route | undefined {
  return table.routes.find((r) => r[d.key] === d.value);
}

function differentNetworks(table: RouteTable, id: string): AwsError {
  return new AwsError(
    'InvalidParameterValue',
    `route table ${table.routeTableId} and network gateway ${id} belong to different networks`,
  );
}

function checkFormat(id: string, prefix: string, code: string): void {
  if (!new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(id))
    throw new AwsError(code, `Invalid id: "${id}" (expecting "${prefix}-...")`);
}

/** Validates the single route target of a Create/ReplaceRoute request and returns the route's target fields. */
function readTarget(ctx: CallContext, table: RouteTable, p: FormObject, d: Destination): Partial<Route> {
  for (const k of UNMODELLED_TARGETS) {
    if (str(p, k)) throw new AwsError('InvalidParameterValue', `The simulator does not model ${k} route targets.`);
  }
  const given = TARGETS.filter(([param]) => str(p, param));
  if (given.length === 0)
    throw new AwsError('MissingParameter', `The request must contain exactly one of ${TARGET_NAMES}`);
  if (given.length > 1)
    throw new AwsError('InvalidParameterCombination', `The request must contain exactly one of ${TARGET_NAMES}`);
  const [param, field] = given[0]!;
  const id = str(p, param)!;
  const ec2 = ctx.region.ec2;
  switch (param) {
    case 'GatewayId': {
      if (id.startsWith('igw-')) {
        const igw = lookup('igw', ec2.internetGateways, id, 'gatewayId');
        if (!igw.attachments.some((a) => a.vpcId === table.vpcId)) throw differentNetworks(table, id);
      } else if (id.startsWith('vgw-')) {
        checkFormat(id, 'vgw', 'InvalidVpnGatewayID.Malformed');
      } else {
        throw new AwsError('InvalidGatewayID.NotFound', `The gateway ID '${id}' does not exist`);
      }
      break;
    }
    case 'NatGatewayId': {
      const nat = lookup('natgw', ec2.natGateways, id, 'natGatewayId');
      if (nat.vpcId !== table.vpcId) throw differentNetworks(table, id);
      break;
    }
    case 'TransitGatewayId':
      checkFormat(id, 'tgw', 'InvalidTransitGatewayID.Malformed');
      break;
    case 'VpcPeeringConnectionId':
      checkFormat(id, 'pcx', 'InvalidVpcPeeringConnectionID.Malformed');
      break;
    case 'EgressOnlyInternetGatewayId':
      checkFormat(id, 'eigw', 'InvalidEgressOnlyInternetGatewayId.Malformed');
      if (d.key !== 'destinationIpv6CidrBlock')
        throw new AwsError(
          'InvalidParameterValue',
          `Egress-only internet gateway ${id} can only be the target of an IPv6 route.`,
        );
      break;
    case 'NetworkInterfaceId': {
      const eni = lookup('eni', ec2.networkInterfaces, id, 'networkInterfaceId');
      if (eni.vpcId !== table.vpcId) throw differentNetworks(table, id);
      break;
    }
    case 'InstanceId': {
      const inst = lookup('instance', ec2.instances, id, 'instanceId');
      if (inst.vpcId !== table.vpcId) throw differentNetworks(table, id);
      if (inst.networkInterfaceIds.length !== 1) {
        throw new AwsError(
          'InvalidInstanceID',
          `There are multiple interfaces attached to instance '${id}'. Please specify an interface ID for the operation instead.`,
        );
      }
      return { instanceId: id, networkInterfaceId: inst.networkInterfaceIds[0] };
    }
  }
  return { [field]: id };
}

function readTable(ctx: CallContext, p: FormObject): RouteTable {
  const id = str(p, 'RouteTableId');
  if (!id) throw new AwsError('MissingParameter', 'The request must contain the parameter routeTableId');
  return lookup('rtb', ctx.region.ec2.routeTables, id, 'routeTableId');
}

const createRoute: Handler = (ctx, p) => {
  const table = readTable(ctx, p);
  const d = readDestination(p);
  const target = readTarget(ctx, table, p, d);
  if (findRoute(table, d))
    throw new AwsError('RouteAlreadyExists', `The route identified by ${d.value} already exists.`);
  const sameFamily = table.routes.filter((r) => !isLocalRoute(r) && !!r[d.key]).length;
  if (sameFamily >= ROUTES_PER_TABLE)
    throw new AwsError(
      'RouteLimitExceeded',
      `The maximum number of routes (${ROUTES_PER_TABLE}) in ${table.routeTableId} has been reached.`,
    );
  ctx.dryRunGate();
  const route: Route = { [d.key]: d.value, ...target, state: 'active', origin: 'CreateRoute' };
  route.state = routeState(ctx.region, table, route);
  table.routes.push(route);
  return { return: true };
};

const replaceRoute: Handler = (ctx, p) => {
  const table = readTable(ctx, p);
  const d = readDestination(p);
  const old = findRoute(table, d);
  if (!old)
    throw new AwsError(
      'InvalidParameterValue',
      `There is no route defined for '${d.value}' in the route table. Use CreateRoute instead.`,
    );
  if (isLocalRoute(old))
    throw new AwsError(
      'InvalidParameterValue',
      `cannot replace local route ${d.value} in route table ${table.routeTableId}`,
    );
  const target = readTarget(ctx, table, p, d);
  ctx.dryRunGate();
  const route: Route = { [d.key]: d.value, ...target, state: 'active', origin: 'CreateRoute' };
  route.state = routeState(ctx.region, table, route);
  table.routes[table.routes.indexOf(old)] = route;
  return { return: true };
};

const deleteRoute: Handler = (ctx, p) => {
  const table = readTable(ctx, p);
  const d = readDestination(p);
  const old = findRoute(table, d);
  if (!old)
    throw new AwsError(
      'InvalidRoute.NotFound',
      `No route with destination-cidr-block ${d.value} in route table ${table.routeTableId}`,
    );
  if (isLocalRoute(old))
    throw new AwsError(
      'InvalidParameterValue',
      `cannot remove local route ${d.value} in route table ${table.routeTableId}`,
    );
  ctx.dryRunGate();
  table.routes = table.routes.filter((r) => r !== old);
  return { return: true };
};

export const routeActions: Record<string, Handler> = {
  CreateRoute: createRoute,
  ReplaceRoute: replaceRoute,
  DeleteRoute: deleteRoute,
};
