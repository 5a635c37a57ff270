// EC2 network interface actions.

import type { Handler } from '../framework.js';
import { int, obj, str, strList, paginate, attrValue } from '../framework.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { lookup, lookupAll } from './ids.js';
import { eniView } from './views.js';
import type { NetworkInterface, RegionState } from '../../state/types.js';

/** Security groups per network interface: AWS's default quota (adjustable to 16). */
export const GROUPS_PER_ENI = 5;

export function eniFilterValues(region: RegionState) {
  return (e: NetworkInterface, name: string): (string | number | boolean | undefined)[] | undefined => {
    switch (name) {
      case 'network-interface-id': return [e.networkInterfaceId];
      case 'subnet-id': return [e.subnetId];
      case 'vpc-id': return [e.vpcId];
      case 'availability-zone': return [e.availabilityZone];
      case 'description': return [e.description];
      case 'status': return [e.status];
      case 'interface-type': return [e.interfaceType];
      case 'requester-managed': return [e.requesterManaged];
      case 'requester-id': return [e.requesterId];
      case 'owner-id': return [e.ownerId];
      case 'group-id': return e.groupIds;
      case 'group-name': return e.groupIds.map((g) => region.ec2.securityGroups.get(g)?.groupName);
      case 'attachment.instance-id': return [e.attachment?.instanceId];
      case 'attachment.attachment-id': return [e.attachment?.attachmentId];
      case 'attachment.device-index': return [e.attachment?.deviceIndex];
      case 'attachment.status': return [e.attachment?.status];
      case 'private-ip-address': case 'addresses.private-ip-address': return e.privateIpAddresses.map((p) => p.privateIpAddress);
      case 'ipv6-addresses.ipv6-address': return e.ipv6Addresses;
      case 'association.public-ip': return e.privateIpAddresses.map((p) => p.association?.publicIp);
      case 'association.allocation-id': return e.privateIpAddresses.map((p) => p.association?.allocationId);
      case 'mac-address': return [e.macAddress];
      case 'source-dest-check': return [e.sourceDestCheck];
      default: return undefined;
    }
  };
}

const describeNetworkInterfaces: Handler = (ctx, p) => {
  const ids = strList(p, 'NetworkInterfaceId');
  const maxResults = int(p, 'MaxResults');
  if (ids.length && maxResults !== undefined) {
    throw new AwsError('InvalidParameterCombination', 'The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults');
  }
  const all = ctx.region.ec2.networkInterfaces;
  let items = ids.length ? lookupAll('eni', all, ids) : [...all.values()];
  items = applyFilters(items, readFilters(p), eniFilterValues(ctx.region));
  const { page, nextToken } = paginate(items, maxResults, str(p, 'NextToken'));
  return { networkInterfaceSet: page.map((e) => eniView(ctx.region, e)), nextToken };
};

function checkTimeout(name: string, v: number | undefined, min: number, max: number): void {
  if (v === undefined) return;
  if (v < min || v > max) {
    throw new AwsError('InvalidParameterValue', `The value ${v} for ${name} is out of range. It must be between ${min} and ${max}.`);
  }
}

const modifyNetworkInterfaceAttribute: Handler = (ctx, p) => {
  const eni = lookup('eni', ctx.region.ec2.networkInterfaces, str(p, 'NetworkInterfaceId'), 'NetworkInterfaceId');
  const groups = strList(p, 'SecurityGroupId');
  const description = attrValue(p, 'Description');
  const sdc = attrValue(p, 'SourceDestCheck');
  const ct = obj(p, 'ConnectionTrackingSpecification');
  const given = [groups.length > 0, description !== undefined, sdc !== undefined, ct !== undefined, obj(p, 'Attachment') !== undefined].filter(Boolean).length;
  if (given === 0) throw new AwsError('MissingParameter', 'You must specify exactly one attribute to modify.');
  if (given > 1 && !(ct && given === 1)) {
    throw new AwsError('InvalidParameterCombination', 'Fields for multiple attribute types specified: only one attribute can be modified at a time.');
  }
  if (eni.requesterManaged) {
    throw new AwsError('UnauthorizedOperation', `You are not allowed to manage '${eni.interfaceType}' attachments.`, 403);
  }
  if (groups.length) {
    if (groups.length > GROUPS_PER_ENI) {
      throw new AwsError('SecurityGroupsPerInterfaceLimitExceeded', `The maximum number of security groups per interface (${GROUPS_PER_ENI}) has been reached.`);
    }
    const sgs = lookupAll('sg', ctx.region.ec2.securityGroups, groups);
    for (const g of sgs) {
      if (g.vpcId !== eni.vpcId) {
        throw new AwsError('InvalidGroup.NotFound', `The security group '${g.groupId}' does not exist in VPC '${eni.vpcId}'`);
      }
    }
    ctx.dryRunGate();
    eni.groupIds = [...new Set(groups)];
    return { return: true };
  }
  if (ct) {
    const tcp = int(ct, 'TcpEstablishedTimeout');
    const udpStream = int(ct, 'UdpStreamTimeout');
    const udp = int(ct, 'UdpTimeout');
    checkTimeout('TcpEstablishedTimeout', tcp, 60, 432000);
    checkTimeout('UdpStreamTimeout', udpStream, 60, 180);
    checkTimeout('UdpTimeout', udp, 30, 60);
    const inst = eni.attachment ? ctx.region.ec2.instances.get(eni.attachment.instanceId) : undefined;
    if (inst && !inst.nitro) {
      throw new AwsError('UnsupportedOperation', 'Connection tracking timeouts can only be configured on network interfaces attached to Nitro-based instances.');
    }
    ctx.dryRunGate();
    eni.connectionTracking = { ...(eni.connectionTracking ?? {}) };
    if (tcp !== undefined) eni.connectionTracking.tcpEstablishedTimeout = tcp;
    if (udpStream !== undefined) eni.connectionTracking.udpStreamTimeout = udpStream;
    if (udp !== undefined) eni.connectionTracking.udpTimeout = udp;
    return { return: true };
  }
  if (description !== undefined) {
    ctx.dryRunGate();
    eni.description = description;
    return { return: true };
  }
  if (sdc !== undefined) {
    if (sdc !== 'true' && sdc !== 'false') throw new AwsError('InvalidParameterValue', `Invalid value '${sdc}' for SourceDestCheck`);
    ctx.dryRunGate();
    eni.sourceDestCheck = sdc === 'true';
    return { return: true };
  }
  const att = obj(p, 'Attachment')!;
  if (!eni.attachment || str(att, 'AttachmentId') !== eni.attachment.attachmentId) {
    throw new AwsError('InvalidAttachmentID.NotFound', `The attachment ID '${str(att, 'AttachmentId') ?? ''}' does not exist`);
  }
  ctx.dryRunGate();
  const dot = str(att, 'DeleteOnTermination');
  if (dot !== undefined) eni.attachment.deleteOnTermination = dot === 'true';
  return { return: true };
};

export const networkInterfaceActions: Record<string, Handler> = {
  DescribeNetworkInterfaces: describeNetworkInterfaces,
  ModifyNetworkInterfaceAttribute: modifyNetworkInterfaceAttribute,
};
