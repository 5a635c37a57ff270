// EC2 volume actions: DescribeVolumes, CreateVolume, AttachVolume, DetachVolume, DeleteVolume.
// A new volume is `creating` for VOLUME_CREATE_MS of simulated time, then `available` (settled lazily).
// Size limits (AWS): gp2/gp3 1–16384 GiB, io1/io2 4–16384, st1/sc1 125–16384, standard 1–1024.

import type { Handler } from '../framework.js';
import { bool, int, paginate, reqStr, str, strList, tagSet } from '../framework.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { lookup, lookupAll } from './ids.js';
import { readTagSpecifications } from './tags.js';
import { zonesOf } from './zones.js';
import { attachVolume, createVolume } from '../../state/build.js';
import type { XmlData } from '../../protocol/xml.js';
import type { RegionState, Volume } from '../../state/types.js';

/** Simulated time a new volume stays `creating`. */
export const VOLUME_CREATE_MS = 5_000;

const SIZE_LIMITS: Record<string, [number, number]> = {
  gp2: [1, 16384],
  gp3: [1, 16384],
  io1: [4, 16384],
  io2: [4, 16384],
  st1: [125, 16384],
  sc1: [125, 16384],
  standard: [1, 1024],
};

/** Moves a `creating` volume to `available` once its creation time has passed (simulated clock). */
export function settleVolume(v: Volume, nowMs: number): Volume {
  if (v.state === 'creating' && nowMs >= Date.parse(v.createTime) + VOLUME_CREATE_MS) v.state = 'available';
  return v;
}

function iopsOf(v: Volume): number | undefined {
  if (v.volumeType === 'gp3') return 3000;
  if (v.volumeType === 'gp2') return Math.min(16000, Math.max(100, v.size * 3));
  if (v.volumeType === 'io1' || v.volumeType === 'io2') return Math.min(64000, v.size * 50);
  return undefined;
}

export function volumeView(v: Volume): XmlData {
  return {
    volumeId: v.volumeId,
    size: v.size,
    snapshotId: v.snapshotId ?? '',
    availabilityZone: v.availabilityZone,
    status: v.state,
    createTime: v.createTime,
    attachmentSet: v.attachments.map((a) => ({
      volumeId: v.volumeId,
      instanceId: a.instanceId,
      device: a.device,
      status: a.state,
      attachTime: a.attachTime,
      deleteOnTermination: a.deleteOnTermination,
    })),
    volumeType: v.volumeType,
    iops: iopsOf(v),
    throughput: v.volumeType === 'gp3' ? 125 : undefined,
    encrypted: v.encrypted,
    multiAttachEnabled: false,
    tagSet: tagSet(v.tags),
  };
}

function volumeFilterValues(v: Volume, name: string): (string | number | boolean | undefined)[] | undefined {
  switch (name) {
    case 'volume-id':
      return [v.volumeId];
    case 'status':
      return [v.state];
    case 'size':
      return [v.size];
    case 'volume-type':
      return [v.volumeType];
    case 'availability-zone':
      return [v.availabilityZone];
    case 'encrypted':
      return [v.encrypted];
    case 'snapshot-id':
      return [v.snapshotId ?? ''];
    case 'create-time':
      return [v.createTime];
    case 'multi-attach-enabled':
      return [false];
    case 'attachment.instance-id':
      return v.attachments.map((a) => a.instanceId);
    case 'attachment.device':
      return v.attachments.map((a) => a.device);
    case 'attachment.status':
      return v.attachments.map((a) => a.state);
    case 'attachment.attach-time':
      return v.attachments.map((a) => a.attachTime);
    case 'attachment.delete-on-termination':
      return v.attachments.map((a) => a.deleteOnTermination);
    case 'owner-id':
      return [v.ownerId];
    default:
      return undefined;
  }
}

const describeVolumes: Handler = (ctx, p) => {
  const ids = strList(p, 'VolumeId');
  const all = ctx.region.ec2.volumes;
  const now = ctx.world.clock.now();
  let items = (ids.length ? lookupAll('volume', all, ids) : [...all.values()]).map((v) => settleVolume(v, now));
  items = applyFilters(items, readFilters(p), volumeFilterValues);
  const { page, nextToken } = paginate(items, int(p, 'MaxResults'), str(p, 'NextToken'), 5, 1000);
  return { volumeSet: page.map(volumeView), nextToken };
};

function checkZone(region: RegionState, zone: string): void {
  if (!zonesOf(region).some((z) => z.zoneName === zone)) {
    throw new AwsError('InvalidParameterValue', `Invalid availability zone: [${zone}]`);
  }
}

