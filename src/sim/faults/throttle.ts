// EC2's request-rate token buckets (aws-api-semantics.md §2.1): one bucket per account + region + API action,
// sized by the action's category, refilled once a second (overflow discarded; an empty bucket can be drawn on at
// the refill rate). Run/Start/Stop/TerminateInstances also spend one resource token per instance affected.
// awsQuery services (Auto Scaling, ELB, IAM, STS; SNS too, for want of one number for all its actions): one shared
// bucket per service, account and region, sized like EC2's mutating bucket. S3 has per-bucket read and write rates.
// Time comes from the simulated clock, so tests refill a bucket by advancing the clock.

import type { CallInfo } from './faults.js';
import { ec2Bucket, RESOURCE_RATE, SERVICE_BUCKET } from '../../core/rate-limits.js';

export { ec2Bucket, type Ec2Category } from '../../core/rate-limits.js';

export interface BucketSize {
  max: number;
  refill: number;
}

export interface ThrottleConfig {
  enabled: boolean;
  /** Multiplies bucket sizes and refill rates (e.g. 10 lets a benchmark run ten times faster). Default 1. */
  scale?: number;
  /** Overrides per action: { "ModifyNetworkInterfaceAttribute": { "max": 5, "refill": 1 } }. */
  overrides?: Record<string, BucketSize>;
  /** Spend resource tokens for Run/Start/Stop/TerminateInstances (one per instance). Default true. */
  resourceBuckets?: boolean;
}

/** How many instances a call affects, for the resource buckets. */
function instancesAffected(call: CallInfo): number {
  if (call.action === 'RunInstances') {
    const n = Number(call.params.MaxCount ?? call.params.MinCount ?? 1);
    return Number.isInteger(n) && n > 0 ? n : 1;
  }
  const ids = call.params.InstanceId;
  return Array.isArray(ids) ? Math.max(ids.length, 1) : 1;
}

/**
 * S3 request rates (S3 user guide, "Best practices design patterns: optimizing Amazon S3 performance"): at least
 * 3,500 PUT/COPY/POST/DELETE and 5,500 GET/HEAD requests per second per partitioned prefix. The simulator keeps one
 * pair of buckets per S3 bucket (it does not partition prefixes) and answers 503 SlowDown when one is empty.
 */
export const S3_WRITE_RATE: [number, number] = [3500, 3500];
export const S3_READ_RATE: [number, number] = [5500, 5500];

function s3Bucket(call: CallInfo): { key: string; size: [number, number] } {
  const read = /^(Get|Head|List)/.test(call.action);
  const bucket = typeof call.params.Bucket === 'string' ? call.params.Bucket : '';
  return { key: `${call.service}/${bucket}#${read ? 'read' : 'write'}`, size: read ? S3_READ_RATE : S3_WRITE_RATE };
}

interface Bucket {
  tokens: number;
  max: number;
  refill: number;
  /** Simulated ms of the last whole-second refill. */
  at: number;
}

export interface BucketView {
  key: string;
  tokens: number;
  max: number;
  refill: number;
}

export type ThrottleVerdict = { ok: true } | { ok: false; kind: 'request' | 'resource' };

export class TokenBuckets {
  private buckets = new Map<string, Bucket>();
  constructor(
    private readonly now: () => number,
    private readonly config?: ThrottleConfig,
  ) {}

  private bucket(key: string, size: [number, number], now: number): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      const scale = this.config?.scale ?? 1;
      b = { tokens: size[0] * scale, max: size[0] * scale, refill: size[1] * scale, at: now };
      this.buckets.set(key, b);
      return b;
    }
    // Refill once per whole second elapsed, as EC2 does; overflow tokens are discarded.
    const seconds = Math.floor((now - b.at) / 1000);
    if (seconds > 0) {
      b.tokens = Math.min(b.max, b.tokens + seconds * b.refill);
      b.at += seconds * 1000;
    }
    return b;
  }

  private size(action: string, fallback: [number, number]): [number, number] {
    const o = this.config?.overrides?.[action];
    return o ? [o.max, o.refill] : fallback;
  }

  /** Takes the call's tokens; a verdict of not ok means the call is throttled (and nothing was taken). */
  take(call: CallInfo): ThrottleVerdict {
    const now = this.now();
    const base = `${call.accountId}/${call.regionName}`;
    if (call.protocol === 'rest-xml') {
      const { key, size } = s3Bucket(call);
      const b = this.bucket(`${base}/${key}`, this.size(call.action, size), now);
      if (b.tokens < 1) return { ok: false, kind: 'request' };
      b.tokens -= 1;
      return { ok: true };
    }
    if (call.protocol !== 'ec2') {
      const b = this.bucket(`${base}/${call.service}`, this.size(call.action, SERVICE_BUCKET), now);
      if (b.tokens < 1) return { ok: false, kind: 'request' };
      b.tokens -= 1;
      return { ok: true };
    }
    const { category, size } = ec2Bucket(call.action, call.params);
    const key = `${base}/ec2/${call.action}${category === 'unfiltered' ? '#unfiltered' : ''}`;
    const req = this.bucket(key, this.size(call.action, size), now);
    if (req.tokens < 1) return { ok: false, kind: 'request' };
    const rate = RESOURCE_RATE[call.action];
    if (rate && this.config?.resourceBuckets !== false) {
      const need = instancesAffected(call);
      const res = this.bucket(`${base}/ec2/${call.action}#resource`, rate, now);
      if (res.tokens < need) return { ok: false, kind: 'resource' };
      res.tokens -= need;
    }
    req.tokens -= 1;
    return { ok: true };
  }

  /** The current bucket levels, for the control API (refilled up to now). */
  view(): BucketView[] {
    const now = this.now();
    return [...this.buckets.keys()].sort().map((key) => {
      const b = this.buckets.get(key)!;
      const seconds = Math.floor((now - b.at) / 1000);
      const tokens = Math.min(b.max, b.tokens + Math.max(seconds, 0) * b.refill);
      return { key, tokens: Math.round(tokens * 1000) / 1000, max: b.max, refill: b.refill };
    });
  }
}
