// The library entry points for containment: plan, contain (plan → apply → verify) and the final status tag.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pushIncidentFiles, withState, type StateStore } from './state-store.js';
import type { AwsClients } from '../aws/clients.js';
import { describeTargets, type TargetFacts } from '../aws/facts.js';
import type { TamperedGroup } from '../core/isolation-groups.js';
import { gatherNetworkFactsMany } from '../aws/network-facts.js';
import { writeCallsRecord, writeVerifyRecords, type VerifyRecord } from './records.js';
import { PRIORITY } from '../aws/scheduler.js';
import { drainSeconds } from '../core/rate-limits.js';
import { SAFETY_GRACE_MS } from '../steps/isolate-security-groups.js';
import { verify } from '../core/verify/verify.js';
import { Gateway } from '../aws/gateway.js';
import type { ContainOptions, Plan } from '../core/plan.js';
import { TAG } from '../core/tags.js';
import { isIncidentId } from '../core/incident-id.js';
import { resolvePlaybook, type PlaybookOptions } from '../core/playbook.js';
import { STEPS } from '../steps/index.js';
import { containableEnis, type PlanInput } from '../steps/types.js';
import { applyPlan, preflight, type ApplyResult, type EngineEvent, type StepResult } from './engine.js';
import { Journal, defaultStateDir, journalsMentioning, eniOriginals } from './journal.js';
import { checkFresh, makePlan, refuseWhileRestoring, type RestoringCheck } from './planner.js';
import { journalView } from './status.js';
import { evidenceRoot } from './evidence.js';
import { hasLayer, layersOf, type Layer, type NaclMode } from '../core/layers.js';
import { blastRadiusRefusal } from '../core/blast-radius.js';
import { subnetLayerStatus, type LayerStatus } from '../core/layer-status.js';
import { isPlaceholder } from '../core/plan.js';
import { isolationIds } from '../steps/types.js';

export function newIncidentId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `ir-${stamp}-${randomBytes(3).toString('hex')}`;
}

export interface PlanRequest {
  clients: AwsClients;
  instanceIds: string[];
  incident?: string;
  lowerConntrack?: boolean;
  skipUntrackStep?: boolean;
  stateDir?: string;
  /** Where the journal and evidence live when not (only) local: `s3://bucket/prefix`, or an open store. */
  stateStore?: string | StateStore;
  /** Run EC2 DryRun for each mutating call (default true). */
  dryRun?: boolean;
  /** The rest of the playbook (Auto Scaling, load balancers, IAM, IMDS, evidence); unset fields take the defaults. */
  playbook?: Partial<PlaybookOptions>;
  /** The incident id for a new containment when none is given (a fleet's workers share one); a rerun keeps its own. */
  defaultIncident?: string;
  /** Containment layers (default ['sg']), NACL mode and forensics allow-list: src/core/layers.ts. */
  layers?: Layer[];
  naclMode?: NaclMode;
  allowCidrs?: string[];
}

export interface PlanOutcome {
  plan: Plan;
  targets: TargetFacts;
  missingPermissions: { step: string; action: string; message: string }[];
  gateway: Gateway;
}

export function containOptions(r: PlanRequest, incident?: string): ContainOptions {
  return {
    incident: r.incident ?? incident ?? r.defaultIncident ?? newIncidentId(),
    lowerConntrack: r.lowerConntrack ?? true,
    skipUntrackStep: r.skipUntrackStep,
    playbook: resolvePlaybook(r.playbook),
    layers: r.layers,
    naclMode: r.naclMode,
    allowCidrs: r.allowCidrs?.length ? r.allowCidrs : undefined,
  };
}

/**
 * A rerun finishes the job of an interrupted one: it continues the incident the instance is tagged with (or, when the
 * crash came before any tag reached AWS, the newest journal of a run that left an ENI on an isolation group), and
 * brings back the originals that journal recorded. The tagged incident is not taken on the tag's word: it must be an
 * incident id, its journal here (if there is one) must name the instance, and with a state store — where every run's
 * journal is before its first tag — it must be there. Otherwise a new incident is started, with a warning.
 */
