// Target registration, draining and health for ELBv2 target groups, shared by the ELBv2 handlers and Auto Scaling
// (which registers and deregisters its instances). Draining is lazy: a deregistered target keeps state `draining`
// with `drainUntil` = deregistration time + the group's deregistration delay, and disappears once the simulated
// clock passes that time (settleTargets runs at the start of every call that reads or changes targets).

import { AwsError } from '../../errors.js';
import type { RegionState, Target, TargetGroup } from '../../state/types.js';

export type TargetHealthView = {
  State: string;
  Reason?: string;
  Description?: string;
};

/** Removes targets whose draining finished; starts draining targets whose instance was terminated. */
export function settleTargets(region: RegionState, tg: TargetGroup, now: number): void {
  tg.targets = tg.targets.filter((t) => !(t.state === 'draining' && t.drainUntil !== undefined && t.drainUntil <= now));
  if (tg.targetType !== 'instance') return;
  for (const t of tg.targets) {
    if (t.state === 'draining') continue;
    const inst = region.ec2.instances.get(t.id);
    if (!inst || inst.state === 'terminated') startDraining(tg, t, now);
  }
  tg.targets = tg.targets.filter((t) => !(t.state === 'draining' && t.drainUntil !== undefined && t.drainUntil <= now));
}

export function settleAllTargets(region: RegionState, now: number): void {
  for (const tg of region.elb.targetGroups.values()) settleTargets(region, tg, now);
}

function startDraining(tg: TargetGroup, t: Target, now: number): void {
  t.state = 'draining';
  t.reason = 'Target.DeregistrationInProgress';
  t.drainUntil = now + tg.deregistrationDelaySeconds * 1000;
}

export function findTarget(tg: TargetGroup, id: string, port: number | undefined): Target | undefined {
  return tg.targets.find((t) => t.id === id && (port === undefined || t.port === port));
}

/** Registers (or re-registers, cancelling a drain) one target. Returns true when something changed. */
export function registerTarget(tg: TargetGroup, id: string, port: number | undefined): boolean {
  const p = port ?? tg.port;
  const existing = tg.targets.find((t) => t.id === id && t.port === p);
  if (existing) {
    if (existing.state !== 'draining') return false;
    existing.state = 'healthy';
    existing.reason = undefined;
    existing.drainUntil = undefined;
    return true;
  }
  tg.targets.push({ id, port: p, state: 'healthy' });
  return true;
}

/** Starts draining one target (port defaults to the group's port). Unknown targets are ignored, as AWS does. */
export function deregisterTarget(tg: TargetGroup, id: string, port: number | undefined, now: number): boolean {
  const p = port ?? tg.port;
  const t = tg.targets.find((x) => x.id === id && x.port === p);
  if (!t || t.state === 'draining') return false;
  startDraining(tg, t, now);
  if (tg.deregistrationDelaySeconds === 0) tg.targets = tg.targets.filter((x) => x !== t);
  return true;
}

/** Deregisters an instance on every port it is registered with. Returns the longest drain (ms from now). */
export function deregisterInstanceEverywhere(
  region: RegionState,
  tgArns: string[],
  instanceId: string,
  now: number,
): number {
  let longest = 0;
  for (const arn of tgArns) {
    const tg = region.elb.targetGroups.get(arn);
    if (!tg) continue;
    settleTargets(region, tg, now);
    for (const t of tg.targets.filter((x) => x.id === instanceId)) {
      if (deregisterTarget(tg, t.id, t.port, now)) longest = Math.max(longest, tg.deregistrationDelaySeconds * 1000);
    }
  }
  return longest;
}

export function registerInstanceEverywhere(
  region: RegionState,
  tgArns: string[],
  instanceId: string,
  now: number,
): void {
  for (const arn of tgArns) {
    const tg = region.elb.targetGroups.get(arn);
    if (!tg) continue;
    settleTargets(region, tg, now);
    registerTarget(tg, instanceId, undefined);
  }
}

/** The health AWS reports for a registered target (DescribeTargetHealth's TargetHealth). */
export function healthOf(region: RegionState, tg: TargetGroup, t: Target): TargetHealthView {
  if (t.state === 'draining')
    return {
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
      Description: 'Target deregistration is in progress',
    };
  if (tg.targetType === 'instance') {
    const inst = region.ec2.instances.get(t.id);
    const state = inst?.state ?? 'terminated';
    if (state === 'pending')
      return {
        State: 'initial',
        Reason: 'Elb.RegistrationInProgress',
        Description: 'Target registration is in progress',
      };
    if (state !== 'running')
      return { State: 'unused', Reason: 'Target.InvalidState', Description: `Target is in the ${state} state` };
  }
  if (t.state === 'unhealthy')
    return { State: 'unhealthy', Reason: 'Target.FailedHealthChecks', Description: 'Health checks failed' };
  return { State: 'healthy' };
}

export const NOT_REGISTERED: TargetHealthView = {
  State: 'unused',
  Reason: 'Target.NotRegistered',
  Description: 'Target is not registered to the target group',
};

// ---- lookups -----------------------------------------------------------------------------------------------

const TG_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

export function checkTargetGroupArn(arn: string): void {
  if (!TG_ARN.test(arn)) throw new AwsError('ValidationError', `'${arn}' is not a valid target group ARN`, 400);
}

export function targetGroupByArn(region: RegionState, arn: string): TargetGroup {
  checkTargetGroupArn(arn);
  const tg = region.elb.targetGroups.get(arn);
  if (!tg) throw new AwsError('TargetGroupNotFound', `Target groups '${arn}' not found`, 400);
  return tg;
}
