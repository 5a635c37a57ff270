// Test helpers for cordon's library API against the simulator.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClients, type AwsClients } from '../../src/aws/clients.js';
import type { Simulator } from '../../src/sim/server.js';

export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'cordon-test-'));
}

export function cordonClients(
  sim: Simulator,
  o: { accessKeyId?: string; region?: string; maxAttempts?: number } = {},
): AwsClients {
  return createClients({
    region: o.region ?? 'us-east-1',
    endpointUrl: sim.endpoint,
    credentials: { accessKeyId: o.accessKeyId ?? 'AKIADEMORESPONDER01', secretAccessKey: 'sim-secret' },
    maxAttempts: o.maxAttempts ?? 3,
  });
}

const MUTATING =
  /^(Create|Delete|Modify|Authorize|Revoke|Replace|Associate|Disassociate|Attach|Detach|Run|Start|Stop|Terminate|Put|Register|Deregister|Enter|Exit|Set|Suspend|Resume|Update)/;

/** The simulator's log of calls that changed something (non-DryRun mutating actions that succeeded). */
export function mutations(sim: Simulator, sinceSeq = 0): { action: string; params: unknown }[] {
  return sim.world.calls
    .filter((c) => c.seq > sinceSeq && !c.dryRun && c.outcome === 'ok' && MUTATING.test(c.action))
    .map((c) => ({ action: c.action, params: c.params }));
}

/** Removes cordon's audit tags (cordon:*) from DescribeX output, recursively, for before/after comparisons. */
export function withoutCordonTags<T>(v: T): T {
  if (Array.isArray(v)) {
    return v
      .filter(
        (x) =>
          !(
            x &&
            typeof x === 'object' &&
            'Key' in x &&
            typeof (x as { Key: unknown }).Key === 'string' &&
            (x as { Key: string }).Key.startsWith('cordon:')
          ),
      )
      .map(withoutCordonTags) as T;
  }
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== '$metadata') o[k] = withoutCordonTags(x);
    return o as T;
  }
  return v;
}
