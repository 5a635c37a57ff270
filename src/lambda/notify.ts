// The SNS notification of a run: a subject, a short text for people (email), a small JSON document for machines
// (SQS, Lambda, HTTP subscribers) and message attributes for subscription filter policies. Concise by design: the
// function's result and the journal hold the rest.

import type { Plan } from '../core/plan.js';
import { publishNotification, type Notification } from '../aws/sns.js';
import type { HandlerResult } from './types.js';

/** Instances listed one by one in a notification; the rest are counted. */
const LISTED = 50;
const WARNINGS = 5;

export type Outcome = 'error' | 'planned' | 'permission-missing' | 'contained' | 'incomplete' | 'deduped' | 'nothing';

export function outcomeOf(r: HandlerResult): Outcome {
  if (r.error) return 'error';
  if (r.mode === 'plan' && (r.plan || r.plans)) return r.applyable ? 'planned' : 'permission-missing';
  if (r.instances) return r.instances.some((i) => i.status === 'incomplete') ? 'incomplete' : 'contained';
  return r.skipped.some((s) => s.reason === 'deduped') ? 'deduped' : 'nothing';
}

/** Whether a run is worth a message: anything planned, contained, deduped or failed; not findings filtered out. */
export function worthNotifying(r: HandlerResult): boolean {
  return outcomeOf(r) !== 'nothing';
}

interface Line {
  instanceId: string;
  accountId?: string;
  region?: string;
  status: string;
  incident?: string;
  detail: string;
  bottomLine?: string;
  warnings: string[];
}

function planLines(plans: Plan[], r: HandlerResult): Line[] {
  return plans.flatMap((p) =>
    p.instances.map((i) => {
      const mine = p.changes.filter((c) => c.instanceId === i.instanceId);
      const steps = [...new Set(mine.map((c) => c.stepId))].map(
        (s) => `${s} (${mine.filter((c) => c.stepId === s).length})`,
      );
      const now = r.verifyNow?.find((v) => v.instanceId === i.instanceId);
      return {
        instanceId: i.instanceId,
        region: p.region,
        accountId: now?.accountId,
        status: i.alreadyContained ? 'already-contained' : 'planned',
        incident: p.incident,
        detail: mine.length ? `would make ${mine.length} changes: ${steps.join(', ')}` : 'nothing to change',
        bottomLine: now ? `now: ${now.bottomLine}` : undefined,
        warnings: i.warnings,
      };
    }),
  );
}

function lines(r: HandlerResult): Line[] {
  const out: Line[] = [];
  const plans = r.plan ? [r.plan] : (r.plans ?? []);
  out.push(...planLines(plans, r));
  for (const i of r.instances ?? []) {
    const failed = i.steps.filter((s) => s.status === 'failed' || s.status === 'skipped');
    out.push({
      instanceId: i.instanceId,
      region: i.region,
      accountId: i.accountId,
      status: i.status,
      incident: i.incident,
      detail: `${i.enis.filter((e) => e.isolated).length} of ${i.enis.length} network interfaces on the empty isolation group${failed.length ? `; failed: ${failed.map((s) => `${s.id}${s.error ? ` (${s.error.code})` : ''}`).join(', ')}` : ''}`,
      bottomLine: i.survivors ? `still gets through: ${i.survivors.bottomLine}` : undefined,
      warnings: i.warnings,
    });
  }
  for (const s of r.skipped.filter((x) => x.reason === 'deduped'))
    out.push({
      instanceId: s.instanceId!,
      accountId: s.accountId,
      region: s.region,
      status: 'deduped',
      incident: s.incident,
      detail: s.detail,
      warnings: [],
    });
  return out;
}

function where(l: { accountId?: string; region?: string }): string {
  return [l.accountId, l.region].filter(Boolean).join(' ');
}

