// EC2 calls that capture evidence: a crash-consistent snapshot set, an AMI without reboot, the console output and
// screenshot, and raw descriptions. Each answers with its request id, for the evidence manifest. Waiting for
// snapshots and images uses the SDK's waiters (no hand-written sleep loop).

import {
  CreateSnapshotsCommand,
  CreateImageCommand,
  DescribeImagesCommand,
  GetConsoleOutputCommand,
  GetConsoleScreenshotCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVolumesCommand,
  DescribeSnapshotsCommand,
  waitUntilSnapshotCompleted,
  waitUntilImageAvailable,
} from '@aws-sdk/client-ec2';
import { randomBytes } from 'node:crypto';
import { awsErrorCode } from './clients.js';
import { withoutTransientRetry } from './retry.js';
import type { Gateway } from './gateway.js';

export interface Answer<T> {
  value: T;
  requestId?: string;
  time: string;
}

function tagSpec(type: 'snapshot' | 'image', tags: Record<string, string>) {
  return { ResourceType: type, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
}

function stripMeta<T extends object>(o: T): Omit<T, '$metadata'> {
  const { $metadata: _m, ...rest } = o as T & { $metadata?: unknown };
  return rest;
}

export interface SnapshotInfo {
  snapshotId: string;
  volumeId: string;
  state: string;
  startTime?: string;
  volumeSize?: number;
}

/** The tag that names one CreateSnapshots request, so a lost answer can be found instead of sent again. */
export const SET_TAG = 'cordon:evidence-set';

/** Whether an error may have come after the call took effect (a 5xx, a timeout, a reset connection). */
function mayHaveTakenEffect(e: unknown): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500;
  const code = awsErrorCode(e) ?? (e as { code?: string }).code ?? (e as Error).name;
  return /Timeout|ECONNRESET|EPIPE|ECONNREFUSED|socket hang up|NetworkingError|AbortError/i.test(String(code));
}

function snapshotInfo(s: {
  SnapshotId?: string;
  VolumeId?: string;
  State?: string;
  StartTime?: Date;
  VolumeSize?: number;
}): SnapshotInfo {
  return {
    snapshotId: s.SnapshotId!,
    volumeId: s.VolumeId ?? '',
    state: s.State ?? 'pending',
    startTime: s.StartTime?.toISOString(),
    volumeSize: s.VolumeSize,
  };
}

/**
 * One crash-consistent set: every volume attached to the instance, at one instant. CreateSnapshots has no
 * idempotency token, so a blind retry after a lost answer (it took effect, the client saw a 5xx) takes a second full
 * set. Each request carries a tag of its own (`cordon:evidence-set`); after an error that may have come after the
 * effect, the set is looked up by that tag and only sent again when it is not there.
 */
export async function createSnapshotSet(
  gw: Gateway,
  instanceId: string,
  description: string,
  tags: Record<string, string>,
  dryRun = false,
  attempts = 3,
): Promise<Answer<{ snapshots: SnapshotInfo[]; raw: unknown }> | undefined> {
  const setId = randomBytes(8).toString('hex');
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await withoutTransientRetry(() =>
        gw.call('ec2:CreateSnapshots', dryRun, () =>
          gw.clients.ec2.send(
            new CreateSnapshotsCommand({
              InstanceSpecification: { InstanceId: instanceId, ExcludeBootVolume: false },
              Description: description,
              CopyTagsFromSource: 'volume',
              TagSpecifications: [tagSpec('snapshot', dryRun ? tags : { ...tags, [SET_TAG]: setId })],
              DryRun: dryRun || undefined,
            }),
          ),
        ),
      );
      if (!r) return undefined;
      return {
        value: { snapshots: (r.Snapshots ?? []).map(snapshotInfo), raw: stripMeta(r) },
        requestId: r.$metadata.requestId,
        time: new Date().toISOString(),
      };
    } catch (e) {
      if (dryRun || !mayHaveTakenEffect(e)) throw e;
      const found = await gw.call('ec2:DescribeSnapshots', false, () =>
        gw.clients.ec2.send(
          new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: `tag:${SET_TAG}`, Values: [setId] }] }),
        ),
      );
      if (found.Snapshots?.length) {
        // The set was taken: its answer was lost, not the snapshots. The lookup stands in for the answer.
        const raw = {
          ...stripMeta(found),
          lostAnswer: { error: (e as Error).message, lookedUpBy: `${SET_TAG}=${setId}` },
        };
        return {
          value: { snapshots: found.Snapshots.map(snapshotInfo), raw },
          requestId: found.$metadata.requestId,
          time: new Date().toISOString(),
        };
      }
      if (attempt >= attempts) throw e;
      await new Promise((res) => setTimeout(res, Math.floor(Math.random() * 200 * 2 ** attempt)));
    }
  }
}

