// The journals a plan reads to continue an interrupted run: every journal that names an instance (in its plan or in
// an original), newest first, each file read once for the whole fleet; and what a journal says of an instance (what
// `cordon status` checks the tags against).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempStateDir } from '../helpers/cordon.js';
import { RESTORE_STARTED, journalsMentioning, type JournalRecord } from '../../src/engine/journal.js';
import { crossCheck, journalView } from '../../src/engine/status.js';

function write(dir: string, incident: string, lines: object[], ageS: number): void {
  const path = join(dir, 'journal', `${incident}.jsonl`);
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const t = Date.now() / 1000 - ageS;
  utimesSync(path, t, t);
}

test('journals mentioning each instance: by plan or original, newest first, others left out', () => {
  const dir = tempStateDir();
  mkdirSync(join(dir, 'journal'), { recursive: true });
  const plan = (incident: string, instances: string[]) => ({
    type: 'plan',
    time: 't',
    incident,
    instances,
    planVersion: 1,
  });
  const original = (incident: string, instanceId: string) => ({
    type: 'original',
    time: 't',
    incident,
    instanceId,
    resource: `eni-${instanceId}`,
    attribute: 'groups',
    value: ['sg-1'],
  });
  write(dir, 'ir-old', [plan('ir-old', ['i-a', 'i-b'])], 300);
  write(dir, 'ir-new', [plan('ir-new', ['i-b']), original('ir-new', 'i-c')], 10);
  write(dir, 'ir-other', [plan('ir-other', ['i-z'])], 5);
  // not a journal of an incident: ignored
  writeFileSync(join(dir, 'journal', 'notes.txt'), 'x');

  const m = journalsMentioning(dir, ['i-a', 'i-b', 'i-c', 'i-d']);
  const names = (id: string) => (m.get(id) ?? []).map((j) => j.incident);
  assert.deepEqual(names('i-a'), ['ir-old']);
  assert.deepEqual(names('i-b'), ['ir-new', 'ir-old'], 'newest first');
  assert.deepEqual(names('i-c'), ['ir-new'], 'named by an original record alone');
  assert.deepEqual(names('i-d'), []);
  assert.equal(m.has('i-z'), false, 'only the instances asked about');
  assert.equal(m.get('i-b')![0]!.records.length, 2);
  // the same parsed journal is shared, not read again per instance
  assert.equal(m.get('i-b')![0], m.get('i-c')![0]);
  assert.equal(journalsMentioning(join(dir, 'missing'), ['i-a']).size, 0);

  // Newest by the journal's own records, not the file's mtime (a working copy pulled from S3 is written in any
  // order); a restore's result alone names the instance too.
  const dir2 = tempStateDir();
  mkdirSync(join(dir2, 'journal'), { recursive: true });
  write(dir2, 'ir-2025', [{ ...plan('ir-2025', ['i-a']), time: '2025-01-01T00:00:00.000Z' }], 0);
  write(dir2, 'ir-2026', [{ ...plan('ir-2026', ['i-a']), time: '2026-06-01T00:00:00.000Z' }], 3600);
  write(
    dir2,
    'ir-r',
    [{ type: 'result', time: '2026-07-01T00:00:00.000Z', incident: 'ir-r', instanceId: 'i-a', status: 'restored' }],
    7200,
  );
  assert.deepEqual(
    journalsMentioning(dir2, ['i-a'])
      .get('i-a')!
      .map((j) => j.incident),
    ['ir-r', 'ir-2026', 'ir-2025'],
  );
});

