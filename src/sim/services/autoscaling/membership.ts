// Moving instances in and out of an Auto Scaling group: DetachInstances, AttachInstances, EnterStandby,
// ExitStandby, SetInstanceProtection (aws-api-semantics.md §4.1).
//   - Detach / standby deregister the instance from the group's target groups and classic load balancers; while
//     the target groups drain, the instance shows Detaching / EnteringStandby (the activity is InProgress).
//   - Without ShouldDecrementDesiredCapacity the group launches replacements; with it, the desired capacity must
//     stay at or above the minimum size (ValidationError otherwise).

import type { CallContext, Handler } from '../framework.js';
import type { FormObject } from '../../protocol/form.js';
import type { XmlData } from '../../protocol/xml.js';
import { AwsError } from '../../errors.js';
import type { AsgInstance, AutoScalingActivity, AutoScalingGroup } from '../../state/types.js';
import { needBool, needStr, strings, validation } from '../queryParams.js';
import { GROUP_TAG, addToLoadBalancers, converge, removeFromLoadBalancers, settle } from './capacity.js';
import {
  addActivity,
  groupByName,
  groupOfInstance,
  instanceDetails,
  isSuspended,
  member,
  setTransition,
  sizeError,
  timestamp,
} from './state.js';
import { activityView } from './views.js';

function readIds(p: FormObject, max: number, required: boolean): string[] {
  const ids = strings(p, 'InstanceIds');
  if (required && ids.length === 0) throw validation('InstanceIds', null, 'Member must not be null');
  if (ids.length > max)
    throw validation('InstanceIds', `[${ids.join(', ')}]`, `Member must have length less than or equal to ${max}`);
  for (const id of ids) {
    if (id.length < 1 || id.length > 19)
      throw validation('InstanceIds.member', id, 'Member must have length less than or equal to 19');
  }
  return [...new Set(ids)];
}

function activities(acts: AutoScalingActivity[], g: AutoScalingGroup): XmlData {
  return acts.map((a) => activityView(a, g.autoScalingGroupARN));
}

function untag(ctx: CallContext, instanceId: string): void {
  const inst = ctx.region.ec2.instances.get(instanceId);
  if (inst) delete inst.tags[GROUP_TAG];
}

function capacityChange(verb: 'shrinking' | 'increasing', from: number, to: number): string {
  return `, ${verb} the capacity from ${from} to ${to}`;
}

const detachInstances: Handler = (ctx, p) => {
  settle(ctx);
  const name = needStr(p, 'AutoScalingGroupName', 255);
  const decrement = needBool(p, 'ShouldDecrementDesiredCapacity');
  const ids = readIds(p, 20, false);
  const g = groupByName(ctx.region, name);
  const members = ids.map((id) => member(g, id));
  for (const m of members) {
    if (m.lifecycleState !== 'InService' && m.lifecycleState !== 'Standby') {
      throw new AwsError('ValidationError', `The instance ${m.instanceId} is not in InService or Standby.`, 400);
    }
  }
  const active = members.filter((m) => m.lifecycleState === 'InService').length;
  if (decrement && g.desiredCapacity - active < g.minSize) throw sizeError(g, 'detach', ids.length);

  ctx.dryRunGate();
  const now = ctx.world.clock.now();
  const acts = members.map((m) => {
    const counted = m.lifecycleState === 'InService';
    const from = g.desiredCapacity;
    if (decrement && counted) g.desiredCapacity -= 1;
    const drain = removeFromLoadBalancers(ctx, g, m.instanceId);
    untag(ctx, m.instanceId);
    const change = decrement && counted ? capacityChange('shrinking', from, g.desiredCapacity) : '';
    const act = addActivity(ctx, g, {
      description: `Detaching EC2 instance: ${m.instanceId}`,
      cause: `At ${timestamp(ctx)} instance ${m.instanceId} was detached in response to a user request${change}.`,
      details: instanceDetails(ctx, m.instanceId),
      durationMs: drain,
    });
    if (drain > 0) setTransition(m, 'Detaching', now + drain);
    else g.instances = g.instances.filter((x) => x !== m);
    return act;
  });
  converge(ctx, g);
  return { Activities: activities(acts, g) };
};

