// Issue 11: nothing cordon reads from the account is trusted without a check. A rule added to an isolation group, a
// look-alike group carrying cordon's tags, a forged record tag, an edited journal line: each is found, never used,
// and reported — and the account is read back afterwards (not the result's word for it).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
} from '@aws-sdk/client-ec2';
import { DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { cordonClients, tempStateDir } from '../helpers/cordon.js';
import { runCli } from '../helpers/cli.js';
import { WEB1, WEB2 } from '../helpers/playbook.js';
import { contain } from '../../src/engine/contain.js';
import { restore } from '../../src/engine/restore.js';
import { prepare } from '../../src/engine/prepare.js';
import { status } from '../../src/engine/status.js';
import { Journal, verifyChain } from '../../src/engine/journal.js';
import { CordonError, EXIT } from '../../src/core/errors.js';
import { TAG, ROLE_EMPTY, DO_NOT_USE } from '../../src/core/tags.js';

const ACCOUNT = '111122223333';
const VPC = 'vpc-0a1b2c3d4e5f60001';
const ORIGINAL: Record<string, string[]> = {
  'eni-0c0ffee0000000001': ['sg-0a1b2c3d4e5f60001', 'sg-0a1b2c3d4e5f60002'],
  'eni-0c0ffee0000000002': ['sg-0a1b2c3d4e5f60003'],
};
const SSH_FROM_ANYWHERE = {
  IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
};

function region(h: SimHarness) {
  return h.sim.world.region(ACCOUNT, 'us-east-1');
}

/** Every group of an ENI, read from the simulated account. */
function groupsOf(h: SimHarness, eni: string): string[] {
  return [...region(h).ec2.networkInterfaces.get(eni)!.groupIds];
}

function groupRules(h: SimHarness, id: string): { ingress: number; egress: number } {
  const g = region(h).ec2.securityGroups.get(id)!;
  return {
    ingress: g.rules.filter((r) => !r.isEgress).length,
    egress: g.rules.filter((r) => r.isEgress).length,
  };
}

function emptyGroupId(h: SimHarness): string {
  const g = [...region(h).ec2.securityGroups.values()].find(
    (x) => x.vpcId === VPC && x.tags[TAG.role] === ROLE_EMPTY && x.groupName === 'cordon-isolation-step2-empty',
  );
  assert.ok(g, 'the prepared empty group exists');
  return g.groupId;
}

describe('trust: isolation groups are verified every time they are used', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test('a rule added to the empty group before contain: never used, a fresh group isolates, reported', async () => {
    await h.sim.reset('demo');
    const clients = cordonClients(h.sim);
    await prepare(clients, [VPC]);
    const tampered = emptyGroupId(h);
    await h.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: tampered, ...SSH_FROM_ANYWHERE }));

    const stateDir = tempStateDir();
    const r = await contain({
      clients,
      instanceIds: [WEB1],
      stateDir,
      incident: 'ir-trust-1',
      playbook: { asg: 'skip' },
    });
    const w = r.instances[0]!;
    assert.equal(w.status, 'contained', 'containment still succeeds: on a fresh group');
    assert.deepEqual(
      r.indicators.map((x) => [x.kind, x.groupId]),
      [['tampered-isolation-group', tampered]],
      'the tampered group is reported as an indicator',
    );
    assert.match(r.indicators[0]!.reason, /ingress rule tcp 22-22 0\.0\.0\.0\/0 is not cordon's/);
    for (const eni of Object.keys(ORIGINAL)) {
      const now = groupsOf(h, eni);
      assert.equal(now.length, 1);
      assert.notEqual(now[0], tampered, `${eni} is not on the tampered group`);
      assert.deepEqual(groupRules(h, now[0]!), { ingress: 0, egress: 0 }, `${eni}'s group has no rule at all`);
    }
    assert.equal(w.survivors?.open, 0, 'verify: no class of traffic can open a new connection');

    // Between two containments, the new empty group is tampered with too: status says WEB1 is NOT contained.
    const fresh = groupsOf(h, 'eni-0c0ffee0000000001')[0]!;
    await h.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: fresh, ...SSH_FROM_ANYWHERE }));
    const s = (await status(clients, [WEB1]))[0]!;
    assert.ok(
      s.enis.every((e) => e.onIsolationGroup === 'tampered'),
      'status flags the ENIs as on a tampered group',
    );
    assert.match(s.summary, /^NOT contained/);

    // The next containment (another instance) uses neither tampered group; a rerun on WEB1 moves it off its own.
    const r2 = await contain({
      clients,
      instanceIds: [WEB2, WEB1],
      stateDir,
      incident: 'ir-trust-1',
      playbook: { asg: 'skip' },
    });
    assert.ok(r2.instances.every((i) => i.status === 'contained' || i.status === 'already-contained'));
    assert.deepEqual(r2.indicators.map((x) => x.groupId).sort(), [tampered, fresh].sort());
    const third = groupsOf(h, 'eni-0c0ffee0000000001')[0]!;
    assert.ok(![tampered, fresh].includes(third), 'WEB1 moved to a group nobody changed');
    assert.deepEqual(groupRules(h, third), { ingress: 0, egress: 0 });
    assert.equal(groupsOf(h, 'eni-0c0ffee0000000002')[0], third);

    // Restore puts back exactly the originals, not a tampered isolation group.
    await restore({ clients, instanceIds: [WEB1, WEB2], stateDir });
    for (const [eni, groups] of Object.entries(ORIGINAL)) assert.deepEqual(groupsOf(h, eni).sort(), [...groups].sort());
    clients.destroy();
  });

  test('a rule added to the open (step-1) group: never attached to any ENI, a fresh one is made and reported', async () => {
    await h.sim.reset('demo');
    const clients = cordonClients(h.sim);
    await prepare(clients, [VPC]);
    const tampered = [...region(h).ec2.securityGroups.values()].find(
      (x) => x.vpcId === VPC && x.tags[TAG.role] === 'isolation-open',
    )!.groupId;
    await h.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: tampered,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: tampered }] }],
      }),
    );
    const seq0 = h.sim.world.calls.at(-1)!.seq;
    const r = await contain({ clients, instanceIds: [WEB1], stateDir: tempStateDir(), playbook: { asg: 'skip' } });
    assert.equal(r.instances[0]!.status, 'contained');
    assert.deepEqual(
      r.indicators.map((x) => x.groupId),
      [tampered],
    );
    const swaps = h.sim.world.calls.filter((c) => c.seq > seq0 && c.action === 'ModifyNetworkInterfaceAttribute');
    assert.ok(swaps.length >= 4, 'two swaps per ENI');
    assert.ok(
      swaps.every((c) => !JSON.stringify(c.params).includes(tampered)),
      'no ENI was ever put on the tampered open group',
    );
    assert.equal(r.instances[0]!.survivors?.open, 0);
    clients.destroy();
  });

  test("a look-alike group with cordon's tags and a rule is not trusted; an untagged group of cordon's name is not reused", async () => {
    await h.sim.reset('demo');
    // The attacker: a tagged look-alike with SSH open, and a plain group squatting on the open group's name.
    const lookAlike = await h.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'ops-quarantine',
        Description: 'x',
        VpcId: VPC,
        TagSpecifications: [
          {
            ResourceType: 'security-group',
            Tags: [
              { Key: TAG.role, Value: ROLE_EMPTY },
              { Key: TAG.doNotUse, Value: DO_NOT_USE },
            ],
          },
        ],
      }),
    );
    await h.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: lookAlike.GroupId, ...SSH_FROM_ANYWHERE }));
    const squat = await h.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'cordon-isolation-step2-empty', Description: 'x', VpcId: VPC }),
    );
    const clients = cordonClients(h.sim);
    const r = await contain({ clients, instanceIds: [WEB1], stateDir: tempStateDir(), playbook: { asg: 'skip' } });
    assert.equal(r.instances[0]!.status, 'contained');
    assert.deepEqual(
      r.indicators.map((x) => x.groupId),
      [lookAlike.GroupId],
      'the tagged look-alike is an indicator',
    );
    const used = groupsOf(h, 'eni-0c0ffee0000000001')[0]!;
    assert.ok(![lookAlike.GroupId, squat.GroupId].includes(used), 'neither the look-alike nor the squatter is used');
    assert.deepEqual(groupRules(h, used), { ingress: 0, egress: 0 });
    assert.match(region(h).ec2.securityGroups.get(used)!.groupName, /^cordon-isolation-step2-empty-[0-9a-f]{6}$/);
    assert.deepEqual(groupRules(h, squat.GroupId!), { ingress: 0, egress: 1 }, "the squatter's rules were not touched");
    // On the command line: the indicator is a line of its own, the exit code unchanged.
    const cli = await runCli([
      'contain',
      'i-0c0ffee0000000003',
      '--yes',
      '--endpoint-url',
      h.endpoint,
      '--state-dir',
      tempStateDir(),
    ]);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    assert.match(cli.stdout, new RegExp(`INDICATOR: ${lookAlike.GroupId} \\(ops-quarantine, isolation-empty\\)`));
    clients.destroy();
  });
});

