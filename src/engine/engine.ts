// Applies a plan: write-ahead journal first (fsynced), then the steps as a dependency graph — every step starts as
// soon as the steps it depends on are done, so the network-isolation path never waits on anything else. Emits
// progress events; a failed step marks its dependents skipped and the others go on.

import type { Change, Plan } from '../core/plan.js';
import { isPlaceholder } from '../core/plan.js';
import { TAG, joinTagValue } from '../core/tags.js';
import { decodeConntrack } from '../steps/record-originals.js';
import { STEPS } from '../steps/index.js';
import type { StepContext, StepDef } from '../steps/types.js';
import type { Gateway } from '../aws/gateway.js';
import type { Journal } from './journal.js';
import { CordonError } from '../core/errors.js';
import { awsErrorCode } from '../aws/clients.js';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'nothing-to-do';

export interface StepResult {
  id: string;
  title: string;
  status: StepStatus;
  critical: boolean;
  changes: number;
  startedMs?: number;
  endedMs?: number;
  error?: { code: string; message: string };
}

export type EngineEvent =
  | { type: 'step'; step: StepResult }
  | { type: 'warning'; instanceId?: string; message: string }
  | { type: 'progress'; stepId: string; instanceId?: string; message: string };

export interface ApplyResult {
  steps: StepResult[];
  warnings: { instanceId?: string; message: string }[];
  resolved: Record<string, string>;
  /** When the last critical (network-isolation) step finished, ms since apply started. */
  isolatedAfterMs?: number;
  startedMs: number;
}

