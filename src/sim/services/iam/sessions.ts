// How a role's inline policies bear on the STS sessions of that role (the credentials AssumeRole hands out).
// The simulator enforces permissions with per-principal allow / deny action patterns (permissions.ts); a session's
// `deny` list is derived here from its role's inline Deny statements and refreshed whenever those change, so that
// revoking sessions works as in IAM:
//   - a Deny with Resource "*" and no condition denies its actions to every session of the role;
//   - a Deny whose only condition is DateLessThan aws:TokenIssueTime denies them to sessions issued before that
//     time (the console's AWSRevokeOlderSessions policy);
//   - a Deny with any other condition key (e.g. ec2:SourceInstanceARN, which only instance credentials carry) does
//     not apply to AssumeRole sessions; NotAction and resource-scoped Denies are not modelled.
// Allow statements are not evaluated: sessions may otherwise do everything.

import type { IamRole, Principal } from '../../state/types.js';
import type { World } from '../../state/world.js';

/** When each session was issued (simulated epoch ms). */
const issuedAt = new WeakMap<Principal, number>();

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

function conditionApplies(condition: unknown, issued: number): boolean {
  if (condition === undefined) return true;
  if (!condition || typeof condition !== 'object') return false;
  const entries = Object.entries(condition as Record<string, unknown>);
  return entries.every(([operator, block]) => {
    if (operator !== 'DateLessThan' || !block || typeof block !== 'object') return false;
    return Object.entries(block as Record<string, unknown>).every(([key, value]) => {
      if (key.toLowerCase() !== 'aws:tokenissuetime') return false;
      const cutoffs = asList(value).map((v) => Date.parse(String(v)));
      return cutoffs.some((c) => Number.isFinite(c) && issued < c);
    });
  });
}

/** The action patterns the role's inline policies deny to a session issued at `issued`. */
export function sessionDenies(role: IamRole, issued: number): string[] {
  const out: string[] = [];
  for (const text of Object.values(role.inlinePolicies)) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      continue;
    }
    for (const s of asList((doc as Record<string, unknown> | null)?.Statement)) {
      if (!s || typeof s !== 'object') continue;
      const st = s as Record<string, unknown>;
      if (st.Effect !== 'Deny' || st.Action === undefined) continue;
      if (!asList(st.Resource).includes('*')) continue;
      if (!conditionApplies(st.Condition, issued)) continue;
      for (const a of asList(st.Action)) if (typeof a === 'string' && !out.includes(a)) out.push(a);
    }
  }
  return out;
}

/** Records a new session of `role` and gives it the denies that apply to it. */
export function startSession(principal: Principal, role: IamRole, issued: number): void {
  issuedAt.set(principal, issued);
  const deny = sessionDenies(role, issued);
  principal.deny = deny.length ? deny : undefined;
}

/** Re-derives the denies of every live session of the role (after its inline policies changed). */
export function refreshSessions(world: World, accountId: string, role: IamRole): void {
  const prefix = `arn:aws:sts::${accountId}:assumed-role/${role.roleName}/`;
  for (const p of world.principals.values()) {
    const issued = issuedAt.get(p);
    if (issued === undefined || !p.arn.startsWith(prefix)) continue;
    const deny = sessionDenies(role, issued);
    p.deny = deny.length ? deny : undefined;
  }
}
