// The request-rate token buckets AWS applies to an account + region (aws-api-semantics.md §2.1, §2.4), in one
// place: the simulator throttles with them (src/sim/faults/throttle.ts) and cordon's client-side scheduler paces
// its own calls with them (src/aws/scheduler.ts). EC2 gives each API action its own bucket, sized by the action's
// category; Auto Scaling, Elastic Load Balancing, IAM and STS publish no numbers: one bucket per service, assumed
// the size of EC2's mutating bucket.

export interface BucketSize {
  /** Tokens the bucket holds when full (the burst). */
  max: number;
  /** Tokens added per second. */
  refill: number;
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
export const RESOURCE_RATE: Record<string, [number, number]> = {
  RunInstances: [1000, 2],
  StartInstances: [1000, 2],
  StopInstances: [1000, 20],
  TerminateInstances: [1000, 20],
};

/** The bucket assumed for each awsQuery service (no published numbers). */
export const SERVICE_BUCKET: [number, number] = [50, 5];

const NON_MUTATING = /^(Describe|List|Search|Get)/;

export type Ec2Category = 'uncategorized' | 'unfiltered' | 'non-mutating' | 'resource-intensive' | 'mutating';

/**
 * The bucket EC2 applies to this call: its category and [size, refill per second]. `params` are the request's
 * top-level parameter names (wire names such as `Filter`, `InstanceId`, or SDK input names such as `Filters`,
 * `InstanceIds`): they decide whether a describe is "unfiltered".
 */
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
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (k === 'Filter' || k === 'Filters' || k === 'MaxResults' || k === 'NextToken' || /Ids?$/.test(k)) return false;
  }
  return true;
}

/** The bucket a call draws on: a key unique per bucket (within one account + region) and its size. */
export function bucketOf(
  service: string,
  action: string,
  params: Record<string, unknown>,
): { key: string; size: BucketSize } {
  if (service !== 'ec2') return { key: service, size: { max: SERVICE_BUCKET[0], refill: SERVICE_BUCKET[1] } };
  const { category, size } = ec2Bucket(action, params);
  return {
    key: `ec2/${action}${category === 'unfiltered' ? '#unfiltered' : ''}`,
    size: { max: size[0], refill: size[1] },
  };
}

/**
 * Seconds a bucket needs to serve `calls` requests, starting full: the burst goes at once, the rest at the refill
 * rate. The lower bound any client can reach, whatever it does (the fleet bench reports its times against it).
 */
export function drainSeconds(calls: number, size: BucketSize): number {
  return Math.max(0, calls - size.max) / size.refill;
}
