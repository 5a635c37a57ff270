// An incident's journal may hold several runs: a containment left incomplete, the rerun that finishes it, a restore.
// The report shows each, in order, with its own calls, statuses and changes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHTML } from 'linkedom';
import { startHarness } from '../helpers/sim.js';
import { cordonClients, tempStateDir } from '../helpers/cordon.js';
import { contain } from '../../src/engine/contain.js';
import { restore } from '../../src/engine/restore.js';
import { readCallsRecords } from '../../src/engine/records.js';
import { buildReport } from '../../src/engine/report/build.js';
import { renderReport } from '../../src/cli/report/render.js';
import { instanceViews, resourceOwners, splitRuns } from '../../src/engine/report/runs.js';
import { RESTORE_STARTED, type JournalRecord } from '../../src/engine/journal.js';

const WEB1 = 'i-0c0ffee0000000001';

test('contain (a step fails) → rerun → restore: three runs, in order, each with its own calls and outcome', async () => {
  const h = await startHarness('demo');
  const clients = cordonClients(h.sim);
  const stateDir = tempStateDir();
  try {
    h.sim.faults.set({
      failNth: [{ action: 'ModifyInstanceMetadataOptions', nth: 1, times: 100, code: 'UnauthorizedOperation' }],
    });
    const first = await contain({ clients, instanceIds: [WEB1], stateDir, playbook: { evidence: false } });
    assert.equal(first.instances[0]!.status, 'incomplete');
    h.sim.faults.reset();
    const second = await contain({ clients, instanceIds: [WEB1], stateDir, playbook: { evidence: false } });
    assert.equal(second.incident, first.incident, 'the rerun continues the incident');
    // Its ENIs were isolated by the first run: the rerun finishes the rest of the playbook.
    assert.equal(second.instances[0]!.status, 'already-contained');
    h.sim.world.clock.advance(301_000); // the detached instance's target group drains
    await restore({ clients, instanceIds: [WEB1], stateDir });

    const m = buildReport(stateDir, first.incident);
    assert.deepEqual(
      m.runs.map((r) => [r.kind, r.instances.map((i) => i.status)]),
      [
        ['contain', ['incomplete']],
        ['contain', ['already-contained']],
        ['restore', ['restored']],
      ],
    );
    const calls = readCallsRecords(stateDir, first.incident);
    assert.equal(calls.length, 2);
    assert.deepEqual(
      m.runs.map((r) => r.timeline?.totals.calls),
      [calls[0]!.calls.length, calls[1]!.calls.length, undefined],
    );
    assert.deepEqual(
      m.runs[0]!.instances[0]!.failedSteps.map((s) => s.stepId),
      ['imds-disable'],
    );
    // The rerun made only what the first run left undone; the restore put the groups back.
    assert.ok(m.runs[1]!.changes.rows.some((r) => r.attribute === 'metadata-http-endpoint' && r.after === 'disabled'));
    assert.ok(!m.runs[1]!.changes.rows.some((r) => r.attribute === 'groups'));
    const groupsBack = m.runs[2]!.changes.rows.find(
      (r) => r.resource === 'eni-0c0ffee0000000001' && r.attribute === 'groups',
    );
    assert.equal(groupsBack?.after, 'sg-0a1b2c3d4e5f60001, sg-0a1b2c3d4e5f60002');

    const { document } = parseHTML(renderReport(m));
    assert.deepEqual(
      [...document.querySelectorAll('section[data-run]')].map((s) => `${s.id}:${s.getAttribute('data-run')}`),
      ['run-1:contain', 'run-2:contain', 'run-3:restore'],
    );
    assert.match(document.querySelector('#headline h1')!.textContent!, /RESTORED/);
    assert.equal(document.querySelectorAll('#runs li').length, 3);
  } finally {
    clients.destroy();
    await h.close();
  }
});

test('a restore that fails: its own run, marked restore-failed, and the headline says so (the containment stays)', async () => {
  const h = await startHarness('demo');
  const clients = cordonClients(h.sim, { maxAttempts: 1 });
  const stateDir = tempStateDir();
  try {
    const c = await contain({ clients, instanceIds: [WEB1], stateDir, playbook: { evidence: false, asg: 'skip' } });
    assert.equal(c.instances[0]!.status, 'contained');
    h.sim.faults.set({
      failNth: [{ action: 'ModifyNetworkInterfaceAttribute', nth: 1, times: 100, code: 'UnauthorizedOperation' }],
    });
    const r = await restore({ clients, instanceIds: [WEB1], stateDir });
    h.sim.faults.reset();
    assert.equal(r.instances[0]!.status, 'failed');
    const m = buildReport(stateDir, c.incident);
    assert.deepEqual(
      m.runs.map((x) => [x.kind, x.instances.map((i) => i.status)]),
      [
        ['contain', ['contained']],
        ['restore', ['restore-failed']],
      ],
    );
    const { document } = parseHTML(renderReport(m));
    assert.match(document.querySelector('#headline h1')!.textContent!, /RESTORE FAILED — 1 of 1/);
  } finally {
    clients.destroy();
    await h.close();
  }
});

test('a restore that failed before putting anything back still opens its own run (its start record)', () => {
  const t = (s: number) => new Date(Date.UTC(2026, 11, 5, 0, 0, s)).toISOString();
  const journal: JournalRecord[] = [
    { type: 'plan', time: t(0), incident: 'ir-x', instances: [WEB1], planVersion: 1 },
    {
      type: 'original',
      time: t(0),
      incident: 'ir-x',
      instanceId: WEB1,
      resource: 'eni-1',
      attribute: 'groups',
      value: ['sg-1'],
    },
    { type: 'result', time: t(5), incident: 'ir-x', instanceId: WEB1, status: 'contained' },
    { type: 'step', time: t(9), incident: 'ir-x', stepId: RESTORE_STARTED, instanceId: WEB1, status: 'running' },
    { type: 'result', time: t(10), incident: 'ir-x', instanceId: WEB1, status: 'restore-failed' },
  ];
  const owners = resourceOwners(journal);
  const runs = splitRuns(journal, owners);
  assert.deepEqual(
    runs.map((r) => [r.kind, instanceViews(r, owners).map((i) => `${i.instanceId}:${i.status}`)]),
    [
      ['contain', [`${WEB1}:contained`]],
      ['restore', [`${WEB1}:restore-failed`]],
    ],
  );
});
