import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { withStorage, s3Error, pattern } from './storage-fixture.js';

const MiB = 1024 * 1024;
const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
const md5 = (b: Buffer): Buffer => createHash('md5').update(b).digest();

test('a 12 MiB upload through lib-storage (multipart, SHA-256) reads back byte-identical with its composite checksum', async () => {
  await withStorage(async ({ s3, sim }) => {
    const data = pattern(12 * MiB, 7);
    const parts = [data.subarray(0, 5 * MiB), data.subarray(5 * MiB, 10 * MiB), data.subarray(10 * MiB)];
    // Independently: the composite checksum is SHA-256 over the parts' SHA-256 digests, the ETag MD5 over their MD5s.
    const composite = `${sha256(Buffer.concat(parts.map(sha256))).toString('base64')}-3`;
    const etag = `"${md5(Buffer.concat(parts.map(md5))).toString('hex')}-3"`;

    const done = await new Upload({
      client: s3,
      params: { Bucket: 'cordon-evidence', Key: 'evidence/disk.img', Body: data, ChecksumAlgorithm: 'SHA256' },
    }).done();
    assert.equal(done.ETag, etag);
    assert.equal(done.ChecksumSHA256, composite);
    assert.equal(done.ChecksumType, 'COMPOSITE');
    const calls = sim.world.calls.filter((c) => c.service === 's3').map((c) => c.action);
    assert.deepEqual(calls.sort(), [
      'CompleteMultipartUpload',
      'CreateMultipartUpload',
      'UploadPart',
      'UploadPart',
      'UploadPart',
    ]);

    const got = await s3.send(
      new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'evidence/disk.img', ChecksumMode: 'ENABLED' }),
    );
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    assert.equal(bytes.length, data.length);
    assert.ok(bytes.equals(data), 'the object differs from what was uploaded');
    assert.equal(got.ChecksumSHA256, composite);
    assert.equal(got.ChecksumType, 'COMPOSITE');
    assert.equal(got.ETag, etag);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'cordon-evidence', Key: 'evidence/disk.img', ChecksumMode: 'ENABLED' }),
    );
    assert.equal(head.ChecksumSHA256, composite);
    assert.equal(head.ContentLength, 12 * MiB);
  });
});

test('lib-storage with a stream and no checksum asked: the SDK default CRC32 per part, a COMPOSITE CRC32 object', async () => {
  await withStorage(async ({ s3 }) => {
    const data = pattern(6 * MiB, 3);
    const done = await new Upload({
      client: s3,
      params: { Bucket: 'cordon-evidence', Key: 'streamed.bin', Body: Readable.from([data]) },
    }).done();
    assert.match(done.ChecksumCRC32 ?? '', /^[A-Za-z0-9+/]{6}==-2$/);
    assert.equal(done.ChecksumType, 'COMPOSITE');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'streamed.bin' }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(data));
  });
});

async function uploadParts(s3: S3Client, key: string, sizes: number[], checksum = true) {
  const created = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: 'cordon-evidence',
      Key: key,
      ...(checksum ? { ChecksumAlgorithm: 'SHA256' } : {}),
    }),
  );
  const uploadId = created.UploadId!;
  const parts = [];
  for (const [i, size] of sizes.entries()) {
    const r = await s3.send(
      new UploadPartCommand({
        Bucket: 'cordon-evidence',
        Key: key,
        UploadId: uploadId,
        PartNumber: i + 1,
        Body: pattern(size, i + 10),
        ...(checksum ? { ChecksumAlgorithm: 'SHA256' as const } : {}),
      }),
    );
    parts.push({ PartNumber: i + 1, ETag: r.ETag!, ...(checksum ? { ChecksumSHA256: r.ChecksumSHA256! } : {}) });
  }
  return { uploadId, parts };
}

