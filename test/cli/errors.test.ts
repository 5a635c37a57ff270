// The bad-input catalogue (docs/errors.md): each entry through the real CLI, with its exit code, a message that says
// what to do, and zero mutations in the simulator's call log. Entries tested elsewhere say where.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { startHarness, tinyScenario, type SimHarness } from '../helpers/sim.js';
import { mutations, tempStateDir } from '../helpers/cordon.js';
import { runCli } from '../helpers/cli.js';

const WEB1 = 'i-0c0ffee0000000001';

describe('bad-input catalogue', () => {
  let h: SimHarness;
  const state = tempStateDir();
  let args: string[];
  before(async () => {
    h = await startHarness('demo');
    args = ['--endpoint-url', h.endpoint, '--region', 'us-east-1', '--state-dir', state, '--yes'];
  });
  after(async () => h.close());

  /** Runs `cordon contain …` (or another command) and checks exit code, message and that nothing changed. */
  async function refused(
    argv: string[],
    code: number,
    message: RegExp,
    env: Record<string, string> = {},
  ): Promise<void> {
    const seq0 = h.sim.world.calls.at(-1)?.seq ?? 0;
    const r = await runCli(argv, env);
    assert.equal(r.code, code, `exit code of ${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /→ /, 'the message says what to do next');
    assert.deepEqual(mutations(h.sim, seq0), [], 'nothing changed');
  }

  test('malformed id → 2', () => refused(['contain', 'i-12', ...args], 2, /not an instance id/));
  test('unknown id → 3', () => refused(['contain', 'i-0123456789abcdef0', ...args], 3, /not found in us-east-1/));
  test('wrong region → 3, naming the region where it is', () =>
    refused(['contain', WEB1, ...args, '--region', 'eu-west-1'], 3, /not found in eu-west-1[\s\S]*--region us-east-1/));

  test('terminated or shutting-down instance → 3', async () => {
    const inst = h.sim.world.region('111122223333', 'us-east-1').ec2.instances.get('i-0c0ffee0000000003')!;
    inst.state = 'terminated';
    await refused(['contain', inst.instanceId, ...args], 3, /terminated: there is nothing left to contain/);
    inst.state = 'running';
  });

  test('stopped instance: contained, with a warning that there are no live flows', async () => {
    await h.sim.reset('demo');
    const inst = h.sim.world.region('111122223333', 'us-east-1').ec2.instances.get('i-0c0ffee0000000003')!;
    inst.state = 'stopped';
    const r = await runCli(['contain', inst.instanceId, ...args, '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { instances: { status: string; warnings: string[] }[] };
    assert.equal(out.instances[0]!.status, 'contained');
    assert.ok(out.instances[0]!.warnings.some((w) => /stopped: the network changes still apply/.test(w)));
  });

  test('instance outside a VPC → 3', async () => {
    await h.sim.reset(tinyScenario({ instances: [{ id: 'i-0c1a551c00000000a', name: 'classic' }] }));
    await refused(['contain', 'i-0c1a551c00000000a', ...args], 3, /not in a VPC/);
    await h.sim.reset('demo');
  });

  test('missing permission → 4, naming the action (plan)', async () => {
    await h.sim.reset({
      ...tinyScenario(),
      accounts: [
        {
          ...(tinyScenario().accounts as object[])[0],
          credentials: [{ accessKeyId: 'AKIANOTAGS00000000001', deny: ['ec2:CreateTags'] }],
        },
      ],
    } as Record<string, unknown>);
    const inst = [...h.sim.world.region('111122223333', 'us-east-1').ec2.instances.keys()][0]!;
    const seq0 = h.sim.world.calls.at(-1)?.seq ?? 0;
    const r = await runCli(['plan', inst, ...args.filter((a) => a !== '--yes')], {
      AWS_ACCESS_KEY_ID: 'AKIANOTAGS00000000001',
    });
    assert.equal(r.code, 4);
    assert.match(r.stdout, /missing permissions \(EC2 DryRun\): ec2:CreateTags/);
    assert.deepEqual(mutations(h.sim, seq0), []);
    await h.sim.reset('demo');
  });

  test('ENI already at its group limit: the swap replaces all groups, so it still works', async () => {
    await h.sim.reset('demo');
    const region = h.sim.world.region('111122223333', 'us-east-1');
    const eni = region.ec2.networkInterfaces.get('eni-0c0ffee0000000001')!;
    eni.groupIds = [
      'sg-0a1b2c3d4e5f60001',
      'sg-0a1b2c3d4e5f60002',
      'sg-0a1b2c3d4e5f60003',
      'sg-0a1b2c3d4e5f60004',
      [...region.ec2.securityGroups.values()].find((g) => g.groupName === 'default')!.groupId,
    ];
    const r = await runCli(['contain', WEB1, ...args, '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).instances[0].status, 'contained');
  });

  test('VPC without room for more groups → the create error is reported, nothing else changes', async () => {
    await h.sim.reset('demo');
    h.sim.faults.set({
      failNth: [{ action: 'CreateSecurityGroup', nth: 1, times: 20, code: 'SecurityGroupLimitExceeded' }],
    });
    const seq0 = h.sim.world.calls.at(-1)?.seq ?? 0;
    const r = await runCli(['contain', WEB1, ...args, '--output', 'json', '--no-evidence']);
    h.sim.faults.reset();
    assert.equal(r.code, 5);
    const out = JSON.parse(r.stdout) as {
      instances: { status: string; steps: { id: string; status: string; error?: { code: string } }[] }[];
    };
    assert.equal(out.instances[0]!.status, 'incomplete');
    assert.equal(
      out.instances[0]!.steps.find((s) => s.id === 'ensure-isolation-groups')!.error!.code,
      'SecurityGroupLimitExceeded',
    );
    assert.equal(out.instances[0]!.steps.find((s) => s.id === 'isolate-security-groups')!.status, 'skipped');
    assert.equal(
      mutations(h.sim, seq0).filter(
        (m) =>
          m.action === 'ModifyNetworkInterfaceAttribute' && (m.params as { SecurityGroupId?: unknown }).SecurityGroupId,
      ).length,
      0,
      'no ENI was swapped',
    );
  });

  test('NACL full, shared subnet without consent, ASG at min size, bad flag combinations: see layers-nacl, layers-cli, playbook-asg, playbook-cli tests', async () => {
    await h.sim.reset('demo');
    await refused(['contain', WEB1, ...args, '--layers', 'subnet'], 3, /blast radius|other network interface/i);
    await refused(['contain', WEB1, ...args, '--asg-standby', '--no-asg'], 2, /exclude each other/);
    await refused(
      ['prepare', '--vpc', 'vpc-0a1b2c3d4e5f60001', '--all-vpcs', ...args.filter((a) => a !== '--yes')],
      2,
      /exclude each other/,
    );
  });

  test('unreadable or non-plan plan file → 2; stale plan → 6', async () => {
    await h.sim.reset('demo');
    await refused(['contain', WEB1, ...args, '--plan', `${state}/missing.json`], 2, /cannot read plan file/);
    writeFileSync(`${state}/junk.json`, '{"hello": 1}');
    await refused(['contain', WEB1, ...args, '--plan', `${state}/junk.json`], 2, /not a cordon plan/);
    const p = await runCli(['plan', WEB1, ...args.filter((a) => a !== '--yes'), '--out', `${state}/plan.json`]);
    assert.equal(p.code, 0, p.stderr);
    h.sim.world.region('111122223333', 'us-east-1').ec2.networkInterfaces.get('eni-0c0ffee0000000002')!.groupIds = [
      'sg-0a1b2c3d4e5f60001',
    ];
    await refused(['contain', WEB1, ...args, '--plan', `${state}/plan.json`], 6, /stale/);
  });

  test('endpoint unreachable → 7', async () => {
    const r = await runCli(
      ['plan', WEB1, '--endpoint-url', 'http://127.0.0.1:9', '--region', 'us-east-1', '--state-dir', state],
      { AWS_MAX_ATTEMPTS: '1' },
    );
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, /cannot reach AWS/);
    assert.match(r.stderr, /→ /);
  });

  test('expired credentials → 7', async () => {
    await h.sim.reset('multi-account');
    const assumed = await h.sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::444455556666:role/cordon-responder',
        RoleSessionName: 'expired',
        DurationSeconds: 900,
      }),
    );
    h.sim.world.clock.advance(3_600_000);
    const c = assumed.Credentials!;
    const instance =
      [
        ...h.sim.world
          .region('444455556666', [...h.sim.world.account('444455556666').regions.keys()][0]!)
          .ec2.instances.keys(),
      ][0] ?? WEB1;
    await refused(
      ['plan', instance, '--endpoint-url', h.endpoint, '--region', 'us-east-1', '--state-dir', state],
      7,
      /credentials/,
      {
        AWS_ACCESS_KEY_ID: c.AccessKeyId!,
        AWS_SECRET_ACCESS_KEY: c.SecretAccessKey!,
        AWS_SESSION_TOKEN: c.SessionToken!,
      },
    );
  });
});
