// IAM policy documents: the checks IAM applies before storing one (MalformedPolicyDocument), the size IAM
// counts (whitespace is not counted), and the URL encoding IAM uses for documents in its responses.

import { AwsError } from '../../errors.js';

export type PolicyKind = 'identity' | 'trust';

function malformed(message: string): AwsError {
  return new AwsError('MalformedPolicyDocument', message, 400);
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

/** Parses and checks a policy document; returns the parsed JSON. */
export function checkPolicyDocument(text: string, kind: PolicyKind): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('Syntax errors in policy.');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw malformed('Syntax errors in policy.');
  const d = doc as Record<string, unknown>;
  if (d.Version !== undefined && d.Version !== '2012-10-17' && d.Version !== '2008-10-17')
    throw malformed('The policy failed legacy parsing');
  if (d.Statement === undefined) throw malformed('Missing required field Statement');
  const statements = asList(d.Statement);
  if (statements.length === 0) throw malformed('Syntax errors in policy.');
  for (const s of statements) {
    if (!s || typeof s !== 'object' || Array.isArray(s)) throw malformed('Syntax errors in policy.');
    const st = s as Record<string, unknown>;
    if (st.Effect === undefined) throw malformed('Missing required field Effect');
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') throw malformed(`Invalid effect: ${String(st.Effect)}`);
    if (st.Action === undefined && st.NotAction === undefined)
      throw malformed('Policy statement must contain actions.');
    for (const a of [...asList(st.Action), ...asList(st.NotAction)]) {
      if (typeof a !== 'string') throw malformed('Syntax errors in policy.');
      if (a !== '*' && !/^[a-zA-Z0-9-]+:[^:]*$/.test(a))
        throw malformed('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    }
    if (kind === 'identity') {
      if (st.Principal !== undefined || st.NotPrincipal !== undefined)
        throw malformed('Policy document should not specify a principal.');
      if (st.Resource === undefined && st.NotResource === undefined)
        throw malformed('Policy statement must contain resources.');
    } else {
      if (st.Resource !== undefined || st.NotResource !== undefined) throw malformed('Has prohibited field Resource');
      if (st.Principal === undefined && st.NotPrincipal === undefined)
        throw malformed('Missing required field Principal');
    }
    if (
      st.Condition !== undefined &&
      (typeof st.Condition !== 'object' || Array.isArray(st.Condition) || st.Condition === null)
    ) {
      throw malformed('Syntax errors in policy.');
    }
  }
  return d;
}

/** The size IAM counts against its quotas: characters other than whitespace. */
export function policySize(text: string): number {
  return text.replace(/\s/g, '').length;
}

/** IAM returns policy documents URL-encoded (RFC 3986). */
export function urlEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Inline policies of one role may total this many characters (whitespace excluded). */
export const ROLE_INLINE_POLICY_QUOTA = 10240;
