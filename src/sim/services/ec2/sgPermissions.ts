// Reading and validating security group rules as EC2 takes them: the IpPermissions structure (and the older
// top-level IpProtocol/FromPort/ToPort/CidrIp form), or ModifySecurityGroupRules' SecurityGroupRuleRequest.
// One IpPermission with several sources becomes one rule per source, as EC2 stores them.

import type { FormObject } from '../../protocol/form.js';
import type { CallContext } from '../framework.js';
import { int, objList, str } from '../framework.js';
import { AwsError } from '../../errors.js';
import { lookup } from './ids.js';
import { canonicalCidr, parseCidr } from '../../../core/cidr.js';
import type { SecurityGroup, SgRule } from '../../state/types.js';

/** A rule without its id, direction and tags. */
export interface RuleSpec {
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  referencedGroupId?: string;
  prefixListId?: string;
  description?: string;
}

/** Rules per direction per address family (AWS default quota). Group and prefix-list rules count for both families. */
export const RULES_PER_DIRECTION = 60;

const NAMED_NUMBERS: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

/** '-1', tcp/udp/icmp/icmpv6 (any case) or a protocol number 0–255; the well-known numbers become their names. */
export function readProtocol(v: string | undefined): string {
  if (v === undefined || v === '')
    throw new AwsError('MissingParameter', 'The request must contain the parameter ipProtocol');
  const lower = v.toLowerCase();
  if (lower === '-1' || lower === 'tcp' || lower === 'udp' || lower === 'icmp' || lower === 'icmpv6') return lower;
  if (/^\d{1,3}$/.test(v) && Number(v) <= 255) return NAMED_NUMBERS[String(Number(v))] ?? String(Number(v));
  throw new AwsError('InvalidParameterValue', `Invalid value '${v}' for IP protocol. Unknown protocol.`);
}

/** Validates the port range for a protocol and returns what EC2 stores (no ports for all-port protocols). */
export function readPorts(
  protocol: string,
  from: number | undefined,
  to: number | undefined,
): { fromPort?: number; toPort?: number } {
  if (protocol === 'tcp' || protocol === 'udp') {
    if (from === undefined || to === undefined)
      throw new AwsError(
        'InvalidParameterValue',
        "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange",
      );
    if (from < 0 || to > 65535 || from > to)
      throw new AwsError(
        'InvalidParameterValue',
        `Invalid value '${from}-${to}' for portRange. Ports must be between 0 and 65535 and the from port must not exceed the to port.`,
      );
    return { fromPort: from, toPort: to };
  }
  if (protocol === 'icmp' || protocol === 'icmpv6') {
    if (from === undefined && to === undefined && protocol === 'icmpv6') return { fromPort: -1, toPort: -1 };
    if (from === undefined || to === undefined)
      throw new AwsError(
        'InvalidParameterValue',
        "Invalid value 'Must specify both the ICMP type (FromPort) and code (ToPort).' for icmp",
      );
    if (from < -1 || from > 255)
      throw new AwsError(
        'InvalidParameterValue',
        `Invalid value '${from}' for icmp type. Must be -1 (all) or between 0 and 255.`,
      );
    if (to < -1 || to > 255)
      throw new AwsError(
        'InvalidParameterValue',
        `Invalid value '${to}' for icmp code. Must be -1 (all) or between 0 and 255.`,
      );
    if (from === -1 && to !== -1)
      throw new AwsError(
        'InvalidParameterValue',
        'ICMP code must be -1 (all codes) when the ICMP type is -1 (all types).',
      );
    return { fromPort: from, toPort: to };
  }
  return {}; // -1 and other protocol numbers allow every port, whatever range is given
}

const DESCRIPTION_RE = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;

export function readDescription(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v.length > 255 || !DESCRIPTION_RE.test(v)) {
    throw new AwsError(
      'InvalidParameterValue',
      'Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*',
    );
  }
  return v;
}

export function readIpv4Source(v: string | undefined): string {
  const c = v ? parseCidr(v) : undefined;
  if (!c || c.family !== 4) throw new AwsError('InvalidParameterValue', `CIDR block ${v ?? ''} is malformed`);
  return canonicalCidr(v!)!;
}

export function readIpv6Source(v: string | undefined): string {
  const c = v ? parseCidr(v) : undefined;
  if (!c || c.family !== 6) throw new AwsError('InvalidParameterValue', `CIDR block ${v ?? ''} is malformed`);
  return canonicalCidr(v!)!;
}

