import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, type AgentOptions } from 'node:http';
import {
  CreateBucketCommand,
  DeleteBucketEncryptionCommand,
  DeleteObjectCommand,
  DeletePublicAccessBlockCommand,
  GetBucketEncryptionCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { virtualHostBucket } from '../../src/sim/protocol/s3-routes.js';
import { withStorage, s3Error, KEYS, pattern, storageScenario } from './storage-fixture.js';

test('default encryption: SSE-S3 until configured; SSE-KMS then applies to new objects; delete goes back to SSE-S3', async () => {
  await withStorage(async ({ s3 }) => {
    const Bucket = 'cordon-evidence';
    const initial = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
    assert.deepEqual(initial.ServerSideEncryptionConfiguration?.Rules, [
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false },
    ]);
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );
    const got = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
    assert.deepEqual(got.ServerSideEncryptionConfiguration?.Rules?.[0], {
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key },
      BucketKeyEnabled: true,
    });
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'kms.txt', Body: 'x' }));
    assert.equal(put.ServerSideEncryption, 'aws:kms');
    assert.equal(put.SSEKMSKeyId, key);
    assert.equal(put.BucketKeyEnabled, true);
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket }));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'kms.txt' }));
    assert.equal(head.ServerSideEncryption, 'aws:kms'); // an object keeps the encryption it was written with
    const after = await s3.send(new PutObjectCommand({ Bucket, Key: 'plain.txt', Body: 'y' }));
    assert.equal(after.ServerSideEncryption, 'AES256');
    const bad = await s3Error(() =>
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: key } }],
          },
        }),
      ),
    );
    assert.equal(bad.name, 'InvalidArgument');
  });
});

test('Block Public Access: all four on for a new bucket; Put replaces, Delete removes (then NoSuchPublicAccessBlockConfiguration)', async () => {
  await withStorage(async ({ s3 }) => {
    await s3.send(new CreateBucketCommand({ Bucket: 'cordon-pab' }));
    const all = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    const first = await s3.send(new GetPublicAccessBlockCommand({ Bucket: 'cordon-pab' }));
    assert.deepEqual(first.PublicAccessBlockConfiguration, all);
    const some = { ...all, BlockPublicPolicy: false };
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: 'cordon-pab', PublicAccessBlockConfiguration: some }));
    const second = await s3.send(new GetPublicAccessBlockCommand({ Bucket: 'cordon-pab' }));
    assert.deepEqual(second.PublicAccessBlockConfiguration, some);
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: 'cordon-pab' }));
    const gone = await s3Error(() => s3.send(new GetPublicAccessBlockCommand({ Bucket: 'cordon-pab' })));
    assert.equal(gone.name, 'NoSuchPublicAccessBlockConfiguration');
    assert.equal(gone.status, 404);
  });
});

test('Object Lock: CreateBucket enables it with versioning; default retention protects versions; COMPLIANCE cannot be bypassed', async () => {
  await withStorage(async ({ s3, sim }) => {
    const Bucket = 'cordon-worm';
    const none = await s3Error(() => s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'cordon-evidence' })));
    assert.equal(none.name, 'ObjectLockConfigurationNotFoundError');
    const noLock = await s3Error(() =>
      s3.send(
        new PutObjectCommand({
          Bucket: 'cordon-evidence',
          Key: 'x',
          Body: 'x',
          ObjectLockMode: 'GOVERNANCE',
          ObjectLockRetainUntilDate: new Date(Date.now() + 86_400_000),
        }),
      ),
    );
    assert.equal(noLock.name, 'InvalidRequest');

    await s3.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status, 'Enabled');
    const suspend = await s3Error(() =>
      s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } })),
    );
    assert.equal(suspend.name, 'InvalidBucketState');
    const plain = await s3.send(new GetObjectLockConfigurationCommand({ Bucket }));
    assert.deepEqual(plain.ObjectLockConfiguration, { ObjectLockEnabled: 'Enabled' });

    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } },
        },
      }),
    );
    const cfg = await s3.send(new GetObjectLockConfigurationCommand({ Bucket }));
    assert.deepEqual(cfg.ObjectLockConfiguration?.Rule, { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } });

    const put = await s3.send(
      new PutObjectCommand({ Bucket, Key: 'case-1/journal', Body: 'entry', ChecksumAlgorithm: 'SHA256' }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'case-1/journal' }));
    assert.equal(head.ObjectLockMode, 'COMPLIANCE');
    const now = sim.world.clock.now();
    const days = (head.ObjectLockRetainUntilDate!.getTime() - now) / 86_400_000;
    assert.ok(days > 29.9 && days <= 30, `retained ${days} days`);
    const locked = await s3Error(() =>
      s3.send(
        new DeleteObjectCommand({
          Bucket,
          Key: 'case-1/journal',
          VersionId: put.VersionId,
          BypassGovernanceRetention: true,
        }),
      ),
    );
    assert.equal(locked.name, 'AccessDenied');
    assert.equal(locked.status, 403);
    // A delete without a version id only adds a delete marker, which Object Lock allows.
    const marker = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'case-1/journal' }));
    assert.equal(marker.DeleteMarker, true);
    const old = await s3.send(new GetObjectCommand({ Bucket, Key: 'case-1/journal', VersionId: put.VersionId }));
    assert.equal(await old.Body!.transformToString(), 'entry');

    // GOVERNANCE given on the request: bypassed with the header; a multipart upload gets the default retention.
    const gov = await s3.send(
      new PutObjectCommand({
        Bucket,
        Key: 'gov',
        Body: 'g',
        ObjectLockMode: 'GOVERNANCE',
        ObjectLockRetainUntilDate: new Date(now + 86_400_000),
      }),
    );
    const refused = await s3Error(() =>
      s3.send(new DeleteObjectCommand({ Bucket, Key: 'gov', VersionId: gov.VersionId })),
    );
    assert.equal(refused.name, 'AccessDenied');
    await s3.send(
      new DeleteObjectCommand({ Bucket, Key: 'gov', VersionId: gov.VersionId, BypassGovernanceRetention: true }),
    );
    const big = await new Upload({
      client: s3,
      params: { Bucket, Key: 'disk.img', Body: pattern(6 * 1024 * 1024), ChecksumAlgorithm: 'SHA256' },
    }).done();
    const bigHead = await s3.send(new HeadObjectCommand({ Bucket, Key: 'disk.img', VersionId: big.VersionId }));
    assert.equal(bigHead.ObjectLockMode, 'COMPLIANCE');
    assert.equal(bigHead.ContentLength, 6 * 1024 * 1024);
  });
});

