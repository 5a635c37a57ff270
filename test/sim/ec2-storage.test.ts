// Simulated EC2 volumes and snapshots through the real SDK: shapes, filters, pagination, errors, DryRun and 403,
// snapshot completion over simulated time, and the per-volume concurrent snapshot limit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachVolumeCommand,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DeleteVolumeCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  DetachVolumeCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { awsError, clients, startHarness, type SimHarness, fullAndReadOnly } from '../helpers/sim.js';

const ACCOUNT = '111122223333';
const FULL_KEY = 'AKIASTORAGEFULL0001';
const READONLY_KEY = 'AKIASTORAGEREAD0001';
const BOX = 'i-0aaa0000000000001';
const ROOT = 'vol-0aaa0000000000001';
const DATA = 'vol-0aaa0000000000002';
const LOGS = 'vol-0aaa0000000000003';
const OTHER = 'i-0aaa0000000000002';

function scenario(): Record<string, unknown> {
  return fullAndReadOnly('storage', ACCOUNT, FULL_KEY, READONLY_KEY, {
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
        volumes: [
          { id: ROOT, device: '/dev/xvda', size: 8, type: 'gp3', tags: { role: 'root' } },
          { id: DATA, device: '/dev/sdf', size: 100, type: 'gp3', deleteOnTermination: false, tags: { role: 'data' } },
          { id: LOGS, device: '/dev/sdg', size: 500, type: 'st1', deleteOnTermination: false, tags: { role: 'logs' } },
        ],
      },
      { id: OTHER, name: 'other', subnet: 's', securityGroups: ['app'] },
      {
        name: 'many',
        subnet: 's',
        securityGroups: ['app'],
        volumes: [{ device: '/dev/xvda' }, { device: '/dev/sdf' }, { device: '/dev/sdg' }],
      },
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

const volumeIds = async (h: SimHarness, Name: string, Values: string[]): Promise<string[]> =>
  ((await h.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name, Values }] }))).Volumes ?? [])
    .map((v) => v.VolumeId!)
    .sort();

const snapshotsOf = async (h: SimHarness, volumeId?: string) =>
  (
    await h.ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: volumeId ? [{ Name: 'volume-id', Values: [volumeId] }] : undefined,
      }),
    )
  ).Snapshots ?? [];

test('DescribeVolumes: shape, ids, filters and errors', async () => {
  const h = await harness();
  try {
    const { Volumes } = await h.ec2.send(new DescribeVolumesCommand({ VolumeIds: [ROOT] }));
    assert.equal(Volumes!.length, 1);
    const v = Volumes![0]!;
    assert.equal(v.VolumeId, ROOT);
    assert.equal(v.Size, 8);
    assert.equal(v.VolumeType, 'gp3');
    assert.equal(v.State, 'in-use');
    assert.equal(v.AvailabilityZone, 'us-east-1a');
    assert.equal(v.Encrypted, false);
    assert.equal(v.Iops, 3000);
    assert.equal(v.Throughput, 125);
    assert.ok(v.CreateTime instanceof Date);
    assert.deepEqual(v.Tags, [{ Key: 'role', Value: 'root' }]);
    assert.equal(v.Attachments!.length, 1);
    const a = v.Attachments![0]!;
    assert.deepEqual(
      [a.InstanceId, a.Device, a.State, a.DeleteOnTermination, a.VolumeId],
      [BOX, '/dev/xvda', 'attached', true, ROOT],
    );

    assert.deepEqual(await volumeIds(h, 'attachment.instance-id', [BOX]), [ROOT, DATA, LOGS].sort());
    assert.deepEqual(await volumeIds(h, 'attachment.delete-on-termination', ['false']), [DATA, LOGS].sort());
    assert.deepEqual(await volumeIds(h, 'tag:role', ['data']), [DATA]);
    assert.deepEqual(await volumeIds(h, 'volume-id', [LOGS]), [LOGS]);
    assert.deepEqual(await volumeIds(h, 'volume-type', ['st1']), [LOGS]);
    assert.equal((await volumeIds(h, 'status', ['in-use'])).length, 7);
    assert.deepEqual(await volumeIds(h, 'status', ['available']), []);

    const missing = await awsError(() =>
      h.ec2.send(new DescribeVolumesCommand({ VolumeIds: ['vol-0123456789abcdef0'] })),
    );
    assert.deepEqual([missing.name, missing.status], ['InvalidVolume.NotFound', 400]);
    const bad = await awsError(() => h.ec2.send(new DescribeVolumesCommand({ VolumeIds: ['vol-nope'] })));
    assert.deepEqual([bad.name, bad.status], ['InvalidVolumeID.Malformed', 400]);
    const badFilter = await awsError(() =>
      h.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] })),
    );
    assert.deepEqual([badFilter.name, badFilter.status], ['InvalidParameterValue', 400]);
  } finally {
    await h.close();
  }
});

