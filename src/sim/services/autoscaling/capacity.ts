// What an Auto Scaling group does on its own: launch instances, terminate them, and `settle`, which brings every
// group up to the simulated clock before a call reads or changes it:
//   - transitions that wait for load-balancer draining end (Detaching → gone, EnteringStandby → Standby);
//   - activities whose planned end has passed become Successful;
//   - EC2 health checks: an InService instance that is stopped or terminated becomes Unhealthy (unless HealthCheck
//     is suspended) and is terminated and replaced (unless ReplaceUnhealthy or Terminate is suspended);
//   - the group converges on its desired capacity (launches unless Launch is suspended, scales in unless
//     Terminate is suspended; instances protected from scale-in are kept).
// A launched instance is a clone of the group's template instance (or of an InService member): same image, type,
// key, security groups and instance profile, a fresh ENI in one of the group's subnets (the least used zone).

import type { CallContext } from '../framework.js';
import type { AsgInstance, AutoScalingGroup, Instance, Subnet } from '../../state/types.js';
import {
  allocatePublicIp,
  attachNetworkInterface,
  attachVolume,
  createNetworkInterface,
  createVolume,
  defaultSecurityGroup,
  newInstanceRecord,
} from '../../state/build.js';
import { TRANSITION_MS, terminateInstance } from '../ec2/lifecycle.js';
import { deregisterInstanceEverywhere, registerInstanceEverywhere } from '../elbv2/targets.js';
import { deregisterFromClassic, registerWithClassic } from '../elb/loadBalancers.js';
import {
  activeCount,
  addActivity,
  clearTransition,
  countsTowardCapacity,
  isSuspended,
  timestamp,
  transitionEnd,
} from './state.js';

export const GROUP_TAG = 'aws:autoscaling:groupName';

/** The instance a launch copies: the template while it is InService in the group, else any InService member. */
function sourceInstance(ctx: CallContext, g: AutoScalingGroup): Instance | undefined {
  const ec2 = ctx.region.ec2.instances;
  const inService = g.instances.filter(
    (m) => m.lifecycleState === 'InService' && ec2.get(m.instanceId)?.state !== 'terminated',
  );
  const tmpl = g.templateInstanceId;
  if (tmpl && inService.some((m) => m.instanceId === tmpl)) return ec2.get(tmpl);
  const first = inService.map((m) => ec2.get(m.instanceId)).find((i): i is Instance => !!i);
  return first ?? (tmpl ? ec2.get(tmpl) : undefined);
}

function groupSubnets(ctx: CallContext, g: AutoScalingGroup): Subnet[] {
  return g.vpcZoneIdentifier
    .split(',')
    .map((s) => ctx.region.ec2.subnets.get(s.trim()))
    .filter((s): s is Subnet => !!s);
}

/** The zone with the fewest active instances; ties go to the source instance's zone, then to list order. */
function pickZone<T>(
  options: T[],
  zoneOf: (o: T) => string,
  g: AutoScalingGroup,
  preferred: string | undefined,
): T | undefined {
  const load = new Map<string, number>();
  for (const m of g.instances.filter(countsTowardCapacity))
    load.set(m.availabilityZone, (load.get(m.availabilityZone) ?? 0) + 1);
  let best: T | undefined;
  let bestLoad = Infinity;
  for (const o of options) {
    const l = load.get(zoneOf(o)) ?? 0;
    if (
      l < bestLoad ||
      (l === bestLoad && zoneOf(o) === preferred && best !== undefined && zoneOf(best) !== preferred)
    ) {
      best = o;
      bestLoad = l;
    }
  }
  return best;
}

