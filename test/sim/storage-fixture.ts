// A scenario and harness for the S3 and SNS tests: real @aws-sdk/client-s3 / client-sns clients against an
// in-process simulator, and a guard that the SDK parsed every answer without a warning (it reports parse problems
// through console.warn or its logger's warn).

import assert from 'node:assert/strict';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { startSimulator, type Simulator } from '../../src/sim/server.js';

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';

export const KEYS = {
  /** Everything, in ACCOUNT. */
  full: 'AKIASTORAGEFULL0001',
  /** s3:GetObject and s3:ListBucket only. */
  reader: 'AKIASTORAGEREAD0001',
  /** Everything but s3:PutObject and sns:Publish. */
  noWrite: 'AKIASTORAGENOWR0001',
  /** Everything, in OTHER_ACCOUNT. */
  other: 'AKIASTORAGEOTHR0001',
};

export function storageScenario(): Record<string, unknown> {
  return {
    name: 'storage',
    accounts: [
      {
        id: ACCOUNT,
        default: true,
        credentials: [
          { accessKeyId: KEYS.full, user: 'responder' },
          { accessKeyId: KEYS.reader, user: 'auditor', allow: ['s3:GetObject', 's3:ListBucket'] },
          { accessKeyId: KEYS.noWrite, user: 'limited', deny: ['s3:PutObject', 'sns:Publish'] },
        ],
        regions: [
          {
            name: 'us-east-1',
            s3Buckets: [
              {
                name: 'cordon-evidence',
                objects: [
                  { key: 'seed/hello.txt', body: 'seeded', contentType: 'text/plain', metadata: { Case: 'IR-1' } },
                ],
              },
              { name: 'shared-journal', allowAccounts: [OTHER_ACCOUNT] },
            ],
            snsTopics: [{ name: 'cordon-alerts', attributes: { DisplayName: 'cordon' } }],
          },
          { name: 'eu-west-1', s3Buckets: [{ name: 'cordon-eu', versioning: 'Enabled' }] },
        ],
      },
      { id: OTHER_ACCOUNT, credentials: [{ accessKeyId: KEYS.other, user: 'member' }], regions: [] },
    ],
  };
}

export interface ClientOptions {
  accessKeyId?: string;
  region?: string;
  maxAttempts?: number;
}

export interface StorageHarness {
  sim: Simulator;
  endpoint: string;
  s3: S3Client;
  sns: SNSClient;
  /** Another pair of clients (another key or region); destroyed with the harness. */
  s3As(o: ClientOptions): S3Client;
  snsAs(o: ClientOptions): SNSClient;
  /** Everything the SDK warned about (must stay empty). */
  warnings: unknown[];
}

/** Runs `fn` with a fresh simulator and clients; fails when the SDK warned about any answer. */
export async function withStorage(
  fn: (h: StorageHarness) => Promise<void>,
  scenario: Record<string, unknown> = storageScenario(),
): Promise<void> {
  const sim = await startSimulator({ scenario });
  const warnings: unknown[] = [];
  const originalWarn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args);
  const logger = {
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (...args: unknown[]) => void warnings.push(args),
    error: () => undefined, // the SDK logs every failed call here; the tests look at the errors themselves
  };
  const made: { destroy(): void }[] = [];
  const config = (o: ClientOptions) => ({
    endpoint: sim.endpoint,
    region: o.region ?? 'us-east-1',
    credentials: { accessKeyId: o.accessKeyId ?? KEYS.full, secretAccessKey: 'sim-secret' },
    maxAttempts: o.maxAttempts ?? 1,
    logger,
  });
  const s3As = (o: ClientOptions): S3Client => {
    const c = new S3Client({ ...config(o), forcePathStyle: true });
    made.push(c);
    return c;
  };
  const snsAs = (o: ClientOptions): SNSClient => {
    const c = new SNSClient(config(o));
    made.push(c);
    return c;
  };
  const h: StorageHarness = { sim, endpoint: sim.endpoint, s3: s3As({}), sns: snsAs({}), s3As, snsAs, warnings };
  try {
    await fn(h);
  } finally {
    console.warn = originalWarn;
    for (const c of made) c.destroy();
    await sim.close();
  }
  assert.deepEqual(warnings, [], 'the SDK warned about an answer of the simulator');
}

/** Runs fn and returns the AWS error it throws (fails the test if it does not throw). */
export async function s3Error(
  fn: () => Promise<unknown>,
): Promise<{ name: string; status: number | undefined; message: string; raw: Record<string, unknown> }> {
  try {
    await fn();
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return {
      name: err.name,
      status: err.$metadata?.httpStatusCode,
      message: err.message,
      raw: e as Record<string, unknown>,
    };
  }
  throw new Error('expected an AWS error, but the call succeeded');
}

/** A hand-made S3 request (for bodies the SDK would never send): a SigV4-looking Authorization header. */
export async function rawS3(
  endpoint: string,
  method: string,
  path: string,
  o: { headers?: Record<string, string>; body?: Buffer | string; accessKeyId?: string; region?: string } = {},
): Promise<{ status: number; headers: Headers; body: string }> {
  const auth = `AWS4-HMAC-SHA256 Credential=${o.accessKeyId ?? KEYS.full}/20260101/${o.region ?? 'us-east-1'}/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;
  const res = await fetch(`${endpoint}${path}`, {
    method,
    headers: { authorization: auth, ...(o.headers ?? {}) },
    body: o.body,
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** Deterministic bytes (not all alike, so a misplaced part shows). */
export function pattern(size: number, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}
