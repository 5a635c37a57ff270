// Auto Scaling groups: DescribeAutoScalingGroups, CreateAutoScalingGroup, UpdateAutoScalingGroup,
// DescribeAutoScalingInstances.

import type { CallContext, Handler } from '../framework.js';
import type { FormObject } from '../../protocol/form.js';
import { AwsError } from '../../errors.js';
import type { AutoScalingGroup } from '../../state/types.js';
import {
  needInt,
  needStr,
  optBool,
  optInt,
  optStr,
  pageOf,
  strings,
  struct,
  structs,
  validation,
} from '../queryParams.js';
import { converge, settle } from './capacity.js';
import { groupByName } from './state.js';
import { groupView, instanceDetailsView } from './views.js';

const badToken = (): AwsError => new AwsError('InvalidNextToken', 'The token is invalid.', 400);

function tagFilterMatch(g: AutoScalingGroup, f: { name: string; values: string[] }): boolean {
  if (f.name === 'tag-key') return g.tags.some((t) => f.values.includes(t.key));
  if (f.name === 'tag-value') return g.tags.some((t) => f.values.includes(t.value));
  if (f.name.startsWith('tag:')) return g.tags.some((t) => t.key === f.name.slice(4) && f.values.includes(t.value));
  throw new AwsError(
    'ValidationError',
    `Filter name '${f.name}' is invalid. Valid names: tag-key, tag-value, tag:<key>.`,
    400,
  );
}

const describeAutoScalingGroups: Handler = (ctx, p) => {
  settle(ctx);
  const names = strings(p, 'AutoScalingGroupNames');
  const filters = structs(p, 'Filters').map((f) => ({
    name: typeof f.Name === 'string' ? f.Name : '',
    values: strings(f, 'Values'),
  }));
  const max = optInt(p, 'MaxRecords', 1, 100) ?? 50;
  let groups = [...ctx.region.autoscaling.groups.values()];
  // Names that match no group are simply left out.
  if (names.length) groups = groups.filter((g) => names.includes(g.autoScalingGroupName));
  for (const f of filters) groups = groups.filter((g) => tagFilterMatch(g, f));
  groups.sort((a, b) => a.autoScalingGroupName.localeCompare(b.autoScalingGroupName));
  const { page, next } = pageOf(groups, max, optStr(p, 'NextToken'), 'asg', badToken);
  return { AutoScalingGroups: page.map(groupView), NextToken: next };
};

const describeAutoScalingInstances: Handler = (ctx, p) => {
  settle(ctx);
  const ids = strings(p, 'InstanceIds', 50);
  const max = optInt(p, 'MaxRecords', 1, 50) ?? 50;
  const rows = [];
  for (const g of ctx.region.autoscaling.groups.values()) {
    for (const i of g.instances) if (ids.length === 0 || ids.includes(i.instanceId)) rows.push({ g, i });
  }
  rows.sort((a, b) => a.i.instanceId.localeCompare(b.i.instanceId));
  const { page, next } = pageOf(rows, max, optStr(p, 'NextToken'), 'asgi', badToken);
  return { AutoScalingInstances: page.map(({ g, i }) => instanceDetailsView(g, i)), NextToken: next };
};

/** Checks min ≤ desired ≤ max with AWS's messages. */
function checkBounds(min: number, max: number, desired: number): void {
  if (min > max)
    throw new AwsError('ValidationError', `Max bound, ${max}, must be greater than or equal to min bound, ${min}`, 400);
  if (desired < min || desired > max) {
    throw new AwsError(
      'ValidationError',
      `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`,
      400,
    );
  }
}

function readSubnets(ctx: CallContext, p: FormObject): string[] {
  const raw = optStr(p, 'VPCZoneIdentifier', 5000);
  if (raw === undefined) return [];
  const ids = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const id of ids) {
    if (!ctx.region.ec2.subnets.has(id))
      throw new AwsError('ValidationError', `The subnet ID '${id}' does not exist`, 400);
  }
  const vpcs = new Set(ids.map((id) => ctx.region.ec2.subnets.get(id)!.vpcId));
  if (vpcs.size > 1)
    throw new AwsError('ValidationError', 'The subnets of an Auto Scaling group must all be in the same VPC.', 400);
  return ids;
}

