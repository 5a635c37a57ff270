// EC2 security group rule actions: Authorize/Revoke Ingress/Egress, ModifySecurityGroupRules and
// DescribeSecurityGroupRules. Rules are validated in full before anything changes; duplicates answer
// InvalidPermission.Duplicate, a revoke of a missing rule InvalidPermission.NotFound (in a default VPC EC2
// instead answers success and lists the rules in unknownIpPermissionSet).

import type { FormObject } from '../../protocol/form.js';
import type { CallContext, Handler } from '../framework.js';
import { int, obj, objList, paginate, str, strList } from '../framework.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { lookup } from './ids.js';
import { readTagSpecifications } from './tags.js';
import { ipPermissionsView, ruleView } from './views.js';
import {
  checkRuleLimit,
  describeRule,
  hasPermissionParams,
  readPermissionParams,
  readRuleRequest,
  ruleKey,
  type RuleSpec,
} from './sgPermissions.js';
import type { SecurityGroup, SgRule, Tags } from '../../state/types.js';

/** The region's default VPC, or VPCIdNotSpecified (group names only work there). */
function defaultVpcId(ctx: CallContext): string {
  for (const v of ctx.region.ec2.vpcs.values()) if (v.isDefault) return v.vpcId;
  throw new AwsError(
    'VPCIdNotSpecified',
    'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.',
  );
}

