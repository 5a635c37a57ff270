// What the handler and the worker share: clients per account × region (a role assumed in other accounts), the dedupe
// of instances already contained or being contained, and the plan-only and contain runs through the library.

import { createClients, type AwsClients } from '../aws/clients.js';
import { gatherNetworkFactsMany } from '../aws/network-facts.js';
import { CordonError, EXIT } from '../core/errors.js';
import { isIncidentId } from '../core/incident-id.js';
import { partitionOf } from '../core/playbook.js';
import type { Target } from '../core/targets.js';
import { verify } from '../core/verify/verify.js';
import { containDocument, planDocument, type ContainDocument, type PlanDocument } from '../engine/documents.js';
import { planContainment, type PlanRequest } from '../engine/contain.js';
import { openStateStore, withState, type StateStore } from '../engine/state-store.js';
import { containFleet, planWorkers, type Worker } from '../engine/fleet.js';
import { journalsMentioning, type JournalSummary } from '../engine/journal.js';
import { journalView, status } from '../engine/status.js';
import type { LambdaConfig } from './config.js';

/**
 * A run that started less than this ago (by its journal's plan record) is another run at work (a Lambda runs at most
 * 15 minutes): left alone.
 */
export const CONTAINING_FRESH_MS = 15 * 60_000;

export interface Skipped {
  /** Absent for a finding that names no instance. */
  instanceId?: string;
  accountId?: string;
  region?: string;
  /** filtered: by type or severity; deduped: already contained or being contained; not-an-instance. */
  reason: 'filtered' | 'deduped' | 'not-an-instance';
  detail: string;
  incident?: string;
  finding?: string;
}

/** What a run can read of the Lambda's context. */
export interface RunContext {
  /** ms left before Lambda stops the function. */
  remainingMs?: () => number;
}

/** Clients for an account × region: the function's own credentials, or a role assumed in another account. */
export function clientsFactory(config: LambdaConfig, made: AwsClients[]) {
  return (accountId: string | undefined, region: string): AwsClients => {
    if (accountId && !config.roleName)
      throw new CordonError(
        'no-role',
        `a target is in account ${accountId}, not this function's account: cordon needs a role to assume there`,
        EXIT.usage,
        'set CORDON_ROLE_NAME (or roleName in the input): a role in each target account that this function may assume',
      );
    const c = createClients({
      region,
      endpointUrl: config.endpointUrl,
      sessionName: 'cordon-lambda',
      ...(accountId ? { roleArn: `arn:${partitionOf(region)}:iam::${accountId}:role/${config.roleName}` } : {}),
    });
    made.push(c);
    return c;
  };
}

/** One worker per account × region of the targets (ARNs of this function's own account need no role). */
export async function workersFor(
  targets: Target[],
  config: LambdaConfig,
  region: string | undefined,
  made: AwsClients[],
) {
  return planWorkers({ targets, region, clientsFor: clientsFactory(config, made) });
}

export function destroyAll(made: AwsClients[]): void {
  for (const c of new Set(made)) c.destroy();
}

/**
 * Leaves out instances already contained (tagged contained, every ENI on the verified empty isolation group, and —
 * with an S3 state, which holds every run's journal — the incident's journal says contained) or being
 * contained by a run that started less than CONTAINING_FRESH_MS ago — which the incident's journal in the state must
 * confirm: a "containing" tag alone is anyone's to write (an attacker who tags their instance so would otherwise make
 * every finding stand down). An older or unconfirmed "containing" is contained again, which finishes a dead run's job.
 * Reads tags, groups and journals only; changes nothing.
 */
export async function dedupe(
  workers: Worker[],
  nowMs: number,
  config: LambdaConfig,
): Promise<{ workers: Worker[]; skipped: Skipped[]; warnings: string[] }> {
  const skipped: Skipped[] = [];
  const warnings: string[] = [];
  const kept: Worker[] = [];
  const states = await Promise.all(workers.map((w) => status(w.clients, w.instanceIds)));
  const tagged = states.flat().filter((s) => (s.status === 'containing' || s.status === 'contained') && s.incident);
  const journals: Map<string, JournalSummary[]> = tagged.length
    ? await journalsOf(config, workers[0]!.clients, tagged)
    : new Map();
  // The S3 store holds every run's journal: there, a tag no journal backs is not cordon's. A local state (one
  // container's /tmp) cannot tell.
  const authoritative = config.stateStore !== undefined;
  workers.forEach((w, k) => {
    const ids: string[] = [];
    for (const s of states[k]!) {
      const where = { instanceId: s.instanceId, accountId: w.accountId, region: w.region, incident: s.incident };
      const isolated = s.enis.length > 0 && s.enis.every((e) => e.onIsolationGroup === 'empty');
      if (s.status === 'contained' && isolated) {
        const j = journals.get(s.instanceId)?.find((x) => x.incident === s.incident);
        const view = j && journalView(j.incident, j.records, s.instanceId);
        if (view?.state === 'contained' || (!j && !authoritative)) {
          skipped.push({ ...where, reason: 'deduped', detail: `already contained (${s.summary}); nothing changed` });
          continue;
        }
        // Network cut, but not by a run the journal knows (or one it says is incomplete): contain, which plans no
        // network change for it and runs the rest of the playbook.
        warnings.push(
          `${s.instanceId}: tagged contained by incident ${s.incident} with every ENI on the empty isolation group, but ${view ? `its journal says ${view.state}` : j ? 'its journal does not say so' : 'the state store has no journal of it'}: contained now, so the rest of the playbook runs`,
        );
      }
      if (s.status === 'containing') {
        const j = journals.get(s.instanceId)?.find((x) => x.incident === s.incident);
        const view = j && journalView(j.incident, j.records, s.instanceId);
        const since = view ? Date.parse(view.at) : NaN;
        const fresh = Number.isFinite(since) && since <= nowMs + 60_000 && nowMs - since < CONTAINING_FRESH_MS;
        if (view?.state === 'containing' && fresh) {
          skipped.push({
            ...where,
            reason: 'deduped',
            detail: `being contained by incident ${s.incident} since ${view.at} (its journal); nothing changed — if that run died, invoke again after ${new Date(since + CONTAINING_FRESH_MS).toISOString()} or run \`cordon contain ${s.instanceId}\``,
          });
          continue;
        }
        warnings.push(
          view?.state === 'containing'
            ? `${s.instanceId}: containment by incident ${s.incident} started ${view.at} and did not finish; this run finishes it`
            : `${s.instanceId}: tagged as being contained by incident ${s.incident}, but no journal of that run in the state confirms it (${view ? `its journal says ${view.state}` : 'none found'}): tags alone are not believed — contained now`,
        );
      }
      ids.push(s.instanceId);
    }
    if (ids.length) kept.push({ ...w, instanceIds: ids });
  });
  return { workers: kept, skipped, warnings };
}

