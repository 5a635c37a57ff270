// Builds the report model of an incident (src/engine/report/model.ts) from its journal, run records and evidence.
// Pure reading: the state dir is never written. `cordon report` renders the model (src/cli/report/).

import { existsSync } from 'node:fs';
import { evidenceRoot, verifyEvidence } from '../evidence.js';
import type { CallsRecord, LabRecord } from '../records.js';
import { forEachVerifyRecord, openIncident, readManifests } from './load.js';
import {
  REPORT_DEFAULTS,
  REPORT_VERSION,
  type ChangeRow,
  type EvidenceView,
  type InstanceView,
  type LabView,
  type ReportModel,
  type ReportOptions,
  type RunView,
} from './model.js';
import {
  changesView,
  containChanges,
  formatValue,
  instanceViews,
  placeholderNames,
  resourceOwners,
  restoreChanges,
  splitRuns,
  type RunSlice,
} from './runs.js';
import { eniIsolation, isolationView, timelineView } from './timeline.js';
import { VerdictCollector } from './verdicts.js';

/**
 * The containment run a record belongs to. Records stamped with the start of apply (the calls, verify before) go to
 * the run whose plan record has the nearest time (written at that moment); records stamped later (verify after) to
 * the last run that had started by then.
 */
function runAt(slices: RunSlice[], at: number, stamp: 'apply' | 'end'): number {
  let found = -1;
  slices.forEach((s, k) => {
    if (s.kind !== 'contain') return;
    if (
      stamp === 'end' ? s.startMs <= at : found < 0 || Math.abs(s.startMs - at) < Math.abs(slices[found]!.startMs - at)
    )
      found = k;
  });
  return found >= 0 ? found : slices.findIndex((s) => s.kind === 'contain');
}

/** Steps after which a layer is in place on an instance. */
const ISOLATING_STEPS = [
  'isolate-security-groups',
  'associate-isolation-nacl',
  'insert-nacl-entries',
  'associate-route-table',
];
const DONE = new Set(['contained', 'already-contained', 'restored']);

function detailSet(instances: InstanceView[], o: Required<Omit<ReportOptions, 'now'>>): Set<string> {
  const ids = instances.slice(0, o.detailInstances).map((i) => i.instanceId);
  const bad = instances.filter((i) => !DONE.has(i.status)).slice(0, o.incompleteDetailMax);
  return new Set([...ids, ...bad.map((i) => i.instanceId)]);
}

/** Per instance: ms from the start of apply until its last isolation layer was in place. */
function isolationTimes(run: RunSlice, calls: CallsRecord[], instances: InstanceView[]): Map<string, number> {
  const out = new Map<string, number>();
  const byEni = eniIsolation(calls);
  const applied = Math.min(...calls.map((c) => c.appliedAt).filter(Number.isFinite), run.startMs);
  const stepDone = new Map<string, number>();
  for (const r of run.records)
    if (r.type === 'step' && r.status === 'done' && ISOLATING_STEPS.includes(r.stepId) && r.instanceId) {
      const t = Date.parse(r.time) - applied;
      if (Number.isFinite(t)) stepDone.set(r.instanceId, Math.max(stepDone.get(r.instanceId) ?? 0, t));
    }
  for (const i of instances) {
    // Already contained: this run isolated nothing; incomplete: not every layer is known to be in place.
    if (i.status !== 'contained') continue;
    const enis = i.enis.map((e) => byEni.get(e));
    const swapped = enis.length > 0 && enis.every((x) => x !== undefined);
    const t = swapped ? Math.max(...(enis as number[])) : stepDone.get(i.instanceId);
    if (t !== undefined) out.set(i.instanceId, t);
  }
  return out;
}

interface RunContext {
  slices: RunSlice[];
  owner: Map<string, string>;
  name: (s: string) => string;
  o: Required<Omit<ReportOptions, 'now'>>;
}

/**
 * An ENI's groups as verify read them after the run, where they differ from the last change the journal recorded
 * (an ENI whose second swap failed goes back to its original groups, and that move is not journaled).
 */
function withObserved(rows: ChangeRow[], observed: Map<string, string[]>, name: (s: string) => string): ChangeRow[] {
  for (const r of rows) {
    const seen = r.attribute === 'groups' ? observed.get(r.resource) : undefined;
    if (!seen) continue;
    const now = formatValue(seen, name);
    if (now === r.after) continue;
    r.after = `${now} (read after the run; the last recorded change was ${r.after})`;
    r.applied = false;
  }
  return rows;
}

function runView(
  k: number,
  slice: RunSlice,
  calls: CallsRecord[],
  instances: InstanceView[],
  detail: Set<string>,
  observed: Map<string, string[]>,
  { slices, owner, name, o }: RunContext,
): RunView {
  const rows =
    slice.kind === 'contain'
      ? withObserved(containChanges(slice, owner, name), observed, name)
      : restoreChanges(
          slice,
          slices.slice(0, k).flatMap((s) => s.records),
          owner,
          name,
        );
  const timeline = slice.kind === 'contain' ? timelineView(calls, o.timelineCallsMax, o.timelineBins) : undefined;
  const times = slice.kind === 'contain' ? isolationTimes(slice, calls, instances) : new Map<string, number>();
  for (const i of instances) i.isolatedAfterMs = times.get(i.instanceId);
  const appliedAt = calls.map((c) => c.appliedAt).filter(Number.isFinite);
  const isolatedAt = calls.map((c) => c.isolatedAt);
  const firstApply = appliedAt.length ? Math.min(...appliedAt) : undefined;
  const lastEnd = timeline ? timeline.startMs + timeline.durationMs : undefined;
  const counts: Record<string, number> = {};
  for (const i of instances) counts[i.status] = (counts[i.status] ?? 0) + 1;
  return {
    index: k + 1,
    kind: slice.kind,
    startedAt: new Date(slice.startMs).toISOString(),
    endedAt: new Date(Math.max(slice.endMs, lastEnd ?? 0)).toISOString(),
    instances,
    counts,
    workers: calls.map((c) => ({
      region: String(c.region),
      accountId: c.accountId,
      appliedAt: new Date(c.appliedAt).toISOString(),
      isolatedAfterMs: c.isolatedAt === undefined ? undefined : c.isolatedAt - c.appliedAt,
      calls: c.calls.length,
    })),
    isolatedAfterMs:
      firstApply !== undefined && isolatedAt.length && isolatedAt.every((x) => x !== undefined)
        ? Math.max(...(isolatedAt as number[])) - firstApply
        : undefined,
    prepareMs: timeline && firstApply !== undefined ? firstApply - timeline.startMs : undefined,
    completedAfterMs: lastEnd !== undefined && firstApply !== undefined ? lastEnd - firstApply : undefined,
    timeline,
    isolation: times.size > 0 ? isolationView([...times.values()], instances.length) : undefined,
    changes: changesView(rows, detail),
    detail: [...detail],
  };
}

