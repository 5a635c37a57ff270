// The report's sections besides the timeline and the grids: the headline, the lab's attacker flows, what changed
// per resource, the instances, the evidence and the notes.

import type {
  ChangeRow,
  ChangesView,
  EvidenceView,
  InstanceView,
  LabView,
  ReportModel,
  RunView,
} from '../../engine/report/model.js';
import { html, type Fragment } from './html.js';
import { duration } from './timeline.js';

const DONE = new Set(['contained', 'already-contained']);

export function lastContain(m: ReportModel): RunView | undefined {
  return [...m.runs].reverse().find((r) => r.kind === 'contain');
}

function statusTag(s: string): Fragment {
  const cls = DONE.has(s) || s === 'restored' ? 'ok' : 'bad';
  return html`<span class="tag ${cls}" data-status="${s}">${s}</span>`;
}

export function headline(m: ReportModel): { title: string; banner: Fragment } {
  const last = m.runs[m.runs.length - 1];
  const run = lastContain(m);
  const n = run?.instances.length ?? 0;
  const bad = run ? run.instances.filter((i) => !DONE.has(i.status)).length : 0;
  let state: string;
  let cls: string;
  const failedRestores = last?.kind === 'restore' ? last.instances.filter((i) => i.status === 'restore-failed') : [];
  if (failedRestores.length) {
    state = `RESTORE FAILED — ${failedRestores.length} of ${last!.instances.length} instance(s) not fully restored (rerun \`cordon restore\`)`;
    cls = 'bad';
  } else if (last?.kind === 'restore') {
    state = `RESTORED (${last.instances.length} instance(s))`;
    cls = 'neutral';
  } else if (bad) {
    state = `NOT FULLY CONTAINED — ${bad} of ${n} instance(s) incomplete`;
    cls = 'bad';
  } else {
    state = n === 1 ? 'CONTAINED' : `CONTAINED — all ${n} instances`;
    cls = 'ok';
  }
  const after = run?.verdicts?.after;
  const open = after?.cells.reduce((a, c) => a + c.open, 0) ?? 0;
  const may = after?.cells.reduce((a, c) => a + c.maySurvive, 0) ?? 0;
  const iso = run?.isolation;
  const lead: Fragment[] = [];
  if (run?.isolatedAfterMs !== undefined)
    lead.push(
      html`Network isolation reached <b>${duration(run.isolatedAfterMs)}</b> after the start of
        apply${iso && iso.isolated > 1 ? html` (per instance: p50 ${duration(iso.p50Ms)}, p90 ${duration(iso.p90Ms)}, last ${duration(iso.maxMs)})` : ''}${run.prepareMs !== undefined ? html`; reading the facts and planning took ${duration(run.prepareMs)} before it` : ''}. `,
    );
  else if (run) lead.push(html`Network isolation was <b>not reached</b> for every ENI in the last run. `);
  if (after)
    lead.push(
      open
        ? html`After containment <b>${open}</b> class(es) of flow are still OPEN to new connections across ${after.enis}
            ENI(s). `
        : may
          ? html`After containment nothing new gets in or out; ${may} class(es) across ${after.enis} ENI(s) may still
            carry connections that already existed (see below for what cuts them). `
          : html`After containment verify finds nothing that still gets through. `,
    );
  if (m.lab) {
    const alive = m.lab.flows.filter((f) => f.aliveAfter).length;
    lead.push(
      alive
        ? html`Attacker flows (lab): ${m.lab.flows.length - alive} of ${m.lab.flows.length} cut,
            <b>${alive} still ALIVE</b>. `
        : html`Attacker flows (lab): all ${m.lab.flows.length} cut. `,
    );
  }
  const calls = run?.timeline?.totals;
  const files = m.evidence?.instances.reduce((a, i) => a + i.files, 0) ?? 0;
  const figures: [string, string][] = [
    ['instances', run ? `${n - bad} of ${n} contained` : '—'],
    ['isolation', run?.isolatedAfterMs !== undefined ? duration(run.isolatedAfterMs) : 'not reached'],
    ['AWS calls', calls ? `${calls.calls}${calls.throttled ? ` (${calls.throttled} throttled)` : ''}` : '—'],
    ['still open after', after ? `${open} open · ${may} may survive` : '—'],
    [
      'evidence',
      m.evidence
        ? `${files} file(s)${m.evidence.checked ? (m.evidence.problems.length ? ` · ${m.evidence.problems.length} problem(s)` : ' · hashes match') : ''}`
        : 'none',
    ],
  ];
  return {
    title: `cordon report — ${m.incident}: ${state}`,
    banner: html`<header class="banner ${cls}" id="headline">
      <h1>Incident ${m.incident}: ${state}</h1>
      <p class="lead">${lead}</p>
      <dl class="figures">
        ${figures.map(
          ([k, v]) =>
            html`<div>
              <dt>${k}</dt>
              <dd>${v}</dd>
            </div>`,
        )}
      </dl>
    </header>`,
  };
}

