// Two responders at once: two `contain` runs on the same instance converge (no duplicate isolation groups, no
// isolation group recorded as original), and a `contain` that starts while a restore runs is refused, never
// interleaved into a mixed state.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { cordonClients, tempStateDir } from '../helpers/cordon.js';
import { contain } from '../../src/engine/contain.js';
import { restore } from '../../src/engine/restore.js';
import { CordonError } from '../../src/core/errors.js';
import { TAG } from '../../src/core/tags.js';

const WEB1 = 'i-0c0ffee0000000001';
const ORIGINAL: Record<string, string[]> = {
  'eni-0c0ffee0000000001': ['sg-0a1b2c3d4e5f60001', 'sg-0a1b2c3d4e5f60002'],
  'eni-0c0ffee0000000002': ['sg-0a1b2c3d4e5f60003'],
};

describe('concurrency', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test('two contain runs at once (two machines) converge', { timeout: 120_000 }, async () => {
    h.sim.faults.set({ latency: { fixedMs: 30 } });
    const a = cordonClients(h.sim, { maxAttempts: 5 });
    const b = cordonClients(h.sim, { maxAttempts: 5 });
    const [ra, rb] = await Promise.all([
      contain({ clients: a, instanceIds: [WEB1], stateDir: tempStateDir(), incident: 'ir-alice' }),
      contain({ clients: b, instanceIds: [WEB1], stateDir: tempStateDir(), incident: 'ir-bob' }),
    ]);
    h.sim.faults.reset();
    // Both may finish as contained or already-contained, or one as incomplete if it lost a race on a step, but a rerun
    // then converges; either way the resources end contained with the true originals recorded.
    const rerun = await contain({ clients: a, instanceIds: [WEB1], stateDir: tempStateDir(), incident: 'ir-alice' });
    assert.notEqual(
      rerun.instances[0]!.status,
      'incomplete',
      JSON.stringify([ra.instances[0]!.status, rb.instances[0]!.status]),
    );
    const region = h.sim.world.region('111122223333', 'us-east-1');
    const groups = [...region.ec2.securityGroups.values()].filter((g) => g.tags[TAG.role]);
    assert.equal(groups.length, 2, 'one all-open and one empty group, not two of each');
    const empty = groups.find((g) => g.tags[TAG.role] === 'isolation-empty')!.groupId;
    for (const [eniId, original] of Object.entries(ORIGINAL)) {
      const eni = region.ec2.networkInterfaces.get(eniId)!;
      assert.deepEqual(eni.groupIds, [empty]);
      assert.equal(
        eni.tags[TAG.originalGroups],
        original.join(','),
        `${eniId}: the true original is recorded, never an isolation group`,
      );
    }
    h.sim.world.clock.advance(301_000);
    await restore({ clients: a, instanceIds: [WEB1], stateDir: tempStateDir() });
    for (const [eniId, original] of Object.entries(ORIGINAL))
      assert.deepEqual(region.ec2.networkInterfaces.get(eniId)!.groupIds, original);
    a.destroy();
    b.destroy();
  });

  test('contain while a restore runs is refused, and the restore finishes cleanly', { timeout: 120_000 }, async () => {
    await h.sim.reset('demo');
    const clients = cordonClients(h.sim, { maxAttempts: 5 });
    const state = tempStateDir();
    await contain({ clients, instanceIds: [WEB1], stateDir: state });
    h.sim.world.clock.advance(301_000);
    h.sim.faults.set({ latency: { fixedMs: 20 } });
    let second: Promise<unknown> | undefined;
    h.sim.world.afterCall.push((c) => {
      const tags = (c.params as { Tag?: { Key: string; Value: string }[] }).Tag;
      if (
        !second &&
        c.action === 'CreateTags' &&
        c.outcome === 'ok' &&
        tags?.some((t) => t.Key === TAG.status && t.Value === 'restoring')
      ) {
        second = contain({ clients: cordonClients(h.sim), instanceIds: [WEB1], stateDir: tempStateDir() }).then(
          () => 'contained',
          (e: unknown) => e,
        );
      }
    });
    await restore({ clients, instanceIds: [WEB1], stateDir: state });
    h.sim.faults.reset();
    assert.ok(second, 'the second contain was started during the restore');
    const outcome = await second;
    assert.ok(outcome instanceof CordonError && outcome.code === 'restore-running', `refused, got ${String(outcome)}`);
    const region = h.sim.world.region('111122223333', 'us-east-1');
    for (const [eniId, original] of Object.entries(ORIGINAL))
      assert.deepEqual(region.ec2.networkInterfaces.get(eniId)!.groupIds, original);
    assert.equal(region.ec2.instances.get(WEB1)!.tags[TAG.status], 'released');
    // Once the restore is over, containment works again.
    const again = await contain({ clients, instanceIds: [WEB1], stateDir: tempStateDir() });
    assert.equal(again.instances[0]!.status, 'contained');
    clients.destroy();
  });
});
