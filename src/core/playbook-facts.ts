// Facts the playbook gatherers read (they land in InstanceFacts.extras under these ids). Pure data.

import type { InstanceFacts } from './facts.js';

export const EXTRA = { asg: 'asg', elb: 'elb', iam: 'iam', attributes: 'instance-attributes' } as const;

/** A gatherer that could not read its facts (permission, service unavailable) says so instead of failing the plan. */
export interface ReadError {
  error: string;
}

export interface AsgGroupFacts {
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  targetGroupArns: string[];
  loadBalancerNames: string[];
  suspendedProcesses: string[];
  instances: { instanceId: string; lifecycleState: string; protectedFromScaleIn: boolean }[];
}

export interface AsgFacts {
  /** From DescribeAutoScalingInstances (absent: not in any group). */
  member?: { groupName: string; lifecycleState: string; healthStatus: string; protectedFromScaleIn: boolean };
  /** The group: read when the plan needs its sizes (complete reads, --asg-decrement, restore). */
  group?: AsgGroupFacts;
  error?: string;
}

export interface TargetRegistration {
  targetGroupArn: string;
  targetGroupName: string;
  port: number;
  /** ELBv2 target state (healthy, unhealthy, initial, unused …); draining targets are already leaving. */
  state: string;
}

export interface ElbFacts {
  /** Absent on the fast path: discovered at apply time, off the critical path. */
  targets?: TargetRegistration[];
  classic?: string[];
  error?: string;
}

export interface IamFacts {
  /** The current association (DescribeIamInstanceProfileAssociations). */
  association?: { associationId: string; profileArn: string; state: string };
  /** The profile's role (complete reads: GetInstanceProfile). */
  roleName?: string;
  error?: string;
}

export interface AttributeFacts {
  disableApiTermination?: boolean;
  shutdownBehavior?: string;
  error?: string;
}

export function extra<T>(i: InstanceFacts, id: string): T | undefined {
  return i.extras?.[id] as T | undefined;
}

/** The instance profile's name from its ARN (arn:aws:iam::123:instance-profile/path/name). */
export function profileNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
