import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  ModifyNetworkInterfaceAttributeCommand,
  CreateTagsCommand,
} from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startHarness, awsError, clients } from '../helpers/sim.js';
import { control, startSimulatorHarness } from '../helpers/control.js';
import { allServices } from '../../src/sim/services/index.js';
import type { ServiceDef } from '../../src/sim/services/framework.js';
import { ec2Bucket, TokenBuckets } from '../../src/sim/faults/throttle.js';
import type { CallInfo } from '../../src/sim/faults/faults.js';

const WEB2_ENI = 'eni-0c0ffee0000000003';

test('EC2 throttling: the unfiltered DescribeInstances bucket (50, refill 10/s) empties, answers 503 RequestLimitExceeded, and refills with the clock', async () => {
  const h = await startHarness('demo');
  try {
    await control(h.endpoint, 'PUT', '/_sim/clock', { frozen: true });
    const put = await control(h.endpoint, 'PUT', '/_sim/faults', { throttle: { enabled: true } });
    assert.equal(put.status, 200);
    for (let i = 0; i < 50; i++) await h.ec2.send(new DescribeInstancesCommand({}));
    const e = await awsError(() => h.ec2.send(new DescribeInstancesCommand({})));
    assert.equal(e.name, 'RequestLimitExceeded');
    assert.equal(e.status, 503);
    assert.match(e.message, /Request limit exceeded/);

    // Other buckets are untouched: a filtered DescribeInstances, another action.
    const filtered = await h.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] }),
    );
    assert.ok((filtered.Reservations ?? []).length > 0);
    await h.ec2.send(new DescribeNetworkInterfacesCommand({}));

    // One simulated second refills 10 tokens: 10 calls pass, the 11th is throttled again.
    const adv = await control(h.endpoint, 'POST', '/_sim/clock/advance', { seconds: 1 });
    assert.equal(adv.status, 200);
    for (let i = 0; i < 10; i++) await h.ec2.send(new DescribeInstancesCommand({}));
    assert.equal((await awsError(() => h.ec2.send(new DescribeInstancesCommand({})))).name, 'RequestLimitExceeded');

    // Throttled calls are in the call log with their error code; the bucket view shows the empty bucket.
    const calls = await control<{ errorCode?: string; status: number }[]>(
      h.endpoint,
      'GET',
      '/_sim/calls?action=DescribeInstances&outcome=error',
    );
    assert.equal(calls.body.length, 2);
    assert.deepEqual(
      calls.body.map((c) => [c.errorCode, c.status]),
      [
        ['RequestLimitExceeded', 503],
        ['RequestLimitExceeded', 503],
      ],
    );
    const buckets = await control<{ key: string; tokens: number; max: number; refill: number }[]>(
      h.endpoint,
      'GET',
      '/_sim/faults/buckets',
    );
    const b = buckets.body.find((x) => x.key === '111122223333/us-east-1/ec2/DescribeInstances#unfiltered');
    assert.deepEqual(b && [b.tokens, b.max, b.refill], [0, 50, 10]);
  } finally {
    await h.close();
  }
});

test('EC2 throttling: scale shrinks ModifyNetworkInterfaceAttribute (100, refill 5/s) and fractional refills add up', async () => {
  const h = await startHarness('demo');
  try {
    h.sim.world.clock.freeze(true);
    await control(h.endpoint, 'PUT', '/_sim/faults', { throttle: { enabled: true, scale: 0.1 } });
    const modify = () =>
      h.ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: WEB2_ENI, Description: { Value: 'x' } }),
      );
    for (let i = 0; i < 10; i++) await modify();
    assert.equal((await awsError(modify)).name, 'RequestLimitExceeded');
    await control(h.endpoint, 'POST', '/_sim/clock/advance', { seconds: 1 }); // +0.5 token
    assert.equal((await awsError(modify)).name, 'RequestLimitExceeded');
    await control(h.endpoint, 'POST', '/_sim/clock/advance', { seconds: 1 }); // +0.5 token = 1
    await modify();
    assert.equal((await awsError(modify)).name, 'RequestLimitExceeded');
  } finally {
    await h.close();
  }
});