export function continuation(
  targets: TargetFacts,
  stateDir: string,
  authoritative = false,
): { incident?: string; knownOriginals: NonNullable<PlanInput['knownOriginals']>; warnings: string[] } {
  let incident: string | undefined;
  const warnings: string[] = [];
  const byInstance = journalsMentioning(
    stateDir,
    targets.instances.map((i) => i.instanceId),
  );
  for (const i of targets.instances) {
    const tagged = i.tags[TAG.status] !== 'released' ? i.tags[TAG.incident] : undefined;
    const candidate = tagged ?? i.enis.map((e) => e.tags[TAG.incident]).find(Boolean);
    if (incident !== undefined || candidate === undefined) continue;
    const problem = !isIncidentId(candidate)
      ? 'which is not an incident id'
      : existsSync(join(stateDir, 'journal', `${candidate}.jsonl`))
        ? (byInstance.get(i.instanceId) ?? []).some((j) => j.incident === candidate)
          ? undefined
          : 'whose journal here does not name the instance'
        : authoritative
          ? 'which has no journal in the state store'
          : undefined;
    if (problem)
      warnings.push(
        `${i.instanceId} is tagged with incident "${candidate.slice(0, 128)}", ${problem}: not continued (the tag is not cordon's, or from another state) — a new incident is started; check CloudTrail for who wrote it`,
      );
    else incident = candidate;
  }
  const knownOriginals: NonNullable<PlanInput['knownOriginals']> = {};
  for (const i of targets.instances) {
    const iso = targets.isolationGroups[i.vpcId ?? ''] ?? {};
    const onIsolation = i.enis.some((e) => e.groupIds.some((g) => g === iso.open?.groupId || g === iso.empty?.groupId));
    const journals = (byInstance.get(i.instanceId) ?? []).filter((j) =>
      incident ? j.incident === incident : onIsolation,
    );
    const j = journals[0];
    if (!j) continue;
    incident ??= j.incident;
    Object.assign(knownOriginals, eniOriginals(j.records));
  }
  return { incident, knownOriginals, warnings };
}

/** Checks a `restoring` mark against the state's journal (see RestoringCheck). */
export function restoringCheck(stateDir: string, authoritative: boolean): RestoringCheck {
  return (instanceId, incident) => {
    // cordon writes the mark with its incident, always a valid id
    if (incident === undefined || !isIncidentId(incident)) return 'refuted';
    if (!existsSync(join(stateDir, 'journal', `${incident}.jsonl`))) return authoritative ? 'refuted' : 'unknown';
    const view = journalView(incident, new Journal(stateDir, incident).read(), instanceId);
    return view?.state === 'restoring' ? 'confirmed' : 'refuted';
  };
}

export async function planContainment(r: PlanRequest): Promise<PlanOutcome> {
  // A plan reads the journals (an interrupted run is continued): from the store when there is one.
  return withState(r, 'all', (stateDir) => planHere({ ...r, stateDir }));
}

async function planHere(r: PlanRequest & { stateDir: string }): Promise<PlanOutcome> {
  const gateway = new Gateway(r.clients);
  // A plan shows everything: reads that would cost containment extra round trips (load balancers, the role) too.
  const targets = await describeTargets(r.clients, r.instanceIds, {
    complete: true,
    playbook: resolvePlaybook(r.playbook),
    layers: layersOf(r),
    naclMode: r.naclMode,
  });
  const stateDir = r.stateDir ?? defaultStateDir();
  const cont = continuation(targets, stateDir, r.stateStore !== undefined);
  const options = containOptions(r, cont.incident);
  const plan = makePlan(
    targets,
    options,
    r.clients.region,
    new Date().toISOString(),
    cont.knownOriginals,
    restoringCheck(stateDir, r.stateStore !== undefined),
  );
  plan.warnings.push(...cont.warnings);
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
  /** The subnet-level layers on the instance's subnets, described after applying. */
  layers?: LayerStatus[];
  warnings: string[];
  /** When each layer was in place on this instance: ms since contain started (prompts left out). */
  reached?: Partial<Record<Layer, number>>;
  /** What still gets through, by class of flow (cordon verify's reasoning on the configuration after containment). */
  survivors?: { bottomLine: string; contained: boolean; open: number; maySurvive: number; cut: number };
}

