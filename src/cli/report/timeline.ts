// The run's timeline as SVG: one lane per step, time across. Few calls: each call a bar (its wait for the rate limit a
// thin line before it). Many: per lane, a histogram of calls per time bin, with red ticks where AWS throttled and
// amber where a call failed. The start of apply is a dashed line, the moment of isolation a red one. And the
// distribution of the instances' isolation times.

import type { IsolationView, TimelineView } from '../../engine/report/model.js';
import { isThrottled } from '../../engine/report/timeline.js';
import { html, type Fragment } from './html.js';

const W = 1100;
const LEFT = 250;
const RIGHT = 20;
const LANE = 18;
const TOP = 30;
const PLOT = W - LEFT - RIGHT;

const r1 = (n: number): string => (Math.round(n * 10) / 10).toString();

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms - m * 60_000) / 1000)} s`;
}

function tickStep(span: number, target = 10): number {
  const raw = span / target;
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function axis(span: number, scale: number, height: number): Fragment[] {
  const step = tickStep(span);
  const out: Fragment[] = [];
  for (let t = 0; t <= span + 1e-9; t += step) {
    const x = LEFT + t * scale;
    out.push(
      html`<line class="axis" x1="${r1(x)}" y1="${TOP - 4}" x2="${r1(x)}" y2="${height}" /><text
          x="${r1(x)}"
          y="${TOP - 10}"
          text-anchor="middle"
          >${duration(t)}</text
        >`,
    );
  }
  return out;
}

function markers(t: TimelineView, scale: number, height: number): Fragment[] {
  const out: Fragment[] = [];
  for (const a of t.applied)
    out.push(
      html`<line
        class="mark-apply"
        x1="${r1(LEFT + a * scale)}"
        y1="${TOP - 4}"
        x2="${r1(LEFT + a * scale)}"
        y2="${height}"
        ><title>start of apply (after the plan and any confirmation): +${duration(a)}</title></line
      >`,
    );
  const last = t.isolated.length ? Math.max(...t.isolated) : undefined;
  for (const i of t.isolated) {
    const x = LEFT + i * scale;
    const sinceApply = i - Math.min(...t.applied, i);
    out.push(
      html`<line class="mark-isolated" data-marker="isolated" x1="${r1(x)}" y1="${TOP - 4}" x2="${r1(x)}" y2="${height}"
        ><title>every ENI isolated: +${duration(i)} (${duration(sinceApply)} after the start of apply)</title></line
      >`,
    );
    if (i === last)
      out.push(
        html`<text class="mark-isolated-text" x="${r1(Math.min(x + 4, W - 150))}" y="${height + 14}"
          >isolated ${duration(sinceApply)} after apply</text
        >`,
      );
  }
  return out;
}

function callBars(t: TimelineView, scale: number): Fragment[] {
  return (t.calls ?? []).map((c) => {
    const y = TOP + c.lane * LANE + 3;
    const x = LEFT + c.start * scale;
    const w = Math.max(1.5, (c.end - c.start) * scale);
    const cls = !c.ok ? (isThrottled(c) ? 'c-throttle' : 'c-fail') : t.lanes[c.lane]!.priority <= 1 ? 'c-p0' : 'c-ok';
    const wait =
      c.waitedMs > 0
        ? html`<line class="c-wait" x1="${r1(x - c.waitedMs * scale)}" y1="${y + 6}" x2="${r1(x)}" y2="${y + 6}" />`
        : html``;
    const title = `${c.action} +${c.start}→${c.end} ms${c.waitedMs ? `, waited ${c.waitedMs} ms for the rate limit` : ''}${c.ok ? '' : ` — ${c.errorCode ?? 'failed'}`}${c.resource ? ` · ${c.resource}` : ''}${c.requestId ? ` · request ${c.requestId}` : ''}`;
    return html`${wait}<rect
        class="${cls}"
        data-call="${c.action}"
        x="${r1(x)}"
        y="${y}"
        width="${r1(w)}"
        height="${LANE - 6}"
        ><title>${title}</title></rect
      >`;
  });
}

function binPaths(t: TimelineView, scale: number): Fragment[] {
  const b = t.bins!;
  const w = Math.max(1, b.binMs * scale - 0.5);
  return t.lanes.map((lane, l) => {
    const y0 = TOP + l * LANE;
    const max = Math.max(1, ...b.total[l]!);
    let bars = '';
    let ticks = '';
    let fails = '';
    b.total[l]!.forEach((n, i) => {
      const x = r1(LEFT + i * b.binMs * scale);
      if (n > 0) {
        const h = Math.max(1.5, ((LANE - 5) * n) / max);
        bars += `M${x},${r1(y0 + LANE - 2)}v-${r1(h)}h${r1(w)}v${r1(h)}z`;
      }
      if (b.throttled[l]![i]! > 0) ticks += `M${x},${y0 + 1}h${r1(Math.max(w, 2))}v3h-${r1(Math.max(w, 2))}z`;
      if (b.failed[l]![i]! > 0) fails += `M${x},${y0 + 4}h${r1(Math.max(w, 2))}v2h-${r1(Math.max(w, 2))}z`;
    });
    const cls = lane.priority <= 1 ? 'c-p0' : 'c-ok';
    return html`<g data-lane="${lane.key}"
      ><title>
        ${lane.key}: ${lane.calls} calls, peak ${max} per
        ${duration(b.binMs)}${lane.throttled ? `, ${lane.throttled} throttled` : ''}${lane.failed ? `, ${lane.failed} failed` : ''}</title
      ><path
        class="${cls}"
        d="${bars}"
      />${ticks ? html`<path class="c-throttle" d="${ticks}" />` : ''}${fails ? html`<path class="c-fail" d="${fails}" />` : ''}</g
    >`;
  });
}

export function timelineSvg(t: TimelineView): Fragment {
  const height = TOP + t.lanes.length * LANE + 4;
  const scale = PLOT / Math.max(1, t.durationMs);
  const labels = t.lanes.map((l, i) => {
    const extra = [l.throttled ? `${l.throttled} throttled` : '', l.failed ? `${l.failed} failed` : '']
      .filter(Boolean)
      .join(', ');
    return html`<text class="lane-label" x="6" y="${TOP + i * LANE + 13}"
      >${l.key} (${l.calls}${extra ? `; ${extra}` : ''})<title>${l.actions.join(', ')}</title></text
    >`;
  });
  const stripes = t.lanes.map((_, i) =>
    i % 2 ? html`<rect x="0" y="${TOP + i * LANE}" width="${W}" height="${LANE}" fill="#f6f8fa" />` : html``,
  );
  return html`<svg
    id="timeline"
    data-mode="${t.mode}"
    data-calls="${t.totals.calls}"
    viewBox="0 0 ${W} ${height + 22}"
    width="${W}"
    height="${height + 22}"
    role="img"
    aria-label="timeline of the run's AWS calls"
  >
    ${stripes}${axis(t.durationMs, scale, height)}${labels}
    ${t.mode === 'calls' ? callBars(t, scale) : binPaths(t, scale)} ${markers(t, scale, height)}
  </svg>`;
}

export function isolationSvg(v: IsolationView): Fragment {
  const w = 700;
  const h = 150;
  const left = 40;
  const plot = w - left - 20;
  const max = Math.max(1, ...v.counts);
  const bw = plot / v.counts.length;
  const bars = v.counts.map((n, i) =>
    n
      ? html`<rect
          class="bar"
          data-count="${n}"
          x="${r1(left + i * bw + 1)}"
          y="${r1(h - 20 - ((h - 40) * n) / max)}"
          width="${r1(Math.max(1, bw - 2))}"
          height="${r1(((h - 40) * n) / max)}"
          ><title>
            ${n} instance(s) isolated ${duration(i * v.binMs)}–${duration((i + 1) * v.binMs)} after apply
          </title></rect
        >`
      : html``,
  );
  const at = (ms: number): string => r1(left + (ms / (v.counts.length * v.binMs)) * plot);
  const pct = (ms: number, name: string): Fragment =>
    html`<line class="pct" x1="${at(ms)}" y1="12" x2="${at(ms)}" y2="${h - 20}" /><text
        x="${at(ms)}"
        y="10"
        text-anchor="middle"
        >${name} ${duration(ms)}</text
      >`;
  return html`<svg
    id="isolation-histogram"
    viewBox="0 0 ${w} ${h}"
    width="${w}"
    height="${h}"
    role="img"
    aria-label="instances by time to isolation"
  >
    <line class="axis" x1="${left}" y1="${h - 20}" x2="${w - 20}" y2="${h - 20}" />
    <text x="${left}" y="${h - 6}">0</text>
    <text x="${w - 20}" y="${h - 6}" text-anchor="end">${duration(v.counts.length * v.binMs)}</text>
    <text x="${left - 6}" y="${h - 20 - (h - 40)}" text-anchor="end">${max}</text>
    ${bars}${pct(v.p50Ms, 'p50')}${v.p90Ms !== v.p50Ms ? pct(v.p90Ms, 'p90') : ''}
  </svg>`;
}
