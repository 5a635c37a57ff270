// Evidence capture: a crash-consistent snapshot set and a NoReboot AMI (tagged with the incident and do-not-use),
// console output and screenshot, descriptions — all after the isolation ended (call-log seq numbers) — in a folder
// whose manifest verifies, detects a tampered / missing / unlisted file and a rewritten manifest; waiting for
// completion; an idempotent re-run.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { DescribeSnapshotsCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { cordonClients, tempStateDir } from '../helpers/cordon.js';
import { WEB1, isolationEndSeq, lastSeq, okCalls } from '../helpers/playbook.js';
import { runCli } from '../helpers/cli.js';
import { contain } from '../../src/engine/contain.js';
import { verifyEvidence, type Manifest } from '../../src/engine/evidence.js';
import type { EngineEvent } from '../../src/engine/engine.js';

const EVIDENCE_ACTIONS = ['CreateSnapshots', 'CreateImage', 'GetConsoleOutput', 'GetConsoleScreenshot'];

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

describe("evidence capture on the demo's web-1", () => {
  let h: SimHarness;
  const stateDir = tempStateDir();
  const incident = 'ir-evidence-1';
  const dir = join(stateDir, 'evidence', incident, WEB1);
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test('captures every artefact after isolation, tagged, listed with hash, size, source call and request id', async () => {
    const clients = cordonClients(h.sim);
    const seq0 = lastSeq(h.sim);
    const r = await contain({ clients, instanceIds: [WEB1], stateDir, incident });
    assert.equal(r.instances[0]!.status, 'contained');
    const calls = okCalls(h.sim, seq0);

    // Order: every capture call completed after the last swap onto the empty group.
    const isolated = await isolationEndSeq(h, seq0);
    for (const a of EVIDENCE_ACTIONS) {
      const c = calls.filter((x) => x.action === a);
      assert.equal(c.length, 1, `${a} once`);
      assert.ok(c[0]!.seq > isolated, `${a} (seq ${c[0]!.seq}) after the isolation (seq ${isolated})`);
    }
    assert.equal(calls.find((c) => c.action === 'CreateImage')!.params.NoReboot, 'true');
    assert.ok(
      !h.sim.world.region('111122223333', 'us-east-1').ec2.instances.get(WEB1)!.consoleOutput.includes('reboot'),
      'the instance was not rebooted',
    );

    // One crash-consistent set: both volumes from one CreateSnapshots call, tagged with the incident and do-not-use.
    const snaps = (
      await h.ec2.send(
        new DescribeSnapshotsCommand({
          Filters: [
            { Name: 'tag:cordon:incident', Values: [incident] },
            { Name: 'description', Values: [`cordon evidence ${incident}: ${WEB1}, crash-consistent set`] },
          ],
        }),
      )
    ).Snapshots!;
    assert.deepEqual(snaps.map((s) => s.VolumeId).sort(), ['vol-0c0ffee0000000001', 'vol-0c0ffee0000000002']);
    assert.equal(new Set(snaps.map((s) => s.StartTime!.toISOString())).size, 1, 'one instant for the whole set');
    for (const s of snaps) {
      const tags = Object.fromEntries(s.Tags!.map((t) => [t.Key, t.Value]));
      assert.equal(tags['cordon:incident'], incident);
      assert.equal(tags['cordon:do-not-use'], 'true');
    }
    const images = (
      await h.ec2.send(
        new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:cordon:incident', Values: [incident] }] }),
      )
    ).Images!;
    assert.equal(images.length, 1);
    assert.equal(Object.fromEntries(images[0]!.Tags!.map((t) => [t.Key, t.Value]))['cordon:do-not-use'], 'true');

    // The folder and its manifest: each file's hash and size, the call it came from and that call's request id.
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    const files = Object.fromEntries(m.artefacts.map((a) => [a.file, a]));
    assert.deepEqual(Object.keys(files).sort(), [
      'console-output.txt',
      'console-screenshot.png',
      'facts-before.json',
      'image.json',
      'instance.json',
      'network-interfaces.json',
      'snapshots.json',
      'volumes.json',
    ]);
    for (const a of m.artefacts) {
      const bytes = readFileSync(join(dir, a.file));
      assert.equal(a.sha256, sha(bytes), a.file);
      assert.equal(a.size, bytes.length, a.file);
      assert.ok(!Number.isNaN(Date.parse(a.time)), a.file);
      if (a.source.startsWith('ec2:')) {
        const logged = h.sim.world.calls.find((c) => c.requestId === a.requestId);
        assert.equal(
          logged && `ec2:${logged.action}`,
          a.source,
          `${a.file}: request id ${a.requestId} is the ${a.source} call`,
        );
      }
    }
    assert.match(readFileSync(join(dir, 'console-output.txt'), 'utf8'), /kdevtmpfsi/);
    assert.deepEqual(
      [...readFileSync(join(dir, 'console-screenshot.png')).subarray(0, 8)],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    );
    assert.deepEqual(
      m.remote.map((x) => `${x.type}:${x.id}`).sort(),
      [...snaps.map((s) => `snapshot:${s.SnapshotId}`), `image:${images[0]!.ImageId}`].sort(),
    );

    // sha256sum -c style check without cordon.
    const check = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir, encoding: 'utf8' });
    if (check.error === undefined) assert.equal(check.status, 0, check.stdout + check.stderr);

    // Idempotent re-run: nothing captured twice.
    const seq1 = lastSeq(h.sim);
    await contain({ clients, instanceIds: [WEB1], stateDir, incident });
    assert.deepEqual(
      okCalls(h.sim, seq1).filter((c) => EVIDENCE_ACTIONS.includes(c.action)),
      [],
    );
    clients.destroy();
  });

  test('verify passes, then names a tampered, a missing and an unlisted file and a rewritten manifest (CLI exits non-zero)', async () => {
    assert.ok(existsSync(dir));
    const ok = verifyEvidence(stateDir, incident);
    assert.equal(ok.ok, true, JSON.stringify(ok.problems));
    const cli = await runCli(['evidence', 'verify', incident, '--state-dir', stateDir]);
    assert.equal(cli.code, 0, cli.stderr);

    appendFileSync(join(dir, 'console-output.txt'), 'tampered\n');
    rmSync(join(dir, 'volumes.json'));
    writeFileSync(join(dir, 'notes.txt'), 'planted');
    const bad = verifyEvidence(stateDir, incident);
    assert.equal(bad.ok, false);
    assert.deepEqual(bad.problems.map((p) => `${p.file}:${p.problem}`).sort(), [
      'console-output.txt:hash-mismatch',
      'notes.txt:unlisted',
      'volumes.json:missing',
    ]);
    const cliBad = await runCli(['evidence', 'verify', incident, '--state-dir', stateDir, '--output', 'json']);
    assert.equal(cliBad.code, 5);
    assert.equal(JSON.parse(cliBad.stdout).problems.length, 3);

    // Rewriting the manifest to match the tampered file is noticed against the journal.
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    m.artefacts = m.artefacts.map((a) =>
      a.file === 'console-output.txt'
        ? { ...a, sha256: sha(readFileSync(join(dir, a.file))), size: readFileSync(join(dir, a.file)).length }
        : a,
    );
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m, null, 2));
    const forged = verifyEvidence(stateDir, incident);
    assert.ok(forged.problems.some((p) => p.problem === 'manifest-changed'));
    assert.ok(!forged.problems.some((p) => p.problem === 'hash-mismatch'));

    const none = await runCli(['evidence', 'verify', 'ir-no-such-incident', '--state-dir', stateDir]);
    assert.equal(none.code, 3);
  });
});

