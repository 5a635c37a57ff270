// A bucket's configuration beyond versioning, as a CDK / CloudFormation bucket sets it: default encryption
// (Put/Get/DeleteBucketEncryption), Block Public Access (Put/Get/DeletePublicAccessBlock) and Object Lock
// (CreateBucket with x-amz-bucket-object-lock-enabled, Put/GetObjectLockConfiguration), and what Object Lock does to
// objects: each new version gets the retention asked for (x-amz-object-lock-mode / -retain-until-date) or the
// bucket's default, and a version under retention cannot be deleted (GOVERNANCE: unless
// x-amz-bypass-governance-retention: true).

import type { CallContext, RestHandler } from '../framework.js';
import { childrenNamed, childText, type XmlElement } from '../../protocol/xml-parse.js';
import type { PublicAccessBlock, Retention, S3Bucket, S3ObjectVersion } from '../../state/s3.js';
import { AwsError } from '../../errors.js';
import { bucketFor } from './access.js';
import { xmlBody } from './buckets.js';
import { s3Errors } from './errors.js';
import { readPayload } from './integrity.js';

function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el ? childrenNamed(el, name)[0] : undefined;
}

function bool(el: XmlElement, name: string): boolean {
  const v = childText(el, name);
  if (v === undefined) return false;
  if (v !== 'true' && v !== 'false') throw s3Errors.malformedXml();
  return v === 'true';
}

// ---- default encryption ---------------------------------------------------------------------------------------

const putBucketEncryption: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'owner');
  const { data } = readPayload(call);
  const config = xmlBody(data, 'ServerSideEncryptionConfiguration');
  const rules = config ? childrenNamed(config, 'Rule') : [];
  if (rules.length !== 1) throw s3Errors.malformedXml();
  const rule = rules[0]!;
  const byDefault = child(rule, 'ApplyServerSideEncryptionByDefault');
  const algorithm = byDefault ? childText(byDefault, 'SSEAlgorithm') : undefined;
  const kmsKeyId = byDefault ? childText(byDefault, 'KMSMasterKeyID') : undefined;
  if (algorithm !== 'AES256' && algorithm !== 'aws:kms') {
    if (algorithm === 'aws:kms:dsse') throw s3Errors.notImplemented('aws:kms:dsse (DSSE-KMS is not simulated)');
    throw s3Errors.malformedXml();
  }
  if (algorithm === 'AES256' && kmsKeyId)
    throw s3Errors.invalidArgument(
      'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
      'ApplyServerSideEncryptionByDefault',
      kmsKeyId,
    );
  bucket.encryption = {
    algorithm,
    kmsKeyId: algorithm === 'aws:kms' ? kmsKeyId || undefined : undefined,
    bucketKeyEnabled: bool(rule, 'BucketKeyEnabled'),
  };
  return {};
};

const getBucketEncryption: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'owner');
  const e = bucket.encryption;
  return {
    xml: {
      root: 'ServerSideEncryptionConfiguration',
      data: {
        Rule: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: e.algorithm, KMSMasterKeyID: e.kmsKeyId },
            BucketKeyEnabled: String(e.bucketKeyEnabled ?? false),
          },
        ],
      },
    },
  };
};

/** Every bucket keeps a default encryption: deleting the configuration goes back to SSE-S3. */
const deleteBucketEncryption: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'owner');
  bucket.encryption = { algorithm: 'AES256', bucketKeyEnabled: false };
  return { status: 204 };
};

// ---- Block Public Access ---------------------------------------------------------------------------------------

const PAB_FIELDS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

const putPublicAccessBlock: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'owner');
  const { data } = readPayload(call);
  const config = xmlBody(data, 'PublicAccessBlockConfiguration');
  if (!config) throw s3Errors.malformedXml();
  const pab = {} as PublicAccessBlock;
  for (const f of PAB_FIELDS) pab[f] = bool(config, f);
  bucket.publicAccessBlock = pab;
  return {};
};

const getPublicAccessBlock: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'owner');
  const pab = bucket.publicAccessBlock;
  if (!pab)
    throw new AwsError(
      'NoSuchPublicAccessBlockConfiguration',
      'The public access block configuration was not found',
      404,
      { BucketName: bucket.name },
    );
  return {
    xml: {
      root: 'PublicAccessBlockConfiguration',
      data: Object.fromEntries(PAB_FIELDS.map((f) => [f, String(pab[f])])),
    },
  };
};

const deletePublicAccessBlock: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'owner');
  bucket.publicAccessBlock = undefined;
  return { status: 204 };
};

// ---- Object Lock -----------------------------------------------------------------------------------------------

function lockNotFound(): AwsError {
  return new AwsError(
    'ObjectLockConfigurationNotFoundError',
    'Object Lock configuration does not exist for this bucket',
    404,
  );
}

const MODES = new Set(['GOVERNANCE', 'COMPLIANCE']);