test('EC2 throttling is per account and region: another region of the same key has its own bucket', async () => {
  const h = await startHarness('multi-account', { accessKeyId: 'AKIAMULTIPRIMARY001' });
  const eu = clients(h.endpoint, { region: 'eu-west-1', accessKeyId: 'AKIAMULTIPRIMARY001' });
  try {
    h.sim.world.clock.freeze(true);
    await control(h.endpoint, 'PUT', '/_sim/faults', {
      throttle: { enabled: true, overrides: { CreateTags: { max: 2, refill: 1 } } },
    });
    const tag = (c: typeof h.ec2, id: string) =>
      c.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'k', Value: 'v' }] }));
    const usInstance = (await h.ec2.send(new DescribeInstancesCommand({}))).Reservations![0]!.Instances![0]!
      .InstanceId!;
    const euInstance = (await eu.ec2.send(new DescribeInstancesCommand({}))).Reservations![0]!.Instances![0]!
      .InstanceId!;
    await tag(h.ec2, usInstance);
    await tag(h.ec2, usInstance);
    assert.equal((await awsError(() => tag(h.ec2, usInstance))).name, 'RequestLimitExceeded');
    await tag(eu.ec2, euInstance);
    await tag(eu.ec2, euInstance);
    assert.equal((await awsError(() => tag(eu.ec2, euInstance))).name, 'RequestLimitExceeded');
  } finally {
    eu.ec2.destroy();
    await h.close();
  }
});

/** A stand-in STS (awsQuery) so the awsQuery fault path is tested whatever STS actions exist. */
const testSts: ServiceDef = {
  signingName: 'sts',
  apiVersion: '2011-06-15',
  protocol: 'query',
  xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
  iamPrefix: 'sts',
  global: true,
  actions: {
    GetCallerIdentity: (ctx) => ({ UserId: ctx.principal.userId, Account: ctx.accountId, Arn: ctx.principal.arn }),
  },
};

test('awsQuery services answer Throttling (400) when their bucket is empty, and a fault rule fails the Nth call', async () => {
  const h = await startSimulatorHarness({
    scenario: 'demo',
    services: [...allServices.filter((s) => s.signingName !== 'sts'), testSts],
  });
  try {
    h.sim.world.clock.freeze(true);
    await control(h.endpoint, 'PUT', '/_sim/faults', {
      throttle: { enabled: true, overrides: { GetCallerIdentity: { max: 2, refill: 1 } } },
    });
    const who = await h.sts.send(new GetCallerIdentityCommand({}));
    assert.equal(who.Account, '111122223333');
    await h.sts.send(new GetCallerIdentityCommand({}));
    const e = await awsError(() => h.sts.send(new GetCallerIdentityCommand({})));
    assert.deepEqual([e.name, e.status, e.message], ['Throttling', 400, 'Rate exceeded']);

    await control(h.endpoint, 'PUT', '/_sim/faults', {
      failNth: [{ action: 'GetCallerIdentity', nth: 2, code: 'internal' }],
    });
    await h.sts.send(new GetCallerIdentityCommand({}));
    const f = await awsError(() => h.sts.send(new GetCallerIdentityCommand({})));
    assert.deepEqual([f.name, f.status], ['InternalFailure', 500]);
    await h.sts.send(new GetCallerIdentityCommand({}));
  } finally {
    await h.close();
  }
});

