// `cordon report` on the command line: the file it writes (default and --out), --output json, `cordon lab --report
// FILE`, and bad input — each refused with a message that says what to do, nothing written.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempStateDir } from '../helpers/cordon.js';

describe('cordon report', () => {
  const stateDir = tempStateDir();
  let incident: string;
  before(async () => {
    const out = join(stateDir, 'lab-report.html');
    const r = await runCli(['lab', '--latency-ms', '0', '--state-dir', stateDir, '--report', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`report: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ KB\\)`));
    assert.match(readFileSync(out, 'utf8'), /^<!doctype html>/);
    incident = /journal: .*\/journal\/(.+)\.jsonl/.exec(r.stdout)![1]!;
  });

  test('writes <state-dir>/records/<incident>/report.html by default and says where', async () => {
    const r = await runCli(['report', incident, '--state-dir', stateDir]);
    assert.equal(r.code, 0, r.stderr);
    const path = join(stateDir, 'records', incident, 'report.html');
    assert.ok(r.stdout.includes(`report: ${path}`), r.stdout);
    assert.match(r.stdout, /CONTAINED/);
    assert.match(readFileSync(path, 'utf8'), /<svg id="timeline"/);
  });

  test('--output json prints the report model, --out chooses the file', async () => {
    const out = join(stateDir, 'elsewhere', 'r.html');
    const r = await runCli(['report', incident, '--state-dir', stateDir, '--out', out, '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const m = JSON.parse(r.stdout) as {
      out: string;
      bytes: number;
      incident: string;
      runs: { kind: string; instances: { status: string }[]; timeline: { totals: { calls: number } } }[];
      lab: { flows: { aliveAfter: boolean }[] };
      evidence: { checked: boolean; problems: unknown[] };
    };
    assert.equal(m.out, out);
    assert.equal(m.bytes, readFileSync(out).length);
    assert.equal(m.incident, incident);
    assert.deepEqual(
      m.runs.map((x) => [x.kind, x.instances.map((i) => i.status)]),
      [['contain', ['contained']]],
    );
    assert.ok(m.runs[0]!.timeline.totals.calls > 10);
    assert.ok(m.lab.flows.some((f) => f.aliveAfter) && m.lab.flows.some((f) => !f.aliveAfter));
    assert.deepEqual([m.evidence.checked, m.evidence.problems], [true, []]);
  });

  test('an unknown incident: exit 3, and the incidents recorded there', async () => {
    const r = await runCli(['report', 'ir-nope', '--state-dir', stateDir]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /no journal for incident ir-nope/);
    assert.ok(r.stderr.includes(`incidents recorded there (newest first): ${incident}`), r.stderr);
  });

  test('a malformed incident id: exit 2; no state folder: exit 3; as JSON too', async () => {
    const bad = await runCli(['report', '../../etc/passwd', '--state-dir', stateDir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is not an incident id/);
    const none = await runCli(['report', incident, '--state-dir', join(stateDir, 'missing'), '--output', 'json']);
    assert.equal(none.code, 3);
    const e = JSON.parse(none.stdout) as { error: { code: string; hint: string } };
    assert.equal(e.error.code, 'report-no-state');
    assert.match(e.error.hint, /--state-dir/);
  });

  test('an unreadable or empty journal, an unwritable --out: a clear refusal', async () => {
    const dir = tempStateDir();
    mkdirSync(join(dir, 'journal', 'ir-dir.jsonl'), { recursive: true });
    const unreadable = await runCli(['report', 'ir-dir', '--state-dir', dir]);
    assert.equal(unreadable.code, 2);
    assert.match(unreadable.stderr, /cannot read .*ir-dir\.jsonl: EISDIR/);
    writeFileSync(join(dir, 'journal', 'ir-torn.jsonl'), '{"type":"pla');
    const empty = await runCli(['report', 'ir-torn', '--state-dir', dir]);
    assert.equal(empty.code, 3);
    assert.match(empty.stderr, /records no containment and no restore/);
    const unwritable = await runCli(['report', incident, '--state-dir', stateDir, '--out', '/dev/null/r.html']);
    assert.equal(unwritable.code, 2);
    assert.match(unwritable.stderr, /cannot write the report to \/dev\/null\/r\.html/);
    assert.equal(existsSync(join(dir, 'records')), false, 'nothing written');
  });
});
