// The crash matrix (run by test/crash/*.test.ts): kill a real `cordon contain` (and `cordon restore`) child process with SIGKILL right after its
// k-th AWS call, for every k of a full containment of the demo's two-ENI instance; then a rerun must converge to the
// contained state, and restore must leave every touched resource described exactly as before (apart from audit tags).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeInstancesCommand, DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { cordonClients, tempStateDir, withoutCordonTags } from '../helpers/cordon.js';
import { runCli } from '../helpers/cli.js';
import { contain } from '../../src/engine/contain.js';
import { restore } from '../../src/engine/restore.js';
import { TAG } from '../../src/core/tags.js';

const WEB1 = 'i-0c0ffee0000000001';
const ENIS = ['eni-0c0ffee0000000001', 'eni-0c0ffee0000000002'];
const ORIGINAL = {
  'eni-0c0ffee0000000001': ['sg-0a1b2c3d4e5f60001', 'sg-0a1b2c3d4e5f60002'],
  'eni-0c0ffee0000000002': ['sg-0a1b2c3d4e5f60003'],
} as Record<string, string[]>;
const CHILD_KEY = 'AKIACRASHCHILD000001';
/** The demo target group's deregistration delay (300 s) and a second. */
const DRAIN_MS = 301_000;

async function describeAll(h: SimHarness) {
  const enis = (await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ENIS })))
    .NetworkInterfaces!;
  const inst = (await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [WEB1] }))).Reservations![0]!
    .Instances![0]!;
  // Restore writes AWS's default conntrack values back explicitly (AWS cannot unset them): compare the rest.
  for (const e of enis) delete e.ConnectionTrackingConfiguration;
  for (const n of inst.NetworkInterfaces ?? []) delete n.ConnectionTrackingConfiguration;
  return withoutCordonTags({ enis, inst });
}

/** Runs the CLI and SIGKILLs it right after its k-th AWS call has been handled. Returns whether it was killed. */
async function killAfter(h: SimHarness, k: number, args: string[]): Promise<boolean> {
  let pid: number | undefined;
  let seen = 0;
  let killed = false;
  h.sim.world.afterCall.push((c) => {
    if (c.accessKeyId !== CHILD_KEY) return;
    if (++seen === k && pid !== undefined) {
      killed = true;
      process.kill(pid, 'SIGKILL');
    }
  });
  const r = await runCli(args, { AWS_ACCESS_KEY_ID: CHILD_KEY }, undefined, (p) => (pid = p));
  if (!killed) assert.equal(r.code, 0, `run without a crash must succeed: ${r.stderr}`);
  return killed;
}

/**
 * The contain matrix for the crash points k = first, first + step, …, until a run ends before its k-th call. The
 * matrix is split across test files (each k is independent: a fresh simulated account), so that no file runs for
 * many minutes on a slow machine.
 */
export function containMatrix(first: number, step: number): void {
  describe(`crash matrix: contain killed after call k = ${first} + ${step}n`, () => {
    let h: SimHarness;
    before(async () => {
      h = await startHarness('demo');
    });
    after(async () => h.close());

    test('every k converges on rerun, and restore is exact', { timeout: 900_000 }, async () => {
      let k = first;
      for (; k < 200; k += step) {
        await h.sim.reset('demo');
        const state = tempStateDir();
        const original = await describeAll(h);
        const killed = await killAfter(h, k, cliArgs('contain', h, state));
        const clients = cordonClients(h.sim);
        try {
          const rerun = await contain({ clients, instanceIds: [WEB1], stateDir: state });
          assert.notEqual(rerun.instances[0]!.status, 'incomplete', `k=${k}: rerun did not converge`);
          const enis = (await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ENIS })))
            .NetworkInterfaces!;
          for (const e of enis) {
            const tag = e.TagSet!.find((t) => t.Key === TAG.originalGroups)?.Value;
            assert.equal(
              tag,
              ORIGINAL[e.NetworkInterfaceId!]!.join(','),
              `k=${k}: ${e.NetworkInterfaceId} recorded original`,
            );
            assert.equal(e.Groups!.length, 1, `k=${k}: one isolation group`);
          }
          h.sim.world.clock.advance(DRAIN_MS); // the Auto Scaling detach waits for the target group to drain
          await restore({ clients, instanceIds: [WEB1], stateDir: state });
          assert.deepEqual(await describeAll(h), original, `k=${k}: restore exact`);
        } finally {
          clients.destroy();
        }
        if (!killed) break; // k went past the last call: this part of the matrix is complete
      }
      assert.ok(k > 5, `a full containment makes more than 5 calls (got ${k - 1})`);
      console.log(`# crash matrix (contain, k = ${first} + ${step}n): up to k = ${k - 1}`);
    });
  });
}

/** The restore matrix: restore killed after its k-th call, for every k. */
export function restoreMatrix(): void {
  describe('crash matrix: restore killed after call k', () => {
    let h: SimHarness;
    before(async () => {
      h = await startHarness('demo');
    });
    after(async () => h.close());

    test('every k converges on rerun to the exact original', { timeout: 900_000 }, async () => {
      let k = 1;
      for (; k < 200; k++) {
        await h.sim.reset('demo');
        const state = tempStateDir();
        const original = await describeAll(h);
        const clients = cordonClients(h.sim);
        try {
          await contain({ clients, instanceIds: [WEB1], stateDir: state });
          h.sim.world.clock.advance(DRAIN_MS);
          const killed = await killAfter(h, k, cliArgs('restore', h, state));
          await restore({ clients, instanceIds: [WEB1], stateDir: state });
          assert.deepEqual(await describeAll(h), original, `k=${k}: restore exact after a crash`);
          if (!killed) break;
        } finally {
          clients.destroy();
        }
      }
      assert.ok(k > 3);
      console.log(`# crash matrix (restore): ${k - 1} crash points`);
    });
  });
}

/** The CLI's arguments for a run of `command` on WEB1 against the harness, with its own state dir. */
function cliArgs(command: 'contain' | 'restore', h: SimHarness, state: string): string[] {
  return [command, WEB1, '--yes', '--endpoint-url', h.endpoint, '--region', 'us-east-1', '--state-dir', state];
}
