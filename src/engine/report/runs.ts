// The runs of an incident, from its journal: a containment starts with a plan record (a fleet's workers each write
// one, for disjoint instances, at the same moment), a restore with its first 'restored' record. A plan for an
// instance the current run already planned (a rerun after a crash), or after every planned instance has its result,
// starts a new run. Then what each run changed, resource by resource (before → after).

import { RESTORE_STARTED, type JournalRecord } from '../journal.js';
import type { ChangeGroup, ChangeRow, ChangesView, InstanceView } from './model.js';

export interface RunSlice {
  kind: 'contain' | 'restore';
  records: JournalRecord[];
  startMs: number;
  endMs: number;
  /** Instances in plan order (contain), or whose resources were restored (restore). */
  instances: string[];
}

const str = (v: unknown): v is string => typeof v === 'string';

export function splitRuns(journal: JournalRecord[], owner: Map<string, string>): RunSlice[] {
  const runs: RunSlice[] = [];
  let cur: RunSlice | undefined;
  let planned = new Set<string>();
  let results = new Set<string>();
  let restored = new Set<string>();
  const open = (kind: RunSlice['kind'], at: number): RunSlice => {
    const run: RunSlice = { kind, records: [], startMs: at, endMs: at, instances: [] };
    runs.push(run);
    planned = new Set();
    results = new Set();
    restored = new Set();
    return run;
  };
  for (const r of journal) {
    const t = Date.parse(r.time);
    const at = Number.isFinite(t) ? t : (cur?.endMs ?? 0);
    if (r.type === 'plan') {
      const ids = Array.isArray(r.instances) ? r.instances.filter(str) : [];
      const rerun = ids.some((i) => planned.has(i));
      const finished = planned.size > 0 && [...planned].every((i) => results.has(i));
      if (!cur || cur.kind !== 'contain' || rerun || finished) cur = open('contain', at);
      for (const i of ids) if (!planned.has(i)) cur.instances.push(i);
      for (const i of ids) planned.add(i);
    } else if (r.type === 'step' && r.stepId === RESTORE_STARTED) {
      // A restore's start record opens its run (results of a restore that failed at once belong to it too).
      const inst = str(r.instanceId) ? r.instanceId : undefined;
      if (!cur || cur.kind !== 'restore' || (inst && cur.instances.includes(inst)) || restored.size > 0)
        cur = open('restore', at);
      if (inst && !cur.instances.includes(inst)) cur.instances.push(inst);
    } else if (r.type === 'restored') {
      const key = `${r.resource}|${r.attribute}`;
      if (!cur || cur.kind !== 'restore' || restored.has(key)) cur = open('restore', at);
      restored.add(key);
      const inst = owner.get(r.resource) ?? (String(r.resource).startsWith('i-') ? String(r.resource) : undefined);
      if (inst && !cur.instances.includes(inst)) cur.instances.push(inst);
    } else if (!cur) cur = open('contain', at);
    if (r.type === 'result' && str(r.instanceId)) results.add(r.instanceId);
    cur.records.push(r);
    cur.endMs = Math.max(cur.endMs, at);
  }
  return runs;
}

/** Which instance each resource (ENI, volume …) belongs to, from the originals recorded for it. */
export function resourceOwners(journal: JournalRecord[]): Map<string, string> {
  const owner = new Map<string, string>();
  for (const r of journal)
    if (r.type === 'original' && str(r.instanceId) && str(r.resource) && !owner.has(r.resource))
      owner.set(r.resource, r.instanceId);
  return owner;
}

/** Instance statuses and failed steps of a run. */
export function instanceViews(run: RunSlice, owner: Map<string, string>): InstanceView[] {
  const views = new Map<string, InstanceView>();
  const view = (id: string): InstanceView => {
    let v = views.get(id);
    if (!v) {
      v = {
        instanceId: id,
        status: run.kind === 'restore' ? 'restored' : 'unfinished',
        enis: [],
        failedSteps: [],
      };
      views.set(id, v);
    }
    return v;
  };
  for (const id of run.instances) view(id);
  for (const [resource, id] of owner)
    if (resource.startsWith('eni-') && views.has(id) && !view(id).enis.includes(resource)) view(id).enis.push(resource);
  for (const r of run.records) {
    if (r.type === 'result' && str(r.instanceId) && str(r.status)) view(r.instanceId).status = r.status;
    if (r.type === 'step' && str(r.instanceId) && (r.status === 'failed' || r.status === 'skipped')) {
      const v = view(r.instanceId);
      v.failedSteps = v.failedSteps.filter((s) => s.stepId !== r.stepId);
      v.failedSteps.push({ stepId: String(r.stepId), status: r.status, error: str(r.error) ? r.error : undefined });
    }
  }
  return [...views.values()];
}

/** Originals kept for restore's sake that no change pairs with: not changes themselves. */
const BOOKKEEPING = new Set(['eni-state', 'asg-record']);
const MAX_TEXT = 400;

