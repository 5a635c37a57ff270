// EC2 security group actions: DescribeSecurityGroups, CreateSecurityGroup, DeleteSecurityGroup (and the rule
// actions from sgRules.ts). A new group starts with AWS's allow-all IPv4 egress rule only: the VPC guide adds
// the ::/0 egress rule only to a VPC's *default* group (when the VPC has IPv6); a custom group must be given it.

import type { Handler } from '../framework.js';
import { int, paginate, str, strList, tagSet } from '../framework.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { lookup, lookupAll } from './ids.js';
import { readTagSpecifications } from './tags.js';
import { securityGroupView } from './views.js';
import { groupByNameInDefaultVpc, sgRuleActions, targetGroup } from './sgRules.js';
import { defaultEgressRules } from '../../state/build.js';
import type { RegionState, SecurityGroup, SgRule } from '../../state/types.js';

/** VPC security groups per Region: AWS's default quota. */
export const SECURITY_GROUPS_PER_REGION = 2500;

function ruleFilterValues(
  rules: SgRule[],
  field: string,
  region: RegionState,
): (string | number | undefined)[] | undefined {
  switch (field) {
    case 'cidr':
      return rules.map((r) => r.cidrIpv4);
    case 'ipv6-cidr':
      return rules.map((r) => r.cidrIpv6);
    case 'protocol':
      return rules.map((r) => r.ipProtocol);
    case 'from-port':
      return rules.map((r) => r.fromPort ?? -1);
    case 'to-port':
      return rules.map((r) => r.toPort ?? -1);
    case 'group-id':
      return rules.map((r) => r.referencedGroupId);
    case 'group-name':
      return rules.map((r) =>
        r.referencedGroupId ? region.ec2.securityGroups.get(r.referencedGroupId)?.groupName : undefined,
      );
    case 'prefix-list-id':
      return rules.map((r) => r.prefixListId);
    default:
      return undefined;
  }
}

function sgFilterValues(region: RegionState) {
  return (g: SecurityGroup, name: string): (string | number | boolean | undefined)[] | undefined => {
    switch (name) {
      case 'group-id':
        return [g.groupId];
      case 'group-name':
        return [g.groupName];
      case 'description':
        return [g.description];
      case 'vpc-id':
        return [g.vpcId];
      case 'owner-id':
        return [g.ownerId];
    }
    if (name === 'ip-permission.user-id' || name === 'egress.ip-permission.user-id') {
      const egress = name.startsWith('egress.');
      return g.rules.some((r) => r.isEgress === egress && r.referencedGroupId) ? [g.ownerId] : [];
    }
    if (name.startsWith('ip-permission.'))
      return ruleFilterValues(
        g.rules.filter((r) => !r.isEgress),
        name.slice('ip-permission.'.length),
        region,
      );
    if (name.startsWith('egress.ip-permission.'))
      return ruleFilterValues(
        g.rules.filter((r) => r.isEgress),
        name.slice('egress.ip-permission.'.length),
        region,
      );
    return undefined;
  };
}

const describeSecurityGroups: Handler = (ctx, p) => {
  const ids = strList(p, 'GroupId');
  const names = strList(p, 'GroupName');
  const all = ctx.region.ec2.securityGroups;
  let items: SecurityGroup[];
  if (ids.length || names.length) {
    const byId = lookupAll('sg', all, ids);
    const byName = names.map((n) => groupByNameInDefaultVpc(ctx, n));
    items = [...new Set([...byId, ...byName])];
  } else {
    items = [...all.values()];
  }
  items = applyFilters(items, readFilters(p), sgFilterValues(ctx.region));
  const { page, nextToken } = paginate(items, int(p, 'MaxResults'), str(p, 'NextToken'), 5, 1000);
  return { securityGroupInfo: page.map((g) => securityGroupView(g, ctx.regionName)), nextToken };
};

