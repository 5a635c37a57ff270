// Options shared by every AWS-touching command, and turning them into clients.

import { checkIncidentId } from '../core/incident-id.js';
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { AwsClients, AwsOptions } from '../aws/clients.js';
import { resolveRegion } from '../aws/region.js';
import type { RateLimitOptions } from '../aws/scheduler.js';
import { CordonError, EXIT } from '../core/errors.js';
import { parseOutput, type OutputFormat } from './output.js';
import type { StateStore } from '../engine/state-store.js';

export interface CommonOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  roleArn?: string;
  output: string;
  incident?: string;
  stateDir?: string;
  yes?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  rateLimits?: string;
  state?: string;
}

export function addAwsOptions(cmd: Command): Command {
  return cmd
    .option('--region <region>', 'AWS region (default: AWS_REGION / AWS_DEFAULT_REGION / profile)')
    .option('--profile <name>', 'shared-config profile for credentials')
    .option(
      '--endpoint-url <url>',
      'send every AWS call to this endpoint (e.g. a `cordon sim`); AWS_ENDPOINT_URL* also work',
    )
    .option('--role-arn <arn>', 'assume this role first (cross-account response)')
    .option('--output <format>', 'text or json', 'text')
    .option('--state-dir <dir>', 'where the journal and evidence live (default: $CORDON_HOME or ~/.cordon)')
    .option(
      '--state <location>',
      's3://BUCKET/PREFIX: journal and evidence in S3 (written ahead of every change; a working copy under the state dir), or a directory (= --state-dir)',
    )
    .option(
      '--rate-limits <json|file>',
      'the account\'s request buckets if not EC2\'s published ones: {"scale":3} or {"overrides":{"ModifyNetworkInterfaceAttribute":{"max":300,"refill":15}}}',
    );
}

/** `--rate-limits`: inline JSON or a JSON file, {scale?, overrides?, maxInFlight?, enabled?}. */
export function rateLimitsFrom(v: string | undefined): RateLimitOptions | undefined {
  if (v === undefined) return undefined;
  const inline = v.trim().startsWith('{');
  if (!inline && !existsSync(v))
    throw new CordonError(
      'usage',
      `--rate-limits: no such file "${v}"`,
      EXIT.usage,
      'give inline JSON such as \'{"scale":2}\'',
    );
  let raw: unknown;
  try {
    raw = JSON.parse(inline ? v : readFileSync(v, 'utf8'));
  } catch (e) {
    throw new CordonError('usage', `--rate-limits is not valid JSON: ${(e as Error).message}`, EXIT.usage);
  }
  const o = raw as RateLimitOptions;
  const bad = (why: string): never => {
    throw new CordonError(
      'usage',
      `--rate-limits: ${why}`,
      EXIT.usage,
      'e.g. {"scale":2} or {"overrides":{"CreateTags":{"max":200,"refill":20}}}',
    );
  };
  if (!o || typeof o !== 'object' || Array.isArray(o)) bad('expected a JSON object');
  for (const k of Object.keys(o))
    if (!['scale', 'overrides', 'maxInFlight', 'enabled'].includes(k)) bad(`unknown field "${k}"`);
  if (o.scale !== undefined && !(typeof o.scale === 'number' && o.scale > 0)) bad('scale must be a positive number');
  if (o.maxInFlight !== undefined && !(Number.isInteger(o.maxInFlight) && o.maxInFlight > 0))
    bad('maxInFlight must be a positive integer');
  for (const [k, b] of Object.entries(o.overrides ?? {}))
    if (!b || !(b.max > 0) || !(b.refill > 0)) bad(`overrides.${k} needs a positive max and refill`);
  return o;
}

