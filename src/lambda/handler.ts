// The Lambda handler: a GuardDuty finding or Security Hub findings from EventBridge, or a direct invoke, turned into
// a plan (CORDON_MODE=plan, the default: nothing changes) or a containment (CORDON_MODE=contain) through the same
// library the CLI uses, with the result published to SNS. Never throws: every failure is an error result.

import type { AwsClients } from '../aws/clients.js';
import { CordonError, EXIT } from '../core/errors.js';
import { filteredOut, parseEvent, type InstanceFinding } from '../core/findings.js';
import type { Target } from '../core/targets.js';
import { classifyError } from '../cli/output.js';
import { readConfig, type LambdaConfig } from './config.js';
import { notify, outcomeOf } from './notify.js';
import { dedupe, destroyAll, runContain, runPlan, workersFor, type RunContext } from './run.js';
import type { ErrorResult, FindingSummary, HandlerResult } from './types.js';

/** The parts of Lambda's context object cordon reads. */
export interface LambdaContext {
  getRemainingTimeInMillis?: () => number;
  awsRequestId?: string;
}

export function runContextOf(context: LambdaContext | undefined): RunContext {
  const f = context?.getRemainingTimeInMillis;
  return typeof f === 'function' ? { remainingMs: () => f.call(context) } : {};
}

export function errorOf(e: unknown): ErrorResult {
  const c = classifyError(e);
  if (c instanceof CordonError) return { code: c.code, message: c.message, hint: c.hint, exitCode: c.exitCode };
  return {
    code: 'internal',
    message: `internal error: ${(c as Error)?.message ?? String(c)}`,
    hint: 'a bug in cordon: report it with the function log',
    exitCode: EXIT.internal,
  };
}

function findingSummary(f: InstanceFinding): FindingSummary {
  return {
    source: f.source,
    id: f.id,
    // Security Hub: the GuardDuty type recovered from the ASFF Types, when there is one.
    type: f.types.find((t) => /^[A-Za-z]+:[A-Za-z0-9]+\//.test(t)) ?? f.types[0] ?? '',
    severity: f.severity,
    instance: f.target.source,
    title: f.title,
    count: f.count,
  };
}

export interface ExecuteOptions {
  /** Leave out instances already contained or being contained (findings, the fan-out worker; not a direct invoke). */
  dedupe: boolean;
  /** The region of plain instance ids (AWS_REGION). */
  region?: string;
}

/**
 * Plans or contains the targets into `result` (mutated: the document's fields, skipped, warnings, ok). Throws on a
 * refusal; the caller turns it into an error result.
 */
export async function execute(
  result: HandlerResult,
  targets: Target[],
  config: LambdaConfig,
  ctx: RunContext,
  o: ExecuteOptions,
): Promise<void> {
  const made: AwsClients[] = [];
  try {
    let workers = await workersFor(targets, config, o.region, made);
    if (o.dedupe) {
      const d = await dedupe(workers, Date.now(), config);
      workers = d.workers;
      result.skipped.push(...d.skipped);
      result.warnings.push(...d.warnings);
    }
    if (workers.length === 0) {
      result.ok = true;
      return;
    }
    if (config.mode === 'plan') {
      const run = await runPlan(workers, config);
      Object.assign(result, run.document);
      result.verifyNow = run.verifyNow;
      result.warnings.push(...run.warnings);
      result.ok = run.document.applyable;
    } else {
      const doc = await runContain(workers, config, ctx);
      Object.assign(result, doc);
      result.ok = doc.instances.every((i) => i.status !== 'incomplete');
    }
  } finally {
    destroyAll(made);
  }
}

/** One line in the function's log: what came in and what happened (no credentials, no event body). */
function logLine(r: HandlerResult, requestId?: string): string {
  return JSON.stringify({
    cordon: 'handler',
    requestId,
    ok: r.ok,
    mode: r.mode,
    source: r.source,
    outcome: outcomeOf(r),
    findings: r.findings.map((f) => `${f.type} ${f.severity} ${f.instance}`),
    instances: [
      ...(r.instances ?? []).map((i) => `${i.instanceId}:${i.status}`),
      ...(r.plan ? [r.plan] : (r.plans ?? [])).flatMap((p) => p.instances.map((i) => `${i.instanceId}:planned`)),
      ...r.skipped.map((s) => `${s.instanceId ?? s.finding}:${s.reason}`),
    ],
    incident: r.incident ?? r.plan?.incident,
    error: r.error,
    notification: r.notification,
  });
}

/** The handler with its environment given (tests; `handler` passes process.env). */
export async function handle(
  event: unknown,
  env: NodeJS.ProcessEnv,
  ctx: RunContext = {},
  requestId?: string,
): Promise<HandlerResult> {
  const result: HandlerResult = { ok: false, findings: [], skipped: [], warnings: [] };
  let config: LambdaConfig | undefined;
  try {
    const parsed = parseEvent(event);
    result.source = parsed.source;
    result.findings = parsed.findings.map(findingSummary);
    config = readConfig(env, parsed.options);
    result.mode = config.mode;
    result.warnings.push(...config.warnings);
    for (const n of parsed.notInstances)
      result.skipped.push({ reason: 'not-an-instance', detail: `finding ${n.id}: ${n.reason}`, finding: n.id });
    const targets: Target[] = [...parsed.targets];
    for (const f of parsed.findings) {
      const why = filteredOut(f, config.filter);
      if (why)
        result.skipped.push({
          instanceId: f.target.instanceId,
          accountId: f.target.accountId,
          region: f.target.region,
          reason: 'filtered',
          detail: why,
          finding: f.id,
        });
      else targets.push(f.target);
    }
    if (targets.length === 0) result.ok = true;
    else
      await execute(result, targets, config, ctx, {
        dedupe: parsed.source !== 'direct',
        region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
      });
  } catch (e) {
    result.ok = false;
    result.error = errorOf(e);
  }
  const topicArn = config?.topicArn ?? topicFromEnv(env);
  result.notification = await notify(result, topicArn, config?.endpointUrl ?? env.AWS_ENDPOINT_URL);
  if (result.notification?.error) result.warnings.push(`notification not sent: ${result.notification.error}`);
  (result.ok ? console.log : console.error)(logLine(result, requestId));
  return result;
}

/** The topic, even when the rest of the configuration is wrong (so the error reaches someone). */
function topicFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const t = (env.CORDON_TOPIC_ARN ?? '').trim();
  return /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w.-]+$/.test(t) ? t : undefined;
}

/** The Lambda entry point (handler string `index.handler`). */
export async function handler(event: unknown, context?: LambdaContext): Promise<HandlerResult> {
  return handle(event, process.env, runContextOf(context), context?.awsRequestId);
}
