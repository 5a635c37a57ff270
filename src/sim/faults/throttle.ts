// EC2's request-rate token buckets (aws-api-semantics.md §2.1): one bucket per account + region + API action,
// sized by the action's category; refilled every second. awsQuery services share one bucket per account+region.

import type { CallInfo } from './faults.js';

export interface ThrottleConfig {
  enabled: boolean;
  /** Multiplies bucket sizes and refill rates (e.g. 10 lets a benchmark run ten times faster). Default 1. */
  scale?: number;
  /** Overrides per action: { "ModifyNetworkInterfaceAttribute": { "max": 5, "refill": 1 } }. */
  overrides?: Record<string, { max: number; refill: number }>;
}

const UNFILTERED = new Set(['DescribeInstances', 'DescribeInstanceStatus', 'DescribeNetworkInterfaces', 'DescribeSecurityGroups', 'DescribeSnapshots', 'DescribeSpotInstanceRequests', 'DescribeVolumes']);
const RESOURCE_INTENSIVE = new Set(['AcceptVpcPeeringConnection', 'AuthorizeSecurityGroupIngress', 'CancelSpotInstanceRequests', 'CreateKeyPair', 'CreateVpcPeeringConnection', 'DeleteVpcPeeringConnection', 'RejectVpcPeeringConnection', 'RevokeSecurityGroupIngress', 'RequestSpotInstances']);
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
  CopyImage: [100, 1],
  RunInstances: [5, 2],
  StartInstances: [5, 2],
  TerminateInstances: [100, 5],
  DescribeSecurityGroupReferences: [20, 5],
  DescribeStaleSecurityGroups: [20, 5],
  CreateNatGateway: [10, 1],
  DeleteNatGateway: [10, 1],
};

const NON_MUTATING = /^(Describe|List|Search|Get)/;

/** The [bucket size, refill per second] EC2 applies to this call. */
export function ec2Bucket(action: string, params: Record<string, unknown>): [number, number] {
  if (UNCATEGORIZED[action]) return UNCATEGORIZED[action]!;
  if (NON_MUTATING.test(action)) {
    const filtered = params.Filter !== undefined || params.MaxResults !== undefined || params.NextToken !== undefined;
    const byId = Object.keys(params).some((k) => /Id$/.test(k));
    if (UNFILTERED.has(action) && !filtered && !byId) return [50, 10];
    return [100, 20];
  }
  if (RESOURCE_INTENSIVE.has(action)) return [50, 5];
  return [50, 5];
}

interface Bucket {
  tokens: number;
  max: number;
  refill: number;
  at: number;
}

export class TokenBuckets {
  private buckets = new Map<string, Bucket>();
  constructor(private readonly now: () => number, private readonly config?: ThrottleConfig) {}

  /** Takes one token for the call; false when the bucket is empty (the call is throttled). */
  take(call: CallInfo): boolean {
    const scale = this.config?.scale ?? 1;
    let key: string;
    let size: [number, number];
    if (call.protocol === 'ec2') {
      key = `${call.accountId}/${call.regionName}/ec2/${call.action}`;
      size = this.config?.overrides?.[call.action] ? [this.config.overrides[call.action]!.max, this.config.overrides[call.action]!.refill] : ec2Bucket(call.action, call.params);
    } else {
      // Auto Scaling, ELB, IAM, STS publish no numbers; one shared bucket per service, sized like EC2's mutating one.
      key = `${call.accountId}/${call.regionName}/${call.service}`;
      size = this.config?.overrides?.[call.action] ? [this.config.overrides[call.action]!.max, this.config.overrides[call.action]!.refill] : [50, 5];
    }
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: size[0] * scale, max: size[0] * scale, refill: size[1] * scale, at: now };
      this.buckets.set(key, b);
    }
    // Refill once per whole second elapsed, as EC2 does.
    const seconds = Math.floor((now - b.at) / 1000);
    if (seconds > 0) {
      b.tokens = Math.min(b.max, b.tokens + seconds * b.refill);
      b.at += seconds * 1000;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
