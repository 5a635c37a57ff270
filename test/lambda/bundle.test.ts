// The bundle the Lambda runs (npm run build:lambda → dist/lambda/index.mjs): built here into a temp folder by the
// same script, imported, and its handler and workerHandler called against the simulator — the bundled AWS SDK
// talking over HTTP, the plan published to SNS, a contain through the worker.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { mutations, tempStateDir } from '../helpers/cordon.js';
import type * as LambdaModule from '../../src/lambda/index.js';
import { demoWithTopic, enis, parts, published, TOPIC } from './helpers.js';
import { ACCOUNT, REGION, WEB1, WEB2, guardDutyEvent } from './events.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/build-lambda.mjs', import.meta.url));

describe('the Lambda bundle', () => {
  let h: SimHarness;
  let bundle: typeof LambdaModule;
  before(async () => {
    const out = join(tempStateDir(), 'index.mjs');
    const r = spawnSync(process.execPath, [SCRIPT, out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /index\.mjs: \d+ KiB/);
    assert.ok(existsSync(`${out}.map`), 'an external source map');
    assert.ok(statSync(out).size < 3 * 1024 * 1024, 'a bundle under 3 MiB');
    h = await startHarness(demoWithTopic());
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIADEMORESPONDER01',
      AWS_SECRET_ACCESS_KEY: 'sim-secret',
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL: h.endpoint,
      CORDON_STATE: tempStateDir(),
      CORDON_TOPIC_ARN: TOPIC,
    });
    bundle = (await import(pathToFileURL(out).href)) as typeof LambdaModule;
  });
  after(async () => h?.close());

  test('handler (plan mode): the plan, nothing changed, the message published', async () => {
    const r = await bundle.handler(
      guardDutyEvent(h.sim, { type: 'Backdoor:EC2/C&CActivity.B!DNS', instanceId: WEB1, severity: 8 }),
      {
        getRemainingTimeInMillis: () => 600_000,
        awsRequestId: 'req-1',
      },
    );
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.mode, 'plan');
    assert.equal(r.plan!.instances[0]!.instanceId, WEB1);
    assert.deepEqual(mutations(h.sim, 0), []);
    const [m] = (await published(h)).map(parts);
    assert.equal(m!.outcome, 'planned');
  });

  test('workerHandler (contain): the instance contained', async () => {
    process.env.CORDON_MODE = 'contain';
    try {
      const o = await bundle.workerHandler({
        accountId: ACCOUNT,
        region: REGION,
        targets: [WEB2],
        options: { noEvidence: true },
      });
      assert.equal(o.error, undefined, JSON.stringify(o.error));
      assert.deepEqual(
        o.instances.map((i) => i.status),
        ['contained'],
      );
      for (const e of enis(h, WEB2)) assert.deepEqual(e.roles, ['isolation-empty']);
    } finally {
      delete process.env.CORDON_MODE;
    }
  });
});