/** Launches one instance into the group. Returns false (and records a failed activity) when it cannot. */
export function launchInto(ctx: CallContext, g: AutoScalingGroup, cause: string): boolean {
  const { world, region } = ctx;
  const src = sourceInstance(ctx, g);
  const srcEni = src ? region.ec2.networkInterfaces.get(src.networkInterfaceIds[0] ?? '') : undefined;
  const subnets = groupSubnets(ctx, g);
  const subnet = pickZone(subnets, (s) => s.availabilityZone, g, src?.availabilityZone);
  const zone =
    subnet?.availabilityZone ??
    pickZone(g.availabilityZones, (z) => z, g, src?.availabilityZone) ??
    `${ctx.regionName}a`;
  const srcVolume = src?.blockDevices[0] ? region.ec2.volumes.get(src.blockDevices[0].volumeId) : undefined;
  const propagated = Object.fromEntries(g.tags.filter((t) => t.propagateAtLaunch).map((t) => [t.key, t.value]));
  const inst = newInstanceRecord(world, ctx.accountId, {
    imageId: src?.imageId ?? 'ami-0abcdef1234567890',
    instanceType: src?.instanceType ?? 't3.micro',
    availabilityZone: zone,
    subnetId: subnet?.subnetId,
    vpcId: subnet?.vpcId,
    keyName: src?.keyName,
    nitro: src?.nitro,
    tags: { ...propagated, [GROUP_TAG]: g.autoScalingGroupName },
  });
  if (subnet) {
    const sameVpc = srcEni && srcEni.vpcId === subnet.vpcId;
    const groupIds = g.launchGroupIds?.length
      ? [...g.launchGroupIds]
      : sameVpc
        ? [...srcEni.groupIds]
        : [defaultSecurityGroup(region, subnet.vpcId)?.groupId].filter((x): x is string => !!x);
    let eni;
    try {
      eni = createNetworkInterface(world, region, ctx.accountId, subnet, {
        groupIds,
        description: '',
        ipv6: sameVpc && srcEni.ipv6Addresses.length > 0 && subnet.ipv6CidrBlock ? 1 : undefined,
      });
    } catch (e) {
      const act = addActivity(ctx, g, {
        description: 'Launching a new EC2 instance.  Status Reason: ' + String((e as Error).message),
        cause,
        details: { 'Subnet ID': subnet.subnetId, 'Availability Zone': zone },
      });
      act.statusCode = 'Failed';
      act.progress = 100;
      return false;
    }
    attachNetworkInterface(world, eni, inst, 0, true);
    const hadPublic = srcEni?.privateIpAddresses.some((p) => p.primary && p.association && !p.association.allocationId);
    if (src?.autoPublicIp || hadPublic || subnet.mapPublicIpOnLaunch) {
      inst.autoPublicIp = true;
      eni.privateIpAddresses[0]!.association = { publicIp: allocatePublicIp(world, region), ipOwnerId: 'amazon' };
    }
  }
  const vol = createVolume(world, region, ctx.accountId, {
    size: srcVolume?.size ?? 8,
    volumeType: srcVolume?.volumeType ?? 'gp3',
    availabilityZone: zone,
    encrypted: srcVolume?.encrypted,
  });
  attachVolume(world, vol, inst, inst.rootDeviceName, true);
  if (src?.iamInstanceProfile) {
    inst.iamInstanceProfile = { ...src.iamInstanceProfile };
    const associationId = world.ids.hex('iip-assoc');
    region.ec2.iamInstanceProfileAssociations.set(associationId, {
      associationId,
      instanceId: inst.instanceId,
      iamInstanceProfile: { ...src.iamInstanceProfile },
      state: 'associated',
      timestamp: world.clock.nowIso(),
    });
  }
  inst.transition = { shown: 'pending', until: world.clock.now() + TRANSITION_MS };
  region.ec2.instances.set(inst.instanceId, inst);
  g.instances.push({
    instanceId: inst.instanceId,
    availabilityZone: zone,
    lifecycleState: 'InService',
    healthStatus: 'Healthy',
    protectedFromScaleIn: g.newInstancesProtectedFromScaleIn,
    instanceType: inst.instanceType,
    launchTemplate: g.launchTemplate ? { ...g.launchTemplate } : undefined,
    launchConfigurationName: g.launchConfigurationName,
  });
  if (!isSuspended(g, 'AddToLoadBalancer')) addToLoadBalancers(ctx, g, inst.instanceId);
  addActivity(ctx, g, {
    description: `Launching a new EC2 instance: ${inst.instanceId}`,
    cause,
    details: { 'Subnet ID': subnet?.subnetId ?? '', 'Availability Zone': zone },
  });
  return true;
}

export function addToLoadBalancers(ctx: CallContext, g: AutoScalingGroup, instanceId: string): void {
  registerInstanceEverywhere(ctx.region, g.targetGroupARNs, instanceId, ctx.world.clock.now());
  registerWithClassic(ctx.region, g.loadBalancerNames, instanceId);
}

/** Deregisters from the group's target groups and classic load balancers; returns how long draining takes (ms). */
export function removeFromLoadBalancers(ctx: CallContext, g: AutoScalingGroup, instanceId: string): number {
  deregisterFromClassic(ctx.region, g.loadBalancerNames, instanceId);
  return deregisterInstanceEverywhere(ctx.region, g.targetGroupARNs, instanceId, ctx.world.clock.now());
}

