// Per-access-key allow/deny lists with IAM-style action patterns (`ec2:Describe*`, `*`).

import type { Principal } from './state/types.js';

const cache = new Map<string, RegExp>();

export function actionMatches(pattern: string, action: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, 'i');
    cache.set(pattern, re);
  }
  return re.test(action);
}

/** `ec2:ModifyNetworkInterfaceAttribute` is allowed for this principal? Deny wins; no allow list = allow all. */
export function isAllowed(principal: Principal, iamAction: string): boolean {
  if (principal.deny?.some((p) => actionMatches(p, iamAction))) return false;
  if (principal.allow) return principal.allow.some((p) => actionMatches(p, iamAction));
  return true;
}
