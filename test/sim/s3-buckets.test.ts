import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { withStorage, s3Error, rawS3, KEYS } from './storage-fixture.js';

test('CreateBucket: names are global; us-east-1 answers 200 to its owner again, other regions BucketAlreadyOwnedByYou', async () => {
  await withStorage(async ({ s3, s3As, sim }) => {
    await s3.send(new CreateBucketCommand({ Bucket: 'cordon-new' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'cordon-new' })); // legacy us-east-1 behaviour
    const eu = s3As({ region: 'eu-west-1' });
    await eu.send(
      new CreateBucketCommand({
        Bucket: 'cordon-eu-2',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    const owned = await s3Error(() =>
      eu.send(
        new CreateBucketCommand({
          Bucket: 'cordon-eu-2',
          CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
        }),
      ),
    );
    assert.equal(owned.name, 'BucketAlreadyOwnedByYou');
    assert.equal(owned.status, 409);
    const taken = await s3Error(() =>
      s3As({ accessKeyId: KEYS.other }).send(new CreateBucketCommand({ Bucket: 'cordon-new' })),
    );
    assert.equal(taken.name, 'BucketAlreadyExists');
    // The SDK fills in the LocationConstraint of its region itself (so this works) …
    await eu.send(new CreateBucketCommand({ Bucket: 'cordon-eu-3' }));
    assert.equal(sim.world.s3.buckets.get('cordon-eu-3')?.region, 'eu-west-1');
    // … a bare request outside us-east-1 without one, or with another region's, is refused.
    const bare = await rawS3(sim.endpoint, 'PUT', '/cordon-eu-4', { region: 'eu-west-1' });
    assert.equal(bare.status, 400);
    assert.match(bare.body, /<Code>IllegalLocationConstraintException<\/Code>/);
    const other = await s3Error(() =>
      eu.send(
        new CreateBucketCommand({
          Bucket: 'cordon-eu-4',
          CreateBucketConfiguration: { LocationConstraint: 'us-west-2' },
        }),
      ),
    );
    assert.equal(other.name, 'IllegalLocationConstraintException');
    const bad = await s3Error(() => s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })));
    assert.equal(bad.name, 'InvalidBucketName');
    assert.equal(sim.world.s3.buckets.get('cordon-eu-2')?.region, 'eu-west-1');
    const loc = await eu.send(new GetBucketLocationCommand({ Bucket: 'cordon-eu-2' }));
    assert.equal(loc.LocationConstraint, 'eu-west-1');
  });
});

test("ListBuckets shows only the caller account's buckets; HeadBucket names the region; a wrong region is refused with the right one", async () => {
  await withStorage(async ({ s3, s3As }) => {
    const mine = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(
      mine.Buckets?.map((b) => [b.Name, b.BucketRegion]),
      [
        ['cordon-eu', 'eu-west-1'],
        ['cordon-evidence', 'us-east-1'],
        ['shared-journal', 'us-east-1'],
      ],
    );
    assert.match(mine.Owner?.ID ?? '', /^[0-9a-f]{64}$/);
    const theirs = await s3As({ accessKeyId: KEYS.other }).send(new ListBucketsCommand({}));
    assert.deepEqual(theirs.Buckets ?? [], []);
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'cordon-evidence' }));
    assert.equal(head.BucketRegion, 'us-east-1');
    const missing = await s3Error(() => s3.send(new HeadBucketCommand({ Bucket: 'nope-nope' })));
    assert.equal(missing.status, 404);
    const wrong = await s3Error(() => s3.send(new PutObjectCommand({ Bucket: 'cordon-eu', Key: 'k', Body: 'x' })));
    assert.equal(wrong.name, 'AuthorizationHeaderMalformed');
    assert.equal(wrong.raw.Region, 'eu-west-1');
    await s3As({ region: 'eu-west-1' }).send(new PutObjectCommand({ Bucket: 'cordon-eu', Key: 'k', Body: 'x' }));
  });
});

