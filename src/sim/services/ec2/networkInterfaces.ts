// EC2 network interface actions: Describe, Create, Attach, Detach, Delete and ModifyNetworkInterfaceAttribute.
// AWS facts: an ENI keeps 1..5 security groups of its own VPC; device index 0 (the primary ENI) cannot be detached;
// an attached ENI cannot be deleted; requester-managed ENIs (NAT gateway, load balancer, Lambda) cannot be changed.

import type { Handler } from '../framework.js';
import { bool, int, obj, objList, reqStr, str, strList, paginate, attrValue } from '../framework.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { lookup, lookupAll } from './ids.js';
import { eniView } from './views.js';
import { readTagSpecifications } from './tags.js';
import { attachNetworkInterface, createNetworkInterface, defaultSecurityGroup } from '../../state/build.js';
import {
  allocating,
  checkIpv6,
  checkPrivateIp,
  freeIpv4Count,
  NOT_NITRO_TRACKING,
  readConnectionTracking,
  readIpv6Request,
  resolveGroups,
  checkTagTypes,
  groupNotInVpc,
  nextPrivateIp,
} from './eniRules.js';
import { deleteEni, detachEni, enisOf, maxEnisFor, shownState } from './lifecycle.js';
import type { NetworkInterface, RegionState } from '../../state/types.js';

export { GROUPS_PER_ENI } from './eniRules.js';

export function eniFilterValues(region: RegionState) {
  return (e: NetworkInterface, name: string): (string | number | boolean | undefined)[] | undefined => {
    switch (name) {
      case 'network-interface-id':
        return [e.networkInterfaceId];
      case 'subnet-id':
        return [e.subnetId];
      case 'vpc-id':
        return [e.vpcId];
      case 'availability-zone':
        return [e.availabilityZone];
      case 'description':
        return [e.description];
      case 'status':
        return [e.status];
      case 'interface-type':
        return [e.interfaceType];
      case 'requester-managed':
        return [e.requesterManaged];
      case 'requester-id':
        return [e.requesterId];
      case 'owner-id':
        return [e.ownerId];
      case 'group-id':
        return e.groupIds;
      case 'group-name':
        return e.groupIds.map((g) => region.ec2.securityGroups.get(g)?.groupName);
      case 'attachment.instance-id':
        return [e.attachment?.instanceId];
      case 'attachment.instance-owner-id':
        return [e.attachment ? e.ownerId : undefined];
      case 'attachment.attachment-id':
        return [e.attachment?.attachmentId];
      case 'attachment.device-index':
        return [e.attachment?.deviceIndex];
      case 'attachment.status':
        return [e.attachment?.status];
      case 'attachment.delete-on-termination':
        return [e.attachment?.deleteOnTermination];
      case 'attachment.attach-time':
        return [e.attachment?.attachTime];
      case 'private-ip-address':
      case 'addresses.private-ip-address':
        return e.privateIpAddresses.map((p) => p.privateIpAddress);
      case 'addresses.primary':
        return e.privateIpAddresses.map((p) => p.primary);
      case 'addresses.association.public-ip':
        return e.privateIpAddresses.map((p) => p.association?.publicIp);
      case 'addresses.association.owner-id':
        return e.privateIpAddresses.map((p) => p.association?.ipOwnerId);
      case 'private-dns-name':
        return e.privateIpAddresses
          .filter((p) => p.primary)
          .map((p) => `ip-${p.privateIpAddress.replace(/\./g, '-')}`)
          .map((h) => `${h}.${region.name === 'us-east-1' ? 'ec2.internal' : `${region.name}.compute.internal`}`);
      case 'ipv6-addresses.ipv6-address':
      case 'ipv6-address':
        return e.ipv6Addresses;
      case 'association.public-ip':
        return e.privateIpAddresses.map((p) => p.association?.publicIp);
      case 'association.allocation-id':
        return e.privateIpAddresses.map((p) => p.association?.allocationId);
      case 'association.association-id':
        return e.privateIpAddresses.map((p) => p.association?.associationId);
      case 'association.ip-owner-id':
        return e.privateIpAddresses.map((p) => p.association?.ipOwnerId);
      case 'mac-address':
        return [e.macAddress];
      case 'source-dest-check':
        return [e.sourceDestCheck];
      default:
        return undefined;
    }
  };
}

