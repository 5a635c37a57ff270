// Helpers shared by the playbook steps (Auto Scaling, load balancers, IAM, IMDS, preservation, evidence): the
// options in force, per-instance changes, and the write-ahead record each step keeps on the instance (a tag) and
// in the local journal before it changes anything.

import type { Change, ContainOptions } from '../core/plan.js';
import type { InstanceFacts } from '../core/facts.js';
import { resolvePlaybook, type PlaybookOptions } from '../core/playbook.js';
import { TAG, joinTagValue, splitTagValue } from '../core/tags.js';
import { EvidenceFolder, EVIDENCE_MANIFEST_ATTRIBUTE } from '../engine/evidence.js';
import type { PlanInput, RestoreInput, RestoreItem, StepContext } from './types.js';

export function playbookOf(o: ContainOptions | PlanInput): PlaybookOptions {
  return resolvePlaybook('options' in o ? o.options.playbook : o.playbook);
}

/** A change on one instance (all playbook changes are keyed by the instance: restore finds them by its id). */
export function instanceChange(
  stepId: string,
  inst: InstanceFacts,
  attribute: string,
  before: unknown,
  after: unknown,
  summary: string,
): Change {
  return {
    id: `${stepId}:${inst.instanceId}`,
    stepId,
    resource: inst.instanceId,
    resourceType: 'instance',
    attribute,
    before,
    after,
    critical: false,
    instanceId: inst.instanceId,
    summary,
  };
}

export function restoreItem(
  stepId: string,
  input: RestoreInput,
  attribute: string,
  current: unknown,
  original: unknown,
  source: RestoreItem['source'],
  summary: string,
  drift?: string,
): RestoreItem {
  return {
    stepId,
    instanceId: input.instance.instanceId,
    resource: input.instance.instanceId,
    attribute,
    current,
    original,
    source,
    summary,
    drift,
  };
}

/** Journals an original (fsynced) — for values a step learns only at apply time, before it acts on them. */
export function journalOriginal(
  ctx: StepContext,
  instanceId: string,
  attribute: string,
  value: unknown,
): Promise<void> {
  return ctx.journal.appendDurable({
    type: 'original',
    time: ctx.now(),
    incident: ctx.incident,
    instanceId,
    resource: instanceId,
    attribute,
    value,
  });
}

/** Writes a record tag on the instance (long values across numbered tags). */
export async function writeRecordTag(ctx: StepContext, instanceId: string, key: string, value: string): Promise<void> {
  await ctx.gateway.createTags([instanceId], withJournal(ctx, splitTagValue(key, value)));
}

/** Adds the run's journal hash to a set of record tags (it ties them to the journal that holds the same originals). */
export function withJournal(ctx: StepContext, tags: Record<string, string>): Record<string, string> {
  return ctx.journalSha ? { ...tags, [TAG.journal]: ctx.journalSha } : tags;
}

/** A record tag's keys on the instance (the key and its numbered continuations), for restore to remove. */
export function recordKeys(inst: InstanceFacts, key: string): string[] {
  return Object.keys(inst.tags).filter(
    (k) => k === key || (k.startsWith(`${key}:`) && /^\d+$/.test(k.slice(key.length + 1))),
  );
}

export function recordTag(inst: InstanceFacts, key: string): string | undefined {
  return joinTagValue(inst.tags, key);
}

/** The instance's evidence folder; every manifest update is journaled with the manifest's hash. */
export function evidenceFolder(ctx: StepContext, instanceId: string, accountId?: string): EvidenceFolder {
  return new EvidenceFolder(ctx.journal.dir, ctx.incident, instanceId, {
    region: ctx.gateway.region,
    accountId,
    onChange: (sha) =>
      ctx.journal.append({
        type: 'applied',
        time: ctx.now(),
        incident: ctx.incident,
        changeId: `evidence:${instanceId}`,
        resource: instanceId,
        attribute: EVIDENCE_MANIFEST_ATTRIBUTE,
        value: sha,
      }),
  });
}

/**
 * Lets the critical path go first: the engine starts every step at once, and a step without dependencies would
 * otherwise build and sign its calls (and fsync its journal records) before the first security-group swap is on
 * the wire. One turn of the event loop puts it right behind them — still the same round trip.
 */
export function yieldToCritical(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The message of an error, for warnings. */
export function messageOf(e: unknown): string {
  const name = (e as { name?: string })?.name;
  const msg = (e as Error)?.message ?? String(e);
  return name && name !== 'Error' && !msg.startsWith(name) ? `${name}: ${msg}` : msg;
}
