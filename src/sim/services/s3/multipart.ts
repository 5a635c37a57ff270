// Multipart uploads: CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload, ListParts.
// Parts are checked when the upload completes, as S3 does: listed in ascending order, each uploaded with the
// listed ETag (and checksum), every part but the last at least 5 MiB. The object's ETag is the MD5 of the parts'
// MD5s with `-N`; its checksum is COMPOSITE (the algorithm over the parts' checksums, `-N`) or FULL_OBJECT.

import type { CallContext, RestCall, RestHandler } from '../framework.js';
import type { ChecksumAlgorithm, ChecksumType, S3Bucket, S3Upload, StoredChecksum } from '../../state/s3.js';
import { childrenNamed, childText } from '../../protocol/xml-parse.js';
import { bucketFor, keyOf, nowSeconds, sseHeaders, sseOf, storedHeaders, userMetadata } from './access.js';
import { ownerOf, xmlBody } from './buckets.js';
import {
  algorithmNamed,
  checksumBase64,
  checksumHeader,
  checksumMember,
  compositeChecksum,
  etagOf,
  multipartEtag,
} from './checksums.js';
import { retentionFor } from './config.js';
import { MIN_PART_SIZE, s3Errors } from './errors.js';
import { readPayload, sentChecksum } from './integrity.js';
import { checkWriteConditions, newUploadId, putVersion, versionHeader } from './store.js';

const MAX_PART = 5 * 1024 ** 3;
const CRCS: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME'];

function uploadFor(bucket: S3Bucket, call: RestCall, key: string): S3Upload {
  const id = call.params.uploadId ?? '';
  const upload = bucket.uploads.get(id);
  if (!upload || upload.key !== key) throw s3Errors.noSuchUpload(id);
  return upload;
}

const createMultipartUpload: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'data');
  const key = keyOf(call);
  const askedAlgorithm = call.headers['x-amz-checksum-algorithm'];
  const algorithm = algorithmNamed(askedAlgorithm);
  if (askedAlgorithm !== undefined && !algorithm)
    throw s3Errors.invalidRequest('Value for x-amz-checksum-algorithm header is invalid.');
  const askedType = call.headers['x-amz-checksum-type'];
  if (askedType !== undefined && askedType !== 'COMPOSITE' && askedType !== 'FULL_OBJECT')
    throw s3Errors.invalidRequest('Value for x-amz-checksum-type header is invalid.');
  if (askedType !== undefined && !algorithm)
    throw s3Errors.invalidRequest(
      'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.',
    );
  let type: ChecksumType | undefined;
  if (algorithm) {
    type = (askedType as ChecksumType | undefined) ?? (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE');
    if (type === 'FULL_OBJECT' && !CRCS.includes(algorithm))
      throw s3Errors.invalidRequest(
        `The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`,
      );
    if (type === 'COMPOSITE' && algorithm === 'CRC64NVME')
      throw s3Errors.invalidRequest(
        'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.',
      );
  }
  const upload: S3Upload = {
    uploadId: newUploadId(ctx),
    key,
    initiated: nowSeconds(ctx),
    initiatorArn: ctx.principal.arn,
    checksumAlgorithm: algorithm,
    checksumType: type,
    headers: storedHeaders(call.headers, call.headers['content-encoding']),
    metadata: userMetadata(call.headers),
    sse: sseOf(call.headers, bucket),
    retention: retentionFor(ctx, bucket, call.headers, true),
    parts: new Map(),
  };
  bucket.uploads.set(upload.uploadId, upload);
  return {
    headers: { 'x-amz-checksum-algorithm': algorithm, 'x-amz-checksum-type': type, ...sseHeaders(upload.sse) },
    xml: { root: 'InitiateMultipartUploadResult', data: { Bucket: bucket.name, Key: key, UploadId: upload.uploadId } },
  };
};

function partNumberOf(call: RestCall): number {
  const raw = call.params.partNumber ?? '';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 10000)
    throw s3Errors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', raw);
  return n;
}