const createVolume_: Handler = (ctx, p) => {
  const zone = reqStr(p, 'AvailabilityZone');
  checkZone(ctx.region, zone);
  const type = str(p, 'VolumeType') ?? 'gp2';
  const limits = SIZE_LIMITS[type];
  if (!limits)
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${type}) for parameter volumeType is invalid. Valid values: ${Object.keys(SIZE_LIMITS).join(', ')}`,
    );
  const snapshotId = str(p, 'SnapshotId');
  const snap = snapshotId ? lookup('snapshot', ctx.region.ec2.snapshots, snapshotId, 'SnapshotId') : undefined;
  let size = int(p, 'Size');
  if (size === undefined && !snap)
    throw new AwsError('MissingParameter', 'The request must contain the parameter size or snapshotId');
  if (snap && snap.state !== 'completed')
    throw new AwsError('IncorrectState', `Snapshot is in invalid state - ${snap.state}`);
  if (snap && size !== undefined && size < snap.volumeSize) {
    throw new AwsError(
      'InvalidParameterValue',
      `Volume of ${size}GiB is smaller than snapshot '${snap.snapshotId}', expect size >= ${snap.volumeSize}GiB`,
    );
  }
  size ??= snap!.volumeSize;
  if (size < limits[0] || size > limits[1]) {
    throw new AwsError(
      'InvalidParameterValue',
      `Volume of ${size}GiB is too ${size < limits[0] ? 'small' : 'large'}; minimum is ${limits[0]}GiB, maximum is ${limits[1]}GiB for ${type}`,
    );
  }
  if ((type === 'io1' || type === 'io2') && int(p, 'Iops') === undefined) {
    throw new AwsError('InvalidParameterCombination', `The parameter iops must be specified for ${type} volumes.`);
  }
  const encrypted = (bool(p, 'Encrypted') ?? false) || !!snap?.encrypted;
  const tags = readTagSpecifications(p, 'volume');
  ctx.dryRunGate();
  const v = createVolume(ctx.world, ctx.region, ctx.accountId, {
    size,
    volumeType: type,
    availabilityZone: zone,
    encrypted,
    snapshotId: snap?.snapshotId,
    tags,
  });
  v.state = 'creating';
  return volumeView(v);
};

const attachVolume_: Handler = (ctx, p) => {
  const device = reqStr(p, 'Device');
  const inst = lookup('instance', ctx.region.ec2.instances, str(p, 'InstanceId'), 'InstanceId');
  const v = settleVolume(
    lookup('volume', ctx.region.ec2.volumes, str(p, 'VolumeId'), 'VolumeId'),
    ctx.world.clock.now(),
  );
  if (v.attachments.length) throw new AwsError('VolumeInUse', `${v.volumeId} is already attached to an instance`);
  if (v.state !== 'available') throw new AwsError('IncorrectState', `${v.volumeId} is not 'available'.`);
  if (inst.state !== 'running' && inst.state !== 'stopped') {
    throw new AwsError('IncorrectInstanceState', `Instance '${inst.instanceId}' is not 'running' or 'stopped'.`);
  }
  if (v.availabilityZone !== inst.availabilityZone) {
    throw new AwsError(
      'InvalidVolume.ZoneMismatch',
      `The volume '${v.volumeId}' is not in the same availability zone as instance '${inst.instanceId}'`,
    );
  }
  if (!/^\/dev\/(sd[a-z]\d*|xvd[a-z]+\d*|nvme\d+n\d+)$|^xvd[a-z]+$/.test(device)) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${device}) for parameter device is invalid. ${device} is not a valid EBS device name.`,
    );
  }
  if (inst.blockDevices.some((b) => b.deviceName === device)) {
    throw new AwsError(
      'InvalidParameterValue',
      `Invalid value '${device}' for unixDevice. Attachment point ${device} is already in use`,
    );
  }
  ctx.dryRunGate();
  attachVolume(ctx.world, v, inst, device, false);
  const a = v.attachments[0]!;
  return {
    attachTime: a.attachTime,
    device,
    instanceId: inst.instanceId,
    status: 'attaching',
    volumeId: v.volumeId,
    deleteOnTermination: false,
  };
};

const detachVolume: Handler = (ctx, p) => {
  const v = lookup('volume', ctx.region.ec2.volumes, str(p, 'VolumeId'), 'VolumeId');
  const instanceId = str(p, 'InstanceId');
  const device = str(p, 'Device');
  const force = bool(p, 'Force') ?? false;
  const a = v.attachments[0];
  if (!a) throw new AwsError('IncorrectState', `Volume '${v.volumeId}' is in the '${v.state}' state.`);
  if (instanceId !== undefined && instanceId !== a.instanceId) {
    throw new AwsError(
      'InvalidAttachment.NotFound',
      `Volume ${v.volumeId} can not be detached from ${instanceId} because it is not attached`,
    );
  }
  if (device !== undefined && device !== a.device) {
    throw new AwsError(
      'InvalidAttachment.NotFound',
      `The volume ${v.volumeId} is not attached to instance ${a.instanceId} as device ${device}`,
    );
  }
  const inst = ctx.region.ec2.instances.get(a.instanceId);
  if (inst && inst.rootDeviceName === a.device && inst.state !== 'stopped' && !force) {
    throw new AwsError(
      'OperationNotPermitted',
      `Unable to detach root volume '${v.volumeId}' from instance '${inst.instanceId}'`,
    );
  }
  ctx.dryRunGate();
  v.attachments = [];
  v.state = 'available';
  if (inst) inst.blockDevices = inst.blockDevices.filter((b) => b.volumeId !== v.volumeId);
  return {
    attachTime: a.attachTime,
    device: a.device,
    instanceId: a.instanceId,
    status: 'detaching',
    volumeId: v.volumeId,
    deleteOnTermination: a.deleteOnTermination,
  };
};

const deleteVolume: Handler = (ctx, p) => {
  const v = settleVolume(
    lookup('volume', ctx.region.ec2.volumes, str(p, 'VolumeId'), 'VolumeId'),
    ctx.world.clock.now(),
  );
  if (v.attachments.length)
    throw new AwsError('VolumeInUse', `Volume ${v.volumeId} is currently attached to ${v.attachments[0]!.instanceId}`);
  if (v.state !== 'available') throw new AwsError('IncorrectState', `The volume '${v.volumeId}' is '${v.state}'.`);
  ctx.dryRunGate();
  ctx.region.ec2.volumes.delete(v.volumeId);
  return { return: true };
};

export const volumesActions: Record<string, Handler> = {
  DescribeVolumes: describeVolumes,
  CreateVolume: createVolume_,
  AttachVolume: attachVolume_,
  DetachVolume: detachVolume,
  DeleteVolume: deleteVolume,
};
