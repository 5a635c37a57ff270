// EC2 instance actions: DescribeInstances, DescribeInstanceStatus, Stop/Start/TerminateInstances (RunInstances
// lives in runInstances.ts). State changes answer with previous and current state as AWS does; the intermediate
// state (stopping, shutting-down, pending) stays visible for lifecycle.TRANSITION_MS of simulated time.

import type { CallContext, Handler } from '../framework.js';
import { bool, int, str, strList, paginate } from '../framework.js';
import type { FormObject } from '../../protocol/form.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { lookupAll } from './ids.js';
import {
  enisOf,
  instanceViewNow,
  shownState,
  startInstance,
  stateOf,
  stopInstance,
  terminateInstance,
} from './lifecycle.js';
import { runInstancesActions } from './runInstances.js';
import type { Instance, InstanceStateName, RegionState } from '../../state/types.js';
import { INSTANCE_STATE_CODES } from '../../state/types.js';
import type { World } from '../../state/world.js';

export function instanceFilterValues(world: World, region: RegionState) {
  return (i: Instance, name: string): (string | number | boolean | undefined)[] | undefined => {
    const enis = enisOf(region, i);
    const primaryIp = enis[0]?.privateIpAddresses.find((p) => p.primary);
    const volumes = i.blockDevices.map((b) => ({
      b,
      att: region.ec2.volumes.get(b.volumeId)?.attachments.find((a) => a.instanceId === i.instanceId),
    }));
    switch (name) {
      case 'instance-id':
        return [i.instanceId];
      case 'instance-state-name':
        return [shownState(world, i)];
      case 'instance-state-code':
        return [INSTANCE_STATE_CODES[shownState(world, i)]];
      case 'instance-type':
        return [i.instanceType];
      case 'image-id':
        return [i.imageId];
      case 'architecture':
        return [i.architecture];
      case 'vpc-id':
        return [i.vpcId];
      case 'subnet-id':
        return [i.subnetId];
      case 'availability-zone':
        return [i.availabilityZone];
      case 'launch-time':
        return [i.launchTime];
      case 'private-ip-address':
        return [primaryIp?.privateIpAddress];
      case 'ip-address':
        return [primaryIp?.association?.publicIp];
      case 'private-dns-name':
        return primaryIp
          ? [
              `ip-${primaryIp.privateIpAddress.replace(/\./g, '-')}.${region.name === 'us-east-1' ? 'ec2.internal' : `${region.name}.compute.internal`}`,
            ]
          : [];
      case 'key-name':
        return [i.keyName];
      case 'root-device-name':
        return [i.rootDeviceName];
      case 'root-device-type':
        return [i.rootDeviceType];
      case 'platform-details':
        return [i.platformDetails];
      case 'tenancy':
      case 'placement.tenancy':
        return ['default'];
      case 'instance.group-id':
      case 'group-id':
        return enis[0]?.groupIds ?? [];
      case 'instance.group-name':
      case 'group-name':
        return (enis[0]?.groupIds ?? []).map((g) => region.ec2.securityGroups.get(g)?.groupName);
      case 'network-interface.network-interface-id':
        return enis.map((e) => e.networkInterfaceId);
      case 'network-interface.group-id':
        return enis.flatMap((e) => e.groupIds);
      case 'network-interface.group-name':
        return enis.flatMap((e) => e.groupIds.map((g) => region.ec2.securityGroups.get(g)?.groupName));
      case 'network-interface.subnet-id':
        return enis.map((e) => e.subnetId);
      case 'network-interface.vpc-id':
        return enis.map((e) => e.vpcId);
      case 'network-interface.status':
        return enis.map((e) => e.status);
      case 'network-interface.description':
        return enis.map((e) => e.description);
      case 'network-interface.mac-address':
        return enis.map((e) => e.macAddress);
      case 'network-interface.source-dest-check':
        return enis.map((e) => e.sourceDestCheck);
      case 'network-interface.attachment.attachment-id':
        return enis.map((e) => e.attachment?.attachmentId);
      case 'network-interface.attachment.device-index':
        return enis.map((e) => e.attachment?.deviceIndex);
      case 'network-interface.attachment.delete-on-termination':
        return enis.map((e) => e.attachment?.deleteOnTermination);
      case 'network-interface.addresses.private-ip-address':
      case 'network-interface.private-ip-address':
        return enis.flatMap((e) => e.privateIpAddresses.map((p) => p.privateIpAddress));
      case 'network-interface.addresses.association.public-ip':
      case 'network-interface.association.public-ip':
        return enis.flatMap((e) => e.privateIpAddresses.map((p) => p.association?.publicIp));
      case 'network-interface.association.allocation-id':
        return enis.flatMap((e) => e.privateIpAddresses.map((p) => p.association?.allocationId));
      case 'network-interface.ipv6-addresses.ipv6-address':
        return enis.flatMap((e) => e.ipv6Addresses);
      case 'iam-instance-profile.arn':
        return [i.iamInstanceProfile?.arn];
      case 'iam-instance-profile.id':
        return [i.iamInstanceProfile?.id];
      case 'block-device-mapping.volume-id':
        return i.blockDevices.map((b) => b.volumeId);
      case 'block-device-mapping.device-name':
        return i.blockDevices.map((b) => b.deviceName);
      case 'block-device-mapping.delete-on-termination':
        return volumes.map((v) => v.att?.deleteOnTermination);
      case 'block-device-mapping.status':
        return volumes.map((v) => v.att?.state);
      case 'metadata-options.http-endpoint':
        return [i.metadataOptions.httpEndpoint];
      case 'metadata-options.http-tokens':
        return [i.metadataOptions.httpTokens];
      case 'metadata-options.http-put-response-hop-limit':
        return [i.metadataOptions.httpPutResponseHopLimit];
      case 'metadata-options.instance-metadata-tags':
        return [i.metadataOptions.instanceMetadataTags];
      case 'owner-id':
        return [i.ownerId];
      case 'reservation-id':
        return [i.reservationId];
      default:
        return undefined;
    }
  };
}

