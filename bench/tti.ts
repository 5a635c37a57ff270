// `npm run bench -- tti [--latency-ms 100] [--runs 3]`: time to isolation. Contains the demo's two-ENI instance on the
// simulator with a fixed per-call latency L, prepared (isolation groups exist) and cold, with the journal local and
// in S3 (`--state s3://…`: the write-ahead record is stored in the simulator's S3 before the first change), and
// prints one JSON line per case: {"latencyMs":100,"prepared":true,"state":"local","isolatedAfterMs":…,
// "roundTrips":…,"extraRoundTrips":…} where isolatedAfterMs is when the last ENI went onto the empty group (from the
// start of contain), roundTrips the sequential EC2 round trips to it, and extraRoundTrips (S3 only) what the S3
// state costs over the local run of the same case, in round trips of L.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startSimulator } from '../src/sim/server.js';
import { createClients } from '../src/aws/clients.js';
import { contain } from '../src/engine/contain.js';
import { prepare } from '../src/engine/prepare.js';
import { options } from './_stats.js';

const INSTANCE = 'i-0c0ffee0000000001';

export default async function tti(args: string[]): Promise<void> {
  const o = options(args, { latencyMs: 100, runs: 3 });
  let localMedian: number | undefined;
  for (const prepared of [true, false])
    for (const state of ['local', 's3'] as const) {
      const samples: { isolatedAfterMs: number; roundTrips: number }[] = [];
      for (let run = 0; run < o.runs; run++) {
        const sim = await startSimulator({ scenario: 'demo' });
        const clients = createClients({
          region: 'us-east-1',
          endpointUrl: sim.endpoint,
          credentials: { accessKeyId: 'AKIADEMORESPONDER01', secretAccessKey: 'sim-secret' },
          maxAttempts: 1,
        });
        try {
          if (prepared) await prepare(clients, ['vpc-0a1b2c3d4e5f60001']);
          if (state === 's3') {
            const s3 = new S3Client({
              region: 'us-east-1',
              endpoint: sim.endpoint,
              forcePathStyle: true,
              credentials: { accessKeyId: 'AKIADEMORESPONDER01', secretAccessKey: 'sim-secret' },
            });
            await s3.send(new CreateBucketCommand({ Bucket: 'cordon-bench' }));
            s3.destroy();
          }
          sim.faults.set({ latency: { fixedMs: o.latencyMs } });
          const r = await contain({
            clients,
            instanceIds: [INSTANCE],
            stateDir: mkdtempSync(join(tmpdir(), 'cordon-bench-')),
            stateStore: state === 's3' ? 's3://cordon-bench/ir' : undefined,
          });
          if (r.instances[0]!.status !== 'contained') throw new Error(`containment ended ${r.instances[0]!.status}`);
          samples.push({ isolatedAfterMs: r.isolatedAfterMs ?? NaN, roundTrips: r.roundTrips });
        } finally {
          clients.destroy();
          await sim.close();
        }
      }
      if (state === 'local') localMedian = undefined;
      const best = samples.reduce((a, b) => (b.isolatedAfterMs < a.isolatedAfterMs ? b : a));
      const median = [...samples].sort((a, b) => a.isolatedAfterMs - b.isolatedAfterMs)[
        Math.floor(samples.length / 2)
      ]!;
      console.log(
        JSON.stringify({
          latencyMs: o.latencyMs,
          prepared,
          state,
          isolatedAfterMs: median.isolatedAfterMs,
          ...(state === 's3' && localMedian !== undefined
            ? { extraRoundTrips: Math.round(((median.isolatedAfterMs - localMedian) / o.latencyMs) * 100) / 100 }
            : {}),
          roundTrips: median.roundTrips,
          bestMs: best.isolatedAfterMs,
          runs: samples.length,
          enis: 2,
        }),
      );
      if (state === 'local') localMedian = median.isolatedAfterMs;
    }
}