const describeNetworkInterfaces: Handler = (ctx, p) => {
  const ids = strList(p, 'NetworkInterfaceId');
  const maxResults = int(p, 'MaxResults');
  if (ids.length && maxResults !== undefined) {
    throw new AwsError(
      'InvalidParameterCombination',
      'The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults',
    );
  }
  const all = ctx.region.ec2.networkInterfaces;
  let items = ids.length ? lookupAll('eni', all, ids) : [...all.values()];
  items = applyFilters(items, readFilters(p), eniFilterValues(ctx.region));
  const { page, nextToken } = paginate(items, maxResults, str(p, 'NextToken'));
  return { networkInterfaceSet: page.map((e) => eniView(ctx.region, e)), nextToken };
};

const INTERFACE_TYPES = new Set(['interface', 'efa', 'efa-only', 'branch', 'trunk']);

const createNetworkInterfaceH: Handler = (ctx, p) => {
  const region = ctx.region;
  const subnet = lookup('subnet', region.ec2.subnets, str(p, 'SubnetId'), 'SubnetId');
  const requested = strList(p, 'SecurityGroupId');
  const groupIds = requested.length
    ? resolveGroups(region, subnet.vpcId, requested, (g) => groupNotInVpc(g.groupId, subnet.vpcId)).map(
        (g) => g.groupId,
      )
    : [defaultSecurityGroup(region, subnet.vpcId)?.groupId].filter((x): x is string => !!x);
  const description = str(p, 'Description') ?? '';
  if (description.length > 255)
    throw new AwsError('InvalidParameterValue', 'The description must be at most 255 characters long.');
  const listed = objList(p, 'PrivateIpAddresses').map((x) => ({
    ip: str(x, 'PrivateIpAddress') ?? '',
    primary: bool(x, 'Primary') ?? false,
  }));
  const listedPrimary = listed.filter((x) => x.primary);
  if (listedPrimary.length > 1)
    throw new AwsError('InvalidParameterValue', 'Only one primary private IP address can be specified.');
  const explicit = str(p, 'PrivateIpAddress');
  if (explicit && listedPrimary[0] && listedPrimary[0].ip !== explicit) {
    throw new AwsError(
      'InvalidParameterCombination',
      'The primary private IP address given in PrivateIpAddress and PrivateIpAddresses differ.',
    );
  }
  const primaryIp = explicit ?? listedPrimary[0]?.ip;
  const secondaries = listed.filter((x) => !x.primary && x.ip !== primaryIp).map((x) => x.ip);
  const secondaryCount = int(p, 'SecondaryPrivateIpAddressCount') ?? 0;
  if (secondaryCount < 0)
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${secondaryCount}) for parameter secondaryPrivateIpAddressCount is invalid. Expected a non-negative integer.`,
    );
  if (secondaryCount && secondaries.length) {
    throw new AwsError(
      'InvalidParameterCombination',
      'The parameter secondaryPrivateIpAddressCount cannot be used with secondary addresses in privateIpAddresses.',
    );
  }
  const taken: string[] = [];
  for (const ip of [primaryIp, ...secondaries].filter((x): x is string => !!x)) {
    checkPrivateIp(region, subnet, ip, taken);
    taken.push(ip);
  }
  if (freeIpv4Count(region, subnet) < (primaryIp ? 0 : 1) + secondaryCount + taken.length) {
    throw new AwsError(
      'InsufficientFreeAddressesInSubnet',
      `There are not enough free addresses in subnet '${subnet.subnetId}' to satisfy the request.`,
    );
  }
  const ipv6 = readIpv6Request(p, 'Ipv6AddressCount', 'Ipv6Addresses');
  checkIpv6(region, subnet, ipv6);
  const tracking = readConnectionTracking(obj(p, 'ConnectionTrackingSpecification'));
  const interfaceType = str(p, 'InterfaceType') ?? 'interface';
  if (!INTERFACE_TYPES.has(interfaceType))
    throw new AwsError('InvalidParameterValue', `Value (${interfaceType}) for parameter interfaceType is invalid.`);
  checkTagTypes(p, ['network-interface']);
  const tags = readTagSpecifications(p, 'network-interface');
  ctx.dryRunGate();
  const eni = allocating(() =>
    createNetworkInterface(ctx.world, region, ctx.accountId, subnet, {
      groupIds,
      privateIp: primaryIp,
      secondaryPrivateIps: secondaries,
      ipv6: ipv6.addresses.length ? ipv6.addresses : ipv6.count,
      description,
      interfaceType,
      connectionTracking: tracking,
      tags,
    }),
  );
  for (let i = 0; i < secondaryCount; i++) {
    // nextPrivateIp sees this ENI's own addresses: the ENI is already in the region.
    eni.privateIpAddresses.push({ privateIpAddress: nextPrivateIp(region, subnet), primary: false });
  }
  return { networkInterface: eniView(region, eni) };
};

const attachNetworkInterfaceH: Handler = (ctx, p) => {
  const region = ctx.region;
  const eni = lookup('eni', region.ec2.networkInterfaces, str(p, 'NetworkInterfaceId'), 'NetworkInterfaceId');
  const inst = lookup('instance', region.ec2.instances, str(p, 'InstanceId'), 'InstanceId');
  const deviceIndex = int(p, 'DeviceIndex');
  if (deviceIndex === undefined)
    throw new AwsError('MissingParameter', 'The request must contain the parameter DeviceIndex');
  if (deviceIndex < 0)
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${deviceIndex}) for parameter deviceIndex is invalid. Expected a non-negative integer.`,
    );
  const card = int(p, 'NetworkCardIndex') ?? 0;
  if (card !== 0)
    throw new AwsError(
      'InvalidParameterValue',
      `Network card index ${card} is not supported by instance type ${inst.instanceType}.`,
    );
  if (eni.attachment || eni.status !== 'available')
    throw new AwsError('InvalidNetworkInterface.InUse', `Interface: [${eni.networkInterfaceId}] in use.`);
  const state = shownState(ctx.world, inst);
  if (state !== 'running' && state !== 'stopped') {
    throw new AwsError(
      'IncorrectInstanceState',
      `The instance '${inst.instanceId}' is not in a valid state for this operation.`,
    );
  }
  if (eni.vpcId !== inst.vpcId) {
    throw new AwsError(
      'InvalidParameterValue',
      `Network interface '${eni.networkInterfaceId}' is in VPC '${eni.vpcId}' but instance '${inst.instanceId}' is in VPC '${inst.vpcId ?? '(none)'}'.`,
    );
  }
  if (eni.availabilityZone !== inst.availabilityZone) {
    throw new AwsError(
      'InvalidParameterValue',
      `Network interface '${eni.networkInterfaceId}' is in availability zone ${eni.availabilityZone} but instance '${inst.instanceId}' is in ${inst.availabilityZone}.`,
    );
  }
  const enis = enisOf(region, inst);
  if (enis.some((e) => e.attachment?.deviceIndex === deviceIndex)) {
    throw new AwsError(
      'InvalidParameterValue',
      `Instance '${inst.instanceId}' already has an interface attached at device index '${deviceIndex}'.`,
    );
  }
  if (enis.length + 1 > maxEnisFor(inst.instanceType)) {
    throw new AwsError(
      'AttachmentLimitExceeded',
      `Interface count ${enis.length + 1} exceeds the limit for ${inst.instanceType}`,
    );
  }
  ctx.dryRunGate();
  attachNetworkInterface(ctx.world, eni, inst, deviceIndex, false);
  inst.networkInterfaceIds = enisOf(region, inst)
    .sort((a, b) => (a.attachment?.deviceIndex ?? 0) - (b.attachment?.deviceIndex ?? 0))
    .map((e) => e.networkInterfaceId);
  for (const a of region.ec2.addresses.values())
    if (a.networkInterfaceId === eni.networkInterfaceId) a.instanceId = inst.instanceId;
  return { attachmentId: eni.attachment!.attachmentId, networkCardIndex: 0 };
};

