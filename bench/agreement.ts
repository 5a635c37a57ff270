// `npm run bench -- agreement [--seeds 1000] [--from 1]`: the property-based agreement run of test/agreement/ over
// many seeds. Each seed is a random world around one instance (groups, NACLs, routes to gateways, NAT, appliances,
// IPv4/IPv6), random flows of every kind on the simulator's data plane, and random containment steps; after each
// step `verify` (from what the SDK describes) is held to the data plane flow by flow. Prints one JSON line:
//   {"seeds","flows","soundness","completeness"}
// soundness: alive flows verify calls cut, or new admitted flows in a class it does not call open; completeness:
// examples that do not open. Both must be 0; the first disagreements go to stderr with the seed that replays them.

import { runSeeds } from '../test/agreement/property.js';
import { options } from './_stats.js';

export default async function agreementBench(args: string[]): Promise<void> {
  const o = options(args, { seeds: 1000, from: 1, progress: false });
  const r = await runSeeds({
    seeds: o.seeds,
    from: o.from,
    onSeed: (s) => {
      if (o.progress && s % 50 === 0) process.stderr.write(`seed ${s}\n`);
    },
  });
  for (const f of r.failures) process.stderr.write(`${f}\n`);
  console.log(JSON.stringify({ seeds: r.seeds, flows: r.flows, soundness: r.soundness, completeness: r.completeness }));
  if (r.soundness || r.completeness) process.exitCode = 1;
}
