// Parameter reading and paging for the awsQuery services (Auto Scaling, ELB, ELBv2, IAM, STS). These services
// answer bad input with `ValidationError` and AWS's Coral-style messages ("1 validation error detected: Value
// null at 'autoScalingGroupName' failed to satisfy constraint: Member must not be null"), and page with an
// opaque token (NextToken / Marker). EC2's helpers in framework.ts use EC2's codes instead.

import type { FormObject, FormValue } from '../protocol/form.js';
import { AwsError } from '../errors.js';
import { list } from './framework.js';

/** `AutoScalingGroupName` → `autoScalingGroupName`, as AWS names members in validation messages. */
function memberName(key: string): string {
  return key.charAt(0).toLowerCase() + key.slice(1);
}

export function validation(key: string, value: string | number | null, constraint: string): AwsError {
  const shown = value === null ? 'null' : `'${value}'`;
  return new AwsError(
    'ValidationError',
    `1 validation error detected: Value ${shown} at '${memberName(key)}' failed to satisfy constraint: ${constraint}`,
    400,
  );
}

export function optStr(p: FormObject, key: string, maxLen?: number): string | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw validation(key, null, 'Member must be a string');
  if (maxLen !== undefined && v.length > maxLen)
    throw validation(key, v, `Member must have length less than or equal to ${maxLen}`);
  return v;
}

export function needStr(p: FormObject, key: string, maxLen?: number): string {
  const v = optStr(p, key, maxLen);
  if (v === undefined) throw validation(key, null, 'Member must not be null');
  if (v === '') throw validation(key, '', 'Member must have length greater than or equal to 1');
  return v;
}

export function optInt(p: FormObject, key: string, min?: number, max?: number): number | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw validation(key, typeof v === 'string' ? v : null, 'Member must be an integer');
  if (min !== undefined && n < min) throw validation(key, n, `Member must have value greater than or equal to ${min}`);
  if (max !== undefined && n > max) throw validation(key, n, `Member must have value less than or equal to ${max}`);
  return n;
}

export function needInt(p: FormObject, key: string, min?: number, max?: number): number {
  const n = optInt(p, key, min, max);
  if (n === undefined) throw validation(key, null, 'Member must not be null');
  return n;
}

export function optBool(p: FormObject, key: string): boolean | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw validation(key, typeof v === 'string' ? v : null, 'Member must be a boolean');
}

export function needBool(p: FormObject, key: string): boolean {
  const b = optBool(p, key);
  if (b === undefined) throw validation(key, null, 'Member must not be null');
  return b;
}

/** A `X.member.N` list of strings (the decoder has already dropped `member`). */
export function strings(p: FormObject, key: string, maxItems?: number): string[] {
  const out = list(p[key]).map((x: FormValue) => (typeof x === 'string' ? x : ''));
  if (maxItems !== undefined && out.length > maxItems)
    throw validation(key, null, `Member must have length less than or equal to ${maxItems}`);
  return out;
}

/** A `X.member.N.Field` list of structures. */
export function structs(p: FormObject, key: string): FormObject[] {
  return list(p[key]).filter((x): x is FormObject => typeof x === 'object' && !Array.isArray(x));
}

export function struct(p: FormObject, key: string): FormObject | undefined {
  const v = p[key];
  return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

/** `Tags.member.N.Key` / `.Value`. */
export function readTags(p: FormObject, key = 'Tags'): { key: string; value: string }[] {
  return structs(p, key).map((t) => ({
    key: typeof t.Key === 'string' ? t.Key : '',
    value: typeof t.Value === 'string' ? t.Value : '',
  }));
}

// ---- paging ----------------------------------------------------------------------------------------------

function encodeToken(offset: number, salt: string): string {
  return Buffer.from(`${salt}:${offset}`).toString('base64url');
}

function decodeToken(token: string, salt: string): number | undefined {
  const m = /^(.*):(\d+)$/s.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m || m[1] !== salt) return undefined;
  return Number(m[2]);
}

/**
 * Pages a list with an opaque token. `salt` ties a token to its list (a DescribeAutoScalingGroups token is not
 * accepted by DescribeScalingActivities). Returns the page and the token for the next page, if any.
 */
export function pageOf<T>(
  items: T[],
  size: number,
  token: string | undefined,
  salt: string,
  badToken: () => AwsError,
): { page: T[]; next?: string } {
  let start = 0;
  if (token !== undefined && token !== '') {
    const n = decodeToken(token, salt);
    if (n === undefined || n > items.length) throw badToken();
    start = n;
  }
  const end = start + size;
  return { page: items.slice(start, end), next: end < items.length ? encodeToken(end, salt) : undefined };
}