test('DescribeVolumes pages with MaxResults/NextToken', async () => {
  const h = await harness();
  try {
    const first = await h.ec2.send(new DescribeVolumesCommand({ MaxResults: 5 }));
    assert.equal(first.Volumes!.length, 5);
    assert.ok(first.NextToken);
    const second = await h.ec2.send(new DescribeVolumesCommand({ MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(second.Volumes!.length, 2);
    assert.equal(second.NextToken, undefined);
    const all = new Set([...first.Volumes!, ...second.Volumes!].map((v) => v.VolumeId));
    assert.equal(all.size, 7);
    const small = await awsError(() => h.ec2.send(new DescribeVolumesCommand({ MaxResults: 2 })));
    assert.deepEqual([small.name, small.status], ['InvalidParameterValue', 400]);
    const token = await awsError(() =>
      h.ec2.send(new DescribeVolumesCommand({ MaxResults: 5, NextToken: 'garbage!' })),
    );
    assert.deepEqual([token.name, token.status], ['InvalidNextToken', 400]);
  } finally {
    await h.close();
  }
});

test('CreateVolume, AttachVolume, DetachVolume, DeleteVolume: lifecycle over simulated time and errors', async () => {
  const h = await harness();
  try {
    const created = await h.ec2.send(
      new CreateVolumeCommand({
        AvailabilityZone: 'us-east-1a',
        Size: 10,
        VolumeType: 'gp3',
        TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'case', Value: 'IR-7' }] }],
      }),
    );
    assert.match(created.VolumeId!, /^vol-[0-9a-f]{17}$/);
    assert.equal(created.State, 'creating');
    assert.equal(created.Size, 10);
    assert.deepEqual(created.Tags, [{ Key: 'case', Value: 'IR-7' }]);
    const id = created.VolumeId!;

    const early = await awsError(() =>
      h.ec2.send(new AttachVolumeCommand({ VolumeId: id, InstanceId: BOX, Device: '/dev/sdh' })),
    );
    assert.deepEqual([early.name, early.status], ['IncorrectState', 400]);
    h.sim.world.clock.advance(5_000);
    assert.equal((await h.ec2.send(new DescribeVolumesCommand({ VolumeIds: [id] }))).Volumes![0]!.State, 'available');

    const busyDevice = await awsError(() =>
      h.ec2.send(new AttachVolumeCommand({ VolumeId: id, InstanceId: BOX, Device: '/dev/sdf' })),
    );
    assert.deepEqual([busyDevice.name, busyDevice.status], ['InvalidParameterValue', 400]);
    const att = await h.ec2.send(new AttachVolumeCommand({ VolumeId: id, InstanceId: BOX, Device: '/dev/sdh' }));
    assert.deepEqual([att.State, att.InstanceId, att.Device, att.VolumeId], ['attaching', BOX, '/dev/sdh', id]);
    const v = (await h.ec2.send(new DescribeVolumesCommand({ VolumeIds: [id] }))).Volumes![0]!;
    assert.equal(v.State, 'in-use');
    assert.deepEqual([v.Attachments![0]!.InstanceId, v.Attachments![0]!.Device], [BOX, '/dev/sdh']);

    const twice = await awsError(() =>
      h.ec2.send(new AttachVolumeCommand({ VolumeId: id, InstanceId: OTHER, Device: '/dev/sdh' })),
    );
    assert.deepEqual([twice.name, twice.status], ['VolumeInUse', 400]);
    const delBusy = await awsError(() => h.ec2.send(new DeleteVolumeCommand({ VolumeId: id })));
    assert.deepEqual([delBusy.name, delBusy.status], ['VolumeInUse', 400]);
    const root = await awsError(() => h.ec2.send(new DetachVolumeCommand({ VolumeId: ROOT })));
    assert.deepEqual([root.name, root.status], ['OperationNotPermitted', 400]);
    const wrong = await awsError(() => h.ec2.send(new DetachVolumeCommand({ VolumeId: id, InstanceId: OTHER })));
    assert.deepEqual([wrong.name, wrong.status], ['InvalidAttachment.NotFound', 400]);

    const det = await h.ec2.send(new DetachVolumeCommand({ VolumeId: id }));
    assert.deepEqual([det.State, det.InstanceId], ['detaching', BOX]);
    const after = (await h.ec2.send(new DescribeVolumesCommand({ VolumeIds: [id] }))).Volumes![0]!;
    assert.deepEqual([after.State, after.Attachments], ['available', []]);
    const notAttached = await awsError(() => h.ec2.send(new DetachVolumeCommand({ VolumeId: id })));
    assert.deepEqual([notAttached.name, notAttached.status], ['IncorrectState', 400]);

    const zoneB = await h.ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1b', Size: 1 }));
    h.sim.world.clock.advance(5_000);
    const mismatch = await awsError(() =>
      h.ec2.send(new AttachVolumeCommand({ VolumeId: zoneB.VolumeId, InstanceId: BOX, Device: '/dev/sdi' })),
    );
    assert.deepEqual([mismatch.name, mismatch.status], ['InvalidVolume.ZoneMismatch', 400]);
    const badZone = await awsError(() =>
      h.ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'eu-west-1a', Size: 1 })),
    );
    assert.deepEqual([badZone.name, badZone.status], ['InvalidParameterValue', 400]);
    const tooSmall = await awsError(() =>
      h.ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 10, VolumeType: 'st1' })),
    );
    assert.deepEqual([tooSmall.name, tooSmall.status], ['InvalidParameterValue', 400]);
    const noSize = await awsError(() => h.ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a' })));
    assert.deepEqual([noSize.name, noSize.status], ['MissingParameter', 400]);

    await h.ec2.send(new DeleteVolumeCommand({ VolumeId: id }));
    const gone = await awsError(() => h.ec2.send(new DescribeVolumesCommand({ VolumeIds: [id] })));
    assert.equal(gone.name, 'InvalidVolume.NotFound');
  } finally {
    await h.close();
  }
});