export async function applyPlan(
  plan: Plan,
  gateway: Gateway,
  journal: Journal,
  onEvent: (e: EngineEvent) => void = () => undefined,
): Promise<ApplyResult> {
  const startedMs = Date.now();
  const now = (): string => new Date().toISOString();
  const resolved: Record<string, string> = {};
  const warnings: ApplyResult['warnings'] = [];

  // Write-ahead: every original value, fsynced before the first call that changes anything.
  journal.append(
    {
      type: 'plan',
      time: now(),
      incident: plan.incident,
      instances: plan.instances.map((i) => i.instanceId),
      planVersion: plan.version,
    },
    ...plan.changes
      .filter((c) => c.before !== null && c.before !== undefined)
      .map((c) => ({
        type: 'original' as const,
        time: now(),
        incident: plan.incident,
        instanceId: c.instanceId,
        resource: c.resource,
        attribute: c.attribute,
        value: c.before,
      })),
    // The ENI's true original state, exactly as record-originals will tag it: never an isolation group (an ENI already
    // on one, from an earlier run, has no such change and gets no record here — its earlier record stands).
    ...plan.changes
      .filter((c) => c.stepId === 'record-originals' && c.resourceType === 'network-interface')
      .map((c) => {
        const tags = c.after as Record<string, string>;
        return {
          type: 'original' as const,
          time: now(),
          incident: plan.incident,
          instanceId: c.instanceId,
          resource: c.resource,
          attribute: 'eni-state',
          value: {
            groups: (joinTagValue(tags, TAG.originalGroups) ?? '').split(',').filter(Boolean),
            connectionTracking: decodeConntrack(tags[TAG.originalConntrack]) ?? {},
          },
        };
      }),
  );

  const ctx: StepContext = {
    gateway,
    journal,
    incident: plan.incident,
    now,
    resolve: (id) => (isPlaceholder(id) ? (resolved[id] ?? id) : id),
    setResolved: (p, id) => {
      resolved[p] = id;
    },
    warn: (instanceId, message) => {
      warnings.push({ instanceId, message });
      onEvent({ type: 'warning', instanceId, message });
    },
    progress: (stepId, instanceId, message) => onEvent({ type: 'progress', stepId, instanceId, message }),
  };

  const results = new Map<string, StepResult>();
  const byStep = new Map<string, Change[]>();
  for (const c of plan.changes) byStep.set(c.stepId, [...(byStep.get(c.stepId) ?? []), c]);
  let isolatedAfterMs: number | undefined;

  const running = new Map<string, Promise<StepResult>>();
  const run = (step: StepDef): Promise<StepResult> => {
    const existing = running.get(step.id);
    if (existing) return existing;
    const p = (async (): Promise<StepResult> => {
      // `after`: order only — wait for those steps to finish, whatever their outcome (they may have nothing to do).
      await Promise.all(
        (step.after ?? []).filter((d) => STEPS.some((s) => s.id === d)).map((d) => run(STEPS.find((s) => s.id === d)!)),
      );
      const deps = await Promise.all(step.dependsOn.map((d) => run(STEPS.find((s) => s.id === d)!)));
      const changes = byStep.get(step.id) ?? [];
      const r: StepResult = {
        id: step.id,
        title: step.title,
        status: 'pending',
        critical: step.critical,
        changes: changes.length,
      };
      results.set(step.id, r);
      const failedDep = deps.find((d) => d.status === 'failed' || d.status === 'skipped');
      if (failedDep) {
        r.status = 'skipped';
        r.error = { code: 'dependency-failed', message: `not run: ${failedDep.id} ${failedDep.status}` };
      } else if (changes.length === 0) {
        r.status = 'nothing-to-do';
      } else {
        r.status = 'running';
        r.startedMs = Date.now() - startedMs;
        onEvent({ type: 'step', step: { ...r } });
        try {
          await step.apply(ctx, changes);
          r.status = 'done';
          journal.append(
            ...changes.map((c) => ({
              type: 'applied' as const,
              time: now(),
              incident: plan.incident,
              changeId: c.id,
              resource: ctx.resolve(c.resource),
              attribute: c.attribute,
              value: c.after,
            })),
          );
        } catch (e) {
          r.status = 'failed';
          r.error =
            e instanceof CordonError
              ? { code: e.code, message: e.message }
              : { code: awsErrorCode(e) ?? 'error', message: (e as Error).message };
        }
        r.endedMs = Date.now() - startedMs;
        if (step.critical && r.status === 'done') isolatedAfterMs = Math.max(isolatedAfterMs ?? 0, r.endedMs);
      }
      journal.append({
        type: 'step',
        time: now(),
        incident: plan.incident,
        stepId: step.id,
        status: r.status,
        error: r.error?.message,
      });
      onEvent({ type: 'step', step: { ...r } });
      return r;
    })();
    running.set(step.id, p);
    return p;
  };
  await Promise.all(STEPS.map(run));
  const steps = STEPS.map((s) => results.get(s.id)!);
  // Isolation is reached only if every critical step ended well: a failed swap is not "isolated after N ms".
  const isolated = steps.every((s) => !s.critical || s.status === 'done' || s.status === 'nothing-to-do');
  return { steps, warnings, resolved, isolatedAfterMs: isolated ? isolatedAfterMs : undefined, startedMs };
}

/** EC2 DryRun of every mutating call the plan will make. Returns the missing permissions (empty = applyable). */
export async function preflight(
  plan: Plan,
  gateway: Gateway,
  journal: Journal,
): Promise<{ step: string; action: string; message: string }[]> {
  const missing: { step: string; action: string; message: string }[] = [];
  const ctx: StepContext = {
    gateway,
    journal,
    incident: plan.incident,
    now: () => new Date().toISOString(),
    resolve: (id) => id,
    setResolved: () => undefined,
    warn: () => undefined,
  };
  await Promise.all(
    STEPS.map(async (s) => {
      const changes = plan.changes.filter((c) => c.stepId === s.id);
      if (changes.length === 0) return;
      try {
        await s.preflight(ctx, changes);
      } catch (e) {
        if (e instanceof CordonError && e.code === 'permission-missing')
          missing.push({ step: s.id, action: String(e.details?.action), message: e.message });
        else throw e;
      }
    }),
  );
  return missing;
}