test('failNth fails exactly the chosen calls of one action (or of all calls with "*")', async () => {
  const h = await startHarness('demo');
  try {
    await control(h.endpoint, 'PUT', '/_sim/faults', {
      failNth: [{ action: 'DescribeInstances', nth: 2, times: 2, code: 'InvalidInstanceID.NotFound', message: 'gone' }],
    });
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(
        await h.ec2.send(new DescribeInstancesCommand({})).then(
          () => 'ok',
          (e: Error & { $metadata: { httpStatusCode: number } }) =>
            `${e.name}/${e.$metadata.httpStatusCode}/${e.message}`,
        ),
      );
    }
    assert.deepEqual(outcomes, [
      'ok',
      'InvalidInstanceID.NotFound/400/gone',
      'InvalidInstanceID.NotFound/400/gone',
      'ok',
    ]);

    await control(h.endpoint, 'PUT', '/_sim/faults', { failNth: [{ action: '*', nth: 2, code: 'unavailable' }] });
    await h.ec2.send(new DescribeNetworkInterfacesCommand({}));
    const e = await awsError(() => h.ec2.send(new DescribeInstancesCommand({})));
    assert.deepEqual([e.name, e.status], ['ServiceUnavailable', 503]);
    await h.ec2.send(new DescribeInstancesCommand({}));
  } finally {
    await h.close();
  }
});

test("a seeded 30% failure rate is survived by the SDK's default retries; the failures are real and repeatable", async () => {
  const faults = {
    failRate: { rate: 0.3, codes: [{ code: 'throttle' }, { code: 'internal' }, { code: 'unavailable' }], seed: 3 },
  };
  const runOnce = async (): Promise<string[]> => {
    const h = await startHarness('demo', { maxAttempts: 3 });
    try {
      await control(h.endpoint, 'PUT', '/_sim/faults', faults);
      for (let i = 0; i < 12; i++) {
        const r = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0c0ffee0000000001'] }));
        assert.equal(r.Reservations?.[0]?.Instances?.[0]?.InstanceId, 'i-0c0ffee0000000001');
      }
      const calls = await control<{ errorCode?: string }[]>(h.endpoint, 'GET', '/_sim/calls?action=DescribeInstances');
      return calls.body.map((c) => c.errorCode ?? 'ok');
    } finally {
      await h.close();
    }
  };
  const first = await runOnce();
  const errors = first.filter((c) => c !== 'ok');
  assert.ok(errors.length >= 2, `expected injected failures, got ${first.join(',')}`);
  assert.equal(first.length, 12 + errors.length);
  for (const c of errors) assert.ok(['RequestLimitExceeded', 'InternalError', 'ServiceUnavailable'].includes(c), c);
  assert.deepEqual(await runOnce(), first, 'the same seed gives the same sequence');
});

test('latency: fixed, per action and spikes delay the answer (lower bounds only)', async () => {
  const h = await startHarness('demo');
  try {
    await control(h.endpoint, 'PUT', '/_sim/faults', {
      latency: { fixedMs: 120, perAction: { DescribeInstances: 250 } },
    });
    let t = performance.now();
    await h.ec2.send(new DescribeNetworkInterfacesCommand({}));
    assert.ok(performance.now() - t >= 110, 'fixed latency applied');
    t = performance.now();
    await h.ec2.send(new DescribeInstancesCommand({}));
    assert.ok(performance.now() - t >= 240, 'per-action latency applied');

    await control(h.endpoint, 'PUT', '/_sim/faults', { latency: { spikeProbability: 1, spikeMs: 200 } });
    t = performance.now();
    await h.ec2.send(new DescribeNetworkInterfacesCommand({}));
    assert.ok(performance.now() - t >= 190, 'spike applied');
    const log = await control<{ durationMs: number }[]>(h.endpoint, 'GET', '/_sim/calls?limit=1');
    assert.ok(log.body[0]!.durationMs >= 190, 'the call log records the delay');
  } finally {
    await h.close();
  }
});

