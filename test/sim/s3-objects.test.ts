import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { withStorage, s3Error, rawS3 } from './storage-fixture.js';
import { digest } from '../../src/sim/services/s3/checksums.js';

const sha256b64 = (b: Buffer | string): string => createHash('sha256').update(b).digest('base64');
const md5hex = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');

test('PutObject with ChecksumAlgorithm SHA256: verified, stored, echoed; GetObject returns the bytes and the checksum', async () => {
  await withStorage(async ({ s3 }) => {
    const body = 'journal entry 1\n';
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'cordon-evidence',
        Key: 'j/0001.json',
        Body: body,
        ChecksumAlgorithm: 'SHA256',
        Metadata: { step: 'isolate' },
      }),
    );
    assert.equal(put.ETag, `"${md5hex(body)}"`);
    assert.equal(put.ChecksumSHA256, sha256b64(body));
    assert.equal(put.ChecksumType, 'FULL_OBJECT');

    const get = await s3.send(
      new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'j/0001.json', ChecksumMode: 'ENABLED' }),
    );
    assert.equal(await get.Body!.transformToString(), body);
    assert.equal(get.ChecksumSHA256, sha256b64(body));
    assert.equal(get.ChecksumType, 'FULL_OBJECT');
    assert.equal(get.ETag, put.ETag);
    assert.equal(get.ContentLength, Buffer.byteLength(body));
    assert.deepEqual(get.Metadata, { step: 'isolate' });

    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'cordon-evidence', Key: 'j/0001.json', ChecksumMode: 'ENABLED' }),
    );
    assert.equal(head.ChecksumSHA256, sha256b64(body));
    assert.equal(head.ContentLength, Buffer.byteLength(body));
    // Without checksum mode, HEAD shows no checksum.
    const plain = await s3.send(new HeadObjectCommand({ Bucket: 'cordon-evidence', Key: 'j/0001.json' }));
    assert.equal(plain.ChecksumSHA256, undefined);
  });
});

test("the SDK's default CRC32 (header for a buffer, aws-chunked trailer for a stream) is verified and kept", async () => {
  await withStorage(async ({ s3, sim }) => {
    await s3.send(new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'plain', Body: 'hello' }));
    const stream = Readable.from([Buffer.from('hello '), Buffer.from('world')]);
    await s3.send(
      new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'streamed', Body: stream, ContentLength: 11 }),
    );
    const bucket = sim.world.s3.buckets.get('cordon-evidence')!;
    const plain = bucket.objects.get('plain')!.at(-1)!;
    assert.deepEqual(plain.checksum, {
      algorithm: 'CRC32',
      value: digest('CRC32', Buffer.from('hello')).toString('base64'),
      type: 'FULL_OBJECT',
    });
    const streamed = bucket.objects.get('streamed')!.at(-1)!;
    // The aws-chunked framing is gone: the object is the 11 bytes, not the chunks, and no aws-chunked encoding is kept.
    assert.equal(streamed.body.toString(), 'hello world');
    assert.equal(streamed.checksum?.algorithm, 'CRC32');
    assert.equal(streamed.headers['content-encoding'], undefined);
    // The SDK validates CRC32 on GET by default (it asks for checksum mode itself): a wrong stored value would throw.
    const get = await s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'streamed' }));
    assert.equal(await get.Body!.transformToString(), 'hello world');
    assert.equal(get.ChecksumCRC32, streamed.checksum?.value);
  });
});