/** A UUID-shaped id for the group ARN, from the world's deterministic id generator. */
function groupUuid(ctx: CallContext): string {
  const h = ctx.world.ids.hex('asg', 32).slice(4);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const createAutoScalingGroup: Handler = (ctx, p) => {
  settle(ctx);
  const name = needStr(p, 'AutoScalingGroupName', 255);
  const min = needInt(p, 'MinSize', 0);
  const max = needInt(p, 'MaxSize', 0);
  const desired = optInt(p, 'DesiredCapacity', 0) ?? min;
  checkBounds(min, max, desired);
  const lt = struct(p, 'LaunchTemplate');
  const lcName = optStr(p, 'LaunchConfigurationName');
  const instanceId = optStr(p, 'InstanceId');
  if (!lt && !lcName && !instanceId && !struct(p, 'MixedInstancesPolicy')) {
    throw new AwsError(
      'ValidationError',
      'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.',
      400,
    );
  }
  const source = instanceId ? ctx.region.ec2.instances.get(instanceId) : undefined;
  if (instanceId && (!source || source.state === 'terminated'))
    throw new AwsError('ValidationError', `Invalid instance id: ${instanceId}`, 400);
  let subnets = readSubnets(ctx, p);
  if (subnets.length === 0 && source?.subnetId) subnets = [source.subnetId];
  const zones = subnets.length
    ? [...new Set(subnets.map((s) => ctx.region.ec2.subnets.get(s)!.availabilityZone))]
    : strings(p, 'AvailabilityZones');
  if (zones.length === 0)
    throw new AwsError('ValidationError', 'At least one Availability Zone or VPC Subnet is required.', 400);
  const tgArns = strings(p, 'TargetGroupARNs');
  const missingTg = tgArns.filter((a) => !ctx.region.elb.targetGroups.has(a));
  if (missingTg.length)
    throw new AwsError(
      'ValidationError',
      `Provided Target Groups may not be valid. Please ensure they exist and try again. (${missingTg.join(', ')})`,
      400,
    );
  const lbNames = strings(p, 'LoadBalancerNames');
  const missingLb = lbNames.filter((n) => !ctx.region.elb.classicLoadBalancers.has(n));
  if (missingLb.length)
    throw new AwsError(
      'ValidationError',
      `Provided Load Balancers may not be valid. Please ensure they exist and try again. (${missingLb.join(', ')})`,
      400,
    );
  const healthCheckType = optStr(p, 'HealthCheckType') ?? 'EC2';
  if (healthCheckType !== 'EC2' && healthCheckType !== 'ELB')
    throw validation('HealthCheckType', healthCheckType, 'Member must be EC2 or ELB');
  const tags = structs(p, 'Tags').map((t) => ({
    key: typeof t.Key === 'string' ? t.Key : '',
    value: typeof t.Value === 'string' ? t.Value : '',
    propagateAtLaunch: optBool(t, 'PropagateAtLaunch') ?? true,
  }));
  if (tags.some((t) => t.key === '' || t.key.toLowerCase().startsWith('aws:')))
    throw new AwsError('ValidationError', 'Tag keys must be non-empty and must not start with aws:', 400);
  if (ctx.region.autoscaling.groups.has(name))
    throw new AwsError(
      'AlreadyExists',
      `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`,
      400,
    );
  if (ctx.region.autoscaling.groups.size >= 500)
    throw new AwsError('LimitExceeded', 'You have reached your quota of 500 Auto Scaling groups in this Region.', 400);

  ctx.dryRunGate();
  const ltName = lt && typeof lt.LaunchTemplateName === 'string' ? lt.LaunchTemplateName : undefined;
  const ltId = lt && typeof lt.LaunchTemplateId === 'string' ? lt.LaunchTemplateId : undefined;
  const g: AutoScalingGroup = {
    autoScalingGroupName: name,
    autoScalingGroupARN: `arn:aws:autoscaling:${ctx.regionName}:${ctx.accountId}:autoScalingGroup:${groupUuid(ctx)}:autoScalingGroupName/${name}`,
    minSize: min,
    maxSize: max,
    desiredCapacity: desired,
    defaultCooldown: optInt(p, 'DefaultCooldown', 0) ?? 300,
    availabilityZones: zones,
    vpcZoneIdentifier: subnets.join(','),
    healthCheckType,
    healthCheckGracePeriod: optInt(p, 'HealthCheckGracePeriod', 0) ?? (healthCheckType === 'ELB' ? 300 : 0),
    createdTime: ctx.world.clock.nowIso(),
    launchTemplate: lt
      ? {
          launchTemplateId: ltId ?? ctx.world.ids.hex('lt'),
          launchTemplateName: ltName ?? `${name}-lt`,
          version: typeof lt.Version === 'string' ? lt.Version : '$Default',
        }
      : undefined,
    launchConfigurationName: lcName ?? (instanceId && !lt ? name : undefined),
    loadBalancerNames: lbNames,
    targetGroupARNs: tgArns,
    instances: [],
    suspendedProcesses: [],
    newInstancesProtectedFromScaleIn: optBool(p, 'NewInstancesProtectedFromScaleIn') ?? false,
    templateInstanceId: instanceId,
    launchGroupIds: instanceId
      ? [
          ...(ctx.region.ec2.networkInterfaces.get(
            ctx.region.ec2.instances.get(instanceId)?.networkInterfaceIds[0] ?? '',
          )?.groupIds ?? []),
        ]
      : undefined,
    tags,
  };
  ctx.region.autoscaling.groups.set(name, g);
  converge(ctx, g);
  return undefined;
};

const updateAutoScalingGroup: Handler = (ctx, p) => {
  settle(ctx);
  const g = groupByName(ctx.region, needStr(p, 'AutoScalingGroupName', 255));
  const newMin = optInt(p, 'MinSize', 0);
  const newMax = optInt(p, 'MaxSize', 0);
  const newDesired = optInt(p, 'DesiredCapacity', 0);
  const min = newMin ?? g.minSize;
  const max = newMax ?? g.maxSize;
  let desired = newDesired ?? g.desiredCapacity;
  if (newDesired === undefined) {
    // A new MinSize above (MaxSize below) the current size moves the desired capacity with it.
    if (desired < min) desired = min;
    if (desired > max) desired = max;
  }
  checkBounds(min, max, desired);
  const healthCheckType = optStr(p, 'HealthCheckType');
  if (healthCheckType !== undefined && healthCheckType !== 'EC2' && healthCheckType !== 'ELB')
    throw validation('HealthCheckType', healthCheckType, 'Member must be EC2 or ELB');
  const grace = optInt(p, 'HealthCheckGracePeriod', 0);
  const cooldown = optInt(p, 'DefaultCooldown', 0);
  const protect = optBool(p, 'NewInstancesProtectedFromScaleIn');
  const subnets = readSubnets(ctx, p);

  ctx.dryRunGate();
  g.minSize = min;
  g.maxSize = max;
  g.desiredCapacity = desired;
  if (healthCheckType) g.healthCheckType = healthCheckType;
  if (grace !== undefined) g.healthCheckGracePeriod = grace;
  if (cooldown !== undefined) g.defaultCooldown = cooldown;
  if (protect !== undefined) g.newInstancesProtectedFromScaleIn = protect;
  if (subnets.length) {
    g.vpcZoneIdentifier = subnets.join(',');
    g.availabilityZones = [...new Set(subnets.map((s) => ctx.region.ec2.subnets.get(s)!.availabilityZone))];
  }
  converge(ctx, g);
  return undefined;
};

export const groupActions: Record<string, Handler> = {
  DescribeAutoScalingGroups: describeAutoScalingGroups,
  DescribeAutoScalingInstances: describeAutoScalingInstances,
  CreateAutoScalingGroup: createAutoScalingGroup,
  UpdateAutoScalingGroup: updateAutoScalingGroup,
};
