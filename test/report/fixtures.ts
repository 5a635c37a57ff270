// Real runs for the report tests: a `cordon lab --report` (the CLI, as a child process) and a fleet contained on the
// simulator through the real SDK, with one instance left incomplete, some throttled answers and an attacker-written
// error message. Plus an independent reading of what they recorded, to check the report against.

import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startHarness } from '../helpers/sim.js';
import { tempStateDir } from '../helpers/cordon.js';
import { createClients } from '../../src/aws/clients.js';
import { contain } from '../../src/engine/contain.js';
import { prepare } from '../../src/engine/prepare.js';
import { FLEET_ACCESS_KEY, fleetEniId, fleetEnis, fleetInstanceId } from '../../src/sim/scenarios/fleet.js';
import type { CallsRecord, VerifyRecord } from '../../src/engine/records.js';

export const HOSTILE = '<script>alert(1)</script>';

export interface LabRun {
  stateDir: string;
  incident: string;
  report: string;
  out: { instanceId: string; flowsAfter: { name?: string; id: string; alive: boolean }[] };
}

export async function labRun(): Promise<LabRun> {
  const stateDir = tempStateDir();
  const r = await runCli(['lab', '--output', 'json', '--latency-ms', '0', '--state-dir', stateDir, '--report']);
  if (r.code !== 0) throw new Error(`cordon lab failed (${r.code}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as LabRun['out'] & { report: string; result: { incident: string } };
  return { stateDir, incident: out.result.incident, report: out.report, out };
}

export interface FleetRun {
  stateDir: string;
  incident: string;
  ids: string[];
  /** The instance whose ENI could not be moved to the empty group: incomplete. */
  victim: string;
  victimEni: string;
}

/** n instances (evidence on); the second swap of one ENI fails for good, with a hostile message; 3 throttled answers. */
export async function fleetRun(n = 24): Promise<FleetRun> {
  const h = await startHarness(`fleet-${n}`);
  const clients = createClients({
    region: 'us-east-1',
    endpointUrl: h.endpoint,
    credentials: { accessKeyId: FLEET_ACCESS_KEY, secretAccessKey: 'x' },
    maxAttempts: 5,
  });
  try {
    const empty = (await prepare(clients, 'all')).vpcs[0]!.empty.groupId;
    const k = n - 3;
    const victimEni = fleetEniId(k, 0);
    h.sim.faults.set({
      failNth: [
        {
          action: 'ModifyNetworkInterfaceAttribute',
          nth: 1,
          times: 100,
          match: { NetworkInterfaceId: victimEni, SecurityGroupId: empty },
          code: 'InvalidParameterValue',
          message: HOSTILE,
        },
        { action: 'DescribeInstanceAttribute', nth: 2, times: 3, code: 'RequestLimitExceeded' },
      ],
    });
    const ids = Array.from({ length: n }, (_, i) => fleetInstanceId(i));
    const stateDir = tempStateDir();
    const r = await contain({ clients, instanceIds: ids, stateDir });
    return { stateDir, incident: r.incident, ids, victim: fleetInstanceId(k), victimEni };
  } finally {
    clients.destroy();
    await h.close();
  }
}

export const enisOf = (k: number): string[] => Array.from({ length: fleetEnis(k) }, (_, d) => fleetEniId(k, d));

/** What the run recorded, read here without the report's code. */
export function recorded(stateDir: string, incident: string) {
  const dir = join(stateDir, 'records', incident);
  const lines = <T>(f: string): T[] =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as T);
  const verify = lines<VerifyRecord>('verify.jsonl');
  const calls = lines<CallsRecord>('calls.jsonl').flatMap((c) => c.calls);
  /** ENIs per (side, direction, kind, verdict) over every instance, before or after. */
  const counts = (when: 'before' | 'after'): Map<string, number> => {
    const m = new Map<string, number>();
    for (const r of verify.filter((x) => x.when === when))
      for (const e of r.report.enis)
        for (const c of e.classes) {
          const key = `${c.side}|${c.direction}|${c.kind}|${c.verdict}`;
          m.set(key, (m.get(key) ?? 0) + 1);
        }
    return m;
  };
  const evidence = join(stateDir, 'evidence', incident);
  /** Every evidence file with its SHA-256, hashed here. */
  const files = readdirSync(evidence).flatMap((instanceId) =>
    readdirSync(join(evidence, instanceId))
      .filter((f) => f !== 'manifest.json' && f !== 'SHA256SUMS')
      .map((file) => ({
        instanceId,
        file,
        sha256: createHash('sha256')
          .update(readFileSync(join(evidence, instanceId, file)))
          .digest('hex'),
      })),
  );
  return { verify, calls, counts, files };
}
