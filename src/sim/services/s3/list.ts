// ListObjectsV2: keys in UTF-8 byte order, filtered by prefix, rolled up into CommonPrefixes at the delimiter,
// max-keys at a time (keys and common prefixes both count), resumed with an opaque continuation token or from
// start-after. Only current versions that are not delete markers are listed.

import type { RestHandler } from '../framework.js';
import type { S3ObjectVersion } from '../../state/s3.js';
import { bucketFor } from './access.js';
import { ownerOf } from './buckets.js';
import { s3Errors } from './errors.js';

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

interface Resume {
  /** The last key or common prefix returned. */
  after: string;
  /** It was a common prefix: skip every key under it. */
  prefix: boolean;
}

function encodeToken(r: Resume): string {
  return Buffer.from(JSON.stringify({ a: r.after, p: r.prefix ? 1 : 0 })).toString('base64url');
}

function decodeToken(token: string): Resume {
  try {
    const o = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { a?: unknown; p?: unknown };
    if (typeof o.a === 'string') return { after: o.a, prefix: o.p === 1 };
  } catch {
    // reported below
  }
  throw s3Errors.invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
}

const listObjectsV2: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'data');
  const q = call.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxRaw = q.get('max-keys');
  const maxKeys = maxRaw === null ? 1000 : Number(maxRaw);
  if (!/^\d+$/.test(maxRaw ?? '0') || !Number.isSafeInteger(maxKeys))
    throw s3Errors.invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', maxRaw!);
  const max = Math.min(maxKeys, 1000);
  const encoding = q.get('encoding-type');
  if (encoding !== null && encoding !== 'url')
    throw s3Errors.invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encoding);
  const token = q.get('continuation-token');
  const startAfter = q.get('start-after') ?? '';
  const resume: Resume = token ? decodeToken(token) : { after: startAfter, prefix: false };
  const fetchOwner = q.get('fetch-owner') === 'true';

  const keys = [...bucket.objects.entries()]
    .filter(([k, versions]) => k.startsWith(prefix) && !versions.at(-1)!.deleteMarker)
    .map(([k]) => k)
    .sort(byteOrder);
  const contents: S3ObjectVersion[] = [];
  const commonPrefixes: string[] = [];
  let last: Resume | undefined;
  let truncated = false;
  for (const key of keys) {
    if (resume.after && byteOrder(key, resume.after) <= 0) continue;
    if (resume.prefix && key.startsWith(resume.after)) continue;
    let rollup: string | undefined;
    if (delimiter) {
      const at = key.indexOf(delimiter, prefix.length);
      if (at >= 0) rollup = key.slice(0, at + delimiter.length);
    }
    if (rollup !== undefined && rollup === commonPrefixes.at(-1)) continue;
    if (contents.length + commonPrefixes.length >= max) {
      truncated = max > 0;
      break;
    }
    if (rollup !== undefined) {
      commonPrefixes.push(rollup);
      last = { after: rollup, prefix: true };
    } else {
      contents.push(bucket.objects.get(key)!.at(-1)!);
      last = { after: key, prefix: false };
    }
  }
  const enc = (s: string): string => (encoding === 'url' ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
  return {
    xml: {
      root: 'ListBucketResult',
      data: {
        Name: bucket.name,
        Prefix: enc(prefix),
        Delimiter: delimiter ? enc(delimiter) : undefined,
        MaxKeys: maxKeys,
        EncodingType: encoding ?? undefined,
        KeyCount: contents.length + commonPrefixes.length,
        IsTruncated: truncated,
        ContinuationToken: token ?? undefined,
        NextContinuationToken: truncated && last ? encodeToken(last) : undefined,
        StartAfter: q.get('start-after') !== null ? enc(startAfter) : undefined,
        Contents: contents.map((v) => ({
          Key: enc(v.key),
          LastModified: v.lastModified,
          ETag: v.etag,
          ChecksumAlgorithm: v.checksum ? [v.checksum.algorithm] : undefined,
          ChecksumType: v.checksum?.type,
          Size: v.body.length,
          StorageClass: 'STANDARD',
          Owner: fetchOwner ? ownerOf(bucket.accountId) : undefined,
        })),
        CommonPrefixes: commonPrefixes.map((p) => ({ Prefix: enc(p) })),
      },
    },
  };
};

export const listActions: Record<string, RestHandler> = { ListObjectsV2: listObjectsV2 };
