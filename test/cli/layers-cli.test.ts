// The layer flags through the real CLI (child process): presets, the blast radius in text and JSON, the refusal off
// a terminal without --accept-blast-radius, bad input (exit 2, nothing changed), contain and restore.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { mutations, tempStateDir } from '../helpers/cordon.js';
import { runCli } from '../helpers/cli.js';
import { instanceId, layersScenario, userNetworkSnapshot } from '../helpers/layers.js';

describe('cordon plan/contain --layers', () => {
  let h: SimHarness;
  let common: string[];
  let box: string;
  before(async () => {
    h = await startHarness(layersScenario());
    common = ['--endpoint-url', h.endpoint, '--region', 'us-east-1', '--state-dir', tempStateDir()];
    box = instanceId(h, 'box');
  });
  after(async () => h.close());

  test('bad layer input: exit 2 with a hint, nothing changed', async () => {
    const seq0 = h.sim.world.calls.length;
    for (const [args, pattern] of [
      [['--layers', 'sg,firewall'], /unknown layer "firewall"/],
      [['--layers', 'sg', '--nacl-mode', 'top'], /--nacl-mode needs the nacl layer/],
      [['--layers', 'subnet', '--nacl-mode', 'sideways'], /--nacl-mode must be top or dedicated/],
      [['--layers', 'subnet', '--allow-cidr', '0.0.0.0/0'], /would let everything through/],
      [['--layers', 'subnet', '--allow-cidr', '10.99.0.0/33'], /is not a CIDR/],
    ] as const) {
      const r = await runCli(['contain', box, '--yes', ...args, ...common]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    }
    assert.deepEqual(mutations(h.sim, seq0), []);
  });

  test('plan shows the blast radius (text and JSON) and changes nothing', async () => {
    const seq0 = h.sim.world.calls.length;
    const text = await runCli(['plan', box, '--layers', 'edge', ...common]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /blast radius: 5 other network interface\(s\) lose connectivity too/);
    assert.match(text.stdout, /lambda .*AWS Lambda VPC ENI-fn-1.*\[nacl, route\]/);
    assert.match(text.stdout, /associate-isolation-nacl/);
    assert.match(text.stdout, /associate-route-table/);
    const json = await runCli(['plan', box, '--layers', 'edge', '--output', 'json', ...common]);
    assert.equal(json.code, 0, json.stderr);
    const plan = JSON.parse(json.stdout).plan;
    assert.deepEqual(plan.options.layers, ['sg', 'nacl', 'route']);
    assert.equal(plan.blastRadius.enis.length, 5);
    assert.deepEqual(mutations(h.sim, seq0), []);
  });

  test('contain off a terminal refuses without --accept-blast-radius (--yes is not consent); with it, contains; restore', async () => {
    const snapshot = await userNetworkSnapshot(h);
    const seq0 = h.sim.world.calls.length;
    const refused = await runCli(['contain', box, '--layers', 'subnet', '--yes', ...common]);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /--accept-blast-radius/);
    assert.deepEqual(mutations(h.sim, seq0), []);

    const ok = await runCli([
      'contain',
      box,
      '--layers',
      'subnet',
      '--yes',
      '--accept-blast-radius',
      '--output',
      'json',
      ...common,
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const out = JSON.parse(ok.stdout);
    assert.equal(out.instances[0].status, 'contained');
    assert.deepEqual(
      out.instances[0].layers.map((l: { layer: string; isolated: boolean }) => [l.layer, l.isolated]),
      [['nacl', true]],
    );

    const status = await runCli(['status', box, '--output', 'json', ...common]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /"sg"[\s\S]*"nacl"/);

    const back = await runCli(['restore', box, '--yes', ...common]);
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(await userNetworkSnapshot(h), snapshot);
  });
});
