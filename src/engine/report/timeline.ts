// The timeline of a run's AWS calls: one lane per step (the label the scheduler recorded), every call drawn when
// there are few, per-lane counts in time bins when there are many (a fleet makes ~20 calls per instance), with the
// throttled and failed answers counted and the moments of apply and isolation marked. And the distribution of the
// instances' isolation times.

import type { CallRecord } from '../../aws/scheduler.js';
import type { CallsRecord } from '../records.js';
import type { CallView, IsolationView, LaneView, TimelineView } from './model.js';

/** Error codes AWS answers when a request rate is exceeded (EC2, Auto Scaling/IAM/STS, ELB). */
const THROTTLED = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

export const isThrottled = (c: { errorCode?: string }): boolean => !!c.errorCode && THROTTLED.has(c.errorCode);

/** The step a call was for. The scheduler records no label on an ENI's second swap: its priority says what it is. */
export function laneOf(c: CallRecord): string {
  if (typeof c.label === 'string' && c.label) return c.label;
  if (c.priority === 0) return 'isolate-security-groups';
  if (c.priority === 1) return 'untrack-connections';
  return 'describe';
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Calls whose times are numbers (a hand-edited file may hold anything). */
export function validCalls(r: CallsRecord): CallRecord[] {
  return r.calls.filter((c) => c && num(c.startedMs) && num(c.endedMs) && typeof c.action === 'string');
}

export function timelineView(records: CallsRecord[], maxCalls: number, bins: number): TimelineView | undefined {
  const all = records.flatMap(validCalls);
  if (all.length === 0) return undefined;
  const startMs = Math.min(...all.map((c) => c.startedMs));
  const endMs = Math.max(...all.map((c) => c.endedMs));
  const durationMs = Math.max(1, endMs - startMs);
  const byLane = new Map<string, { lane: LaneView; first: number }>();
  for (const c of all) {
    const key = laneOf(c);
    let l = byLane.get(key);
    if (!l) {
      l = {
        lane: {
          key,
          priority: num(c.priority) ? c.priority : 9,
          calls: 0,
          failed: 0,
          throttled: 0,
          waitedMs: 0,
          actions: [],
        },
        first: c.startedMs,
      };
      byLane.set(key, l);
    }
    const lane = l.lane;
    lane.calls++;
    if (isThrottled(c)) lane.throttled++;
    else if (!c.ok) lane.failed++;
    lane.waitedMs += num(c.waitedMs) ? c.waitedMs : 0;
    if (num(c.priority)) lane.priority = Math.min(lane.priority, c.priority);
    l.first = Math.min(l.first, c.startedMs);
    if (!lane.actions.includes(c.action)) lane.actions.push(c.action);
  }
  const ordered = [...byLane.values()].sort((a, b) => a.lane.priority - b.lane.priority || a.first - b.first);
  const lanes = ordered.map((x) => x.lane);
  const index = new Map(lanes.map((l, i) => [l.key, i]));
  const view: TimelineView = {
    startMs,
    durationMs,
    applied: records.filter((r) => num(r.appliedAt)).map((r) => r.appliedAt - startMs),
    isolated: records.filter((r) => num(r.isolatedAt)).map((r) => r.isolatedAt! - startMs),
    lanes,
    mode: all.length <= maxCalls ? 'calls' : 'bins',
    totals: {
      calls: all.length,
      failed: lanes.reduce((a, l) => a + l.failed, 0),
      throttled: lanes.reduce((a, l) => a + l.throttled, 0),
      waitedMs: lanes.reduce((a, l) => a + l.waitedMs, 0),
    },
  };
  if (view.mode === 'calls') {
    view.calls = all
      .map((c): CallView => ({
        lane: index.get(laneOf(c))!,
        start: c.startedMs - startMs,
        end: c.endedMs - startMs,
        action: c.action,
        ok: !!c.ok,
        errorCode: c.errorCode,
        requestId: c.requestId,
        waitedMs: num(c.waitedMs) ? c.waitedMs : 0,
        resource: c.resource,
      }))
      .sort((a, b) => a.start - b.start);
  } else {
    const binMs = Math.max(1, Math.ceil(durationMs / bins));
    const n = Math.ceil(durationMs / binMs) + 1;
    const zero = (): number[][] => lanes.map(() => new Array<number>(n).fill(0));
    const total = zero();
    const throttled = zero();
    const failed = zero();
    for (const c of all) {
      const l = index.get(laneOf(c))!;
      const b = Math.min(n - 1, Math.floor((c.startedMs - startMs) / binMs));
      total[l]![b]!++;
      if (isThrottled(c)) throttled[l]![b]!++;
      else if (!c.ok) failed[l]![b]!++;
    }
    view.bins = { binMs, total, throttled, failed };
  }
  return view;
}

/**
 * When each ENI reached the empty group: the end of its last successful second swap (or a safety-net move off the
 * all-open group), as ms after its worker's start of apply.
 */
export function eniIsolation(records: CallsRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) {
    if (!num(r.appliedAt)) continue;
    for (const c of validCalls(r))
      if (c.ok && c.priority === 0 && c.action.endsWith('ModifyNetworkInterfaceAttribute') && c.resource)
        out.set(c.resource, Math.max(out.get(c.resource) ?? 0, c.endedMs - r.appliedAt));
  }
  return out;
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

export function isolationView(times: number[], instances: number, maxBins = 30): IsolationView | undefined {
  if (times.length === 0) return undefined;
  const s = [...times].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  const maxMs = s[s.length - 1]!;
  const binMs = niceStep(maxMs / maxBins);
  const counts = new Array<number>(Math.floor(maxMs / binMs) + 1).fill(0);
  for (const t of s) counts[Math.floor(t / binMs)]!++;
  return {
    instances,
    isolated: s.length,
    minMs: s[0]!,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    maxMs,
    binMs,
    counts,
  };
}
