// Wire views of Auto Scaling records, shaped like the model (PascalCase members; lists become <member>).
// Element names checked with `node --import tsx scripts/shape.mjs auto-scaling AutoScalingGroup` (and Instance,
// AutoScalingInstanceDetails, Activity, TagDescription).

import type { XmlData } from '../../protocol/xml.js';
import type { AsgInstance, AutoScalingActivity, AutoScalingGroup } from '../../state/types.js';

function launchTemplateView(lt: AsgInstance['launchTemplate']): XmlData {
  return lt
    ? { LaunchTemplateId: lt.launchTemplateId, LaunchTemplateName: lt.launchTemplateName, Version: lt.version }
    : undefined;
}

export function groupView(g: AutoScalingGroup): XmlData {
  return {
    AutoScalingGroupName: g.autoScalingGroupName,
    AutoScalingGroupARN: g.autoScalingGroupARN,
    LaunchConfigurationName: g.launchConfigurationName,
    LaunchTemplate: launchTemplateView(g.launchTemplate),
    MinSize: g.minSize,
    MaxSize: g.maxSize,
    DesiredCapacity: g.desiredCapacity,
    DefaultCooldown: g.defaultCooldown,
    AvailabilityZones: g.availabilityZones,
    LoadBalancerNames: g.loadBalancerNames,
    TargetGroupARNs: g.targetGroupARNs,
    HealthCheckType: g.healthCheckType,
    HealthCheckGracePeriod: g.healthCheckGracePeriod,
    Instances: g.instances.map((i) => ({
      InstanceId: i.instanceId,
      InstanceType: i.instanceType,
      AvailabilityZone: i.availabilityZone,
      LifecycleState: i.lifecycleState,
      HealthStatus: i.healthStatus,
      LaunchConfigurationName: i.launchConfigurationName,
      LaunchTemplate: launchTemplateView(i.launchTemplate),
      ProtectedFromScaleIn: i.protectedFromScaleIn,
    })),
    CreatedTime: g.createdTime,
    SuspendedProcesses: g.suspendedProcesses.map((s) => ({
      ProcessName: s.processName,
      SuspensionReason: s.suspensionReason,
    })),
    VPCZoneIdentifier: g.vpcZoneIdentifier,
    EnabledMetrics: [],
    Tags: g.tags.map((t) => ({
      ResourceId: g.autoScalingGroupName,
      ResourceType: 'auto-scaling-group',
      Key: t.key,
      Value: t.value,
      PropagateAtLaunch: t.propagateAtLaunch,
    })),
    TerminationPolicies: ['Default'],
    NewInstancesProtectedFromScaleIn: g.newInstancesProtectedFromScaleIn,
    ServiceLinkedRoleARN: `arn:aws:iam::${g.autoScalingGroupARN.split(':')[4]}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    CapacityRebalance: false,
    TrafficSources: g.targetGroupARNs.map((arn) => ({ Identifier: arn, Type: 'elbv2' })),
  };
}

/** DescribeAutoScalingInstances reports health in capitals (HEALTHY / UNHEALTHY), unlike DescribeAutoScalingGroups. */
export function instanceDetailsView(g: AutoScalingGroup, i: AsgInstance): XmlData {
  return {
    InstanceId: i.instanceId,
    InstanceType: i.instanceType,
    AutoScalingGroupName: g.autoScalingGroupName,
    AvailabilityZone: i.availabilityZone,
    LifecycleState: i.lifecycleState,
    HealthStatus: i.healthStatus.toUpperCase(),
    LaunchConfigurationName: i.launchConfigurationName,
    LaunchTemplate: launchTemplateView(i.launchTemplate),
    ProtectedFromScaleIn: i.protectedFromScaleIn,
  };
}

export function activityView(a: AutoScalingActivity, groupArn?: string): XmlData {
  const done = a.statusCode !== 'InProgress';
  return {
    ActivityId: a.activityId,
    AutoScalingGroupName: a.autoScalingGroupName,
    Description: a.description,
    Cause: a.cause,
    StartTime: a.startTime,
    EndTime: done ? a.endTime : undefined,
    StatusCode: a.statusCode,
    Progress: a.progress,
    Details: a.details,
    AutoScalingGroupARN: groupArn,
  };
}
