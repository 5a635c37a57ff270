import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { control } from '../helpers/control.js';
import { withStorage, s3Error, storageScenario, KEYS, ACCOUNT, OTHER_ACCOUNT, pattern } from './storage-fixture.js';
import { startSimulator } from '../../src/sim/server.js';

test('a restricted access key is refused what its allow list lacks, with 403 AccessDenied naming the action and object', async () => {
  await withStorage(async ({ s3As }) => {
    const reader = s3As({ accessKeyId: KEYS.reader });
    const got = await reader.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'seed/hello.txt' }));
    assert.equal(await got.Body!.transformToString(), 'seeded');
    await reader.send(new ListObjectsV2Command({ Bucket: 'cordon-evidence' }));
    const put = await s3Error(() =>
      reader.send(new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'x', Body: 'x' })),
    );
    assert.equal(put.name, 'AccessDenied');
    assert.equal(put.status, 403);
    assert.match(
      put.message,
      /user\/auditor is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::cordon-evidence\/x"/,
    );
    const del = await s3Error(() =>
      reader.send(new DeleteObjectCommand({ Bucket: 'cordon-evidence', Key: 'seed/hello.txt' })),
    );
    assert.equal(del.name, 'AccessDenied');
    const list = await s3Error(() => reader.send(new ListBucketsCommand({})));
    assert.match(list.message, /s3:ListAllMyBuckets/);

    // A deny wins: lib-storage's multipart upload needs s3:PutObject from its first call.
    const limited = s3As({ accessKeyId: KEYS.noWrite });
    const up = await s3Error(() =>
      new Upload({
        client: limited,
        params: { Bucket: 'cordon-evidence', Key: 'big', Body: pattern(6 * 1024 * 1024) },
      }).done(),
    );
    assert.equal(up.name, 'AccessDenied');
    assert.match(up.message, /s3:PutObject/);
  });
});

test("another account's bucket is AccessDenied unless the bucket is shared with it (objects only, not the bucket itself)", async () => {
  await withStorage(async ({ s3As, sim }) => {
    const other = s3As({ accessKeyId: KEYS.other });
    const denied = await s3Error(() =>
      other.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'seed/hello.txt' })),
    );
    assert.equal(denied.name, 'AccessDenied');
    assert.match(denied.message, /no resource-based policy allows the s3:GetObject action/);
    await other.send(
      new PutObjectCommand({ Bucket: 'shared-journal', Key: `member/${OTHER_ACCOUNT}/1`, Body: 'from member' }),
    );
    const listed = await other.send(new ListObjectsV2Command({ Bucket: 'shared-journal' }));
    assert.deepEqual(
      listed.Contents?.map((c) => c.Key),
      [`member/${OTHER_ACCOUNT}/1`],
    );
    const drop = await s3Error(() => other.send(new DeleteBucketCommand({ Bucket: 'shared-journal' })));
    assert.equal(drop.name, 'AccessDenied');
    assert.equal(sim.world.s3.buckets.get('shared-journal')?.accountId, ACCOUNT);
  });
});