const putObjectLockConfiguration: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'owner');
  const { data } = readPayload(call);
  const config = xmlBody(data, 'ObjectLockConfiguration');
  if (!config || childText(config, 'ObjectLockEnabled') !== 'Enabled') throw s3Errors.malformedXml();
  if (bucket.versioning !== 'Enabled')
    throw new AwsError(
      'InvalidBucketState',
      "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
      409,
    );
  const retention = child(child(config, 'Rule'), 'DefaultRetention');
  if (!retention) {
    bucket.objectLock = {};
    return {};
  }
  const mode = childText(retention, 'Mode');
  const daysText = childText(retention, 'Days');
  const yearsText = childText(retention, 'Years');
  if (!mode || !MODES.has(mode)) throw s3Errors.malformedXml();
  if ((daysText === undefined) === (yearsText === undefined)) throw s3Errors.malformedXml(); // exactly one of Days and Years
  const n = Number(daysText ?? yearsText);
  if (!Number.isInteger(n) || n <= 0)
    throw s3Errors.invalidArgument(
      'Default retention period must be a positive integer value.',
      daysText !== undefined ? 'Days' : 'Years',
      String(daysText ?? yearsText),
    );
  bucket.objectLock = {
    defaultRetention: {
      mode: mode as Retention['mode'],
      ...(daysText !== undefined ? { days: n } : { years: n }),
    },
  };
  return {};
};

const getObjectLockConfiguration: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'owner');
  const lock = bucket.objectLock;
  if (!lock) throw lockNotFound();
  const d = lock.defaultRetention;
  return {
    xml: {
      root: 'ObjectLockConfiguration',
      data: {
        ObjectLockEnabled: 'Enabled',
        Rule: d ? { DefaultRetention: { Mode: d.mode, Days: d.days, Years: d.years } } : undefined,
      },
    },
  };
};

/**
 * The retention a new version gets: the request's x-amz-object-lock-mode and -retain-until-date, else the bucket's
 * default. Lock headers on a bucket without Object Lock are InvalidRequest, as is a write under retention that
 * carries neither Content-MD5 nor an additional checksum.
 */
export function retentionFor(
  ctx: CallContext,
  bucket: S3Bucket,
  headers: Record<string, string>,
  integrity: boolean,
): Retention | undefined {
  const mode = headers['x-amz-object-lock-mode'];
  const until = headers['x-amz-object-lock-retain-until-date'];
  if (headers['x-amz-object-lock-legal-hold'] === 'ON')
    throw s3Errors.notImplemented('x-amz-object-lock-legal-hold (legal holds are not simulated)');
  let retention: Retention | undefined;
  if (mode !== undefined || until !== undefined) {
    if (!bucket.objectLock) throw s3Errors.invalidRequest('Bucket is missing Object Lock Configuration');
    if (mode === undefined || until === undefined)
      throw s3Errors.invalidArgument(
        'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied',
        mode === undefined ? 'x-amz-object-lock-mode' : 'x-amz-object-lock-retain-until-date',
        mode ?? until ?? '',
      );
    if (!MODES.has(mode)) throw s3Errors.invalidArgument('Unknown wormMode directive.', 'x-amz-object-lock-mode', mode);
    const t = Date.parse(until);
    if (Number.isNaN(t))
      throw s3Errors.invalidArgument(
        'The retain until date must be provided in ISO 8601 format',
        'x-amz-object-lock-retain-until-date',
        until,
      );
    if (t <= ctx.world.clock.now())
      throw s3Errors.invalidArgument(
        'The retain until date must be in the future!',
        'x-amz-object-lock-retain-until-date',
        until,
      );
    retention = { mode: mode as Retention['mode'], retainUntil: new Date(t).toISOString() };
  } else if (bucket.objectLock?.defaultRetention) {
    const d = bucket.objectLock.defaultRetention;
    const end = new Date(ctx.world.clock.now());
    if (d.days !== undefined) end.setUTCDate(end.getUTCDate() + d.days);
    if (d.years !== undefined) end.setUTCFullYear(end.getUTCFullYear() + d.years);
    retention = { mode: d.mode, retainUntil: end.toISOString() };
  }
  if (retention && !integrity)
    throw s3Errors.invalidRequest(
      'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters',
    );
  return retention;
}

/** The headers that report a version's retention on GET / HEAD. */
export function retentionHeaders(v: S3ObjectVersion): Record<string, string | undefined> {
  return {
    'x-amz-object-lock-mode': v.retention?.mode,
    'x-amz-object-lock-retain-until-date': v.retention?.retainUntil,
  };
}

/** Deleting a version for good: refused while its retention lasts (GOVERNANCE can be bypassed). */
export function checkDeleteRetention(
  ctx: CallContext,
  v: S3ObjectVersion | undefined,
  headers: Record<string, string>,
) {
  const r = v?.retention;
  if (!r || Date.parse(r.retainUntil) <= ctx.world.clock.now()) return;
  if (r.mode === 'GOVERNANCE' && headers['x-amz-bypass-governance-retention']?.toLowerCase() === 'true') return;
  throw new AwsError('AccessDenied', 'Access Denied because object protected by object lock.', 403);
}

export const configActions: Record<string, RestHandler> = {
  PutBucketEncryption: putBucketEncryption,
  GetBucketEncryption: getBucketEncryption,
  DeleteBucketEncryption: deleteBucketEncryption,
  PutPublicAccessBlock: putPublicAccessBlock,
  GetPublicAccessBlock: getPublicAccessBlock,
  DeletePublicAccessBlock: deletePublicAccessBlock,
  PutObjectLockConfiguration: putObjectLockConfiguration,
  GetObjectLockConfiguration: getObjectLockConfiguration,
};
