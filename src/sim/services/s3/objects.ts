// S3 objects: PutObject, GetObject (with Range), HeadObject, DeleteObject.

import type { CallContext, RestCall, RestHandler } from '../framework.js';
import type { RestReply } from '../../protocol/rest-xml.js';
import type { S3Bucket, StoredChecksum } from '../../state/s3.js';
import { bucketFor, keyOf, nowSeconds, sseHeaders, sseOf, storedHeaders, userMetadata } from './access.js';
import { checksumBase64, checksumHeader, etagOf } from './checksums.js';
import { checkDeleteRetention, retentionFor, retentionHeaders } from './config.js';
import { s3Errors } from './errors.js';
import { readPayload } from './integrity.js';
import {
  checkReadConditions,
  checkWriteConditions,
  objectHeaders,
  putVersion,
  versionHeader,
  versionToRead,
} from './store.js';

/** Largest single PUT S3 accepts (5 GiB); the simulator's own body limit is lower (see index.ts). */
const MAX_PUT = 5 * 1024 ** 3;

/** An object written without a checksum gets S3's default, a full-object CRC64NVME. */
export function checksumFor(
  data: Buffer,
  sent: { algorithm: StoredChecksum['algorithm']; value: string } | undefined,
): StoredChecksum {
  if (sent) return { ...sent, type: 'FULL_OBJECT' };
  return { algorithm: 'CRC64NVME', value: checksumBase64('CRC64NVME', data), type: 'FULL_OBJECT' };
}

/** The checksum headers of a write's answer. */
export function checksumReplyHeaders(c: StoredChecksum | undefined): Record<string, string> {
  return c ? { [checksumHeader(c.algorithm)]: c.value, 'x-amz-checksum-type': c.type } : {};
}

const putObject: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'data');
  const key = keyOf(call);
  const payload = readPayload(call);
  if (payload.data.length > MAX_PUT) throw s3Errors.entityTooLarge(payload.data.length, MAX_PUT);
  checkWriteConditions(call.headers, bucket, key);
  const retention = retentionFor(
    ctx,
    bucket,
    call.headers,
    payload.checksum !== undefined || call.headers['content-md5'] !== undefined,
  );
  const checksum = checksumFor(payload.data, payload.checksum);
  const v = putVersion(ctx, bucket, {
    key,
    deleteMarker: false,
    body: payload.data,
    etag: etagOf(payload.data),
    lastModified: nowSeconds(ctx),
    headers: storedHeaders(call.headers, payload.contentEncoding),
    metadata: userMetadata(call.headers),
    checksum,
    sse: sseOf(call.headers, bucket),
    retention,
  });
  return {
    headers: {
      etag: v.etag,
      ...versionHeader(bucket, v),
      ...sseHeaders(v.sse),
      ...checksumReplyHeaders(checksum),
    },
  };
};

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → [start, end] inclusive; undefined when S3 would ignore the header. */
function parseRange(range: string, size: number, raw: string): [number, number] | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) throw s3Errors.invalidRange(raw, size);
    start = Math.max(size - n, 0);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size) throw s3Errors.invalidRange(raw, size);
  return [start, end];
}

/** response-content-type & co.: GetObject's overrides of the stored headers. */
const OVERRIDES = [
  'content-type',
  'content-language',
  'expires',
  'cache-control',
  'content-disposition',
  'content-encoding',
];

function readObject(ctx: CallContext, call: RestCall, withBody: boolean): RestReply {
  const bucket: S3Bucket = bucketFor(ctx, call.params.Bucket!, 'data');
  const key = keyOf(call);
  if (call.params.partNumber !== undefined) throw s3Errors.notImplemented('partNumber (reading one part of an object)');
  const v = versionToRead(bucket, key, call.params.versionId);
  const notModified = checkReadConditions(call.headers, v);
  if (notModified)
    return {
      status: 304,
      headers: { etag: v.etag, 'last-modified': objectHeaders(bucket, v, false)['last-modified'] },
    };
  const size = v.body.length;
  const rangeHeader = call.headers.range;
  const range = rangeHeader !== undefined ? parseRange(rangeHeader, size, rangeHeader) : undefined;
  // A part of the object has no whole-object checksum to show.
  const checksumMode = call.headers['x-amz-checksum-mode']?.toUpperCase() === 'ENABLED' && range === undefined;
  const headers = { ...objectHeaders(bucket, v, checksumMode), ...retentionHeaders(v) };
  for (const h of OVERRIDES) {
    const o = call.query.get(`response-${h}`);
    if (o !== null) headers[h] = o;
  }
  const contentType = String(headers['content-type']);
  delete headers['content-type'];
  if (range) {
    const [start, end] = range;
    headers['content-range'] = `bytes ${start}-${end}/${size}`;
    headers['content-length'] = end - start + 1;
    return { status: 206, headers, contentType, body: withBody ? v.body.subarray(start, end + 1) : undefined };
  }
  headers['content-length'] = size;
  return { headers, contentType, body: withBody ? v.body : undefined };
}

const getObject: RestHandler = (ctx, call) => readObject(ctx, call, true);
const headObject: RestHandler = (ctx, call) => readObject(ctx, call, false);

const deleteObject: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'data');
  const key = keyOf(call);
  const versionId = call.params.versionId;
  const list = bucket.objects.get(key) ?? [];
  if (versionId !== undefined) {
    // Deleting a version removes it for good (a delete marker too); an unknown version id is no error.
    const v = list.find((x) => x.versionId === versionId);
    checkDeleteRetention(ctx, v, call.headers);
    const rest = list.filter((x) => x !== v);
    if (rest.length) bucket.objects.set(key, rest);
    else bucket.objects.delete(key);
    return {
      status: 204,
      headers: { 'x-amz-version-id': versionId, 'x-amz-delete-marker': v?.deleteMarker ? 'true' : undefined },
    };
  }
  if (!bucket.versioning) {
    bucket.objects.delete(key);
    return { status: 204 };
  }
  // Versioned: a delete marker becomes the current version (Suspended: with version id `null`).
  const marker = putVersion(ctx, bucket, {
    key,
    deleteMarker: true,
    body: Buffer.alloc(0),
    etag: '',
    lastModified: nowSeconds(ctx),
    headers: {},
    metadata: {},
    sse: { algorithm: 'AES256' },
  });
  return { status: 204, headers: { 'x-amz-delete-marker': 'true', 'x-amz-version-id': marker.versionId } };
};

export const objectActions: Record<string, RestHandler> = {
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
};
