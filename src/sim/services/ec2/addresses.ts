// Elastic IP addresses (VPC domain): Allocate, Describe, Associate, Disassociate, Release. An association lives on
// both sides — the Address record and the ENI's privateIpAddresses[].association — kept in sync by lifecycle.ts.
// AWS facts: 5 Elastic IPs per Region by default; the VPC needs an attached internet gateway; an associated
// address in a nondefault VPC cannot be released (InvalidIPAddress.InUse); reassociation needs AllowReassociation.

import type { CallContext, Handler } from '../framework.js';
import { bool, str, strList, tagSet } from '../framework.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { lookup, lookupAll } from './ids.js';
import { readTagSpecifications } from './tags.js';
import { checkTagTypes } from './eniRules.js';
import {
  addressByAssociation,
  assignAutoPublicIp,
  enisOf,
  linkAddress,
  shownState,
  unlinkAddress,
} from './lifecycle.js';
import { allocatePublicIp } from '../../state/build.js';
import { parseIp } from '../../../core/cidr.js';
import type { Address, NetworkInterface, RegionState } from '../../state/types.js';

/** Elastic IP addresses per Region: AWS's default quota. */
export const ADDRESSES_PER_REGION = 5;

function addressView(region: RegionState, a: Address) {
  return {
    publicIp: a.publicIp,
    allocationId: a.allocationId,
    domain: a.domain,
    associationId: a.associationId,
    instanceId: a.instanceId,
    networkInterfaceId: a.networkInterfaceId,
    networkInterfaceOwnerId: a.networkInterfaceOwnerId,
    privateIpAddress: a.privateIpAddress,
    tagSet: tagSet(a.tags),
    publicIpv4Pool: 'amazon',
    networkBorderGroup: region.name,
  };
}

function publicIpInUse(region: RegionState, ip: string): boolean {
  for (const a of region.ec2.addresses.values()) if (a.publicIp === ip) return true;
  for (const e of region.ec2.networkInterfaces.values())
    if (e.privateIpAddresses.some((p) => p.association?.publicIp === ip)) return true;
  return false;
}