/** The journals of the incidents the instances are tagged with, from the deployment's state (pulled from S3 first). */
async function journalsOf(
  config: LambdaConfig,
  clients: AwsClients,
  tagged: { instanceId: string; incident?: string }[],
): Promise<Map<string, JournalSummary[]>> {
  const incidents = [...new Set(tagged.map((t) => t.incident!))].filter(isIncidentId);
  const ids = tagged.map((t) => t.instanceId);
  return withStore(config, (store) =>
    withState({ clients, stateDir: config.stateDir, stateStore: store }, incidents, async (dir) =>
      journalsMentioning(dir, ids),
    ),
  );
}

function requestOf(config: LambdaConfig, store?: StateStore): Omit<PlanRequest, 'clients' | 'instanceIds'> {
  return {
    incident: config.incident,
    lowerConntrack: config.lowerConntrack,
    stateDir: config.stateDir,
    ...(store ? { stateStore: store } : {}),
    ...config.layers,
    playbook: config.playbook,
  };
}

export interface VerifyNow {
  instanceId: string;
  accountId?: string;
  region: string;
  bottomLine: string;
  contained: boolean;
}

export interface PlanRun {
  document: PlanDocument;
  /** What reaches each instance now (verify's reasoning on the configuration before containment). */
  verifyNow: VerifyNow[];
  warnings: string[];
}

/**
 * The state store of the deployment, opened with the function's own credentials (never a member account's role:
 * the bucket is the responder account's), in its own region.
 */
async function withStore<T>(config: LambdaConfig, fn: (store?: StateStore) => Promise<T>): Promise<T> {
  if (!config.stateStore) return fn();
  const store = openStateStore(config.stateStore, {
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    endpointUrl: config.endpointUrl,
  });
  try {
    return await fn(store);
  } finally {
    store.destroy();
  }
}

/** Plan-only: reads, plans and DryRuns each worker; changes nothing. */
export async function runPlan(workers: Worker[], config: LambdaConfig): Promise<PlanRun> {
  const warnings: string[] = [];
  const outcomes = await withStore(config, (store) =>
    Promise.all(
      workers.map((w) =>
        planContainment({ clients: w.clients, instanceIds: w.instanceIds, ...requestOf(config, store) }),
      ),
    ),
  );
  const verifyNow: VerifyNow[] = [];
  await Promise.all(
    outcomes.map(async (o, k) => {
      const w = workers[k]!;
      try {
        const facts = await gatherNetworkFactsMany(w.clients, o.targets);
        for (const id of w.instanceIds) {
          const r = verify(facts[id]!, { untrackStepApplied: false });
          verifyNow.push({
            instanceId: id,
            accountId: w.accountId,
            region: w.region,
            bottomLine: r.bottomLine,
            contained: r.summary.contained,
          });
        }
      } catch (e) {
        warnings.push(
          `could not read the network of ${w.instanceIds.join(', ')} to say what reaches it now: ${(e as Error).message}`,
        );
      }
    }),
  );
  return { document: planDocument(outcomes), verifyNow, warnings };
}

/** The deadline for calls the account's buckets hold back: the configured one, cut to leave a minute before Lambda's timeout. */
export function deadlineFor(config: LambdaConfig, ctx: RunContext): number | undefined {
  const left = ctx.remainingMs?.();
  if (left === undefined || !Number.isFinite(left)) return config.deadlineMs;
  const room = Math.max(10_000, left - 60_000);
  return config.deadlineMs === undefined ? room : Math.min(config.deadlineMs, room);
}

/** Contains every worker's instances (one incident, no prompt: the deployment is the consent). */
export async function runContain(workers: Worker[], config: LambdaConfig, ctx: RunContext): Promise<ContainDocument> {
  const result = await withStore(config, (store) =>
    containFleet(workers, {
      ...requestOf(config, store),
      acceptBlastRadius: config.acceptBlastRadius,
      deadlineMs: deadlineFor(config, ctx),
    }),
  );
  return containDocument(result);
}
