// EC2 network ACL entries: CreateNetworkAclEntry, ReplaceNetworkAclEntry, DeleteNetworkAclEntry.
//
// Rule numbers 1–32766 (32767–65535 are reserved). Protocol '-1' or a number 0–255 (the names tcp, udp, icmp,
// icmpv6 and all are accepted, as EC2 does for the CLI, and stored as numbers). TCP (6) and UDP (17) need a
// PortRange; ICMP (1), and ICMPv6 (58) with an IPv6 CIDR, need Icmp type and code. CIDRs are canonicalised
// (100.68.0.18/18 → 100.68.0.0/18).
//
// Limit (AWS default, adjustable to 40): 20 rules per direction, IPv4 and IPv6 counted separately, and the count
// includes the fixed default deny. So an ACL takes at most 19 user rules per direction per address family; the
// 20th answers NetworkAclEntryLimitExceeded.

import type { Handler } from '../framework.js';
import { bool, int, obj, str } from '../framework.js';
import type { FormObject } from '../../protocol/form.js';
import { AwsError } from '../../errors.js';
import { lookup } from './ids.js';
import { canonicalCidr, familyOf, parseCidr } from '../../../core/cidr.js';
import type { NetworkAcl, NetworkAclEntry } from '../../state/types.js';

/** Rules per direction per address family, including the default deny. */
export const NACL_RULES_PER_DIRECTION = 20;

const PROTOCOL_NAMES: Record<string, string> = { all: '-1', '-1': '-1', tcp: '6', udp: '17', icmp: '1', icmpv6: '58' };

function missing(param: string): AwsError {
  return new AwsError('MissingParameter', `The request must contain the parameter ${param}`);
}

function readRuleNumber(p: FormObject): number {
  const n = int(p, 'RuleNumber');
  if (n === undefined) throw missing('ruleNumber');
  if (n < 1 || n > 32766) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${n}) for parameter ruleNumber is invalid. Rule number must be between 1 and 32766 (32767-65535 are reserved).`,
    );
  }
  return n;
}

function readEgress(p: FormObject): boolean {
  const e = bool(p, 'Egress');
  if (e === undefined) throw missing('egress');
  return e;
}

function readProtocol(raw: string): string {
  const named = PROTOCOL_NAMES[raw.toLowerCase()];
  if (named) return named;
  if (/^\d{1,3}$/.test(raw) && Number(raw) <= 255) return String(Number(raw));
  throw new AwsError('InvalidParameterValue', `Invalid value '${raw}' for IP protocol. Unknown protocol.`);
}

function readCidr(value: string, param: string, family: 4 | 6): string {
  const c = parseCidr(value);
  const canon = c && c.family === family ? canonicalCidr(value) : undefined;
  if (!canon)
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${value}) for parameter ${param} is invalid. This is not a valid CIDR block.`,
    );
  return canon;
}

function readRange(o: FormObject, key: string, min: number, max: number, param: string): number {
  const v = int(o, key);
  if (v === undefined) throw missing(`${param}.${key.toLowerCase()}`);
  if (v < min || v > max)
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${v}) for parameter ${param}.${key.toLowerCase()} is invalid. It must be between ${min} and ${max}.`,
    );
  return v;
}

/** Reads and validates the entry given by a Create/ReplaceNetworkAclEntry request. */
function readEntry(p: FormObject): NetworkAclEntry {
  const ruleNumber = readRuleNumber(p);
  const egress = readEgress(p);
  const rawProtocol = str(p, 'Protocol');
  if (!rawProtocol) throw missing('protocol');
  const protocol = readProtocol(rawProtocol);
  const action = str(p, 'RuleAction');
  if (!action) throw missing('ruleAction');
  if (action !== 'allow' && action !== 'deny') {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${action}) for parameter ruleAction is invalid. Valid values: allow, deny`,
    );
  }
  const v4 = str(p, 'CidrBlock');
  const v6 = str(p, 'Ipv6CidrBlock');
  if (!v4 && !v6) throw new AwsError('MissingParameter', "Either 'cidrBlock' or 'ipv6CidrBlock' should be provided.");
  if (v4 && v6)
    throw new AwsError('InvalidParameterCombination', "Only one of 'cidrBlock' or 'ipv6CidrBlock' may be provided.");
  const entry: NetworkAclEntry = { ruleNumber, egress, protocol, ruleAction: action };
  if (v4) entry.cidrBlock = readCidr(v4, 'cidrBlock', 4);
  else entry.ipv6CidrBlock = readCidr(v6!, 'ipv6CidrBlock', 6);
  if (protocol === '6' || protocol === '17') {
    const pr = obj(p, 'PortRange');
    if (!pr) throw missing('portRange');
    const from = readRange(pr, 'From', 0, 65535, 'portRange');
    const to = readRange(pr, 'To', 0, 65535, 'portRange');
    if (from > to)
      throw new AwsError(
        'InvalidParameterValue',
        `Invalid port range ${from}-${to}: the from port must not exceed the to port.`,
      );
    entry.portRange = { from, to };
  }
  const icmp = obj(p, 'Icmp');
  if (protocol === '1' || (protocol === '58' && entry.ipv6CidrBlock)) {
    if (!icmp) throw missing('icmpTypeCode');
    entry.icmpTypeCode = {
      type: readRange(icmp, 'Type', -1, 255, 'icmpTypeCode'),
      code: readRange(icmp, 'Code', -1, 255, 'icmpTypeCode'),
    };
  } else if (protocol === '58' && icmp) {
    entry.icmpTypeCode = { type: int(icmp, 'Type') ?? -1, code: int(icmp, 'Code') ?? -1 };
  }
  return entry;
}

