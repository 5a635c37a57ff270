// Restore: every step that changed something puts it back, from the write-ahead record on the resource itself
// (tags) or, failing that, the local journal. Steps restore in their restoreOrder (security groups after the
// subnet-level layers, the record tags last). Refuses when a resource drifted since containment unless forced.

import type { AwsClients } from '../aws/clients.js';
import { describeTargets } from '../aws/facts.js';
import { Gateway } from '../aws/gateway.js';
import { CordonError, EXIT } from '../core/errors.js';
import { TAG } from '../core/tags.js';
import { STEPS } from '../steps/index.js';
import { containableEnis, type RestoreItem, type StepContext } from '../steps/types.js';
import { Journal, defaultStateDir, journalsFor } from './journal.js';

export interface RestoreRequest {
  clients: AwsClients;
  instanceIds: string[];
  force?: boolean;
  stateDir?: string;
  /** Also remove the session-revocation policy cordon put on the role (kept by default). */
  removeRevocation?: boolean;
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
}

export async function planRestore(r: RestoreRequest): Promise<RestorePlan> {
  // Everything restore may put back is read now (load balancer registrations, the groups instances left …).
  const stateDir = r.stateDir ?? defaultStateDir();
  // Groups the journal says an instance left (their record tag may never have reached it): read them too.
  const asgGroupOf: Record<string, string> = {};
  for (const id of r.instanceIds) {
    for (const j of journalsFor(stateDir, id)) {
      const rec = j.records.find((x) => x.type === 'original' && x.resource === id && x.attribute === 'asg-record');
      const group = rec?.type === 'original' ? (rec.value as { group?: string } | undefined)?.group : undefined;
      if (group) {
        asgGroupOf[id] = group;
        break;
      }
    }
  }
  const targets = await describeTargets(r.clients, r.instanceIds, { complete: true, asgGroupOf });
  const out: RestorePlan = { instances: [] };
  for (const inst of targets.instances) {
    // The incident from the tags, or — when a run crashed before its tags reached AWS — from the local journal.
    // A released instance's incident tag names a finished incident: a later containment whose tags never landed is
    // found on its ENIs or in the newest local journal instead.
    const tagged = inst.tags[TAG.status] !== 'released' ? inst.tags[TAG.incident] : undefined;
    const incident =
      tagged ??
      containableEnis(inst)
        .map((e) => e.tags[TAG.incident])
        .find(Boolean) ??
      journalsFor(stateDir, inst.instanceId)[0]?.incident ??
      inst.tags[TAG.incident];
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
    const records = [
      ...journal.read(),
      ...journalsFor(stateDir, inst.instanceId)
        .filter((j) => j.incident !== incident)
        .flatMap((j) => j.records),
    ];
    const journalOriginal = (resource: string, attribute: string): unknown => {
      const rec = records.find((x) => x.type === 'original' && x.resource === resource && x.attribute === attribute);
      return rec && rec.type === 'original' ? rec.value : undefined;
    };
    const input = {
      instance: inst,
      incident,
      isolation: targets.isolationGroups[inst.vpcId ?? ''] ?? {},
      journalOriginal,
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

export interface RestoreResult {
  plan: RestorePlan;
  instances: {
    instanceId: string;
    incident: string;
    status: 'restored';
    restored: { resource: string; attribute: string; summary: string }[];
  }[];
  calls: Gateway['calls'];
}

export async function restore(r: RestoreRequest): Promise<RestoreResult> {
  const plan = await planRestore(r);
  if (r.confirm && !(await r.confirm(plan)))
    throw new CordonError('aborted', 'restore aborted at the confirmation prompt; nothing was changed', EXIT.aborted);
  const gateway = new Gateway(r.clients);
  const stateDir = r.stateDir ?? defaultStateDir();
  const now = (): string => new Date().toISOString();
  for (const inst of plan.instances) {
    const journal = new Journal(stateDir, inst.incident);
    const ctx: StepContext = {
      gateway,
      journal,
      incident: inst.incident,
      now,
      resolve: (id) => id,
      setResolved: () => undefined,
      warn: () => undefined,
    };
    // Mark the restore first: a `contain` started meanwhile refuses instead of interleaving into a mixed state.
    // (Nothing to mark on an instance already released: a repeated restore only re-marks it released.)
    if (inst.status !== 'released') {
      await gateway.createTags([inst.instanceId], { [TAG.status]: 'restoring', [TAG.incident]: inst.incident });
    }
    // Steps restore one after another in restoreOrder; a step's own items run in parallel.
    const order = [...STEPS]
      .filter((s) => s.applyRestore)
      .sort((a, b) => (a.restoreOrder ?? 0) - (b.restoreOrder ?? 0));
    for (const step of order) {
      const items = inst.items.filter((i) => i.stepId === step.id);
      if (items.length === 0) continue;
      await step.applyRestore!(ctx, items);
      journal.append(
        ...items.map((i) => ({
          type: 'restored' as const,
          time: now(),
          incident: inst.incident,
          resource: i.resource,
          attribute: i.attribute,
          value: i.original,
        })),
      );
    }
  }
  return {
    plan,
    instances: plan.instances.map((i) => ({
      instanceId: i.instanceId,
      incident: i.incident,
      status: 'restored' as const,
      restored: i.items.map((x) => ({ resource: x.resource, attribute: x.attribute, summary: x.summary })),
    })),
    calls: gateway.calls,
  };
}