export function readPrefixList(v: string | undefined): string {
  if (!v) throw new AwsError('MissingParameter', 'The request must contain the parameter prefixListId');
  if (!/^pl-[0-9a-f]{8}([0-9a-f]{9})?$/.test(v))
    throw new AwsError('InvalidPrefixListId.Malformed', `Invalid id: "${v}"`);
  return v;
}

/** A referenced group: by id (same VPC only, as without peering), or by name in a default VPC. */
export function readReferencedGroup(
  ctx: CallContext,
  target: SecurityGroup,
  groupId: string | undefined,
  groupName?: string,
  userId?: string,
): string {
  if (userId && userId !== target.ownerId) {
    throw new AwsError(
      'InvalidGroup.NotFound',
      `The security group '${groupId ?? groupName ?? ''}' of account ${userId} does not exist`,
    );
  }
  let ref: SecurityGroup;
  if (groupId) {
    ref = lookup('sg', ctx.region.ec2.securityGroups, groupId);
  } else if (groupName) {
    const vpc = ctx.region.ec2.vpcs.get(target.vpcId);
    const found = vpc?.isDefault
      ? [...ctx.region.ec2.securityGroups.values()].find((g) => g.vpcId === target.vpcId && g.groupName === groupName)
      : undefined;
    if (!found)
      throw new AwsError(
        'InvalidGroup.NotFound',
        `The security group '${groupName}' does not exist in default VPC '${vpc?.isDefault ? vpc.vpcId : 'none'}'`,
      );
    ref = found;
  } else {
    throw new AwsError('MissingParameter', 'Source group ID missing.');
  }
  if (ref.vpcId !== target.vpcId)
    throw new AwsError('InvalidGroup.NotFound', 'You have specified two resources that belong to different networks.');
  return ref.groupId;
}

function permissionRules(ctx: CallContext, target: SecurityGroup, perm: FormObject): RuleSpec[] {
  const ipProtocol = readProtocol(str(perm, 'IpProtocol'));
  const ports = readPorts(ipProtocol, int(perm, 'FromPort'), int(perm, 'ToPort'));
  const base = { ipProtocol, ...ports };
  const out: RuleSpec[] = [];
  for (const r of objList(perm, 'IpRanges'))
    out.push({
      ...base,
      cidrIpv4: readIpv4Source(str(r, 'CidrIp')),
      description: readDescription(str(r, 'Description')),
    });
  for (const r of objList(perm, 'Ipv6Ranges'))
    out.push({
      ...base,
      cidrIpv6: readIpv6Source(str(r, 'CidrIpv6')),
      description: readDescription(str(r, 'Description')),
    });
  for (const r of objList(perm, 'Groups')) {
    out.push({
      ...base,
      referencedGroupId: readReferencedGroup(ctx, target, str(r, 'GroupId'), str(r, 'GroupName'), str(r, 'UserId')),
      description: readDescription(str(r, 'Description')),
    });
  }
  for (const r of objList(perm, 'PrefixListIds'))
    out.push({
      ...base,
      prefixListId: readPrefixList(str(r, 'PrefixListId')),
      description: readDescription(str(r, 'Description')),
    });
  // A permission without any source adds nothing (EC2 answers success without adding a rule).
  return out;
}

const LEGACY = ['IpProtocol', 'FromPort', 'ToPort', 'CidrIp', 'SourceSecurityGroupName', 'SourceSecurityGroupOwnerId'];

/** Whether the request gives rules by properties (IpPermissions or the top-level form). */
export function hasPermissionParams(p: FormObject): boolean {
  return objList(p, 'IpPermissions').length > 0 || LEGACY.some((k) => str(p, k) !== undefined);
}

