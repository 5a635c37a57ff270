// EC2 snapshot actions: CreateSnapshot, CreateSnapshots (crash-consistent multi-volume), DescribeSnapshots,
// DeleteSnapshot.
//
// A snapshot is `pending` from its start until `completesAt` (simulated time), a duration that grows with the
// volume size; its state and progress are settled lazily whenever it is read. Concurrency (AWS EBS quota, not
// adjustable): 5 pending snapshots per gp2/gp3/io1/io2/standard volume, 1 per st1/sc1 volume; one more answers
// ConcurrentSnapshotLimitExceeded. Snapshots in `error` would count too (the simulator never produces them).

import type { CallContext, Handler } from '../framework.js';
import { bool, int, obj, paginate, str, strList, tagSet } from '../framework.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { lookup, lookupAll } from './ids.js';
import { MAX_TAGS, readTagSpecifications } from './tags.js';
import type { XmlData } from '../../protocol/xml.js';
import type { Instance, RegionState, Snapshot, Tags, Volume } from '../../state/types.js';
import { settleVolume } from './volumes.js';

/** Time every snapshot takes, plus a per-GiB part: an 8 GiB volume completes in 2 min 20 s of simulated time. */
export const SNAPSHOT_BASE_MS = 60_000;
export const SNAPSHOT_MS_PER_GIB = 10_000;

export function snapshotDurationMs(sizeGiB: number): number {
  return SNAPSHOT_BASE_MS + sizeGiB * SNAPSHOT_MS_PER_GIB;
}

export function concurrentSnapshotLimit(volumeType: string): number {
  return volumeType === 'st1' || volumeType === 'sc1' ? 1 : 5;
}

/** Brings a snapshot's state and progress up to the simulated time `nowMs`. */
export function settleSnapshot(s: Snapshot, nowMs: number): Snapshot {
  if (s.state !== 'pending') return s;
  if (nowMs >= s.completesAt) {
    s.state = 'completed';
    s.progress = '100%';
    return s;
  }
  const start = Date.parse(s.startTime);
  const span = Math.max(1, s.completesAt - start);
  s.progress = `${Math.min(99, Math.max(0, Math.floor(((nowMs - start) / span) * 100)))}%`;
  return s;
}

/** Throws ConcurrentSnapshotLimitExceeded when one more snapshot of any of these volumes would pass the quota. */
export function checkSnapshotConcurrency(region: RegionState, volumes: Volume[], nowMs: number): void {
  for (const v of volumes) {
    let open = 0;
    for (const s of region.ec2.snapshots.values()) {
      if (s.volumeId === v.volumeId && settleSnapshot(s, nowMs).state !== 'completed') open++;
    }
    if (open + 1 > concurrentSnapshotLimit(v.volumeType)) {
      throw new AwsError(
        'ConcurrentSnapshotLimitExceeded',
        `You've reached the limit on the number of concurrent snapshots you can create on the specified volume (${v.volumeId}: ${open} pending). Wait until the 'pending' requests have completed, and check that you do not have snapshots that are in an incomplete state, such as 'error', which count against your concurrent snapshot limit.`,
      );
    }
  }
}

/** Only `available` and `in-use` volumes can be snapshotted. */
export function checkSnapshottable(v: Volume, nowMs: number): void {
  settleVolume(v, nowMs);
  if (v.state !== 'available' && v.state !== 'in-use') {
    throw new AwsError('IncorrectState', `The volume '${v.volumeId}' is in the '${v.state}' state.`);
  }
}