/** The client options the flags give (all but the region). */
export function clientOptions(o: CommonOptions): Omit<AwsOptions, 'region'> {
  if (o.roleArn && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(o.roleArn)) {
    throw new CordonError(
      'bad-role-arn',
      `"${o.roleArn}" is not an IAM role ARN`,
      EXIT.usage,
      'role ARNs look like arn:aws:iam::123456789012:role/Responder',
    );
  }
  let endpointUrl = o.endpointUrl;
  if (endpointUrl !== undefined) {
    try {
      const u = new URL(endpointUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    } catch {
      throw new CordonError('bad-endpoint', `--endpoint-url "${endpointUrl}" is not an http(s) URL`, EXIT.usage);
    }
  } else if (process.env.AWS_ENDPOINT_URL && process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS !== 'true') {
    // Passed explicitly: some SDK releases ignored the variable (aws-api-semantics.md §7.3).
    endpointUrl = process.env.AWS_ENDPOINT_URL;
  }
  return { profile: o.profile, endpointUrl, roleArn: o.roleArn, rateLimits: rateLimitsFrom(o.rateLimits) };
}

export function outputOf(o: { output?: string }): OutputFormat {
  return parseOutput(o.output);
}

/** The clients for the flags' account and region (the AWS SDK is loaded here, not when the command line is parsed). */
export async function clientsFrom(o: CommonOptions): Promise<AwsClients> {
  const region = resolveRegion({ region: o.region });
  if (!region) throw new CordonError('no-region', 'no AWS region given', EXIT.usage, 'pass --region or set AWS_REGION');
  const options = clientOptions(o);
  const { createClients } = await import('../aws/clients.js');
  return createClients({ ...options, region });
}

export function instanceIdsArg(ids: string[]): string[] {
  const unique = [...new Set(ids)];
  if (unique.length === 0)
    throw new CordonError(
      'usage',
      'give at least one instance id',
      EXIT.usage,
      'e.g. cordon contain i-0123456789abcdef0',
    );
  return unique;
}

/**
 * `--state`: an S3 store (opened with your own credentials, never a member account's role, in the region given or
 * the environment's — S3 follows the bucket's region) or a local directory. Bad input is a usage error.
 */
export async function stateFrom(o: CommonOptions): Promise<{ stateDir?: string; stateStore?: StateStore }> {
  if (o.state === undefined) return { stateDir: o.stateDir };
  if (!o.state.startsWith('s3://')) {
    if (o.stateDir !== undefined && o.stateDir !== o.state)
      throw new CordonError('usage', '--state DIR and --state-dir name two directories', EXIT.usage, 'give one');
    return { stateDir: o.state };
  }
  const base = clientOptions(o);
  const { openStateStore } = await import('../engine/state-store.js'); // loads the S3 client: only when used
  const store = openStateStore(o.state, {
    region: (o.region ?? '').split(',')[0] || resolveRegion({}) || 'us-east-1',
    endpointUrl: base.endpointUrl,
    profile: base.profile,
    roleArn: base.roleArn,
  });
  return { stateDir: o.stateDir, stateStore: store };
}

/** The options of the offline commands (journal verify, evidence verify) that may read an S3 state store. */
export function addStateOptions(cmd: Command): Command {
  return cmd
    .option('--state-dir <dir>', 'where the journal and evidence live (default: $CORDON_HOME or ~/.cordon)')
    .option('--state <location>', 's3://BUCKET/PREFIX to read from S3 (into a working copy), or a directory')
    .option('--region <region>', "the state bucket's region (S3 follows redirects to it)")
    .option('--profile <name>', 'shared-config profile for the S3 credentials')
    .option('--endpoint-url <url>', 'send the S3 calls to this endpoint (e.g. a `cordon sim`)')
    .option('--output <format>', 'text or json', 'text');
}

/**
 * The local directory to read an incident from: the state dir, or a working copy of the S3 store with the
 * incident's journal (and, with `files`, its evidence and run records) pulled into it.
 */
export async function localStateFor(o: CommonOptions, incident: string, files: boolean): Promise<string> {
  checkIncidentId(incident);
  const { stateDir, stateStore } = await stateFrom(o);
  const { acquireStore, pullIncidentFiles, releaseStore, workingCopyDir } = await import('../engine/state-store.js');
  const { defaultStateDir } = await import('../engine/journal.js');
  if (!stateStore) return stateDir ?? defaultStateDir();
  const dir = stateDir ?? workingCopyDir(stateStore.url);
  try {
    await acquireStore(stateStore, dir, [incident]);
    releaseStore(dir);
    if (files) await pullIncidentFiles(stateStore, dir, incident);
  } finally {
    stateStore.destroy();
  }
  return dir;
}