test('CreateSnapshot: pending with progress over simulated time, then completed; DescribeSnapshots shape and filters', async () => {
  const h = await harness();
  try {
    const s = await h.ec2.send(
      new CreateSnapshotCommand({
        VolumeId: ROOT,
        Description: 'IR-7 root',
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'case', Value: 'IR-7' }] }],
      }),
    );
    assert.match(s.SnapshotId!, /^snap-[0-9a-f]{17}$/);
    assert.deepEqual(
      [s.State, s.Progress, s.VolumeId, s.VolumeSize, s.OwnerId, s.Description],
      ['pending', '0%', ROOT, 8, ACCOUNT, 'IR-7 root'],
    );
    assert.deepEqual(s.Tags, [{ Key: 'case', Value: 'IR-7' }]);
    assert.equal(s.StartTime!.getTime(), h.sim.world.clock.now());

    // 8 GiB: 60 s + 8 × 10 s = 140 s of simulated time.
    h.sim.world.clock.advance(70_000);
    let d = (await snapshotsOf(h, ROOT))[0]!;
    assert.deepEqual([d.SnapshotId, d.State, d.Progress], [s.SnapshotId, 'pending', '50%']);
    h.sim.world.clock.advance(70_000);
    d = (await snapshotsOf(h, ROOT))[0]!;
    assert.deepEqual([d.State, d.Progress], ['completed', '100%']);
    assert.ok(d.CompletionTime instanceof Date);

    const byId = await h.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [s.SnapshotId!] }));
    assert.equal(byId.Snapshots![0]!.Description, 'IR-7 root');
    const f = async (Name: string, Values: string[]) =>
      ((await h.ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name, Values }] }))).Snapshots ?? []).map(
        (x) => x.SnapshotId,
      );
    assert.deepEqual(await f('status', ['completed']), [s.SnapshotId]);
    assert.deepEqual(await f('status', ['pending']), []);
    assert.deepEqual(await f('tag:case', ['IR-*']), [s.SnapshotId]);
    assert.deepEqual(await f('owner-id', [ACCOUNT]), [s.SnapshotId]);
    assert.deepEqual((await h.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['amazon'] }))).Snapshots, []);
    const badOwner = await awsError(() => h.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['someone'] })));
    assert.deepEqual([badOwner.name, badOwner.status], ['InvalidUserID.Malformed', 400]);
    const missing = await awsError(() =>
      h.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ['snap-0123456789abcdef0'] })),
    );
    assert.deepEqual([missing.name, missing.status], ['InvalidSnapshot.NotFound', 400]);
    const noVol = await awsError(() => h.ec2.send(new CreateSnapshotCommand({ VolumeId: 'vol-0123456789abcdef0' })));
    assert.deepEqual([noVol.name, noVol.status], ['InvalidVolume.NotFound', 400]);

    await h.ec2.send(new DeleteSnapshotCommand({ SnapshotId: s.SnapshotId }));
    assert.deepEqual(await snapshotsOf(h), []);
  } finally {
    await h.close();
  }
});

