// The fleet through the real CLI: selectors and a targets file, JSON with its fleet summary, plain progress lines
// off a terminal, status and restore of the same targets — and the fleet's bad inputs, each a clear error with a
// next step that changes nothing.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { mutations, tempStateDir } from '../helpers/cordon.js';
import { runCli } from '../helpers/cli.js';
import { fleetInstanceId } from '../../src/sim/scenarios/fleet.js';

const KEY = { AWS_ACCESS_KEY_ID: 'AKIAFLEETRESPONDER1' };

describe('cordon CLI on a fleet', () => {
  let h: SimHarness;
  const state = tempStateDir();
  let common: string[];
  before(async () => {
    h = await startHarness('fleet-12');
    common = ['--endpoint-url', h.endpoint, '--region', 'us-east-1', '--state-dir', state];
  });
  after(async () => h.close());

  async function refused(argv: string[], code: number, message: RegExp): Promise<void> {
    const seq0 = h.sim.world.calls.at(-1)?.seq ?? 0;
    const r = await runCli(argv, KEY);
    assert.equal(r.code, code, `exit code of ${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /→ /, 'the message says what to do next');
    assert.deepEqual(mutations(h.sim, seq0), [], 'nothing changed');
  }

  test('bad fleet inputs: each refused, with a next step, changing nothing', async () => {
    const file = join(state, 'bad-targets.txt');
    writeFileSync(file, `${fleetInstanceId(0)}\nnot-an-instance\n`);
    await refused(['contain', '--targets', file, '--yes', ...common], 2, /not an instance id .*line 2/);
    await refused(['contain', '--targets', join(state, 'missing.txt'), '--yes', ...common], 2, /cannot read --targets/);
    await refused(['contain', 'arn:aws:ec2:us-east-1:123:instance/i-1', '--yes', ...common], 2, /not an instance id/);
    await refused(
      ['contain', 'arn:aws:ec2:eu-west-1:999988887777:instance/i-0123456789abcdef0', '--yes', ...common],
      2,
      /account 999988887777[\s\S]*--role-name/,
    );
    await refused(
      ['contain', '--asg', 'no-such-group', '--yes', ...common],
      3,
      /no Auto Scaling group named no-such-group/,
    );
    await refused(['contain', '--tag', 'tier', '--yes', ...common], 2, /is not KEY=VALUE/);
    await refused(['contain', '--tag', 'tier=none', '--yes', ...common], 3, /no instance matches --tag tier=none/);
    await refused(['contain', '--yes', ...common], 2, /give at least one target/);
    await refused(['contain', fleetInstanceId(0), '--deadline', '5x', '--yes', ...common], 2, /not a duration/);
    await refused(
      ['contain', fleetInstanceId(0), '--rate-limits', '{"scale":0}', '--yes', ...common],
      2,
      /scale must be a positive number/,
    );
  });

  test('contain --tag … --targets FILE --output json: every instance contained, a fleet summary; status and restore by the same targets', async () => {
    await h.sim.reset('fleet-12');
    const file = join(state, 'targets.txt');
    // Two by id (one twice), the rest by tag: the union, each instance once.
    writeFileSync(file, `# incident scope\n${fleetInstanceId(0)}\n\n${fleetInstanceId(2)}\n${fleetInstanceId(0)}\n`);
    const r = await runCli(
      ['contain', '--targets', file, '--tag', 'tier=web', '--yes', '--no-evidence', '--output', 'json', ...common],
      KEY,
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const expected = [0, 2, 1, 3, 5, 7, 9, 11].map(fleetInstanceId).sort();
    assert.deepEqual(out.instances.map((i: { instanceId: string }) => i.instanceId).sort(), expected);
    assert.equal(out.fleet.contained, 8);
    assert.equal(out.fleet.workers.length, 1);
    assert.ok(
      out.instances.every(
        (i: { region: string; status: string }) => i.region === 'us-east-1' && i.status === 'contained',
      ),
    );
    assert.equal(typeof out.isolatedAfterMs, 'number');

    const st = await runCli(['status', '--targets', file, '--tag', 'tier=web', '--output', 'json', ...common], KEY);
    assert.equal(st.code, 0, st.stderr);
    assert.ok(JSON.parse(st.stdout).instances.every((i: { status: string }) => i.status === 'contained'));

    h.sim.world.clock.advance(301_000);
    const back = await runCli(
      ['restore', '--targets', file, '--tag', 'tier=web', '--yes', '--output', 'json', ...common],
      KEY,
    );
    assert.equal(back.code, 0, back.stderr);
    assert.equal(JSON.parse(back.stdout).instances.length, 8);
  });

  test('off a terminal, a fleet prints plain phase lines and a summary, not a line per step and instance', async () => {
    await h.sim.reset('fleet-12');
    const r = await runCli(['contain', '--tag', 'app=fleet', '--yes', '--no-evidence', ...common], KEY);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /isolation: 12\/12 instances/);
    assert.ok(!/untrack-connections running/.test(r.stderr), 'no per-step lines for a fleet');
    assert.match(r.stdout, /ALL 12 CONTAINED/);
    assert.match(r.stdout, /network isolation of the whole fleet reached after \d+ ms/);
  });
});
