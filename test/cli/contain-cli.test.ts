import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { mutations, tempStateDir } from '../helpers/cordon.js';
import { runCli } from '../helpers/cli.js';

const WEB1 = 'i-0c0ffee0000000001';

describe('cordon CLI against the simulator', () => {
  let h: SimHarness;
  const state = tempStateDir();
  let common: string[];
  before(async () => {
    h = await startHarness('demo');
    common = ['--endpoint-url', h.endpoint, '--region', 'us-east-1', '--state-dir', state];
  });
  after(async () => h.close());

  test('--help and --version', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    for (const cmd of ['sim', 'plan', 'contain', 'restore', 'prepare', 'status'])
      assert.match(help.stdout, new RegExp(`\\b${cmd}\\b`));
    const v = await runCli(['--version']);
    assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/);
  });

  test('contain without --yes off a terminal refuses and changes nothing', async () => {
    const seq0 = h.sim.world.calls.length;
    const r = await runCli(['contain', WEB1, ...common]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--yes/);
    assert.deepEqual(mutations(h.sim, seq0), []);
  });

  test('malformed id → exit 2, unknown id → exit 3, no region → exit 2; nothing changes', async () => {
    const seq0 = h.sim.world.calls.length;
    const bad = await runCli(['contain', 'i-nope', '--yes', ...common]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not an instance id/);
    const unknown = await runCli(['contain', 'i-0123456789abcdef0', '--yes', ...common, '--output', 'json']);
    assert.equal(unknown.code, 3);
    assert.equal(JSON.parse(unknown.stdout).error.code, 'instance-not-found');
    const noRegion = await runCli(['plan', WEB1, '--endpoint-url', h.endpoint], {
      AWS_REGION: '',
      AWS_DEFAULT_REGION: '',
    });
    assert.equal(noRegion.code, 2);
    assert.match(noRegion.stderr, /--region/);
    assert.deepEqual(mutations(h.sim, seq0), []);
  });

  test('plan --out, contain --plan --output json, status, restore', async () => {
    const planFile = `${state}/plan.json`;
    const p = await runCli(['plan', WEB1, '--out', planFile, ...common]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /untrack-connections/);
    assert.match(p.stdout, /critical path/);

    const c = await runCli(['contain', WEB1, '--plan', planFile, '--yes', '--output', 'json', ...common]);
    assert.equal(c.code, 0, c.stderr);
    const out = JSON.parse(c.stdout) as {
      instances: { instanceId: string; status: string; incident: string; steps: { id: string; status: string }[] }[];
    };
    assert.equal(out.instances[0]!.instanceId, WEB1);
    assert.equal(out.instances[0]!.status, 'contained');
    assert.ok(out.instances[0]!.incident);
    assert.ok(out.instances[0]!.steps.some((s) => s.id === 'isolate-security-groups' && s.status === 'done'));

    const s = await runCli(['status', WEB1, ...common]);
    assert.equal(s.code, 0);
    assert.match(s.stdout, new RegExp(`contained since .* by incident ${out.instances[0]!.incident}`));
    const incident = out.instances[0]!.incident;
    type Status = { status: string; journal?: { incident: string; state: string }; warnings: string[] };
    const statusJson = async (): Promise<Status> => {
      const r = await runCli(['status', WEB1, ...common, '--output', 'json']);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { instances: Status[] }).instances[0]!;
    };
    const agreed = await statusJson();
    assert.deepEqual([agreed.journal?.incident, agreed.journal?.state, agreed.warnings], [incident, 'contained', []]);

    // Someone with ec2:CreateTags marks the instance released: the journal says otherwise, and status says so.
    const tags = h.sim.world.region('111122223333', 'us-east-1').ec2.instances.get(WEB1)!.tags;
    const saved = { ...tags };
    tags['cordon:status'] = 'released';
    const forged = await statusJson();
    assert.equal(forged.status, 'released');
    assert.equal(forged.warnings.length, 1);
    assert.match(
      forged.warnings[0]!,
      new RegExp(`journal of incident ${incident} says contained .* tags say released`),
    );
    assert.match(forged.warnings[0]!, /`cordon contain i-0c0ffee0000000001` contains it again/);
    const text = await runCli(['status', WEB1, ...common]);
    assert.match(text.stdout, /! the journal of incident/);
    // Without the journal (another state dir) nothing is cross-checked, and nothing claimed.
    const elsewhere = await runCli(['status', WEB1, ...common, '--state-dir', tempStateDir(), '--output', 'json']);
    const e = (JSON.parse(elsewhere.stdout) as { instances: Status[] }).instances[0]!;
    assert.deepEqual([e.journal, e.warnings], [undefined, []]);
    for (const k of Object.keys(tags)) delete tags[k];
    Object.assign(tags, saved);

    const stale = await runCli(['contain', WEB1, '--plan', planFile, '--yes', ...common]);
    assert.equal(stale.code, 6, 'the saved plan no longer matches: stale');

    // web-1 left its Auto Scaling group and stays Detaching while its target group drains (300 s simulated).
    h.sim.world.clock.advance(301_000);
    const r = await runCli(['restore', WEB1, '--yes', ...common]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /RESTORED/);
    const after = await statusJson();
    assert.equal(after.status, 'released');
    assert.deepEqual([after.journal?.state, after.warnings], ['restored', []]);
  });

  test('no credentials or session tokens appear in any output', async () => {
    const secret = 'sim-secret-DO-NOT-PRINT-1234';
    const r = await runCli(['plan', WEB1, ...common, '--output', 'json'], {
      AWS_SECRET_ACCESS_KEY: secret,
      AWS_SESSION_TOKEN: 'TOKEN-DO-NOT-PRINT-5678',
    });
    assert.equal(r.code, 0);
    for (const text of [r.stdout, r.stderr]) {
      assert.ok(!text.includes(secret));
      assert.ok(!text.includes('TOKEN-DO-NOT-PRINT'));
    }
  });
});