export interface ContainResult {
  incident: string;
  region: string;
  plan: Plan;
  apply: ApplyResult;
  instances: InstanceResult[];
  journal: string;
  /** The state store the journal and evidence were also written to (`s3://…`), if any. */
  state?: string;
  /** Number of sequential AWS round trips until the last ENI reached the empty group. */
  roundTrips: number;
  /** The incident's evidence folder, when evidence was captured. */
  evidence?: string;
  /**
   * Milliseconds from the start of contain until the last ENI was on the empty group (and every critical step of
   * every instance had ended well); time at a confirmation prompt is left out.
   */
  isolatedAfterMs?: number;
  /** Milliseconds from the start until the last step of the last instance ended (prompts left out). */
  completedAfterMs: number;
  /** When the run stopped trying to send calls the account's buckets held back (ISO time). */
  deadline: string;
  /**
   * What cordon found that someone may have done to undermine it: isolation groups whose tags or rules are not
   * cordon's (never used: containment made fresh ones). Reported; the exit code is not changed by them.
   */
  indicators: Indicator[];
  calls: Gateway['calls'];
}

export interface Indicator extends TamperedGroup {
  kind: 'tampered-isolation-group';
}

export interface ContainRequest extends PlanRequest {
  /** A saved plan to apply (refused if stale). */
  plan?: Plan;
  onEvent?: (e: EngineEvent) => void;
  /** Called with the plan before anything changes; return false to abort (confirmation prompt). */
  confirm?: (plan: Plan) => Promise<boolean>;
  /** Accept a plan whose subnet-level layers also cut other network interfaces (plan.blastRadius). */
  acceptBlastRadius?: boolean;
  /** Asked when the plan has a blast radius and it was not accepted (a typed confirmation on a TTY). */
  confirmBlastRadius?: (plan: Plan) => Promise<boolean>;
  /**
   * How long (ms, from the end of the confirmation) containment keeps sending calls the account's request buckets
   * hold back; default: from the plan's size (defaultDeadlineMs). An ENI on the all-open group gets extra time.
   */
  deadlineMs?: number;
}

export class Aborted extends Error {}

/**
 * Contains the instances. With a state store (`stateStore: 's3://…'`), the journal is pulled from it first, every
 * write-ahead record is stored there before the change it protects, and the evidence and run records are uploaded
 * at the end (src/engine/state-store.ts).
 */
export async function contain(r: ContainRequest): Promise<ContainResult> {
  return withState(
    r,
    'all',
    async (stateDir, store) => {
      const result = await containHere({ ...r, stateDir });
      if (store) result.state = store.url;
      return result;
    },
    async (stateDir, store, result) => {
      const problems: string[] = [];
      await new Journal(stateDir, result.incident).drain().catch((e: unknown) => {
        problems.push(`journal lines not confirmed in ${store.url}: ${(e as Error).message}`);
      });
      await pushIncidentFiles(store, stateDir, result.incident).catch((e: unknown) => {
        problems.push(`evidence / run records not uploaded to ${store.url}: ${(e as Error).message}`);
      });
      for (const p of problems)
        for (const i of result.instances) i.warnings.push(`${p} — the local copy is in ${stateDir}`);
    },
  );
}