describe('trust: restore cross-checks the record tags with the journal', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test('a forged original-groups tag: restore refuses (exit 6) naming both values; --trust journal restores exactly', async () => {
    await h.sim.reset('demo');
    const clients = cordonClients(h.sim);
    const stateDir = tempStateDir();
    await contain({ clients, instanceIds: [WEB1], stateDir, incident: 'ir-forged', playbook: { asg: 'skip' } });
    const before = Object.keys(ORIGINAL).map((e) => groupsOf(h, e));
    await h.ec2.send(
      new CreateTagsCommand({
        Resources: ['eni-0c0ffee0000000001'],
        Tags: [{ Key: TAG.originalGroups, Value: 'sg-0a1b2c3d4e5f60004' }],
      }),
    );
    await assert.rejects(restore({ clients, instanceIds: [WEB1], stateDir }), (e: unknown) => {
      assert.ok(e instanceof CordonError);
      assert.equal(e.code, 'record-conflict');
      assert.equal(e.exitCode, EXIT.stale);
      assert.match(e.message, /eni-0c0ffee0000000001 groups: tags say \["sg-0a1b2c3d4e5f60004"\]/);
      assert.match(e.message, /the journal says \["sg-0a1b2c3d4e5f60001","sg-0a1b2c3d4e5f60002"\]/);
      return true;
    });
    assert.deepEqual(
      Object.keys(ORIGINAL).map((e) => groupsOf(h, e)),
      before,
      'a refused restore changed nothing',
    );

    // The same through the CLI: exit 6, both values named.
    const cli = await runCli(['restore', WEB1, '--yes', '--endpoint-url', h.endpoint, '--state-dir', stateDir]);
    assert.equal(cli.code, 6, cli.stderr);
    assert.match(cli.stderr, /tags say/);
    assert.match(cli.stderr, /--trust journal/);

    await restore({ clients, instanceIds: [WEB1], stateDir, trust: 'journal' });
    for (const [eni, groups] of Object.entries(ORIGINAL)) assert.deepEqual(groupsOf(h, eni).sort(), [...groups].sort());
    clients.destroy();
  });

  test('only tags (no journal here): restore goes ahead and warns that the tags alone were trusted', async () => {
    await h.sim.reset('demo');
    const clients = cordonClients(h.sim);
    await contain({ clients, instanceIds: [WEB1], stateDir: tempStateDir(), playbook: { asg: 'skip' } });
    const r = await restore({ clients, instanceIds: [WEB1], stateDir: tempStateDir() });
    assert.ok(
      r.plan.warnings.some((w) => /record tags alone/.test(w)),
      `a warning says so: ${r.plan.warnings.join(' | ')}`,
    );
    for (const [eni, groups] of Object.entries(ORIGINAL)) assert.deepEqual(groupsOf(h, eni).sort(), [...groups].sort());
    clients.destroy();
  });

  test('every step restores from the journal alone (Auto Scaling included) when no tag write ever succeeded', async () => {
    await h.sim.reset('demo');
    const clients = cordonClients(h.sim);
    const stateDir = tempStateDir();
    const membership = async () =>
      (await h.asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [WEB1] }))).AutoScalingInstances?.[0]
        ?.AutoScalingGroupName;
    assert.equal(await membership(), 'storefront-web-asg');
    const snapshot = () => {
      const i = region(h).ec2.instances.get(WEB1)!;
      const profiles = [...region(h).ec2.iamInstanceProfileAssociations.values()]
        .filter((a) => a.instanceId === WEB1 && a.state === 'associated')
        .map((a) => a.iamInstanceProfile.arn);
      return { imds: i.metadataOptions.httpEndpoint, termination: i.disableApiTermination, profiles };
    };
    const before = snapshot();
    assert.equal(before.profiles.length, 1, 'the demo instance has a role');
    h.sim.faults.set({ failNth: [{ action: 'CreateTags', nth: 1, times: 100_000, code: 'TagLimitExceeded' }] });
    const r = await contain({ clients, instanceIds: [WEB1], stateDir, incident: 'ir-no-tags' });
    assert.equal(r.instances[0]!.status, 'incomplete', 'the record step failed, and the result says so');
    for (const eni of Object.keys(ORIGINAL))
      assert.equal(region(h).ec2.securityGroups.get(groupsOf(h, eni)[0]!)!.tags[TAG.role], ROLE_EMPTY);
    h.sim.world.clock.advance(301_000);
    assert.equal(await membership(), undefined, 'detached from its Auto Scaling group');
    assert.deepEqual(snapshot().profiles, [], 'the role is gone although its record tag could not be written');

    // Tag writes still fail during restore: everything comes from the journal.
    const back = await restore({ clients, instanceIds: [WEB1], stateDir });
    h.sim.faults.reset();
    assert.ok(back.plan.instances[0]!.items.every((x) => x.source === 'journal' || x.source === 'step'));
    assert.equal(await membership(), 'storefront-web-asg', 'back in its Auto Scaling group');
    for (const [eni, groups] of Object.entries(ORIGINAL)) assert.deepEqual(groupsOf(h, eni).sort(), [...groups].sort());
    assert.deepEqual(snapshot(), before, 'IMDS, termination protection and the instance profile are back');
    clients.destroy();
  });
});

