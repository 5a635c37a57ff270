// Who may touch a bucket, and where it is: the IAM action each S3 operation needs, bucket lookup with S3's
// ownership and region rules, bucket-name rules, and the request headers an object keeps.

import { AwsError } from '../../errors.js';
import type { CallContext, IamNeed, RestCall } from '../framework.js';
import type { S3Bucket, Sse } from '../../state/s3.js';
import { s3Errors } from './errors.js';

/** The IAM action of each operation (HeadObject is authorised as s3:GetObject, HeadBucket as s3:ListBucket …). */
export const IAM_ACTION: Record<string, string> = {
  ListBuckets: 's3:ListAllMyBuckets',
  CreateBucket: 's3:CreateBucket',
  DeleteBucket: 's3:DeleteBucket',
  HeadBucket: 's3:ListBucket',
  GetBucketLocation: 's3:GetBucketLocation',
  PutBucketVersioning: 's3:PutBucketVersioning',
  GetBucketVersioning: 's3:GetBucketVersioning',
  PutBucketEncryption: 's3:PutEncryptionConfiguration',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  DeleteBucketEncryption: 's3:PutEncryptionConfiguration',
  PutPublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  GetPublicAccessBlock: 's3:GetBucketPublicAccessBlock',
  DeletePublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  PutObjectLockConfiguration: 's3:PutBucketObjectLockConfiguration',
  GetObjectLockConfiguration: 's3:GetBucketObjectLockConfiguration',
  ListObjectsV2: 's3:ListBucket',
  PutObject: 's3:PutObject',
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  DeleteObject: 's3:DeleteObject',
  CopyObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  ListParts: 's3:ListMultipartUploadParts',
};

/** Version-specific reads and deletes need their own actions, as in IAM. */
function versioned(action: string, params: Record<string, string>): string {
  if (params.versionId === undefined) return action;
  if (action === 's3:GetObject') return 's3:GetObjectVersion';
  if (action === 's3:DeleteObject') return 's3:DeleteObjectVersion';
  return action;
}