async function containHere(r: ContainRequest & { stateDir: string }): Promise<ContainResult> {
  const gateway = new Gateway(r.clients);
  const t0 = Date.now();
  // Time spent waiting for a person at a prompt is not cordon's: reported times and round trips leave it out.
  let waitedMs = 0;
  const timed = async <T>(fn: () => Promise<T>): Promise<T> => {
    const w0 = Date.now();
    try {
      return await fn();
    } finally {
      waitedMs += Date.now() - w0;
    }
  };
  const layerOpts = r.plan?.options ?? r;
  const targets = await describeTargets(r.clients, r.instanceIds, {
    playbook: resolvePlaybook(r.plan?.options.playbook ?? r.playbook),
    layers: layersOf(layerOpts),
    naclMode: layerOpts.naclMode,
  });
  let plan: Plan;
  const stateDir = r.stateDir ?? defaultStateDir();
  const authoritative = r.stateStore !== undefined;
  if (r.plan) {
    const warnings = refuseWhileRestoring(targets, restoringCheck(stateDir, authoritative));
    checkFresh(r.plan, targets);
    plan = warnings.length ? { ...r.plan, warnings: [...r.plan.warnings, ...warnings] } : r.plan;
  } else {
    const cont = continuation(targets, stateDir, authoritative);
    plan = makePlan(
      targets,
      containOptions(r, cont.incident),
      r.clients.region,
      new Date().toISOString(),
      cont.knownOriginals,
      restoringCheck(stateDir, authoritative),
    );
    plan.warnings.push(...cont.warnings);
  }
  // Subnet- and edge-level layers hit other interfaces: refuse without explicit consent, before anything changes.
  const refusal = blastRadiusRefusal(plan.blastRadius);
  if (refusal && !r.acceptBlastRadius && !(r.confirmBlastRadius && (await timed(() => r.confirmBlastRadius!(plan)))))
    throw refusal;
  if (r.confirm && !(await timed(() => r.confirm!(plan))))
    throw new Aborted('containment aborted at the confirmation prompt; nothing was changed');
  const journal = new Journal(r.stateDir ?? defaultStateDir(), plan.incident);
  const deadline = Date.now() + (r.deadlineMs ?? defaultDeadlineMs(plan, r.clients));
  // What reached the instance before containment (for the incident report), read alongside the apply: other buckets
  // than the swaps', never waited for by the critical path.
  const beforeP = gateway
    .scheduled({ priority: PRIORITY.critical, label: 'verify-before' }, () =>
      gatherNetworkFactsMany(r.clients, targets),
    )
    .catch(() => undefined);
  const applied = await applyPlan(plan, gateway, journal, { onEvent: r.onEvent, deadline });
  const isolatedAt = applied.startedMs + (applied.isolatedAfterMs ?? 0);
  // Every wave of calls up to the last ENI on the empty group — the describes included.
  const roundTrips = countRoundTrips(gateway.calls.filter((c) => c.endedMs <= isolatedAt));
  const sinceStart = (at: number): number => at - t0 - waitedMs;

  // Verify by describing again, then mark the instances with their final status.
  const describeAfter = (): Promise<TargetFacts> =>
    describeTargets(r.clients, r.instanceIds, {
      layers: layersOf(plan.options),
      naclMode: plan.options.naclMode,
      // What the result reports: the ENIs' groups (always read) and the subnet layers in place.
      only: ['subnet-layers'],
    });
  let after = await describeAfter();
  // Safety net: no ENI may stay on the all-open group of step 1, whatever went wrong above.
  if (
    await closeOpenEnis(gateway, plan, applied, after, deadline, (instanceId, message) =>
      applied.warnings.push({ instanceId, message }),
    )
  )
    after = await describeAfter();
  const instances: InstanceResult[] = after.instances.map((i) => {
    const p = plan.instances.find((x) => x.instanceId === i.instanceId)!;
    const emptyRef = isolationIds(
      { isolationGroups: after.isolationGroups, options: plan.options },
      i.vpcId ?? '',
    ).empty;
    const empty = isPlaceholder(emptyRef) ? applied.resolved[emptyRef] : emptyRef;
    const sgLayer = hasLayer(plan.options, 'sg');
    const layers = subnetLayerStatus(i, plan.options);
    const enis = containableEnis(i).map((e) => ({
      networkInterfaceId: e.networkInterfaceId,
      groups: e.groupIds,
      isolated: e.groupIds.length === 1 && e.groupIds[0] === empty,
    }));
    const mine = applied.byInstance[i.instanceId] ?? [];
    const steps = mine.map((s: StepResult) => ({
      id: s.id,
      status: s.status,
      changes: plan.changes.filter((c) => c.stepId === s.id && c.instanceId === i.instanceId).length,
      error: s.error,
    }));
    const failed = mine.some((s) => s.status === 'failed' || s.status === 'skipped');
    const status: InstanceResult['status'] =
      !failed && (!sgLayer || enis.every((e) => e.isolated)) && layers.every((l) => l.isolated)
        ? p.alreadyContained
          ? 'already-contained'
          : 'contained'
        : 'incomplete';
    const reachedAt = layerTimes(mine, applied.startedMs, sinceStart);
    return {
      instanceId: i.instanceId,
      incident: plan.incident,
      status,
      steps,
      enis,
      layers: layers.length ? layers : undefined,
      reached: Object.keys(reachedAt).length ? reachedAt : undefined,
      warnings: [...p.warnings, ...applied.warnings.filter((w) => w.instanceId === i.instanceId).map((w) => w.message)],
    };
  });
  const done = instances.filter((i) => i.status !== 'incomplete').map((i) => i.instanceId);
  if (done.length) {
    await gateway
      .createTags(done, {
        [TAG.status]: 'contained',
        [TAG.incident]: plan.incident,
        [TAG.layers]: layersOf(plan.options).join(','),
      })
      .catch((e: unknown) => {
        for (const i of instances)
          if (done.includes(i.instanceId))
            i.warnings.push(
              `could not tag it ${TAG.status}=contained (${(e as Error).message}): \`cordon status\` will show it as still containing`,
            );
      });
  }
  // What survived: verify's reasoning on the network as it is now (off the critical path; a read failure is a
  // warning). One set of reads for the whole fleet.
  const verified: VerifyRecord[] = [];
  try {
    const facts = await gatherNetworkFactsMany(r.clients, after);
    for (const i of instances) {
      const report = verify(facts[i.instanceId]!, {
        untrackStepApplied: layersOf(plan.options).includes('sg') && !plan.options.skipUntrackStep,
      });
      verified.push({ when: 'after', instanceId: i.instanceId, region: r.clients.region, at: Date.now(), report });
      i.survivors = {
        bottomLine: report.bottomLine,
        contained: report.summary.contained,
        open: report.summary.open,
        maySurvive: report.summary.maySurvive,
        cut: report.summary.cut,
      };
    }
  } catch (e) {
    for (const i of instances)
      i.warnings.push(
        `could not read the network to say what still gets through: ${(e as Error).message}; run \`cordon verify ${i.instanceId}\``,
      );
  }
  const before = await beforeP;
  if (before)
    for (const i of plan.instances)
      if (before[i.instanceId])
        verified.push({
          when: 'before',
          instanceId: i.instanceId,
          region: r.clients.region,
          at: applied.startedMs,
          report: verify(before[i.instanceId]!, { untrackStepApplied: false }),
        });
  try {
    writeVerifyRecords(stateDir, plan.incident, verified);
    writeCallsRecord(stateDir, plan.incident, {
      region: r.clients.region,
      appliedAt: applied.startedMs,
      isolatedAt: applied.isolatedAfterMs === undefined ? undefined : isolatedAt,
      calls: gateway.calls,
    });
  } catch (e) {
    for (const i of instances)
      i.warnings.push(`could not write the run's records for the report: ${(e as Error).message}`);
  }
  journal.append(
    ...instances.map((i) => ({
      type: 'result' as const,
      time: new Date().toISOString(),
      incident: plan.incident,
      instanceId: i.instanceId,
      status: i.status,
    })),
  );
  const captured = applied.steps.some((s) => s.id.startsWith('evidence-') && s.status === 'done');
  const evidence = captured ? evidenceRoot(r.stateDir ?? defaultStateDir(), plan.incident) : undefined;
  return {
    incident: plan.incident,
    region: r.clients.region,
    plan,
    apply: applied,
    instances,
    journal: journal.path,
    evidence,
    roundTrips,
    isolatedAfterMs: applied.isolatedAfterMs === undefined ? undefined : sinceStart(isolatedAt),
    completedAfterMs: sinceStart(applied.startedMs + Math.max(0, ...applied.steps.map((s) => s.endedMs ?? 0))),
    deadline: new Date(deadline).toISOString(),
    indicators: tamperedIndicators([...targets.tampered, ...after.tampered]),
    calls: gateway.calls,
  };
}

