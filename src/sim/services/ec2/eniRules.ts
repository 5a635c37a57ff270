// Validation shared by the calls that create or change network interfaces (CreateNetworkInterface, RunInstances,
// ModifyNetworkInterfaceAttribute, ModifyInstanceAttribute): security groups, conntrack timeouts, addresses.

import type { FormObject } from '../../protocol/form.js';
import { int, objList, str, strList } from '../framework.js';
import { AwsError } from '../../errors.js';
import { lookupAll } from './ids.js';
import { allocatePrivateIp } from '../../state/build.js';
import { cidrContains, nthAddress, parseCidr, parseIp } from '../../../core/cidr.js';
import type { ConnectionTracking, RegionState, SecurityGroup, Subnet } from '../../state/types.js';

/** Security groups per network interface: AWS's default quota (adjustable to 16). */
export const GROUPS_PER_ENI = 5;

/**
 * Resolves security group ids for an interface in `vpcId`: at most GROUPS_PER_ENI distinct groups, all existing,
 * all in that VPC. `mismatch` builds the error for a group of another VPC (its wording differs per action).
 */
export function resolveGroups(
  region: RegionState,
  vpcId: string,
  ids: string[],
  mismatch: (g: SecurityGroup) => AwsError,
): SecurityGroup[] {
  const unique = [...new Set(ids)];
  if (unique.length > GROUPS_PER_ENI) {
    throw new AwsError(
      'SecurityGroupsPerInterfaceLimitExceeded',
      `The maximum number of security groups per interface (${GROUPS_PER_ENI}) has been reached.`,
    );
  }
  const groups = lookupAll('sg', region.ec2.securityGroups, unique);
  for (const g of groups) if (g.vpcId !== vpcId) throw mismatch(g);
  return groups;
}

function checkTimeout(name: string, v: number | undefined, min: number, max: number): void {
  if (v === undefined) return;
  if (v < min || v > max) {
    throw new AwsError(
      'InvalidParameterValue',
      `The value ${v} for ${name} is out of range. It must be between ${min} and ${max}.`,
    );
  }
}

/** `ConnectionTrackingSpecification.{TcpEstablishedTimeout,UdpStreamTimeout,UdpTimeout}`, range-checked. */
export function readConnectionTracking(ct: FormObject | undefined): ConnectionTracking | undefined {
  if (!ct) return undefined;
  const out: ConnectionTracking = {
    tcpEstablishedTimeout: int(ct, 'TcpEstablishedTimeout'),
    udpStreamTimeout: int(ct, 'UdpStreamTimeout'),
    udpTimeout: int(ct, 'UdpTimeout'),
  };
  checkTimeout('TcpEstablishedTimeout', out.tcpEstablishedTimeout, 60, 432000);
  checkTimeout('UdpStreamTimeout', out.udpStreamTimeout, 60, 180);
  checkTimeout('UdpTimeout', out.udpTimeout, 30, 60);
  if (out.tcpEstablishedTimeout === undefined && out.udpStreamTimeout === undefined && out.udpTimeout === undefined)
    return undefined;
  return out;
}

export const NOT_NITRO_TRACKING =
  'Connection tracking timeouts can only be configured on network interfaces attached to Nitro-based instances.';

function usedInSubnet(region: RegionState, subnetId: string): Set<string> {
  const used = new Set<string>();
  for (const eni of region.ec2.networkInterfaces.values()) {
    if (eni.subnetId !== subnetId) continue;
    for (const p of eni.privateIpAddresses) used.add(p.privateIpAddress);
    for (const a of eni.ipv6Addresses) used.add(a);
  }
  return used;
}

/** A requested private IPv4 address: well formed, inside the subnet, not reserved, free (or not taken twice). */
export function checkPrivateIp(region: RegionState, subnet: Subnet, ip: string, alsoTaken: string[] = []): void {
  const parsed = parseIp(ip);
  if (!parsed || parsed.family !== 4)
    throw new AwsError('InvalidParameterValue', `Invalid value '${ip}' for private IP address.`);
  if (!cidrContains(subnet.cidrBlock, ip)) {
    throw new AwsError('InvalidParameterValue', `Address ${ip} does not fall within the subnet's address range`);
  }
  const c = parseCidr(subnet.cidrBlock)!;
  const last = nthAddress(subnet.cidrBlock, (1n << BigInt(32 - c.prefix)) - 1n);
  const reserved = [0, 1, 2, 3].map((n) => nthAddress(subnet.cidrBlock, n));
  if (reserved.includes(ip) || ip === last) {
    throw new AwsError(
      'InvalidParameterValue',
      `Address ${ip} is reserved by AWS in subnet ${subnet.subnetId} and cannot be assigned.`,
    );
  }
  if (usedInSubnet(region, subnet.subnetId).has(ip) || alsoTaken.includes(ip)) {
    throw new AwsError('InvalidIPAddress.InUse', `Address ${ip} is in use.`);
  }
}

