// What a run acts on: instances named by id (in the run's account and region) or by ARN (any account and region),
// from the command line or a targets file, and selectors (a tag, an Auto Scaling group) resolved in the run's region.
// Pure: parsing and grouping. A fleet runs one worker per account × region (EC2's buckets are per account and
// region); src/engine/fleet.ts runs them.

import { CordonError, EXIT } from './errors.js';

export const INSTANCE_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;
const ARN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):ec2:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):instance\/(i-[0-9a-f]+)$/;

export interface Target {
  instanceId: string;
  /** Absent: the run's own region. */
  region?: string;
  /** Absent: the account of the run's credentials. */
  accountId?: string;
  partition?: string;
  /** How it was named (an ARN, an id, a selector), for messages. */
  source: string;
}

export interface Selectors {
  /** KEY=VALUE: instances carrying every one of these tags. */
  tags: { key: string; value: string }[];
  /** Auto Scaling group names: their instances. */
  asgs: string[];
}

/** Parses one target: an instance id or an instance ARN. */
export function parseTarget(s: string, where = 'the command line'): Target {
  const v = s.trim();
  if (INSTANCE_ID.test(v)) return { instanceId: v, source: v };
  const m = ARN.exec(v);
  if (m) {
    if (!INSTANCE_ID.test(m[4]!))
      throw new CordonError('malformed-id', `"${v}" (${where}) names a malformed instance id`, EXIT.usage);
    return { instanceId: m[4]!, region: m[2], accountId: m[3], partition: m[1], source: v };
  }
  throw new CordonError(
    'malformed-id',
    `"${v}" is not an instance id or an instance ARN (${where})`,
    EXIT.usage,
    'give i-0123456789abcdef0 or arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0',
  );
}

/**
 * A targets file: one id or ARN a line (blank lines and lines starting with # are skipped), or JSON — an array of
 * ids / ARNs, or { "targets": [...] }.
 */
export function parseTargetsFile(text: string, path: string): Target[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let raw: unknown;
    try {
      raw = JSON.parse(trimmed);
    } catch (e) {
      throw new CordonError('usage', `--targets ${path} is not valid JSON: ${(e as Error).message}`, EXIT.usage);
    }
    const list = Array.isArray(raw) ? raw : (raw as { targets?: unknown }).targets;
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string'))
      throw new CordonError(
        'usage',
        `--targets ${path}: expected a JSON array of instance ids or ARNs, or {"targets": [...]}`,
        EXIT.usage,
      );
    return (list as string[]).map((x, i) => parseTarget(x, `${path}[${i}]`));
  }
  return text
    .split('\n')
    .map((l, i) => ({ l: l.trim(), i }))
    .filter(({ l }) => l && !l.startsWith('#'))
    .map(({ l, i }) => parseTarget(l, `${path} line ${i + 1}`));
}

/** `--tag KEY=VALUE` (the value may contain '='; an empty value matches an empty tag). */
export function parseTagSelector(s: string): { key: string; value: string } {
  const i = s.indexOf('=');
  if (i <= 0)
    throw new CordonError(
      'usage',
      `--tag "${s}" is not KEY=VALUE`,
      EXIT.usage,
      'e.g. --tag incident-scope=worm-2026-12 (instances carrying that tag)',
    );
  return { key: s.slice(0, i), value: s.slice(i + 1) };
}

export interface TargetGroup {
  /** undefined: the run's own account. */
  accountId?: string;
  region: string;
  instanceIds: string[];
}

/**
 * One group per account × region, ids unique, in the order first named. `defaultRegion` is the run's region;
 * `ownAccount` (when known) folds ARNs of the run's own account into the same group as plain ids.
 */
export function groupTargets(targets: Target[], defaultRegion: string | undefined, ownAccount?: string): TargetGroup[] {
  const groups = new Map<string, TargetGroup>();
  for (const t of targets) {
    const region = t.region ?? defaultRegion;
    if (!region)
      throw new CordonError(
        'no-region',
        `no AWS region for ${t.source}`,
        EXIT.usage,
        'pass --region or set AWS_REGION',
      );
    const accountId = t.accountId && t.accountId !== ownAccount ? t.accountId : undefined;
    const key = `${accountId ?? ''}/${region}`;
    const g = groups.get(key) ?? { accountId, region, instanceIds: [] };
    if (!g.instanceIds.includes(t.instanceId)) g.instanceIds.push(t.instanceId);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** Parses a duration: 90, 90s, 15m, 1h (seconds when no unit). */
export function parseDuration(s: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m || Number(m[1]) <= 0)
    throw new CordonError('usage', `${flag} "${s}" is not a duration`, EXIT.usage, 'e.g. 90s, 15m or 1h');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}
