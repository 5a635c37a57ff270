// Whether a role's trust policy lets a principal assume it: an Allow statement for sts:AssumeRole naming the
// caller (its ARN, its account id or account root, its role for an assumed-role session, or "*"), and no Deny
// statement doing the same. Conditions are not evaluated (a statement with conditions applies as if they held).

import { actionMatches } from '../../permissions.js';
import type { IamRole, Principal } from '../../state/types.js';

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

/** The names a caller answers to in a trust policy's `Principal.AWS`. */
function callerNames(caller: Principal): string[] {
  const names = [caller.arn, caller.accountId, `arn:aws:iam::${caller.accountId}:root`];
  const m = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(caller.arn);
  if (m) names.push(`arn:aws:iam::${m[1]}:role/${m[2]}`);
  return names;
}

function principalMatches(principal: unknown, caller: Principal, roleArns: string[]): boolean {
  if (principal === '*') return true;
  if (!principal || typeof principal !== 'object') return false;
  const aws = asList((principal as Record<string, unknown>).AWS).filter((x): x is string => typeof x === 'string');
  const names = [...callerNames(caller), ...roleArns];
  return aws.some((a) => a === '*' || names.includes(a));
}

function actionApplies(st: Record<string, unknown>): boolean {
  if (st.Action !== undefined)
    return asList(st.Action).some((a) => typeof a === 'string' && actionMatches(a, 'sts:AssumeRole'));
  if (st.NotAction !== undefined)
    return !asList(st.NotAction).some((a) => typeof a === 'string' && actionMatches(a, 'sts:AssumeRole'));
  return false;
}

/**
 * `callerRoleArns`: the full ARNs (with path) of the role behind an assumed-role caller, so a trust policy that
 * names a role with a path still matches its sessions.
 */
export function trustAllows(role: IamRole, caller: Principal, callerRoleArns: string[] = []): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(role.assumeRolePolicyDocument);
  } catch {
    return false;
  }
  const statements = asList((doc as Record<string, unknown> | null)?.Statement).filter(
    (s): s is Record<string, unknown> => !!s && typeof s === 'object',
  );
  const applies = (st: Record<string, unknown>): boolean =>
    actionApplies(st) && principalMatches(st.Principal, caller, callerRoleArns);
  if (statements.some((st) => st.Effect === 'Deny' && applies(st))) return false;
  return statements.some((st) => st.Effect === 'Allow' && applies(st));
}
