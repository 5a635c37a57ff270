// `npm run bench -- plan-journals [--instances 1000] [--journals 20] [--per-journal 500]`: what reading the local
// journals costs a fleet's plan (a rerun continues an interrupted incident, so every journal naming a target is
// read). Writes `--journals` past fleet journals (each a plan and two ENI originals per instance, for
// `--per-journal` of the instances, overlapping), then times the lookup for all `--instances` at once
// (journalsMentioning: each file read once) against the per-instance lookup it replaced (every journal read once per
// instance, as each call of journalsMentioning(dir, [id]) does), in the same run. Prints one JSON line:
// {"instances":…,"journals":…,"fleetMs":…,"perInstanceMs":…,"ratio":…,"sameMatches":true}.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { journalsMentioning } from '../src/engine/journal.js';
import { options, round } from './_stats.js';

export default async function planJournals(args: string[]): Promise<void> {
  const o = options(args, { instances: 1000, journals: 20, perJournal: 500 });
  const dir = mkdtempSync(join(tmpdir(), 'cordon-bench-journals-'));
  try {
    mkdirSync(join(dir, 'journal'));
    const ids = Array.from({ length: o.instances }, (_, k) => `i-${k.toString(16).padStart(17, '0')}`);
    const step = Math.max(1, Math.floor((o.instances - o.perJournal) / Math.max(1, o.journals - 1)));
    for (let n = 0; n < o.journals; n++) {
      const incident = `ir-bench-${n}`;
      const mine = ids.slice(n * step, n * step + o.perJournal);
      const lines = [{ type: 'plan', time: new Date().toISOString(), incident, instances: mine, planVersion: 1 }];
      for (const id of mine)
        for (const d of [0, 1])
          lines.push({
            type: 'original',
            time: new Date().toISOString(),
            incident,
            instanceId: id,
            resource: `eni-${id.slice(2)}${d}`,
            attribute: 'groups',
            value: ['sg-0a1b2c3d4e5f60001'],
          } as never);
      writeFileSync(join(dir, 'journal', `${incident}.jsonl`), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    }
    let t = performance.now();
    const fleet = journalsMentioning(dir, ids);
    const fleetMs = performance.now() - t;
    t = performance.now();
    let perInstanceMatches = 0;
    for (const id of ids) perInstanceMatches += (journalsMentioning(dir, [id]).get(id) ?? []).length;
    const perInstanceMs = performance.now() - t;
    const fleetMatches = [...fleet.values()].reduce((a, b) => a + b.length, 0);
    console.log(
      JSON.stringify({
        instances: o.instances,
        journals: o.journals,
        fleetMs: round(fleetMs, 1),
        perInstanceMs: round(perInstanceMs, 1),
        ratio: round(perInstanceMs / fleetMs, 1),
        sameMatches: fleetMatches === perInstanceMatches,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
