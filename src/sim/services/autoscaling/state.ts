// Auto Scaling group bookkeeping shared by the handlers: lookups, capacity counting, size errors, scaling
// activities and the member transitions that wait for load-balancer draining (see capacity.ts for settle).

import type { CallContext } from '../framework.js';
import { AwsError } from '../../errors.js';
import type { AsgInstance, AutoScalingActivity, AutoScalingGroup, RegionState } from '../../state/types.js';

export const PROCESSES = [
  'Launch',
  'Terminate',
  'AddToLoadBalancer',
  'AlarmNotification',
  'AZRebalance',
  'HealthCheck',
  'InstanceRefresh',
  'ReplaceUnhealthy',
  'ScheduledActions',
];

/** When a member's current transition (Detaching, EnteringStandby) ends, in simulated epoch ms. */
const transitionEnds = new WeakMap<AsgInstance, number>();

export function setTransition(member: AsgInstance, state: 'Detaching' | 'EnteringStandby', until: number): void {
  member.lifecycleState = state;
  transitionEnds.set(member, until);
}

export function transitionEnd(member: AsgInstance): number | undefined {
  return transitionEnds.get(member);
}

export function clearTransition(member: AsgInstance): void {
  transitionEnds.delete(member);
}

export function groupNotFound(name: string): AwsError {
  return new AwsError('ValidationError', `AutoScalingGroup name not found - AutoScalingGroup ${name} not found`, 400);
}

export function groupByName(region: RegionState, name: string): AutoScalingGroup {
  const g = region.autoscaling.groups.get(name);
  if (!g) throw groupNotFound(name);
  return g;
}

/** The group an instance belongs to, if any. */
export function groupOfInstance(region: RegionState, instanceId: string): AutoScalingGroup | undefined {
  for (const g of region.autoscaling.groups.values())
    if (g.instances.some((i) => i.instanceId === instanceId)) return g;
  return undefined;
}

export function isSuspended(g: AutoScalingGroup, process: string): boolean {
  return g.suspendedProcesses.some((s) => s.processName === process);
}

/** Instances that count toward the desired capacity (Standby, Detaching and Terminating ones do not). */
export function countsTowardCapacity(i: AsgInstance): boolean {
  return i.lifecycleState === 'InService' || i.lifecycleState.startsWith('Pending');
}

export function activeCount(g: AutoScalingGroup): number {
  return g.instances.filter(countsTowardCapacity).length;
}

export function member(g: AutoScalingGroup, instanceId: string): AsgInstance {
  const m = g.instances.find((i) => i.instanceId === instanceId);
  if (!m)
    throw new AwsError(
      'ValidationError',
      `The instance ${instanceId} is not part of Auto Scaling group ${g.autoScalingGroupName}.`,
      400,
    );
  return m;
}

/** The message AWS gives when a change would take the group outside its size bounds. */
export function sizeError(g: AutoScalingGroup, verb: string, n: number): AwsError {
  return new AwsError(
    'ValidationError',
    `AutoScalingGroup ${g.autoScalingGroupName} has min-size=${g.minSize}, max-size=${g.maxSize}, and desired-size=${g.desiredCapacity}. ` +
      `To ${verb} ${n} instance${n === 1 ? '' : 's'}, please update the AutoScalingGroup sizes appropriately.`,
    400,
  );
}

export function timestamp(ctx: CallContext): string {
  return ctx.world.clock.nowIso().replace(/\.\d+Z$/, 'Z');
}

/**
 * Records a scaling activity. It reports InProgress (Progress 50) until `durationMs` of simulated time has passed
 * and a later call settles it; `endTime` holds the planned end meanwhile (the view hides it until then).
 */
export function addActivity(
  ctx: CallContext,
  g: AutoScalingGroup,
  a: { description: string; cause: string; details: Record<string, string>; durationMs?: number },
): AutoScalingActivity {
  const now = ctx.world.clock.now();
  const act: AutoScalingActivity = {
    activityId: `a5c1a000-0000-4000-8000-${ctx.world.ids.hex('asact', 12).slice(6)}`,
    autoScalingGroupName: g.autoScalingGroupName,
    description: a.description,
    cause: a.cause,
    startTime: new Date(now).toISOString(),
    endTime: new Date(now + (a.durationMs ?? 0)).toISOString(),
    statusCode: 'InProgress',
    progress: 50,
    details: JSON.stringify(a.details),
  };
  ctx.region.autoscaling.activities.push(act);
  return act;
}

export function instanceDetails(ctx: CallContext, instanceId: string): Record<string, string> {
  const inst = ctx.region.ec2.instances.get(instanceId);
  const out: Record<string, string> = { 'Availability Zone': inst?.availabilityZone ?? '' };
  if (inst?.subnetId) out['Subnet ID'] = inst.subnetId;
  return out;
}