/** Runs an address allocator from state/build.ts, turning its plain errors into AWS errors. */
export function allocating<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'InsufficientFreeAddressesInSubnet')
      throw new AwsError(
        code,
        'There are not enough free addresses in subnet to satisfy the requested number of instances.',
      );
    if (code) throw new AwsError(code, (e as Error).message);
    throw e;
  }
}

export function nextPrivateIp(region: RegionState, subnet: Subnet): string {
  return allocating(() => allocatePrivateIp(region, subnet));
}

/**
 * IPv6 request: a count (`countKey`) or explicit addresses (`listKey.N.Ipv6Address`). Returns the addresses to
 * assign; a count is allocated here (call after validation, before any other allocation in the subnet).
 */
export function readIpv6Request(
  p: FormObject,
  countKey: string,
  listKey: string,
): { count?: number; addresses: string[] } {
  const count = int(p, countKey);
  const addresses = objList(p, listKey)
    .map((x) => str(x, 'Ipv6Address') ?? '')
    .concat(strList(p, listKey));
  if (count !== undefined && addresses.length) {
    throw new AwsError(
      'InvalidParameterCombination',
      `The parameter ${countKey} cannot be used with the parameter ${listKey}`,
    );
  }
  if (count !== undefined && count < 0)
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${count}) for parameter ${countKey} is invalid. Expected a non-negative integer.`,
    );
  return { count, addresses };
}

export function checkIpv6(region: RegionState, subnet: Subnet, req: { count?: number; addresses: string[] }): void {
  if ((req.count ?? 0) === 0 && req.addresses.length === 0) return;
  if (!subnet.ipv6CidrBlock) {
    throw new AwsError(
      'InvalidParameterValue',
      `You cannot assign IPv6 addresses to a network interface in subnet ${subnet.subnetId}: the subnet has no IPv6 CIDR block.`,
    );
  }
  const used = usedInSubnet(region, subnet.subnetId);
  for (const a of req.addresses) {
    const parsed = parseIp(a);
    if (!parsed || parsed.family !== 6 || !cidrContains(subnet.ipv6CidrBlock, a)) {
      throw new AwsError('InvalidParameterValue', `Address ${a} does not fall within the subnet's IPv6 address range`);
    }
    if (used.has(a)) throw new AwsError('InvalidIPAddress.InUse', `Address ${a} is in use.`);
  }
  if ((req.count ?? 0) > 10)
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${req.count}) for parameter ipv6AddressCount is invalid. At most 10 IPv6 addresses can be assigned per network interface here.`,
    );
}

/** Free private IPv4 addresses left in the subnet (AWS reserves the first four and the last). */
export function freeIpv4Count(region: RegionState, subnet: Subnet): number {
  const c = parseCidr(subnet.cidrBlock)!;
  const size = 2 ** (32 - c.prefix) - 5;
  let used = 0;
  for (const ip of usedInSubnet(region, subnet.subnetId)) if (!ip.includes(':')) used++;
  return Math.max(0, size - used);
}

/** The error for a security group of another VPC (CreateNetworkInterface, Modify*Attribute). */
export function groupNotInVpc(groupId: string, vpcId: string): AwsError {
  return new AwsError('InvalidGroup.NotFound', `The security group '${groupId}' does not exist in VPC '${vpcId}'`);
}

/** TagSpecification resource types must be ones the action creates. */
export function checkTagTypes(p: FormObject, allowed: string[]): void {
  for (const spec of objList(p, 'TagSpecification')) {
    const type = str(spec, 'ResourceType');
    if (!type) throw new AwsError('InvalidParameterValue', 'Tag specification resource type must have a value');
    if (!allowed.includes(type))
      throw new AwsError(
        'InvalidParameterValue',
        `'${type}' is not a valid taggable resource type for this operation.`,
      );
  }
}
