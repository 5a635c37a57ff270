// The Lambda's configuration: environment variables (CORDON_*), and a direct invoke's or a worker's `options`, which
// take the same names in camelCase. Containment options mirror the CLI's flags and go through the CLI's own
// validation (src/cli/layers.ts, src/cli/playbook-flags.ts), so a value means the same thing in both.

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CordonError, EXIT } from '../core/errors.js';
import { isIncidentId } from '../core/incident-id.js';
import { parseTypePatterns, type FindingFilter } from '../core/findings.js';
import { parseDuration } from '../core/targets.js';
import type { Layer, NaclMode } from '../core/layers.js';
import type { PlaybookOptions } from '../core/playbook.js';
import { layerRequest } from '../cli/layers.js';
import { playbookRequest } from '../cli/playbook-flags.js';

export type Mode = 'plan' | 'contain';

export interface LambdaConfig {
  mode: Mode;
  stateDir: string;
  /** s3://bucket/prefix, handed to the library as `stateStore` (stateDir is then its local cache). */
  stateStore?: string;
  filter: FindingFilter;
  topicArn?: string;
  roleName?: string;
  incident?: string;
  layers: { layers: Layer[]; naclMode?: NaclMode; allowCidrs?: string[] };
  acceptBlastRadius: boolean;
  lowerConntrack: boolean;
  playbook: Partial<PlaybookOptions>;
  deadlineMs?: number;
  /** AWS_ENDPOINT_URL (like the CLI: passed explicitly, some SDK releases ignored it). */
  endpointUrl?: string;
  warnings: string[];
}

type Kind = 'string' | 'boolean' | 'list';

/** Option name (camelCase, in `options`) → its kind. The env var is CORDON_ + the name in SNAKE_CASE. */
const OPTIONS: Record<string, Kind> = {
  mode: 'string',
  incident: 'string',
  roleName: 'string',
  layers: 'string',
  naclMode: 'string',
  allowCidr: 'list',
  acceptBlastRadius: 'boolean',
  noConntrack: 'boolean',
  deadline: 'string',
  noAsg: 'boolean',
  asgDecrement: 'boolean',
  asgStandby: 'boolean',
  noElb: 'boolean',
  keepProfile: 'boolean',
  revokeSessions: 'boolean',
  revokeScope: 'string',
  keepImds: 'boolean',
  noPreserve: 'boolean',
  noEvidence: 'boolean',
  noImage: 'boolean',
};

/** Deployment settings: environment only (an event cannot redirect state or notifications). */
const ENV_ONLY = ['CORDON_STATE', 'CORDON_TOPIC_ARN', 'CORDON_MIN_SEVERITY', 'CORDON_FINDING_TYPES'];

