// The S3 state store (`--state s3://bucket/prefix`): the journal and the evidence of every incident under
// `<prefix>/<incident>/`, written with S3's SHA-256 checksums. Journal lines go up as segments that are never
// overwritten (If-None-Match: *), each named by the line it starts at, so the journal is their concatenation in key
// order; files (evidence, manifests, run records) through the SDK's multipart helper when large.

import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { CordonError, EXIT } from '../core/errors.js';
import { isIncidentId } from '../core/incident-id.js';

export interface StateLocation {
  bucket: string;
  /** Without leading or trailing slash; '' for the bucket's root. */
  prefix: string;
}

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket[/prefix]`; a clear usage error otherwise. */
export function parseStateUrl(url: string): StateLocation {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url);
  const bad = (why: string): never => {
    throw new CordonError(
      'usage',
      `--state "${url}": ${why}`,
      EXIT.usage,
      'give s3://BUCKET/PREFIX (an existing bucket you can write to) or a local directory',
    );
  };
  if (!m) return bad('not an s3:// URL');
  const bucket = m[1]!;
  if (!BUCKET_RE.test(bucket) || bucket.includes('..')) bad(`"${bucket}" is not a valid bucket name`);
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((p) => p === '.' || p === '..')) bad('the prefix may not contain . or .. segments');
  return { bucket, prefix };
}

export interface S3StateOptions {
  region: string;
  endpointUrl?: string;
  profile?: string;
  roleArn?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/** Objects of at least this size go up in parts (the SDK's Upload helper); smaller ones in one PutObject. */
const MULTIPART_FROM = 8 * 1024 * 1024;

export class S3StateStore {
  readonly url: string;
  private readonly s3: S3Client;
  constructor(
    readonly location: StateLocation,
    o: S3StateOptions,
  ) {
    this.url = `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
    let credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider =
      o.credentials ?? fromNodeProviderChain(o.profile ? { profile: o.profile } : {});
    if (o.roleArn)
      credentials = fromTemporaryCredentials({
        masterCredentials: credentials,
        params: { RoleArn: o.roleArn, RoleSessionName: `cordon-state-${Date.now()}` },
        clientConfig: { region: o.region, ...(o.endpointUrl ? { endpoint: o.endpointUrl } : {}) },
      });
    const config: S3ClientConfig = {
      region: o.region,
      credentials,
      maxAttempts: 5,
      // The bucket may be in another region than the instances: follow S3's redirect to it.
      followRegionRedirects: true,
      requestHandler: { connectionTimeout: 10_000, requestTimeout: 60_000 },
      // A custom endpoint (the simulator, an S3-compatible server): path-style addressing, no DNS per bucket.
      ...(o.endpointUrl ? { endpoint: o.endpointUrl, forcePathStyle: true } : {}),
    };
    this.s3 = new S3Client(config);
  }

  private key(...parts: string[]): string {
    return [this.location.prefix, ...parts].filter(Boolean).join('/');
  }

  /** A segment of the journal: lines firstLine… of the incident's journal, never overwritten. */
  async putJournalSegment(incident: string, firstLine: number, text: string): Promise<void> {
    const body = Buffer.from(text);
    const sha = createHash('sha256').update(body).digest();
    const name = `${String(firstLine).padStart(10, '0')}-${sha.toString('hex').slice(0, 12)}.jsonl`;
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.location.bucket,
          Key: this.key(incident, 'journal', name),
          Body: body,
          ContentType: 'application/x-ndjson',
          ChecksumSHA256: sha.toString('base64'),
          IfNoneMatch: '*',
        }),
      );
    } catch (e) {
      // The same segment already there: a retried request whose first attempt was stored. Same name, same bytes.
      if ((e as { name?: string }).name === 'PreconditionFailed') return;
      throw e;
    }
  }

  private async list(prefix: string, delimiter?: string): Promise<{ keys: string[]; prefixes: string[] }> {
    const keys: string[] = [];
    const prefixes: string[] = [];
    for await (const page of paginateListObjectsV2(
      { client: this.s3 },
      { Bucket: this.location.bucket, Prefix: prefix, Delimiter: delimiter },
    )) {
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) prefixes.push(p.Prefix);
    }
    return { keys, prefixes };
  }

  /** The incidents under the prefix (each one a folder). */
  async listIncidents(): Promise<string[]> {
    const base = this.key() ? `${this.key()}/` : '';
    const { prefixes } = await this.list(base, '/');
    return prefixes.map((p) => p.slice(base.length, -1)).filter(isIncidentId);
  }

  /** The incident's journal: its segments in order, concatenated (undefined when there is none). */
  async readJournal(incident: string): Promise<string | undefined> {
    const { keys } = await this.list(`${this.key(incident, 'journal')}/`);
    if (keys.length === 0) return undefined;
    const parts = await Promise.all(keys.sort().map((k) => this.get(k)));
    return parts.map((b) => b.toString('utf8')).join('');
  }

  private async get(key: string): Promise<Buffer> {
    const r = await this.s3.send(
      new GetObjectCommand({ Bucket: this.location.bucket, Key: key, ChecksumMode: 'ENABLED' }),
    );
    return Buffer.from(await r.Body!.transformToByteArray());
  }

  /** Uploads a local file as `<incident>/<rel>` with a SHA-256 checksum (in parts when large). */
  async putFile(incident: string, rel: string, path: string, size: number): Promise<void> {
    const Key = this.key(incident, rel);
    if (size < MULTIPART_FROM) {
      const { readFile } = await import('node:fs/promises');
      const body = await readFile(path);
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.location.bucket,
          Key,
          Body: body,
          ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
        }),
      );
      return;
    }
    await new Upload({
      client: this.s3,
      params: { Bucket: this.location.bucket, Key, Body: createReadStream(path), ChecksumAlgorithm: 'SHA256' },
      queueSize: 4,
      partSize: MULTIPART_FROM,
    }).done();
  }

  /** Files under `<incident>/<relPrefix>` (relative to the incident). */
  async listFiles(incident: string, relPrefix: string): Promise<string[]> {
    const base = `${this.key(incident)}/`;
    const { keys } = await this.list(`${base}${relPrefix}`);
    return keys.map((k) => k.slice(base.length));
  }

  async getFile(incident: string, rel: string): Promise<Buffer> {
    return this.get(this.key(incident, rel));
  }

  destroy(): void {
    this.s3.destroy();
  }
}

/** S3 options with the same credentials and endpoint as an account's clients (the library's string form). */
export async function storeOptionsFromClients(clients: {
  region: string;
  ec2: { config: { credentials: unknown; endpoint?: () => Promise<unknown> } };
}): Promise<S3StateOptions> {
  const ep = (await clients.ec2.config.endpoint?.()) as
    { protocol: string; hostname: string; port?: number; path?: string } | undefined;
  return {
    region: clients.region,
    credentials: clients.ec2.config.credentials as AwsCredentialIdentityProvider,
    endpointUrl: ep ? `${ep.protocol}//${ep.hostname}${ep.port ? `:${ep.port}` : ''}${ep.path ?? ''}` : undefined,
  };
}
