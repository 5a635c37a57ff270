// The incident report, checked at the DOM level (linkedom: runs anywhere, no browser) against what real runs
// recorded — a `cordon lab --report` and a 24-instance fleet on the simulator — read independently of the report's
// own code: the timeline, the isolation marker, the verdict grids' counts, the changes, the evidence hashes, the
// lab's flows, and that attacker-written text stays text.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { runCli } from '../helpers/cli.js';
import { tempStateDir } from '../helpers/cordon.js';
import { fleetInstanceId } from '../../src/sim/scenarios/fleet.js';
import { HOSTILE, enisOf, fleetRun, labRun, recorded, type FleetRun, type LabRun } from './fixtures.js';

type Doc = ReturnType<typeof parseHTML>['document'];
const text = (d: Doc, sel: string): string[] => [...d.querySelectorAll(sel)].map((e) => (e.textContent ?? '').trim());

async function report(stateDir: string, incident: string): Promise<{ html: string; doc: Doc }> {
  const r = await runCli(['report', incident, '--state-dir', stateDir]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(join(stateDir, 'records', incident, 'report.html'), 'utf8');
  return { html, doc: parseHTML(html).document };
}

/** Every cell of a before/after fleet grid holds the counts verify's records give. */
function checkAggregate(doc: Doc, when: 'before' | 'after', counts: Map<string, number>): void {
  const cells = [...doc.querySelectorAll(`table[data-grid="fleet-${when}"] td[data-class]`)];
  assert.equal(cells.length, 40, `${when}: 4 sides × 2 directions × 5 kinds`);
  for (const td of cells) {
    const key = td.getAttribute('data-class')!;
    for (const [attr, verdict] of [
      ['data-cut', 'cut'],
      ['data-open', 'open'],
      ['data-may', 'may-survive'],
    ] as const)
      assert.equal(Number(td.getAttribute(attr)), counts.get(`${key}|${verdict}`) ?? 0, `${when} ${key} ${verdict}`);
  }
}

/** Nothing from outside: no URL, no src, links only inside the page, the one script is the report's own. */
function checkSelfContained(html: string, doc: Doc): void {
  assert.doesNotMatch(html, /https?:\/\//);
  assert.equal(doc.querySelectorAll('[src]').length, 0);
  for (const a of doc.querySelectorAll('[href]')) assert.match(a.getAttribute('href')!, /^#/);
  assert.equal(doc.querySelectorAll('script').length, 1);
  assert.match(
    doc.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content')!,
    /default-src 'none'/,
  );
}

describe('report of a cordon lab run (DOM)', () => {
  let lab: LabRun;
  let doc: Doc;
  let html: string;
  let rec: ReturnType<typeof recorded>;
  before(async () => {
    lab = await labRun();
    html = readFileSync(lab.report, 'utf8');
    doc = parseHTML(html).document;
    rec = recorded(lab.stateDir, lab.incident);
  });

  test('one self-contained page with a headline saying contained and how long isolation took', () => {
    checkSelfContained(html, doc);
    assert.match(doc.querySelector('#headline h1')!.textContent!, /CONTAINED/);
    assert.match(
      doc.querySelector('#headline .lead')!.textContent!,
      /isolation reached (\d+ ms|[\d.]+ s|\d+ min \d+ s) after the start of apply/,
    );
  });

  test('the timeline draws every AWS call of the run and marks the moment of isolation', () => {
    const svg = doc.querySelector('svg#timeline')!;
    assert.equal(svg.getAttribute('data-mode'), 'calls');
    assert.equal(doc.querySelectorAll('svg#timeline rect[data-call]').length, rec.calls.length);
    const swaps = rec.calls.filter((c) => c.action === 'ec2:ModifyNetworkInterfaceAttribute').length;
    assert.equal(
      doc.querySelectorAll('svg#timeline rect[data-call="ec2:ModifyNetworkInterfaceAttribute"]').length,
      swaps,
    );
    const iso = doc.querySelector('svg#timeline [data-marker="isolated"]')!;
    const apply = doc.querySelector('svg#timeline line.mark-apply')!;
    assert.ok(Number(iso.getAttribute('x1')) > Number(apply.getAttribute('x1')), 'isolation comes after the apply');
  });

  test('the before and after grids count what verify recorded', () => {
    checkAggregate(doc, 'before', rec.counts('before'));
    checkAggregate(doc, 'after', rec.counts('after'));
    // Per ENI too: each cell's verdict is the record's.
    const after = rec.verify.find((r) => r.when === 'after')!;
    for (const e of after.report.enis)
      for (const c of e.classes) {
        const td = doc.querySelector(
          `table[data-grid="after:${e.networkInterfaceId}"] td[data-class="${c.side}|${c.direction}|${c.kind}"]`,
        )!;
        assert.equal(td.getAttribute('data-verdict'), c.verdict);
      }
    assert.ok(doc.querySelectorAll('#survivors tr[data-survivor]').length > 0, 'ICMP and the NAT path survive');
  });

  test('the changes table takes each ENI from its original groups to the empty group', () => {
    const facts = JSON.parse(
      readFileSync(join(lab.stateDir, 'evidence', lab.incident, lab.out.instanceId, 'facts-before.json'), 'utf8'),
    ) as { enis: { networkInterfaceId: string; groupIds: string[] }[] };
    const after = rec.verify.find((r) => r.when === 'after')!.report.enis;
    const rows = [...doc.querySelectorAll('table[data-changes="rows"] tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim()),
    );
    for (const e of facts.enis) {
      const row = rows.find((r) => r[1] === e.networkInterfaceId && r[2] === 'groups');
      assert.ok(row, `a row for ${e.networkInterfaceId}`);
      for (const g of e.groupIds) assert.ok(row[3]!.includes(g), `before: ${row[3]}`);
      const empty = after.find((x) => x.networkInterfaceId === e.networkInterfaceId)!.groupIds[0]!;
      assert.ok(row[4]!.startsWith(empty), `after: ${row[4]} (the empty group ${empty})`);
    }
  });

  test('the evidence list gives every file with its SHA-256', () => {
    assert.ok(rec.files.length >= 6);
    for (const f of rec.files) {
      const rows = [...doc.querySelectorAll(`table[data-evidence="${f.instanceId}"] tr`)];
      const row = rows.find((tr) => tr.querySelector('td')?.textContent?.trim() === f.file);
      assert.ok(row, `${f.file} listed`);
      assert.equal(row.querySelector('code[data-sha256]')!.textContent!.trim(), f.sha256);
    }
  });

  test("the attacker flows' fate", () => {
    const rows = [...doc.querySelectorAll('#lab-flows tbody tr')];
    assert.equal(rows.length, lab.out.flowsAfter.length);
    assert.deepEqual(
      rows.map((r) => r.getAttribute('data-flow')),
      lab.out.flowsAfter.map((f) => (f.alive ? 'alive' : 'cut')),
    );
    assert.ok(
      rows.some((r) => r.getAttribute('data-flow') === 'alive') &&
        rows.some((r) => r.getAttribute('data-flow') === 'cut'),
    );
  });

  test('text an attacker wrote into the journal and the records renders as text, never as markup', async () => {
    const dir = tempStateDir();
    cpSync(lab.stateDir, dir, { recursive: true });
    const time = new Date().toISOString();
    const base = { time, incident: lab.incident };
    appendFileSync(
      join(dir, 'journal', `${lab.incident}.jsonl`),
      [
        {
          ...base,
          type: 'original',
          instanceId: lab.out.instanceId,
          // A volume's tags, as a step would record them before changing them.
          resource: 'vol-0123456789abcdef0',
          attribute: 'tags',
          value: { Name: HOSTILE, 'x" onmouseover="alert(2)': 'y' },
        },
        {
          ...base,
          type: 'applied',
          changeId: 'tag-instance:x',
          resource: '<img src=x onerror=alert(3)>',
          attribute: 'tags',
          value: HOSTILE,
        },
        {
          ...base,
          type: 'step',
          stepId: 'imds-disable',
          instanceId: lab.out.instanceId,
          status: 'failed',
          error: `</td>${HOSTILE}`,
        },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );
    const calls = JSON.parse(readFileSync(join(dir, 'records', lab.incident, 'calls.jsonl'), 'utf8').split('\n')[0]!);
    calls.calls.push({
      ...calls.calls[0],
      label: '<b onclick="alert(4)">lane</b>',
      errorCode: '"><svg onload=alert(5)>',
      ok: false,
    });
    appendFileSync(join(dir, 'records', lab.incident, 'calls.jsonl'), JSON.stringify(calls) + '\n');
    const { html: page, doc: d } = await report(dir, lab.incident);
    assert.ok(!page.includes(HOSTILE) && !page.includes('<img') && !page.includes('<svg onload'));
    assert.equal(d.querySelectorAll('script').length, 1, 'only the report’s own script');
    assert.equal(d.querySelectorAll('img, b[onclick], [onerror], [onload], [onmouseover], [onclick]').length, 0);
    const body = d.body.textContent ?? '';
    assert.ok(body.includes(`Name=${HOSTILE}`), 'the tag value is shown, as text');
    assert.ok(body.includes('<img src=x onerror=alert(3)>'));
    assert.ok(body.includes(`</td>${HOSTILE}`));
    assert.ok(text(d, 'svg#timeline text.lane-label').some((t) => t.startsWith('<b onclick="alert(4)">lane</b>')));
  });
});

describe('report of a fleet run (DOM)', () => {
  let run: FleetRun;
  let doc: Doc;
  let html: string;
  let rec: ReturnType<typeof recorded>;
  before(async () => {
    run = await fleetRun(24);
    ({ html, doc } = await report(run.stateDir, run.incident));
    rec = recorded(run.stateDir, run.incident);
  });

  test('the headline says the fleet is not fully contained', () => {
    checkSelfContained(html, doc);
    assert.match(doc.querySelector('#headline')!.getAttribute('class')!, /\bbad\b/);
    assert.match(
      doc.querySelector('#headline h1')!.textContent!,
      /NOT FULLY CONTAINED — 1 of 24 instance\(s\) incomplete/,
    );
  });

  test('the timeline aggregates the calls in lanes, with the throttled answers and the isolation marked', () => {
    assert.ok(rec.calls.length > 400, `a fleet makes many calls (${rec.calls.length})`);
    assert.equal(rec.calls.filter((c) => c.errorCode === 'RequestLimitExceeded').length, 3);
    const svg = doc.querySelector('svg#timeline')!;
    assert.equal(svg.getAttribute('data-mode'), 'bins');
    assert.equal(Number(svg.getAttribute('data-calls')), rec.calls.length);
    assert.equal(doc.querySelectorAll('svg#timeline rect[data-call]').length, 0, 'no bar per call');
    assert.ok(doc.querySelector('svg#timeline g[data-lane="isolate-security-groups"] path'));
    assert.equal(doc.querySelectorAll('svg#timeline g[data-lane^="preserve-"] path.c-throttle').length >= 1, true);
    // One ENI never reached the empty group: no moment when every ENI was isolated.
    assert.equal(doc.querySelectorAll('svg#timeline [data-marker="isolated"]').length, 0);
    const bars = [...doc.querySelectorAll('svg#isolation-histogram rect[data-count]')];
    assert.equal(
      bars.reduce((a, b) => a + Number(b.getAttribute('data-count')), 0),
      23,
      'every contained instance',
    );
  });

  test('the fleet grids count every ENI; per-ENI grids for the first instances and the incomplete one', () => {
    checkAggregate(doc, 'before', rec.counts('before'));
    checkAggregate(doc, 'after', rec.counts('after'));
    const opened = [...doc.querySelectorAll('table[data-grid="fleet-after"] td[data-open]')];
    assert.ok(
      opened.some((td) => Number(td.getAttribute('data-open')) > 0),
      'the victim ENI is open again',
    );
    const k = run.ids.indexOf(run.victim);
    const expected = [0, 1, 2, 3, 4, k].flatMap(enisOf).sort();
    assert.deepEqual([...doc.querySelectorAll('[data-eni]')].map((e) => e.getAttribute('data-eni')).sort(), expected);
    assert.ok(doc.querySelectorAll('#survivors tr[data-survivor="open"]').length > 0);
  });

  test('the changes are summed up by step; instances list the incomplete one with its (hostile) error as text', () => {
    const groups = [...doc.querySelectorAll('table[data-changes="groups"] tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim()),
    );
    const enis = run.ids.flatMap((_, i) => enisOf(i)).length;
    const eniGroups = groups.filter((g) => g[1] === 'groups');
    assert.equal(
      eniGroups.reduce((a, g) => a + Number(g[2]), 0),
      enis,
      'every ENI recorded',
    );
    const swaps = eniGroups.find((g) => g[0] === 'untrack-connections → isolate-security-groups')!;
    assert.equal(Number(swaps[3]), enis - 1, 'all but the victim swapped to the empty group');
    // The victim went back to its original groups (verify read them after the run), not to the all-open group.
    const victimRow = [...doc.querySelectorAll('table[data-changes="rows"] tr')]
      .map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim()))
      .find((r) => r[1] === run.victimEni && r[2] === 'groups')!;
    const observed = rec.verify
      .find((r) => r.when === 'after' && r.instanceId === run.victim)!
      .report.enis.find((e) => e.networkInterfaceId === run.victimEni)!.groupIds;
    assert.ok(victimRow[4]!.startsWith(`${observed.join(', ')} (read after the run`), victimRow[4]);
    assert.equal(victimRow[3], observed.join(', '), 'its original groups');
    const rows = [...doc.querySelectorAll(`table[id$="-instances"] tr[data-instance]`)];
    assert.equal(rows.length, 24);
    const victim = rows.find((r) => r.getAttribute('data-instance') === run.victim)!;
    assert.equal(victim.querySelector('[data-status]')!.getAttribute('data-status'), 'incomplete');
    assert.match(victim.textContent!, /isolate-security-groups failed/);
    assert.ok(victim.textContent!.includes(HOSTILE), 'the message is shown as text');
    assert.ok(!html.includes(HOSTILE));
  });

  test('evidence: per-file hashes for the detail instances, the manifest hash for every other one', () => {
    const detail = new Set([0, 1, 2, 3, 4].map(fleetInstanceId).concat(run.victim));
    for (const f of rec.files.filter((x) => detail.has(x.instanceId))) {
      const row = [...doc.querySelectorAll(`table[data-evidence="${f.instanceId}"] tr`)].find(
        (tr) => tr.querySelector('td')?.textContent?.trim() === f.file,
      );
      assert.equal(row?.querySelector('code[data-sha256]')?.textContent?.trim(), f.sha256, `${f.instanceId}/${f.file}`);
    }
    const body = doc.body.textContent ?? '';
    for (const id of run.ids.filter((i) => !detail.has(i))) {
      const manifest = readFileSync(join(run.stateDir, 'evidence', run.incident, id, 'manifest.json'));
      assert.ok(body.includes(createHash('sha256').update(manifest).digest('hex')), `${id}'s manifest hash`);
    }
    assert.ok(html.length < 600_000, `${html.length} bytes for 24 instances`);
  });
});
