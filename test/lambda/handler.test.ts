// The Lambda handler against the simulated demo account, through the real SDK: plan mode changes nothing and
// publishes the plan; contain mode contains and publishes; a repeated finding is deduped; Security Hub custom
// actions and direct invokes; filters; malformed events. Read back from the simulated world and its call log.

import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { mutations, tempStateDir } from '../helpers/cordon.js';
import { handle } from '../../src/lambda/handler.js';
import { TAG } from '../../src/core/tags.js';
import { Journal } from '../../src/engine/journal.js';
import type { HandlerResult } from '../../src/lambda/types.js';
import { TOPIC, enis, parts, published, demoWithTopic } from './helpers.js';
import {
  ACCOUNT,
  BASTION,
  REGION,
  WEB1,
  WEB2,
  accessKeyFindingEvent,
  guardDutyEvent,
  securityHubCustomAction,
} from './events.js';

describe('Lambda handler', () => {
  let h: SimHarness;
  let env: NodeJS.ProcessEnv;
  const lastSeq = () => h.sim.world.calls.at(-1)?.seq ?? 0;
  const run = (event: unknown, extra: Record<string, string> = {}): Promise<HandlerResult> =>
    handle(event, { ...env, ...extra });

  before(async () => {
    h = await startHarness(demoWithTopic());
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIADEMORESPONDER01',
      AWS_SECRET_ACCESS_KEY: 'sim-secret',
      AWS_REGION: REGION,
    });
  });
  after(async () => h.close());
  beforeEach(async () => {
    await h.sim.reset();
    env = { ...process.env, AWS_ENDPOINT_URL: h.endpoint, CORDON_STATE: tempStateDir(), CORDON_TOPIC_ARN: TOPIC };
  });

  test('plan mode (the default), GuardDuty finding on a two-ENI instance: nothing changed, the plan and what reaches it now published', async () => {
    const before = enis(h, WEB1);
    const seq0 = lastSeq();
    const r = await run(
      guardDutyEvent(h.sim, { type: 'Backdoor:EC2/C&CActivity.B!DNS', instanceId: WEB1, severity: 8 }),
    );
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.ok, true);
    assert.equal(r.mode, 'plan');
    assert.deepEqual(mutations(h.sim, seq0), [], 'plan mode makes no mutating call');
    assert.ok(
      h.sim.world.calls.some((c) => c.seq > seq0 && c.dryRun),
      'the plan DryRuns its mutating calls',
    );
    assert.deepEqual(enis(h, WEB1), before);
    // The same document as `cordon plan --output json`, plus the envelope.
    assert.equal(r.plan!.instances[0]!.instanceId, WEB1);
    assert.ok(r.plan!.changes.some((c) => c.stepId === 'isolate-security-groups'));
    assert.equal(r.applyable, true);
    assert.deepEqual(r.missingPermissions, []);
    assert.equal(r.findings[0]!.type, 'Backdoor:EC2/C&CActivity.B!DNS');
    assert.equal(r.verifyNow!.length, 1);
    assert.equal(r.verifyNow![0]!.contained, false);
    const msgs = await published(h);
    assert.equal(msgs.length, 1);
    const m = parts(msgs[0]!);
    assert.equal(m.outcome, 'planned');
    assert.match(m.subject!, /^cordon: plan only, nothing changed: i-0c0ffee0000000001$/);
    assert.match(m.text, /Backdoor:EC2\/C&CActivity.B!DNS severity 8/);
    assert.match(
      m.text,
      new RegExp(`${WEB1} \\(${REGION}\\): planned.*would make \\d+ changes: .*isolate-security-groups \\(2\\)`),
    );
    assert.ok(m.text.includes(`now: ${r.verifyNow![0]!.bottomLine}`));
    assert.match(m.text, /Nothing was changed: this function plans only/);
    assert.equal(m.json.mode, 'plan');
    assert.equal(r.notification!.messageId, msgs[0]!.messageId);
  });

  test('contain mode: contained (every ENI on the empty isolation group), published; the same finding again is deduped and changes nothing', async () => {
    const event = guardDutyEvent(h.sim, { type: 'UnauthorizedAccess:EC2/TorClient', instanceId: WEB1, severity: 8 });
    const r = await run(event, { CORDON_MODE: 'contain' });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.ok, true);
    assert.equal(r.instances!.length, 1);
    assert.equal(r.instances![0]!.status, 'contained');
    for (const e of enis(h, WEB1)) assert.deepEqual(e.roles, ['isolation-empty'], e.id);
    // The fields of `cordon contain --output json`.
    for (const k of [
      'incident',
      'region',
      'regions',
      'journal',
      'evidence',
      'roundTrips',
      'instances',
      'indicators',
      'fleet',
    ])
      assert.ok(k in r, k);
    assert.ok(r.evidence, 'the default playbook captured evidence');
    const [m] = (await published(h)).map(parts);
    assert.equal(m!.outcome, 'contained');
    assert.equal(m!.subject, `cordon: CONTAINED ${WEB1}`);
    assert.match(
      m!.text,
      new RegExp(
        `${WEB1} \\(${REGION}\\): contained, incident ${r.incident} — 2 of 2 network interfaces on the empty isolation group`,
      ),
    );
    assert.match(m!.text, /still gets through: /);
    assert.match(m!.text, /Restore when the incident is over: cordon restore i-0c0ffee0000000001/);

    // GuardDuty publishes the same finding again (count grows): nothing is changed, the result and message say so.
    const seq1 = lastSeq();
    const again = await run(
      { ...event, detail: { ...(event.detail as object), service: { count: 4 } } },
      { CORDON_MODE: 'contain' },
    );
    assert.equal(again.ok, true);
    assert.equal(again.instances, undefined, 'no containment ran');
    assert.deepEqual(mutations(h.sim, seq1), []);
    assert.equal(again.skipped.length, 1);
    assert.equal(again.skipped[0]!.reason, 'deduped');
    assert.equal(again.skipped[0]!.incident, r.incident);
    assert.match(again.skipped[0]!.detail, /already contained .*nothing changed/);
    const msgs = await published(h);
    assert.equal(msgs.length, 2);
    const d = parts(msgs[1]!);
    assert.equal(d.outcome, 'deduped');
    assert.match(d.text, /deduped, incident .* already contained/);
  });

  test('tagged containing: deduped only while its journal shows that run at work; a forged tag or an old run: contained', async () => {
    const inst = h.sim.world.region(ACCOUNT, REGION).ec2.instances.get(WEB2)!;
    const event = guardDutyEvent(h.sim, {
      type: 'UnauthorizedAccess:EC2/SSHBruteForce',
      instanceId: WEB2,
      severity: 5,
    });
    const contain = { CORDON_MODE: 'contain', CORDON_NO_EVIDENCE: 'true' };
    const tagContaining = (incident: string) =>
      Object.assign(inst.tags, {
        [TAG.status]: 'containing',
        [TAG.incident]: incident,
        // even a time in the future: the tag's time is not what counts
        [TAG.containedAt]: new Date(Date.now() + 86_400_000).toISOString(),
      });
    const planned = (incident: string, ageMs: number) =>
      new Journal(env.CORDON_STATE!, incident).append({
        type: 'plan',
        time: new Date(Date.now() - ageMs).toISOString(),
        incident,
        instances: [WEB2],
        planVersion: 1,
      });

    // A run at work (its plan in the journal a minute ago): left alone, nothing changed.
    planned('ir-busy', 60_000);
    tagContaining('ir-busy');
    let seq0 = lastSeq();
    const r = await run(event, contain);
    assert.deepEqual(mutations(h.sim, seq0), []);
    assert.equal(r.skipped[0]!.reason, 'deduped');
    assert.match(r.skipped[0]!.detail, /being contained by incident ir-busy since .* \(its journal\)/);

    // Forged: the same tags with no journal of that incident behind them — not believed, contained.
    await h.sim.reset();
    const forgedInst = h.sim.world.region(ACCOUNT, REGION).ec2.instances.get(WEB2)!;
    Object.assign(forgedInst.tags, {
      [TAG.status]: 'containing',
      [TAG.incident]: 'ir-forged',
      [TAG.containedAt]: new Date(Date.now() + 86_400_000).toISOString(),
    });
    seq0 = lastSeq();
    const forged = await run(event, contain);
    assert.equal(forged.instances![0]!.status, 'contained');
    assert.ok(mutations(h.sim, seq0).length > 0);
    assert.ok(
      forged.warnings.some((w) =>
        /no journal of that run in the state confirms it .* tags alone are not believed/.test(w),
      ),
      forged.warnings.join(' | '),
    );

    // A run that died (its plan an hour old): contained again, continuing that incident.
    await h.sim.reset();
    planned('ir-dead', 3_600_000);
    Object.assign(h.sim.world.region(ACCOUNT, REGION).ec2.instances.get(WEB2)!.tags, {
      [TAG.status]: 'containing',
      [TAG.incident]: 'ir-dead',
      [TAG.containedAt]: new Date().toISOString(),
    });
    const later = await run(event, contain);
    assert.equal(later.instances![0]!.status, 'contained');
    assert.ok(later.warnings.some((w) => /did not finish; this run finishes it/.test(w)));
    assert.equal(later.incident, 'ir-dead', 'the interrupted incident is continued');
  });

  test('Security Hub custom action, contain mode: the instance named by the ASFF ARN is contained', async () => {
    const r = await run(
      securityHubCustomAction([{ type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', instanceId: BASTION, severity: 8 }]),
      {
        CORDON_MODE: 'contain',
        CORDON_NO_EVIDENCE: 'true',
      },
    );
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.source, 'securityhub');
    assert.equal(
      r.findings[0]!.type,
      'CryptoCurrency:EC2/BitcoinTool.B!DNS',
      'the GuardDuty type recovered from ASFF Types',
    );
    assert.deepEqual(
      r.instances!.map((i) => [i.instanceId, i.status]),
      [[BASTION, 'contained']],
    );
    for (const e of enis(h, BASTION)) assert.deepEqual(e.roles, ['isolation-empty']);
    assert.equal(parts((await published(h))[0]!).outcome, 'contained');
  });

  test('direct invoke with options: contains, options mirror the CLI flags (no evidence, keep the profile)', async () => {
    const seq0 = lastSeq();
    const r = await run(
      {
        targets: [WEB2, `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${BASTION}`],
        options: { noEvidence: true, keepProfile: true },
      },
      { CORDON_MODE: 'contain' },
    );
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.source, 'direct');
    assert.deepEqual(
      r.instances!.map((i) => i.status),
      ['contained', 'contained'],
    );
    const actions = mutations(h.sim, seq0).map((m) => m.action);
    assert.ok(!actions.includes('CreateSnapshots') && !actions.includes('CreateImage'), 'no evidence taken');
    assert.ok(!actions.includes('DisassociateIamInstanceProfile'), 'the profile kept');
    for (const id of [WEB2, BASTION]) for (const e of enis(h, id)) assert.deepEqual(e.roles, ['isolation-empty']);
  });

  test('an event may lower the mode: options.mode plan on a contain function changes nothing', async () => {
    const seq0 = lastSeq();
    const r = await run({ targets: [WEB2], options: { mode: 'plan' } }, { CORDON_MODE: 'contain' });
    assert.equal(r.mode, 'plan');
    assert.ok(r.plan);
    assert.deepEqual(mutations(h.sim, seq0), []);
  });

  test('filters: below the minimum severity or not a listed type → skipped, no AWS call, nothing published', async () => {
    const seq0 = lastSeq();
    const low = await run(
      guardDutyEvent(h.sim, { type: 'UnauthorizedAccess:EC2/SSHBruteForce', instanceId: WEB2, severity: 2 }),
      {
        CORDON_MODE: 'contain',
        CORDON_MIN_SEVERITY: '7',
      },
    );
    assert.equal(low.ok, true);
    assert.match(low.skipped[0]!.detail, /severity 2 is below CORDON_MIN_SEVERITY 7/);
    const other = await run(guardDutyEvent(h.sim, { type: 'Recon:EC2/Portscan', instanceId: WEB2, severity: 8 }), {
      CORDON_MODE: 'contain',
      CORDON_FINDING_TYPES: 'Backdoor:EC2/*,CryptoCurrency:EC2/*',
    });
    assert.match(other.skipped[0]!.detail, /Recon:EC2\/Portscan is not in CORDON_FINDING_TYPES/);
    const key = await run(accessKeyFindingEvent(), { CORDON_MODE: 'contain' });
    assert.equal(key.skipped[0]!.reason, 'not-an-instance');
    assert.equal(h.sim.world.calls.filter((c) => c.seq > seq0).length, 0, 'no AWS call at all');
    assert.deepEqual(await published(h), []);
    // A listed type at the threshold passes.
    const hit = await run(
      guardDutyEvent(h.sim, { type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', instanceId: WEB2, severity: 7 }),
      {
        CORDON_MIN_SEVERITY: '7',
        CORDON_FINDING_TYPES: 'Backdoor:EC2/*,CryptoCurrency:EC2/*',
      },
    );
    assert.ok(hit.plan);
  });

  test('malformed events and bad configuration: a clear error result, no AWS change, the error published', async () => {
    const seq0 = lastSeq();
    const cases: [unknown, Record<string, string>, string, RegExp][] = [
      [{ hello: 'world' }, {}, 'bad-event', /neither a detail-type/],
      [undefined, {}, 'bad-event', /undefined, not a JSON object/],
      [{ targets: ['i-0c0ffee0000000001'] }, { CORDON_MODE: 'contian' }, 'bad-config', /CORDON_MODE="contian"/],
      [
        { targets: ['i-0123456789abcdef0'] },
        { CORDON_MODE: 'contain' },
        'instance-not-found',
        /i-0123456789abcdef0 not found/,
      ],
      [
        { targets: ['arn:aws:ec2:us-east-1:444455556666:instance/i-0123456789abcdef0'] },
        { CORDON_MODE: 'contain' },
        'no-role',
        /account 444455556666/,
      ],
    ];
    for (const [event, extra, code, re] of cases) {
      const r = await run(event, extra);
      assert.equal(r.ok, false);
      assert.equal(r.error?.code, code, JSON.stringify(r.error));
      assert.match(r.error!.message, re);
    }
    assert.deepEqual(mutations(h.sim, seq0), []);
    const msgs = (await published(h)).map(parts);
    assert.equal(msgs.length, cases.length);
    assert.ok(msgs.every((m) => m.outcome === 'error'));
    assert.match(msgs[0]!.subject!, /^cordon: ERROR bad-event$/);
  });

  test('without CORDON_STATE: a temp directory and a warning; an unreachable topic is reported, not fatal', async () => {
    const r = await run(
      { targets: [WEB2] },
      { CORDON_STATE: '', CORDON_TOPIC_ARN: `arn:aws:sns:${REGION}:${ACCOUNT}:missing` },
    );
    assert.equal(r.ok, true);
    assert.ok(r.warnings.some((w) => /CORDON_STATE is not set/.test(w)));
    assert.match(r.notification!.error!, /SNS Publish to .*missing failed \(NotFound(Exception)?\)/);
    assert.ok(r.warnings.some((w) => /notification not sent/.test(w)));
  });
});
