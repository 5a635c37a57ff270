// Restore: every step that changed something puts it back, from the write-ahead record on the resource itself
// (tags) or, failing that, the local journal. Steps restore in their restoreOrder (security groups after the
// subnet-level layers, the record tags last). Refuses when a resource drifted since containment unless forced.

import type { AwsClients } from '../aws/clients.js';
import { withState, type StateStore } from './state-store.js';
import { describeTargets } from '../aws/facts.js';
import { Gateway } from '../aws/gateway.js';
import { CordonError, EXIT } from '../core/errors.js';
import { TAG } from '../core/tags.js';
import { isIncidentId } from '../core/incident-id.js';
import { STEPS } from '../steps/index.js';
import { containableEnis, type RestoreInput, type RestoreItem, type StepContext } from '../steps/types.js';
import { PRIORITY } from '../aws/scheduler.js';
import { awsErrorCode } from '../aws/clients.js';
import { readFileSync } from 'node:fs';
import {
  Journal,
  RESTORE_STARTED,
  defaultStateDir,
  journalFiles,
  sha256,
  verifyChain,
  type JournalRecord,
} from './journal.js';

export interface RestoreRequest {
  clients: AwsClients;
  instanceIds: string[];
  force?: boolean;
  stateDir?: string;
  /** Where the journal lives when not (only) local: `s3://bucket/prefix`, or an open store. */
  stateStore?: string | StateStore;
  /** Also remove the session-revocation policy cordon put on the role (kept by default). */
  removeRevocation?: boolean;
  /**
   * When the record tags on a resource and the local journal disagree about an original, restore refuses; this
   * says which to believe instead.
   */
  trust?: 'journal' | 'tags';
  /** Called with the restore plan before anything changes; return false to abort. */
  confirm?: (plan: RestorePlan) => Promise<boolean>;
}

export interface RestorePlan {
  instances: {
    instanceId: string;
    incident: string;
    journal: string;
    items: RestoreItem[];
    /** cordon:status before the restore. */ status?: string;
  }[];
  /** Originals that come from tags alone (anyone able to tag the resource could have written them), and the like. */
  warnings: string[];
}

/** One original the tags and the journal disagree about. */
export interface RecordConflict {
  instanceId: string;
  resource: string;
  attribute: string;
  tags: unknown;
  journal: unknown;
}