test('concurrent snapshot limit: a 6th pending snapshot of a gp3 volume and a 2nd of an st1 volume fail until one completes', async () => {
  const h = await harness();
  try {
    for (let i = 0; i < 5; i++) await h.ec2.send(new CreateSnapshotCommand({ VolumeId: ROOT }));
    const sixth = await awsError(() => h.ec2.send(new CreateSnapshotCommand({ VolumeId: ROOT })));
    assert.deepEqual([sixth.name, sixth.status], ['ConcurrentSnapshotLimitExceeded', 400]);
    // Validation comes before DryRun: a DryRun of the same call answers the limit too, not DryRunOperation.
    const dry = await awsError(() => h.ec2.send(new CreateSnapshotCommand({ VolumeId: ROOT, DryRun: true })));
    assert.equal(dry.name, 'ConcurrentSnapshotLimitExceeded');
    // Other volumes are not affected.
    await h.ec2.send(new CreateSnapshotCommand({ VolumeId: DATA }));
    const logs = await h.ec2.send(new CreateSnapshotCommand({ VolumeId: LOGS }));
    assert.equal(logs.State, 'pending');
    const logs2 = await awsError(() => h.ec2.send(new CreateSnapshotCommand({ VolumeId: LOGS })));
    assert.equal(logs2.name, 'ConcurrentSnapshotLimitExceeded');
    assert.equal((await snapshotsOf(h, ROOT)).length, 5);

    h.sim.world.clock.advance(140_000);
    const again = await h.ec2.send(new CreateSnapshotCommand({ VolumeId: ROOT }));
    assert.equal(again.State, 'pending');
    assert.equal((await snapshotsOf(h, ROOT)).filter((s) => s.State === 'completed').length, 5);
  } finally {
    await h.close();
  }
});

test('CreateSnapshots: one crash-consistent set, exclusions, CopyTagsFromSource and TagSpecification', async () => {
  const h = await harness();
  try {
    const r = await h.ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: BOX, ExcludeDataVolumeIds: [LOGS] },
        Description: 'IR-7 evidence',
        CopyTagsFromSource: 'volume',
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'case', Value: 'IR-7' }] }],
      }),
    );
    const set = r.Snapshots!;
    assert.deepEqual(set.map((s) => s.VolumeId).sort(), [ROOT, DATA].sort());
    for (const s of set) {
      assert.match(s.SnapshotId!, /^snap-[0-9a-f]{17}$/);
      assert.equal(s.State, 'pending');
      assert.equal(s.Progress, '0%');
      assert.equal(s.OwnerId, ACCOUNT);
      assert.equal(s.Description, 'IR-7 evidence');
      assert.equal(s.StartTime!.getTime(), set[0]!.StartTime!.getTime());
      const role = s.VolumeId === ROOT ? 'root' : 'data';
      assert.deepEqual(
        [...s.Tags!].sort((a, b) => a.Key!.localeCompare(b.Key!)),
        [
          { Key: 'case', Value: 'IR-7' },
          { Key: 'role', Value: role },
        ],
      );
    }
    assert.equal(set.find((s) => s.VolumeId === DATA)!.VolumeSize, 100);
    assert.equal((await snapshotsOf(h)).length, 2);

    const dataOnly = await h.ec2.send(
      new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: BOX, ExcludeBootVolume: true } }),
    );
    assert.deepEqual(dataOnly.Snapshots!.map((s) => s.VolumeId).sort(), [DATA, LOGS].sort());
    assert.deepEqual(dataOnly.Snapshots![0]!.Tags, []);

    const noInstance = await awsError(() =>
      h.ec2.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: 'i-0123456789abcdef0' } })),
    );
    assert.deepEqual([noInstance.name, noInstance.status], ['InvalidInstanceID.NotFound', 400]);
    const foreign = await awsError(() =>
      h.ec2.send(
        new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: OTHER, ExcludeDataVolumeIds: [DATA] } }),
      ),
    );
    assert.deepEqual([foreign.name, foreign.status], ['InvalidParameterValue', 400]);
    const rootAsData = await awsError(() =>
      h.ec2.send(
        new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: BOX, ExcludeDataVolumeIds: [ROOT] } }),
      ),
    );
    assert.deepEqual([rootAsData.name, rootAsData.status], ['InvalidParameterValue', 400]);
    const nothing = await awsError(() =>
      h.ec2.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: OTHER, ExcludeBootVolume: true } })),
    );
    assert.deepEqual([nothing.name, nothing.status], ['InvalidParameterValue', 400]);
    const copy = await awsError(() =>
      h.ec2.send(
        new CreateSnapshotsCommand({
          InstanceSpecification: { InstanceId: BOX },
          CopyTagsFromSource: 'instance' as 'volume',
        }),
      ),
    );
    assert.deepEqual([copy.name, copy.status], ['InvalidParameterValue', 400]);
    // LOGS (st1, limit 1) already has a pending snapshot: the whole set is refused and nothing is created.
    const before = (await snapshotsOf(h)).length;
    const limited = await awsError(() =>
      h.ec2.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: BOX } })),
    );
    assert.equal(limited.name, 'ConcurrentSnapshotLimitExceeded');
    assert.equal((await snapshotsOf(h)).length, before);
  } finally {
    await h.close();
  }
});

