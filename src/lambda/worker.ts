// The fan-out worker: one item of a Step Functions Map — the targets of one account × region — planned or contained
// with a role assumed in that account when it is not the function's own, per-instance results out. And the pure
// grouping of many targets into the Map's items.

import { CordonError, EXIT } from '../core/errors.js';
import { groupTargets, parseTarget, type Target } from '../core/targets.js';
import { readConfig, type LambdaConfig } from './config.js';
import { errorOf, execute, runContextOf, type LambdaContext } from './handler.js';
import { notify } from './notify.js';
import type { RunContext } from './run.js';
import type { HandlerResult, WorkerInput, WorkerInstanceResult, WorkerOutput } from './types.js';

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const KEYS = ['accountId', 'region', 'targets', 'roleName', 'options'];

const badInput = (message: string): CordonError =>
  new CordonError(
    'bad-input',
    `worker input: ${message}; nothing was changed`,
    EXIT.usage,
    'a worker takes {"accountId": "123456789012", "region": "eu-west-1", "targets": [ids or ARNs], "roleName"?: "…", "options"?: {…}} — make the items with groupForFanOut',
  );

/** Checks a Map item and returns its targets, every one in the item's account and region. */
export function parseWorkerInput(input: unknown): { item: WorkerInput; targets: Target[] } {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw badInput('not a JSON object');
  const i = input as Record<string, unknown>;
  for (const k of Object.keys(i)) if (!KEYS.includes(k)) throw badInput(`unknown field "${k}"`);
  if (typeof i.accountId !== 'string' || !ACCOUNT.test(i.accountId))
    throw badInput('accountId must be a 12-digit account id');
  if (typeof i.region !== 'string' || !REGION.test(i.region))
    throw badInput('region must be a region name such as eu-west-1');
  if (!Array.isArray(i.targets) || i.targets.length === 0 || i.targets.some((t) => typeof t !== 'string'))
    throw badInput('targets must be a non-empty array of instance ids or ARNs');
  if (i.roleName !== undefined && typeof i.roleName !== 'string') throw badInput('roleName must be a string');
  if (i.options !== undefined && (!i.options || typeof i.options !== 'object' || Array.isArray(i.options)))
    throw badInput('options must be an object');
  const item = i as unknown as WorkerInput;
  const targets = item.targets.map((s, k) => {
    let t: Target;
    try {
      t = parseTarget(s, `targets[${k}]`);
    } catch (e) {
      throw badInput((e as Error).message);
    }
    if ((t.accountId && t.accountId !== item.accountId) || (t.region && t.region !== item.region))
      throw badInput(`targets[${k}] ${s} is not in account ${item.accountId}, region ${item.region}`);
    return { ...t, accountId: item.accountId, region: item.region };
  });
  return { item, targets };
}

/** The worker with its environment given (tests; `workerHandler` passes process.env). */
export async function runWorker(input: unknown, env: NodeJS.ProcessEnv, ctx: RunContext = {}): Promise<WorkerOutput> {
  const raw = (input ?? {}) as Partial<WorkerInput>;
  const result: HandlerResult = { ok: false, findings: [], skipped: [], warnings: [] };
  let config: LambdaConfig | undefined;
  let accountId = typeof raw.accountId === 'string' ? raw.accountId : '';
  let region = typeof raw.region === 'string' ? raw.region : '';
  try {
    const { item, targets } = parseWorkerInput(input);
    accountId = item.accountId;
    region = item.region;
    config = readConfig(env, {
      ...(item.options ?? {}),
      ...(item.roleName !== undefined ? { roleName: item.roleName } : {}),
    });
    result.mode = config.mode;
    result.warnings.push(...config.warnings);
    await execute(result, targets, config, ctx, { dedupe: true, region });
  } catch (e) {
    result.ok = false;
    result.error = errorOf(e);
  }
  result.notification = await notify(result, config?.topicArn, config?.endpointUrl, ` ${accountId} ${region}`);
  if (result.notification?.error) result.warnings.push(`notification not sent: ${result.notification.error}`);
  const out = workerOutput(result, accountId, region);
  (out.ok ? console.log : console.error)(
    JSON.stringify({
      cordon: 'worker',
      ok: out.ok,
      accountId,
      region,
      mode: out.mode,
      instances: out.instances.map((i) => `${i.instanceId}:${i.status}`),
      error: out.error,
    }),
  );
  return out;
}