test('fault configurations are validated: a bad one is refused with the path of the bad field and changes nothing', async () => {
  const h = await startHarness('demo');
  try {
    await control(h.endpoint, 'PUT', '/_sim/faults', { latency: { fixedMs: 5 } });
    const bad = await control<{ error: string }>(h.endpoint, 'PUT', '/_sim/faults', {
      failRate: { rate: 2 },
      failNth: [{ action: 'Describe Instances', nth: 0, code: 'x' }],
      latncy: {},
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /failRate\.rate: /);
    assert.match(bad.body.error, /failNth\[0\]\.action: must be an API action name/);
    assert.match(bad.body.error, /failNth\[0\]\.nth: /);
    assert.match(bad.body.error, /latncy/);
    const now = await control(h.endpoint, 'GET', '/_sim/faults');
    assert.equal(now.body.latency.fixedMs, 5);
    const del = await control(h.endpoint, 'DELETE', '/_sim/faults');
    assert.equal(del.status, 200);
    assert.deepEqual((await control(h.endpoint, 'GET', '/_sim/faults')).body, { failNth: [] });
  } finally {
    await h.close();
  }
});

test('start-up faults (startSimulator({ faults })) are in force and come back after a reset', async () => {
  const h = await startSimulatorHarness({
    scenario: 'demo',
    faults: { failNth: [{ action: 'DescribeInstances', nth: 1, code: 'throttle' }] },
  });
  try {
    assert.equal((await awsError(() => h.ec2.send(new DescribeInstancesCommand({})))).name, 'RequestLimitExceeded');
    await h.ec2.send(new DescribeInstancesCommand({}));
    await control(h.endpoint, 'DELETE', '/_sim/faults');
    assert.equal((await control(h.endpoint, 'POST', '/_sim/reset')).status, 200);
    assert.equal((await awsError(() => h.ec2.send(new DescribeInstancesCommand({})))).name, 'RequestLimitExceeded');
  } finally {
    await h.close();
  }
});

test('bucket table follows aws-api-semantics.md §2.1', () => {
  const cases: [string, Record<string, unknown>, [number, number]][] = [
    ['DescribeInstances', {}, [50, 10]],
    ['DescribeInstances', { Filter: [] }, [100, 20]],
    ['DescribeInstances', { MaxResults: '5' }, [100, 20]],
    ['DescribeInstances', { InstanceId: ['i-1'] }, [100, 20]],
    ['DescribeVolumes', {}, [50, 10]],
    ['DescribeSubnets', {}, [100, 20]],
    ['DescribeRouteTables', {}, [100, 20]],
    ['ModifyNetworkInterfaceAttribute', {}, [100, 5]],
    ['ModifyInstanceAttribute', {}, [50, 5]],
    ['CreateTags', {}, [100, 10]],
    ['RunInstances', {}, [5, 2]],
    ['StopInstances', {}, [50, 5]],
    ['TerminateInstances', {}, [100, 5]],
    ['RevokeSecurityGroupIngress', {}, [50, 5]],
    ['ModifyInstanceMetadataDefaults', {}, [2, 2]],
    ['CreateVpcEndpoint', {}, [4, 0.3]],
    ['CopyImage', {}, [100, 1]],
  ];
  for (const [action, params, size] of cases) assert.deepEqual(ec2Bucket(action, params).size, size, action);
});

test('resource buckets spend one token per instance for Stop/Terminate/Start/RunInstances', () => {
  let now = 0;
  const b = new TokenBuckets(() => now, { enabled: true, overrides: { StopInstances: { max: 1000, refill: 1000 } } });
  const stop = (n: number): CallInfo => ({
    service: 'ec2',
    action: 'StopInstances',
    accountId: 'a',
    regionName: 'r',
    protocol: 'ec2',
    params: { InstanceId: Array.from({ length: n }, (_, i) => `i-${i}`) },
  });
  assert.deepEqual(b.take(stop(600)), { ok: true });
  assert.deepEqual(b.take(stop(400)), { ok: true });
  assert.deepEqual(b.take(stop(1)), { ok: false, kind: 'resource' });
  now += 1000; // +20 resource tokens
  assert.deepEqual(b.take(stop(20)), { ok: true });
  assert.deepEqual(b.take(stop(1)), { ok: false, kind: 'resource' });
  const run: CallInfo = {
    service: 'ec2',
    action: 'RunInstances',
    accountId: 'a',
    regionName: 'r',
    protocol: 'ec2',
    params: { MinCount: '1', MaxCount: '3' },
  };
  for (let i = 0; i < 5; i++) assert.deepEqual(b.take(run), { ok: true });
  assert.deepEqual(b.take(run), { ok: false, kind: 'request' });
});
