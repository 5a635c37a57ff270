// The S3 state store (`--state s3://bucket/prefix`) against the simulator's S3: the journal and evidence land in S3,
// every write-ahead record is stored there before the change it protects (read from the simulator's call log), a
// restore from another machine (an empty working copy) restores exactly from S3, `journal verify` and
// `evidence verify` read S3, and a state bucket that cannot be written makes containment refuse with nothing changed.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { cordonClients, mutations, tempStateDir } from '../helpers/cordon.js';
import { runCli } from '../helpers/cli.js';
import { WEB1 } from '../helpers/playbook.js';
import { contain } from '../../src/engine/contain.js';
import { restore } from '../../src/engine/restore.js';
import { CordonError, EXIT } from '../../src/core/errors.js';

const ACCOUNT = '111122223333';
const BUCKET = 'cordon-state';
const STATE = `s3://${BUCKET}/responder`;
const ORIGINAL: Record<string, string[]> = {
  'eni-0c0ffee0000000001': ['sg-0a1b2c3d4e5f60001', 'sg-0a1b2c3d4e5f60002'],
  'eni-0c0ffee0000000002': ['sg-0a1b2c3d4e5f60003'],
};

function groupsOf(h: SimHarness, eni: string): string[] {
  return [...h.sim.world.region(ACCOUNT, 'us-east-1').ec2.networkInterfaces.get(eni)!.groupIds].sort();
}

