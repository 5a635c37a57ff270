// Applies a plan: write-ahead journal first (fsynced), then the steps as a dependency graph per instance — each
// instance's step starts as soon as its own earlier steps (and the shared ones that serve it) are done, so the
// network-isolation path never waits on anything else and a fleet's instances never wait on each other. Every call
// a step makes queues at the scheduler with the step's priority (the isolation swaps first) and the run's deadline.
// Emits progress events; a failed step marks that instance's dependents skipped and everything else goes on.

import type { Change, Plan } from '../core/plan.js';
import { isPlaceholder } from '../core/plan.js';
import { TAG, joinTagValue } from '../core/tags.js';
import { decodeConntrack } from '../steps/record-originals.js';
import { STEPS } from '../steps/index.js';
import type { StepContext, StepDef } from '../steps/types.js';
import type { Gateway } from '../aws/gateway.js';
import type { Journal, JournalRecord } from './journal.js';
import { PRIORITY } from '../aws/scheduler.js';
import { CordonError, EXIT } from '../core/errors.js';
import { awsErrorCode } from '../aws/clients.js';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'nothing-to-do';

export interface StepResult {
  id: string;
  title: string;
  status: StepStatus;
  critical: boolean;
  changes: number;
  /** The instance this result is for (per-instance results); absent on the step's aggregate. */
  instanceId?: string;
  startedMs?: number;
  endedMs?: number;
  error?: { code: string; message: string };
}

export type EngineEvent =
  | { type: 'step'; step: StepResult }
  | { type: 'warning'; instanceId?: string; message: string }
  | { type: 'progress'; stepId: string; instanceId?: string; message: string };

export interface ApplyResult {
  /** Each step over the whole run: failed if it failed for any instance, done if it did its work for all. */
  steps: StepResult[];
  /** Each step for each instance (shared changes — a VPC's isolation groups, a subnet's NACL — count for every
   * instance they serve). */
  byInstance: Record<string, StepResult[]>;
  warnings: { instanceId?: string; message: string }[];
  resolved: Record<string, string>;
  /** When the last critical (network-isolation) step finished, ms since apply started (undefined: not reached). */
  isolatedAfterMs?: number;
  /** Per instance: when its last critical step finished (ms since apply started), if every one ended well. */
  isolatedAt: Record<string, number>;
  startedMs: number;
}

export interface ApplyOptions {
  onEvent?: (e: EngineEvent) => void;
  /** Absolute time (ms) after which no further call is sent (moving an ENI off the all-open group excepted). */
  deadline?: number;
}

/** How each step's calls queue at the scheduler (src/aws/scheduler.ts). */
export function scheduleOf(step: StepDef): { priority: number; swap?: 'open' | 'close' } {
  switch (step.schedule ?? (step.critical ? 'critical' : 'playbook')) {
    case 'swap-open':
      return { priority: PRIORITY.swapOpen, swap: 'open' };
    case 'swap-close':
      return { priority: PRIORITY.swapClose, swap: 'close' };
    case 'first':
      return { priority: PRIORITY.swapClose };
    case 'critical':
      return { priority: PRIORITY.critical };
    case 'conntrack':
      return { priority: PRIORITY.conntrack };
    case 'evidence':
      return { priority: PRIORITY.evidence };
    default:
      return { priority: PRIORITY.playbook };
  }
}

/** Changes on an instance's own resources serve that instance only; others (a VPC's groups, a subnet's NACL) all. */
function serves(c: Change, all: string[]): string[] {
  if (c.serves) return c.serves;
  if (c.instanceId && (c.resourceType === 'instance' || c.resourceType === 'network-interface')) return [c.instanceId];
  return all;
}

interface Node {
  step: StepDef;
  unit: string;
  changes: Change[];
  result: StepResult;
  promise?: Promise<StepResult>;
}