/** Placeholders (new:ROLE:VPC) → the resource created for them, with the role to show. */
export function placeholderNames(journal: JournalRecord[]): (s: string) => string {
  const created = new Map<string, string>();
  const role = new Map<string, string>();
  for (const r of journal)
    if (r.type === 'created' && str(r.placeholder) && str(r.resource)) {
      created.set(r.placeholder, r.resource);
      role.set(r.resource, r.placeholder.split(':')[1] ?? '');
    }
  return (s) => {
    if (s.startsWith('new:')) {
      const id = created.get(s);
      return id ? `${id} (${s.split(':')[1]})` : `${s} (not created)`;
    }
    const r = role.get(s);
    return r ? `${s} (${r})` : s;
  };
}

export function formatValue(v: unknown, name: (s: string) => string = (s) => s): string {
  let out: string;
  if (v === null || v === undefined) out = '—';
  else if (typeof v === 'string') out = name(v);
  else if (typeof v === 'number' || typeof v === 'boolean') out = String(v);
  else if (Array.isArray(v))
    out = v.length ? v.map((x) => (typeof x === 'string' ? name(x) : JSON.stringify(x))).join(', ') : '(none)';
  else if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    out = entries.length
      ? entries.map(([k, x]) => `${k}=${typeof x === 'string' ? name(x) : JSON.stringify(x)}`).join('; ')
      : '(none)';
  } else out = String(v);
  return out.length > MAX_TEXT ? `${out.slice(0, MAX_TEXT - 1)}…` : out;
}

const stepOf = (changeId: unknown): string => (str(changeId) ? changeId.split(':')[0]! : '?');

/** Every resource × attribute a contain run changed (or recorded before a change it never made). */
export function containChanges(run: RunSlice, owner: Map<string, string>, name: (s: string) => string): ChangeRow[] {
  const rows = new Map<string, ChangeRow & { raw?: boolean }>();
  const row = (resource: string, attribute: string, instanceId?: string): ChangeRow => {
    const key = `${resource}|${attribute}`;
    let r = rows.get(key);
    if (!r) {
      r = {
        instanceId: instanceId ?? owner.get(resource) ?? (resource.startsWith('i-') ? resource : undefined),
        resource,
        attribute,
        steps: [],
        before: '—',
        after: 'not changed',
        applied: false,
        raw: true,
      };
      rows.set(key, r);
    }
    return r;
  };
  for (const r of run.records) {
    if (!str((r as { resource?: unknown }).resource) || !str((r as { attribute?: unknown }).attribute)) continue;
    if (r.type === 'original' && !BOOKKEEPING.has(r.attribute)) {
      const x = row(r.resource, r.attribute, str(r.instanceId) ? r.instanceId : undefined) as ChangeRow & {
        raw?: boolean;
      };
      // The first record is the value before cordon touched it (later ones are a step's own before).
      if (x.raw) x.before = formatValue(r.value, name);
      x.raw = false;
    } else if (r.type === 'applied' && !r.attribute.startsWith('evidence-')) {
      const x = row(r.resource, r.attribute);
      const step = stepOf(r.changeId);
      if (!x.steps.includes(step)) x.steps.push(step);
      x.after = formatValue(r.value, name);
      x.applied = true;
    }
  }
  return [...rows.values()].map(({ raw: _raw, ...r }) => r);
}

/** What a restore run put back: the contained value (the last one applied before it) → the restored one. */
export function restoreChanges(
  run: RunSlice,
  earlier: JournalRecord[],
  owner: Map<string, string>,
  name: (s: string) => string,
): ChangeRow[] {
  const last = new Map<string, unknown>();
  for (const r of earlier) if (r.type === 'applied') last.set(`${r.resource}|${r.attribute}`, r.value);
  const rows: ChangeRow[] = [];
  for (const r of run.records) {
    if (r.type !== 'restored' || !str(r.resource) || !str(r.attribute)) continue;
    rows.push({
      instanceId: owner.get(r.resource) ?? (r.resource.startsWith('i-') ? r.resource : undefined),
      resource: r.resource,
      attribute: r.attribute,
      steps: ['restore'],
      before: formatValue(last.get(`${r.resource}|${r.attribute}`), name),
      after: formatValue(r.value, name),
      applied: true,
    });
  }
  return rows;
}

/** Sums rows up by step × attribute; keeps every row of the detail instances and up to `sharedMax` shared ones. */
export function changesView(rows: ChangeRow[], detail: Set<string>, sharedMax = 50): ChangesView {
  const groups = new Map<string, ChangeGroup>();
  for (const r of rows) {
    const key = `${r.steps.join('+')}|${r.attribute}`;
    const g = groups.get(key) ?? { steps: r.steps, attribute: r.attribute, resources: 0, applied: 0, example: r };
    g.resources++;
    if (r.applied) g.applied++;
    groups.set(key, g);
  }
  let shared = 0;
  const kept = rows.filter((r) => (r.instanceId ? detail.has(r.instanceId) : shared++ < sharedMax));
  return { total: rows.length, groups: [...groups.values()], rows: kept, omittedRows: rows.length - kept.length };
}