function evidenceView(stateDir: string, incident: string, detail: Set<string>): EvidenceView | undefined {
  const { root, manifests } = readManifests(stateDir, incident);
  if (!existsSync(root)) return undefined;
  let check: ReturnType<typeof verifyEvidence> | undefined;
  try {
    check = verifyEvidence(stateDir, incident);
  } catch {
    check = undefined;
  }
  const sha = new Map(check?.instances.map((i) => [i.instanceId, i.manifestSha256]) ?? []);
  return {
    root,
    checked: !!check,
    problems: check?.problems ?? [],
    instances: manifests.map(({ instanceId, manifest }) => {
      const artefacts = manifest?.artefacts ?? [];
      return {
        instanceId,
        manifestSha256: sha.get(instanceId),
        files: artefacts.length,
        bytes: artefacts.reduce((a, x) => a + (Number(x.size) || 0), 0),
        artefacts: detail.has(instanceId)
          ? artefacts.map((a) => ({
              file: String(a.file),
              sha256: String(a.sha256),
              size: Number(a.size) || 0,
              source: String(a.source),
              requestId: a.requestId === undefined ? undefined : String(a.requestId),
              time: String(a.time),
            }))
          : undefined,
        remote: (Array.isArray(manifest?.remote) ? manifest.remote : []).map((x) => ({
          type: String(x.type),
          id: String(x.id),
          state: String(x.state),
          volumeId: x.volumeId === undefined ? undefined : String(x.volumeId),
        })),
      };
    }),
  };
}

function labView(lab: LabRecord): LabView {
  const before = new Map((lab.flowsBefore ?? []).map((f) => [f.id, f]));
  return {
    scenario: String(lab.scenario),
    instanceId: String(lab.instanceId),
    naive: !!lab.naive,
    flows: (lab.flowsAfter ?? []).map((f) => ({
      name: String(f.name ?? f.id),
      protocol: String(f.protocol),
      port: f.initiator === 'inbound' ? f.localPort : f.remotePort,
      initiator: String(f.initiator),
      remoteAddress: String(f.remoteAddress),
      path: String(f.path),
      aliveBefore: before.get(f.id)?.alive ?? true,
      aliveAfter: !!f.alive,
      reason: String(f.reason ?? ''),
      remedy: f.remedy === undefined ? undefined : String(f.remedy),
    })),
  };
}

export function buildReport(stateDir: string, incident: string, options: ReportOptions = {}): ReportModel {
  const o = { ...REPORT_DEFAULTS, ...options };
  const files = openIncident(stateDir, incident);
  const owner = resourceOwners(files.journal);
  const name = placeholderNames(files.journal);
  const slices = splitRuns(files.journal, owner);
  const callsOf: CallsRecord[][] = slices.map(() => []);
  for (const c of files.calls) {
    const k = runAt(slices, c.appliedAt, 'apply');
    if (k >= 0) callsOf[k]!.push(c);
  }
  const instancesOf = slices.map((s) => instanceViews(s, owner));
  const detailOf = instancesOf.map((instances) => detailSet(instances, o));
  const collectors = slices.map((s, k) => (s.kind === 'contain' ? new VerdictCollector(detailOf[k]!) : undefined));
  const region = new Map<string, string>();
  forEachVerifyRecord(files, (r) => {
    const k = runAt(slices, r.at, r.when === 'before' ? 'apply' : 'end');
    if (k >= 0) collectors[k]?.add(r);
    if (typeof r.region === 'string') region.set(r.instanceId, r.region);
  });
  const ctx: RunContext = { slices, owner, name, o };
  const runs = slices.map((s, k) => {
    const c = collectors[k];
    const instances = instancesOf[k]!;
    for (const i of instances) i.region = region.get(i.instanceId);
    c?.annotate(instances);
    const run = runView(k, s, callsOf[k]!, instances, detailOf[k]!, c?.observed ?? new Map(), ctx);
    run.verdicts = c?.view(instances.map((i) => i.instanceId));
    return run;
  });
  const detail = new Set(runs.flatMap((r) => r.detail));
  return {
    version: REPORT_VERSION,
    incident,
    generatedAt: (o.now ?? new Date()).toISOString(),
    sources: {
      stateDir,
      journal: files.journalPath,
      records: files.recordsPath,
      evidence: existsSync(evidenceRoot(stateDir, incident)) ? evidenceRoot(stateDir, incident) : undefined,
    },
    runs,
    evidence: evidenceView(stateDir, incident, detail),
    lab: files.lab ? labView(files.lab) : undefined,
    notes: files.notes,
  };
}
