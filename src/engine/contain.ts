// The library entry points for containment: plan, contain (plan → apply → verify) and the final status tag.

import { randomBytes } from 'node:crypto';
import type { AwsClients } from '../aws/clients.js';
import { describeTargets, type TargetFacts } from '../aws/facts.js';
import { Gateway } from '../aws/gateway.js';
import type { ContainOptions, Plan } from '../core/plan.js';
import { TAG } from '../core/tags.js';
import { STEPS } from '../steps/index.js';
import { containableEnis } from '../steps/types.js';
import { applyPlan, preflight, type ApplyResult, type EngineEvent, type StepResult } from './engine.js';
import { Journal, defaultStateDir } from './journal.js';
import { checkFresh, makePlan } from './planner.js';

export function newIncidentId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `ir-${stamp}-${randomBytes(3).toString('hex')}`;
}

export interface PlanRequest {
  clients: AwsClients;
  instanceIds: string[];
  incident?: string;
  lowerConntrack?: boolean;
  skipUntrackStep?: boolean;
  stateDir?: string;
  /** Run EC2 DryRun for each mutating call (default true). */
  dryRun?: boolean;
}

export interface PlanOutcome {
  plan: Plan;
  targets: TargetFacts;
  missingPermissions: { step: string; action: string; message: string }[];
  gateway: Gateway;
}

export function containOptions(r: PlanRequest): ContainOptions {
  return { incident: r.incident ?? newIncidentId(), lowerConntrack: r.lowerConntrack ?? true, skipUntrackStep: r.skipUntrackStep };
}

export async function planContainment(r: PlanRequest): Promise<PlanOutcome> {
  const gateway = new Gateway(r.clients);
  const targets = await describeTargets(r.clients, r.instanceIds);
  const options = containOptions(r);
  const plan = makePlan(targets, options, r.clients.region, new Date().toISOString());
  const journal = new Journal(r.stateDir ?? defaultStateDir(), plan.incident);
  const missingPermissions = r.dryRun === false ? [] : await preflight(plan, gateway, journal);
  return { plan, targets, missingPermissions, gateway };
}

export interface InstanceResult {
  instanceId: string;
  incident: string;
  /** contained: every step succeeded and every ENI is on the empty group. */
  status: 'contained' | 'incomplete' | 'already-contained';
  steps: { id: string; status: string; changes: number; error?: { code: string; message: string } }[];
  enis: { networkInterfaceId: string; groups: string[]; isolated: boolean }[];
  warnings: string[];
}

export interface ContainResult {
  incident: string;
  region: string;
  plan: Plan;
  apply: ApplyResult;
  instances: InstanceResult[];
  journal: string;
  /** Number of sequential AWS round trips until the last ENI reached the empty group. */
  roundTrips: number;
  /** Milliseconds from the start of contain until the last ENI was on the empty group. */
  isolatedAfterMs?: number;
  calls: Gateway['calls'];
}

export interface ContainRequest extends PlanRequest {
  /** A saved plan to apply (refused if stale). */
  plan?: Plan;
  onEvent?: (e: EngineEvent) => void;
  /** Called with the plan before anything changes; return false to abort (confirmation prompt). */
  confirm?: (plan: Plan) => Promise<boolean>;
}

export class Aborted extends Error {}

export async function contain(r: ContainRequest): Promise<ContainResult> {
  const gateway = new Gateway(r.clients);
  const t0 = Date.now();
  const targets = await describeTargets(r.clients, r.instanceIds);
  let plan: Plan;
  if (r.plan) {
    checkFresh(r.plan, targets);
    plan = r.plan;
  } else {
    plan = makePlan(targets, containOptions(r), r.clients.region, new Date().toISOString());
  }
  if (r.confirm && !(await r.confirm(plan))) throw new Aborted('containment aborted at the confirmation prompt; nothing was changed');
  const journal = new Journal(r.stateDir ?? defaultStateDir(), plan.incident);
  const applied = await applyPlan(plan, gateway, journal, r.onEvent);
  const isolatedAt = applied.startedMs + (applied.isolatedAfterMs ?? 0);
  // The describe round trip (describeTargets) plus the waves of calls up to the last ENI on the empty group.
  const roundTrips = 1 + countRoundTrips(gateway.calls.filter((c) => c.endedMs <= isolatedAt));

  // Verify by describing again, then mark the instances with their final status.
  const after = await describeTargets(r.clients, r.instanceIds);
  const instances: InstanceResult[] = after.instances.map((i) => {
    const p = plan.instances.find((x) => x.instanceId === i.instanceId)!;
    const empty = after.isolationGroups[i.vpcId ?? '']?.empty?.groupId ?? applied.resolved[`new:isolation-empty:${i.vpcId}`];
    const enis = containableEnis(i).map((e) => ({ networkInterfaceId: e.networkInterfaceId, groups: e.groupIds, isolated: e.groupIds.length === 1 && e.groupIds[0] === empty }));
    const steps = applied.steps.map((s: StepResult) => ({ id: s.id, status: s.status, changes: plan.changes.filter((c) => c.stepId === s.id && c.instanceId === i.instanceId).length, error: s.error }));
    const failed = applied.steps.some((s) => s.status === 'failed' || s.status === 'skipped');
    const status: InstanceResult['status'] = !failed && enis.every((e) => e.isolated) ? (p.alreadyContained ? 'already-contained' : 'contained') : 'incomplete';
    return { instanceId: i.instanceId, incident: plan.incident, status, steps, enis, warnings: [...p.warnings, ...applied.warnings.filter((w) => w.instanceId === i.instanceId).map((w) => w.message)] };
  });
  const done = instances.filter((i) => i.status !== 'incomplete').map((i) => i.instanceId);
  if (done.length) {
    await gateway.createTags(done, { [TAG.status]: 'contained', [TAG.incident]: plan.incident, [TAG.layers]: 'sg' }).catch(() => undefined);
  }
  journal.append(...instances.map((i) => ({ type: 'result' as const, time: new Date().toISOString(), incident: plan.incident, instanceId: i.instanceId, status: i.status })));
  return { incident: plan.incident, region: r.clients.region, plan, apply: applied, instances, journal: journal.path, roundTrips, isolatedAfterMs: applied.isolatedAfterMs === undefined ? undefined : isolatedAt - t0, calls: gateway.calls };
}

/**
 * Sequential round trips to the last call: the longest chain of calls each of which started only after the previous
 * one had answered, ending at the last call (calls in flight together count once).
 */
export function countRoundTrips(calls: { startedMs: number; endedMs: number }[]): number {
  if (calls.length === 0) return 0;
  let cur = calls.reduce((a, b) => (b.endedMs > a.endedMs ? b : a));
  let n = 1;
  for (;;) {
    let prev: { startedMs: number; endedMs: number } | undefined;
    for (const c of calls) if (c.endedMs <= cur.startedMs && (!prev || c.endedMs > prev.endedMs)) prev = c;
    if (!prev) return n;
    n++;
    cur = prev;
  }
}

export { STEPS };