export function checkDescription(description: string | undefined, param = 'description'): void {
  if (description !== undefined && description.length > 255) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value for parameter ${param} is invalid. Maximum length is 255 characters.`,
    );
  }
}

/** Creates the snapshot record (after ctx.dryRunGate()). `startMs` lets a multi-volume set share one instant. */
export function newSnapshot(
  ctx: CallContext,
  v: Volume,
  spec: { description?: string; tags?: Tags; startMs: number },
): Snapshot {
  const s: Snapshot = {
    snapshotId: ctx.world.ids.hex('snap'),
    ownerId: ctx.accountId,
    volumeId: v.volumeId,
    volumeSize: v.size,
    state: 'pending',
    progress: '0%',
    startTime: new Date(spec.startMs).toISOString(),
    completesAt: spec.startMs + snapshotDurationMs(v.size),
    description: spec.description ?? '',
    encrypted: v.encrypted,
    tags: { ...(spec.tags ?? {}) },
  };
  ctx.region.ec2.snapshots.set(s.snapshotId, s);
  return s;
}

export function snapshotView(s: Snapshot): XmlData {
  return {
    snapshotId: s.snapshotId,
    volumeId: s.volumeId,
    status: s.state,
    startTime: s.startTime,
    progress: s.progress,
    ownerId: s.ownerId,
    volumeSize: s.volumeSize,
    description: s.description,
    encrypted: s.encrypted,
    storageTier: 'standard',
    completionTime: s.state === 'completed' ? new Date(s.completesAt).toISOString() : undefined,
    tagSet: tagSet(s.tags),
  };
}

/** The SnapshotInfo shape CreateSnapshots answers with (`state`, not `status`). */
function snapshotInfoView(s: Snapshot): XmlData {
  return {
    description: s.description,
    tagSet: tagSet(s.tags),
    encrypted: s.encrypted,
    volumeId: s.volumeId,
    state: s.state,
    volumeSize: s.volumeSize,
    startTime: s.startTime,
    progress: s.progress,
    ownerId: s.ownerId,
    snapshotId: s.snapshotId,
  };
}

function snapshotFilterValues(s: Snapshot, name: string): (string | number | boolean | undefined)[] | undefined {
  switch (name) {
    case 'snapshot-id':
      return [s.snapshotId];
    case 'volume-id':
      return [s.volumeId];
    case 'volume-size':
      return [s.volumeSize];
    case 'status':
      return [s.state];
    case 'progress':
      return [s.progress];
    case 'description':
      return [s.description];
    case 'encrypted':
      return [s.encrypted];
    case 'owner-id':
      return [s.ownerId];
    case 'owner-alias':
      return [];
    case 'start-time':
      return [s.startTime];
    case 'storage-tier':
      return ['standard'];
    case 'transfer-type':
      return ['standard'];
    default:
      return undefined;
  }
}

const OWNER_ALIASES = new Set(['self', 'amazon', 'aws-marketplace', 'aws-backup-vault']);

/** Resolves `Owner.N` values (`self`, aliases, account ids) to account ids; AWS-owned aliases match nothing here. */
export function readOwners(ctx: CallContext, values: string[]): Set<string> | undefined {
  if (values.length === 0) return undefined;
  const out = new Set<string>();
  for (const o of values) {
    if (!OWNER_ALIASES.has(o) && !/^\d{12}$/.test(o))
      throw new AwsError('InvalidUserID.Malformed', `Invalid user id: "${o}"`);
    if (o === 'self') out.add(ctx.accountId);
    else if (/^\d{12}$/.test(o)) out.add(o);
  }
  return out;
}

const describeSnapshots: Handler = (ctx, p) => {
  const ids = strList(p, 'SnapshotId');
  const owners = readOwners(ctx, strList(p, 'Owner'));
  const all = ctx.region.ec2.snapshots;
  const now = ctx.world.clock.now();
  let items = (ids.length ? lookupAll('snapshot', all, ids) : [...all.values()]).map((s) => settleSnapshot(s, now));
  if (owners) items = items.filter((s) => owners.has(s.ownerId));
  items = applyFilters(items, readFilters(p), snapshotFilterValues);
  const { page, nextToken } = paginate(items, int(p, 'MaxResults'), str(p, 'NextToken'), 5, 1000);
  return { snapshotSet: page.map(snapshotView), nextToken };
};

const createSnapshot: Handler = (ctx, p) => {
  const v = lookup('volume', ctx.region.ec2.volumes, str(p, 'VolumeId'), 'VolumeId');
  const description = str(p, 'Description');
  checkDescription(description);
  const tags = readTagSpecifications(p, 'snapshot');
  const now = ctx.world.clock.now();
  checkSnapshottable(v, now);
  checkSnapshotConcurrency(ctx.region, [v], now);
  ctx.dryRunGate();
  return snapshotView(newSnapshot(ctx, v, { description, tags, startMs: now }));
};

/** The volumes CreateSnapshots takes from an instance, after its exclusions (validated). */
function selectVolumes(ctx: CallContext, inst: Instance, excludeBoot: boolean, excludeData: string[]): Volume[] {
  const excluded = lookupAll('volume', ctx.region.ec2.volumes, excludeData);
  const attached = inst.blockDevices
    .map((b) => ({ b, v: ctx.region.ec2.volumes.get(b.volumeId) }))
    .filter((x): x is { b: typeof x.b; v: Volume } => !!x.v);
  for (const x of excluded) {
    const att = attached.find((a) => a.v.volumeId === x.volumeId);
    if (!att)
      throw new AwsError(
        'InvalidParameterValue',
        `The volume ${x.volumeId} is not attached to instance ${inst.instanceId}.`,
      );
    if (att.b.deviceName === inst.rootDeviceName) {
      throw new AwsError(
        'InvalidParameterValue',
        `The volume ${x.volumeId} is the root volume of ${inst.instanceId}; exclude it with ExcludeBootVolume instead of ExcludeDataVolumeIds.`,
      );
    }
  }
  const skip = new Set(excluded.map((x) => x.volumeId));
  const chosen = attached
    .filter((a) => !skip.has(a.v.volumeId) && !(excludeBoot && a.b.deviceName === inst.rootDeviceName))
    .map((a) => a.v);
  if (chosen.length === 0) {
    throw new AwsError(
      'InvalidParameterValue',
      `No volumes to snapshot: every volume attached to ${inst.instanceId} is excluded.`,
    );
  }
  return chosen;
}

const createSnapshots: Handler = (ctx, p) => {
  const spec = obj(p, 'InstanceSpecification');
  const instanceId = spec ? str(spec, 'InstanceId') : undefined;
  if (!instanceId)
    throw new AwsError('MissingParameter', 'The request must contain the parameter InstanceSpecification.InstanceId');
  const inst = lookup('instance', ctx.region.ec2.instances, instanceId, 'InstanceSpecification.InstanceId');
  const excludeBoot = bool(spec!, 'ExcludeBootVolume') ?? false;
  const excludeData = strList(spec!, 'ExcludeDataVolumeId');
  const copy = str(p, 'CopyTagsFromSource');
  if (copy !== undefined && copy !== 'volume') {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${copy}) for parameter CopyTagsFromSource is invalid. Valid values: volume`,
    );
  }
  const description = str(p, 'Description');
  checkDescription(description);
  const tags = readTagSpecifications(p, 'snapshot');
  if (inst.state === 'terminated' || inst.state === 'shutting-down' || inst.state === 'pending') {
    throw new AwsError(
      'IncorrectInstanceState',
      `The instance '${inst.instanceId}' is not in a state from which the requested operation can be performed.`,
    );
  }
  const volumes = selectVolumes(ctx, inst, excludeBoot, excludeData);
  const tagsFor = (v: Volume): Tags => {
    const merged: Tags =
      copy === 'volume' ? Object.fromEntries(Object.entries(v.tags).filter(([k]) => !k.startsWith('aws:'))) : {};
    Object.assign(merged, tags);
    if (Object.keys(merged).length > MAX_TAGS)
      throw new AwsError(
        'TagLimitExceeded',
        `The maximum number of tags per resource (${MAX_TAGS}) has been exceeded.`,
      );
    return merged;
  };
  const perVolumeTags = volumes.map(tagsFor);
  const now = ctx.world.clock.now();
  for (const v of volumes) checkSnapshottable(v, now);
  checkSnapshotConcurrency(ctx.region, volumes, now);
  ctx.dryRunGate();
  const snaps = volumes.map((v, i) => newSnapshot(ctx, v, { description, tags: perVolumeTags[i], startMs: now }));
  return { snapshotSet: snaps.map(snapshotInfoView) };
};

const deleteSnapshot: Handler = (ctx, p) => {
  const s = lookup('snapshot', ctx.region.ec2.snapshots, str(p, 'SnapshotId'), 'SnapshotId');
  for (const img of ctx.region.ec2.images.values()) {
    if (img.state !== 'deregistered' && img.blockDeviceMappings.some((b) => b.snapshotId === s.snapshotId)) {
      throw new AwsError('InvalidSnapshot.InUse', `The snapshot ${s.snapshotId} is currently in use by ${img.imageId}`);
    }
  }
  ctx.dryRunGate();
  ctx.region.ec2.snapshots.delete(s.snapshotId);
  return { return: true };
};

export const snapshotsActions: Record<string, Handler> = {
  DescribeSnapshots: describeSnapshots,
  CreateSnapshot: createSnapshot,
  CreateSnapshots: createSnapshots,
  DeleteSnapshot: deleteSnapshot,
};