test('faults apply to S3: failNth answers the call instead of running it; the throttle is a per-bucket SlowDown that refills with the clock', async () => {
  await withStorage(async ({ s3, s3As, endpoint, sim }) => {
    await control(endpoint, 'PUT', '/_sim/clock', { frozen: true });
    let r = await control(endpoint, 'PUT', '/_sim/faults', {
      failNth: [
        { action: 'PutObject', nth: 1, code: 'throttle' },
        { action: 'GetObject', nth: 1, code: 'internal' },
      ],
    });
    assert.equal(r.status, 200);
    const slow = await s3Error(() => s3.send(new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'f', Body: 'x' })));
    assert.equal(slow.name, 'SlowDown');
    assert.equal(slow.status, 503);
    assert.equal(sim.world.s3.buckets.get('cordon-evidence')!.objects.has('f'), false, 'a faulted call must not run');
    const internal = await s3Error(() =>
      s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'seed/hello.txt' })),
    );
    assert.equal(internal.name, 'InternalError');
    assert.equal(internal.status, 500);
    // The SDK retries both: with retries on, the same kind of fault is absorbed.
    r = await control(endpoint, 'PUT', '/_sim/faults', {
      failNth: [{ action: 'PutObject', nth: 1, code: 'throttle' }],
    });
    const retried = await s3As({ maxAttempts: 3 }).send(
      new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'f', Body: 'x' }),
    );
    assert.equal(retried.$metadata.attempts, 2);

    r = await control(endpoint, 'PUT', '/_sim/faults', {
      throttle: { enabled: true, overrides: { PutObject: { max: 2, refill: 1 } } },
    });
    assert.equal(r.status, 200);
    for (const k of ['t1', 't2']) await s3.send(new PutObjectCommand({ Bucket: 'cordon-evidence', Key: k, Body: k }));
    const third = await s3Error(() =>
      s3.send(new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 't3', Body: 't3' })),
    );
    assert.equal(third.name, 'SlowDown');
    // Another bucket and reads have their own buckets.
    await s3.send(new PutObjectCommand({ Bucket: 'shared-journal', Key: 't3', Body: 't3' }));
    await s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 't1' }));
    const levels = await control<{ key: string; tokens: number }[]>(endpoint, 'GET', '/_sim/faults/buckets');
    const write = levels.body.find((b) => b.key === `${ACCOUNT}/us-east-1/s3/cordon-evidence#write`);
    assert.equal(write?.tokens, 0);
    await control(endpoint, 'POST', '/_sim/clock/advance', { seconds: 1 });
    await s3.send(new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 't3', Body: 't3' }));

    const log = await control<{ action: string; errorCode?: string; params: Record<string, string> }[]>(
      endpoint,
      'GET',
      '/_sim/calls?service=s3&outcome=error',
    );
    assert.deepEqual(
      log.body.map((c) => [c.action, c.errorCode, c.params.Key]),
      [
        ['PutObject', 'SlowDown', 'f'],
        ['GetObject', 'InternalError', 'seed/hello.txt'],
        ['PutObject', 'SlowDown', 'f'],
        ['PutObject', 'SlowDown', 't3'],
      ],
    );
  });
});

test('scenario buckets and objects come back on reset; /_sim/state shows object sizes, not contents', async () => {
  await withStorage(async ({ s3, endpoint }) => {
    await s3.send(new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'later', Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'cordon-evidence', Key: 'seed/hello.txt' }));
    const state = await control<{ s3: { buckets: Record<string, { objects: Record<string, { body: string }[]> }> } }>(
      endpoint,
      'GET',
      '/_sim/state',
    );
    assert.equal(state.body.s3.buckets['cordon-evidence']!.objects.later![0]!.body, '<1 bytes>');
    assert.equal((await control(endpoint, 'POST', '/_sim/reset')).status, 200);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'seed/hello.txt' }));
    assert.equal(await got.Body!.transformToString(), 'seeded');
    assert.equal(
      (await s3Error(() => s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'later' })))).name,
      'NoSuchKey',
    );
  });
});

test('a scenario declaring one bucket name twice (in any account) is refused with the path of the second', async () => {
  const s = storageScenario() as { accounts: { regions: Record<string, unknown>[] }[] };
  s.accounts[1]!.regions = [{ name: 'us-west-2', s3Buckets: [{ name: 'cordon-evidence' }] }];
  await assert.rejects(
    startSimulator({ scenario: s }),
    /accounts\[1\]\.regions\[0\]\.s3Buckets\[0\]\.name: bucket "cordon-evidence" is already declared at accounts\[0\]\.regions\[0\]\.s3Buckets\[0\]/,
  );
  const bad = storageScenario() as { accounts: { regions: Record<string, unknown>[] }[] };
  bad.accounts[0]!.regions[0]!.s3Buckets = [{ name: 'Not_A_Bucket' }];
  await assert.rejects(startSimulator({ scenario: bad }), /s3Buckets\[0\]\.name: must be an S3 bucket name/);
});
