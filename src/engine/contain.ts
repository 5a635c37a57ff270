// The library entry points for containment: plan, contain (plan → apply → verify) and the final status tag.

import { randomBytes } from 'node:crypto';
import type { AwsClients } from '../aws/clients.js';
import { describeTargets, gatherNetworkFacts, type TargetFacts } from '../aws/facts.js';
import { verify } from '../core/verify/verify.js';
import { Gateway } from '../aws/gateway.js';
import type { ContainOptions, Plan } from '../core/plan.js';
import { TAG } from '../core/tags.js';
import { resolvePlaybook, type PlaybookOptions } from '../core/playbook.js';
import { STEPS } from '../steps/index.js';
import { containableEnis, type PlanInput } from '../steps/types.js';
import { applyPlan, preflight, type ApplyResult, type EngineEvent, type StepResult } from './engine.js';
import { Journal, defaultStateDir, journalsFor, eniOriginals } from './journal.js';
import { checkFresh, makePlan, refuseWhileRestoring } from './planner.js';
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
  /** Run EC2 DryRun for each mutating call (default true). */
  dryRun?: boolean;
  /** The rest of the playbook (Auto Scaling, load balancers, IAM, IMDS, evidence); unset fields take the defaults. */
  playbook?: Partial<PlaybookOptions>;
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
    incident: r.incident ?? incident ?? newIncidentId(),
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
 * crash came before any tag reached AWS, the newest local journal of a run that left an ENI on an isolation group),
 * and brings back the originals that journal recorded.
 */
export function continuation(
  targets: TargetFacts,
  stateDir: string,
): { incident?: string; knownOriginals: NonNullable<PlanInput['knownOriginals']> } {
  let incident: string | undefined;
  for (const i of targets.instances) {
    const tagged = i.tags[TAG.status] !== 'released' ? i.tags[TAG.incident] : undefined;
    incident ??= tagged ?? i.enis.map((e) => e.tags[TAG.incident]).find(Boolean);
  }
  const knownOriginals: NonNullable<PlanInput['knownOriginals']> = {};
  for (const i of targets.instances) {
    const iso = targets.isolationGroups[i.vpcId ?? ''] ?? {};
    const onIsolation = i.enis.some((e) => e.groupIds.some((g) => g === iso.open?.groupId || g === iso.empty?.groupId));
    const journals = journalsFor(stateDir, i.instanceId).filter((j) =>
      incident ? j.incident === incident : onIsolation,
    );
    const j = journals[0];
    if (!j) continue;
    incident ??= j.incident;
    Object.assign(knownOriginals, eniOriginals(j.records));
  }
  return { incident, knownOriginals };
}

export async function planContainment(r: PlanRequest): Promise<PlanOutcome> {
  const gateway = new Gateway(r.clients);
  // A plan shows everything: reads that would cost containment extra round trips (load balancers, the role) too.
  const targets = await describeTargets(r.clients, r.instanceIds, {
    complete: true,
    playbook: resolvePlaybook(r.playbook),
    layers: layersOf(r),
    naclMode: r.naclMode,
  });
  const cont = continuation(targets, r.stateDir ?? defaultStateDir());
  const options = containOptions(r, cont.incident);
  const plan = makePlan(targets, options, r.clients.region, new Date().toISOString(), cont.knownOriginals);
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
  /** Number of sequential AWS round trips until the last ENI reached the empty group. */
  roundTrips: number;
  /** The incident's evidence folder, when evidence was captured. */
  evidence?: string;
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
  /** Accept a plan whose subnet-level layers also cut other network interfaces (plan.blastRadius). */
  acceptBlastRadius?: boolean;
  /** Asked when the plan has a blast radius and it was not accepted (a typed confirmation on a TTY). */
  confirmBlastRadius?: (plan: Plan) => Promise<boolean>;
}

export class Aborted extends Error {}