/** JSON with sorted keys: two records of the same value compare equal. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}

export async function planRestore(r: RestoreRequest): Promise<RestorePlan> {
  return withState(r, 'all', (stateDir) => planRestoreHere({ ...r, stateDir }));
}

async function planRestoreHere(r: RestoreRequest): Promise<RestorePlan> {
  // Everything restore may put back is read now (load balancer registrations, the groups instances left …).
  const stateDir = r.stateDir ?? defaultStateDir();
  // Every local journal, read once (a fleet's instances share them).
  const local = allJournals(stateDir);
  const journalsOf = (id: string): JournalSummary[] => local.filter((j) => mentions(j.records, id));
  // Groups the journal says an instance left (their record tag may never have reached it): read them too.
  const asgGroupOf: Record<string, string> = {};
  for (const id of r.instanceIds) {
    for (const j of journalsOf(id)) {
      const rec = j.records.find((x) => x.type === 'original' && x.resource === id && x.attribute === 'asg-record');
      const group = rec?.type === 'original' ? (rec.value as { group?: string } | undefined)?.group : undefined;
      if (group) {
        asgGroupOf[id] = group;
        break;
      }
    }
  }
  const targets = await describeTargets(r.clients, r.instanceIds, { complete: true, asgGroupOf });
  const out: RestorePlan = { instances: [], warnings: [] };
  const conflicts: RecordConflict[] = [];
  const tagsOnly: string[] = [];
  const foreign: string[] = [];
  const broken: string[] = [];
  for (const inst of targets.instances) {
    // The incident from the tags, or — when a run crashed before its tags reached AWS — from the local journal.
    // A released instance's incident tag names a finished incident: a later containment whose tags never landed is
    // found on its ENIs or in the newest local journal instead.
    // An incident tag that is not an incident id was not written by cordon: never used (it would name a file).
    const valid = (v: string | undefined): string | undefined => {
      if (v !== undefined && !isIncidentId(v))
        out.warnings.push(
          `${inst.instanceId}: a ${TAG.incident} tag "${v.slice(0, 128)}" is not an incident id (not cordon's): ignored — check CloudTrail for who wrote it`,
        );
      return v !== undefined && isIncidentId(v) ? v : undefined;
    };
    const tagged = inst.tags[TAG.status] !== 'released' ? valid(inst.tags[TAG.incident]) : undefined;
    const incident =
      tagged ??
      containableEnis(inst)
        .map((e) => valid(e.tags[TAG.incident]))
        .find(Boolean) ??
      journalsOf(inst.instanceId)[0]?.incident ??
      valid(inst.tags[TAG.incident]);
    if (!incident) {
      throw new CordonError(
        'not-contained',
        `instance ${inst.instanceId} carries no cordon containment record`,
        EXIT.refused,
        'nothing to restore; `cordon status` shows what cordon knows about it',
      );
    }
    const journal = new Journal(stateDir, incident);
    // The incident's journal first, then any other local journal of this instance (a rerun elsewhere may have tagged
    // it with a new incident while the originals were recorded here under the first one).
    const mine = [
      ...local.filter((j) => j.incident === incident),
      ...journalsOf(inst.instanceId).filter((j) => j.incident !== incident),
    ];
    for (const j of mine) {
      const chain = verifyChain(j.text, j.incident);
      const real = chain.problems.filter((p) => !p.torn);
      if (real.length && !broken.some((b) => b.startsWith(`${j.path}:`)))
        broken.push(`${j.path}: line ${real[0]!.line}: ${real[0]!.problem}`);
    }
    const records = mine.flatMap((j) => j.records);
    const journalOriginal = (resource: string, attribute: string): unknown => {
      const rec = records.find((x) => x.type === 'original' && x.resource === resource && x.attribute === attribute);
      return rec && rec.type === 'original' ? rec.value : undefined;
    };
    // Tags carry the hash of the plan record of the run that wrote them. A hash this journal does not hold: the tags
    // come from a run whose journal is elsewhere (another responder's machine) — or were written by someone else.
    // The originals themselves are still compared value by value below; this is said, not refused.
    const planHashes = new Set(mine.flatMap((j) => j.planHashes));
    for (const res of [inst.tags, ...containableEnis(inst).map((e) => e.tags)]) {
      const h = res[TAG.journal];
      if (h && mine.length && !planHashes.has(h))
        foreign.push(
          `${res === inst.tags ? inst.instanceId : (containableEnis(inst).find((e) => e.tags === res)?.networkInterfaceId ?? '?')} (${TAG.journal}=${h.slice(0, 12)}…)`,
        );
    }
    const pick: RestoreInput['pick'] = (resource, attribute, fromTags, fromJournal) => {
      if (fromTags === undefined && fromJournal === undefined) return undefined;
      if (fromTags === undefined) return { value: fromJournal!, source: 'journal' };
      if (fromJournal === undefined) {
        tagsOnly.push(`${resource} ${attribute}`);
        return { value: fromTags, source: 'tags' };
      }
      if (canonical(fromTags) === canonical(fromJournal)) return { value: fromJournal, source: 'tags+journal' };
      conflicts.push({ instanceId: inst.instanceId, resource, attribute, tags: fromTags, journal: fromJournal });
      return r.trust === 'tags' ? { value: fromTags, source: 'tags' } : { value: fromJournal, source: 'journal' };
    };
    const input: RestoreInput = {
      instance: inst,
      incident,
      isolation: targets.isolationGroups[inst.vpcId ?? ''] ?? {},
      tamperedGroupIds: targets.tampered.map((g) => g.groupId),
      journalOriginal,
      pick,
      removeRevocation: r.removeRevocation,
    };
    const items = [...STEPS]
      .filter((s) => s.planRestore)
      .sort((a, b) => (a.restoreOrder ?? 0) - (b.restoreOrder ?? 0))
      .flatMap((s) => s.planRestore!(input));
    out.instances.push({
      instanceId: inst.instanceId,
      incident,
      journal: journal.path,
      items,
      status: inst.tags[TAG.status],
    });
  }
  if (broken.length && r.trust !== 'tags') {
    throw new CordonError(
      'journal-tampered',
      `the local journal is not as cordon wrote it: ${broken.join('; ')}`,
      EXIT.stale,
      "find out who changed it (`cordon journal verify <incident>` names every line); to restore from the resources' record tags alone, rerun with --trust tags",
    );
  }
  if (conflicts.length && !r.trust) {
    const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
    throw new CordonError(
      'record-conflict',
      `the record tags and the local journal disagree: ${conflicts
        .slice(0, 5)
        .map((c) => `${c.resource} ${c.attribute}: tags say ${show(c.tags)}, the journal says ${show(c.journal)}`)
        .join('; ')}${conflicts.length > 5 ? `; and ${conflicts.length - 5} more` : ''}`,
      EXIT.stale,
      'someone changed the tags (or the journal) after containment — anyone able to tag can; check which is right, then rerun with --trust journal or --trust tags',
      { conflicts },
    );
  }
  if (tagsOnly.length)
    out.warnings.push(
      `${tagsOnly.length <= 3 ? tagsOnly.join(', ') : `${tagsOnly.length} originals`}: restored from the resources' record tags alone (no local journal of the incident here): anyone able to tag them could have written them — restore where the journal is to cross-check`,
    );
  if (foreign.length)
    out.warnings.push(
      `record tags on ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ` and ${foreign.length - 3} more` : ''} were written by a run whose journal is not here (another machine's, or not cordon's): their originals were checked against this journal value by value`,
    );
  const drifted = out.instances.flatMap((i) => i.items.filter((x) => x.drift));
  const unknown = drifted.filter((x) => x.original === undefined);
  if (unknown.length) {
    throw new CordonError(
      'no-record',
      `cannot restore: ${unknown.map((x) => `${x.resource} ${x.drift}`).join('; ')}`,
      EXIT.refused,
      'run restore where the containment journal is (CORDON_HOME / --state-dir), or restore that resource by hand',
    );
  }
  if (drifted.length && !r.force) {
    throw new CordonError(
      'drift',
      `refusing to restore: ${drifted.map((x) => `${x.resource} ${x.drift}`).join('; ')}`,
      EXIT.stale,
      'someone changed it after containment; check with the team, then rerun with --force to restore the recorded originals anyway',
    );
  }
  return out;
}

interface JournalSummary {
  incident: string;
  path: string;
  text: string;
  records: JournalRecord[];
  planHashes: string[];
}

/**
 * Every local journal, parsed once, newest first — by the time of its last record, not the file's mtime (a working
 * copy pulled from S3 is written in whatever order the downloads finished).
 */