describe('waiting for snapshots and the AMI', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test('--wait polls with the SDK waiters until completed, reports progress, and records the final states', async () => {
    const clients = cordonClients(h.sim);
    const stateDir = tempStateDir();
    const events: EngineEvent[] = [];
    // Simulated time runs on once the capture calls are made (a 100 GiB volume takes ~17 simulated minutes).
    const timer = setInterval(() => {
      if (h.sim.world.calls.some((c) => c.action === 'CreateImage' && c.outcome === 'ok' && !c.dryRun))
        h.sim.world.clock.advance(3_600_000);
    }, 20);
    try {
      const r = await contain({
        clients,
        instanceIds: [WEB1],
        stateDir,
        incident: 'ir-wait',
        playbook: { wait: true, waitPollSeconds: 0.05, waitTimeoutSeconds: 60 },
        onEvent: (e) => events.push(e),
      });
      assert.equal(r.instances[0]!.status, 'contained');
      assert.deepEqual(r.instances[0]!.warnings, []);
    } finally {
      clearInterval(timer);
    }
    const m = JSON.parse(
      readFileSync(join(stateDir, 'evidence', 'ir-wait', WEB1, 'manifest.json'), 'utf8'),
    ) as Manifest;
    assert.deepEqual(m.remote.map((x) => `${x.type}:${x.state}`).sort(), [
      'image:available',
      'snapshot:completed',
      'snapshot:completed',
    ]);
    const progress = events.filter((e) => e.type === 'progress').map((e) => (e as { message: string }).message);
    assert.ok(progress.some((p) => /waiting for 2 snapshot/.test(p)));
    assert.ok(progress.some((p) => /AMI ami-\S+ available/.test(p)));
    assert.ok(verifyEvidence(stateDir, 'ir-wait').ok);
    clients.destroy();
  });
});