/** The rules an Authorize/Revoke request describes. */
export function readPermissionParams(ctx: CallContext, target: SecurityGroup, p: FormObject): RuleSpec[] {
  const perms = objList(p, 'IpPermissions');
  const legacy = LEGACY.filter((k) => str(p, k) !== undefined);
  if (perms.length && legacy.length) {
    throw new AwsError(
      'InvalidParameterCombination',
      `The parameter 'ipPermissions' may not be used in combination with '${legacy[0]!.charAt(0).toLowerCase()}${legacy[0]!.slice(1)}'`,
    );
  }
  if (perms.length) return perms.flatMap((perm) => permissionRules(ctx, target, perm));
  if (!legacy.length) throw new AwsError('MissingParameter', 'The request must contain the parameter ipPermissions');
  if (str(p, 'SourceSecurityGroupName') !== undefined || str(p, 'SourceSecurityGroupOwnerId') !== undefined) {
    throw new AwsError(
      'InvalidParameterCombination',
      'SourceSecurityGroupName and SourceSecurityGroupOwnerId apply to EC2-Classic only; give the source group as IpPermissions.N.Groups.M.GroupId.',
    );
  }
  const ipProtocol = readProtocol(str(p, 'IpProtocol'));
  const ports = readPorts(ipProtocol, int(p, 'FromPort'), int(p, 'ToPort'));
  const cidr = str(p, 'CidrIp');
  if (cidr === undefined)
    throw new AwsError(
      'MissingParameter',
      'Missing source specification: include source security group or CIDR information',
    );
  return [{ ipProtocol, ...ports, cidrIpv4: readIpv4Source(cidr) }];
}

/** ModifySecurityGroupRules' SecurityGroupRuleRequest: exactly one source. */
export function readRuleRequest(ctx: CallContext, target: SecurityGroup, p: FormObject | undefined): RuleSpec {
  if (!p) throw new AwsError('MissingParameter', 'The request must contain the parameter SecurityGroupRule');
  const ipProtocol = readProtocol(str(p, 'IpProtocol'));
  const ports = readPorts(ipProtocol, int(p, 'FromPort'), int(p, 'ToPort'));
  const given = ['CidrIpv4', 'CidrIpv6', 'ReferencedGroupId', 'PrefixListId'].filter((k) => str(p, k) !== undefined);
  if (given.length !== 1) {
    throw new AwsError(
      given.length ? 'InvalidParameterCombination' : 'MissingParameter',
      'Specify exactly one of CidrIpv4, CidrIpv6, ReferencedGroupId or PrefixListId.',
    );
  }
  const spec: RuleSpec = { ipProtocol, ...ports, description: readDescription(str(p, 'Description')) };
  if (given[0] === 'CidrIpv4') spec.cidrIpv4 = readIpv4Source(str(p, 'CidrIpv4'));
  if (given[0] === 'CidrIpv6') spec.cidrIpv6 = readIpv6Source(str(p, 'CidrIpv6'));
  if (given[0] === 'ReferencedGroupId')
    spec.referencedGroupId = readReferencedGroup(ctx, target, str(p, 'ReferencedGroupId'));
  if (given[0] === 'PrefixListId') spec.prefixListId = readPrefixList(str(p, 'PrefixListId'));
  return spec;
}

/** Identity of a rule within one direction: protocol, ports and source (descriptions do not count). */
export function ruleKey(r: RuleSpec): string {
  const source =
    r.cidrIpv4 ?? r.cidrIpv6 ?? (r.referencedGroupId ? `group:${r.referencedGroupId}` : `pl:${r.prefixListId ?? ''}`);
  return `${r.ipProtocol}|${r.fromPort ?? ''}|${r.toPort ?? ''}|${source}`;
}

/** The text EC2 uses for a rule in InvalidPermission.Duplicate. */
export function describeRule(r: RuleSpec): string {
  const peer = r.cidrIpv4 ?? r.cidrIpv6 ?? r.referencedGroupId ?? r.prefixListId ?? '';
  const proto = r.ipProtocol === '-1' ? 'ALL' : r.ipProtocol.toUpperCase();
  const ports = r.fromPort === undefined ? '' : `, from port: ${r.fromPort}, to port: ${r.toPort}`;
  return `peer: ${peer}, ${proto}${ports}, ALLOW`;
}

/** Rejects a rule set whose IPv4 or IPv6 count in either direction would pass the quota. */
export function checkRuleLimit(rules: Pick<SgRule, 'isEgress' | 'cidrIpv4' | 'cidrIpv6'>[]): void {
  for (const egress of [false, true]) {
    const dir = rules.filter((r) => r.isEgress === egress);
    const v4 = dir.filter((r) => !r.cidrIpv6).length;
    const v6 = dir.filter((r) => !r.cidrIpv4).length;
    if (v4 > RULES_PER_DIRECTION || v6 > RULES_PER_DIRECTION) {
      throw new AwsError(
        'RulesPerSecurityGroupLimitExceeded',
        'The maximum number of rules per security group has been reached.',
      );
    }
  }
}