const describeInstances: Handler = (ctx, p) => {
  const ids = strList(p, 'InstanceId');
  const maxResults = int(p, 'MaxResults');
  if (ids.length && maxResults !== undefined) {
    throw new AwsError(
      'InvalidParameterCombination',
      'The parameter instancesSet cannot be used with the parameter maxResults',
    );
  }
  const all = ctx.region.ec2.instances;
  let items = ids.length ? lookupAll('instance', all, [...new Set(ids)]) : [...all.values()];
  items = applyFilters(items, readFilters(p), instanceFilterValues(ctx.world, ctx.region));
  const { page, nextToken } = paginate(items, maxResults, str(p, 'NextToken'));
  // One reservation per reservation id, in first-seen order.
  const reservations = new Map<string, Instance[]>();
  for (const i of page) {
    const list = reservations.get(i.reservationId) ?? [];
    list.push(i);
    reservations.set(i.reservationId, list);
  }
  return {
    reservationSet: [...reservations.entries()].map(([rid, insts]) => ({
      reservationId: rid,
      ownerId: insts[0]!.ownerId,
      groupSet: [],
      instancesSet: insts.map((i) => instanceViewNow(ctx.world, ctx.region, i)),
    })),
    nextToken,
  };
};

function statusView(world: World, region: RegionState, i: Instance) {
  const state = shownState(world, i);
  const running = state === 'running';
  const summary = {
    status: running ? 'ok' : 'not-applicable',
    details: running ? [{ name: 'reachability', status: 'passed' }] : [],
  };
  return {
    instanceId: i.instanceId,
    availabilityZone: i.availabilityZone,
    eventsSet: [],
    instanceState: stateOf(state),
    systemStatus: summary,
    instanceStatus: summary,
    attachedEbsStatus: running
      ? { status: 'ok', details: [{ name: 'reachability', status: 'passed' }] }
      : { status: 'not-applicable', details: [] },
  };
}

const describeInstanceStatus: Handler = (ctx, p) => {
  const ids = strList(p, 'InstanceId');
  const maxResults = int(p, 'MaxResults');
  if (ids.length && maxResults !== undefined) {
    throw new AwsError(
      'InvalidParameterCombination',
      'The parameter instancesSet cannot be used with the parameter maxResults',
    );
  }
  const includeAll = bool(p, 'IncludeAllInstances') ?? false;
  const all = ctx.region.ec2.instances;
  let items = ids.length ? lookupAll('instance', all, [...new Set(ids)]) : [...all.values()];
  if (!includeAll) items = items.filter((i) => shownState(ctx.world, i) === 'running');
  const base = instanceFilterValues(ctx.world, ctx.region);
  items = applyFilters(items, readFilters(p), (i, name) => {
    const running = shownState(ctx.world, i) === 'running';
    switch (name) {
      case 'instance-status.status':
      case 'system-status.status':
        return [running ? 'ok' : 'not-applicable'];
      case 'instance-status.reachability':
      case 'system-status.reachability':
        return [running ? 'passed' : undefined];
      case 'event.code':
      case 'event.description':
        return [];
      default:
        return name.startsWith('instance-') || name === 'availability-zone' ? base(i, name) : undefined;
    }
  });
  const { page, nextToken } = paginate(items, maxResults, str(p, 'NextToken'));
  return { instanceStatusSet: page.map((i) => statusView(ctx.world, ctx.region, i)), nextToken };
};

