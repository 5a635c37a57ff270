// `cordon iam-policy` is enforced by the simulator for an access key: the full containment (and restore) succeeds
// with exactly that policy, and removing any one EC2 action the containment uses makes `plan`'s DryRun preflight
// name exactly that action.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { cordonClients, tempStateDir } from '../helpers/cordon.js';
import { leastPrivilegePolicy } from '../../src/engine/iam-policy.js';
import { contain, planContainment } from '../../src/engine/contain.js';
import { restore } from '../../src/engine/restore.js';
import { runCli } from '../helpers/cli.js';

const WEB1 = 'i-0c0ffee0000000001';
const KEY = 'AKIALEASTPRIVILEGE01';
const demo = JSON.parse(readFileSync(new URL('../../src/sim/scenarios/demo.json', import.meta.url), 'utf8')) as {
  accounts: { credentials: unknown[] }[];
};

function scenarioAllowing(actions: string[]): Record<string, unknown> {
  const s = structuredClone(demo);
  s.accounts[0]!.credentials = [
    ...s.accounts[0]!.credentials,
    { accessKeyId: KEY, user: 'least-privilege', allow: actions },
  ];
  return s as unknown as Record<string, unknown>;
}

const policy = leastPrivilegePolicy({ options: { incident: 'x', lowerConntrack: true } });
const all = policy.Statement.flatMap((s) => s.Action);
/** Used only by restore (never by containment), so containment's preflight cannot name them. */
const RESTORE_ONLY = new Set(['ec2:DeleteTags', 'ec2:AssociateIamInstanceProfile']);
/** EC2 actions without a DryRun parameter (the IAM instance-profile association calls): no preflight can check them. */
const NO_DRYRUN = new Set(['ec2:DisassociateIamInstanceProfile']);
const EC2_CHANGES = [...new Set(policy.Statement.slice(1).flatMap((s) => s.Action))].filter(
  (a) => a.startsWith('ec2:') && !RESTORE_ONLY.has(a) && !NO_DRYRUN.has(a),
);

describe('least-privilege policy', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness(scenarioAllowing(all));
  });
  after(async () => h.close());

  test('the CLI prints the same policy the library derives', async () => {
    const r = await runCli(['iam-policy']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), policy);
    const subnet = await runCli(['iam-policy', '--layers', 'subnet']);
    const actions = (JSON.parse(subnet.stdout) as typeof policy).Statement.flatMap((s) => s.Action);
    assert.ok(actions.includes('ec2:CreateNetworkAcl') && actions.includes('ec2:DescribeNetworkAcls'));
    assert.ok(!all.includes('ec2:CreateNetworkAcl'), 'the sg-only policy does not grant NACL changes');
  });

  test('containment and restore succeed with exactly the policy', async () => {
    const clients = cordonClients(h.sim, { accessKeyId: KEY });
    const state = tempStateDir();
    const plan = await planContainment({ clients, instanceIds: [WEB1], stateDir: state });
    assert.deepEqual(plan.missingPermissions, []);
    const r = await contain({ clients, instanceIds: [WEB1], stateDir: state });
    assert.equal(r.instances[0]!.status, 'contained', JSON.stringify(r.instances[0]!.steps.filter((s) => s.error)));
    const denied = h.sim.world.calls.filter(
      (c) =>
        c.accessKeyId === KEY &&
        (c.errorCode === 'UnauthorizedOperation' || c.errorCode === 'AccessDenied') &&
        !c.dryRun,
    );
    assert.deepEqual(
      denied.map((c) => c.action),
      [],
    );
    h.sim.world.clock.advance(301_000);
    await restore({ clients, instanceIds: [WEB1], stateDir: state });
    // The simulator does not evaluate IAM conditions: check the aws:TagKeys condition against every tag key cordon
    // actually wrote or removed in this containment and restore.
    const own = policy.Statement.find((s) => s.Sid === 'CordonOwnTagsOnly')!;
    assert.deepEqual(own.Action, ['ec2:CreateTags', 'ec2:DeleteTags']);
    const patterns = own.Condition!['ForAllValues:StringLike']!['aws:TagKeys']!;
    const allowed = (k: string) => patterns.some((p) => (p.endsWith('*') ? k.startsWith(p.slice(0, -1)) : k === p));
    const keys = new Set(
      h.sim.world.calls
        .filter((c) => c.accessKeyId === KEY && (c.action === 'CreateTags' || c.action === 'DeleteTags') && !c.dryRun)
        .flatMap((c) => ((c.params as { Tag?: { Key: string }[] }).Tag ?? []).map((t) => t.Key)),
    );
    assert.ok(keys.size >= 5, `cordon wrote tags: ${[...keys].join(', ')}`);
    assert.deepEqual(
      [...keys].filter((k) => !allowed(k)),
      [],
      'every tag key cordon writes is within the condition',
    );
    assert.ok(!policy.Statement[1]!.Action.includes('ec2:CreateTags'), 'tagging is granted only with the condition');
    clients.destroy();
  });

  test('removing any one EC2 action makes plan name exactly that action', { timeout: 300_000 }, async () => {
    assert.ok(
      EC2_CHANGES.length >= 8,
      `expected the containment to use many EC2 actions, got ${EC2_CHANGES.join(', ')}`,
    );
    for (const action of EC2_CHANGES) {
      await h.sim.reset(scenarioAllowing(all.filter((a) => a !== action)));
      const clients = cordonClients(h.sim, { accessKeyId: KEY });
      const plan = await planContainment({ clients, instanceIds: [WEB1], stateDir: tempStateDir() });
      assert.deepEqual([...new Set(plan.missingPermissions.map((m) => m.action))], [action], `without ${action}`);
      clients.destroy();
    }
  });
});