test('a scenario bucket takes encryption, publicAccessBlock and objectLock (as a CDK bucket would set them)', async () => {
  const scenario = storageScenario() as { accounts: { regions: { s3Buckets?: unknown[] }[] }[] };
  scenario.accounts[0]!.regions[0]!.s3Buckets!.push({
    name: 'cordon-cdk',
    encryption: 'aws:kms',
    publicAccessBlock: true,
    objectLock: { mode: 'GOVERNANCE', days: 1 },
  });
  await withStorage(async ({ s3 }) => {
    const Bucket = 'cordon-cdk';
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status, 'Enabled');
    const enc = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
    assert.equal(
      enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
      'aws:kms',
    );
    const lock = await s3.send(new GetObjectLockConfigurationCommand({ Bucket }));
    assert.deepEqual(lock.ObjectLockConfiguration?.Rule?.DefaultRetention, { Mode: 'GOVERNANCE', Days: 1 });
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'v' }));
    assert.equal(put.ServerSideEncryption, 'aws:kms');
    assert.equal(put.SSEKMSKeyId, 'arn:aws:kms:us-east-1:111122223333:alias/aws/s3');
  }, scenario);
});

test('virtual-hosted-style addressing: bucket.localhost:PORT, as the SDK sends it for a localhost endpoint without forcePathStyle', async () => {
  assert.equal(virtualHostBucket('cordon-evidence.localhost:4566'), 'cordon-evidence');
  assert.equal(virtualHostBucket('my.bucket.s3.eu-west-1.amazonaws.com'), 'my.bucket');
  assert.equal(virtualHostBucket('cordon-evidence.s3.amazonaws.com'), 'cordon-evidence');
  assert.equal(virtualHostBucket('s3.us-east-1.amazonaws.com'), undefined);
  assert.equal(virtualHostBucket('localhost:4566'), undefined);
  assert.equal(virtualHostBucket('127.0.0.1:4566'), undefined);
  assert.equal(virtualHostBucket('[::1]:4566'), undefined);

  await withStorage(async ({ endpoint }) => {
    // *.localhost does not resolve everywhere: send every host name to the simulator's address.
    const lookup: AgentOptions['lookup'] = (_host, opts, cb) => {
      const done = cb as (...a: unknown[]) => void;
      if ((opts as { all?: boolean }).all) done(null, [{ address: '127.0.0.1', family: 4 }]);
      else done(null, '127.0.0.1', 4);
    };
    const agent = new Agent({ keepAlive: true, lookup });
    const hosts: string[] = [];
    const s3 = new S3Client({
      endpoint: endpoint.replace('127.0.0.1', 'localhost'),
      region: 'us-east-1',
      credentials: { accessKeyId: KEYS.full, secretAccessKey: 'sim-secret' },
      maxAttempts: 1,
      requestHandler: { httpAgent: agent },
    });
    s3.middlewareStack.add(
      (next) => async (args) => {
        hosts.push((args.request as { hostname: string }).hostname);
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'cordon-vhost' }));
      await s3.send(new PutObjectCommand({ Bucket: 'cordon-vhost', Key: 'a/b c.txt', Body: 'hosted' }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'cordon-vhost', Key: 'a/b c.txt' }));
      assert.equal(await got.Body!.transformToString(), 'hosted');
      const list = await s3.send(new ListObjectsV2Command({ Bucket: 'cordon-vhost', Prefix: 'a/' }));
      assert.deepEqual(
        list.Contents?.map((o) => o.Key),
        ['a/b c.txt'],
      );
      const buckets = await s3.send(new ListBucketsCommand({}));
      assert.ok(buckets.Buckets?.some((b) => b.Name === 'cordon-vhost'));
      const missing = await s3Error(() => s3.send(new HeadObjectCommand({ Bucket: 'cordon-vhost', Key: 'nope' })));
      assert.equal(missing.status, 404);
      assert.ok(hosts.includes('cordon-vhost.localhost'), `hosts: ${hosts.join(', ')}`);
      assert.ok(hosts.includes('localhost')); // ListBuckets names no bucket
    } finally {
      s3.destroy();
      agent.destroy();
    }
  });
});