function familyOfEntry(e: NetworkAclEntry): 4 | 6 {
  return e.ipv6CidrBlock ? 6 : familyOf(e.cidrBlock ?? '0.0.0.0/0');
}

/** Throws NetworkAclEntryLimitExceeded when `entry` (replacing `replacing`, if any) would pass the rule quota. */
function checkLimit(acl: NetworkAcl, entry: NetworkAclEntry, replacing?: NetworkAclEntry): void {
  const family = familyOfEntry(entry);
  const others = acl.entries.filter(
    (e) => e !== replacing && e.egress === entry.egress && familyOfEntry(e) === family,
  ).length;
  if (others + 1 + 1 > NACL_RULES_PER_DIRECTION) {
    throw new AwsError(
      'NetworkAclEntryLimitExceeded',
      `The maximum number of ${entry.egress ? 'egress' : 'ingress'} IPv${family} rules (${NACL_RULES_PER_DIRECTION}, including the default deny) in network ACL ${acl.networkAclId} has been reached.`,
    );
  }
}

function findEntry(acl: NetworkAcl, ruleNumber: number, egress: boolean): NetworkAclEntry | undefined {
  return acl.entries.find((e) => e.ruleNumber === ruleNumber && e.egress === egress);
}

function notFound(ruleNumber: number, egress: boolean): AwsError {
  return new AwsError(
    'InvalidNetworkAclEntry.NotFound',
    `The network acl entry identified by ${ruleNumber} (${egress ? 'egress' : 'ingress'}) does not exist.`,
  );
}

function readAcl(ctx: Parameters<Handler>[0], p: FormObject): NetworkAcl {
  const id = str(p, 'NetworkAclId');
  if (!id) throw missing('networkAclId');
  return lookup('acl', ctx.region.ec2.networkAcls, id, 'networkAclId');
}

const createNetworkAclEntry: Handler = (ctx, p) => {
  const acl = readAcl(ctx, p);
  const entry = readEntry(p);
  if (findEntry(acl, entry.ruleNumber, entry.egress)) {
    throw new AwsError(
      'NetworkAclEntryAlreadyExists',
      `The network acl entry identified by ${entry.ruleNumber} already exists.`,
    );
  }
  checkLimit(acl, entry);
  ctx.dryRunGate();
  acl.entries.push(entry);
  return { return: true };
};

const replaceNetworkAclEntry: Handler = (ctx, p) => {
  const acl = readAcl(ctx, p);
  const entry = readEntry(p);
  const old = findEntry(acl, entry.ruleNumber, entry.egress);
  if (!old) throw notFound(entry.ruleNumber, entry.egress);
  checkLimit(acl, entry, old);
  ctx.dryRunGate();
  acl.entries[acl.entries.indexOf(old)] = entry;
  return { return: true };
};

const deleteNetworkAclEntry: Handler = (ctx, p) => {
  const acl = readAcl(ctx, p);
  const ruleNumber = readRuleNumber(p);
  const egress = readEgress(p);
  const old = findEntry(acl, ruleNumber, egress);
  if (!old) throw notFound(ruleNumber, egress);
  ctx.dryRunGate();
  acl.entries = acl.entries.filter((e) => e !== old);
  return { return: true };
};

export const naclEntryActions: Record<string, Handler> = {
  CreateNetworkAclEntry: createNetworkAclEntry,
  ReplaceNetworkAclEntry: replaceNetworkAclEntry,
  DeleteNetworkAclEntry: deleteNetworkAclEntry,
};
