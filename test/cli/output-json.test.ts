// `--output json` on every command: stdout is one JSON document (text, progress and warnings go to stderr), through
// a whole incident on the simulator — iam-policy, prepare, plan, contain, status, verify, audit, evidence verify,
// journal verify, restore — and lab; an error is a JSON document too. (`sim --output json` prints one JSON line and
// keeps running: test/cli/sim.test.ts.)

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { tempStateDir } from '../helpers/cordon.js';
import { runCli } from '../helpers/cli.js';

const WEB1 = 'i-0c0ffee0000000001';

/** Runs `cordon <args> --output json`, checks the exit code and that stdout is exactly one JSON document. */
async function json(args: string[], codes: number[] = [0]): Promise<Record<string, unknown>> {
  const r = await runCli([...args, '--output', 'json']);
  assert.ok(codes.includes(r.code ?? -1), `cordon ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  let doc: unknown;
  assert.doesNotThrow(() => (doc = JSON.parse(r.stdout)), `cordon ${args.join(' ')}: stdout is not one JSON document`);
  assert.equal(typeof doc, 'object');
  return doc as Record<string, unknown>;
}

describe('--output json on every command', () => {
  let h: SimHarness;
  const state = tempStateDir();
  let aws: string[];
  let incident: string;
  before(async () => {
    h = await startHarness('demo');
    aws = ['--endpoint-url', h.endpoint, '--region', 'us-east-1', '--state-dir', state];
  });
  after(async () => h.close());

  test('iam-policy', async () => {
    const p = await json(['iam-policy']);
    assert.equal(p.Version, '2012-10-17');
    assert.ok(Array.isArray(p.Statement));
  });

  test('prepare, plan, contain, status, verify, audit', async () => {
    const prepared = await json(['prepare', '--vpc', 'vpc-0a1b2c3d4e5f60001', ...aws]);
    assert.ok(Array.isArray(prepared.vpcs));
    const plan = await json(['plan', WEB1, ...aws]);
    assert.ok((plan.plan as { changes: unknown[] }).changes.length > 0);
    const contained = await json(['contain', WEB1, '--yes', ...aws]);
    incident = contained.incident as string;
    assert.match(incident, /^ir-/);
    const status = await json(['status', WEB1, ...aws]);
    assert.equal((status.instances as unknown[]).length, 1);
    const verified = await json(['verify', WEB1, '--after-swap', ...aws], [0, 5]);
    assert.ok(verified);
    const audit = await json(['audit', ...aws], [0, 5]);
    assert.ok(Array.isArray(audit.findings));
  });

  test('evidence verify, journal verify (offline)', async () => {
    assert.ok(incident, 'contained first');
    const evidence = await json(['evidence', 'verify', incident, '--state-dir', state]);
    assert.equal(evidence.ok, true);
    const journal = await json(['journal', 'verify', incident, '--state-dir', state]);
    assert.equal(journal.ok, true);
  });

  test('restore', async () => {
    // web-1 left its Auto Scaling group and stays Detaching while its target group drains (300 s simulated).
    h.sim.world.clock.advance(301_000);
    const r = await json(['restore', WEB1, '--yes', ...aws]);
    assert.equal((r.instances as { status: string }[])[0]!.status, 'restored');
  });

  test('lab', async () => {
    const r = await json(['lab', '--latency-ms', '0', '--state-dir', tempStateDir()]);
    assert.equal(r.scenario, 'demo');
    assert.ok(Array.isArray(r.flowsAfter));
  });

  test('an error is a JSON document too', async () => {
    const r = await json(['contain', 'i-12', '--yes', ...aws], [2]);
    assert.equal((r.error as { exitCode: number }).exitCode, 2);
  });
});
