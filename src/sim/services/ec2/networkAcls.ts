// EC2 network ACL actions: DescribeNetworkAcls, CreateNetworkAcl, DeleteNetworkAcl,
// ReplaceNetworkAclAssociation (entries: naclEntries.ts).
//
// The record keeps user entries only; the fixed catch-all denies are added here, as AWS shows them: rule 32767
// (0.0.0.0/0) in both directions, and 32768 (::/0) in both directions when the VPC has an IPv6 CIDR.
// Limits (AWS defaults): 200 network ACLs per VPC.

import type { Handler } from '../framework.js';
import { int, paginate, reqStr, str, strList, tagSet } from '../framework.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { lookup, lookupAll } from './ids.js';
import { readTagSpecifications } from './tags.js';
import { naclEntryActions } from './naclEntries.js';
import type { XmlData } from '../../protocol/xml.js';
import type { NetworkAcl, NetworkAclEntry, RegionState } from '../../state/types.js';

export const NACLS_PER_VPC = 200;
export const DEFAULT_DENY_IPV4 = 32767;
export const DEFAULT_DENY_IPV6 = 32768;

/** Every entry AWS evaluates for this ACL, in its display order: egress first, then ingress, by rule number. */
export function effectiveNaclEntries(region: RegionState, acl: NetworkAcl): NetworkAclEntry[] {
  const ipv6 = !!region.ec2.vpcs.get(acl.vpcId)?.ipv6CidrBlock;
  const out = [...acl.entries];
  for (const egress of [true, false]) {
    out.push({ ruleNumber: DEFAULT_DENY_IPV4, egress, protocol: '-1', ruleAction: 'deny', cidrBlock: '0.0.0.0/0' });
    if (ipv6)
      out.push({ ruleNumber: DEFAULT_DENY_IPV6, egress, protocol: '-1', ruleAction: 'deny', ipv6CidrBlock: '::/0' });
  }
  return out.sort((a, b) => Number(b.egress) - Number(a.egress) || a.ruleNumber - b.ruleNumber);
}

export function naclEntryView(e: NetworkAclEntry): XmlData {
  return {
    ruleNumber: e.ruleNumber,
    protocol: e.protocol,
    ruleAction: e.ruleAction,
    egress: e.egress,
    cidrBlock: e.cidrBlock,
    ipv6CidrBlock: e.ipv6CidrBlock,
    icmpTypeCode: e.icmpTypeCode ? { code: e.icmpTypeCode.code, type: e.icmpTypeCode.type } : undefined,
    portRange: e.portRange ? { from: e.portRange.from, to: e.portRange.to } : undefined,
  };
}

export function naclView(region: RegionState, acl: NetworkAcl): XmlData {
  return {
    networkAclId: acl.networkAclId,
    vpcId: acl.vpcId,
    default: acl.isDefault,
    entrySet: effectiveNaclEntries(region, acl).map(naclEntryView),
    associationSet: acl.associations.map((a) => ({
      networkAclAssociationId: a.networkAclAssociationId,
      networkAclId: acl.networkAclId,
      subnetId: a.subnetId,
    })),
    tagSet: tagSet(acl.tags),
    ownerId: acl.ownerId,
  };
}

function naclFilterValues(region: RegionState) {
  return (acl: NetworkAcl, name: string): (string | number | boolean | undefined)[] | undefined => {
    const entries = (): NetworkAclEntry[] => effectiveNaclEntries(region, acl);
    switch (name) {
      case 'network-acl-id':
        return [acl.networkAclId];
      case 'vpc-id':
        return [acl.vpcId];
      case 'default':
        return [acl.isDefault];
      case 'owner-id':
        return [acl.ownerId];
      case 'association.subnet-id':
        return acl.associations.map((a) => a.subnetId);
      case 'association.association-id':
        return acl.associations.map((a) => a.networkAclAssociationId);
      case 'association.network-acl-id':
        return acl.associations.length ? [acl.networkAclId] : [];
      case 'entry.cidr':
        return entries().map((e) => e.cidrBlock);
      case 'entry.ipv6-cidr':
        return entries().map((e) => e.ipv6CidrBlock);
      case 'entry.egress':
        return entries().map((e) => e.egress);
      case 'entry.protocol':
        return entries().map((e) => e.protocol);
      case 'entry.rule-action':
        return entries().map((e) => e.ruleAction);
      case 'entry.rule-number':
        return entries().map((e) => e.ruleNumber);
      case 'entry.port-range.from':
        return entries().map((e) => e.portRange?.from);
      case 'entry.port-range.to':
        return entries().map((e) => e.portRange?.to);
      case 'entry.icmp.type':
        return entries().map((e) => e.icmpTypeCode?.type);
      case 'entry.icmp.code':
        return entries().map((e) => e.icmpTypeCode?.code);
      default:
        return undefined;
    }
  };
}

