// EC2 image (AMI) actions: CreateImage, DescribeImages, DeregisterImage.
//
// CreateImage snapshots every EBS volume of the instance (one snapshot per block device, subject to the same
// per-volume concurrency as CreateSnapshot) and the image is `pending` until the last of them completes, then
// `available` (settled lazily on read). NoReboot defaults to false: AWS then shuts the instance down and reboots
// it, which destroys memory and volatile evidence; the simulator records that reboot on the instance (its
// stateTransitionReason and console output) so a test or `cordon lab` can see it happened.

import type { CallContext, Handler } from '../framework.js';
import { bool, int, objList, obj, paginate, reqStr, str, strList, tagSet } from '../framework.js';
import type { FormObject } from '../../protocol/form.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { checkIdFormat, lookup } from './ids.js';
import { readTagSpecifications } from './tags.js';
import {
  checkDescription,
  checkSnapshotConcurrency,
  checkSnapshottable,
  newSnapshot,
  readOwners,
  settleSnapshot,
} from './snapshots.js';
import type { XmlData } from '../../protocol/xml.js';
import type { Image, Instance, RegionState, Volume } from '../../state/types.js';

const NAME_RE = /^[A-Za-z0-9()[\] ./\-'@_]{3,128}$/;

/** Simulated time an image without any snapshot takes to register. */
const IMAGE_MIN_MS = 30_000;

export function settleImage(region: RegionState, img: Image, nowMs: number): Image {
  for (const b of img.blockDeviceMappings) {
    const s = b.snapshotId ? region.ec2.snapshots.get(b.snapshotId) : undefined;
    if (s) settleSnapshot(s, nowMs);
  }
  if (img.state === 'pending' && nowMs >= img.availableAt) img.state = 'available';
  return img;
}

function imageView(region: RegionState, img: Image): XmlData {
  return {
    imageId: img.imageId,
    imageLocation: `${img.ownerId}/${img.name}`,
    imageState: img.state,
    imageOwnerId: img.ownerId,
    creationDate: img.creationDate,
    isPublic: false,
    architecture: img.architecture,
    imageType: 'machine',
    name: img.name,
    description: img.description || undefined,
    rootDeviceType: 'ebs',
    rootDeviceName: img.rootDeviceName,
    blockDeviceMapping: img.blockDeviceMappings.map((b) => {
      const snap = b.snapshotId ? region.ec2.snapshots.get(b.snapshotId) : undefined;
      const vol = snap ? region.ec2.volumes.get(snap.volumeId) : undefined;
      return {
        deviceName: b.deviceName,
        ebs: {
          deleteOnTermination: b.deleteOnTermination,
          snapshotId: b.snapshotId || undefined,
          volumeSize: b.volumeSize,
          volumeType: vol?.volumeType ?? 'gp3',
          encrypted: snap?.encrypted ?? false,
        },
      };
    }),
    virtualizationType: 'hvm',
    hypervisor: 'xen',
    enaSupport: true,
    sriovNetSupport: 'simple',
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
    sourceInstanceId: img.sourceInstanceId,
    tagSet: tagSet(img.tags),
  };
}

function imageFilterValues(img: Image, name: string): (string | number | boolean | undefined)[] | undefined {
  switch (name) {
    case 'image-id':
      return [img.imageId];
    case 'name':
      return [img.name];
    case 'state':
      return [img.state];
    case 'owner-id':
      return [img.ownerId];
    case 'owner-alias':
      return [];
    case 'description':
      return [img.description];
    case 'architecture':
      return [img.architecture];
    case 'is-public':
      return [false];
    case 'image-type':
      return ['machine'];
    case 'root-device-type':
      return ['ebs'];
    case 'root-device-name':
      return [img.rootDeviceName];
    case 'virtualization-type':
      return ['hvm'];
    case 'hypervisor':
      return ['xen'];
    case 'platform-details':
      return ['Linux/UNIX'];
    case 'creation-date':
      return [img.creationDate];
    case 'source-instance-id':
      return [img.sourceInstanceId];
    case 'block-device-mapping.device-name':
      return img.blockDeviceMappings.map((b) => b.deviceName);
    case 'block-device-mapping.snapshot-id':
      return img.blockDeviceMappings.map((b) => b.snapshotId);
    case 'block-device-mapping.volume-size':
      return img.blockDeviceMappings.map((b) => b.volumeSize);
    case 'block-device-mapping.delete-on-termination':
      return img.blockDeviceMappings.map((b) => b.deleteOnTermination);
    default:
      return undefined;
  }
}

const describeImages: Handler = (ctx, p) => {
  const ids = strList(p, 'ImageId');
  const maxResults = int(p, 'MaxResults');
  if (ids.length && maxResults !== undefined) {
    throw new AwsError(
      'InvalidParameterCombination',
      'The parameter ImageIds cannot be used with the parameter MaxResults',
    );
  }
  const owners = readOwners(ctx, strList(p, 'Owner'));
  const all = ctx.region.ec2.images;
  const now = ctx.world.clock.now();
  let items: Image[];
  if (ids.length) {
    for (const id of ids) checkIdFormat('image', id);
    const missing = ids.filter((id) => !all.has(id));
    if (missing.length)
      throw new AwsError('InvalidAMIID.NotFound', `The image id '[${missing.join(', ')}]' does not exist`);
    // AWS: with ImageIds, filters are ignored.
    items = ids.map((id) => all.get(id)!);
  } else {
    items = applyFilters(
      [...all.values()].map((i) => settleImage(ctx.region, i, now)),
      readFilters(p),
      imageFilterValues,
    );
  }
  items = items.map((i) => settleImage(ctx.region, i, now));
  if (owners) items = items.filter((i) => owners.has(i.ownerId));
  const { page, nextToken } = paginate(items, maxResults, str(p, 'NextToken'), 1, 1000);
  return { imagesSet: page.map((i) => imageView(ctx.region, i)), nextToken };
};

interface PlannedDevice {
  deviceName: string;
  volume?: Volume;
  volumeSize: number;
  deleteOnTermination: boolean;
}

/** The image's block devices: the instance's EBS volumes with BlockDeviceMapping.N overrides applied. */
function planDevices(ctx: CallContext, inst: Instance, mappings: FormObject[]): PlannedDevice[] {
  const devices: PlannedDevice[] = inst.blockDevices.map((b) => {
    const v = ctx.region.ec2.volumes.get(b.volumeId);
    return {
      deviceName: b.deviceName,
      volume: v,
      volumeSize: v?.size ?? 8,
      deleteOnTermination: v?.attachments[0]?.deleteOnTermination ?? true,
    };
  });
  for (const m of mappings) {
    const name = str(m, 'DeviceName');
    if (!name)
      throw new AwsError('MissingParameter', 'The request must contain the parameter BlockDeviceMapping.DeviceName');
    const existing = devices.find((d) => d.deviceName === name);
    if (str(m, 'NoDevice') !== undefined) {
      if (name === inst.rootDeviceName)
        throw new AwsError(
          'InvalidBlockDeviceMapping',
          `The device '${name}' is the root device of ${inst.instanceId} and cannot be suppressed.`,
        );
      if (existing) devices.splice(devices.indexOf(existing), 1);
      continue;
    }
    const ebs = obj(m, 'Ebs');
    if (!ebs) continue;
    const size = int(ebs, 'VolumeSize');
    const dot = bool(ebs, 'DeleteOnTermination');
    if (existing) {
      if (size !== undefined && size < existing.volumeSize) {
        throw new AwsError(
          'InvalidBlockDeviceMapping',
          `Volume of size ${size}GiB is smaller than snapshot of ${existing.volume?.volumeId ?? name}, expect size >= ${existing.volumeSize}GiB`,
        );
      }
      if (size !== undefined) existing.volumeSize = size;
      if (dot !== undefined) existing.deleteOnTermination = dot;
      continue;
    }
    if (size === undefined || size < 1 || size > 16384) {
      throw new AwsError(
        'InvalidBlockDeviceMapping',
        `The new device '${name}' needs Ebs.VolumeSize between 1 and 16384 GiB.`,
      );
    }
    devices.push({ deviceName: name, volumeSize: size, deleteOnTermination: dot ?? true });
  }
  return devices;
}

function gmt(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} GMT`;
}

/** What AWS does to the instance when NoReboot is false: shut down, snapshot, boot again (memory is lost). */
function rebootForImage(inst: Instance, imageId: string, nowMs: number): void {
  inst.stateTransitionReason = `User initiated reboot for CreateImage ${imageId} (${gmt(nowMs)})`;
  const tail = inst.consoleOutput.endsWith('\n') || inst.consoleOutput === '' ? '' : '\n';
  inst.consoleOutput += `${tail}[  OK  ] Reached target System Reboot.\n[ 4242.000000] reboot: Restarting system (CreateImage ${imageId})\n[    0.000000] Linux version 6.1.0 (cordon-sim)\n`;
}

const createImage: Handler = (ctx, p) => {
  const inst = lookup('instance', ctx.region.ec2.instances, str(p, 'InstanceId'), 'InstanceId');
  const name = reqStr(p, 'Name');
  if (!NAME_RE.test(name)) {
    throw new AwsError(
      'InvalidAMIName.Malformed',
      "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '[', ']', ' ', '.', '/', '-', ''', '@' and '_'",
    );
  }
  const description = str(p, 'Description');
  checkDescription(description);
  const noReboot = bool(p, 'NoReboot') ?? false;
  for (const spec of objList(p, 'TagSpecification')) {
    const type = str(spec, 'ResourceType');
    if (type !== 'image' && type !== 'snapshot') {
      throw new AwsError(
        'InvalidParameterValue',
        `'${type ?? ''}' is not a valid taggable resource type for this operation.`,
      );
    }
  }
  const imageTags = readTagSpecifications(p, 'image');
  const snapshotTags = readTagSpecifications(p, 'snapshot');
  if (inst.state !== 'running' && inst.state !== 'stopped') {
    throw new AwsError(
      'IncorrectInstanceState',
      `The instance '${inst.instanceId}' is not in a state from which it can be imaged (it is ${inst.state}).`,
    );
  }
  if (inst.rootDeviceType !== 'ebs')
    throw new AwsError('InvalidParameterValue', `The instance '${inst.instanceId}' is not EBS-backed.`);
  const duplicate = [...ctx.region.ec2.images.values()].find(
    (i) => i.name === name && i.ownerId === ctx.accountId && i.state !== 'deregistered',
  );
  if (duplicate)
    throw new AwsError('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${duplicate.imageId}`);
  const devices = planDevices(ctx, inst, objList(p, 'BlockDeviceMapping'));
  const volumes = devices.map((d) => d.volume).filter((v): v is Volume => !!v);
  const now = ctx.world.clock.now();
  for (const v of volumes) checkSnapshottable(v, now);
  checkSnapshotConcurrency(ctx.region, volumes, now);

  ctx.dryRunGate();
  const imageId = ctx.world.ids.hex('ami');
  const mappings = devices.map((d) => {
    const snap = d.volume
      ? newSnapshot(ctx, d.volume, {
          description: `Created by CreateImage(${inst.instanceId}) for ${imageId} from ${d.volume.volumeId}`,
          tags: snapshotTags,
          startMs: now,
        })
      : undefined;
    return {
      deviceName: d.deviceName,
      snapshotId: snap?.snapshotId ?? '',
      volumeSize: d.volumeSize,
      deleteOnTermination: d.deleteOnTermination,
      completesAt: snap?.completesAt ?? now,
    };
  });
  const img: Image = {
    imageId,
    ownerId: ctx.accountId,
    name,
    description: description ?? '',
    state: 'pending',
    creationDate: new Date(now).toISOString(),
    availableAt: Math.max(now + IMAGE_MIN_MS, ...mappings.map((m) => m.completesAt)),
    sourceInstanceId: inst.instanceId,
    noReboot,
    architecture: inst.architecture,
    rootDeviceName: inst.rootDeviceName,
    blockDeviceMappings: mappings.map(({ completesAt: _c, ...m }) => m),
    tags: imageTags,
  };
  ctx.region.ec2.images.set(imageId, img);
  if (!noReboot && inst.state === 'running') rebootForImage(inst, imageId, now);
  return { imageId };
};

const deregisterImage: Handler = (ctx, p) => {
  const img = lookup('image', ctx.region.ec2.images, str(p, 'ImageId'), 'ImageId');
  const deleteSnapshots = bool(p, 'DeleteAssociatedSnapshots') ?? false;
  ctx.dryRunGate();
  ctx.region.ec2.images.delete(img.imageId);
  if (!deleteSnapshots) return { return: true };
  const results = img.blockDeviceMappings
    .filter((b) => b.snapshotId)
    .map((b) => {
      const usedElsewhere = [...ctx.region.ec2.images.values()].some((i) =>
        i.blockDeviceMappings.some((x) => x.snapshotId === b.snapshotId),
      );
      if (usedElsewhere) return { snapshotId: b.snapshotId, returnCode: 'skipped' };
      const existed = ctx.region.ec2.snapshots.delete(b.snapshotId);
      return { snapshotId: b.snapshotId, returnCode: existed ? 'success' : 'client-error' };
    });
  return { return: true, deleteSnapshotResultSet: results };
};

export const imagesActions: Record<string, Handler> = {
  DescribeImages: describeImages,
  CreateImage: createImage,
  DeregisterImage: deregisterImage,
};
