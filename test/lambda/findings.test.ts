// Event parsing, the finding-type and severity filters, the configuration and the fan-out grouping: pure code, with
// events shaped like AWS's samples (the instance details read from the simulated demo account).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import {
  asffTypeNames,
  filteredOut,
  parseEvent,
  parseTypePatterns,
  severityFromAsff,
} from '../../src/core/findings.js';
import { readConfig, envName } from '../../src/lambda/config.js';
import { groupForFanOut, parseWorkerInput } from '../../src/lambda/worker.js';
import { CordonError } from '../../src/core/errors.js';
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

const badEvent = (e: unknown) =>
  e instanceof CordonError && e.code === 'bad-event' && /nothing was changed/.test(e.message);

describe('events', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test('GuardDuty findings of several types, one and two ENIs: the instance, its account and region, type and severity', () => {
    const cases = [
      { type: 'UnauthorizedAccess:EC2/SSHBruteForce', instanceId: WEB2, severity: 2, enis: 1 },
      { type: 'Backdoor:EC2/C&CActivity.B!DNS', instanceId: WEB1, severity: 8, enis: 2 },
      { type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', instanceId: BASTION, severity: 5, enis: 1 },
      { type: 'Trojan:EC2/DNSDataExfiltration', instanceId: WEB1, severity: 8, enis: 2 },
    ];
    for (const c of cases) {
      const event = guardDutyEvent(h.sim, { ...c, count: 3 });
      const details = (event.detail as { resource: { instanceDetails: { networkInterfaces: unknown[] } } }).resource
        .instanceDetails;
      assert.equal(details.networkInterfaces.length, c.enis, `${c.type}: the fixture carries the instance's ENIs`);
      const p = parseEvent(event);
      assert.equal(p.source, 'guardduty');
      assert.equal(p.findings.length, 1);
      const f = p.findings[0]!;
      assert.deepEqual(f.types, [c.type]);
      assert.equal(f.severity, c.severity);
      assert.equal(f.count, 3);
      assert.match(f.id, /^[0-9a-f]{32}$/);
      assert.deepEqual(
        { instanceId: f.target.instanceId, accountId: f.target.accountId, region: f.target.region },
        { instanceId: c.instanceId, accountId: ACCOUNT, region: REGION },
      );
      assert.equal(f.target.source, `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${c.instanceId}`);
    }
  });

  test("a member account's finding: the instance's account and region come from the finding, not the envelope", () => {
    const event = guardDutyEvent(h.sim, { type: 'Backdoor:EC2/C&CActivity.B!DNS', instanceId: WEB1, severity: 8 });
    (event.detail as Record<string, unknown>).accountId = '444455556666';
    (event.detail as Record<string, unknown>).region = 'eu-west-1';
    const f = parseEvent(event).findings[0]!;
    assert.equal(f.target.accountId, '444455556666');
    assert.equal(f.target.region, 'eu-west-1');
  });

  test('a finding on an access key names no instance: nothing to act on, said so', () => {
    const p = parseEvent(accessKeyFindingEvent());
    assert.deepEqual(p.findings, []);
    assert.equal(p.notInstances.length, 1);
    assert.match(p.notInstances[0]!.reason, /AccessKey, not an EC2 instance/);
  });

  test('malformed events: a clear error naming what is wrong', () => {
    const gd = guardDutyEvent(h.sim, { type: 'Backdoor:EC2/C&CActivity.B!DNS', instanceId: WEB1, severity: 8 });
    const detail = gd.detail as Record<string, unknown>;
    const cases: [unknown, RegExp][] = [
      [null, /null, not a JSON object/],
      ['{"targets":[]}', /string, not a JSON object/],
      [{}, /neither a detail-type/],
      [{ ...gd, 'detail-type': 'GuardDuty Runtime Protection Healthy' }, /not handled/],
      [{ ...gd, source: 'my.app' }, /not aws.guardduty/],
      [{ ...gd, detail: { ...detail, severity: 'HIGH' } }, /severity must be a number/],
      [{ ...gd, detail: { ...detail, severity: 11 } }, /severity must be a number from 0 to 10/],
      [{ ...gd, detail: { ...detail, id: undefined } }, /detail.id is missing/],
      [
        {
          ...gd,
          detail: { ...detail, resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-nothex' } } },
        },
        /"i-nothex" is not an instance id/,
      ],
      [{ ...gd, detail: { Id: 'x', Resource: { InstanceDetails: { InstanceId: WEB1 } } } }, /PascalCase/],
      [{ ...gd, detail: { ...detail, accountId: undefined }, account: undefined }, /no 12-digit account id/],
      [{ ...securityHubCustomAction([]) }, /detail.findings is missing or empty/],
      [{ targets: [] }, /non-empty array/],
      [{ targets: ['web-1'] }, /"web-1" is not an instance id or an instance ARN/],
      [{ targets: [WEB1], option: {} }, /unknown field "option"/],
    ];
    for (const [event, re] of cases) {
      assert.throws(
        () => parseEvent(event),
        (e: unknown) => badEvent(e) && re.test((e as Error).message),
        `${re}`,
      );
    }
  });

  test('Security Hub custom action: the instance from the ASFF resource ARN, GuardDuty severity and type recovered', () => {
    const p = parseEvent(
      securityHubCustomAction([
        { type: 'Backdoor:EC2/C&CActivity.B!DNS', instanceId: WEB1, severity: 8 },
        {
          type: 'UnauthorizedAccess:EC2/SSHBruteForce',
          instanceId: BASTION,
          severity: 2,
          account: '444455556666',
          region: 'eu-west-1',
        },
      ]),
    );
    assert.equal(p.source, 'securityhub');
    assert.deepEqual(
      p.findings.map((f) => [f.target.instanceId, f.target.accountId, f.target.region, f.severity]),
      [
        [WEB1, ACCOUNT, REGION, 8],
        [BASTION, '444455556666', 'eu-west-1', 2],
      ],
    );
    assert.ok(p.findings[0]!.types.includes('Backdoor:EC2/C&CActivity.B!DNS'));
    assert.ok(p.findings[0]!.types.includes('TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS'));
    const bad = securityHubCustomAction([{ type: 'Backdoor:EC2/C&CActivity.B!DNS', instanceId: WEB1, severity: 8 }]);
    (bad.detail as { findings: { Resources: { Id: string }[] }[] }).findings[0]!.Resources[0]!.Id = WEB1;
    assert.throws(
      () => parseEvent(bad),
      (e: unknown) => badEvent(e) && /is not an instance ARN/.test((e as Error).message),
    );
  });

  test('Security Hub severity on GuardDuty scale: Product for GuardDuty findings, else Normalized / 10, else the label band', () => {
    const gd = 'arn:aws:securityhub:us-east-1::product/aws/guardduty';
    const other = 'arn:aws:securityhub:us-east-1::product/aws/inspector';
    assert.equal(
      severityFromAsff({ ProductArn: gd, Severity: { Product: 5.5, Normalized: 50, Label: 'MEDIUM' } }),
      5.5,
    );
    assert.equal(
      severityFromAsff({ ProductArn: other, Severity: { Product: 99, Normalized: 72, Label: 'HIGH' } }),
      7.2,
    );
    for (const [label, n] of [
      ['INFORMATIONAL', 0],
      ['LOW', 1],
      ['MEDIUM', 4],
      ['HIGH', 7],
      ['CRITICAL', 9],
    ] as const)
      assert.equal(severityFromAsff({ ProductArn: other, Severity: { Label: label } }), n);
    assert.equal(severityFromAsff({ Severity: { Label: 'SEVERE' } }), undefined);
    assert.deepEqual(asffTypeNames(['Software and Configuration Checks/Backdoor:EC2.C&CActivity.B']), [
      'Software and Configuration Checks/Backdoor:EC2.C&CActivity.B',
      'Backdoor:EC2.C&CActivity.B',
      'Backdoor:EC2/C&CActivity.B',
    ]);
  });

  test('filters: type globs and exact names, minimum severity', () => {
    const f = parseEvent(
      guardDutyEvent(h.sim, { type: 'Backdoor:EC2/C&CActivity.B!DNS', instanceId: WEB1, severity: 7.5 }),
    ).findings[0]!;
    assert.equal(filteredOut(f, {}), undefined);
    assert.equal(filteredOut(f, { types: parseTypePatterns('Backdoor:EC2/*') }), undefined);
    assert.equal(
      filteredOut(f, { types: parseTypePatterns(' Trojan:EC2/* , Backdoor:EC2/C&CActivity.B!DNS ') }),
      undefined,
    );
    assert.match(
      filteredOut(f, { types: parseTypePatterns('Backdoor:EC2/C&CActivity.B') })!,
      /not in CORDON_FINDING_TYPES/,
    );
    assert.match(filteredOut(f, { types: parseTypePatterns('Trojan:*,*:IAMUser/*') })!, /not in CORDON_FINDING_TYPES/);
    assert.equal(filteredOut(f, { minSeverity: 7.5 }), undefined);
    assert.match(filteredOut(f, { minSeverity: 8 })!, /severity 7.5 is below CORDON_MIN_SEVERITY 8/);
    assert.equal(parseTypePatterns(' , '), undefined);
    // Regex characters in a type are literal: '.' matches only a dot.
    assert.match(filteredOut(f, { types: parseTypePatterns('Backdoor:EC2/C&CActivityXB!DNS') })!, /not in/);
  });
});

describe('configuration', () => {
  test('env names mirror the CLI flags; defaults: plan, temp state with a warning, no filters', () => {
    assert.equal(envName('noEvidence'), 'CORDON_NO_EVIDENCE');
    assert.equal(envName('allowCidr'), 'CORDON_ALLOW_CIDR');
    const c = readConfig({});
    assert.equal(c.mode, 'plan');
    assert.match(c.warnings[0]!, /CORDON_STATE is not set/);
    assert.deepEqual(c.filter, { types: undefined, minSeverity: undefined });
    assert.deepEqual(c.layers.layers, ['sg']);
    assert.equal(c.playbook.evidence, true);
  });

  test('env and options: playbook and layer flags, s3 state, an event may lower the mode but not raise it', () => {
    const env = {
      CORDON_MODE: 'contain',
      CORDON_STATE: 's3://ir-evidence/cordon/',
      CORDON_LAYERS: 'subnet',
      CORDON_NO_EVIDENCE: 'true',
      CORDON_REVOKE_SESSIONS: '1',
      CORDON_REVOKE_SCOPE: 'role',
      CORDON_MIN_SEVERITY: '7',
      CORDON_FINDING_TYPES: 'Backdoor:EC2/*',
    };
    const c = readConfig(env, { noAsg: true, allowCidr: ['10.99.0.0/24'] });
    assert.equal(c.mode, 'contain');
    assert.equal(c.stateStore, 's3://ir-evidence/cordon/');
    assert.match(c.stateDir, /cordon-state-cache/);
    assert.deepEqual(c.layers.layers, ['sg', 'nacl']);
    assert.deepEqual(c.layers.allowCidrs, ['10.99.0.0/24']);
    assert.equal(c.playbook.evidence, false);
    assert.equal(c.playbook.asg, 'skip');
    assert.equal(c.playbook.revokeScope, 'role');
    assert.equal(c.filter.minSeverity, 7);
    assert.equal(readConfig(env, { mode: 'plan' }).mode, 'plan');
    const up = readConfig({ CORDON_MODE: 'plan' }, { mode: 'contain' });
    assert.equal(up.mode, 'plan');
    assert.ok(up.warnings.some((w) => /only plans/.test(w)));
  });

  test('bad configuration: a clear error, nothing done', () => {
    const bad = (env: Record<string, string>, options?: Record<string, unknown>) => () => readConfig(env, options);
    const isConfig = (re: RegExp) => (e: unknown) =>
      e instanceof CordonError && e.code === 'bad-config' && re.test(e.message);
    assert.throws(bad({ CORDON_MODE: 'yolo' }), isConfig(/CORDON_MODE="yolo"/));
    assert.throws(bad({ CORDON_MIN_SEVERITY: 'high' }), isConfig(/CORDON_MIN_SEVERITY="high"/));
    assert.throws(bad({ CORDON_NO_EVIDENCE: 'maybe' }), isConfig(/CORDON_NO_EVIDENCE="maybe" is not true or false/));
    assert.throws(bad({ CORDON_TOPIC_ARN: 'alerts' }), isConfig(/not an SNS topic ARN/));
    assert.throws(bad({ CORDON_STATE: 'gs://bucket' }), isConfig(/give a directory or s3/));
    assert.throws(bad({ CORDON_LAYERS: 'everything' }), isConfig(/everything/));
    assert.throws(bad({ CORDON_REVOKE_SCOPE: 'role' }), isConfig(/--revoke-scope needs --revoke-sessions/));
    assert.throws(bad({}, { stateDir: '/tmp' }), isConfig(/options.stateDir is not an option/));
    assert.throws(bad({}, { noEvidence: 'yes' }), isConfig(/options.noEvidence must be a boolean/));
  });
});

describe('fan-out grouping', () => {
  test('targets → one Map item per account × region, ids unique, plain ids in the defaults', () => {
    const items = groupForFanOut(
      [
        'arn:aws:ec2:us-east-1:111122223333:instance/i-0aaa00000000000a1',
        'arn:aws:ec2:eu-west-1:444455556666:instance/i-0bbb00000000000e1',
        'i-0aaa00000000000a2',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-0aaa00000000000a1',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-0bbb00000000000a1',
      ],
      { accountId: '111122223333', region: 'us-east-1', roleName: 'cordon-responder', options: { noEvidence: true } },
    );
    assert.deepEqual(
      items.map((i) => [i.accountId, i.region, i.targets]),
      [
        ['111122223333', 'us-east-1', ['i-0aaa00000000000a1', 'i-0aaa00000000000a2']],
        ['444455556666', 'eu-west-1', ['i-0bbb00000000000e1']],
        ['444455556666', 'us-east-1', ['i-0bbb00000000000a1']],
      ],
    );
    assert.ok(items.every((i) => i.roleName === 'cordon-responder' && i.options?.noEvidence === true));
    // Every item is a valid worker input.
    for (const i of items) assert.equal(parseWorkerInput(i).targets.length, i.targets.length);
    assert.throws(() => groupForFanOut(['i-0aaa00000000000a2']), /no default account/);
    assert.throws(
      () => groupForFanOut(['arn:aws:ec2:us-east-1:111122223333:instance/web']),
      /malformed|not an instance/,
    );
  });

  test('worker input: an ARN outside the item’s account or region is refused', () => {
    assert.throws(
      () =>
        parseWorkerInput({
          accountId: '111122223333',
          region: 'us-east-1',
          targets: ['arn:aws:ec2:eu-west-1:111122223333:instance/i-0aaa00000000000e1'],
        }),
      /is not in account 111122223333, region us-east-1/,
    );
    assert.throws(
      () => parseWorkerInput({ accountId: '1111', region: 'us-east-1', targets: ['i-0aaa00000000000a1'] }),
      /12-digit/,
    );
    assert.throws(
      () =>
        parseWorkerInput({
          accountId: '111122223333',
          region: 'us-east-1',
          targets: ['i-0aaa00000000000a1'],
          extra: 1,
        }),
      /unknown field "extra"/,
    );
  });
});
