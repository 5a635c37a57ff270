// The fan-out worker against the simulator's multi-account scenario: ARNs in two accounts × two regions grouped into
// Map items, each item contained by a worker (the role assumed in the workload account), per-instance results out;
// plan mode and a missing role change nothing.

import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { mutations, tempStateDir } from '../helpers/cordon.js';
import { groupForFanOut, groupHandler, runWorker } from '../../src/lambda/worker.js';
import { parseTarget } from '../../src/core/targets.js';
import { TAG } from '../../src/core/tags.js';

const SECURITY = '111122223333';
const WORKLOAD = '444455556666';
const ARNS = [
  `arn:aws:ec2:us-east-1:${SECURITY}:instance/i-0aaa00000000000a1`,
  `arn:aws:ec2:eu-west-1:${SECURITY}:instance/i-0aaa00000000000e1`,
  `arn:aws:ec2:us-east-1:${WORKLOAD}:instance/i-0bbb00000000000a1`,
  `arn:aws:ec2:eu-west-1:${WORKLOAD}:instance/i-0bbb00000000000e1`,
];

function roles(h: SimHarness, arn: string): (string | undefined)[] {
  const t = parseTarget(arn);
  const r = h.sim.world.region(t.accountId!, t.region!);
  return r.ec2.instances
    .get(t.instanceId)!
    .networkInterfaceIds.flatMap((id) =>
      r.ec2.networkInterfaces.get(id)!.groupIds.map((g) => r.ec2.securityGroups.get(g)?.tags[TAG.role]),
    );
}

describe('fan-out worker', () => {
  let h: SimHarness;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    h = await startHarness('multi-account');
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIAMULTIPRIMARY001',
      AWS_SECRET_ACCESS_KEY: 'sim-secret',
      AWS_REGION: 'us-east-1',
    });
  });
  after(async () => h.close());
  beforeEach(async () => {
    await h.sim.reset('multi-account');
    env = {
      ...process.env,
      AWS_ENDPOINT_URL: h.endpoint,
      CORDON_STATE: tempStateDir(),
      CORDON_ROLE_NAME: 'cordon-responder',
    };
  });

  test('two accounts × two regions: grouped into four items, each contained by its worker, the role assumed in the other account', async () => {
    const items = groupForFanOut(ARNS, { options: { noEvidence: true } });
    assert.equal(items.length, 4);
    const outs = await Promise.all(items.map((i) => runWorker(i, { ...env, CORDON_MODE: 'contain' })));
    for (const [k, o] of outs.entries()) {
      assert.equal(o.error, undefined, JSON.stringify(o.error));
      assert.equal(o.ok, true);
      assert.equal(o.accountId, items[k]!.accountId);
      assert.equal(o.region, items[k]!.region);
      assert.deepEqual(
        o.instances.map((i) => [i.instanceId, i.status]),
        [[items[k]!.targets[0], 'contained']],
      );
      assert.ok(o.instances[0]!.bottomLine, 'what still gets through');
      assert.ok(JSON.stringify(o).length < 8_000, 'a small Map output');
    }
    for (const a of ARNS) assert.deepEqual(roles(h, a), ['isolation-empty'], a);
    // The workload account's instances were changed by the assumed role, not the security account's user.
    const assumed = h.sim.world.calls.filter((c) => c.action === 'AssumeRole' && c.outcome === 'ok');
    assert.ok(assumed.length >= 2);
    const changedThere = h.sim.world.calls.filter(
      (c) => c.accountId === WORKLOAD && c.action === 'ModifyNetworkInterfaceAttribute' && c.outcome === 'ok',
    );
    assert.ok(changedThere.length >= 4 && changedThere.every((c) => c.accessKeyId !== 'AKIAMULTIPRIMARY001'));

    // The same items again (a retried Map): deduped, nothing changed.
    const seq = h.sim.world.calls.at(-1)!.seq;
    const again = await Promise.all(items.map((i) => runWorker(i, { ...env, CORDON_MODE: 'contain' })));
    assert.ok(again.every((o) => o.ok && o.instances.every((i) => i.status === 'deduped')));
    assert.deepEqual(mutations(h.sim, seq), []);
  });

  test('plan mode (default): per-instance plans and what reaches them now; nothing changed in any account', async () => {
    const items = groupForFanOut(ARNS);
    const outs = await Promise.all(items.map((i) => runWorker(i, env)));
    assert.deepEqual(mutations(h.sim, 0), []);
    for (const o of outs) {
      assert.equal(o.mode, 'plan');
      assert.equal(o.instances[0]!.status, 'planned');
      assert.ok(o.instances[0]!.changes! > 0);
      assert.ok(o.instances[0]!.bottomLine);
    }
  });

  test('another account without a role name, or bad input: an error result naming it, nothing changed', async () => {
    const [, , workload] = groupForFanOut(ARNS);
    const noRole = await runWorker(workload, { ...env, CORDON_ROLE_NAME: '', CORDON_MODE: 'contain' });
    assert.equal(noRole.ok, false);
    assert.equal(noRole.error?.code, 'no-role');
    assert.equal(noRole.accountId, WORKLOAD);
    const bad = await runWorker({ accountId: WORKLOAD, region: 'us-east-1', targets: [ARNS[0]] }, env);
    assert.equal(bad.error?.code, 'bad-input');
    assert.match(bad.error!.message, /is not in account 444455556666, region us-east-1; nothing was changed/);
    const empty = await runWorker(null, env);
    assert.equal(empty.error?.code, 'bad-input');
    assert.deepEqual(mutations(h.sim, 0), []);
  });

  test('groupHandler: the first state — plain ids take the function’s own account and region', async () => {
    const out = await groupHandler(
      { targets: ['i-0aaa00000000000a1', ARNS[3]] },
      { invokedFunctionArn: `arn:aws:lambda:us-east-1:${SECURITY}:function:cordon-group` },
    );
    assert.deepEqual(
      out.items.map((i) => [i.accountId, i.region, i.targets]),
      [
        [SECURITY, 'us-east-1', ['i-0aaa00000000000a1']],
        [WORKLOAD, 'eu-west-1', ['i-0bbb00000000000e1']],
      ],
    );
    const bad = await groupHandler({ targets: 'i-0aaa00000000000a1' });
    assert.deepEqual(bad.items, []);
    assert.equal(bad.error?.code, 'bad-input');
  });
});