describe('trust: the journal is hash-chained', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test('an edited journal line is named by `cordon journal verify` and restore refuses it (--trust tags goes on)', async () => {
    await h.sim.reset('demo');
    const clients = cordonClients(h.sim);
    const stateDir = tempStateDir();
    await contain({ clients, instanceIds: [WEB1], stateDir, incident: 'ir-chain', playbook: { asg: 'skip' } });
    const path = new Journal(stateDir, 'ir-chain').path;
    const text = readFileSync(path, 'utf8');
    assert.deepEqual(verifyChain(text, 'ir-chain').problems, [], 'the chain holds as written');
    let ok = await runCli(['journal', 'verify', 'ir-chain', '--state-dir', stateDir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /every line is chained/);

    // Someone rewrites the original groups of an ENI in the journal.
    const lines = text.split('\n');
    const n = lines.findIndex((l) => l.includes('"attribute":"eni-state"') && l.includes('sg-0a1b2c3d4e5f60003'));
    assert.ok(n >= 0);
    lines[n] = lines[n]!.replace('sg-0a1b2c3d4e5f60003', 'sg-0a1b2c3d4e5f60004');
    writeFileSync(path, lines.join('\n'));
    const bad = await runCli(['journal', 'verify', 'ir-chain', '--state-dir', stateDir, '--output', 'json']);
    assert.notEqual(bad.code, 0);
    const doc = JSON.parse(bad.stdout) as { ok: boolean; problems: { line: number; problem: string }[] };
    assert.equal(doc.ok, false);
    assert.deepEqual(
      doc.problems.map((p) => p.line),
      [n + 2],
      'the line after the edited one no longer chains to it',
    );
    assert.match(doc.problems[0]!.problem, new RegExp(`line ${n + 1} was changed`));

    await assert.rejects(
      restore({ clients, instanceIds: [WEB1], stateDir }),
      (e: unknown) => e instanceof CordonError && e.code === 'journal-tampered' && e.exitCode === EXIT.stale,
    );
    await restore({ clients, instanceIds: [WEB1], stateDir, trust: 'tags' });
    for (const [eni, groups] of Object.entries(ORIGINAL)) assert.deepEqual(groupsOf(h, eni).sort(), [...groups].sort());
    ok = await runCli(['journal', 'verify', 'ir-none', '--state-dir', stateDir]);
    assert.equal(ok.code, EXIT.refused, 'no journal: refused, with what to do');
    clients.destroy();
  });

  test('a torn line (a crash while writing) is closed and chained on from, not reported as tampering', () => {
    const dir = tempStateDir();
    const j = new Journal(dir, 'ir-torn');
    const rec = (n: number) => ({
      type: 'created' as const,
      time: 't',
      incident: 'ir-torn',
      placeholder: `new:${n}`,
      resource: `sg-${n}`,
    });
    j.append(rec(1));
    writeFileSync(j.path, readFileSync(j.path, 'utf8') + '{"type":"original","incid');
    j.append(rec(2));
    const r = verifyChain(readFileSync(j.path, 'utf8'), 'ir-torn');
    assert.equal(r.lines, 3);
    assert.deepEqual(
      r.problems.map((p) => [p.line, p.torn]),
      [[2, true]],
    );
    assert.equal(j.read().length, 2);
  });
});