test("what a journal says of an instance: a run's result, a restore's, or a run that did not finish", () => {
  const I = 'i-a';
  const plan: JournalRecord = { type: 'plan', time: 't1', incident: 'ir-x', instances: [I], planVersion: 1 };
  const original: JournalRecord = {
    type: 'original',
    time: 't1',
    incident: 'ir-x',
    instanceId: I,
    resource: 'eni-a',
    attribute: 'groups',
    value: ['sg-1'],
  };
  const result = (status: string, time: string) =>
    ({ type: 'result', time, incident: 'ir-x', instanceId: I, status }) as const;
  const restored = (resource: string, time: string): JournalRecord => ({
    type: 'restored',
    time,
    incident: 'ir-x',
    resource,
    attribute: 'groups',
    value: ['sg-1'],
  });
  const view = (...records: JournalRecord[]) => {
    const v = journalView('ir-x', records, I);
    return v && `${v.state}@${v.at}`;
  };
  assert.equal(view(), undefined);
  assert.equal(view({ ...plan, instances: ['i-other'] }), undefined, 'another instance only');
  assert.equal(view(plan, original), 'containing@t1', 'a plan without a result: running, or died');
  assert.equal(view(plan, original, result('contained', 't2')), 'contained@t2');
  assert.equal(view(plan, original, result('already-contained', 't2')), 'contained@t2');
  assert.equal(view(plan, original, result('incomplete', 't2')), 'incomplete@t2');
  assert.equal(
    view(plan, original, result('contained', 't2'), restored('eni-a', 't3')),
    'restoring@t3',
    'restore died',
  );
  assert.equal(
    view(plan, original, result('contained', 't2'), restored('eni-other', 't3')),
    'contained@t2',
    "another instance's resource restored",
  );
  assert.equal(
    view(plan, original, result('contained', 't2'), restored('eni-a', 't3'), result('restored', 't4')),
    'restored@t4',
  );
  assert.equal(view(plan, original, result('contained', 't2'), result('restore-failed', 't3')), 'restoring@t3');
  const started = (time: string): JournalRecord => ({
    type: 'step',
    time,
    incident: 'ir-x',
    stepId: RESTORE_STARTED,
    instanceId: I,
    status: 'running',
  });
  assert.equal(view(plan, original, result('contained', 't2'), started('t3')), 'restoring@t3', 'a restore under way');
  assert.equal(
    view(plan, original, result('contained', 't2'), started('t3'), result('restore-failed', 't4')),
    'restoring@t4',
    'failed at its first step, nothing restored',
  );
  assert.equal(view(plan, original, result('contained', 't2'), started('t3'), result('restored', 't4')), 'restored@t4');
  // contained again after a restore: the newest run counts
  assert.equal(
    view(
      plan,
      original,
      result('contained', 't2'),
      result('restored', 't3'),
      { ...plan, time: 't4' },
      result('contained', 't5'),
    ),
    'contained@t5',
  );
});

test('tags and journal: the pairs that agree pass; every other pair is reported with what to do', () => {
  const j = (state: 'containing' | 'contained' | 'incomplete' | 'restoring' | 'restored') => ({
    incident: 'ir-x',
    state,
    at: 't',
  });
  const check = (tagStatus: string, state: Parameters<typeof j>[0], tagIncident: string | undefined = 'ir-x') =>
    crossCheck('i-a', tagStatus, tagIncident, j(state));
  for (const [tag, state] of [
    ['contained', 'contained'],
    ['containing', 'containing'],
    ['contained', 'containing'],
    ['containing', 'incomplete'],
    ['restoring', 'restoring'],
    ['released', 'restored'],
  ] as const)
    assert.deepEqual(check(tag, state), [], `${tag} with ${state}`);
  // a forged mark that would steer the responder into releasing a contained instance
  assert.match(check('restoring', 'contained')[0]!, /says contained .* tags say restoring: .* `cordon contain i-a`/);
  assert.match(check('none', 'contained', undefined)[0]!, /tags say no cordon status/);
  assert.match(check('bogus', 'contained')[0]!, /tags say bogus/);
  assert.match(check('released', 'restoring')[0]!, /`cordon restore i-a` finishes the restore/);
  assert.match(check('contained', 'restored')[0]!, /says restored .* tags say contained: .* compare its ENIs' groups/);
  assert.match(
    check('contained', 'contained', 'ir-y')[0]!,
    /the tags name incident ir-y, the newest journal .* is ir-x/,
  );
});