function allJournals(stateDir: string): JournalSummary[] {
  const lastTime = (j: JournalSummary): string =>
    j.records.reduce((m, r) => (typeof r.time === 'string' && r.time > m ? r.time : m), '');
  return journalFiles(stateDir)
    .map((f) => {
      const j = readSummary(f);
      return { j, last: lastTime(j) };
    })
    .sort((a, b) => b.last.localeCompare(a.last))
    .map((x) => x.j);
}

function readSummary(f: { incident: string; path: string }): JournalSummary {
  const text = readFileSync(f.path, 'utf8');
  const lines = text.split('\n').filter((l) => l.trim());
  return {
    incident: f.incident,
    path: f.path,
    text,
    records: lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as JournalRecord];
      } catch {
        return [];
      }
    }),
    planHashes: lines.filter((l) => l.startsWith('{"type":"plan"')).map(sha256),
  };
}

function mentions(records: JournalRecord[], instanceId: string): boolean {
  return records.some(
    (r) =>
      (r.type === 'plan' && r.instances.includes(instanceId)) || (r.type === 'original' && r.instanceId === instanceId),
  );
}

export interface RestoreResult {
  plan: RestorePlan;
  instances: {
    instanceId: string;
    incident: string;
    status: 'restored' | 'failed';
    restored: { resource: string; attribute: string; summary: string }[];
    /** What failed (the steps after it were not restored for this instance; rerun restore to finish). */
    error?: { stepId: string; code: string; message: string };
  }[];
  calls: Gateway['calls'];
}

/**
 * Puts everything back. All instances at once, step after step in restoreOrder across the whole fleet: every
 * subnet-level layer of every instance is removed before any security group is restored (docs/layers.md: no old
 * conntrack entry may revive a flow through a half-restored instance), each phase's calls paced by the scheduler.
 * An instance whose step fails stops there (it stays marked `restoring`; a rerun finishes it); the others go on.
 */
/**
 * Restores the instances. With a state store, the journals are pulled from it first and every record restore writes
 * is stored there too before it returns.
 */
export async function restore(r: RestoreRequest): Promise<RestoreResult> {
  return withState(
    r,
    'all',
    (stateDir) => restoreHere({ ...r, stateDir }),
    async (stateDir, _store, result) => {
      for (const incident of new Set(result.instances.map((i) => i.incident)))
        await new Journal(stateDir, incident).drain();
    },
  );
}