test('a wrong checksum is BadDigest, a malformed one InvalidRequest, a wrong Content-MD5 BadDigest; nothing is stored', async () => {
  await withStorage(async ({ s3, sim }) => {
    const wrong = await s3Error(() =>
      s3.send(
        new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'bad', Body: 'abc', ChecksumSHA256: sha256b64('abd') }),
      ),
    );
    assert.equal(wrong.name, 'BadDigest');
    assert.equal(wrong.status, 400);
    assert.match(wrong.message, /SHA256 you specified did not match/);
    const malformed = await s3Error(() =>
      s3.send(new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'bad', Body: 'abc', ChecksumCRC32: 'nope' })),
    );
    assert.equal(malformed.name, 'InvalidRequest');
    const md5 = await s3Error(() =>
      s3.send(
        new PutObjectCommand({
          Bucket: 'cordon-evidence',
          Key: 'bad',
          Body: 'abc',
          ContentMD5: createHash('md5').update('xyz').digest('base64'),
        }),
      ),
    );
    assert.equal(md5.name, 'BadDigest');
    assert.match(md5.message, /Content-MD5/);
    // The algorithm header without a value or a trailer: InvalidRequest.
    const bare = await rawS3(sim.endpoint, 'PUT', '/cordon-evidence/bad', {
      headers: { 'x-amz-sdk-checksum-algorithm': 'SHA256' },
      body: 'abc',
    });
    assert.equal(bare.status, 400);
    assert.match(bare.body, /<Code>InvalidRequest<\/Code>/);
    // A trailer that does not match the body.
    const chunked = await rawS3(sim.endpoint, 'PUT', '/cordon-evidence/bad', {
      headers: {
        'content-encoding': 'aws-chunked',
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-decoded-content-length': '3',
        'x-amz-trailer': 'x-amz-checksum-crc32',
      },
      body: `3\r\nabc\r\n0\r\nx-amz-checksum-crc32:${digest('CRC32', Buffer.from('abd')).toString('base64')}\r\n\r\n`,
    });
    assert.equal(chunked.status, 400);
    assert.match(chunked.body, /<Code>BadDigest<\/Code>/);
    assert.equal(sim.world.s3.buckets.get('cordon-evidence')!.objects.has('bad'), false);
  });
});

test('conditional writes: IfNoneMatch "*" creates once and is refused with 412 PreconditionFailed the second time', async () => {
  await withStorage(async ({ s3 }) => {
    const first = await s3.send(
      new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'journal/0001', Body: 'first', IfNoneMatch: '*' }),
    );
    const again = await s3Error(() =>
      s3.send(
        new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'journal/0001', Body: 'second', IfNoneMatch: '*' }),
      ),
    );
    assert.equal(again.name, 'PreconditionFailed');
    assert.equal(again.status, 412);
    assert.equal(again.raw.Condition, 'If-None-Match');
    const kept = await s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'journal/0001' }));
    assert.equal(await kept.Body!.transformToString(), 'first');
    // If-Match: only over the ETag it names.
    const stale = await s3Error(() =>
      s3.send(new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'journal/0001', Body: 'x', IfMatch: '"0000"' })),
    );
    assert.equal(stale.name, 'PreconditionFailed');
    await s3.send(
      new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'journal/0001', Body: 'third', IfMatch: first.ETag }),
    );
    const missing = await s3Error(() =>
      s3.send(new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'journal/none', Body: 'x', IfMatch: first.ETag })),
    );
    assert.equal(missing.name, 'NoSuchKey');
  });
});

test('missing bucket and key: NoSuchBucket, NoSuchKey (404); HEAD answers 404 without a body', async () => {
  await withStorage(async ({ s3 }) => {
    const nb = await s3Error(() => s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' })));
    assert.equal(nb.name, 'NoSuchBucket');
    assert.equal(nb.status, 404);
    assert.equal(nb.raw.BucketName, 'no-such-bucket');
    const nk = await s3Error(() => s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'nope' })));
    assert.equal(nk.name, 'NoSuchKey');
    assert.equal(nk.raw.Key, 'nope');
    const head = await s3Error(() => s3.send(new HeadObjectCommand({ Bucket: 'cordon-evidence', Key: 'nope' })));
    assert.equal(head.name, 'NotFound');
    assert.equal(head.status, 404);
    const put = await s3Error(() => s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' })));
    assert.equal(put.name, 'NoSuchBucket');
  });
});