const allocateAddress: Handler = (ctx, p) => {
  const region = ctx.region;
  const domain = str(p, 'Domain') ?? 'vpc';
  if (domain !== 'vpc') {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${domain}) for parameter domain is invalid. EC2-Classic is retired: only 'vpc' is supported.`,
    );
  }
  const pool = str(p, 'PublicIpv4Pool');
  if (pool !== undefined && pool !== 'amazon')
    throw new AwsError('InvalidPublicIpv4PoolID.NotFound', `The public IPv4 pool '${pool}' does not exist`);
  const border = str(p, 'NetworkBorderGroup');
  if (border !== undefined && border !== region.name)
    throw new AwsError('InvalidParameterValue', `Invalid network border group '${border}' for region ${region.name}.`);
  const wanted = str(p, 'Address');
  if (wanted !== undefined) {
    if (parseIp(wanted)?.family !== 4)
      throw new AwsError('InvalidParameterValue', `Invalid value '${wanted}' for Address.`);
    if (publicIpInUse(region, wanted))
      throw new AwsError('InvalidAddress.NotFound', `Address '${wanted}' is not available to recover.`);
  }
  if (region.ec2.addresses.size >= ADDRESSES_PER_REGION) {
    throw new AwsError('AddressLimitExceeded', 'The maximum number of addresses has been reached.');
  }
  checkTagTypes(p, ['elastic-ip']);
  const tags = readTagSpecifications(p, 'elastic-ip');
  ctx.dryRunGate();
  const a: Address = {
    allocationId: ctx.world.ids.hex('eipalloc'),
    publicIp: wanted ?? allocatePublicIp(ctx.world, region),
    domain: 'vpc',
    tags,
  };
  region.ec2.addresses.set(a.allocationId, a);
  return {
    publicIp: a.publicIp,
    allocationId: a.allocationId,
    publicIpv4Pool: 'amazon',
    networkBorderGroup: region.name,
    domain: a.domain,
  };
};

const describeAddresses: Handler = (ctx, p) => {
  const region = ctx.region;
  const allocationIds = strList(p, 'AllocationId');
  const publicIps = strList(p, 'PublicIp');
  let items = allocationIds.length
    ? lookupAll('eipalloc', region.ec2.addresses, [...new Set(allocationIds)])
    : [...region.ec2.addresses.values()];
  if (publicIps.length) {
    const all = [...region.ec2.addresses.values()];
    for (const ip of publicIps)
      if (!all.some((a) => a.publicIp === ip))
        throw new AwsError('InvalidAddress.NotFound', `Address '${ip}' not found.`);
    items = items.filter((a) => publicIps.includes(a.publicIp));
  }
  items = applyFilters(items, readFilters(p), (a, name) => {
    switch (name) {
      case 'allocation-id':
        return [a.allocationId];
      case 'association-id':
        return [a.associationId];
      case 'domain':
        return [a.domain];
      case 'instance-id':
        return [a.instanceId];
      case 'network-border-group':
        return [region.name];
      case 'network-interface-id':
        return [a.networkInterfaceId];
      case 'network-interface-owner-id':
        return [a.networkInterfaceOwnerId];
      case 'private-ip-address':
        return [a.privateIpAddress];
      case 'public-ip':
        return [a.publicIp];
      case 'public-ipv4-pool':
        return ['amazon'];
      default:
        return undefined;
    }
  });
  return { addressesSet: items.map((a) => addressView(region, a)) };
};

function hasInternetGateway(region: RegionState, vpcId: string): boolean {
  for (const g of region.ec2.internetGateways.values())
    if (g.attachments.some((a) => a.vpcId === vpcId && (a.state === 'available' || a.state === 'attached')))
      return true;
  return false;
}

function targetEni(ctx: CallContext, instanceId: string | undefined, eniId: string | undefined): NetworkInterface {
  if (instanceId && eniId)
    throw new AwsError(
      'InvalidParameterCombination',
      'You can specify either an instance ID or a network interface ID, but not both.',
    );
  if (eniId) return lookup('eni', ctx.region.ec2.networkInterfaces, eniId, 'NetworkInterfaceId');
  if (!instanceId)
    throw new AwsError('MissingParameter', 'Either an instance ID or a network interface ID must be specified.');
  const inst = lookup('instance', ctx.region.ec2.instances, instanceId, 'InstanceId');
  const state = shownState(ctx.world, inst);
  if (state !== 'running' && state !== 'stopped') {
    throw new AwsError(
      'IncorrectInstanceState',
      `The instance '${inst.instanceId}' is not in a valid state for this operation.`,
    );
  }
  const enis = enisOf(ctx.region, inst);
  if (enis.length > 1) {
    throw new AwsError(
      'InvalidInstanceID',
      `There are multiple interfaces attached to instance '${inst.instanceId}'. Please specify an interface ID for the operation instead.`,
    );
  }
  if (!enis[0]) throw new AwsError('InvalidInstanceID', `Instance '${inst.instanceId}' has no network interface.`);
  return enis[0];
}

const associateAddress: Handler = (ctx, p) => {
  const region = ctx.region;
  const allocationId = str(p, 'AllocationId');
  if (!allocationId) {
    if (str(p, 'PublicIp'))
      throw new AwsError(
        'InvalidParameterValue',
        'You must specify an allocation id when mapping an address to a VPC instance',
      );
    throw new AwsError('MissingParameter', 'The request must contain the parameter AllocationId');
  }
  const addr = lookup('eipalloc', region.ec2.addresses, allocationId, 'AllocationId');
  const eni = targetEni(ctx, str(p, 'InstanceId'), str(p, 'NetworkInterfaceId'));
  if (eni.requesterManaged)
    throw new AwsError(
      'OperationNotPermitted',
      `Network interface '${eni.networkInterfaceId}' is managed by another AWS service.`,
    );
  if (!hasInternetGateway(region, eni.vpcId))
    throw new AwsError('Gateway.NotAttached', `Network ${eni.vpcId} is not attached to any internet gateway`);
  const primary = eni.privateIpAddresses.find((x) => x.primary)!;
  const privateIp = str(p, 'PrivateIpAddress') ?? primary.privateIpAddress;
  if (!eni.privateIpAddresses.some((x) => x.privateIpAddress === privateIp)) {
    throw new AwsError(
      'InvalidParameterValue',
      `The private IP address ${privateIp} is not assigned to network interface ${eni.networkInterfaceId}.`,
    );
  }
  const same = addr.networkInterfaceId === eni.networkInterfaceId && addr.privateIpAddress === privateIp;
  if (addr.associationId && !same && !(bool(p, 'AllowReassociation') ?? false)) {
    throw new AwsError(
      'Resource.AlreadyAssociated',
      `resource ${addr.allocationId} is already associated with associate-id ${addr.associationId}`,
    );
  }
  ctx.dryRunGate();
  if (same && addr.associationId) return { associationId: addr.associationId };
  if (addr.associationId) unlinkAddress(region, addr);
  return { associationId: linkAddress(ctx.world, region, addr, eni, privateIp, ctx.accountId) };
};

const disassociateAddress: Handler = (ctx, p) => {
  const region = ctx.region;
  const associationId = str(p, 'AssociationId');
  if (!associationId) {
    if (str(p, 'PublicIp'))
      throw new AwsError(
        'InvalidParameterValue',
        'You must specify an association id when unmapping an address from a VPC instance',
      );
    throw new AwsError('MissingParameter', 'The request must contain the parameter AssociationId');
  }
  const addr = addressByAssociation(region, associationId);
  if (!addr)
    throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
  ctx.dryRunGate();
  const inst = addr.instanceId ? region.ec2.instances.get(addr.instanceId) : undefined;
  unlinkAddress(region, addr);
  // An instance launched with a public IP gets a new one when its Elastic IP goes (single-ENI, running).
  if (inst && shownState(ctx.world, inst) === 'running') assignAutoPublicIp(ctx.world, region, inst);
  return { return: true };
};

const releaseAddress: Handler = (ctx, p) => {
  const region = ctx.region;
  const allocationId = str(p, 'AllocationId');
  if (!allocationId) {
    if (str(p, 'PublicIp'))
      throw new AwsError(
        'InvalidParameterValue',
        'You must specify an allocation id when releasing a VPC elastic IP address',
      );
    throw new AwsError('MissingParameter', 'The request must contain the parameter AllocationId');
  }
  const addr = lookup('eipalloc', region.ec2.addresses, allocationId, 'AllocationId');
  if (addr.associationId) {
    const eni = addr.networkInterfaceId ? region.ec2.networkInterfaces.get(addr.networkInterfaceId) : undefined;
    const defaultVpc = eni ? region.ec2.vpcs.get(eni.vpcId)?.isDefault : false;
    if (!defaultVpc) throw new AwsError('InvalidIPAddress.InUse', `Address ${addr.allocationId} is in use.`);
  }
  ctx.dryRunGate();
  if (addr.associationId) unlinkAddress(region, addr);
  region.ec2.addresses.delete(addr.allocationId);
  return { return: true };
};

export const addressesActions: Record<string, Handler> = {
  AllocateAddress: allocateAddress,
  DescribeAddresses: describeAddresses,
  AssociateAddress: associateAddress,
  DisassociateAddress: disassociateAddress,
  ReleaseAddress: releaseAddress,
};