export function labSection(l: LabView): Fragment {
  const rows = l.flows.map(
    (f) =>
      html`<tr data-flow="${f.aliveAfter ? 'alive' : 'cut'}">
        <td>${f.name}</td>
        <td class="mono">
          ${f.protocol}${f.port !== undefined ? `/${f.port}` : ''} ${f.initiator === 'inbound' ? 'from' : 'to'}
          ${f.remoteAddress} via ${f.path}
        </td>
        <td>${f.aliveBefore ? 'alive' : 'dead'}</td>
        <td class="${f.aliveAfter ? 'v-open' : 'v-cut'}">${f.aliveAfter ? 'ALIVE' : 'cut'}</td>
        <td>${f.reason}</td>
        <td>${f.remedy ?? ''}</td>
      </tr>`,
  );
  return html`<section id="lab">
    <h2>Attacker flows (cordon lab, scenario ${l.scenario})</h2>
    <p>
      Live flows the simulated attacker had on ${l.instanceId}, and their fate once containment
      ran${l.naive ? html` — <b>naive one-step swap</b> (--naive): tracked connections survive it` : ''}.
    </p>
    <table id="lab-flows">
      <thead>
        <tr>
          <th>flow</th>
          <th>what</th>
          <th>before</th>
          <th>after</th>
          <th>why</th>
          <th>what would cut it</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </section>`;
}

function changeRow(r: ChangeRow): Fragment {
  return html`<tr${r.applied ? '' : html` class="v-may-survive"`}><td class="mono">${r.instanceId ?? 'shared'}</td><td class="mono">${r.resource}</td><td>${r.attribute}</td><td class="mono">${r.before}</td><td class="mono">${r.after}</td><td>${r.steps.join(', ') || '(not applied)'}</td></tr>`;
}

export function changesSection(c: ChangesView, runId: string, restore: boolean): Fragment {
  if (c.total === 0)
    return html`<h3 id="${runId}-changes">What changed</h3>
      <p class="mute">nothing was changed.</p>`;
  const groups = c.groups.map(
    (g) =>
      html`<tr>
        <td>${g.steps.join(' → ') || '(recorded, not applied)'}</td>
        <td>${g.attribute}</td>
        <td class="num">${g.resources}</td>
        <td class="num">${g.applied}</td>
        <td class="mono">${g.example.resource}: ${g.example.before} → ${g.example.after}</td>
      </tr>`,
  );
  const rows = html`<table id="${runId}-changes-rows" data-changes="rows">
    <thead>
      <tr>
        <th>instance</th>
        <th>resource</th>
        <th>attribute</th>
        <th>before</th>
        <th>after</th>
        <th>step</th>
      </tr>
    </thead>
    <tbody>
      ${c.rows.map(changeRow)}
    </tbody>
  </table>`;
  return html`<h3 id="${runId}-changes">
      What changed, per resource (${restore ? 'contained → restored' : 'before → after'})
    </h3>
    <table data-changes="groups">
      <thead>
        <tr>
          <th>step(s)</th>
          <th>attribute</th>
          <th class="num">resources</th>
          <th class="num">applied</th>
          <th>e.g.</th>
        </tr>
      </thead>
      <tbody>
        ${groups}
      </tbody>
    </table>
    ${
      c.rows.length <= 40
        ? rows
        : html`<details>
            <summary>${c.rows.length} per-resource rows</summary>
            ${rows}
          </details>`
    }
    ${c.omittedRows ? html`<p class="note">${c.omittedRows} more per-resource row(s), for instances not shown in detail, are in the journal.</p>` : ''}
    <p class="note">
      Highlighted rows were recorded before a change that was not made (its step failed or never ran).
    </p>`;
}

function instanceRow(i: InstanceView): Fragment {
  const failed = i.failedSteps.map((s) => html`<div>${s.stepId} ${s.status}${s.error ? `: ${s.error}` : ''}</div>`);
  const after = i.after
    ? html`<span class="${i.after.open ? 'v-open' : i.after.maySurvive ? 'v-may-survive' : 'v-cut'}"
        >${i.after.open} open · ${i.after.maySurvive} may survive</span
      >`
    : '—';
  return html`<tr data-instance="${i.instanceId}">
    <td class="mono">${i.instanceId}</td>
    <td>${i.region ?? ''}</td>
    <td>${statusTag(i.status)}</td>
    <td class="num">${i.isolatedAfterMs !== undefined ? duration(i.isolatedAfterMs) : '—'}</td>
    <td class="mono">${i.enis.join(' ')}</td>
    <td>${after}</td>
    <td>${failed}</td>
  </tr>`;
}

