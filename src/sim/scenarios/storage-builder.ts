// A scenario region's S3 buckets (with their objects) and SNS topics. Bucket names are global within a partition,
// so a name may appear once in the whole scenario; a bucket belongs to the account and region it is declared in.

import type { World } from '../state/world.js';
import type { RegionState } from '../state/types.js';
import type { ScenarioRegion } from './schema.js';
import { ScenarioError } from './errors.js';
import { AwsError } from '../errors.js';
import { checkBucketName, sseOf } from '../services/s3/access.js';
import { BLOCK_ALL, newBucket } from '../services/s3/buckets.js';
import { checksumBase64, etagOf } from '../services/s3/checksums.js';
import { makeTopic } from '../services/sns/topics.js';

/** Where each bucket name was declared, across the scenario. */
export type BucketNames = Map<string, string>;

export function buildStorage(
  world: World,
  accountId: string,
  region: RegionState,
  spec: ScenarioRegion,
  path: string,
  seen: BucketNames,
): void {
  const created = new Date(Math.floor(world.clock.now() / 1000) * 1000).toISOString();
  spec.s3Buckets.forEach((b, i) => {
    const at = `${path}.s3Buckets[${i}]`;
    try {
      checkBucketName(b.name);
    } catch {
      throw new ScenarioError(`${at}.name: "${b.name}" is not a valid bucket name`);
    }
    const first = seen.get(b.name);
    if (first)
      throw new ScenarioError(
        `${at}.name: bucket "${b.name}" is already declared at ${first} (bucket names are global)`,
      );
    seen.set(b.name, at);
    const bucket = newBucket(b.name, accountId, region.name, created);
    bucket.versioning = b.versioning;
    if (b.encryption !== undefined) {
      const e = typeof b.encryption === 'string' ? { algorithm: b.encryption, bucketKeyEnabled: false } : b.encryption;
      if (e.algorithm === 'AES256' && 'kmsKeyId' in e && e.kmsKeyId)
        throw new ScenarioError(`${at}.encryption.kmsKeyId: only for "aws:kms"`);
      bucket.encryption = { ...e };
    }
    const pab = b.publicAccessBlock;
    bucket.publicAccessBlock =
      pab === true
        ? { ...BLOCK_ALL }
        : pab === false
          ? undefined
          : {
              BlockPublicAcls: pab.blockPublicAcls,
              IgnorePublicAcls: pab.ignorePublicAcls,
              BlockPublicPolicy: pab.blockPublicPolicy,
              RestrictPublicBuckets: pab.restrictPublicBuckets,
            };
    if (b.objectLock !== undefined) {
      if (b.versioning === 'Suspended')
        throw new ScenarioError(`${at}.versioning: Object Lock needs versioning "Enabled"`);
      bucket.versioning = 'Enabled';
      bucket.objectLock = b.objectLock === true ? {} : { defaultRetention: { ...b.objectLock } };
    }
    bucket.allowAccounts = [...b.allowAccounts];
    const keys = new Set<string>();
    b.objects.forEach((o, j) => {
      if (keys.has(o.key)) throw new ScenarioError(`${at}.objects[${j}].key: "${o.key}" appears twice`);
      keys.add(o.key);
      const body = o.bodyBase64 !== undefined ? Buffer.from(o.bodyBase64, 'base64') : Buffer.from(o.body ?? '', 'utf8');
      bucket.objects.set(o.key, [
        {
          key: o.key,
          versionId: bucket.versioning === 'Enabled' ? world.ids.hex('s3v', 32).slice(4) : 'null',
          deleteMarker: false,
          body,
          etag: etagOf(body),
          lastModified: created,
          headers: { 'content-type': o.contentType ?? 'binary/octet-stream' },
          metadata: Object.fromEntries(Object.entries(o.metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
          checksum: { algorithm: 'CRC64NVME', value: checksumBase64('CRC64NVME', body), type: 'FULL_OBJECT' },
          sse: sseOf({}, bucket),
        },
      ]);
    });
    world.s3.buckets.set(b.name, bucket);
  });
  spec.snsTopics.forEach((t, i) => {
    const at = `${path}.snsTopics[${i}]`;
    let topic;
    try {
      topic = makeTopic(accountId, region.name, t.name, { ...t.attributes }, { ...(t.tags ?? {}) });
    } catch (e) {
      if (e instanceof AwsError) throw new ScenarioError(`${at}: ${e.message}`);
      throw e;
    }
    if (region.sns.topics.has(topic.arn)) throw new ScenarioError(`${at}.name: topic "${t.name}" appears twice`);
    region.sns.topics.set(topic.arn, topic);
  });
}
