// The tags cordon writes: audit tags on what it touched, the write-ahead record of original values on the resource
// itself (so any machine can restore), and markers on isolation entities so nobody reuses them.

export const TAG = {
  incident: 'cordon:incident',
  status: 'cordon:status',
  containedAt: 'cordon:contained-at',
  layers: 'cordon:layers',
  role: 'cordon:role',
  doNotUse: 'cordon:do-not-use',
  originalGroups: 'cordon:original-groups',
  originalConntrack: 'cordon:original-conntrack',
  /** The SHA-256 of the journal's plan record of the run that wrote the tags (ties them to that journal). */
  journal: 'cordon:journal',
} as const;

export const ROLE_OPEN = 'isolation-open';
export const ROLE_EMPTY = 'isolation-empty';
export const DO_NOT_USE = 'true';

/** Every tag key cordon may write (audit tags: ignored when comparing a resource before and after restore). */
export function isCordonTag(key: string): boolean {
  return key.startsWith('cordon:');
}

const MAX_VALUE = 256;

/**
 * Encodes a long value across numbered tags: `key` holds the first 256 characters, `key:2`, `key:3` … the rest.
 * Returns a tag map.
 */
export function splitTagValue(key: string, value: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (value.length <= MAX_VALUE) {
    out[key] = value;
    return out;
  }
  for (let i = 0, n = 1; i < value.length; i += MAX_VALUE, n++)
    out[n === 1 ? key : `${key}:${n}`] = value.slice(i, i + MAX_VALUE);
  return out;
}

export function joinTagValue(tags: Record<string, string>, key: string): string | undefined {
  const first = tags[key];
  if (first === undefined) return undefined;
  let v = first;
  for (let n = 2; tags[`${key}:${n}`] !== undefined; n++) v += tags[`${key}:${n}`];
  return v;
}