test('DeleteBucket: BucketNotEmpty while objects (or versions) remain, then 204; versioning state of a new bucket is empty', async () => {
  await withStorage(async ({ s3 }) => {
    const full = await s3Error(() => s3.send(new DeleteBucketCommand({ Bucket: 'cordon-evidence' })));
    assert.equal(full.name, 'BucketNotEmpty');
    assert.equal(full.status, 409);
    await s3.send(new DeleteObjectCommand({ Bucket: 'cordon-evidence', Key: 'seed/hello.txt' }));
    const v = await s3.send(new GetBucketVersioningCommand({ Bucket: 'cordon-evidence' }));
    assert.equal(v.Status, undefined);
    const del = await s3.send(new DeleteBucketCommand({ Bucket: 'cordon-evidence' }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    assert.equal((await s3Error(() => s3.send(new HeadBucketCommand({ Bucket: 'cordon-evidence' })))).status, 404);
  });
});

test('ListObjectsV2: prefix and delimiter roll keys up into CommonPrefixes; max-keys pages with continuation tokens', async () => {
  await withStorage(async ({ s3 }) => {
    const keys = ['j/2024/a', 'j/2024/b', 'j/2025/a', 'j/top', 'k/x', 'j/2026/', 'é', 'z'];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: 'shared-journal', Key, Body: Key }));

    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'shared-journal', Delimiter: '/' }));
    assert.deepEqual(
      top.CommonPrefixes?.map((p) => p.Prefix),
      ['j/', 'k/'],
    );
    // UTF-8 byte order: 'z' (0x7a) before 'é' (0xc3 0xa9).
    assert.deepEqual(
      top.Contents?.map((c) => c.Key),
      ['z', 'é'],
    );
    assert.equal(top.KeyCount, 4);

    const j = await s3.send(new ListObjectsV2Command({ Bucket: 'shared-journal', Prefix: 'j/', Delimiter: '/' }));
    assert.deepEqual(
      j.CommonPrefixes?.map((p) => p.Prefix),
      ['j/2024/', 'j/2025/', 'j/2026/'],
    );
    assert.deepEqual(
      j.Contents?.map((c) => c.Key),
      ['j/top'],
    );
    assert.equal(j.Contents?.[0]?.Size, 5);
    assert.deepEqual(j.Contents?.[0]?.ChecksumAlgorithm, ['CRC32']);

    // Pages of 2, common prefixes counting like keys; every entry exactly once.
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2(
      { client: s3, pageSize: 2 },
      { Bucket: 'shared-journal', Prefix: 'j/', Delimiter: '/' },
    )) {
      pages++;
      assert.ok((page.KeyCount ?? 0) <= 2);
      seen.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!), ...(page.Contents ?? []).map((c) => c.Key!));
    }
    assert.equal(pages, 2);
    assert.deepEqual(seen.sort(), ['j/2024/', 'j/2025/', 'j/2026/', 'j/top']);

    const all: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 3 }, { Bucket: 'shared-journal' }))
      all.push(...(page.Contents ?? []).map((c) => c.Key!));
    assert.deepEqual(all, ['j/2024/a', 'j/2024/b', 'j/2025/a', 'j/2026/', 'j/top', 'k/x', 'z', 'é']);

    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'shared-journal', StartAfter: 'j/top' }));
    assert.deepEqual(
      after.Contents?.map((c) => c.Key),
      ['k/x', 'z', 'é'],
    );
    const bad = await s3Error(() =>
      s3.send(new ListObjectsV2Command({ Bucket: 'shared-journal', ContinuationToken: 'not-a-token' })),
    );
    assert.equal(bad.name, 'InvalidArgument');
  });
});

test('ListObjectsV2 with encoding-type=url encodes keys; an unmodelled sub-resource answers 501 NotImplemented', async () => {
  await withStorage(async ({ s3, sim }) => {
    await s3.send(new PutObjectCommand({ Bucket: 'shared-journal', Key: 'a b/c+d', Body: 'x' }));
    const listed = await rawS3(sim.endpoint, 'GET', '/shared-journal?list-type=2&encoding-type=url');
    assert.equal(listed.status, 200);
    assert.match(listed.body, /<Key>a%20b\/c%2Bd<\/Key>/);
    assert.match(listed.body, /<EncodingType>url<\/EncodingType>/);
    const sdk = await s3.send(new ListObjectsV2Command({ Bucket: 'shared-journal', EncodingType: 'url' }));
    assert.ok(sdk.Contents?.length === 1);
    const tagging = await rawS3(sim.endpoint, 'GET', '/shared-journal/a%20b/c%2Bd?tagging');
    assert.equal(tagging.status, 501);
    assert.match(tagging.body, /<Code>NotImplemented<\/Code>/);
    const calls = sim.world.calls.filter((c) => c.service === 's3');
    assert.equal(calls.at(-1)?.errorCode, 'NotImplemented');
  });
});