const detachNetworkInterfaceH: Handler = (ctx, p) => {
  const attachmentId = reqStr(p, 'AttachmentId');
  const eni = [...ctx.region.ec2.networkInterfaces.values()].find((e) => e.attachment?.attachmentId === attachmentId);
  if (!eni) throw new AwsError('InvalidAttachmentID.NotFound', `The attachment ID '${attachmentId}' does not exist`);
  if (eni.requesterManaged)
    throw new AwsError('OperationNotPermitted', "You are not allowed to manage 'ela-attach' attachments.");
  if (eni.attachment!.deviceIndex === 0) {
    throw new AwsError(
      'OperationNotPermitted',
      'The network interface at device index 0 and networkCard index 0 cannot be detached.',
    );
  }
  ctx.dryRunGate();
  detachEni(ctx.region, eni);
  return { return: true };
};

const deleteNetworkInterfaceH: Handler = (ctx, p) => {
  const eni = lookup('eni', ctx.region.ec2.networkInterfaces, str(p, 'NetworkInterfaceId'), 'NetworkInterfaceId');
  // Observed AWS answer for an attached (or service-owned, in-use) interface: InvalidParameterValue.
  if (eni.attachment || eni.status !== 'available') {
    throw new AwsError('InvalidParameterValue', `Network interface '${eni.networkInterfaceId}' is currently in use.`);
  }
  ctx.dryRunGate();
  deleteEni(ctx.region, eni);
  return { return: true };
};

