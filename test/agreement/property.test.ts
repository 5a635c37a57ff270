// Property-based agreement (generators.ts, property.ts): random worlds, flows and containment steps on the simulator;
// `verify` must never call cut what the data plane lets through, must call open every class a new flow gets into,
// and every example it gives must open. A fixed seed and a few cases here (fast-check shrinks a failure to a small
// case); `npm run bench -- agreement --seeds 1000` runs many more.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EC2Client } from '@aws-sdk/client-ec2';
import { startSimulator, type Simulator } from '../../src/sim/server.js';
import { caseArb } from './generators.js';
import { checkCase, env, runSeeds, type Env } from './property.js';

let sim: Simulator;
let e: Env;

before(async () => {
  sim = await startSimulator({ scenario: 'minimal' });
  const ec2 = new EC2Client({
    endpoint: sim.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIADEMORESPONDER01', secretAccessKey: 'sim-secret' },
    maxAttempts: 1,
  });
  e = env(sim, ec2);
});

after(async () => {
  e.ec2.destroy();
  e.clients.destroy();
  await sim.close();
});

test('random worlds, flows and containment steps: verify is sound and its examples open (fixed seed)', async () => {
  let alive = 0;
  let examples = 0;
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      const r = await checkCase(e, c);
      alive += r.alive;
      examples += r.examples;
      assert.deepEqual([...r.soundness, ...r.completeness], [], 'verify and the data plane disagree');
    }),
    { seed: 20260614, numRuns: 8, interruptAfterTimeLimit: 120_000 },
  );
  // The run must have had something to check: live flows held to verdicts, and examples opened.
  assert.ok(alive >= 20, `only ${alive} live flows were checked`);
  assert.ok(examples >= 50, `only ${examples} examples were opened`);
});

test('the bench runner counts seeds, flows and disagreements the same way', async () => {
  const r = await runSeeds({ seeds: 2, from: 7 });
  assert.equal(r.seeds, 2);
  assert.ok(r.flows > 0 && r.examples > 0);
  assert.deepEqual(r.failures, []);
  assert.equal(r.soundness + r.completeness, 0);
});
