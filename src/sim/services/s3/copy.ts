// CopyObject: a server-side copy (source from x-amz-copy-source, any region the caller may read), with the source's
// metadata (COPY) or the request's (REPLACE), the copy-source preconditions and the target's conditional write.

import type { RestHandler } from '../framework.js';
import type { StoredChecksum } from '../../state/s3.js';
import {
  bucketFor,
  keyOf,
  nowSeconds,
  objectArn,
  parseCopySource,
  sseHeaders,
  sseOf,
  storedHeaders,
  userMetadata,
} from './access.js';
import { algorithmNamed, checksumBase64, checksumMember, etagOf } from './checksums.js';
import { retentionFor } from './config.js';
import { s3Errors } from './errors.js';
import { checkReadConditions, checkWriteConditions, putVersion, versionHeader, versionToRead } from './store.js';

const copyObject: RestHandler = (ctx, call) => {
  const src = parseCopySource(call.params.CopySource!);
  const srcBucket = bucketFor(ctx, src.bucket, 'data', {
    anyRegion: true,
    iamAction: src.versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion',
    resource: objectArn(src.bucket, src.key),
  });
  const source = versionToRead(srcBucket, src.key, src.versionId);
  checkReadConditions(call.headers, source, 'x-amz-copy-source-');

  const bucket = bucketFor(ctx, call.params.Bucket!, 'data');
  const key = keyOf(call);
  const directive = call.headers['x-amz-metadata-directive'] ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE')
    throw s3Errors.invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', directive);
  const askedAlgorithm = call.headers['x-amz-checksum-algorithm'];
  const algorithm = algorithmNamed(askedAlgorithm) ?? source.checksum?.algorithm ?? 'CRC64NVME';
  if (askedAlgorithm !== undefined && !algorithmNamed(askedAlgorithm))
    throw s3Errors.invalidRequest('Value for x-amz-checksum-algorithm header is invalid.');
  const sameObject = srcBucket === bucket && src.key === key;
  const changes =
    directive === 'REPLACE' ||
    askedAlgorithm !== undefined ||
    call.headers['x-amz-server-side-encryption'] !== undefined ||
    call.headers['x-amz-storage-class'] !== undefined;
  if (sameObject && !changes)
    throw s3Errors.invalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  checkWriteConditions(call.headers, bucket, key);
  const retention = retentionFor(ctx, bucket, call.headers, true);

  const body = source.body;
  const checksum: StoredChecksum = { algorithm, value: checksumBase64(algorithm, body), type: 'FULL_OBJECT' };
  const v = putVersion(ctx, bucket, {
    key,
    deleteMarker: false,
    body,
    etag: etagOf(body),
    lastModified: nowSeconds(ctx),
    headers:
      directive === 'COPY' ? { ...source.headers } : storedHeaders(call.headers, call.headers['content-encoding']),
    metadata: directive === 'COPY' ? { ...source.metadata } : userMetadata(call.headers),
    checksum,
    sse: sseOf(call.headers, bucket),
    retention,
  });
  return {
    headers: {
      ...versionHeader(bucket, v),
      'x-amz-copy-source-version-id': srcBucket.versioning ? source.versionId : undefined,
      ...sseHeaders(v.sse),
    },
    xml: {
      root: 'CopyObjectResult',
      data: {
        ETag: v.etag,
        LastModified: v.lastModified,
        ChecksumType: checksum.type,
        [checksumMember(checksum.algorithm)]: checksum.value,
      },
    },
  };
};

export const copyActions: Record<string, RestHandler> = { CopyObject: copyObject };
