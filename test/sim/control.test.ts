import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeInstancesCommand,
  ModifyNetworkInterfaceAttributeCommand,
  CreateTagsCommand,
} from '@aws-sdk/client-ec2';
import { startHarness, clients, tinyScenario, awsError } from '../helpers/sim.js';
import { control } from '../helpers/control.js';
import { registerControlRoute } from '../../src/sim/control.js';

const WEB1 = 'i-0c0ffee0000000001';
const WEB2_ENI = 'eni-0c0ffee0000000003';

test('health and state: the dump shows the scenario and reflects changes made through the SDK', async () => {
  const h = await startHarness('demo');
  try {
    const health = await control(h.endpoint, 'GET', '/_sim/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.ok, true);
    assert.equal(health.body.scenario, 'demo');
    assert.equal(health.body.endpoint, h.endpoint);
    assert.ok(!Number.isNaN(Date.parse(health.body.time)));

    await h.ec2.send(new CreateTagsCommand({ Resources: [WEB1], Tags: [{ Key: 'incident', Value: 'IR-7' }] }));
    const state = await control(h.endpoint, 'GET', '/_sim/state');
    assert.equal(state.status, 200);
    assert.equal(state.body.scenario, 'demo');
    assert.equal(state.body.defaultAccountId, '111122223333');
    const web1 = state.body.accounts['111122223333'].regions['us-east-1'].ec2.instances[WEB1];
    assert.equal(web1.tags.incident, 'IR-7');

    const scen = await control(h.endpoint, 'GET', '/_sim/scenarios');
    assert.ok(
      scen.body.bundled.includes('demo') &&
        scen.body.bundled.includes('minimal') &&
        scen.body.bundled.includes('multi-account'),
    );
  } finally {
    await h.close();
  }
});

test('call log: filters by since, action and accessKeyId; summary counts per action and mutating vs not; clear keeps sequence numbers growing', async () => {
  const h = await startHarness('demo');
  const auditor = clients(h.endpoint, { accessKeyId: 'AKIADEMOREADONLY001' });
  try {
    await h.ec2.send(new DescribeInstancesCommand({}));
    await h.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: WEB2_ENI, Description: { Value: 'a' } }),
    );
    await awsError(() =>
      h.ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: WEB2_ENI,
          Description: { Value: 'b' },
          DryRun: true,
        }),
      ),
    );
    await auditor.ec2.send(new DescribeInstancesCommand({ InstanceIds: [WEB1] }));
    const denied = await awsError(() =>
      auditor.ec2.send(new CreateTagsCommand({ Resources: [WEB1], Tags: [{ Key: 'k', Value: 'v' }] })),
    );
    assert.equal(denied.name, 'UnauthorizedOperation');

    const all = await control<
      {
        seq: number;
        action: string;
        accessKeyId: string;
        dryRun: boolean;
        outcome: string;
        params: Record<string, unknown>;
      }[]
    >(h.endpoint, 'GET', '/_sim/calls');
    assert.deepEqual(
      all.body.map((c) => c.action),
      [
        'DescribeInstances',
        'ModifyNetworkInterfaceAttribute',
        'ModifyNetworkInterfaceAttribute',
        'DescribeInstances',
        'CreateTags',
      ],
    );
    assert.deepEqual(
      all.body.map((c) => c.seq),
      [1, 2, 3, 4, 5],
    );
    assert.equal(all.body[2]!.dryRun, true);
    assert.deepEqual(all.body[3]!.params.InstanceId, [WEB1]);
    assert.equal(all.body[0]!.params.Action, undefined, 'Action and Version are not repeated in params');

    const since = await control<{ seq: number }[]>(h.endpoint, 'GET', '/_sim/calls?since=3');
    assert.deepEqual(
      since.body.map((c) => c.seq),
      [4, 5],
    );
    const byAction = await control<{ seq: number }[]>(h.endpoint, 'GET', '/_sim/calls?action=DescribeInstances');
    assert.deepEqual(
      byAction.body.map((c) => c.seq),
      [1, 4],
    );
    const byKey = await control<{ seq: number; outcome: string }[]>(
      h.endpoint,
      'GET',
      '/_sim/calls?accessKeyId=AKIADEMOREADONLY001',
    );
    assert.deepEqual(
      byKey.body.map((c) => [c.seq, c.outcome]),
      [
        [4, 'ok'],
        [5, 'error'],
      ],
    );
    assert.equal((await control(h.endpoint, 'GET', '/_sim/calls?since=abc')).status, 400);

    const sum = await control(h.endpoint, 'GET', '/_sim/calls/summary');
    assert.equal(sum.body.total, 5);
    assert.equal(sum.body.mutating, 2); // one Modify + one (denied) CreateTags; the DryRun is counted apart
    assert.equal(sum.body.dryRun, 1);
    assert.equal(sum.body.nonMutating, 2);
    assert.equal(sum.body.errors, 2);
    assert.deepEqual(sum.body.byAction['ec2:ModifyNetworkInterfaceAttribute'], {
      calls: 2,
      errors: 1,
      dryRun: 1,
      mutating: true,
      errorCodes: { DryRunOperation: 1 },
    });
    assert.deepEqual(sum.body.byAction['ec2:DescribeInstances'], {
      calls: 2,
      errors: 0,
      dryRun: 0,
      mutating: false,
      errorCodes: {},
    });
    const sumSince = await control(h.endpoint, 'GET', '/_sim/calls/summary?since=4');
    assert.equal(sumSince.body.total, 1);

    const cleared = await control(h.endpoint, 'DELETE', '/_sim/calls');
    assert.deepEqual(cleared.body, { ok: true, cleared: 5 });
    assert.deepEqual((await control(h.endpoint, 'GET', '/_sim/calls')).body, []);
    await h.ec2.send(new DescribeInstancesCommand({}));
    const after = await control<{ seq: number }[]>(h.endpoint, 'GET', '/_sim/calls?since=5');
    assert.deepEqual(
      after.body.map((c) => c.seq),
      [6],
      'sequence numbers keep growing after a clear',
    );
  } finally {
    auditor.ec2.destroy();
    await h.close();
  }
});