test('DryRun answers 412 and a Describe-only credential answers 403, both leaving volumes and snapshots unchanged', async () => {
  const h = await harness();
  try {
    const version = h.sim.world.version;
    const dry = await awsError(() => h.ec2.send(new CreateSnapshotCommand({ VolumeId: ROOT, DryRun: true })));
    assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
    const drySet = await awsError(() =>
      h.ec2.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: BOX }, DryRun: true })),
    );
    assert.deepEqual([drySet.name, drySet.status], ['DryRunOperation', 412]);
    const dryVol = await awsError(() =>
      h.ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 5, DryRun: true })),
    );
    assert.deepEqual([dryVol.name, dryVol.status], ['DryRunOperation', 412]);
    const dryDetach = await awsError(() => h.ec2.send(new DetachVolumeCommand({ VolumeId: DATA, DryRun: true })));
    assert.deepEqual([dryDetach.name, dryDetach.status], ['DryRunOperation', 412]);
    const dryDescribe = await awsError(() => h.ec2.send(new DescribeSnapshotsCommand({ DryRun: true })));
    assert.deepEqual([dryDescribe.name, dryDescribe.status], ['DryRunOperation', 412]);
    assert.equal(h.sim.world.version, version);
    assert.deepEqual(await snapshotsOf(h), []);
    assert.equal((await h.ec2.send(new DescribeVolumesCommand({ VolumeIds: [DATA] }))).Volumes![0]!.State, 'in-use');
    assert.equal((await h.ec2.send(new DescribeVolumesCommand({}))).Volumes!.length, 7);

    await withReadOnly(h, async (ec2) => {
      const denied = await awsError(() => ec2.send(new CreateSnapshotCommand({ VolumeId: ROOT })));
      assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
      const deniedSet = await awsError(() =>
        ec2.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: BOX } })),
      );
      assert.deepEqual([deniedSet.name, deniedSet.status], ['UnauthorizedOperation', 403]);
      const deniedDry = await awsError(() => ec2.send(new CreateSnapshotCommand({ VolumeId: ROOT, DryRun: true })));
      assert.deepEqual([deniedDry.name, deniedDry.status], ['UnauthorizedOperation', 403]);
      const deniedDetach = await awsError(() => ec2.send(new DetachVolumeCommand({ VolumeId: DATA })));
      assert.deepEqual([deniedDetach.name, deniedDetach.status], ['UnauthorizedOperation', 403]);
      assert.equal((await ec2.send(new DescribeVolumesCommand({ VolumeIds: [ROOT] }))).Volumes!.length, 1);
    });
    assert.equal(h.sim.world.version, version);
    assert.deepEqual(await snapshotsOf(h), []);
  } finally {
    await h.close();
  }
});
