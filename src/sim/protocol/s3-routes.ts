// S3's REST routing, path style only (`/bucket/key`, what clients send with forcePathStyle: true or an IP
// endpoint): which operation a method, path and query string are. The SDK adds `x-id=<Operation>` to some
// requests; like S3, the router ignores it and goes by the method and the sub-resource in the query.

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
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'logging',
  'metadataConfiguration',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
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

/** The operation of an S3 request (throws NotImplemented / MethodNotAllowed when there is none here). */
export function s3Route(req: RestRequest): S3Route {
  const { method, query } = req;
  const rest = req.path.replace(/^\/+/, '');
  const slash = rest.indexOf('/');
  const bucket = decodeSegment(slash < 0 ? rest : rest.slice(0, slash));
  const key = slash < 0 ? '' : decodeSegment(rest.slice(slash + 1));
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
        return route(has('versioning') ? 'PutBucketVersioning' : 'CreateBucket');
      case 'GET':
        if (has('versioning')) return route('GetBucketVersioning');
        if (has('location')) return route('GetBucketLocation');
        if (has('uploads')) throw notModelled('?uploads (ListMultipartUploads)');
        if (query.get('list-type') === '2') return route('ListObjectsV2');
        throw notModelled('ListObjects (version 1); use ListObjectsV2');
      case 'HEAD':
        return route('HeadBucket');
      case 'DELETE':
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