const describeNetworkAcls: Handler = (ctx, p) => {
  const ids = strList(p, 'NetworkAclId');
  const all = ctx.region.ec2.networkAcls;
  let items = ids.length ? lookupAll('acl', all, ids) : [...all.values()];
  items = applyFilters(items, readFilters(p), naclFilterValues(ctx.region));
  const { page, nextToken } = paginate(items, int(p, 'MaxResults'), str(p, 'NextToken'), 5, 100);
  return { networkAclSet: page.map((a) => naclView(ctx.region, a)), nextToken };
};

const createNetworkAcl: Handler = (ctx, p) => {
  const vpc = lookup('vpc', ctx.region.ec2.vpcs, reqStr(p, 'VpcId'), 'vpcId');
  const tags = readTagSpecifications(p, 'network-acl');
  const inVpc = [...ctx.region.ec2.networkAcls.values()].filter((a) => a.vpcId === vpc.vpcId).length;
  if (inVpc >= NACLS_PER_VPC)
    throw new AwsError(
      'NetworkAclLimitExceeded',
      `The maximum number of network ACLs (${NACLS_PER_VPC}) for ${vpc.vpcId} has been reached.`,
    );
  ctx.dryRunGate();
  const acl: NetworkAcl = {
    networkAclId: ctx.world.ids.hex('acl'),
    ownerId: ctx.accountId,
    vpcId: vpc.vpcId,
    isDefault: false,
    entries: [],
    associations: [],
    tags,
  };
  ctx.region.ec2.networkAcls.set(acl.networkAclId, acl);
  return { networkAcl: naclView(ctx.region, acl) };
};

const deleteNetworkAcl: Handler = (ctx, p) => {
  const acl = lookup('acl', ctx.region.ec2.networkAcls, reqStr(p, 'NetworkAclId', 'MissingParameter'), 'networkAclId');
  if (acl.isDefault)
    throw new AwsError('InvalidParameterValue', `cannot delete default network ACL ${acl.networkAclId}`);
  if (acl.associations.length)
    throw new AwsError(
      'DependencyViolation',
      `The networkAcl '${acl.networkAclId}' has dependencies and cannot be deleted.`,
    );
  ctx.dryRunGate();
  ctx.region.ec2.networkAcls.delete(acl.networkAclId);
  return { return: true };
};

/**
 * Moves a subnet to another ACL. AWS answers a new association id and the old one stops existing; naming the
 * ACL the subnet already uses changes nothing and answers the current id (the call is idempotent).
 */
const replaceNetworkAclAssociation: Handler = (ctx, p) => {
  const associationId = reqStr(p, 'AssociationId');
  const target = lookup('acl', ctx.region.ec2.networkAcls, reqStr(p, 'NetworkAclId'), 'networkAclId');
  let current: NetworkAcl | undefined;
  for (const a of ctx.region.ec2.networkAcls.values())
    if (a.associations.some((x) => x.networkAclAssociationId === associationId)) current = a;
  if (!current)
    throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
  const assoc = current.associations.find((x) => x.networkAclAssociationId === associationId)!;
  if (target.vpcId !== current.vpcId) {
    throw new AwsError(
      'InvalidParameterValue',
      `Network ACL ${target.networkAclId} and subnet ${assoc.subnetId} belong to different networks`,
    );
  }
  ctx.dryRunGate();
  if (target === current) return { newAssociationId: associationId };
  current.associations = current.associations.filter((x) => x !== assoc);
  const newAssociationId = ctx.world.ids.hex('aclassoc');
  target.associations.push({ networkAclAssociationId: newAssociationId, subnetId: assoc.subnetId });
  return { newAssociationId };
};

export const networkAclsActions: Record<string, Handler> = {
  DescribeNetworkAcls: describeNetworkAcls,
  CreateNetworkAcl: createNetworkAcl,
  DeleteNetworkAcl: deleteNetworkAcl,
  ReplaceNetworkAclAssociation: replaceNetworkAclAssociation,
  ...naclEntryActions,
};
