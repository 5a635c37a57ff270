// When a containment step fails for good (not a retryable error), the instance must never be left more open than
// before — in particular never on the all-open group of step 1 — and restore must never use an isolation group as
// an "original".

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { cordonClients, tempStateDir } from '../helpers/cordon.js';
import { contain } from '../../src/engine/contain.js';
import { restore } from '../../src/engine/restore.js';
import { prepare } from '../../src/engine/prepare.js';
import { CordonError } from '../../src/core/errors.js';
import { TAG } from '../../src/core/tags.js';

const WEB1 = 'i-0c0ffee0000000001';
const ORIGINAL: Record<string, string[]> = {
  'eni-0c0ffee0000000001': ['sg-0a1b2c3d4e5f60001', 'sg-0a1b2c3d4e5f60002'],
  'eni-0c0ffee0000000002': ['sg-0a1b2c3d4e5f60003'],
};

function groupsNow(h: SimHarness): { eni: string; groups: string[]; roles: string[] }[] {
  const region = h.sim.world.region('111122223333', 'us-east-1');
  return Object.keys(ORIGINAL).map((eni) => {
    const groups = region.ec2.networkInterfaces.get(eni)!.groupIds;
    return { eni, groups, roles: groups.map((g) => region.ec2.securityGroups.get(g)?.tags[TAG.role] ?? 'original') };
  });
}

describe('failure safety', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test('tags cannot be written (ENI at its tag limit): the instance is still isolated, originals are in the journal', async () => {
    await h.sim.reset('demo');
    h.sim.faults.set({ failNth: [{ action: 'CreateTags', nth: 1, times: 1000, code: 'TagLimitExceeded' }] });
    const state = tempStateDir();
    const clients = cordonClients(h.sim);
    // The Auto Scaling step is left out here (a rerun elsewhere would detach nothing): test/engine/trust.test.ts
    // restores every step, Auto Scaling included, from the journal alone.
    const playbook = { asg: 'skip' as const };
    const r = await contain({ clients, instanceIds: [WEB1], stateDir: state, playbook });
    h.sim.faults.reset();
    assert.equal(r.instances[0]!.status, 'incomplete', 'the record step failed, and the result says so');
    for (const e of groupsNow(h))
      assert.deepEqual(e.roles, ['isolation-empty'], `${e.eni} isolated despite the failed tags`);
    h.sim.world.clock.advance(301_000);

    // Another machine (no journal) reruns containment: the ENIs are on the empty group without record tags. Its
    // restore must refuse rather than "restore" an isolation group; the first machine's journal restores exactly.
    const elsewhere = tempStateDir();
    const rerun = await contain({ clients, instanceIds: [WEB1], stateDir: elsewhere, playbook });
    assert.ok(
      rerun.instances[0]!.warnings.some((w) => /journal/.test(w)),
      'the rerun warns that the originals live only in a journal',
    );
    await assert.rejects(
      restore({ clients, instanceIds: [WEB1], stateDir: elsewhere }),
      (e: unknown) => e instanceof CordonError && e.code === 'no-record',
    );
    for (const e of groupsNow(h)) assert.deepEqual(e.roles, ['isolation-empty'], 'a refused restore changed nothing');
    await restore({ clients, instanceIds: [WEB1], stateDir: state });
    for (const e of groupsNow(h)) assert.deepEqual(e.groups, ORIGINAL[e.eni]);
    clients.destroy();
  });

  test('the first swap fails for one ENI: no ENI is left on the all-open group', async () => {
    await h.sim.reset('demo');
    // prepared groups: the swaps are the first ModifyNetworkInterfaceAttribute calls
    await prepare(cordonClients(h.sim), 'all');
    // The 2nd ModifyNetworkInterfaceAttribute (one ENI's move onto the all-open group) fails for good.
    h.sim.faults.set({
      failNth: [{ action: 'ModifyNetworkInterfaceAttribute', nth: 2, code: 'InvalidParameterValue' }],
    });
    const clients = cordonClients(h.sim);
    const r = await contain({ clients, instanceIds: [WEB1], stateDir: tempStateDir() });
    h.sim.faults.reset();
    assert.equal(r.instances[0]!.status, 'incomplete');
    assert.equal(r.isolatedAfterMs, undefined, 'no "isolation reached" claim for a failed swap');
    // Both ENIs end on the empty group: the one that reached step 1 is moved on, the other is swapped in one step
    // (and the result says so: its tracked connections may survive).
    for (const e of groupsNow(h)) assert.deepEqual(e.roles, ['isolation-empty'], `${e.eni} (${e.roles.join(',')})`);
    assert.ok(
      r.instances[0]!.warnings.some((w) => /step-1 swap failed; it went straight to the empty group/.test(w)),
      r.instances[0]!.warnings.join('\n'),
    );
    // Evidence is still captured when isolation went wrong.
    assert.ok(
      r.apply.steps.filter((s) => s.id.startsWith('evidence-')).every((s) => s.status === 'done'),
      JSON.stringify(r.apply.steps.filter((s) => s.id.startsWith('evidence-'))),
    );
    clients.destroy();
  });
});
