// Every containment step, in dependency order. An explicit list: a duplicate id is rejected at load.

import type { StepDef } from './types.js';
import { ensureIsolationGroups } from './ensure-isolation-groups.js';
import { recordOriginals } from './record-originals.js';
import { tagInstance } from './tag-instance.js';
import { untrackConnections } from './untrack-connections.js';
import { lowerConntrackTimeouts } from './lower-conntrack-timeouts.js';
import { isolateSecurityGroups } from './isolate-security-groups.js';

export const STEPS: readonly StepDef[] = [ensureIsolationGroups, recordOriginals, tagInstance, untrackConnections, lowerConntrackTimeouts, isolateSecurityGroups];

const seen = new Set<string>();
for (const s of STEPS) {
  if (seen.has(s.id)) throw new Error(`duplicate step id ${s.id}`);
  for (const d of s.dependsOn) if (!seen.has(d)) throw new Error(`step ${s.id} depends on ${d}, which is not listed before it`);
  seen.add(s.id);
}

export function stepById(id: string): StepDef {
  const s = STEPS.find((x) => x.id === id);
  if (!s) throw new Error(`unknown step ${id}`);
  return s;
}
