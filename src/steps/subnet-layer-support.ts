// Shared by the subnet- and edge-level layer steps (not a step itself): the layer work of a plan, the warnings and
// blast radius the planner adds, who restores a shared subnet or NACL, and the restore warning about conntrack.

import type { Change } from '../core/plan.js';
import { layerWork, type LayerWork } from '../core/layer-plan.js';
import { blastRadius, type BlastRadius } from '../core/blast-radius.js';
import { subnetLayers } from '../core/layers.js';
import { CONNTRACK_DEFAULTS, type InstanceFacts } from '../core/facts.js';
import { readList, subnetLayersOf, type SubnetLayerFacts, type SubnetLayersFacts } from '../core/subnet-layers.js';
import type { PlanInput, RestoreInput } from './types.js';

export const LAYER_STEP_IDS = [
  'record-subnet-originals',
  'ensure-isolation-nacl',
  'renumber-nacl-entries',
  'insert-nacl-entries',
  'associate-isolation-nacl',
  'ensure-isolation-route-table',
  'ensure-internet-cut-table',
  'associate-route-table',
];

export function work(input: PlanInput): LayerWork {
  return layerWork({ instances: input.instances, options: input.options });
}

/** What the planner adds for the subnet layers: their warnings and the blast radius of the changes they plan. */
export function subnetLayerPlan(
  input: PlanInput,
  changes: Change[],
): { warnings: string[]; blastRadius?: BlastRadius } {
  if (subnetLayers(input.options).length === 0) return { warnings: [] };
  const w = work(input);
  const warnings = [...w.warnings];
  for (const i of input.instances)
    if (!subnetLayersOf(i))
      warnings.push(
        `${i.instanceId}: no subnet facts were read, so the ${subnetLayers(input.options).join(', ')} layer(s) cannot act on it`,
      );
  if (!changes.some((c) => LAYER_STEP_IDS.includes(c.stepId))) return { warnings };
  const blast = blastRadius(input.instances, w);
  if (blast.enis.length) {
    warnings.push(
      `the subnet-level layers also cut ${blast.enis.length} other network interface(s) (blast radius below); contain refuses without --accept-blast-radius`,
    );
  }
  return { warnings, blastRadius: blast };
}

/** Instances of the request attached to the subnet. */
function requestInstancesIn(s: SubnetLayerFacts, f: SubnetLayersFacts): string[] {
  return [
    ...new Set(s.enis.map((e) => e.instanceId).filter((x): x is string => !!x && f.requestInstanceIds.includes(x))),
  ].sort();
}

/**
 * Who restores a subnet-level layer shared by several contained instances. `others` are holders outside this restore
 * (the layer stays for them); otherwise the lowest instance id of the request in the subnet restores it, once.
 */
export function restoreRole(
  input: RestoreInput,
  s: SubnetLayerFacts,
  holdersKey: string,
): { owner: boolean; others: string[] } {
  const f = subnetLayersOf(input.instance)!;
  const holders = readList(s.tags, holdersKey);
  const others = holders.filter((h) => !f.requestInstanceIds.includes(h));
  if (others.length) return { owner: false, others };
  const here = requestInstancesIn(s, f);
  const candidates = holders.length ? here.filter((h) => holders.includes(h)) : here;
  return { owner: (candidates[0] ?? input.instance.instanceId) === input.instance.instanceId, others: [] };
}

/** As restoreRole, for a NACL changed in place (its holders, across every subnet on it). */
export function naclRestoreRole(input: RestoreInput, holders: string[]): { owner: boolean; others: string[] } {
  const f = subnetLayersOf(input.instance)!;
  const others = holders.filter((h) => !f.requestInstanceIds.includes(h));
  if (others.length) return { owner: false, others };
  const mine = holders.filter((h) => f.requestInstanceIds.includes(h)).sort();
  return { owner: (mine[0] ?? input.instance.instanceId) === input.instance.instanceId, others: [] };
}

/** The restore warning: a layer removed while tracked flows' conntrack entries still live lets them through again. */
export function reviveWarning(i: InstanceFacts): string {
  const tcp = Math.max(
    ...i.enis.map((e) => e.connectionTracking.tcpEstablishedTimeout ?? CONNTRACK_DEFAULTS.tcpEstablishedTimeout),
    0,
  );
  return `flows tracked before containment revive if their conntrack entry is still alive (TCP idle ${tcp} s here, ICMP and other protocols up to 600 s): this runs while the empty group still holds, so nothing new or untracked gets in, and the groups come back last`;
}