describe('state in S3', () => {
  let h: SimHarness;
  let s3: S3Client;
  before(async () => {
    h = await startHarness('demo');
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint: h.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIADEMORESPONDER01', secretAccessKey: 'sim-secret' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  after(async () => {
    s3.destroy();
    await h.close();
  });

  const keys = async (prefix: string): Promise<string[]> =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);

  test('contain writes ahead to S3; another machine restores exactly from S3; verify commands read S3', async () => {
    const clients = cordonClients(h.sim);
    const seq0 = h.sim.world.calls.at(-1)!.seq;
    const r = await contain({
      clients,
      instanceIds: [WEB1],
      stateDir: tempStateDir(),
      stateStore: STATE,
      incident: 'ir-s3-1',
      playbook: { asg: 'skip' },
    });
    assert.equal(r.instances[0]!.status, 'contained', JSON.stringify(r.instances[0]!.warnings));
    assert.equal(r.state, STATE);
    assert.ok(
      r.instances[0]!.warnings.every((w) => !/not confirmed|not uploaded/.test(w)),
      r.instances[0]!.warnings.join(' | '),
    );

    // Write-ahead: the first journal segment (the plan and every original) is stored before the first change.
    const calls = h.sim.world.calls.filter((c) => c.seq > seq0 && !c.dryRun && c.outcome === 'ok');
    const firstSegment = calls.find(
      (c) => c.action === 'PutObject' && JSON.stringify(c.params).includes('ir-s3-1/journal/0000000001-'),
    );
    assert.ok(firstSegment, 'the first journal segment went to S3');
    const firstChange = calls.find(
      (c) => /^(Create|Modify|Authorize|Revoke)/.test(c.action) && c.action !== 'CreateTags',
    );
    assert.ok(firstChange && firstSegment.seq < firstChange.seq, 'the journal is in S3 before the first change');

    const journal = await keys('responder/ir-s3-1/journal/');
    assert.ok(journal.length >= 1);
    const evidence = await keys(`responder/ir-s3-1/evidence/${WEB1}/`);
    for (const f of ['manifest.json', 'SHA256SUMS'])
      assert.ok(evidence.includes(`responder/ir-s3-1/evidence/${WEB1}/${f}`), `${f} in S3: ${evidence.join(', ')}`);
    assert.ok((await keys('responder/ir-s3-1/records/')).length >= 1, 'the run records are in S3');

    // Offline checks read S3 (into a fresh working copy).
    const cliS3 = [
      '--state',
      STATE,
      '--endpoint-url',
      h.endpoint,
      '--region',
      'us-east-1',
      '--state-dir',
      tempStateDir(),
    ];
    const jv = await runCli(['journal', 'verify', 'ir-s3-1', ...cliS3]);
    assert.equal(jv.code, 0, jv.stdout + jv.stderr);
    assert.match(jv.stdout, /every line is chained/);
    const ev = await runCli(['evidence', 'verify', 'ir-s3-1', ...cliS3]);
    assert.equal(ev.code, 0, ev.stdout + ev.stderr);
    // The report of an incident contained elsewhere (e.g. by the Lambda): built from S3's journal, records, evidence.
    const reportDir = tempStateDir();
    const rep = await runCli([
      'report',
      'ir-s3-1',
      ...cliS3.slice(0, -1),
      reportDir,
      '--out',
      `${reportDir}/r.html`,
      '--output',
      'json',
    ]);
    assert.equal(rep.code, 0, rep.stdout + rep.stderr);
    const model = JSON.parse(rep.stdout) as {
      out: string;
      runs: { kind: string; instances: { instanceId: string; status: string }[] }[];
      evidence: { checked: boolean; problems: unknown[] };
    };
    assert.equal(model.out, `${reportDir}/r.html`);
    assert.deepEqual(
      model.runs.map((x) => [x.kind, x.instances.map((i) => [i.instanceId, i.status])]),
      [['contain', [[WEB1, 'contained']]]],
    );
    assert.deepEqual([model.evidence.checked, model.evidence.problems], [true, []]);
    // A path-like id is refused before any S3 read; a store that cannot be read keeps its own error and exit code.
    const seqBefore = h.sim.world.calls.length;
    const dots = await runCli(['report', '..', ...cliS3]);
    assert.equal(dots.code, EXIT.usage, dots.stderr);
    assert.match(dots.stderr, /is not an incident id/);
    assert.equal(h.sim.world.calls.length, seqBefore, 'no call for a refused id');
    const gone = await runCli([
      'journal',
      'verify',
      'ir-s3-1',
      '--state',
      's3://no-such-bucket/x',
      ...cliS3.slice(2),
      '--output',
      'json',
    ]);
    assert.equal(gone.code, EXIT.unreachable, gone.stdout + gone.stderr);
    assert.equal((JSON.parse(gone.stdout) as { error: { code: string } }).error.code, 'state-unreachable');

    // Another machine: an empty working copy. The originals come from S3's journal and the tags, and agree.
    h.sim.world.clock.advance(301_000);
    const back = await restore({ clients, instanceIds: [WEB1], stateDir: tempStateDir(), stateStore: STATE });
    assert.ok(
      back.plan.instances[0]!.items.some((x) => x.source === 'tags+journal'),
      'cross-checked against the journal from S3',
    );
    assert.deepEqual(back.plan.warnings, [], 'no "tags alone" warning: the journal came from S3');
    for (const [eni, groups] of Object.entries(ORIGINAL)) assert.deepEqual(groupsOf(h, eni), [...groups].sort());
    // The restore's own records went to S3 too, chained on.
    const after = await keys('responder/ir-s3-1/journal/');
    assert.ok(after.length > journal.length, 'restore appended segments');
    const jv2 = await runCli(['journal', 'verify', 'ir-s3-1', ...cliS3.slice(0, -1), tempStateDir()]);
    assert.equal(jv2.code, 0, jv2.stdout + jv2.stderr);
    clients.destroy();
  });

  test('a state bucket that cannot be written: containment refuses before any change', async () => {
    await h.sim.reset('demo');
    const clients = cordonClients(h.sim);
    const seq0 = h.sim.world.calls.at(-1)?.seq ?? 0;
    await assert.rejects(
      contain({
        clients,
        instanceIds: [WEB1],
        stateDir: tempStateDir(),
        stateStore: 's3://no-such-bucket/x',
        playbook: { asg: 'skip' },
      }),
      (e: unknown) => e instanceof CordonError && e.exitCode === EXIT.unreachable,
    );
    assert.deepEqual(mutations(h.sim, seq0), [], 'nothing was changed');
    // The bucket is there and readable, but the write-ahead record cannot be stored: refused before any change.
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    h.sim.faults.set({ failNth: [{ action: 'PutObject', nth: 1, times: 1000, code: 'AccessDenied', status: 403 }] });
    const seq1 = h.sim.world.calls.at(-1)!.seq;
    await assert.rejects(
      contain({ clients, instanceIds: [WEB1], stateDir: tempStateDir(), stateStore: STATE, playbook: { asg: 'skip' } }),
      (e: unknown) =>
        e instanceof CordonError && e.code === 'journal-unwritable' && /nothing was changed/.test(e.message),
    );
    h.sim.faults.reset();
    assert.deepEqual(
      mutations(h.sim, seq1).filter((m) => m.action !== 'CreateBucket'),
      [],
      'nothing was changed',
    );
    await assert.rejects(
      contain({ clients, instanceIds: [WEB1], stateStore: 's3://Bad_Bucket/x' }),
      (e: unknown) => e instanceof CordonError && e.exitCode === EXIT.usage,
    );
    clients.destroy();
  });

  test("with the store, whose journals are every run's: a restoring mark or incident tag it does not know is not believed", async () => {
    await h.sim.reset('demo');
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const clients = cordonClients(h.sim);
    Object.assign(h.sim.world.region(ACCOUNT, 'us-east-1').ec2.instances.get(WEB1)!.tags, {
      'cordon:status': 'restoring',
      'cordon:incident': 'ir-nowhere',
    });
    const r = await contain({
      clients,
      instanceIds: [WEB1],
      stateDir: tempStateDir(),
      stateStore: STATE,
      playbook: { asg: 'skip' },
    });
    assert.equal(r.instances[0]!.status, 'contained');
    assert.notEqual(r.incident, 'ir-nowhere');
    assert.ok(
      r.plan.warnings.some((w) => /the mark is not believed/.test(w)),
      r.plan.warnings.join(' | '),
    );
    assert.ok(r.plan.warnings.some((w) => /which has no journal in the state store: not continued/.test(w)));
    for (const eni of Object.keys(ORIGINAL)) assert.equal(groupsOf(h, eni).length, 1);
    clients.destroy();
  });
});