function readInstances(ctx: CallContext, p: FormObject): Instance[] {
  const ids = strList(p, 'InstanceId');
  if (ids.length === 0) throw new AwsError('MissingParameter', 'The request must contain the parameter InstanceId');
  return lookupAll('instance', ctx.region.ec2.instances, [...new Set(ids)]);
}

type Change = {
  instanceId: string;
  currentState: ReturnType<typeof stateOf>;
  previousState: ReturnType<typeof stateOf>;
};

function change(inst: Instance, previous: InstanceStateName, current: InstanceStateName): Change {
  return { instanceId: inst.instanceId, currentState: stateOf(current), previousState: stateOf(previous) };
}

const stopInstances: Handler = (ctx, p) => {
  const insts = readInstances(ctx, p);
  const hibernate = bool(p, 'Hibernate') ?? false;
  bool(p, 'Force');
  for (const inst of insts) {
    const state = shownState(ctx.world, inst);
    if (state === 'shutting-down' || state === 'terminated') {
      throw new AwsError(
        'IncorrectInstanceState',
        `This instance '${inst.instanceId}' is not in a state from which it can be stopped.`,
      );
    }
    if (state === 'pending') {
      throw new AwsError(
        'IncorrectInstanceState',
        `Instance '${inst.instanceId}' cannot be stopped as it has never reached the 'running' state.`,
      );
    }
    if (inst.disableApiStop) {
      throw new AwsError(
        'OperationNotPermitted',
        `The instance '${inst.instanceId}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.`,
      );
    }
    if (inst.rootDeviceType !== 'ebs') {
      throw new AwsError(
        'UnsupportedOperation',
        `The instance '${inst.instanceId}' does not have an 'ebs' root device type and cannot be stopped.`,
      );
    }
    if (hibernate) {
      throw new AwsError(
        'UnsupportedHibernationConfiguration',
        `The instance '${inst.instanceId}' does not have hibernation configured.`,
      );
    }
  }
  ctx.dryRunGate();
  return {
    instancesSet: insts.map((inst) => {
      const previous = shownState(ctx.world, inst);
      if (previous === 'running') stopInstance(ctx.world, ctx.region, inst);
      return change(inst, previous, shownState(ctx.world, inst));
    }),
  };
};

const startInstances: Handler = (ctx, p) => {
  const insts = readInstances(ctx, p);
  for (const inst of insts) {
    const state = shownState(ctx.world, inst);
    if (state !== 'stopped' && state !== 'running' && state !== 'pending') {
      throw new AwsError(
        'IncorrectInstanceState',
        `The instance '${inst.instanceId}' is not in a state from which it can be started.`,
      );
    }
  }
  ctx.dryRunGate();
  return {
    instancesSet: insts.map((inst) => {
      const previous = shownState(ctx.world, inst);
      if (previous === 'stopped') startInstance(ctx.world, ctx.region, inst);
      return change(inst, previous, shownState(ctx.world, inst));
    }),
  };
};

const terminateInstances: Handler = (ctx, p) => {
  const insts = readInstances(ctx, p);
  for (const inst of insts) {
    if (inst.state !== 'terminated' && inst.disableApiTermination) {
      throw new AwsError(
        'OperationNotPermitted',
        `The instance '${inst.instanceId}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`,
      );
    }
  }
  ctx.dryRunGate();
  return {
    instancesSet: insts.map((inst) => {
      const previous = shownState(ctx.world, inst);
      if (inst.state !== 'terminated') terminateInstance(ctx.world, ctx.region, inst);
      return change(inst, previous, shownState(ctx.world, inst));
    }),
  };
};

export const instanceActions: Record<string, Handler> = {
  DescribeInstances: describeInstances,
  DescribeInstanceStatus: describeInstanceStatus,
  StopInstances: stopInstances,
  StartInstances: startInstances,
  TerminateInstances: terminateInstances,
  ...runInstancesActions,
};