test('GetObject Range: 206 with Content-Range and no whole-object checksum; an unsatisfiable range is 416 InvalidRange', async () => {
  await withStorage(async ({ s3 }) => {
    await s3.send(new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'r', Body: '0123456789' }));
    const mid = await s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'r', Range: 'bytes=2-5' }));
    assert.equal(mid.$metadata.httpStatusCode, 206);
    assert.equal(mid.ContentRange, 'bytes 2-5/10');
    assert.equal(await mid.Body!.transformToString(), '2345');
    assert.equal(mid.ChecksumCRC32, undefined);
    const tail = await s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'r', Range: 'bytes=-3' }));
    assert.equal(await tail.Body!.transformToString(), '789');
    const open = await s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'r', Range: 'bytes=8-' }));
    assert.equal(await open.Body!.transformToString(), '89');
    const bad = await s3Error(() =>
      s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'r', Range: 'bytes=10-20' })),
    );
    assert.equal(bad.name, 'InvalidRange');
    assert.equal(bad.status, 416);
  });
});

test('GET preconditions: If-None-Match on the current ETag is 304, If-Match on another is 412', async () => {
  await withStorage(async ({ s3 }) => {
    const put = await s3.send(new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'c', Body: 'v1' }));
    const nm = await s3Error(() =>
      s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'c', IfNoneMatch: put.ETag })),
    );
    assert.equal(nm.status, 304);
    const m = await s3Error(() =>
      s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'c', IfMatch: '"abc"' })),
    );
    assert.equal(m.name, 'PreconditionFailed');
    const ok = await s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'c', IfMatch: put.ETag }));
    assert.equal(await ok.Body!.transformToString(), 'v1');
  });
});

test('versioning: versions get ids, DeleteObject leaves a delete marker, older versions stay readable', async () => {
  await withStorage(async ({ s3 }) => {
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: 'cordon-evidence', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const v1 = await s3.send(new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'v', Body: 'one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: 'cordon-evidence', Key: 'v', Body: 'two' }));
    assert.ok(v1.VersionId && v2.VersionId && v1.VersionId !== v2.VersionId);
    const del = await s3.send(new DeleteObjectCommand({ Bucket: 'cordon-evidence', Key: 'v' }));
    assert.equal(del.DeleteMarker, true);
    const gone = await s3Error(() => s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'v' })));
    assert.equal(gone.name, 'NoSuchKey');
    const old = await s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'v', VersionId: v1.VersionId }));
    assert.equal(await old.Body!.transformToString(), 'one');
    assert.equal(old.VersionId, v1.VersionId);
    // Removing the marker brings the latest version back.
    await s3.send(new DeleteObjectCommand({ Bucket: 'cordon-evidence', Key: 'v', VersionId: del.VersionId }));
    const back = await s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'v' }));
    assert.equal(await back.Body!.transformToString(), 'two');
  });
});

test('CopyObject copies bytes and metadata; copying an object onto itself unchanged is InvalidRequest; unversioned delete removes', async () => {
  await withStorage(async ({ s3 }) => {
    const copy = await s3.send(
      new CopyObjectCommand({
        Bucket: 'cordon-evidence',
        Key: 'copies/hello.txt',
        CopySource: 'cordon-evidence/seed/hello.txt',
      }),
    );
    assert.equal(copy.CopyObjectResult?.ETag, `"${md5hex('seeded')}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'copies/hello.txt' }));
    assert.equal(await got.Body!.transformToString(), 'seeded');
    assert.equal(got.ContentType, 'text/plain');
    assert.deepEqual(got.Metadata, { case: 'IR-1' });
    const self = await s3Error(() =>
      s3.send(
        new CopyObjectCommand({
          Bucket: 'cordon-evidence',
          Key: 'seed/hello.txt',
          CopySource: 'cordon-evidence/seed/hello.txt',
        }),
      ),
    );
    assert.equal(self.name, 'InvalidRequest');
    const missing = await s3Error(() =>
      s3.send(new CopyObjectCommand({ Bucket: 'cordon-evidence', Key: 'x', CopySource: 'cordon-evidence/nope' })),
    );
    assert.equal(missing.name, 'NoSuchKey');
    const del = await s3.send(new DeleteObjectCommand({ Bucket: 'cordon-evidence', Key: 'copies/hello.txt' }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    assert.equal(
      (await s3Error(() => s3.send(new HeadObjectCommand({ Bucket: 'cordon-evidence', Key: 'copies/hello.txt' }))))
        .status,
      404,
    );
    // Deleting a key that is not there is not an error.
    await s3.send(new DeleteObjectCommand({ Bucket: 'cordon-evidence', Key: 'never-there' }));
  });
});
