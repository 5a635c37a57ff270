// The end-to-end case: a GuardDuty finding handed to the Lambda handler in contain mode with
// CORDON_STATE=s3://…, the simulator behind it; the journal and evidence land in the simulator's S3, and
// `cordon restore --state s3://…` run on another machine (an empty state dir) restores exactly.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { tempStateDir } from '../helpers/cordon.js';
import { runCli } from '../helpers/cli.js';
import { handle } from '../../src/lambda/handler.js';
import { TAG } from '../../src/core/tags.js';
import { TOPIC, demoWithTopic } from './helpers.js';
import { ACCOUNT, REGION, WEB1, guardDutyEvent } from './events.js';

const BUCKET = 'cordon-ir-state';
const STATE = `s3://${BUCKET}/lambda`;

describe('Lambda handler with the journal and evidence in S3', () => {
  let h: SimHarness;
  let s3: S3Client;
  before(async () => {
    h = await startHarness(demoWithTopic());
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIADEMORESPONDER01',
      AWS_SECRET_ACCESS_KEY: 'sim-secret',
      AWS_REGION: REGION,
    });
    s3 = new S3Client({
      region: REGION,
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

  test('contain mode: journal and evidence in S3; restore from another machine is exact', async () => {
    const eniGroups = () =>
      [...h.sim.world.region(ACCOUNT, REGION).ec2.networkInterfaces.values()]
        .filter((e) => e.attachment?.instanceId === WEB1)
        .map((e) => [e.networkInterfaceId, [...e.groupIds].sort()] as const)
        .sort();
    const original = eniGroups();
    const r = await handle(
      guardDutyEvent(h.sim, { type: 'UnauthorizedAccess:EC2/SSHBruteForce', instanceId: WEB1, severity: 8 }),
      {
        ...process.env,
        AWS_ENDPOINT_URL: h.endpoint,
        CORDON_MODE: 'contain',
        CORDON_STATE: STATE,
        CORDON_TOPIC_ARN: TOPIC,
        CORDON_NO_ASG: 'true',
      },
    );
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    const inst = r.instances!.find((i) => i.instanceId === WEB1)!;
    assert.equal(inst.status, 'contained', JSON.stringify(inst));
    const incident = inst.incident;
    const roles = [...h.sim.world.region(ACCOUNT, REGION).ec2.networkInterfaces.values()]
      .filter((e) => e.attachment?.instanceId === WEB1)
      .map((e) => h.sim.world.region(ACCOUNT, REGION).ec2.securityGroups.get(e.groupIds[0]!)!.tags[TAG.role]);
    assert.deepEqual([...new Set(roles)], ['isolation-empty']);

    const keys = (
      (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `lambda/${incident}/` }))).Contents ?? []
    ).map((o) => o.Key!);
    assert.ok(
      keys.some((k) => k.includes('/journal/')),
      `journal in S3: ${keys.join(', ')}`,
    );
    assert.ok(keys.includes(`lambda/${incident}/evidence/${WEB1}/manifest.json`), 'evidence manifest in S3');

    // Another machine: nothing local.
    h.sim.world.clock.advance(301_000);
    const back = await runCli([
      'restore',
      WEB1,
      '--yes',
      '--state',
      STATE,
      '--state-dir',
      tempStateDir(),
      '--endpoint-url',
      h.endpoint,
      '--region',
      REGION,
    ]);
    assert.equal(back.code, 0, back.stdout + back.stderr);
    assert.doesNotMatch(back.stderr, /record tags alone/, 'the journal came from S3, not only the tags');
    assert.deepEqual(eniGroups(), original);
  });

  test('a repeated finding is deduped on the journal in S3; a contained tag no journal backs is not believed', async () => {
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL: h.endpoint,
      CORDON_MODE: 'contain',
      CORDON_STATE: STATE,
      CORDON_NO_ASG: 'true',
      CORDON_NO_EVIDENCE: 'true',
    };
    const event = guardDutyEvent(h.sim, {
      type: 'UnauthorizedAccess:EC2/SSHBruteForce',
      instanceId: WEB1,
      severity: 8,
    });
    const first = await handle(event, env);
    assert.equal(first.instances?.[0]?.status, 'contained', JSON.stringify(first.error ?? first.warnings));
    const again = await handle(event, env);
    assert.deepEqual(
      again.skipped.map((x) => [x.instanceId, x.reason]),
      [[WEB1, 'deduped']],
    );
    // Someone retags it with an incident the store has never seen: its network is still cut, but the tag is not
    // cordon's — contained again (the playbook runs), under a new incident.
    h.sim.world.region(ACCOUNT, REGION).ec2.instances.get(WEB1)!.tags[TAG.incident] = 'ir-forged';
    const forged = await handle(event, env);
    assert.deepEqual(forged.skipped, []);
    assert.ok(
      forged.warnings.some((w) =>
        /tagged contained by incident ir-forged .* the state store has no journal of it/.test(w),
      ),
      forged.warnings.join(' | '),
    );
    assert.ok(['contained', 'already-contained'].includes(forged.instances![0]!.status));
    assert.notEqual(forged.instances![0]!.incident, 'ir-forged');
  });
});