export async function applyPlan(
  plan: Plan,
  gateway: Gateway,
  journal: Journal,
  options: ApplyOptions | ((e: EngineEvent) => void) = {},
): Promise<ApplyResult> {
  const o: ApplyOptions = typeof options === 'function' ? { onEvent: options } : options;
  // A failing progress display must never stop a containment.
  const onEvent = (e: EngineEvent): void => {
    try {
      o.onEvent?.(e);
    } catch {
      // the display is wrong; the containment goes on
    }
  };
  const startedMs = Date.now();
  const now = (): string => new Date().toISOString();
  const resolved: Record<string, string> = {};
  const warnings: ApplyResult['warnings'] = [];

  // Write-ahead: every original value, fsynced (and stored in the state store, when there is one) before the first
  // call that changes anything.
  try {
    // Local only: written and fsynced right here. With a state store, confirmed once the store has it too.
    if (journal.hasRemote) await journal.appendDurable(...writeAhead(plan, now));
    else journal.append(...writeAhead(plan, now));
  } catch (e) {
    throw new CordonError(
      'journal-unwritable',
      `the write-ahead journal could not be written (${(e as Error).message}): nothing was changed`,
      EXIT.unreachable,
      'cordon changes nothing it cannot record first; check the state dir or the state bucket (s3:PutObject), then rerun',
    );
  }

  const outcomes = new Outcomes(plan.changes.map((c) => c.id));
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
    journalSha: journal.planHash,
    outcome: (changeId) => outcomes.get(changeId),
    whenSettled: (changeId) => outcomes.when(changeId),
    settle: (changeId, ok) => {
      outcomes.set(changeId, ok ? 'done' : 'failed');
    },
    deadline: o.deadline,
  };

  // One node per step and instance: an instance's steps wait only for its own earlier steps (and the shared ones
  // that serve it), so a fleet's instances move through containment independently — a failure on one never holds
  // back or fails another.
  const all = plan.instances.map((i) => i.instanceId);
  const units = [...all];
  const nodes = new Map<string, Node>();
  const key = (stepId: string, unit: string): string => `${stepId}\u0000${unit}`;
  for (const step of STEPS) {
    for (const unit of units) {
      nodes.set(key(step.id, unit), {
        step,
        unit,
        changes: [],
        result: {
          id: step.id,
          title: step.title,
          status: 'pending',
          critical: step.critical,
          changes: 0,
          instanceId: unit,
        },
      });
    }
  }
  const sharedUnit = all[0] ?? '';
  for (const c of plan.changes) {
    const unit = c.instanceId && all.includes(c.instanceId) ? c.instanceId : sharedUnit;
    const n = nodes.get(key(c.stepId, unit));
    if (!n) continue;
    n.changes.push(c);
  }
  // Which nodes apply the changes a node depends on: its own instance's, and the owners of shared changes serving it.
  const owners = new Map<string, Set<Node>>();
  for (const n of nodes.values()) {
    for (const c of n.changes) {
      for (const u of serves(c, all)) {
        if (u === n.unit) continue;
        const k = key(n.step.id, u);
        const set = owners.get(k) ?? new Set<Node>();
        set.add(n);
        owners.set(k, set);
      }
    }
  }
  const ownersFor = (stepId: string, unit: string): Node[] => [
    nodes.get(key(stepId, unit))!,
    ...(owners.get(key(stepId, unit)) ?? []),
  ];
  const stepDef = (id: string): StepDef | undefined => STEPS.find((s) => s.id === id);

  const run = (n: Node): Promise<StepResult> => {
    n.promise ??= (async (): Promise<StepResult> => {
      const r = n.result;
      // `after`: order only — wait for those to finish, whatever their outcome.
      await Promise.all((n.step.after ?? []).filter((d) => stepDef(d)).flatMap((d) => ownersFor(d, n.unit).map(run)));
      const deps = await Promise.all(n.step.dependsOn.flatMap((d) => ownersFor(d, n.unit).map(run)));
      r.changes = n.changes.length;
      const failedDep = deps.find((d) => d.status === 'failed' || d.status === 'skipped');
      if (failedDep) {
        r.status = 'skipped';
        r.error = { code: 'dependency-failed', message: `not run: ${failedDep.id} ${failedDep.status}` };
        for (const c of n.changes) outcomes.set(c.id, 'failed');
      } else if (n.changes.length === 0) {
        r.status = 'nothing-to-do';
      } else {
        r.status = 'running';
        r.startedMs = Date.now() - startedMs;
        onEvent({ type: 'step', step: { ...r } });
        try {
          await gateway.scheduled({ ...scheduleOf(n.step), deadline: o.deadline, label: n.step.id }, () =>
            n.step.apply(ctx, n.changes),
          );
          r.status = 'done';
          for (const c of n.changes) if (!outcomes.has(c.id)) outcomes.set(c.id, 'done');
          journal.appendSoon(
            ...n.changes
              .filter((c) => outcomes.get(c.id) === 'done')
              .map((c) => ({
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
          for (const c of n.changes) if (!outcomes.has(c.id)) outcomes.set(c.id, 'failed');
        }
        r.endedMs = Date.now() - startedMs;
      }
      if (r.status !== 'nothing-to-do') {
        journal.appendSoon({
          type: 'step',
          time: now(),
          incident: plan.incident,
          stepId: n.step.id,
          instanceId: n.unit,
          status: r.status,
          error: r.error?.message,
        });
      }
      onEvent({ type: 'step', step: { ...r } });
      return r;
    })();
    return n.promise;
  };
  await Promise.all([...nodes.values()].map(run));
  journal.flush();

  const byInstance: Record<string, StepResult[]> = {};
  for (const unit of units) {
    byInstance[unit] = STEPS.map((s) => {
      // A shared change's outcome counts for every instance it serves.
      const mine = nodes.get(key(s.id, unit))!.result;
      const owners = ownersFor(s.id, unit).map((x) => x.result);
      const worst = owners.find((x) => x.status === 'failed') ?? owners.find((x) => x.status === 'skipped');
      if (worst && worst !== mine) return { ...mine, status: worst.status, error: worst.error };
      // A shared change made for this instance by another's node (a subnet's NACL): its times count here too.
      const shared = owners.filter((x) => x !== mine && x.status === 'done');
      if (mine.changes === 0 && shared.length)
        return {
          ...mine,
          status: 'done' as const,
          startedMs: Math.min(...shared.map((x) => x.startedMs ?? 0)),
          endedMs: Math.max(...shared.map((x) => x.endedMs ?? 0)),
        };
      return { ...mine };
    });
  }
  const steps = STEPS.map((s) =>
    aggregate(
      s,
      units.map((u) => nodes.get(key(s.id, u))!.result),
    ),
  );
  const isolatedAt: Record<string, number> = {};
  for (const unit of units) {
    const crit = byInstance[unit]!.filter((x) => x.critical);
    if (crit.every((x) => x.status === 'done' || x.status === 'nothing-to-do')) {
      isolatedAt[unit] = Math.max(
        0,
        ...STEPS.filter((s) => s.critical).flatMap((s) => ownersFor(s.id, unit).map((n) => n.result.endedMs ?? 0)),
      );
    }
  }
  // Isolation is reached only if every instance's critical steps ended well: a failed swap is not "isolated after N ms".
  const isolated = units.every((u) => isolatedAt[u] !== undefined);
  const isolatedAfterMs = isolated ? Math.max(0, ...Object.values(isolatedAt)) : undefined;
  return { steps, byInstance, warnings, resolved, isolatedAfterMs, isolatedAt, startedMs };
}

/** How each change of the run ended, and a way to wait for one. */
class Outcomes {
  private readonly done = new Map<string, 'done' | 'failed'>();
  private readonly waiting = new Map<string, ((o: 'done' | 'failed') => void)[]>();
  private readonly planned: Set<string>;
  constructor(planned: string[]) {
    this.planned = new Set(planned);
  }

  get(id: string): 'done' | 'failed' | undefined {
    return this.done.get(id);
  }

  has(id: string): boolean {
    return this.done.has(id);
  }

  set(id: string, o: 'done' | 'failed'): void {
    if (this.done.has(id)) return;
    this.done.set(id, o);
    for (const w of this.waiting.get(id) ?? []) w(o);
    this.waiting.delete(id);
  }

  /** Resolves once the change has ended (undefined at once for a change this plan does not make). */
  when(id: string): Promise<'done' | 'failed' | undefined> {
    const o = this.done.get(id);
    if (o || !this.planned.has(id)) return Promise.resolve(o);
    return new Promise((resolve) => this.waiting.set(id, [...(this.waiting.get(id) ?? []), resolve]));
  }
}

function aggregate(step: StepDef, results: StepResult[]): StepResult {
  const worked = results.filter((r) => r.status !== 'nothing-to-do');
  const failed = worked.find((r) => r.status === 'failed');
  const skipped = worked.find((r) => r.status === 'skipped');
  const status: StepStatus = worked.length === 0 ? 'nothing-to-do' : failed ? 'failed' : skipped ? 'skipped' : 'done';
  const starts = worked.map((r) => r.startedMs).filter((x): x is number => x !== undefined);
  const ends = worked.map((r) => r.endedMs).filter((x): x is number => x !== undefined);
  return {
    id: step.id,
    title: step.title,
    status,
    critical: step.critical,
    changes: results.reduce((a, r) => a + r.changes, 0),
    startedMs: starts.length ? Math.min(...starts) : undefined,
    endedMs: ends.length ? Math.max(...ends) : undefined,
    error: (failed ?? skipped)?.error,
  };
}

/** The write-ahead records of a plan: every original value it will change. */
function writeAhead(plan: Plan, now: () => string): JournalRecord[] {
  return [
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
  ];
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