export async function contain(r: ContainRequest): Promise<ContainResult> {
  const gateway = new Gateway(r.clients);
  const t0 = Date.now();
  const layerOpts = r.plan?.options ?? r;
  const targets = await describeTargets(r.clients, r.instanceIds, {
    playbook: resolvePlaybook(r.plan?.options.playbook ?? r.playbook),
    layers: layersOf(layerOpts),
    naclMode: layerOpts.naclMode,
  });
  let plan: Plan;
  if (r.plan) {
    refuseWhileRestoring(targets);
    checkFresh(r.plan, targets);
    plan = r.plan;
  } else {
    const cont = continuation(targets, r.stateDir ?? defaultStateDir());
    plan = makePlan(
      targets,
      containOptions(r, cont.incident),
      r.clients.region,
      new Date().toISOString(),
      cont.knownOriginals,
    );
  }
  // Subnet- and edge-level layers hit other interfaces: refuse without explicit consent, before anything changes.
  const refusal = blastRadiusRefusal(plan.blastRadius);
  if (refusal && !r.acceptBlastRadius && !(r.confirmBlastRadius && (await r.confirmBlastRadius(plan)))) throw refusal;
  if (r.confirm && !(await r.confirm(plan)))
    throw new Aborted('containment aborted at the confirmation prompt; nothing was changed');
  const journal = new Journal(r.stateDir ?? defaultStateDir(), plan.incident);
  const applied = await applyPlan(plan, gateway, journal, r.onEvent);
  const isolatedAt = applied.startedMs + (applied.isolatedAfterMs ?? 0);
  // The describe round trip (describeTargets) plus the waves of calls up to the last ENI on the empty group.
  const roundTrips = 1 + countRoundTrips(gateway.calls.filter((c) => c.endedMs <= isolatedAt));

  // Verify by describing again, then mark the instances with their final status.
  const describeAfter = (): Promise<TargetFacts> =>
    describeTargets(r.clients, r.instanceIds, { layers: layersOf(plan.options), naclMode: plan.options.naclMode });
  let after = await describeAfter();
  // Safety net: if the swap stopped half-way (a step failed), no ENI may stay on the all-open group of step 1.
  if (
    await closeOpenEnis(gateway, plan, applied, after, (instanceId, message) =>
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
    const steps = applied.steps.map((s: StepResult) => ({
      id: s.id,
      status: s.status,
      changes: plan.changes.filter((c) => c.stepId === s.id && c.instanceId === i.instanceId).length,
      error: s.error,
    }));
    const failed = applied.steps.some((s) => s.status === 'failed' || s.status === 'skipped');
    const status: InstanceResult['status'] =
      !failed && (!sgLayer || enis.every((e) => e.isolated)) && layers.every((l) => l.isolated)
        ? p.alreadyContained
          ? 'already-contained'
          : 'contained'
        : 'incomplete';
    return {
      instanceId: i.instanceId,
      incident: plan.incident,
      status,
      steps,
      enis,
      layers: layers.length ? layers : undefined,
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
  // What survived: verify's reasoning on the network as it is now (off the critical path; a read failure is a warning).
  await Promise.all(
    instances.map(async (i) => {
      try {
        const facts = await gatherNetworkFacts(r.clients, i.instanceId, after);
        const report = verify(facts, {
          untrackStepApplied: layersOf(plan.options).includes('sg') && !plan.options.skipUntrackStep,
        });
        i.survivors = {
          bottomLine: report.bottomLine,
          contained: report.summary.contained,
          open: report.summary.open,
          maySurvive: report.summary.maySurvive,
          cut: report.summary.cut,
        };
      } catch (e) {
        i.warnings.push(
          `could not read the network to say what still gets through: ${(e as Error).message}; run \`cordon verify ${i.instanceId}\``,
        );
      }
    }),
  );
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
    isolatedAfterMs: applied.isolatedAfterMs === undefined ? undefined : isolatedAt - t0,
    calls: gateway.calls,
  };
}

/**
 * After a failed containment: every ENI the plan moved onto the all-open group goes on to the empty group (or, if
 * there is none, back to its original groups). Never leaves an instance more open than it was.
 */
async function closeOpenEnis(
  gateway: Gateway,
  plan: Plan,
  applied: ApplyResult,
  now: TargetFacts,
  warn: (instanceId: string | undefined, message: string) => void,
): Promise<boolean> {
  const isolate = applied.steps.find((s) => s.id === 'isolate-security-groups');
  if (!isolate || isolate.status === 'done' || isolate.status === 'nothing-to-do') return false;
  let moved = false;
  await Promise.all(
    plan.changes
      .filter((c) => c.stepId === 'untrack-connections')
      .map(async (c) => {
        const inst = now.instances.find((i) => i.instanceId === c.instanceId);
        const openRef = (c.after as string[])[0]!;
        const openId = isPlaceholder(openRef) ? applied.resolved[openRef] : openRef;
        const eni = inst?.enis.find((e) => e.networkInterfaceId === c.resource);
        if (!eni) return;
        const onOpen = !!openId && eni.groupIds.includes(openId);
        const emptyRef = (
          plan.changes.find((x) => x.stepId === 'isolate-security-groups' && x.resource === c.resource)?.after as
            string[] | undefined
        )?.[0];
        const emptyId = emptyRef && (isPlaceholder(emptyRef) ? applied.resolved[emptyRef] : emptyRef);
        if (emptyId && eni.groupIds.length === 1 && eni.groupIds[0] === emptyId) return;
        if (!onOpen && !emptyId) return; // untouched, and nothing to isolate it with
        moved = true;
        try {
          if (emptyId) {
            await gateway.setEniGroups(c.resource, [emptyId]);
            warn(
              c.instanceId,
              onOpen
                ? `${c.resource}: the swap did not complete; moved it from the all-open group to the empty group`
                : `${c.resource}: its step-1 swap failed; moved it straight to the empty group (a one-step swap: its tracked connections may survive — check with \`cordon verify\`)`,
            );
          } else {
            await gateway.setEniGroups(c.resource, c.before as string[]);
            warn(
              c.instanceId,
              `${c.resource}: the swap did not complete and no empty group exists; put it back on its original groups — it is NOT contained`,
            );
          }
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
  for (;;) {
    let prev: { startedMs: number; endedMs: number } | undefined;
    for (const c of calls) if (c.endedMs <= cur.startedMs && (!prev || c.endedMs > prev.endedMs)) prev = c;
    if (!prev) return n;
    n++;
    cur = prev;
  }
}

export { STEPS };
