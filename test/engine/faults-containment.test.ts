// Containment under faults: EC2 throttling, a 30 % failure rate with 5xx and latency spikes, and answers lost after
// the change took effect. Retries run in the SDK's retry loop, paced by cordon's scheduler; cordon must converge and never apply a
// step twice in a harmful way (duplicate groups, doubled rules, a second detach …).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { tempStateDir } from '../helpers/cordon.js';
import { createClients } from '../../src/aws/clients.js';
import { contain } from '../../src/engine/contain.js';
import { restore } from '../../src/engine/restore.js';
import { TAG } from '../../src/core/tags.js';

const WEB1 = 'i-0c0ffee0000000001';

function resilientClients(h: SimHarness) {
  return createClients({
    region: 'us-east-1',
    endpointUrl: h.endpoint,
    credentials: { accessKeyId: 'AKIADEMORESPONDER01', secretAccessKey: 'x' },
    maxAttempts: 10,
  });
}

/** Read from the simulated world, not through the API: the faults under test must not fail the test's own reads. */
async function isolationGroupCount(h: SimHarness): Promise<number> {
  const region = h.sim.world.region('111122223333', 'us-east-1');
  return [...region.ec2.securityGroups.values()].filter((g) => g.tags[TAG.role] !== undefined).length;
}

describe('containment under faults', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test(
    'EC2 token buckets (tiny, so they run dry) throttle; the scheduler learns the buckets and finishes the job',
    { timeout: 120_000 },
    async () => {
      await h.sim.reset('demo');
      h.sim.faults.set({
        throttle: {
          enabled: true,
          overrides: {
            ModifyNetworkInterfaceAttribute: { max: 2, refill: 2 },
            CreateTags: { max: 2, refill: 2 },
            DescribeInstances: { max: 2, refill: 2 },
          },
        },
      });
      const clients = resilientClients(h);
      const r = await contain({ clients, instanceIds: [WEB1], stateDir: tempStateDir() });
      h.sim.faults.reset();
      assert.equal(r.instances[0]!.status, 'contained');
      assert.ok(
        h.sim.world.calls.some((c) => c.errorCode === 'RequestLimitExceeded'),
        'the buckets did run dry',
      );
      clients.destroy();
    },
  );

  test(
    '30 % of calls throttled or 5xx, with latency spikes: contained, and restored exactly',
    { timeout: 120_000 },
    async () => {
      await h.sim.reset('demo');
      h.sim.faults.set({
        latency: { spikeProbability: 0.1, spikeMs: 150 },
        failRate: { rate: 0.3, seed: 7, codes: [{ code: 'throttle' }, { code: 'internal' }, { code: 'unavailable' }] },
      });
      const clients = resilientClients(h);
      const state = tempStateDir();
      const r = await contain({ clients, instanceIds: [WEB1], stateDir: state });
      assert.equal(r.instances[0]!.status, 'contained', JSON.stringify(r.instances[0]!.steps.filter((s) => s.error)));
      const failed = h.sim.world.calls.filter((c) => c.outcome === 'error' && !c.dryRun).length;
      assert.ok(failed >= 3, `faults were injected (${failed})`);
      assert.equal(await isolationGroupCount(h), 2);
      h.sim.world.clock.advance(301_000);
      await restore({ clients, instanceIds: [WEB1], stateDir: state });
      h.sim.faults.reset();
      const eni = h.sim.world.region('111122223333', 'us-east-1').ec2.networkInterfaces.get('eni-0c0ffee0000000001')!;
      assert.deepEqual(eni.groupIds, ['sg-0a1b2c3d4e5f60001', 'sg-0a1b2c3d4e5f60002']);
      clients.destroy();
    },
  );

  const lostAnswer = [
    'CreateSecurityGroup',
    'AuthorizeSecurityGroupIngress',
    'RevokeSecurityGroupEgress',
    'ModifyNetworkInterfaceAttribute',
    'CreateTags',
    'DetachInstances',
    'DisassociateIamInstanceProfile',
    'ModifyInstanceAttribute',
    'CreateSnapshots',
  ];
  for (const action of lostAnswer) {
    test(
      `a lost answer to ${action} (it took effect, the client saw a 500) is retried harmlessly`,
      { timeout: 120_000 },
      async () => {
        await h.sim.reset('demo');
        h.sim.faults.set({ failNth: [{ action, nth: 1, afterEffect: true, code: 'InternalError', status: 500 }] });
        const clients = resilientClients(h);
        const r = await contain({ clients, instanceIds: [WEB1], stateDir: tempStateDir() });
        h.sim.faults.reset();
        assert.equal(
          r.instances[0]!.status,
          'contained',
          `${action}: ${JSON.stringify(r.instances[0]!.steps.filter((s) => s.error))}`,
        );
        assert.ok(
          h.sim.world.calls.some((c) => c.action === action && c.errorCode === 'InternalError'),
          'the fault fired',
        );
        assert.equal(await isolationGroupCount(h), 2, 'no duplicate isolation group');
        const region = h.sim.world.region('111122223333', 'us-east-1');
        const open = [...region.ec2.securityGroups.values()].find((g) => g.tags[TAG.role] === 'isolation-open')!;
        assert.equal(open.rules.filter((x) => !x.isEgress).length, 2, 'all-open ingress rules once (IPv4 + IPv6)');
        // Two volumes: one crash-consistent set (2 snapshots) plus the AMI's own (2). CreateSnapshots has no
        // idempotency token: after its lost answer, cordon finds the set by its cordon:evidence-set tag instead of
        // taking a second one. Every snapshot carries the incident and the do-not-use marker.
        assert.equal(
          region.ec2.snapshots.size,
          4,
          'no repeated capture (a lost CreateSnapshots answer is looked up, not sent again)',
        );
        for (const snap of region.ec2.snapshots.values())
          assert.ok(snap.tags[TAG.incident] && snap.tags[TAG.doNotUse], `${snap.snapshotId} tagged`);
        assert.equal(region.ec2.images.size, 1, 'one AMI');
        clients.destroy();
      },
    );
  }
});