export function objectArn(bucket: string, key?: string): string {
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

/** The source of a CopyObject: `bucket/key` or `/bucket/key`, URL-encoded, optionally `?versionId=`. */
export function parseCopySource(raw: string): { bucket: string; key: string; versionId?: string } {
  const q = raw.indexOf('?');
  const path = (q >= 0 ? raw.slice(0, q) : raw).replace(/^\//, '');
  const versionId = q >= 0 ? (new URLSearchParams(raw.slice(q + 1)).get('versionId') ?? undefined) : undefined;
  const slash = path.indexOf('/');
  let bucket = '';
  let key = '';
  try {
    bucket = decodeURIComponent(path.slice(0, Math.max(slash, 0)));
    key = decodeURIComponent(path.slice(slash + 1));
  } catch {
    // reported below
  }
  if (slash <= 0 || !key)
    throw s3Errors.invalidArgument(
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      'x-amz-copy-source',
      raw,
    );
  return { bucket, key, versionId };
}

/** The IAM checks of a call: one per action; CopyObject reads its source (`CopySource`) and writes its target. */
export function iamNeeds(action: string, params: Record<string, string>): IamNeed[] {
  const bucket = params.Bucket;
  const resource = bucket === undefined ? '*' : objectArn(bucket, params.Key);
  const need = { action: versioned(IAM_ACTION[action] ?? `s3:${action}`, params), resource };
  const source = action === 'CopyObject' ? params.CopySource : undefined;
  if (source === undefined) return [need];
  try {
    const src = parseCopySource(source);
    const read = src.versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion';
    return [{ action: read, resource: objectArn(src.bucket, src.key) }, need];
  } catch {
    return [need]; // a malformed source is answered by the handler
  }
}

/** Bucket names: 3–63 of a-z 0-9 . -, starting and ending with a letter or digit, not an IP address. */
export function checkBucketName(name: string): void {
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d{1,3}(\.\d{1,3}){3}$/.test(name) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(name) &&
    !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name);
  if (!ok) throw s3Errors.invalidBucketName(name);
}

export type Access = 'owner' | 'data';

/**
 * The bucket a call names, or S3's error: NoSuchBucket; a bucket of another account is AccessDenied unless it is
 * shared with the caller's account (`data` access: objects and listing, never the bucket's own configuration); a
 * request signed for another region than the bucket's is AuthorizationHeaderMalformed, naming the right one.
 */
export function bucketFor(
  ctx: CallContext,
  name: string,
  access: Access,
  opts: { anyRegion?: boolean; iamAction?: string; resource?: string } = {},
): S3Bucket {
  const bucket = ctx.world.s3.buckets.get(name);
  if (!bucket) throw s3Errors.noSuchBucket(name);
  if (!opts.anyRegion && bucket.region !== ctx.regionName) {
    throw new AwsError(
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; the region '${ctx.regionName}' is wrong; expecting '${bucket.region}'`,
      400,
      { Region: bucket.region },
      { 'x-amz-bucket-region': bucket.region },
    );
  }
  const shared = access === 'data' && bucket.allowAccounts.includes(ctx.accountId);
  if (bucket.accountId !== ctx.accountId && !shared) {
    const action = opts.iamAction ?? IAM_ACTION[ctx.action] ?? `s3:${ctx.action}`;
    throw new AwsError(
      'AccessDenied',
      `User: ${ctx.principal.arn} is not authorized to perform: ${action} on resource: "${opts.resource ?? objectArn(name)}" because no resource-based policy allows the ${action} action`,
      403,
    );
  }
  return bucket;
}

/** The object key of a call, checked against S3's 1024-byte limit. */
export function keyOf(call: RestCall): string {
  const key = call.params.Key ?? '';
  const size = Buffer.byteLength(key, 'utf8');
  if (size > 1024) throw s3Errors.keyTooLong(size);
  return key;
}

const STORED_HEADERS = [
  'content-type',
  'content-encoding',
  'content-disposition',
  'content-language',
  'cache-control',
  'expires',
];

/** The standard headers an object keeps (Content-Type defaults to binary/octet-stream, as S3 does). */
export function storedHeaders(
  headers: Record<string, string>,
  contentEncoding: string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of STORED_HEADERS) if (headers[h] !== undefined) out[h] = headers[h];
  if (contentEncoding === undefined) delete out['content-encoding'];
  else out['content-encoding'] = contentEncoding;
  out['content-type'] ??= 'binary/octet-stream';
  return out;
}

/** User metadata: every x-amz-meta-* header, names lower-case (S3 allows 2 KB of it). */
export function userMetadata(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const [k, v] of Object.entries(headers)) {
    if (!k.startsWith('x-amz-meta-')) continue;
    const name = k.slice('x-amz-meta-'.length);
    out[name] = v;
    size += Buffer.byteLength(name) + Buffer.byteLength(v);
  }
  if (size > 2048)
    throw new AwsError('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size.', 400, {
      Size: String(size),
      MaxSizeAllowed: '2048',
    });
  return out;
}

/**
 * Server-side encryption of a new object: what the request asks for, else the bucket's default encryption (every
 * object is encrypted; a bucket's default is SSE-S3 unless configured otherwise).
 */
export function sseOf(headers: Record<string, string>, bucket: S3Bucket): Sse {
  const asked = headers['x-amz-server-side-encryption'];
  const bucketKey = headers['x-amz-server-side-encryption-bucket-key-enabled'];
  const def = bucket.encryption;
  const bucketKeyEnabled =
    (bucketKey !== undefined ? bucketKey.toLowerCase() === 'true' : def.bucketKeyEnabled) || undefined;
  const awsManaged = `arn:aws:kms:${bucket.region}:${bucket.accountId}:alias/aws/s3`;
  if (asked === undefined) {
    if (def.algorithm === 'AES256') return { algorithm: 'AES256' };
    return { algorithm: 'aws:kms', kmsKeyId: def.kmsKeyId ?? awsManaged, bucketKeyEnabled };
  }
  if (asked === 'AES256') return { algorithm: 'AES256' };
  if (asked === 'aws:kms')
    return {
      algorithm: 'aws:kms',
      kmsKeyId: headers['x-amz-server-side-encryption-aws-kms-key-id'] ?? awsManaged,
      bucketKeyEnabled,
    };
  throw s3Errors.invalidArgument(
    'The encryption method specified is not supported',
    'x-amz-server-side-encryption',
    asked,
  );
}

export function sseHeaders(sse: Sse): Record<string, string | undefined> {
  return {
    'x-amz-server-side-encryption': sse.algorithm,
    'x-amz-server-side-encryption-aws-kms-key-id': sse.kmsKeyId,
    'x-amz-server-side-encryption-bucket-key-enabled': sse.bucketKeyEnabled ? 'true' : undefined,
  };
}

/** Times S3 keeps to the second (Last-Modified carries no milliseconds). */
export function nowSeconds(ctx: CallContext): string {
  return new Date(Math.floor(ctx.world.clock.now() / 1000) * 1000).toISOString();
}

export function httpDate(iso: string): string {
  return new Date(iso).toUTCString();
}
