// The incident report's model: everything `cordon report` shows, read from the journal, the run records and the
// evidence manifests (src/engine/report/build.ts) — plain data, printed as JSON by `--output json` and rendered to one
// HTML file by src/cli/report/. Sized for fleets: calls are aggregated into lanes and time bins past a threshold,
// verdicts are counted per class for the whole fleet, and per-resource detail is kept for a bounded set of instances
// (the first few and the incomplete ones).

import type { Direction, FlowKind, Side } from '../../core/verify/paths.js';
import type { Verdict, VerdictLayer } from '../../core/verify/types.js';

export const REPORT_VERSION = 1;

export interface ReportOptions {
  /** Per-resource detail (changes, per-ENI grids, evidence files) for the first this many instances of a run. */
  detailInstances?: number;
  /** … and for incomplete instances, up to this many. */
  incompleteDetailMax?: number;
  /** Up to this many calls, the timeline draws each call; past it, per-lane counts in time bins. */
  timelineCallsMax?: number;
  /** Time bins of an aggregated timeline. */
  timelineBins?: number;
  /** Report generation time (tests pin it). */
  now?: Date;
}

export const REPORT_DEFAULTS: Required<Omit<ReportOptions, 'now'>> = {
  detailInstances: 5,
  incompleteDetailMax: 50,
  timelineCallsMax: 400,
  timelineBins: 120,
};

export interface ReportModel {
  version: typeof REPORT_VERSION;
  incident: string;
  generatedAt: string;
  sources: { stateDir: string; journal: string; records?: string; evidence?: string };
  /** Every run of the incident found in the journal, in order (a rerun after a crash, a restore …). */
  runs: RunView[];
  evidence?: EvidenceView;
  lab?: LabView;
  /** What the report could not show, and why (missing records, torn lines …). */
  notes: string[];
}

export interface InstanceView {
  instanceId: string;
  region?: string;
  /** contained / already-contained / incomplete (from the run's result records), restored, or unfinished. */
  status: string;
  enis: string[];
  failedSteps: { stepId: string; status: string; error?: string }[];
  /** ms from the start of apply until the instance's last isolation layer was in place. */
  isolatedAfterMs?: number;
  after?: { contained: boolean; open: number; maySurvive: number; cut: number; bottomLine: string };
  before?: { open: number; maySurvive: number; cut: number };
}

export interface WorkerView {
  region: string;
  accountId?: string;
  appliedAt: string;
  /** ms from the start of apply until the worker's last ENI was isolated. */
  isolatedAfterMs?: number;
  calls: number;
}

export interface RunView {
  index: number;
  kind: 'contain' | 'restore';
  startedAt: string;
  endedAt: string;
  instances: InstanceView[];
  counts: Record<string, number>;
  workers: WorkerView[];
  /** ms from the start of apply until the last worker had isolated every ENI (undefined: not reached or unknown). */
  isolatedAfterMs?: number;
  /** ms from the first AWS call (reading the facts) until the start of apply: plan, DryRun, any confirmation. */
  prepareMs?: number;
  /** ms from the start of apply until the run's last AWS call ended. */
  completedAfterMs?: number;
  timeline?: TimelineView;
  isolation?: IsolationView;
  changes: ChangesView;
  verdicts?: VerdictsView;
  /** Instances whose detail (changes, grids, evidence files) is shown. */
  detail: string[];
}

export interface LaneView {
  key: string;
  priority: number;
  calls: number;
  failed: number;
  throttled: number;
  /** Total time calls of the lane waited for the rate limit, ms. */
  waitedMs: number;
  actions: string[];
}

export interface CallView {
  lane: number;
  /** ms since the timeline's start. */
  start: number;
  end: number;
  action: string;
  ok: boolean;
  errorCode?: string;
  requestId?: string;
  waitedMs: number;
  resource?: string;
}

export interface TimelineView {
  /** The first call's start, ms since the epoch; every offset below is from it. */
  startMs: number;
  durationMs: number;
  /** The start of apply (after the plan and any confirmation), per worker. */
  applied: number[];
  /** When each worker's last ENI was isolated (absent: not reached). */
  isolated: number[];
  lanes: LaneView[];
  mode: 'calls' | 'bins';
  calls?: CallView[];
  bins?: { binMs: number; total: number[][]; throttled: number[][]; failed: number[][] };
  totals: { calls: number; failed: number; throttled: number; waitedMs: number };
}

export interface IsolationView {
  instances: number;
  isolated: number;
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  maxMs: number;
  binMs: number;
  counts: number[];
}

export interface ChangeRow {
  instanceId?: string;
  resource: string;
  attribute: string;
  steps: string[];
  before: string;
  after: string;
  /** False: recorded before a change that was never made (the step failed or did not run). */
  applied: boolean;
}

export interface ChangeGroup {
  steps: string[];
  attribute: string;
  resources: number;
  applied: number;
  example: ChangeRow;
}

export interface ChangesView {
  total: number;
  groups: ChangeGroup[];
  /** Rows of the detail instances and shared resources. */
  rows: ChangeRow[];
  omittedRows: number;
}

export interface CellView {
  side: Side;
  direction: Direction;
  kind: FlowKind;
  verdict: Verdict;
  layer: VerdictLayer;
  reason: string;
  remedy?: string;
}

export interface AggregateCell {
  side: Side;
  direction: Direction;
  kind: FlowKind;
  cut: number;
  open: number;
  maySurvive: number;
}

export interface AggregateGrid {
  instances: number;
  enis: number;
  cells: AggregateCell[];
}

export interface EniGrids {
  networkInterfaceId: string;
  before?: CellView[];
  after?: CellView[];
}

export interface SurvivorGroup {
  verdict: Verdict;
  /** What cuts it (the resource ids named are those of the first ENI: across a fleet only they differ). */
  remedy?: string;
  /** No network layer can cut it (always-tracked connections inside the subnet): only the idle timeout. */
  residual: boolean;
  /** The classes of flow (side × direction × kind) it applies to. */
  classes: { side: Side; direction: Direction; kind: FlowKind }[];
  /** Why, for the first of them. */
  reason: string;
  enis: number;
  instances: number;
  examples: string[];
}

export interface VerdictsView {
  before?: AggregateGrid;
  after?: AggregateGrid;
  grids: { instanceId: string; enis: EniGrids[] }[];
  survivors: SurvivorGroup[];
}

export interface EvidenceFileView {
  file: string;
  sha256: string;
  size: number;
  source: string;
  requestId?: string;
  time: string;
}

export interface EvidenceInstanceView {
  instanceId: string;
  manifestSha256?: string;
  files: number;
  bytes: number;
  /** Per-file detail (detail instances only). */
  artefacts?: EvidenceFileView[];
  remote: { type: string; id: string; state: string; volumeId?: string }[];
}

export interface EvidenceView {
  root: string;
  instances: EvidenceInstanceView[];
  /** Every listed file re-hashed when the report was made (cordon evidence verify). */
  checked: boolean;
  problems: { instanceId: string; file: string; problem: string; detail: string }[];
}

export interface LabFlowView {
  name: string;
  protocol: string;
  port?: number;
  initiator: string;
  remoteAddress: string;
  path: string;
  aliveBefore: boolean;
  aliveAfter: boolean;
  reason: string;
  remedy?: string;
}

export interface LabView {
  scenario: string;
  instanceId: string;
  naive: boolean;
  flows: LabFlowView[];
}