test('CompleteMultipartUpload refuses out-of-order parts, unknown parts and ETags, small non-last parts, missing part checksums', async () => {
  await withStorage(async ({ s3 }) => {
    const { uploadId, parts } = await uploadParts(s3, 'm', [5 * MiB, 1024, 10]);
    const complete = (p: typeof parts) =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'cordon-evidence',
          Key: 'm',
          UploadId: uploadId,
          MultipartUpload: { Parts: p },
        }),
      );

    const order = await s3Error(() => complete([parts[1]!, parts[0]!]));
    assert.equal(order.name, 'InvalidPartOrder');
    const unknown = await s3Error(() => complete([parts[0]!, { ...parts[1]!, PartNumber: 7 }]));
    assert.equal(unknown.name, 'InvalidPart');
    const etag = await s3Error(() =>
      complete([parts[0]!, { ...parts[1]!, ETag: '"00000000000000000000000000000000"' }]),
    );
    assert.equal(etag.name, 'InvalidPart');
    const sum = await s3Error(() => complete([parts[0]!, { ...parts[1]!, ChecksumSHA256: parts[0]!.ChecksumSHA256 }]));
    assert.equal(sum.name, 'InvalidPart');
    const small = await s3Error(() => complete(parts));
    assert.equal(small.name, 'EntityTooSmall');
    assert.equal(small.raw.PartNumber, '2');
    const noSum = await s3Error(() => complete([parts[0]!, { PartNumber: 2, ETag: parts[1]!.ETag }]));
    assert.equal(noSum.name, 'InvalidRequest');
    assert.match(noSum.message, /missing for part 2/);

    // Parts 1 and 3 make a valid object (5 MiB + 10 bytes; the last part may be small).
    const ok = await complete([parts[0]!, parts[2]!]);
    assert.match(ok.ChecksumSHA256 ?? '', /-2$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'cordon-evidence', Key: 'm' }));
    assert.equal(head.ContentLength, 5 * MiB + 10);
    // The upload is gone once completed.
    const again = await s3Error(() => complete([parts[0]!, parts[2]!]));
    assert.equal(again.name, 'NoSuchUpload');
  });
});

test('UploadPart with another algorithm than the upload is InvalidRequest; a part number outside 1..10000 InvalidArgument', async () => {
  await withStorage(async ({ s3 }) => {
    const { uploadId } = await uploadParts(s3, 'alg', []);
    const mismatch = await s3Error(() =>
      s3.send(
        new UploadPartCommand({
          Bucket: 'cordon-evidence',
          Key: 'alg',
          UploadId: uploadId,
          PartNumber: 1,
          Body: 'x',
          ChecksumAlgorithm: 'CRC32',
        }),
      ),
    );
    assert.equal(mismatch.name, 'InvalidRequest');
    assert.match(mismatch.message, /expected checksum Type: sha256, actual checksum Type: crc32/);
    const zero = await s3Error(() =>
      s3.send(
        new UploadPartCommand({ Bucket: 'cordon-evidence', Key: 'alg', UploadId: uploadId, PartNumber: 0, Body: 'x' }),
      ),
    );
    assert.equal(zero.name, 'InvalidArgument');
  });
});

test('ListParts pages with max-parts; AbortMultipartUpload discards the upload (then NoSuchUpload)', async () => {
  await withStorage(async ({ s3, sim }) => {
    const { uploadId } = await uploadParts(s3, 'lp', [100, 200, 300], false);
    const first = await s3.send(
      new ListPartsCommand({ Bucket: 'cordon-evidence', Key: 'lp', UploadId: uploadId, MaxParts: 2 }),
    );
    assert.deepEqual(
      first.Parts?.map((p) => [p.PartNumber, p.Size]),
      [
        [1, 100],
        [2, 200],
      ],
    );
    assert.equal(first.IsTruncated, true);
    const rest = await s3.send(
      new ListPartsCommand({
        Bucket: 'cordon-evidence',
        Key: 'lp',
        UploadId: uploadId,
        PartNumberMarker: first.NextPartNumberMarker,
      }),
    );
    assert.deepEqual(
      rest.Parts?.map((p) => p.PartNumber),
      [3],
    );
    assert.equal(rest.IsTruncated, false);

    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'cordon-evidence', Key: 'lp', UploadId: uploadId }));
    assert.equal(sim.world.s3.buckets.get('cordon-evidence')!.uploads.size, 0);
    const gone = await s3Error(() =>
      s3.send(new ListPartsCommand({ Bucket: 'cordon-evidence', Key: 'lp', UploadId: uploadId })),
    );
    assert.equal(gone.name, 'NoSuchUpload');
    assert.equal(gone.status, 404);
    const wrongKey = await s3Error(() =>
      s3.send(
        new UploadPartCommand({ Bucket: 'cordon-evidence', Key: 'other', UploadId: 'nope', PartNumber: 1, Body: 'x' }),
      ),
    );
    assert.equal(wrongKey.name, 'NoSuchUpload');
  });
});

test('a conditional CompleteMultipartUpload (IfNoneMatch "*") is refused when the key exists', async () => {
  await withStorage(async ({ s3 }) => {
    const { uploadId, parts } = await uploadParts(s3, 'seed/hello.txt', [10]);
    const e = await s3Error(() =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'cordon-evidence',
          Key: 'seed/hello.txt',
          UploadId: uploadId,
          IfNoneMatch: '*',
          MultipartUpload: { Parts: parts },
        }),
      ),
    );
    assert.equal(e.name, 'PreconditionFailed');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'cordon-evidence', Key: 'seed/hello.txt' }));
    assert.equal(await got.Body!.transformToString(), 'seeded');
  });
});