test('reset restores the scenario; a scenario loads by name, by path and inline; a bad one is refused with its validation message and changes nothing', async () => {
  const h = await startHarness('demo');
  try {
    await h.ec2.send(new CreateTagsCommand({ Resources: [WEB1], Tags: [{ Key: 'incident', Value: 'IR-7' }] }));
    const r = await control(h.endpoint, 'POST', '/_sim/reset');
    assert.deepEqual([r.status, r.body.ok, r.body.scenario], [200, true, 'demo']);
    const web1 = (await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [WEB1] }))).Reservations![0]!
      .Instances![0]!;
    assert.equal(
      web1.Tags?.find((t) => t.Key === 'incident'),
      undefined,
      'the tag is gone after reset',
    );
    assert.equal((await control(h.endpoint, 'GET', '/_sim/calls')).body.length, 1, 'the call log restarts');

    const byName = await control(h.endpoint, 'POST', '/_sim/reset', { scenario: 'minimal' });
    assert.equal(byName.body.scenario, 'minimal');
    const ids = (await h.ec2.send(new DescribeInstancesCommand({}))).Reservations!.flatMap((x) =>
      x.Instances!.map((i) => i.InstanceId),
    );
    assert.deepEqual(ids, ['i-0d0000000000000a1']);
    // A plain reset now reloads the scenario loaded last.
    assert.equal((await control(h.endpoint, 'POST', '/_sim/reset')).body.scenario, 'minimal');

    const inline = await control(h.endpoint, 'POST', '/_sim/scenario', { scenario: tinyScenario() });
    assert.equal(inline.body.scenario, 'tiny');
    const dir = mkdtempSync(join(tmpdir(), 'cordon-ctl-'));
    const file = join(dir, 'file-scenario.json');
    writeFileSync(file, JSON.stringify({ ...tinyScenario(), name: 'from-file' }));
    assert.equal((await control(h.endpoint, 'POST', '/_sim/reset', { scenario: file })).body.scenario, 'from-file');

    const badInline = await control<{ error: string }>(h.endpoint, 'POST', '/_sim/reset', {
      scenario: { name: 'x', accounts: [{ id: '12', regions: [] }] },
    });
    assert.equal(badInline.status, 400);
    assert.match(badInline.body.error, /accounts\[0\]\.id: must be a 12-digit AWS account id/);
    const badRef = await control<{ error: string }>(h.endpoint, 'POST', '/_sim/reset', {
      scenario: tinyScenario({ instances: [{ name: 'b', subnet: 'nope', securityGroups: ['app'] }] }),
    });
    assert.equal(badRef.status, 400);
    assert.match(badRef.body.error, /accounts\[0\]\.regions\[0\]\.instances\[0\]\.subnet: unknown subnet "nope"/);
    const badName = await control<{ error: string }>(h.endpoint, 'POST', '/_sim/reset', {
      scenario: 'no-such-scenario',
    });
    assert.equal(badName.status, 400);
    assert.match(badName.body.error, /not found.*demo/);
    assert.equal((await control(h.endpoint, 'POST', '/_sim/scenario', {})).status, 400);
    assert.equal((await control(h.endpoint, 'POST', '/_sim/reset', { scenario: 'demo', extra: 1 })).status, 400);
    assert.equal(
      (await control(h.endpoint, 'GET', '/_sim/health')).body.scenario,
      'from-file',
      'failed loads left the world alone',
    );
    assert.equal(
      (await control(h.endpoint, 'POST', '/_sim/reset')).body.scenario,
      'from-file',
      'and the scenario to reset to',
    );
  } finally {
    await h.close();
  }
});

