// EC2's request-rate token buckets (aws-api-semantics.md §2.1): one bucket per account + region + API action,
// sized by the action's category, refilled once a second (overflow discarded; an empty bucket can be drawn on at
// the refill rate). Run/Start/Stop/TerminateInstances also spend one resource token per instance affected.
// awsQuery services (Auto Scaling, ELB, IAM, STS) publish no numbers: one shared bucket per service, account and
// region, sized like EC2's mutating bucket. Time comes from the simulated clock, so tests refill a bucket by
// advancing the clock.

import type { CallInfo } from './faults.js';

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

/** Describe calls that get the smaller 50/10 bucket when called without a filter and without pagination. */
const UNFILTERED = new Set([
  'DescribeInstances',
  'DescribeInstanceStatus',
  'DescribeNetworkInterfaces',
  'DescribeSecurityGroups',
  'DescribeSnapshots',
  'DescribeSpotInstanceRequests',
  'DescribeVolumes',
]);

/** Resource-intensive actions (50/5, the same numbers as Mutating today, kept apart as AWS lists them apart). */
const RESOURCE_INTENSIVE = new Set([
  'AcceptVpcPeeringConnection',
  'AuthorizeSecurityGroupIngress',
  'CancelSpotInstanceRequests',
  'CreateKeyPair',
  'CreateVpcPeeringConnection',
  'DeleteVpcPeeringConnection',
  'RejectVpcPeeringConnection',
  'RevokeSecurityGroupIngress',
  'RequestSpotInstances',
]);

/** Uncategorized actions with buckets of their own: [max, refill per second]. */
const UNCATEGORIZED: Record<string, [number, number]> = {
  ModifyNetworkInterfaceAttribute: [100, 5],
  ModifyInstanceMetadataOptions: [100, 5],
  ModifyInstanceMetadataDefaults: [2, 2],
  AssociateIamInstanceProfile: [100, 5],
  DisassociateIamInstanceProfile: [100, 5],
  CreateSnapshot: [100, 5],
  CreateSnapshots: [100, 5],
  DeleteSnapshot: [100, 5],
  ModifySnapshotAttribute: [100, 5],
  CreateTags: [100, 10],
  DeleteTags: [100, 10],
  CreateNetworkInterface: [100, 5],
  DeleteNetworkInterface: [100, 5],
  CreateVolume: [100, 5],
  DeleteVolume: [100, 5],
  ModifyImageAttribute: [100, 5],
  DeregisterImage: [100, 5],
  ModifyLaunchTemplate: [100, 5],
  CreateLaunchTemplateVersion: [100, 5],
  CopyImage: [100, 1],
  RunInstances: [5, 2],
  StartInstances: [5, 2],
  TerminateInstances: [100, 5],
  DescribeSecurityGroupReferences: [20, 5],
  DescribeStaleSecurityGroups: [20, 5],
  CreateNatGateway: [10, 1],
  DeleteNatGateway: [10, 1],
  CreateVpcEndpoint: [4, 0.3],
  ModifyVpcEndpoint: [4, 0.3],
  DeleteVpcEndpoints: [4, 0.3],
};

/** Resource token buckets, spent per instance affected: [max, refill per second]. */
const RESOURCE_RATE: Record<string, [number, number]> = {
  RunInstances: [1000, 2],
  StartInstances: [1000, 2],
  StopInstances: [1000, 20],
  TerminateInstances: [1000, 20],
};

const NON_MUTATING = /^(Describe|List|Search|Get)/;

export type Ec2Category = 'uncategorized' | 'unfiltered' | 'non-mutating' | 'resource-intensive' | 'mutating';

/** The bucket EC2 applies to this call: its category and [size, refill per second]. */
export function ec2Bucket(
  action: string,
  params: Record<string, unknown>,
): { category: Ec2Category; size: [number, number] } {
  const own = UNCATEGORIZED[action];
  if (own) return { category: 'uncategorized', size: own };
  if (NON_MUTATING.test(action)) {
    if (UNFILTERED.has(action) && isUnfiltered(params)) return { category: 'unfiltered', size: [50, 10] };
    return { category: 'non-mutating', size: [100, 20] };
  }
  if (RESOURCE_INTENSIVE.has(action)) return { category: 'resource-intensive', size: [50, 5] };
  return { category: 'mutating', size: [50, 5] };
}

/**
 * Without a filter and without pagination. A list of ids counts as a filter here: it bounds the answer the
 * same way (AWS recommends ids as the cheapest describe), and the doc names only filters and pagination.
 */
function isUnfiltered(params: Record<string, unknown>): boolean {
  for (const k of Object.keys(params)) {
    if (k === 'Filter' || k === 'MaxResults' || k === 'NextToken' || /Ids?$/.test(k)) return false;
  }
  return true;
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
    if (call.protocol !== 'ec2') {
      const b = this.bucket(`${base}/${call.service}`, this.size(call.action, [50, 5]), now);
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
