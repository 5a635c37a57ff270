// The JSON documents `cordon plan --output json` and `cordon contain --output json` print, built in one place so
// every entry point (the CLI, the Lambda handler) returns the same shape.

import type { PlanOutcome } from './contain.js';
import type { FleetContainResult } from './fleet.js';

/** `cordon plan --output json`: one plan, or (several accounts × regions) every worker's plan. */
export function planDocument(outcomes: Pick<PlanOutcome, 'plan' | 'missingPermissions'>[]) {
  const missing = outcomes.flatMap((r) => r.missingPermissions);
  return outcomes.length === 1
    ? { plan: outcomes[0]!.plan, missingPermissions: missing, applyable: missing.length === 0 }
    : { plans: outcomes.map((r) => r.plan), missingPermissions: missing, applyable: missing.length === 0 };
}

/** `cordon contain --output json`. */
export function containDocument(result: FleetContainResult) {
  const one = result.workers.length === 1 ? result.workers[0]!.result! : undefined;
  return {
    incident: result.incident,
    region: one?.region,
    regions: [...new Set(result.workers.map((w) => w.region))],
    journal: result.workers[0]?.result?.journal,
    evidence: result.workers.find((w) => w.result?.evidence)?.result?.evidence,
    roundTrips: Math.max(0, ...result.workers.map((w) => w.result?.roundTrips ?? 0)),
    isolatedAfterMs: result.summary.isolatedAfterMs,
    completedAfterMs: result.summary.completedAfterMs,
    instances: result.instances,
    indicators: result.indicators,
    fleet: result.summary,
  };
}

export type PlanDocument = ReturnType<typeof planDocument>;
export type ContainDocument = ReturnType<typeof containDocument>;