/** The Map item's output: small (a Map's whole output must stay under Step Functions' 256 KiB). */
export function workerOutput(r: HandlerResult, accountId: string, region: string): WorkerOutput {
  const instances: WorkerInstanceResult[] = [];
  for (const p of r.plan ? [r.plan] : (r.plans ?? []))
    for (const i of p.instances)
      instances.push({
        instanceId: i.instanceId,
        status: i.alreadyContained ? 'already-contained' : 'planned',
        incident: p.incident,
        changes: p.changes.filter((c) => c.instanceId === i.instanceId).length,
        bottomLine: r.verifyNow?.find((v) => v.instanceId === i.instanceId)?.bottomLine,
        warnings: i.warnings,
      });
  for (const i of r.instances ?? []) {
    const failed = i.steps.filter((s) => s.status === 'failed' || s.status === 'skipped');
    instances.push({
      instanceId: i.instanceId,
      status: i.status,
      incident: i.incident,
      bottomLine: i.survivors?.bottomLine,
      failedSteps: failed.length
        ? failed.map((s) => ({ id: s.id, code: s.error?.code, message: s.error?.message }))
        : undefined,
      warnings: i.warnings,
    });
  }
  for (const s of r.skipped)
    if (s.instanceId)
      instances.push({
        instanceId: s.instanceId,
        status: 'deduped',
        incident: s.incident,
        detail: s.detail,
        warnings: [],
      });
  return {
    ok: r.ok,
    accountId,
    region,
    mode: r.mode,
    incident: r.incident ?? r.plan?.incident,
    instances,
    missingPermissions: r.missingPermissions?.map((m) => ({ step: m.step, action: m.action })),
    indicators: r.indicators?.length || undefined,
    journal: r.journal,
    warnings: r.warnings,
    error: r.error,
  };
}

/** The Lambda entry point for a Map item (handler string `index.workerHandler`). */
export async function workerHandler(input: unknown, context?: LambdaContext): Promise<WorkerOutput> {
  return runWorker(input, process.env, runContextOf(context));
}

export interface FanOutDefaults {
  /** The account of plain instance ids (the state machine's own). */
  accountId?: string;
  /** The region of plain instance ids. */
  region?: string;
  roleName?: string;
  options?: Record<string, unknown>;
}

/**
 * Many targets (ids and ARNs) → one Map item per account × region, ids unique, in the order first named. Plain ids
 * take the defaults' account and region. Pure; throws a CordonError naming a bad target.
 */
export function groupForFanOut(targets: string[], d: FanOutDefaults = {}): WorkerInput[] {
  if (d.accountId !== undefined && !ACCOUNT.test(d.accountId))
    throw new CordonError('usage', `"${d.accountId}" is not a 12-digit account id`, EXIT.usage);
  const parsed = targets.map((s, k) => {
    const t = parseTarget(s, `targets[${k}]`);
    const accountId = t.accountId ?? d.accountId;
    if (!accountId)
      throw new CordonError(
        'usage',
        `${s} is a plain instance id and no default account is given`,
        EXIT.usage,
        'give instance ARNs, or the account of plain ids',
      );
    return { ...t, accountId };
  });
  return groupTargets(parsed, d.region).map((g) => ({
    accountId: g.accountId!,
    region: g.region,
    targets: g.instanceIds,
    ...(d.roleName !== undefined ? { roleName: d.roleName } : {}),
    ...(d.options !== undefined ? { options: d.options } : {}),
  }));
}

/**
 * The state machine's first state (handler string `index.groupHandler`): {targets, accountId?, region?, roleName?,
 * options?} → {items: WorkerInput[]} for the Map. Plain ids default to this function's account and region.
 */
export async function groupHandler(
  input: unknown,
  context?: LambdaContext & { invokedFunctionArn?: string },
): Promise<{ items: WorkerInput[]; error?: ReturnType<typeof errorOf> }> {
  try {
    const i = (input ?? {}) as FanOutDefaults & { targets?: unknown };
    if (!Array.isArray(i.targets) || i.targets.length === 0 || i.targets.some((t) => typeof t !== 'string'))
      throw new CordonError('bad-input', 'targets must be a non-empty array of instance ids or ARNs', EXIT.usage);
    const own = /^arn:[a-z-]+:lambda:[a-z0-9-]+:(\d{12}):/.exec(context?.invokedFunctionArn ?? '')?.[1];
    return {
      items: groupForFanOut(i.targets as string[], {
        accountId: i.accountId ?? own,
        region: i.region ?? process.env.AWS_REGION,
        roleName: i.roleName,
        options: i.options,
      }),
    };
  } catch (e) {
    const error = errorOf(e);
    console.error(JSON.stringify({ cordon: 'group', error }));
    return { items: [], error };
  }
}
