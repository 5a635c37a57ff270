// Whether a security group can be trusted as one of cordon's isolation groups. Anyone with ordinary EC2 permissions —
// the attacker included — can tag a group `cordon:role=isolation-empty` or add a rule to cordon's own empty group, so
// a group is trusted only when its tags say what it is AND its rules are exactly what cordon gives that role:
//   step 2 (empty):       no rule at all, in or out;
//   step 1 (open):        all traffic in and out from and to 0.0.0.0/0 and ::/0, nothing else;
//   step 2 + allow-list:  all traffic in and out from and to exactly the allow-list's networks.
// A group that differs is never used: containment creates a fresh one and reports the tampered one as an indicator.

import type { RuleFacts, SecurityGroupFacts } from './facts.js';
import { DO_NOT_USE, ROLE_EMPTY, ROLE_OPEN, TAG } from './tags.js';
import { LTAG, ROLE_ALLOW, readList } from './subnet-layers.js';

export type IsolationRole = typeof ROLE_OPEN | typeof ROLE_EMPTY | typeof ROLE_ALLOW;

export interface TamperedGroup {
  groupId: string;
  groupName: string;
  vpcId: string;
  role: string;
  /** What is wrong: the rule that should not be there, the one missing, or the tag. */
  reason: string;
}

function ruleKey(r: RuleFacts): string {
  const peer = r.cidr ?? (r.groupId ? `group ${r.groupId}` : r.prefixListId ? `prefix list ${r.prefixListId}` : '?');
  const proto = r.protocol === '-1' ? 'all' : r.protocol;
  const ports = r.fromPort === undefined || r.protocol === '-1' ? '' : ` ${r.fromPort}-${r.toPort}`;
  return `${proto}${ports} ${peer}`;
}

function compare(direction: 'ingress' | 'egress', have: RuleFacts[], want: string[]): string | undefined {
  const got = have.map(ruleKey);
  const extra = got.filter((k) => !want.includes(k));
  const missing = want.filter((k) => !got.includes(k));
  if (extra.length) return `${direction} rule ${extra.join(', ')} is not cordon's`;
  if (missing.length) return `${direction} rule ${missing.join(', ')} is missing`;
  return undefined;
}

/** The rules cordon gives each role: ["all 0.0.0.0/0", …]. */
export function expectedRules(role: IsolationRole, allow: string[] = []): string[] {
  if (role === ROLE_OPEN) return ['all 0.0.0.0/0', 'all ::/0'];
  if (role === ROLE_EMPTY) return [];
  return allow.map((c) => `all ${c}`);
}

/** Undefined when the group is trustworthy for its tagged role; else why not. */
export function isolationGroupProblem(g: SecurityGroupFacts): string | undefined {
  const role = g.tags[TAG.role];
  if (role !== ROLE_OPEN && role !== ROLE_EMPTY && role !== ROLE_ALLOW) return `its ${TAG.role} tag is "${role}"`;
  if (g.tags[TAG.doNotUse] !== DO_NOT_USE) return `it lacks the ${TAG.doNotUse} tag`;
  const want = expectedRules(role, role === ROLE_ALLOW ? readList(g.tags, LTAG.allowList) : []);
  return compare('ingress', g.ingress, want) ?? compare('egress', g.egress, want);
}

/** Splits the groups tagged with a cordon role into trusted ones and tampered ones. */
export function classifyIsolationGroups(groups: SecurityGroupFacts[]): {
  trusted: SecurityGroupFacts[];
  tampered: TamperedGroup[];
} {
  const trusted: SecurityGroupFacts[] = [];
  const tampered: TamperedGroup[] = [];
  for (const g of groups) {
    const problem = isolationGroupProblem(g);
    if (problem === undefined) trusted.push(g);
    else
      tampered.push({
        groupId: g.groupId,
        groupName: g.groupName,
        vpcId: g.vpcId,
        role: g.tags[TAG.role] ?? '',
        reason: problem,
      });
  }
  return { trusted, tampered };
}