export function instancesSection(run: RunView, runId: string): Fragment {
  const head = html`<thead>
    <tr>
      <th>instance</th>
      <th>region</th>
      <th>status</th>
      <th class="num">isolated after</th>
      <th>ENIs</th>
      <th>after: open · may survive</th>
      <th>failed steps</th>
    </tr>
  </thead>`;
  const bad = run.instances.filter((i) => !DONE.has(i.status) && i.status !== 'restored');
  const all = html`<table id="${runId}-instances">
    ${head}
    <tbody>
      ${run.instances.map(instanceRow)}
    </tbody>
  </table>`;
  return html`<h3>Instances</h3>
    <p>${Object.entries(run.counts).map(([s, n]) => html`${statusTag(s)} ${n} `)}</p>
    ${
      bad.length && run.instances.length > 10
        ? html`<h4>Needing a look</h4>
            <table>
              ${head}
              <tbody>
                ${bad.map(instanceRow)}
              </tbody>
            </table>`
        : ''
    }
    ${
      run.instances.length <= 10
        ? all
        : html`<details>
            <summary>all ${run.instances.length} instances</summary>
            ${all}
          </details>`
    }`;
}

export function evidenceSection(e: EvidenceView): Fragment {
  const detailed = e.instances.filter((i) => i.artefacts);
  const others = e.instances.filter((i) => !i.artefacts);
  const status = !e.checked
    ? html`<p class="mute">The files were not re-hashed.</p>`
    : e.problems.length
      ? html`<p><span class="tag bad">${e.problems.length} problem(s)</span> re-hashing the files now found:</p>
          <ul>
            ${e.problems.map((p) => html`<li><code>${p.instanceId}/${p.file}</code> ${p.problem}: ${p.detail}</li>`)}
          </ul>`
      : html`<p>
          <span class="tag ok">intact</span> Every file was re-hashed when this report was made and matches its SHA-256
          in manifest.json, and each manifest matches the hash the journal recorded.
        </p>`;
  const files = detailed.map((i, k) => {
    const list = html`<table data-evidence="${i.instanceId}">
        <thead>
          <tr>
            <th>file</th>
            <th class="num">bytes</th>
            <th>SHA-256</th>
            <th>from</th>
            <th>request id</th>
          </tr>
        </thead>
        <tbody>
          ${(i.artefacts ?? []).map(
            (a) =>
              html`<tr>
                <td class="mono">${a.file}</td>
                <td class="num">${a.size}</td>
                <td><code data-sha256>${a.sha256}</code></td>
                <td>${a.source}</td>
                <td class="mono">${a.requestId ?? ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${i.remote.length ? html`<p>Snapshots and image: ${i.remote.map((r) => html`<code>${r.id}</code> (${r.type}${r.volumeId ? ` of ${r.volumeId}` : ''}, ${r.state}) `)}</p>` : ''}`;
    // The first two open; the others a click away (a fleet's page stays short).
    return k < 2
      ? html`<h4>${i.instanceId}</h4>
          ${list}`
      : html`<details>
          <summary>${i.instanceId}: ${i.files} file(s)</summary>
          ${list}
        </details>`;
  });
  const compact = others.length
    ? html`<details>
        <summary>${others.length} more instance(s): manifest hashes</summary>
        <table>
          <thead>
            <tr>
              <th>instance</th>
              <th class="num">files</th>
              <th class="num">bytes</th>
              <th>manifest.json SHA-256</th>
              <th>snapshots and image</th>
            </tr>
          </thead>
          <tbody>
            ${others.map(
              (i) =>
                html`<tr>
                  <td class="mono">${i.instanceId}</td>
                  <td class="num">${i.files}</td>
                  <td class="num">${i.bytes}</td>
                  <td><code>${i.manifestSha256 ?? '?'}</code></td>
                  <td class="mono">${i.remote.map((r) => r.id).join(' ')}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </details>`
    : '';
  return html`<section id="evidence">
    <h2>Evidence</h2>
    <p>
      Folder <code>${e.root}</code>; check it any time with <code>cordon evidence verify</code> or
      <code>sha256sum -c SHA256SUMS</code> in an instance's folder.
    </p>
    ${status}${files}${compact}
  </section>`;
}