test('clock: get, advance (seconds or ms), freeze; bad bodies are refused', async () => {
  const h = await startHarness('demo');
  try {
    const frozen = await control(h.endpoint, 'PUT', '/_sim/clock', { frozen: true });
    assert.equal(frozen.status, 200);
    const t0 = (await control(h.endpoint, 'GET', '/_sim/clock')).body.epochMs as number;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await control(h.endpoint, 'GET', '/_sim/clock')).body.epochMs, t0, 'a frozen clock does not move');
    const adv = await control(h.endpoint, 'POST', '/_sim/clock/advance', { seconds: 3600 });
    assert.equal(adv.body.epochMs, t0 + 3_600_000);
    assert.equal(adv.body.now, new Date(t0 + 3_600_000).toISOString());
    assert.equal((await control(h.endpoint, 'POST', '/_sim/clock/advance', { ms: 500 })).body.epochMs, t0 + 3_600_500);
    for (const bad of [{}, { seconds: -1 }, { seconds: '5' }, [1]]) {
      const r = await control<{ error: string }>(h.endpoint, 'POST', '/_sim/clock/advance', bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.match(r.body.error, Array.isArray(bad) ? /must be a JSON object/ : /"seconds": <non-negative number>/);
    }
    assert.equal((await control(h.endpoint, 'PUT', '/_sim/clock', { frozen: 'yes' })).status, 400);
    // The SDK sees the simulated time: a new tag-free describe still works and the clock is what the dump reports.
    assert.equal((await control(h.endpoint, 'GET', '/_sim/state')).body.time, new Date(t0 + 3_600_500).toISOString());
  } finally {
    await h.close();
  }
});

test('faults through the control API: get, put, delete', async () => {
  const h = await startHarness('demo');
  try {
    assert.deepEqual((await control(h.endpoint, 'GET', '/_sim/faults')).body, { failNth: [] });
    const put = await control(h.endpoint, 'PUT', '/_sim/faults', {
      failNth: [{ action: 'DescribeInstances', nth: 1, code: 'throttle' }],
    });
    assert.equal(put.status, 200);
    assert.deepEqual(put.body.failNth, [
      { action: 'DescribeInstances', nth: 1, times: 1, afterEffect: false, code: 'throttle' },
    ]);
    assert.equal((await awsError(() => h.ec2.send(new DescribeInstancesCommand({})))).name, 'RequestLimitExceeded');
    await control(h.endpoint, 'PUT', '/_sim/faults', {
      failNth: [{ action: 'DescribeInstances', nth: 1, code: 'throttle' }],
    });
    assert.equal((await control(h.endpoint, 'DELETE', '/_sim/faults')).status, 200);
    await h.ec2.send(new DescribeInstancesCommand({}));
  } finally {
    await h.close();
  }
});

test('unknown routes, wrong methods and bad JSON get JSON errors', async () => {
  const h = await startHarness('demo');
  try {
    const nf = await control<{ error: string }>(h.endpoint, 'GET', '/_sim/nope');
    assert.equal(nf.status, 404);
    assert.match(nf.body.error, /GET \/_sim\/health/);
    const wm = await control<{ error: string }>(h.endpoint, 'POST', '/_sim/state');
    assert.equal(wm.status, 405);
    assert.match(wm.body.error, /use GET/);
    const bad = await control<{ error: string }>(h.endpoint, 'PUT', '/_sim/faults', '{not json');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /not valid JSON/);
    const pretty = await fetch(`${h.endpoint}/_sim/health?pretty`);
    assert.match(await pretty.text(), /\n {2}"ok": true/);

    // A route that fails unexpectedly answers 500 with JSON, and the simulator carries on.
    registerControlRoute('GET', '/_sim/test-failure', () => {
      throw new TypeError('route bug');
    });
    const originalError = console.error;
    console.error = () => undefined;
    try {
      const boom = await control<{ error: string }>(h.endpoint, 'GET', '/_sim/test-failure');
      assert.equal(boom.status, 500);
      assert.match(boom.body.error, /internal error: route bug/);
    } finally {
      console.error = originalError;
    }
    assert.equal((await control(h.endpoint, 'GET', '/_sim/health')).status, 200);
  } finally {
    await h.close();
  }
});