function tamperedIndicators(groups: TamperedGroup[]): Indicator[] {
  const seen = new Set<string>();
  return groups
    .filter((g) => !seen.has(g.groupId) && seen.add(g.groupId))
    .map((g) => ({ kind: 'tampered-isolation-group' as const, ...g }));
}

/** When each layer was in place on an instance (ms since contain started, prompts left out). */
function layerTimes(
  steps: StepResult[],
  applyStart: number,
  sinceStart: (at: number) => number,
): Partial<Record<Layer, number>> {
  const out: Partial<Record<Layer, number>> = {};
  const at = (ids: string[]): number | undefined => {
    const hit = steps.filter((s) => ids.includes(s.id) && s.status === 'done' && s.endedMs !== undefined);
    return hit.length ? sinceStart(applyStart + Math.max(...hit.map((s) => s.endedMs!))) : undefined;
  };
  const sg = at(['isolate-security-groups']);
  const nacl = at(['associate-isolation-nacl', 'insert-nacl-entries']);
  const route = at(['associate-route-table']);
  if (sg !== undefined) out.sg = sg;
  if (nacl !== undefined) out.nacl = nacl;
  if (route !== undefined) out.route = route;
  return out;
}

/**
 * How long containment may keep trying when the account's buckets hold it back: three times the time the swaps'
 * bucket needs for this plan's calls (they dominate), plus a minute — at least five minutes.
 */