describe('trust: cordon status and incident tags on the instance are checked against the journal', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());
  const tagsOf = (id: string) => region(h).ec2.instances.get(id)!.tags;
  const mutationsSince = (seq: number) =>
    h.sim.world.calls.filter((c) => c.seq > seq && !c.dryRun && !/^(Describe|Get|List)/.test(c.action));

  test('a forged restoring mark: refused with the way out when no journal knows it; contained when the journal refutes it', async () => {
    await h.sim.reset('demo');
    const clients = cordonClients(h.sim);
    Object.assign(tagsOf(WEB1), { [TAG.status]: 'restoring', [TAG.incident]: 'ir-nowhere' });
    const seq0 = h.sim.world.calls.at(-1)?.seq ?? 0;
    const refused = await contain({ clients, instanceIds: [WEB1], stateDir: tempStateDir() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(refused instanceof CordonError && refused.code === 'restore-running', String(refused));
    assert.match(refused.message, /no journal of that restore in this state/);
    assert.match(refused.hint ?? '', /delete-tags --resources i-0c0ffee0000000001 --tags Key=cordon:status/);
    assert.deepEqual(mutationsSince(seq0), [], 'a refusal changes nothing');

    // Contained for real here, then the mark forged on top: the journal shows no restore, so it is not believed.
    await h.sim.reset('demo');
    const state = tempStateDir();
    const first = await contain({ clients, instanceIds: [WEB1], stateDir: state, playbook: { asg: 'skip' } });
    Object.assign(tagsOf(WEB1), { [TAG.status]: 'restoring' });
    const again = await contain({ clients, instanceIds: [WEB1], stateDir: state, playbook: { asg: 'skip' } });
    assert.equal(again.incident, first.incident);
    assert.ok(
      again.plan.warnings.some((w) =>
        /restoring .* the journal shows no restore of it under way: the mark is not believed/.test(w),
      ),
      again.plan.warnings.join(' | '),
    );
    assert.notEqual(again.instances[0]!.status, 'incomplete');
    for (const eni of Object.keys(ORIGINAL)) assert.equal(groupsOf(h, eni).length, 1);
    // A real restore in the same state is believed: its start record is in the journal before its mark.
    h.sim.world.clock.advance(301_000);
    let during: unknown;
    h.sim.world.afterCall.push((c) => {
      const t = (c.params as { Tag?: { Key: string; Value: string }[] }).Tag;
      if (!during && c.action === 'CreateTags' && c.outcome === 'ok' && t?.some((x) => x.Value === 'restoring'))
        during = contain({ clients: cordonClients(h.sim), instanceIds: [WEB1], stateDir: state }).then(
          () => 'contained',
          (e: unknown) => e,
        );
    });
    await restore({ clients, instanceIds: [WEB1], stateDir: state });
    h.sim.world.afterCall.length = 0;
    const outcome = await during;
    assert.ok(outcome instanceof CordonError && outcome.code === 'restore-running', `refused, got ${String(outcome)}`);
    clients.destroy();
  });

  test('an incident tag that is not an id, or names a journal of other instances: not continued, a new incident, warned', async () => {
    await h.sim.reset('demo');
    const clients = cordonClients(h.sim);
    Object.assign(tagsOf(WEB1), { [TAG.status]: 'containing', [TAG.incident]: '../x' });
    const r = await contain({ clients, instanceIds: [WEB1], stateDir: tempStateDir(), playbook: { asg: 'skip' } });
    assert.equal(r.instances[0]!.status, 'contained');
    assert.notEqual(r.incident, '../x');
    assert.ok(r.plan.warnings.some((w) => /"\.\.\/x", which is not an incident id: not continued/.test(w)));

    await h.sim.reset('demo');
    const state = tempStateDir();
    new Journal(state, 'ir-someone-else').append({
      type: 'plan',
      time: new Date().toISOString(),
      incident: 'ir-someone-else',
      instances: [WEB2],
      planVersion: 1,
    });
    Object.assign(tagsOf(WEB1), { [TAG.status]: 'containing', [TAG.incident]: 'ir-someone-else' });
    const r2 = await contain({ clients, instanceIds: [WEB1], stateDir: state, playbook: { asg: 'skip' } });
    assert.equal(r2.instances[0]!.status, 'contained');
    assert.notEqual(r2.incident, 'ir-someone-else', "not mixed into another incident's journal");
    assert.ok(r2.plan.warnings.some((w) => /whose journal here does not name the instance/.test(w)));
    assert.equal(new Journal(state, 'ir-someone-else').read().length, 1, 'that journal is untouched');
    clients.destroy();
  });
});