const uploadPart: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'data');
  const key = keyOf(call);
  const partNumber = partNumberOf(call);
  const upload = uploadFor(bucket, call, key);
  const payload = readPayload(call);
  if (payload.data.length > MAX_PART) throw s3Errors.entityTooLarge(payload.data.length, MAX_PART);
  const expected = upload.checksumAlgorithm;
  if (expected && payload.checksum && payload.checksum.algorithm !== expected)
    throw s3Errors.invalidRequest(
      `Checksum Type mismatch occurred, expected checksum Type: ${expected.toLowerCase()}, actual checksum Type: ${payload.checksum.algorithm.toLowerCase()}`,
    );
  const checksum =
    payload.checksum ?? (expected ? { algorithm: expected, value: checksumBase64(expected, payload.data) } : undefined);
  const etag = etagOf(payload.data);
  upload.parts.set(partNumber, { partNumber, etag, body: payload.data, lastModified: nowSeconds(ctx), checksum });
  return {
    headers: {
      etag,
      ...(checksum ? { [checksumHeader(checksum.algorithm)]: checksum.value } : {}),
      ...sseHeaders(upload.sse),
    },
  };
};

interface ListedPart {
  partNumber: number;
  etag: string;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

function listedParts(call: RestCall): ListedPart[] {
  const root = xmlBody(call.body, 'CompleteMultipartUpload');
  const parts = root ? childrenNamed(root, 'Part') : [];
  if (!parts.length) throw s3Errors.malformedXml();
  return parts.map((p) => {
    const n = Number(childText(p, 'PartNumber'));
    const etag = childText(p, 'ETag');
    if (!Number.isInteger(n) || etag === undefined) throw s3Errors.malformedXml();
    const checksums: ListedPart['checksums'] = {};
    for (const a of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
      const v = childText(p, checksumMember(a));
      if (v !== undefined) checksums[a] = v;
    }
    return { partNumber: n, etag, checksums };
  });
}

function location(call: RestCall, bucket: string, key: string): string {
  const path = key.split('/').map(encodeURIComponent).join('/');
  return `http://${call.headers.host ?? '127.0.0.1'}/${encodeURIComponent(bucket)}/${path}`;
}

function completeChecksum(upload: S3Upload, parts: { checksum?: { value: string } }[], body: Buffer): StoredChecksum {
  const a = upload.checksumAlgorithm;
  if (!a) return { algorithm: 'CRC64NVME', value: checksumBase64('CRC64NVME', body), type: 'FULL_OBJECT' };
  if (upload.checksumType === 'FULL_OBJECT')
    return { algorithm: a, value: checksumBase64(a, body), type: 'FULL_OBJECT' };
  return {
    algorithm: a,
    value: compositeChecksum(
      a,
      parts.map((p) => p.checksum!.value),
    ),
    type: 'COMPOSITE',
  };
}

const completeMultipartUpload: RestHandler = (ctx: CallContext, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'data');
  const key = keyOf(call);
  const upload = uploadFor(bucket, call, key);
  const listed = listedParts(call);
  const id = upload.uploadId;
  const alg = upload.checksumAlgorithm;
  const parts = listed.map((l, i) => {
    if (i > 0 && l.partNumber <= listed[i - 1]!.partNumber) throw s3Errors.invalidPartOrder(id);
    const part = upload.parts.get(l.partNumber);
    if (!part || part.etag.replace(/"/g, '') !== l.etag.replace(/"/g, ''))
      throw s3Errors.invalidPart(id, l.partNumber, l.etag);
    if (alg && l.checksums[alg] === undefined)
      throw s3Errors.invalidRequest(
        `The upload was created using a ${alg.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${l.partNumber} in the request.`,
      );
    for (const [a, v] of Object.entries(l.checksums)) {
      if (part.checksum?.algorithm !== a || part.checksum.value !== v)
        throw s3Errors.invalidPart(id, l.partNumber, l.etag);
    }
    return part;
  });
  parts.forEach((p, i) => {
    if (i < parts.length - 1 && p.body.length < MIN_PART_SIZE)
      throw s3Errors.entityTooSmall(p.body.length, p.partNumber, p.etag);
  });
  checkWriteConditions(call.headers, bucket, key);
  const body = Buffer.concat(parts.map((p) => p.body));
  const declaredSize = call.headers['x-amz-mp-object-size'];
  if (declaredSize !== undefined && Number(declaredSize) !== body.length)
    throw s3Errors.invalidRequest(
      `The provided 'x-amz-mp-object-size' header value ${declaredSize} does not match what was computed: ${body.length}`,
    );
  const checksum = completeChecksum(upload, parts, body);
  // A whole-object checksum sent with the request (x-amz-checksum-<crc> + FULL_OBJECT) must match the result.
  const sent = sentChecksum(call.headers);
  if (sent && (sent.algorithm !== checksum.algorithm || checksum.type !== 'FULL_OBJECT'))
    throw s3Errors.invalidRequest(
      `The upload was created using the ${checksum.type} ${checksum.algorithm.toLowerCase()} checksum mode; ${sent.algorithm.toLowerCase()} was given.`,
    );
  if (sent && sent.value !== checksum.value) throw s3Errors.badDigest(sent.algorithm);