export const envName = (option: string): string => `CORDON_${option.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

const configError = (message: string, hint?: string): CordonError =>
  new CordonError(
    'bad-config',
    `${message}; nothing was changed`,
    EXIT.usage,
    hint ?? 'see docs/automation.md, "The Lambda handler"',
  );

function fromEnv(env: NodeJS.ProcessEnv, name: string, kind: Kind): unknown {
  const raw = env[envName(name)];
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = raw.trim();
  if (kind === 'string') return v;
  if (kind === 'list')
    return v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  if (/^(1|true|yes)$/i.test(v)) return true;
  if (/^(0|false|no)$/i.test(v)) return false;
  throw configError(`${envName(name)}="${raw}" is not true or false`);
}

function fromOptions(options: Record<string, unknown>, name: string, kind: Kind): unknown {
  const v = options[name];
  if (v === undefined) return undefined;
  const ok =
    kind === 'boolean'
      ? typeof v === 'boolean'
      : kind === 'string'
        ? typeof v === 'string'
        : Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!ok)
    throw configError(
      `options.${name} must be ${kind === 'list' ? 'an array of strings' : `a ${kind}`}, not ${JSON.stringify(v)}`,
    );
  return v;
}

/**
 * The configuration for one invocation: the environment, overridden per option by the event's `options` — except the
 * mode, which an event may only lower (contain → plan): a function deployed plan-only never changes anything.
 */
export function readConfig(env: NodeJS.ProcessEnv, options: Record<string, unknown> = {}): LambdaConfig {
  for (const k of Object.keys(options))
    if (!(k in OPTIONS))
      throw configError(
        `options.${k} is not an option`,
        `options are ${Object.keys(OPTIONS).join(', ')} (${ENV_ONLY.join(', ')} are set only in the environment)`,
      );
  const o: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(OPTIONS)) {
    const e = fromEnv(env, name, kind);
    const x = fromOptions(options, name, kind);
    o[name] = x ?? e;
  }
  const warnings: string[] = [];
  const envMode = (env.CORDON_MODE ?? '').trim() || 'plan';
  if (envMode !== 'plan' && envMode !== 'contain') throw configError(`CORDON_MODE="${envMode}": give plan or contain`);
  const asked = (o.mode as string | undefined) ?? envMode;
  if (asked !== 'plan' && asked !== 'contain') throw configError(`options.mode "${asked}": give plan or contain`);
  let mode: Mode = asked;
  if (envMode === 'plan' && asked === 'contain') {
    mode = 'plan';
    warnings.push('options.mode "contain" ignored: this function is deployed with CORDON_MODE=plan, so it only plans');
  }
  const { stateDir, stateStore } = stateOf(env.CORDON_STATE, warnings);
  const filter: FindingFilter = {
    types: parseTypePatterns(env.CORDON_FINDING_TYPES),
    minSeverity: minSeverity(env.CORDON_MIN_SEVERITY),
  };
  const topicArn = (env.CORDON_TOPIC_ARN ?? '').trim() || undefined;
  if (topicArn && !/^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[\w.-]{1,256}$/.test(topicArn))
    throw configError(`CORDON_TOPIC_ARN="${topicArn}" is not an SNS topic ARN`);
  const roleName = o.roleName as string | undefined;
  if (roleName !== undefined && !/^[\w+=,.@/-]{1,64}$/.test(roleName))
    throw configError(`role name "${roleName}" is not an IAM role name`);
  const incident = o.incident as string | undefined;
  if (incident !== undefined && !isIncidentId(incident))
    throw configError(`incident "${incident}": letters, digits, '.', '_' and '-' only, up to 128`);
  const endpointUrl =
    env.AWS_ENDPOINT_URL && env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS !== 'true' ? env.AWS_ENDPOINT_URL : undefined;
  try {
    return {
      mode,
      stateDir,
      stateStore,
      filter,
      topicArn,
      roleName,
      incident,
      layers: layerRequest({
        layers: o.layers as string | undefined,
        naclMode: o.naclMode as string | undefined,
        allowCidr: o.allowCidr as string[] | undefined,
      }),
      acceptBlastRadius: o.acceptBlastRadius === true,
      lowerConntrack: o.noConntrack !== true,
      playbook: playbookRequest({
        asgDetach: o.noAsg !== true,
        asgDecrement: o.asgDecrement as boolean | undefined,
        asgStandby: o.asgStandby as boolean | undefined,
        elb: o.noElb !== true,
        keepProfile: o.keepProfile as boolean | undefined,
        revokeSessions: o.revokeSessions as boolean | undefined,
        revokeScope: o.revokeScope as string | undefined,
        keepImds: o.keepImds as boolean | undefined,
        preserve: o.noPreserve !== true,
        evidence: o.noEvidence !== true,
        image: o.noImage !== true,
      }),
      deadlineMs: o.deadline === undefined ? undefined : parseDuration(o.deadline as string, 'deadline'),
      endpointUrl,
      warnings,
    };
  } catch (e) {
    // The CLI's validation speaks of flags; here they are options / variables.
    if (e instanceof CordonError && e.exitCode === EXIT.usage)
      throw configError(`${e.message} (CLI flag names: the option and CORDON_* variable of the same name)`, e.hint);
    throw e;
  }
}

function minSeverity(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 10)
    throw configError(`CORDON_MIN_SEVERITY="${raw}" must be a number from 0 to 10 (GuardDuty's scale)`);
  return n;
}

function stateOf(raw: string | undefined, warnings: string[]): { stateDir: string; stateStore?: string } {
  const v = (raw ?? '').trim();
  if (!v) {
    const dir = join(tmpdir(), 'cordon-state');
    warnings.push(
      `CORDON_STATE is not set: the journal and evidence are in ${dir}, which disappears with this Lambda environment — set CORDON_STATE=s3://bucket/prefix so restore can find them`,
    );
    return { stateDir: dir };
  }
  if (v.startsWith('s3://')) {
    const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/.*)?$/.exec(v);
    if (!m) throw configError(`CORDON_STATE="${v}" is not s3://bucket/prefix`);
    const cache = join(tmpdir(), 'cordon-state-cache', `${m[1]}${(m[2] ?? '').replace(/[^\w.-]+/g, '_')}`);
    return { stateDir: cache, stateStore: v };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v))
    throw configError(`CORDON_STATE="${v}": give a directory or s3://bucket/prefix`);
  return { stateDir: v };
}
