// S3's REST routing: which operation a method, path and query string are. Path style (`/bucket/key`, what clients
// send with forcePathStyle: true or an IP endpoint) and virtual-hosted style (`bucket.localhost:PORT/key`, what the
// SDK sends for a `http://localhost:PORT` endpoint without forcePathStyle; `bucket.s3.<region>.amazonaws.com`) are
// both read. The SDK adds `x-id=<Operation>` to some requests; like S3, the router ignores it and goes by the method
// and the sub-resource in the query.

import { AwsError } from '../errors.js';
import type { RestRequest } from './rest-xml.js';

/** Sub-resources S3 has and the simulator does not model: asking for one answers 501 NotImplemented. */
const UNMODELLED = new Set([
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'delete',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'logging',
  'metadataConfiguration',
  'metrics',
  'notification',
  'ownershipControls',
  'policy',
  'policyStatus',
  'renameObject',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'session',
  'tagging',
  'torrent',
  'versions',
  'website',
]);

function notModelled(what: string): AwsError {
  return new AwsError('NotImplemented', `A header you provided implies functionality that is not implemented`, 501, {
    Header: what,
  });
}

function methodNotAllowed(method: string, resourceType: string): AwsError {
  return new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, {
    Method: method,
    ResourceType: resourceType,
  });
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new AwsError('InvalidURI', "Couldn't parse the specified URI.", 400, { URI: s });
  }
}

export interface S3Route {
  action: string;
  params: Record<string, string>;
}

/**
 * The bucket a virtual-hosted-style Host header names: `<bucket>.localhost[:port]` or
 * `<bucket>.s3[.<region>|-<region>|.dualstack…].amazonaws.com`. IP addresses, plain `localhost` and any other host
 * name mean path style.
 */
export function virtualHostBucket(host: string | undefined): string | undefined {
  if (!host || host.startsWith('[')) return undefined;
  const name = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const m = /^(.+)\.localhost$/.exec(name) ?? /^(.+?)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$/.exec(name);
  return m?.[1];
}

/** The operation of an S3 request (throws NotImplemented / MethodNotAllowed when there is none here). */
export function s3Route(req: RestRequest): S3Route {
  const { method, query } = req;
  const hosted = virtualHostBucket(req.headers.host);
  let bucket: string;
  let key: string;
  if (hosted !== undefined) {
    bucket = hosted;
    key = decodeSegment(req.path.replace(/^\//, ''));
  } else {
    const rest = req.path.replace(/^\/+/, '');
    const slash = rest.indexOf('/');
    bucket = decodeSegment(slash < 0 ? rest : rest.slice(0, slash));
    key = slash < 0 ? '' : decodeSegment(rest.slice(slash + 1));
  }
  const has = (name: string): boolean => query.has(name);
  for (const name of query.keys()) if (UNMODELLED.has(name)) throw notModelled(`?${name}`);

  const params: Record<string, string> = {};
  if (bucket) params.Bucket = bucket;
  if (key) params.Key = key;
  for (const name of ['uploadId', 'partNumber', 'versionId']) {
    const v = query.get(name);
    if (v !== null) params[name] = v;
  }
  const copySource = req.headers['x-amz-copy-source'];
  if (copySource !== undefined) params.CopySource = copySource;
  const route = (action: string): S3Route => ({ action, params });

  if (!bucket) {
    if (method === 'GET') return route('ListBuckets');
    throw methodNotAllowed(method, 'SERVICE');
  }
  if (!key) {
    switch (method) {
      case 'PUT':
        if (has('versioning')) return route('PutBucketVersioning');
        if (has('encryption')) return route('PutBucketEncryption');
        if (has('publicAccessBlock')) return route('PutPublicAccessBlock');
        if (has('object-lock')) return route('PutObjectLockConfiguration');
        return route('CreateBucket');
      case 'GET':
        if (has('versioning')) return route('GetBucketVersioning');
        if (has('location')) return route('GetBucketLocation');
        if (has('encryption')) return route('GetBucketEncryption');
        if (has('publicAccessBlock')) return route('GetPublicAccessBlock');
        if (has('object-lock')) return route('GetObjectLockConfiguration');
        if (has('uploads')) throw notModelled('?uploads (ListMultipartUploads)');
        if (query.get('list-type') === '2') return route('ListObjectsV2');
        throw notModelled('ListObjects (version 1); use ListObjectsV2');
      case 'HEAD':
        return route('HeadBucket');
      case 'DELETE':
        if (has('encryption')) return route('DeleteBucketEncryption');
        if (has('publicAccessBlock')) return route('DeletePublicAccessBlock');
        if (has('object-lock')) throw methodNotAllowed(method, 'BUCKET');
        return route('DeleteBucket');
      default:
        throw methodNotAllowed(method, 'BUCKET');
    }
  }
  const copy = copySource !== undefined;
  switch (method) {
    case 'PUT':
      if (has('uploadId') || has('partNumber')) {
        if (copy) throw notModelled('x-amz-copy-source (UploadPartCopy)');
        return route('UploadPart');
      }
      return route(copy ? 'CopyObject' : 'PutObject');
    case 'GET':
      return route(has('uploadId') ? 'ListParts' : 'GetObject');
    case 'HEAD':
      return route('HeadObject');
    case 'DELETE':
      return route(has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject');
    case 'POST':
      if (has('uploads')) return route('CreateMultipartUpload');
      if (has('uploadId')) return route('CompleteMultipartUpload');
      throw methodNotAllowed(method, 'OBJECT');
    default:
      throw methodNotAllowed(method, 'OBJECT');
  }
}
