// verify's verdicts as grids: rows are where the far end is and who opened the connection (side × direction),
// columns the kind of flow; each cell coloured by its verdict. The fleet grid counts ENIs per verdict (coloured by
// the most open); the per-ENI grids say why, and what would cut what remains.

import { DIRECTIONS, KINDS, SIDES, type FlowKind } from '../../core/verify/paths.js';
import { DIRECTION_LABEL, KIND_LABEL, SIDE_LABEL } from '../../core/verify/summary.js';
import type { AggregateGrid, CellView, EniGrids, SurvivorGroup, VerdictsView } from '../../engine/report/model.js';
import { cellIndex } from '../../engine/report/verdicts.js';
import { html, type Fragment } from './html.js';

/** Column heads (the full label is the title). */
const KIND_SHORT: Record<FlowKind, string> = {
  tracked: 'TCP/UDP tracked',
  untracked: 'TCP/UDP untracked',
  icmp: 'ICMP',
  other: 'other IP protocols',
  'auto-tracked': 'auto-tracked',
};

const VERDICT_TEXT = { cut: 'cut', open: 'OPEN', 'may-survive': 'may survive' } as const;

function table(
  caption: string,
  id: string,
  cell: (
    side: (typeof SIDES)[number],
    direction: (typeof DIRECTIONS)[number],
    kind: (typeof KINDS)[number],
  ) => Fragment,
): Fragment {
  const rows = SIDES.flatMap((side) =>
    DIRECTIONS.map(
      (direction, d) =>
        html`<tr>
          ${d === 0 ? html`<th rowspan="2">${SIDE_LABEL[side]}</th>` : ''}
          <th>${DIRECTION_LABEL[direction]}</th>
          ${KINDS.map((k) => cell(side, direction, k))}
        </tr>`,
    ),
  );
  return html`<table class="grid" data-grid="${id}">
    <caption class="mute">
      ${caption}
    </caption>
    <colgroup>
      <col class="side" />
      <col class="dir" />
      ${KINDS.map(() => html`<col class="kind" />`)}
    </colgroup>
    <thead>
      <tr>
        <th colspan="2"></th>
        ${KINDS.map((k) => html`<th title="${KIND_LABEL[k]}">${KIND_SHORT[k]}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

export function aggregateGrid(g: AggregateGrid, when: 'before' | 'after'): Fragment {
  const at = new Map(g.cells.map((c) => [cellIndex(c), c]));
  return table(
    `${when}: ${g.enis} ENI(s) of ${g.instances} instance(s), ENIs per verdict`,
    `fleet-${when}`,
    (side, direction, kind) => {
      const c = at.get(cellIndex({ side, direction, kind }));
      if (!c || c.cut + c.open + c.maySurvive === 0) return html`<td class="v-none">—</td>`;
      const cls = c.open ? 'v-open' : c.maySurvive ? 'v-may-survive' : 'v-cut';
      const parts = [
        c.open ? `${c.open} open` : '',
        c.maySurvive ? `${c.maySurvive} may survive` : '',
        c.cut ? `${c.cut} cut` : '',
      ].filter(Boolean);
      return html`<td
        class="${cls}"
        data-class="${side}|${direction}|${kind}"
        data-cut="${c.cut}"
        data-open="${c.open}"
        data-may="${c.maySurvive}"
      >
        ${parts.map((x, i) => (i ? html`<br />${x}` : x))}
      </td>`;
    },
  );
}

function eniGrid(cells: CellView[], caption: string, id: string): Fragment {
  return table(caption, id, (side, direction, kind) => {
    const c = cells[cellIndex({ side, direction, kind })];
    if (!c) return html`<td class="v-none">—</td>`;
    const why = `${c.layer}: ${c.reason}${c.remedy && c.verdict !== 'cut' ? ` — cut by: ${c.remedy}` : ''}`;
    return html`<td
      class="v-${c.verdict}"
      data-class="${side}|${direction}|${kind}"
      data-verdict="${c.verdict}"
      title="${why}"
    >
      ${VERDICT_TEXT[c.verdict] ?? c.verdict}
    </td>`;
  });
}

function eniPair(instanceId: string, e: EniGrids): Fragment {
  return html`<h4>${instanceId} · ${e.networkInterfaceId}</h4>
    <div class="pair" data-eni="${e.networkInterfaceId}">
      <div>
        ${e.before ? eniGrid(e.before, 'before containment', `before:${e.networkInterfaceId}`) : html`<p class="mute">no verify result before</p>`}
      </div>
      <div>
        ${e.after ? eniGrid(e.after, 'after containment', `after:${e.networkInterfaceId}`) : html`<p class="mute">no verify result after</p>`}
      </div>
    </div>`;
}

function classList(g: SurvivorGroup): string {
  return g.classes.map((c) => `${SIDE_LABEL[c.side]} ${DIRECTION_LABEL[c.direction]} ${KIND_LABEL[c.kind]}`).join('; ');
}

function survivorsTable(s: SurvivorGroup[]): Fragment {
  if (s.length === 0)
    return html`<p><span class="tag ok">nothing</span> verify finds no class of flow that still gets through.</p>`;
  const rows = s.map(
    (g) =>
      html`<tr data-survivor="${g.verdict}">
        <td class="v-${g.verdict}">${VERDICT_TEXT[g.verdict]}</td>
        <td>${g.residual ? html`<span class="tag warn">no network layer can cut it</span> ` : ''}${g.remedy ?? '—'}</td>
        <td>${g.classes.length}: ${classList(g)}</td>
        <td class="num">${g.enis}</td>
        <td class="num">${g.instances}</td>
        <td>${g.reason}</td>
        <td class="mono ids">
          ${g.examples.slice(0, 3).map((x, i) => (i ? html`<br />${x}` : x))}${g.instances > 3 ? html`<br />…` : ''}
        </td>
      </tr>`,
  );
  return html`<table id="survivors">
    <thead>
      <tr>
        <th>verdict</th>
        <th>what cuts it</th>
        <th>classes of flow</th>
        <th class="num">ENIs</th>
        <th class="num">instances</th>
        <th>why (first class)</th>
        <th>e.g.</th>
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

export function verdictsSection(v: VerdictsView, instances: number, runId: string): Fragment {
  const fleet =
    v.before || v.after
      ? html`<div class="pair">
          <div>
            ${v.before ? aggregateGrid(v.before, 'before') : html`<p class="mute">no verify result before containment</p>`}
          </div>
          <div>
            ${v.after ? aggregateGrid(v.after, 'after') : html`<p class="mute">no verify result after containment</p>`}
          </div>
        </div>`
      : '';
  const shown = v.grids.length;
  const grids = v.grids.map((g, i) =>
    shown <= 2 || i < 2
      ? html`${g.enis.map((e) => eniPair(g.instanceId, e))}`
      : html`<details>
          <summary>${g.instanceId} (${g.enis.length} ENI(s))</summary>
          ${g.enis.map((e) => eniPair(g.instanceId, e))}
        </details>`,
  );
  return html`<h3 id="${runId}-verdicts">What reaches the instances: verify, before → after</h3>
    <p class="mute">
      Each class of flow: where the far end is, who opened it, and how the security groups treat it. <b>cut</b>: nothing
      gets through; <b>OPEN</b>: new connections get through; <b>may survive</b>: only connections that already existed
      (tracked), until idle. Hover a cell of a per-ENI grid for the reason.
    </p>
    ${fleet}
    <h3>Still getting through after containment, and what cuts it</h3>
    ${survivorsTable(v.survivors)}
    ${
      shown
        ? html`<h3>
              Per
              ENI${instances > shown ? ` (${shown} of ${instances} instances: the first ones and every incomplete one)` : ''}
            </h3>
            ${grids}`
        : ''
    }`;
}