/** Terminates a member: out of the load balancers, EC2 instance terminated, out of the group. */
export function terminateMember(ctx: CallContext, g: AutoScalingGroup, m: AsgInstance, cause: string): void {
  removeFromLoadBalancers(ctx, g, m.instanceId);
  const inst = ctx.region.ec2.instances.get(m.instanceId);
  const details: Record<string, string> = { 'Availability Zone': m.availabilityZone };
  if (inst?.subnetId) details['Subnet ID'] = inst.subnetId;
  if (inst && inst.state !== 'terminated') terminateInstance(ctx.world, ctx.region, inst);
  clearTransition(m);
  g.instances = g.instances.filter((x) => x !== m);
  addActivity(ctx, g, { description: `Terminating EC2 instance: ${m.instanceId}`, cause, details });
}

/** Launches or terminates instances until the group's active count matches its desired capacity. */
export function converge(ctx: CallContext, g: AutoScalingGroup): boolean {
  let changed = false;
  for (let guard = 0; activeCount(g) < g.desiredCapacity && !isSuspended(g, 'Launch') && guard < 1000; guard++) {
    const from = activeCount(g);
    const cause = `At ${timestamp(ctx)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${from} to ${from + 1}.`;
    if (!launchInto(ctx, g, cause)) break;
    changed = true;
  }
  for (let guard = 0; activeCount(g) > g.desiredCapacity && !isSuspended(g, 'Terminate') && guard < 1000; guard++) {
    const victim = scaleInVictim(g);
    if (!victim) break;
    const from = activeCount(g);
    const cause = `At ${timestamp(ctx)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${from} to ${from - 1}.`;
    terminateMember(ctx, g, victim, cause);
    changed = true;
  }
  return changed;
}

/** The default termination policy, simplified: from the zone with the most instances, the newest unprotected one. */
function scaleInVictim(g: AutoScalingGroup): AsgInstance | undefined {
  const candidates = g.instances.filter((i) => countsTowardCapacity(i) && !i.protectedFromScaleIn);
  if (candidates.length === 0) return undefined;
  const perAz = new Map<string, number>();
  for (const i of g.instances.filter(countsTowardCapacity))
    perAz.set(i.availabilityZone, (perAz.get(i.availabilityZone) ?? 0) + 1);
  const az = [...candidates].sort(
    (a, b) => (perAz.get(b.availabilityZone) ?? 0) - (perAz.get(a.availabilityZone) ?? 0),
  )[0]!.availabilityZone;
  return candidates.filter((i) => i.availabilityZone === az).at(-1);
}

function settleGroup(ctx: CallContext, g: AutoScalingGroup, now: number): boolean {
  let changed = false;
  for (const m of [...g.instances]) {
    const until = transitionEnd(m);
    if (until === undefined || until > now) continue;
    clearTransition(m);
    if (m.lifecycleState === 'Detaching') g.instances = g.instances.filter((x) => x !== m);
    else if (m.lifecycleState === 'EnteringStandby') m.lifecycleState = 'Standby';
    changed = true;
  }
  if (!isSuspended(g, 'HealthCheck')) {
    for (const m of g.instances) {
      if (m.lifecycleState !== 'InService' || m.healthStatus === 'Unhealthy') continue;
      const inst = ctx.region.ec2.instances.get(m.instanceId);
      if (inst && (inst.state === 'running' || inst.state === 'pending')) continue;
      if (inst && Date.parse(inst.launchTime) + g.healthCheckGracePeriod * 1000 > now) continue;
      m.healthStatus = 'Unhealthy';
      changed = true;
    }
  }
  if (!isSuspended(g, 'ReplaceUnhealthy') && !isSuspended(g, 'Terminate')) {
    for (const m of g.instances.filter((x) => x.healthStatus === 'Unhealthy' && x.lifecycleState === 'InService')) {
      const state = ctx.region.ec2.instances.get(m.instanceId)?.state ?? 'terminated';
      terminateMember(
        ctx,
        g,
        m,
        `At ${timestamp(ctx)} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped (instance state: ${state}).`,
      );
      changed = true;
    }
  }
  return converge(ctx, g) || changed;
}

/** Brings every group and activity of the region up to the simulated clock. Call first in every handler. */
export function settle(ctx: CallContext): void {
  const now = ctx.world.clock.now();
  let changed = false;
  for (const a of ctx.region.autoscaling.activities) {
    if (a.statusCode === 'InProgress' && a.endTime && Date.parse(a.endTime) <= now) {
      a.statusCode = 'Successful';
      a.progress = 100;
    }
  }
  for (const g of ctx.region.autoscaling.groups.values()) changed = settleGroup(ctx, g, now) || changed;
  if (changed) ctx.world.touch();
}