  const v = putVersion(ctx, bucket, {
    key,
    deleteMarker: false,
    body,
    etag: multipartEtag(parts.map((p) => p.etag)),
    lastModified: nowSeconds(ctx),
    headers: upload.headers,
    metadata: upload.metadata,
    checksum,
    partsCount: parts.length,
    sse: upload.sse,
    retention: upload.retention,
  });
  bucket.uploads.delete(id);
  return {
    headers: { ...versionHeader(bucket, v), ...sseHeaders(v.sse) },
    xml: {
      root: 'CompleteMultipartUploadResult',
      data: {
        Location: location(call, bucket.name, key),
        Bucket: bucket.name,
        Key: key,
        ETag: v.etag,
        [checksumMember(checksum.algorithm)]: checksum.value,
        ChecksumType: checksum.type,
      },
    },
  };
};

const abortMultipartUpload: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'data');
  const upload = uploadFor(bucket, call, keyOf(call));
  bucket.uploads.delete(upload.uploadId);
  return { status: 204 };
};

const listParts: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'data');
  const key = keyOf(call);
  const upload = uploadFor(bucket, call, key);
  const maxRaw = call.query.get('max-parts');
  const max = maxRaw === null ? 1000 : Math.min(Number(maxRaw), 1000);
  if (!Number.isInteger(max) || max < 0)
    throw s3Errors.invalidArgument('Provided max-parts not an integer or within integer range', 'max-parts', maxRaw!);
  const markerRaw = call.query.get('part-number-marker');
  const marker = markerRaw === null ? 0 : Number(markerRaw);
  if (!Number.isInteger(marker) || marker < 0)
    throw s3Errors.invalidArgument(
      'Provided part-number-marker not an integer or within integer range',
      'part-number-marker',
      markerRaw!,
    );
  const all = [...upload.parts.values()]
    .filter((p) => p.partNumber > marker)
    .sort((a, b) => a.partNumber - b.partNumber);
  const page = all.slice(0, max);
  const truncated = page.length < all.length;
  return {
    headers: { 'x-amz-checksum-algorithm': upload.checksumAlgorithm, 'x-amz-checksum-type': upload.checksumType },
    xml: {
      root: 'ListPartsResult',
      data: {
        Bucket: bucket.name,
        Key: key,
        UploadId: upload.uploadId,
        PartNumberMarker: marker,
        NextPartNumberMarker: page.length ? page.at(-1)!.partNumber : marker,
        MaxParts: max,
        IsTruncated: truncated,
        Part: page.map((p) => ({
          PartNumber: p.partNumber,
          LastModified: p.lastModified,
          ETag: p.etag,
          Size: p.body.length,
          ...(p.checksum ? { [checksumMember(p.checksum.algorithm)]: p.checksum.value } : {}),
        })),
        Initiator: { ID: upload.initiatorArn, DisplayName: upload.initiatorArn.replace(/^.*[:/]/, '') },
        Owner: ownerOf(bucket.accountId),
        StorageClass: 'STANDARD',
        ChecksumAlgorithm: upload.checksumAlgorithm,
        ChecksumType: upload.checksumType,
      },
    },
  };
};

export const multipartActions: Record<string, RestHandler> = {
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
};
