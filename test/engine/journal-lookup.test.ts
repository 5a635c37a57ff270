// The journals a plan reads to continue an interrupted run: every journal that names an instance (in its plan or in
// an original), newest first, each file read once for the whole fleet.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempStateDir } from '../helpers/cordon.js';
import { journalsMentioning } from '../../src/engine/journal.js';

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
});