/** CreateImage with NoReboot: a reboot would destroy memory and volatile evidence (aws-api-semantics.md §3.5). */
export async function createImage(
  gw: Gateway,
  instanceId: string,
  name: string,
  description: string,
  tags: Record<string, string>,
  dryRun = false,
): Promise<Answer<string> | undefined> {
  try {
    const r = await gw.call('ec2:CreateImage', dryRun, () =>
      gw.clients.ec2.send(
        new CreateImageCommand({
          InstanceId: instanceId,
          Name: name,
          Description: description,
          NoReboot: true,
          TagSpecifications: [tagSpec('image', tags), tagSpec('snapshot', tags)],
          DryRun: dryRun || undefined,
        }),
      ),
    );
    if (!r) return undefined;
    return { value: r.ImageId!, requestId: r.$metadata.requestId, time: new Date().toISOString() };
  } catch (e) {
    // An earlier run created it (a crash between the call and its record): take that image.
    if (dryRun || awsErrorCode(e) !== 'InvalidAMIName.Duplicate') throw e;
    const found = await gw.call('ec2:DescribeImages', false, () =>
      gw.clients.ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] })),
    );
    const img = found.Images?.[0];
    if (!img?.ImageId) throw e;
    return { value: img.ImageId, requestId: found.$metadata.requestId, time: new Date().toISOString() };
  }
}

/** The console output, decoded. Latest output (Nitro only) first; the buffered output otherwise. */
export async function consoleOutput(
  gw: Gateway,
  instanceId: string,
  dryRun = false,
): Promise<Answer<Buffer> | undefined> {
  const get = (latest: boolean) =>
    gw.call('ec2:GetConsoleOutput', dryRun, () =>
      gw.clients.ec2.send(
        new GetConsoleOutputCommand({
          InstanceId: instanceId,
          Latest: latest || undefined,
          DryRun: dryRun || undefined,
        }),
      ),
    );
  let r;
  try {
    r = await get(true);
  } catch (e) {
    if (awsErrorCode(e) !== 'UnsupportedOperation') throw e;
    r = await get(false);
  }
  if (!r) return undefined;
  return {
    value: Buffer.from(r.Output ?? '', 'base64'),
    requestId: r.$metadata.requestId,
    time: new Date().toISOString(),
  };
}

export async function consoleScreenshot(
  gw: Gateway,
  instanceId: string,
  dryRun = false,
): Promise<Answer<Buffer> | undefined> {
  const r = await gw.call('ec2:GetConsoleScreenshot', dryRun, () =>
    gw.clients.ec2.send(
      new GetConsoleScreenshotCommand({ InstanceId: instanceId, WakeUp: true, DryRun: dryRun || undefined }),
    ),
  );
  if (!r) return undefined;
  return {
    value: Buffer.from(r.ImageData ?? '', 'base64'),
    requestId: r.$metadata.requestId,
    time: new Date().toISOString(),
  };
}

/** Raw descriptions (the SDK's parsed answers, without $metadata) of the instance, its ENIs and its volumes. */
export async function describeForEvidence(
  gw: Gateway,
  instanceId: string,
): Promise<{ instance: Answer<unknown>; networkInterfaces: Answer<unknown>; volumes: Answer<unknown> }> {
  const time = (): string => new Date().toISOString();
  const [i, n, v] = await Promise.all([
    gw.call('ec2:DescribeInstances', false, () =>
      gw.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })),
    ),
    gw.call('ec2:DescribeNetworkInterfaces', false, () =>
      gw.clients.ec2.send(
        new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }),
      ),
    ),
    gw.call('ec2:DescribeVolumes', false, () =>
      gw.clients.ec2.send(
        new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }),
      ),
    ),
  ]);
  return {
    instance: { value: stripMeta(i), requestId: i.$metadata.requestId, time: time() },
    networkInterfaces: { value: stripMeta(n), requestId: n.$metadata.requestId, time: time() },
    volumes: { value: stripMeta(v), requestId: v.$metadata.requestId, time: time() },
  };
}

export interface WaitOptions {
  pollSeconds: number;
  timeoutSeconds: number;
}

function waiterConfig(gw: Gateway, o: WaitOptions) {
  const minDelay = Math.max(0.01, o.pollSeconds);
  return {
    client: gw.clients.ec2,
    minDelay,
    maxDelay: Math.max(minDelay, Math.min(120, minDelay * 8)),
    maxWaitTime: Math.max(o.timeoutSeconds, minDelay * 2),
  };
}

/** Waits (SDK waiter) until the snapshots are completed; resolves to their final states. */
export async function waitForSnapshots(
  gw: Gateway,
  snapshotIds: string[],
  o: WaitOptions,
): Promise<Record<string, string>> {
  if (snapshotIds.length === 0) return {};
  await gw.call('ec2:DescribeSnapshots', false, () =>
    waitUntilSnapshotCompleted(waiterConfig(gw, o), { SnapshotIds: snapshotIds }),
  );
  const r = await gw.call('ec2:DescribeSnapshots', false, () =>
    gw.clients.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: snapshotIds })),
  );
  return Object.fromEntries((r.Snapshots ?? []).map((s) => [s.SnapshotId!, s.State ?? 'unknown']));
}

/** Waits (SDK waiter) until the image is available; resolves to its state. */
export async function waitForImage(gw: Gateway, imageId: string, o: WaitOptions): Promise<string> {
  await gw.call('ec2:DescribeImages', false, () =>
    waitUntilImageAvailable(waiterConfig(gw, o), { ImageIds: [imageId] }),
  );
  const r = await gw.call('ec2:DescribeImages', false, () =>
    gw.clients.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })),
  );
  return r.Images?.[0]?.State ?? 'unknown';
}