/** Finds a group by name in the default VPC, as EC2 does for GroupName parameters. */
export function groupByNameInDefaultVpc(ctx: CallContext, name: string): SecurityGroup {
  const vpcId = defaultVpcId(ctx);
  for (const g of ctx.region.ec2.securityGroups.values()) if (g.vpcId === vpcId && g.groupName === name) return g;
  throw new AwsError('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC '${vpcId}'`);
}

/** The group a request acts on: GroupId, or (where the action allows it) GroupName in the default VPC. */
export function targetGroup(ctx: CallContext, p: FormObject, allowName: boolean): SecurityGroup {
  const id = str(p, 'GroupId');
  if (id) return lookup('sg', ctx.region.ec2.securityGroups, id);
  const name = allowName ? str(p, 'GroupName') : undefined;
  if (name) return groupByNameInDefaultVpc(ctx, name);
  throw new AwsError(
    'MissingParameter',
    `The request must contain the parameter ${allowName ? 'groupName or groupId' : 'groupId'}`,
  );
}

function ruleFrom(id: string, spec: RuleSpec, isEgress: boolean, tags: Tags): SgRule {
  const r: SgRule = { securityGroupRuleId: id, isEgress, ipProtocol: spec.ipProtocol, tags: { ...tags } };
  if (spec.fromPort !== undefined) r.fromPort = spec.fromPort;
  if (spec.toPort !== undefined) r.toPort = spec.toPort;
  if (spec.cidrIpv4) r.cidrIpv4 = spec.cidrIpv4;
  if (spec.cidrIpv6) r.cidrIpv6 = spec.cidrIpv6;
  if (spec.referencedGroupId) r.referencedGroupId = spec.referencedGroupId;
  if (spec.prefixListId) r.prefixListId = spec.prefixListId;
  if (spec.description !== undefined) r.description = spec.description;
  return r;
}

function authorize(isEgress: boolean): Handler {
  return (ctx, p) => {
    const g = targetGroup(ctx, p, !isEgress);
    const specs = readPermissionParams(ctx, g, p);
    const tags = readTagSpecifications(p, 'security-group-rule');
    const seen = new Set(g.rules.filter((r) => r.isEgress === isEgress).map(ruleKey));
    for (const s of specs) {
      const k = ruleKey(s);
      if (seen.has(k))
        throw new AwsError('InvalidPermission.Duplicate', `the specified rule "${describeRule(s)}" already exists`);
      seen.add(k);
    }
    checkRuleLimit([...g.rules, ...specs.map((s) => ({ ...s, isEgress }))]);
    ctx.dryRunGate();
    const added = specs.map((s) => ruleFrom(ctx.world.ids.hex('sgr'), s, isEgress, tags));
    g.rules.push(...added);
    return { return: true, securityGroupRuleSet: added.map((r) => ruleView(g, r, ctx.regionName)) };
  };
}

function revokedView(g: SecurityGroup, r: SgRule) {
  return {
    securityGroupRuleId: r.securityGroupRuleId,
    groupId: g.groupId,
    isEgress: r.isEgress,
    ipProtocol: r.ipProtocol,
    fromPort: r.fromPort ?? -1,
    toPort: r.toPort ?? -1,
    cidrIpv4: r.cidrIpv4,
    cidrIpv6: r.cidrIpv6,
    prefixListId: r.prefixListId,
    referencedGroupId: r.referencedGroupId,
    description: r.description,
  };
}

const RULE_ID_RE = /^sgr-[0-9a-f]{8}([0-9a-f]{9})?$/;

function rulesById(g: SecurityGroup, ids: string[], isEgress?: boolean): SgRule[] {
  return ids.map((id) => {
    if (!RULE_ID_RE.test(id)) throw new AwsError('InvalidSecurityGroupRuleId.Malformed', `Invalid id: "${id}"`);
    const r = g.rules.find((x) => x.securityGroupRuleId === id && (isEgress === undefined || x.isEgress === isEgress));
    if (!r)
      throw new AwsError('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
    return r;
  });
}

function revoke(isEgress: boolean): Handler {
  return (ctx, p) => {
    const g = targetGroup(ctx, p, !isEgress);
    const ids = strList(p, 'SecurityGroupRuleId');
    if (ids.length && hasPermissionParams(p)) {
      throw new AwsError(
        'InvalidParameterCombination',
        'The parameter SecurityGroupRuleIds cannot be used with the parameter ipPermissions',
      );
    }
    let remove: SgRule[];
    const unknown: RuleSpec[] = [];
    if (ids.length) {
      remove = rulesById(g, ids, isEgress);
    } else {
      const specs = readPermissionParams(ctx, g, p);
      remove = [];
      for (const s of specs) {
        const r = g.rules.find((x) => x.isEgress === isEgress && ruleKey(x) === ruleKey(s));
        if (r) {
          if (!remove.includes(r)) remove.push(r);
        } else unknown.push(s);
      }
      if (unknown.length && !ctx.region.ec2.vpcs.get(g.vpcId)?.isDefault) {
        throw new AwsError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
      }
    }
    ctx.dryRunGate();
    g.rules = g.rules.filter((r) => !remove.includes(r));
    return {
      return: true,
      unknownIpPermissionSet: unknown.length
        ? ipPermissionsView(
            unknown.map((s) => ({ ...s, securityGroupRuleId: '', isEgress, tags: {} })),
            g.ownerId,
          )
        : undefined,
      revokedSecurityGroupRuleSet: remove.map((r) => revokedView(g, r)),
    };
  };
}

const modifySecurityGroupRules: Handler = (ctx, p) => {
  const g = lookup('sg', ctx.region.ec2.securityGroups, str(p, 'GroupId'), 'GroupId');
  const updates = objList(p, 'SecurityGroupRule');
  if (!updates.length)
    throw new AwsError('MissingParameter', 'The request must contain the parameter SecurityGroupRule');
  const changes = updates.map((u) => {
    const id = str(u, 'SecurityGroupRuleId');
    if (!id) throw new AwsError('MissingParameter', 'The request must contain the parameter SecurityGroupRuleId');
    const rule = rulesById(g, [id])[0]!;
    return { rule, spec: readRuleRequest(ctx, g, obj(u, 'SecurityGroupRule')) };
  });
  if (new Set(changes.map((c) => c.rule)).size !== changes.length) {
    throw new AwsError('InvalidParameterValue', 'A security group rule ID may appear only once in the request.');
  }
  // The rule set after the change must still be free of duplicates and within the quota.
  const after = g.rules.map((r) => {
    const c = changes.find((x) => x.rule === r);
    return c ? { ...c.spec, isEgress: r.isEgress } : { ...r };
  });
  for (const egress of [false, true]) {
    const seen = new Set<string>();
    for (const r of after.filter((x) => x.isEgress === egress)) {
      const k = ruleKey(r);
      if (seen.has(k))
        throw new AwsError('InvalidPermission.Duplicate', `the specified rule "${describeRule(r)}" already exists`);
      seen.add(k);
    }
  }
  checkRuleLimit(after);
  ctx.dryRunGate();
  for (const { rule, spec } of changes) {
    g.rules[g.rules.indexOf(rule)] = ruleFrom(rule.securityGroupRuleId, spec, rule.isEgress, rule.tags);
  }
  return { return: true };
};

interface RuleRow {
  g: SecurityGroup;
  r: SgRule;
  tags: Tags;
}

const describeSecurityGroupRules: Handler = (ctx, p) => {
  const ids = strList(p, 'SecurityGroupRuleId');
  const rows: RuleRow[] = [];
  for (const g of ctx.region.ec2.securityGroups.values()) for (const r of g.rules) rows.push({ g, r, tags: r.tags });
  let items = rows;
  if (ids.length) {
    for (const id of ids)
      if (!RULE_ID_RE.test(id)) throw new AwsError('InvalidSecurityGroupRuleId.Malformed', `Invalid id: "${id}"`);
    const missing = ids.filter((id) => !rows.some((x) => x.r.securityGroupRuleId === id));
    if (missing.length)
      throw new AwsError(
        'InvalidSecurityGroupRuleId.NotFound',
        `The security group rule ID '${missing.join(', ')}' does not exist`,
      );
    items = rows.filter((x) => ids.includes(x.r.securityGroupRuleId));
  }
  items = applyFilters(items, readFilters(p), (x, name) => {
    switch (name) {
      case 'group-id':
        return [x.g.groupId];
      case 'security-group-rule-id':
        return [x.r.securityGroupRuleId];
      default:
        return undefined;
    }
  });
  const { page, nextToken } = paginate(items, int(p, 'MaxResults'), str(p, 'NextToken'), 5, 1000);
  return { securityGroupRuleSet: page.map((x) => ruleView(x.g, x.r, ctx.regionName)), nextToken };
};

export const sgRuleActions: Record<string, Handler> = {
  AuthorizeSecurityGroupIngress: authorize(false),
  AuthorizeSecurityGroupEgress: authorize(true),
  RevokeSecurityGroupIngress: revoke(false),
  RevokeSecurityGroupEgress: revoke(true),
  ModifySecurityGroupRules: modifySecurityGroupRules,
  DescribeSecurityGroupRules: describeSecurityGroupRules,
};