const modifyNetworkInterfaceAttribute: Handler = (ctx, p) => {
  const region = ctx.region;
  const eni = lookup('eni', region.ec2.networkInterfaces, str(p, 'NetworkInterfaceId'), 'NetworkInterfaceId');
  const groups = strList(p, 'SecurityGroupId');
  const description = attrValue(p, 'Description');
  const sdcRaw = obj(p, 'SourceDestCheck');
  const ctRaw = obj(p, 'ConnectionTrackingSpecification');
  const att = obj(p, 'Attachment');
  const given = [
    groups.length > 0,
    description !== undefined,
    sdcRaw !== undefined,
    ctRaw !== undefined,
    att !== undefined,
  ].filter(Boolean).length;
  if (given === 0) throw new AwsError('MissingParameter', 'You must specify exactly one attribute to modify.');
  if (given > 1) {
    throw new AwsError(
      'InvalidParameterCombination',
      'Fields for multiple attribute types specified: only one attribute can be modified at a time.',
    );
  }
  if (eni.requesterManaged) {
    throw new AwsError(
      'OperationNotPermitted',
      `You are not allowed to modify network interface '${eni.networkInterfaceId}': it is managed by ${eni.requesterId ?? 'another AWS service'} (${eni.interfaceType}).`,
    );
  }
  if (groups.length) {
    const sgs = resolveGroups(region, eni.vpcId, groups, (g) => groupNotInVpc(g.groupId, eni.vpcId));
    ctx.dryRunGate();
    eni.groupIds = sgs.map((g) => g.groupId);
    return { return: true };
  }
  if (ctRaw) {
    const tracking = readConnectionTracking(ctRaw);
    const inst = eni.attachment ? region.ec2.instances.get(eni.attachment.instanceId) : undefined;
    if (inst && !inst.nitro) throw new AwsError('UnsupportedOperation', NOT_NITRO_TRACKING);
    ctx.dryRunGate();
    eni.connectionTracking = { ...(eni.connectionTracking ?? {}) };
    if (tracking?.tcpEstablishedTimeout !== undefined)
      eni.connectionTracking.tcpEstablishedTimeout = tracking.tcpEstablishedTimeout;
    if (tracking?.udpStreamTimeout !== undefined) eni.connectionTracking.udpStreamTimeout = tracking.udpStreamTimeout;
    if (tracking?.udpTimeout !== undefined) eni.connectionTracking.udpTimeout = tracking.udpTimeout;
    return { return: true };
  }
  if (description !== undefined) {
    if (description.length > 255)
      throw new AwsError('InvalidParameterValue', 'The description must be at most 255 characters long.');
    ctx.dryRunGate();
    eni.description = description;
    return { return: true };
  }
  if (sdcRaw) {
    const v = bool(sdcRaw, 'Value');
    if (v === undefined)
      throw new AwsError('MissingParameter', 'The request must contain the parameter SourceDestCheck.Value');
    ctx.dryRunGate();
    eni.sourceDestCheck = v;
    return { return: true };
  }
  const attachmentId = str(att!, 'AttachmentId');
  if (!attachmentId)
    throw new AwsError('MissingParameter', 'The request must contain the parameter Attachment.AttachmentId');
  if (!eni.attachment || attachmentId !== eni.attachment.attachmentId) {
    throw new AwsError('InvalidAttachmentID.NotFound', `The attachment ID '${attachmentId}' does not exist`);
  }
  const dot = bool(att!, 'DeleteOnTermination');
  ctx.dryRunGate();
  if (dot !== undefined) eni.attachment.deleteOnTermination = dot;
  return { return: true };
};

export const networkInterfaceActions: Record<string, Handler> = {
  DescribeNetworkInterfaces: describeNetworkInterfaces,
  CreateNetworkInterface: createNetworkInterfaceH,
  AttachNetworkInterface: attachNetworkInterfaceH,
  DetachNetworkInterface: detachNetworkInterfaceH,
  DeleteNetworkInterface: deleteNetworkInterfaceH,
  ModifyNetworkInterfaceAttribute: modifyNetworkInterfaceAttribute,
};