async function restoreHere(r: RestoreRequest): Promise<RestoreResult> {
  const plan = await planRestoreHere(r);
  if (r.confirm && !(await r.confirm(plan)))
    throw new CordonError('aborted', 'restore aborted at the confirmation prompt; nothing was changed', EXIT.aborted);
  const gateway = new Gateway(r.clients);
  const stateDir = r.stateDir ?? defaultStateDir();
  const now = (): string => new Date().toISOString();
  const ctxs = new Map<string, StepContext>();
  for (const inst of plan.instances) {
    ctxs.set(inst.instanceId, {
      gateway,
      journal: new Journal(stateDir, inst.incident),
      incident: inst.incident,
      now,
      resolve: (id) => id,
      setResolved: () => undefined,
      warn: () => undefined,
    });
  }
  const failed = new Map<string, { stepId: string; code: string; message: string }>();
  const fail = (instanceId: string, stepId: string, e: unknown): void => {
    failed.set(instanceId, {
      stepId,
      code: e instanceof CordonError ? e.code : (awsErrorCode(e) ?? 'error'),
      message: (e as Error).message,
    });
  };
  // The journal says a restore started before anything else (what a `contain` meanwhile checks the restoring mark
  // against: a mark without this record is not cordon's), and the end says how it ended (a result record).
  for (const inst of plan.instances)
    if (inst.status !== 'released')
      ctxs.get(inst.instanceId)!.journal.append({
        type: 'step',
        time: now(),
        incident: inst.incident,
        stepId: RESTORE_STARTED,
        instanceId: inst.instanceId,
        status: 'running',
      });
  // Mark the restore first: a `contain` started meanwhile refuses instead of interleaving into a mixed state.
  // (Nothing to mark on an instance already released: a repeated restore only re-marks it released.) Instances of
  // the same incident share one CreateTags call.
  await Promise.all(
    plan.instances
      .filter((inst) => inst.status !== 'released')
      .map((inst) =>
        gateway
          .createTags([inst.instanceId], { [TAG.status]: 'restoring', [TAG.incident]: inst.incident })
          .catch((e: unknown) => {
            // Not a reason to leave the instance contained: the journal records each thing put back as it goes.
            plan.warnings.push(
              `${inst.instanceId}: could not mark it ${TAG.status}=restoring (${(e as Error).message}); restoring anyway — a containment started meanwhile would not see the mark`,
            );
            ctxs.get(inst.instanceId)!.journal.appendSoon({
              type: 'step',
              time: now(),
              incident: inst.incident,
              stepId: 'mark-restoring',
              instanceId: inst.instanceId,
              status: 'failed',
              error: (e as Error).message,
            });
          }),
      ),
  );
  const order = [...STEPS].filter((s) => s.applyRestore).sort((a, b) => (a.restoreOrder ?? 0) - (b.restoreOrder ?? 0));
  for (const step of order) {
    if (step.restoreTogether) {
      const mine = plan.instances.filter(
        (inst) => !failed.has(inst.instanceId) && inst.items.some((i) => i.stepId === step.id),
      );
      const items = mine.flatMap((inst) => inst.items.filter((i) => i.stepId === step.id));
      if (items.length === 0) continue;
      try {
        await gateway.scheduled({ priority: PRIORITY.critical, label: `restore:${step.id}` }, () =>
          step.applyRestore!(ctxs.get(mine[0]!.instanceId)!, items),
        );
        for (const inst of mine)
          ctxs.get(inst.instanceId)!.journal.appendSoon(
            ...inst.items
              .filter((i) => i.stepId === step.id)
              .map((i) => ({
                type: 'restored' as const,
                time: now(),
                incident: inst.incident,
                resource: i.resource,
                attribute: i.attribute,
                value: i.original,
              })),
          );
      } catch (e) {
        for (const inst of mine) fail(inst.instanceId, step.id, e);
      }
      continue;
    }
    await Promise.all(
      plan.instances.map(async (inst) => {
        const items = inst.items.filter((i) => i.stepId === step.id);
        if (items.length === 0 || failed.has(inst.instanceId)) return;
        const ctx = ctxs.get(inst.instanceId)!;
        try {
          await gateway.scheduled({ priority: PRIORITY.critical, label: `restore:${step.id}` }, () =>
            step.applyRestore!(ctx, items),
          );
          ctx.journal.appendSoon(
            ...items.map((i) => ({
              type: 'restored' as const,
              time: now(),
              incident: inst.incident,
              resource: i.resource,
              attribute: i.attribute,
              value: i.original,
            })),
          );
        } catch (e) {
          fail(inst.instanceId, step.id, e);
        }
      }),
    );
  }
  // Each instance's outcome closes its part of the journal (what `cordon status` reads back).
  for (const i of plan.instances)
    ctxs.get(i.instanceId)?.journal.appendSoon({
      type: 'result',
      time: new Date().toISOString(),
      incident: i.incident,
      instanceId: i.instanceId,
      status: failed.has(i.instanceId) ? 'restore-failed' : 'restored',
    });
  for (const c of ctxs.values()) c.journal.flush();
  return {
    plan,
    instances: plan.instances.map((i) => {
      const error = failed.get(i.instanceId);
      const done = error
        ? i.items.filter((x) => {
            const idx = order.findIndex((s) => s.id === x.stepId);
            return idx < order.findIndex((s) => s.id === error.stepId);
          })
        : i.items;
      return {
        instanceId: i.instanceId,
        incident: i.incident,
        status: error ? ('failed' as const) : ('restored' as const),
        restored: done.map((x) => ({ resource: x.resource, attribute: x.attribute, summary: x.summary })),
        error,
      };
    }),
    calls: gateway.calls,
  };
}
