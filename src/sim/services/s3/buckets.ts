// S3 buckets: CreateBucket, HeadBucket, DeleteBucket, ListBuckets, GetBucketLocation, Put/GetBucketVersioning.
// Names are global: a name taken by another account is BucketAlreadyExists; your own is BucketAlreadyOwnedByYou,
// except in us-east-1, where S3 answers 200 to a repeated CreateBucket (its legacy behaviour).

import { createHash } from 'node:crypto';
import type { CallContext, RestHandler } from '../framework.js';
import { parseXml, childText, XmlSyntaxError, type XmlElement } from '../../protocol/xml-parse.js';
import type { PublicAccessBlock, S3Bucket } from '../../state/s3.js';
import { AwsError } from '../../errors.js';
import { bucketFor, checkBucketName } from './access.js';
import { s3Errors } from './errors.js';
import { readPayload } from './integrity.js';

/** The canonical user id S3 shows as an account's owner id (64 hex digits; derived, so stable). */
export function canonicalId(accountId: string): string {
  return createHash('sha256').update(`s3-owner:${accountId}`).digest('hex');
}

export function ownerOf(accountId: string): { ID: string } {
  return { ID: canonicalId(accountId) };
}

/** The XML body of a request, or MalformedXML; undefined for an empty body. */
export function xmlBody(body: Buffer, root: string): XmlElement | undefined {
  const text = body.toString('utf8').trim();
  if (!text) return undefined;
  let el: XmlElement;
  try {
    el = parseXml(text);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw s3Errors.malformedXml();
    throw e;
  }
  if (el.name.replace(/^.*:/, '') !== root) throw s3Errors.malformedXml();
  return el;
}

export const BLOCK_ALL: PublicAccessBlock = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/** Creates a bucket directly (scenario loading uses this too). */
export function newBucket(name: string, accountId: string, region: string, creationDate: string): S3Bucket {
  return {
    name,
    accountId,
    region,
    creationDate,
    encryption: { algorithm: 'AES256', bucketKeyEnabled: false },
    publicAccessBlock: { ...BLOCK_ALL },
    objects: new Map(),
    uploads: new Map(),
    allowAccounts: [],
  };
}

const createBucket: RestHandler = (ctx, call) => {
  const name = call.params.Bucket!;
  checkBucketName(name);
  const objectLock = call.headers['x-amz-bucket-object-lock-enabled']?.toLowerCase() === 'true';
  const config = xmlBody(call.body, 'CreateBucketConfiguration');
  const constraint = config ? childText(config, 'LocationConstraint') : undefined;
  const region = ctx.regionName;
  if (constraint === 'us-east-1' || (constraint === '' && region !== 'us-east-1'))
    throw new AwsError('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400, {
      LocationConstraint: constraint,
    });
  if ((constraint === undefined && region !== 'us-east-1') || (constraint && constraint !== region)) {
    throw new AwsError(
      'IllegalLocationConstraintException',
      constraint
        ? `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`
        : 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.',
      400,
    );
  }
  const existing = ctx.world.s3.buckets.get(name);
  if (existing) {
    if (existing.accountId !== ctx.accountId) throw s3Errors.alreadyExists(name);
    if (!(region === 'us-east-1' && existing.region === 'us-east-1')) throw s3Errors.alreadyOwned(name);
    return { headers: { location: `/${name}` } };
  }
  const bucket = newBucket(name, ctx.accountId, region, ctx.nowIso());
  if (objectLock) {
    // Object Lock needs versioning: S3 enables it with the lock, for good.
    bucket.objectLock = {};
    bucket.versioning = 'Enabled';
  }
  ctx.world.s3.buckets.set(name, bucket);
  return { headers: { location: `/${name}` } };
};

const headBucket: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'data');
  return { headers: { 'x-amz-bucket-region': bucket.region, 'x-amz-access-point-alias': 'false' } };
};

const deleteBucket: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'owner');
  if (bucket.objects.size > 0) throw s3Errors.notEmpty(bucket.name, bucket.versioning !== undefined);
  ctx.world.s3.buckets.delete(bucket.name);
  return { status: 204 };
};

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const listBuckets: RestHandler = (ctx, call) => {
  const prefix = call.query.get('prefix') ?? '';
  const regionFilter = call.query.get('bucket-region');
  const maxText = call.query.get('max-buckets');
  const max = maxText === null ? undefined : Number(maxText);
  if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > 10000))
    throw s3Errors.invalidArgument(
      'Argument max-buckets must be an integer between 1 and 10000.',
      'max-buckets',
      maxText!,
    );
  const token = call.query.get('continuation-token');
  const after = token ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const mine = [...ctx.world.s3.buckets.values()]
    .filter((b) => b.accountId === ctx.accountId && b.name.startsWith(prefix))
    .filter((b) => regionFilter === null || b.region === regionFilter)
    .sort((a, b) => byteOrder(a.name, b.name))
    .filter((b) => !after || byteOrder(b.name, after) > 0);
  const page = max === undefined ? mine : mine.slice(0, max);
  const next = page.length < mine.length ? Buffer.from(page.at(-1)!.name).toString('base64url') : undefined;
  return {
    xml: {
      root: 'ListAllMyBucketsResult',
      data: {
        Buckets: { Bucket: page.map((b) => ({ Name: b.name, CreationDate: b.creationDate, BucketRegion: b.region })) },
        Owner: ownerOf(ctx.accountId),
        ContinuationToken: next,
        Prefix: call.query.get('prefix') ?? undefined,
      },
    },
  };
};

const getBucketLocation: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'owner', { anyRegion: true });
  return { xml: { root: 'LocationConstraint', data: bucket.region === 'us-east-1' ? '' : bucket.region } };
};

const putBucketVersioning: RestHandler = (ctx, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'owner');
  const { data } = readPayload(call); // verifies the Content-MD5 / checksum the SDK sends with it
  const config = xmlBody(data, 'VersioningConfiguration');
  const status = config ? childText(config, 'Status') : undefined;
  if (status !== 'Enabled' && status !== 'Suspended') throw s3Errors.malformedXml();
  const mfa = config ? childText(config, 'MfaDelete') : undefined;
  if (mfa === 'Enabled') throw s3Errors.notImplemented('MfaDelete (MFA delete is not simulated)');
  if (bucket.objectLock && status !== 'Enabled')
    throw new AwsError(
      'InvalidBucketState',
      'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.',
      409,
    );
  bucket.versioning = status;
  return {};
};

const getBucketVersioning: RestHandler = (ctx: CallContext, call) => {
  const bucket = bucketFor(ctx, call.params.Bucket!, 'owner');
  return {
    xml: {
      root: 'VersioningConfiguration',
      data: bucket.versioning ? { Status: bucket.versioning } : {},
    },
  };
};

export const bucketActions: Record<string, RestHandler> = {
  CreateBucket: createBucket,
  HeadBucket: headBucket,
  DeleteBucket: deleteBucket,
  ListBuckets: listBuckets,
  GetBucketLocation: getBucketLocation,
  PutBucketVersioning: putBucketVersioning,
  GetBucketVersioning: getBucketVersioning,
};