const attachInstances: Handler = (ctx, p) => {
  settle(ctx);
  const name = needStr(p, 'AutoScalingGroupName', 255);
  const ids = readIds(p, 20, false);
  const g = groupByName(ctx.region, name);
  const groupVpc = g.vpcZoneIdentifier
    ? ctx.region.ec2.subnets.get(g.vpcZoneIdentifier.split(',')[0]!.trim())?.vpcId
    : undefined;
  for (const id of ids) {
    const inst = ctx.region.ec2.instances.get(id);
    if (!inst) throw new AwsError('ValidationError', `Instance ID ${id} is not valid.`, 400);
    if (inst.state !== 'running') throw new AwsError('ValidationError', `Instance ${id} is not in running state.`, 400);
    const other = groupOfInstance(ctx.region, id);
    if (other)
      throw new AwsError(
        'ValidationError',
        `The instance ${id} is already part of the Auto Scaling group ${other.autoScalingGroupName}.`,
        400,
      );
    if (groupVpc && inst.vpcId !== groupVpc)
      throw new AwsError(
        'ValidationError',
        `The instance ${id} is not in the VPC of the Auto Scaling group (${groupVpc}).`,
        400,
      );
    if (!g.availabilityZones.includes(inst.availabilityZone)) {
      throw new AwsError(
        'ValidationError',
        `The instance ${id} is in Availability Zone ${inst.availabilityZone}, which is not one of the Availability Zones of the Auto Scaling group.`,
        400,
      );
    }
  }
  if (g.desiredCapacity + ids.length > g.maxSize) throw sizeError(g, 'attach', ids.length);

  ctx.dryRunGate();
  for (const id of ids) {
    const inst = ctx.region.ec2.instances.get(id)!;
    const from = g.desiredCapacity;
    g.desiredCapacity += 1;
    g.instances.push({
      instanceId: id,
      availabilityZone: inst.availabilityZone,
      lifecycleState: 'InService',
      healthStatus: 'Healthy',
      protectedFromScaleIn: g.newInstancesProtectedFromScaleIn,
      instanceType: inst.instanceType,
    });
    inst.tags[GROUP_TAG] = g.autoScalingGroupName;
    if (!isSuspended(g, 'AddToLoadBalancer')) addToLoadBalancers(ctx, g, id);
    addActivity(ctx, g, {
      description: `Attaching an existing EC2 instance: ${id}`,
      cause: `At ${timestamp(ctx)} instance ${id} was attached in response to a user request${capacityChange('increasing', from, g.desiredCapacity)}.`,
      details: instanceDetails(ctx, id),
    });
  }
  converge(ctx, g);
  return undefined;
};

const enterStandby: Handler = (ctx, p) => {
  settle(ctx);
  const name = needStr(p, 'AutoScalingGroupName', 255);
  const decrement = needBool(p, 'ShouldDecrementDesiredCapacity');
  const ids = readIds(p, 20, false);
  const g = groupByName(ctx.region, name);
  const members = ids.map((id) => member(g, id));
  for (const m of members) {
    if (m.lifecycleState !== 'InService')
      throw new AwsError('ValidationError', `The instance ${m.instanceId} is not in InService.`, 400);
  }
  if (decrement && g.desiredCapacity - members.length < g.minSize)
    throw sizeError(g, 'move to standby', members.length);

  ctx.dryRunGate();
  const now = ctx.world.clock.now();
  const acts = members.map((m: AsgInstance) => {
    const from = g.desiredCapacity;
    if (decrement) g.desiredCapacity -= 1;
    const drain = removeFromLoadBalancers(ctx, g, m.instanceId);
    const change = decrement ? capacityChange('shrinking', from, g.desiredCapacity) : '';
    const act = addActivity(ctx, g, {
      description: `Moving EC2 instance to Standby: ${m.instanceId}`,
      cause: `At ${timestamp(ctx)} instance ${m.instanceId} was moved to standby in response to a user request${change}.`,
      details: instanceDetails(ctx, m.instanceId),
      durationMs: drain,
    });
    if (drain > 0) setTransition(m, 'EnteringStandby', now + drain);
    else m.lifecycleState = 'Standby';
    return act;
  });
  converge(ctx, g);
  return { Activities: activities(acts, g) };
};

const exitStandby: Handler = (ctx, p) => {
  settle(ctx);
  const name = needStr(p, 'AutoScalingGroupName', 255);
  const ids = readIds(p, 20, false);
  const g = groupByName(ctx.region, name);
  const members = ids.map((id) => member(g, id));
  for (const m of members) {
    if (m.lifecycleState !== 'Standby')
      throw new AwsError('ValidationError', `The instance ${m.instanceId} is not in Standby.`, 400);
  }
  if (members.length && isSuspended(g, 'Launch')) {
    throw new AwsError(
      'ValidationError',
      `Instances cannot exit Standby while the Launch process is suspended for Auto Scaling group ${name}.`,
      400,
    );
  }
  if (g.desiredCapacity + members.length > g.maxSize) throw sizeError(g, 'exit standby', members.length);

  ctx.dryRunGate();
  const acts = members.map((m) => {
    const from = g.desiredCapacity;
    g.desiredCapacity += 1;
    m.lifecycleState = 'InService';
    if (!isSuspended(g, 'AddToLoadBalancer')) addToLoadBalancers(ctx, g, m.instanceId);
    return addActivity(ctx, g, {
      description: `Moving EC2 instance out of Standby: ${m.instanceId}`,
      cause: `At ${timestamp(ctx)} instance ${m.instanceId} was moved out of standby in response to a user request${capacityChange('increasing', from, g.desiredCapacity)}.`,
      details: instanceDetails(ctx, m.instanceId),
    });
  });
  converge(ctx, g);
  return { Activities: activities(acts, g) };
};

const setInstanceProtection: Handler = (ctx, p) => {
  settle(ctx);
  const ids = readIds(p, 50, true);
  const name = needStr(p, 'AutoScalingGroupName', 255);
  const protect = needBool(p, 'ProtectedFromScaleIn');
  const g = groupByName(ctx.region, name);
  const members = ids.map((id) => member(g, id));
  ctx.dryRunGate();
  for (const m of members) m.protectedFromScaleIn = protect;
  return {};
};

export const membershipActions: Record<string, Handler> = {
  DetachInstances: detachInstances,
  AttachInstances: attachInstances,
  EnterStandby: enterStandby,
  ExitStandby: exitStandby,
  SetInstanceProtection: setInstanceProtection,
};
