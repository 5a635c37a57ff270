// Object versions in a bucket: writing one as versioning says (a new version id, or replacing the `null` one),
// finding the one a request names, and the headers S3 answers about an object.

import type { CallContext } from '../framework.js';
import type { S3Bucket, S3ObjectVersion } from '../../state/s3.js';
import { AwsError } from '../../errors.js';
import { checksumHeader } from './checksums.js';
import { httpDate, sseHeaders } from './access.js';
import { s3Errors } from './errors.js';

/** An opaque version id (S3's are 32 URL-safe characters); deterministic, like every simulated id. */
function newVersionId(ctx: CallContext): string {
  return ctx.world.ids.hex('s3v', 32).slice(4);
}

/** Opaque ids for multipart uploads. */
export function newUploadId(ctx: CallContext): string {
  const hex = ctx.world.ids.hex('mpu', 48).slice(4);
  return Buffer.from(hex, 'hex').toString('base64url');
}

/** Stores a version (or delete marker) as the key's current one and returns it with its version id set. */
export function putVersion(ctx: CallContext, bucket: S3Bucket, v: Omit<S3ObjectVersion, 'versionId'>): S3ObjectVersion {
  const list = bucket.objects.get(v.key) ?? [];
  const enabled = bucket.versioning === 'Enabled';
  const stored: S3ObjectVersion = { ...v, versionId: enabled ? newVersionId(ctx) : 'null' };
  const kept = enabled ? list : list.filter((x) => x.versionId !== 'null');
  kept.push(stored);
  bucket.objects.set(v.key, kept);
  return stored;
}

/** The current version of a key, unless there is none or it is a delete marker. */
export function currentObject(bucket: S3Bucket, key: string): S3ObjectVersion | undefined {
  const v = bucket.objects.get(key)?.at(-1);
  return v && !v.deleteMarker ? v : undefined;
}

/** The x-amz-version-id header: present once a bucket has had versioning configured. */
export function versionHeader(bucket: S3Bucket, v: S3ObjectVersion): Record<string, string | undefined> {
  return { 'x-amz-version-id': bucket.versioning ? v.versionId : undefined };
}

/** The version a GET / HEAD asks for: `versionId`, else the current one (NoSuchKey for none or a delete marker). */
export function versionToRead(bucket: S3Bucket, key: string, versionId: string | undefined): S3ObjectVersion {
  const list = bucket.objects.get(key) ?? [];
  if (versionId !== undefined) {
    const v = list.find((x) => x.versionId === versionId);
    if (!v) throw s3Errors.noSuchVersion(key, versionId);
    if (v.deleteMarker)
      throw new AwsError(
        'MethodNotAllowed',
        'The specified method is not allowed against this resource.',
        405,
        { Method: 'GET', ResourceType: 'DeleteMarker' },
        { 'x-amz-delete-marker': 'true', 'x-amz-version-id': v.versionId },
      );
    return v;
  }
  const cur = list.at(-1);
  if (!cur) throw s3Errors.noSuchKey(key);
  if (cur.deleteMarker)
    throw s3Errors.noSuchKey(key, {
      'x-amz-delete-marker': 'true',
      ...(bucket.versioning ? { 'x-amz-version-id': cur.versionId } : {}),
    });
  return cur;
}

/** The headers of a GET / HEAD answer (checksums only when asked for with x-amz-checksum-mode: ENABLED). */
export function objectHeaders(
  bucket: S3Bucket,
  v: S3ObjectVersion,
  withChecksum: boolean,
): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {
    etag: v.etag,
    'last-modified': httpDate(v.lastModified),
    'accept-ranges': 'bytes',
    ...v.headers,
    ...versionHeader(bucket, v),
    ...sseHeaders(v.sse),
  };
  for (const [k, value] of Object.entries(v.metadata)) out[`x-amz-meta-${k}`] = value;
  if (withChecksum && v.checksum) {
    out[checksumHeader(v.checksum.algorithm)] = v.checksum.value;
    out['x-amz-checksum-type'] = v.checksum.type;
  }
  return out;
}

const CONDITION_NAMES: Record<string, string> = {
  'if-match': 'If-Match',
  'if-none-match': 'If-None-Match',
  'if-modified-since': 'If-Modified-Since',
  'if-unmodified-since': 'If-Unmodified-Since',
};

/**
 * GET / HEAD preconditions (RFC 7232 as S3 applies them): If-Match and If-Unmodified-Since fail with 412;
 * If-None-Match and If-Modified-Since with 304. A true If-Match overrides a false If-Unmodified-Since, a false
 * If-None-Match a true If-Modified-Since. `prefix` reads CopyObject's x-amz-copy-source-if-* instead (all 412).
 */
export function checkReadConditions(headers: Record<string, string>, v: S3ObjectVersion, prefix = ''): 304 | undefined {
  const h = (name: string): string | undefined => headers[`${prefix}${name}`];
  const etag = v.etag.replace(/"/g, '');
  const matches = (list: string): boolean =>
    list.split(',').some((t) => {
      const x = t.trim().replace(/^W\//, '').replace(/"/g, '');
      return x === '*' || x === etag;
    });
  const modified = Date.parse(v.lastModified);
  const ifMatch = h('if-match');
  const ifNoneMatch = h('if-none-match');
  const ifModifiedSince = h('if-modified-since');
  const ifUnmodifiedSince = h('if-unmodified-since');
  const name = (n: string): string => (prefix ? `${prefix}${n}` : CONDITION_NAMES[n]!);
  if (ifMatch !== undefined) {
    if (!matches(ifMatch)) throw s3Errors.preconditionFailed(name('if-match'));
  } else if (ifUnmodifiedSince !== undefined && modified > Date.parse(ifUnmodifiedSince)) {
    throw s3Errors.preconditionFailed(name('if-unmodified-since'));
  }
  if (ifNoneMatch !== undefined) {
    if (matches(ifNoneMatch)) {
      if (prefix) throw s3Errors.preconditionFailed(name('if-none-match'));
      return 304;
    }
  } else if (ifModifiedSince !== undefined && !(modified > Date.parse(ifModifiedSince))) {
    if (prefix) throw s3Errors.preconditionFailed(name('if-modified-since'));
    return 304;
  }
  return undefined;
}

/**
 * Conditional writes (PutObject, CompleteMultipartUpload, CopyObject's target): `If-None-Match: *` refuses an
 * existing key with 412; `If-Match: <etag>` needs the current object to have that ETag (NoSuchKey when none).
 */
export function checkWriteConditions(headers: Record<string, string>, bucket: S3Bucket, key: string): void {
  const ifNoneMatch = headers['if-none-match'];
  const ifMatch = headers['if-match'];
  const current = currentObject(bucket, key);
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw s3Errors.notImplemented('If-None-Match');
    if (current) throw s3Errors.preconditionFailed('If-None-Match');
  }
  if (ifMatch !== undefined) {
    if (!current) throw s3Errors.noSuchKey(key);
    if (ifMatch.trim().replace(/"/g, '') !== current.etag.replace(/"/g, ''))
      throw s3Errors.preconditionFailed('If-Match');
  }
}