export function defaultDeadlineMs(plan: Plan, clients: AwsClients): number {
  const calls = plan.changes.filter((c) =>
    ['untrack-connections', 'isolate-security-groups', 'lower-conntrack-timeouts'].includes(c.stepId),
  ).length;
  const size = clients.scheduler.sizeOf('ec2', 'ModifyNetworkInterfaceAttribute');
  return Math.max(5 * 60_000, (3 * drainSeconds(calls, size) + 60) * 1000);
}

/**
 * After containment, whatever happened: every ENI of the plan found on the all-open group goes on to the empty
 * group (or, if there is none, back to its original groups), first in line at the scheduler, with extra time past
 * the deadline. Never leaves an instance more open than it was.
 */
async function closeOpenEnis(
  gateway: Gateway,
  plan: Plan,
  applied: ApplyResult,
  now: TargetFacts,
  deadline: number,
  warn: (instanceId: string | undefined, message: string) => void,
): Promise<boolean> {
  let moved = false;
  const swaps = plan.changes.filter((c) => c.stepId === 'isolate-security-groups');
  await Promise.all(
    swaps.map(async (c) => {
      const inst = now.instances.find((i) => i.instanceId === c.instanceId);
      const eni = inst?.enis.find((e) => e.networkInterfaceId === c.resource);
      if (!eni) return;
      // The VPC's all-open group: the one this run used (maybe created) and the one found by its tag now.
      const planned = plan.changes.find((x) => x.stepId === 'untrack-connections' && x.resource === c.resource)
        ?.after as string[] | undefined;
      const openIds = [planned?.[0], now.isolationGroups[inst!.vpcId ?? '']?.open?.groupId]
        .filter((x): x is string => !!x)
        .map((x) => (isPlaceholder(x) ? applied.resolved[x] : x))
        .filter((x): x is string => !!x);
      if (!eni.groupIds.some((g) => openIds.includes(g))) return;
      const emptyRef = (c.after as string[])[0]!;
      const emptyId = isPlaceholder(emptyRef) ? applied.resolved[emptyRef] : emptyRef;
      const original = c.fallback as string[] | undefined;
      moved = true;
      const close = (groups: string[]): Promise<void> =>
        gateway.scheduled(
          {
            priority: PRIORITY.swapClose,
            swap: 'close',
            deadline: deadline + 2 * SAFETY_GRACE_MS,
            label: 'safety-net',
          },
          () => gateway.setEniGroups(c.resource, groups),
        );
      try {
        if (emptyId) {
          await close([emptyId]);
          warn(
            c.instanceId,
            `${c.resource}: the swap did not complete; moved it from the all-open group to the empty group`,
          );
        } else if (original?.length) {
          await close(original);
          warn(
            c.instanceId,
            `${c.resource}: the swap did not complete and no empty group exists; put it back on its original groups — it is NOT contained`,
          );
        } else throw new Error('neither the empty group nor its original groups are known');
      } catch (e) {
        warn(
          c.instanceId,
          `${c.resource}: may be on the ALL-OPEN isolation group (step 1) and could not be moved: ${(e as Error).message} — fix it by hand now`,
        );
      }
    }),
  );
  return moved;
}

/**
 * Sequential round trips to the last call: the longest chain of calls each of which started only after the previous
 * one had answered, ending at the last call (calls in flight together count once).
 */
export function countRoundTrips(calls: { startedMs: number; endedMs: number }[]): number {
  if (calls.length === 0) return 0;
  let cur = calls.reduce((a, b) => (b.endedMs > a.endedMs ? b : a));
  let n = 1;
  // Each step goes to a call that is strictly earlier in (start, end) order, so the walk always ends — also for
  // calls answered within the clock's millisecond (start = end), which could otherwise precede themselves.
  const earlier = (c: { startedMs: number; endedMs: number }): boolean =>
    c.startedMs < cur.startedMs || (c.startedMs === cur.startedMs && c.endedMs < cur.endedMs);
  for (;;) {
    let prev: { startedMs: number; endedMs: number } | undefined;
    for (const c of calls)
      if (
        c.endedMs <= cur.startedMs &&
        earlier(c) &&
        (!prev || c.endedMs > prev.endedMs || (c.endedMs === prev.endedMs && c.startedMs > prev.startedMs))
      )
        prev = c;
    if (!prev) return n;
    n++;
    cur = prev;
  }
}

export { STEPS };
