// IAM lookups, name and path checks, and Marker / MaxItems paging (IsTruncated + Marker in the answer).
// IAM names are unique without regard to case, and lookups ignore case too.

import type { FormObject } from '../../protocol/form.js';
import type { XmlData } from '../../protocol/xml.js';
import { AwsError } from '../../errors.js';
import type { AccountState, IamInstanceProfile, IamRole } from '../../state/types.js';
import { optInt, optStr, pageOf, validation } from '../queryParams.js';

export function findRole(account: AccountState, name: string): IamRole | undefined {
  const exact = account.iam.roles.get(name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  for (const r of account.iam.roles.values()) if (r.roleName.toLowerCase() === lower) return r;
  return undefined;
}

export function roleByName(account: AccountState, name: string): IamRole {
  const r = findRole(account, name);
  if (!r) throw new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
  return r;
}

export function findProfile(account: AccountState, name: string): IamInstanceProfile | undefined {
  const exact = account.iam.instanceProfiles.get(name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  for (const p of account.iam.instanceProfiles.values()) if (p.instanceProfileName.toLowerCase() === lower) return p;
  return undefined;
}

export function profileByName(account: AccountState, name: string): IamInstanceProfile {
  const p = findProfile(account, name);
  if (!p) throw new AwsError('NoSuchEntity', `Instance Profile ${name} cannot be found.`, 404);
  return p;
}

const NAME_RE = /^[\w+=,.@-]+$/;

/** Role, instance profile and policy names: [\w+=,.@-]+ within a length limit. */
export function checkName(key: string, value: string, max: number): void {
  if (value.length > max) throw validation(key, value, `Member must have length less than or equal to ${max}`);
  if (!NAME_RE.test(value))
    throw validation(key, value, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
}

export function readPath(p: FormObject, key = 'Path'): string {
  const path = optStr(p, key, 512) ?? '/';
  if (!/^\/$|^\/[\u0021-\u007E]+\/$/.test(path)) {
    throw validation(
      key,
      path,
      'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)',
    );
  }
  return path;
}

/** IAM's Marker / MaxItems paging; `key` names the list member in the answer. */
export function iamPage<T>(p: FormObject, items: T[], salt: string, key: string, view: (x: T) => XmlData): XmlData {
  const max = optInt(p, 'MaxItems', 1, 1000) ?? 100;
  const { page, next } = pageOf(
    items,
    max,
    optStr(p, 'Marker'),
    salt,
    () => new AwsError('ValidationError', 'Invalid Marker.', 400),
  );
  return { [key]: page.map(view), IsTruncated: next !== undefined, Marker: next };
}

/** Eighteen-character IAM unique ids: a four-letter type prefix and seventeen upper-case characters. */
export function uniqueId(prefix: 'AROA' | 'AIPA', hex: string): string {
  return `${prefix}${hex.toUpperCase()}`;
}