export function notificationFor(r: HandlerResult, topicArn: string, label = ''): Notification {
  const outcome = outcomeOf(r);
  const all = lines(r);
  const ids = [...new Set(all.map((l) => l.instanceId))];
  const who = ids.length === 0 ? '' : ids.length <= 2 ? ` ${ids.join(', ')}` : ` ${ids.length} instances`;
  const headline: Record<Outcome, string> = {
    error: 'ERROR',
    planned: 'plan only, nothing changed:',
    'permission-missing': 'plan only, a permission is missing:',
    contained: 'CONTAINED',
    incomplete: 'INCOMPLETE containment of',
    deduped: 'already contained, nothing changed:',
    nothing: 'nothing to do',
  };
  const subject = `cordon${label}: ${headline[outcome]}${outcome === 'error' ? ` ${r.error!.code}` : who}`;
  const text: string[] = [];
  for (const f of r.findings)
    text.push(
      `Finding (${f.source}): ${f.type} severity ${f.severity} on ${f.instance}${f.title ? ` — ${f.title}` : ''}`,
    );
  if (r.error) text.push(`ERROR ${r.error.code}: ${r.error.message}`, ...(r.error.hint ? [`  → ${r.error.hint}`] : []));
  for (const l of all.slice(0, LISTED)) {
    text.push(
      `${l.instanceId}${where(l) ? ` (${where(l)})` : ''}: ${l.status}${l.incident ? `, incident ${l.incident}` : ''} — ${l.detail}`,
    );
    if (l.bottomLine) text.push(`  ${l.bottomLine}`);
    for (const w of l.warnings.slice(0, WARNINGS)) text.push(`  ! ${w}`);
  }
  if (all.length > LISTED) text.push(`… and ${all.length - LISTED} more (see the function's result)`);
  for (const m of r.missingPermissions ?? []) text.push(`missing permission: ${m.action} (${m.step})`);
  for (const x of r.indicators ?? [])
    text.push(`INDICATOR: isolation group ${x.groupId} was tampered with: ${x.reason}`);
  if (r.mode === 'plan' && !r.error) text.push('Nothing was changed: this function plans only (CORDON_MODE=plan).');
  if (r.journal) text.push(`Journal: ${r.journal}`);
  if (r.evidence) text.push(`Evidence: ${r.evidence}`);
  if (outcome === 'contained' || outcome === 'incomplete')
    text.push(
      `Restore when the incident is over: cordon restore ${ids.slice(0, 5).join(' ')}${ids.length > 5 ? ' …' : ''}`,
    );
  for (const w of r.warnings.slice(0, WARNINGS)) text.push(`! ${w}`);
  const json = {
    cordon: 1,
    mode: r.mode,
    outcome,
    source: r.source,
    findings: r.findings,
    instances: all.slice(0, LISTED).map((l) => ({ ...l, warnings: l.warnings.slice(0, WARNINGS) })),
    more: Math.max(0, all.length - LISTED),
    incident: r.incident ?? all.find((l) => l.incident)?.incident,
    missingPermissions: r.missingPermissions,
    indicators: r.indicators?.length ? r.indicators.length : undefined,
    warnings: r.warnings.slice(0, WARNINGS),
    error: r.error,
  };
  return {
    topicArn,
    subject,
    text: text.join('\n'),
    json,
    attributes: { mode: r.mode ?? 'unknown', outcome, source: r.source ?? 'unknown' },
  };
}

/** Publishes the run's notification; never throws (a failure goes into the result, for the logs). */
export async function notify(
  r: HandlerResult,
  topicArn: string | undefined,
  endpointUrl?: string,
  label?: string,
): Promise<HandlerResult['notification']> {
  if (!topicArn || !worthNotifying(r)) return undefined;
  try {
    const messageId = await publishNotification(notificationFor(r, topicArn, label), { endpointUrl });
    return { topicArn, messageId };
  } catch (e) {
    return { topicArn, error: (e as Error).message };
  }
}
