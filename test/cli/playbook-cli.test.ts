// The playbook flags on the command line: the plan shows each step and what the flags change; bad combinations
// exit 2 and change nothing.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { mutations, tempStateDir } from '../helpers/cordon.js';
import { runCli } from '../helpers/cli.js';
import { WEB1 } from '../helpers/playbook.js';

describe('cordon plan / contain playbook flags', () => {
  let h: SimHarness;
  const state = tempStateDir();
  let common: string[];
  before(async () => {
    h = await startHarness('demo');
    common = ['--endpoint-url', h.endpoint, '--region', 'us-east-1', '--state-dir', state];
  });
  after(async () => h.close());

  test('the plan shows every playbook step, and what --asg-decrement and --revoke-sessions add', async () => {
    const p = await runCli(['plan', WEB1, ...common]);
    assert.equal(p.code, 0, p.stderr);
    for (const step of [
      'asg-detach',
      'iam-disassociate-profile',
      'imds-disable',
      'preserve-termination-protection',
      'preserve-volumes',
      'evidence-snapshots',
      'evidence-image',
      'evidence-console',
      'evidence-descriptions',
    ]) {
      assert.match(p.stdout, new RegExp(`\\b${step}\\b`), step);
    }
    assert.match(p.stdout, /keeping capacity: a replacement launches/);
    assert.doesNotMatch(p.stdout, /iam-revoke-sessions/);

    const d = await runCli([
      'plan',
      WEB1,
      '--asg-decrement',
      '--revoke-sessions',
      '--no-image',
      ...common,
      '--output',
      'json',
    ]);
    assert.equal(d.code, 0, d.stderr);
    const plan = JSON.parse(d.stdout).plan as {
      changes: { stepId: string; summary: string }[];
      options: { playbook: Record<string, unknown> };
    };
    assert.match(plan.changes.find((c) => c.stepId === 'asg-detach')!.summary, /MinSize 2 → 1/);
    assert.ok(plan.changes.some((c) => c.stepId === 'iam-revoke-sessions'));
    assert.ok(!plan.changes.some((c) => c.stepId === 'evidence-image'));
    assert.equal(plan.options.playbook.asgDecrement, true);

    const off = await runCli([
      'plan',
      WEB1,
      '--no-asg',
      '--no-elb',
      '--keep-profile',
      '--keep-imds',
      '--no-preserve',
      '--no-evidence',
      ...common,
      '--output',
      'json',
    ]);
    assert.equal(off.code, 0, off.stderr);
    const steps = new Set((JSON.parse(off.stdout).plan.changes as { stepId: string }[]).map((c) => c.stepId));
    for (const s of [
      'asg-detach',
      'elb-deregister',
      'iam-disassociate-profile',
      'imds-disable',
      'preserve-volumes',
      'evidence-snapshots',
    ])
      assert.ok(!steps.has(s), s);
    assert.match(JSON.parse(off.stdout).plan.warnings.join('\n'), /--no-asg/);
  });

  test('bad flag combinations exit 2 with a message and change nothing', async () => {
    const seq0 = h.sim.world.calls.length;
    const cases: [string[], RegExp][] = [
      [['--revoke-sessions', '--revoke-scope', 'account'], /--revoke-scope must be "instance" or "role"/],
      [['--revoke-scope', 'role'], /--revoke-scope needs --revoke-sessions/],
      [['--asg-standby', '--no-asg'], /exclude each other/],
      [['--wait-timeout', '60'], /--wait-timeout needs --wait/],
      [['--wait', '--wait-timeout', 'soon'], /whole number of seconds/],
      [['--wait', '--no-evidence'], /nothing to wait for/],
    ];
    for (const [flags, message] of cases) {
      const r = await runCli(['contain', WEB1, '--yes', ...flags, ...common]);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.deepEqual(mutations(h.sim, seq0), []);
  });
});