// VPC security group names and descriptions: up to 255 of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*
const NAME_RE = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;

function checkText(value: string, param: string): void {
  if (value.length > 255 || !NAME_RE.test(value)) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${value}) for parameter ${param} is invalid. Valid values are up to 255 characters from a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*`,
    );
  }
}

const createSecurityGroup: Handler = (ctx, p) => {
  const name = str(p, 'GroupName');
  if (!name) throw new AwsError('MissingParameter', 'The request must contain the parameter groupName');
  const description = str(p, 'GroupDescription');
  if (!description) throw new AwsError('MissingParameter', 'The request must contain the parameter groupDescription');
  checkText(name, 'GroupName');
  checkText(description, 'GroupDescription');
  if (name.toLowerCase().startsWith('sg-'))
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${name}) for parameter GroupName is invalid. Group names may not be in the format sg-*.`,
    );
  if (name === 'default')
    throw new AwsError('InvalidParameterValue', 'Cannot use reserved security group name: default');
  const vpcIdParam = str(p, 'VpcId');
  let vpcId: string;
  if (vpcIdParam) {
    vpcId = lookup('vpc', ctx.region.ec2.vpcs, vpcIdParam).vpcId;
  } else {
    const def = [...ctx.region.ec2.vpcs.values()].find((v) => v.isDefault);
    if (!def) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user');
    vpcId = def.vpcId;
  }
  const groups = [...ctx.region.ec2.securityGroups.values()];
  if (groups.some((g) => g.vpcId === vpcId && g.groupName === name)) {
    throw new AwsError('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`);
  }
  const tags = readTagSpecifications(p, 'security-group');
  if (groups.length >= SECURITY_GROUPS_PER_REGION)
    throw new AwsError('SecurityGroupLimitExceeded', 'The maximum number of security groups has been reached.');

  ctx.dryRunGate();
  const g: SecurityGroup = {
    groupId: ctx.world.ids.hex('sg'),
    groupName: name,
    description,
    vpcId,
    ownerId: ctx.accountId,
    rules: defaultEgressRules(ctx.world, false),
    tags,
  };
  ctx.region.ec2.securityGroups.set(g.groupId, g);
  return {
    groupId: g.groupId,
    tagSet: Object.keys(tags).length ? tagSet(tags) : undefined,
    securityGroupArn: `arn:aws:ec2:${ctx.regionName}:${g.ownerId}:security-group/${g.groupId}`,
  };
};

/** What keeps a group from being deleted: ENIs using it, other groups' rules naming it, classic load balancers. */
function groupInUse(region: RegionState, groupId: string): boolean {
  for (const e of region.ec2.networkInterfaces.values()) if (e.groupIds.includes(groupId)) return true;
  for (const g of region.ec2.securityGroups.values()) {
    if (g.groupId !== groupId && g.rules.some((r) => r.referencedGroupId === groupId)) return true;
  }
  for (const lb of region.elb.classicLoadBalancers.values()) if (lb.securityGroups.includes(groupId)) return true;
  return false;
}

const deleteSecurityGroup: Handler = (ctx, p) => {
  const g = targetGroup(ctx, p, true);
  if (g.groupName === 'default') {
    throw new AwsError(
      'CannotDelete',
      `the specified group: "${g.groupId}" name: "default" owner: "${g.ownerId}" cannot be deleted by a user`,
    );
  }
  if (groupInUse(ctx.region, g.groupId))
    throw new AwsError('DependencyViolation', `resource ${g.groupId} has a dependent object`);
  ctx.dryRunGate();
  ctx.region.ec2.securityGroups.delete(g.groupId);
  return { return: true, groupId: g.groupId };
};

export const securityGroupsActions: Record<string, Handler> = {
  DescribeSecurityGroups: describeSecurityGroups,
  CreateSecurityGroup: createSecurityGroup,
  DeleteSecurityGroup: deleteSecurityGroup,
  ...sgRuleActions,
};
