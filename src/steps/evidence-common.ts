// What the evidence steps share: when to capture (after isolation, once per containment), the tags every
// artefact carries (incident, do-not-use), and marking the instance so a re-run does not capture twice.

import type { InstanceFacts } from '../core/facts.js';
import { TAG, DO_NOT_USE } from '../core/tags.js';
import { PB_TAG, ROLE_EVIDENCE } from '../core/playbook.js';
import type { Change } from '../core/plan.js';
import type { PlanInput, StepContext, StepDef } from './types.js';
import { instanceChange, playbookOf } from './playbook-common.js';

/** Evidence of this kind was captured during the instance's current containment (not one already released). */
export function alreadyCaptured(inst: InstanceFacts, kind: string): boolean {
  return inst.tags[PB_TAG.evidence(kind)] !== undefined && inst.tags[TAG.status] !== 'released';
}

export function artefactTags(incident: string, instanceId: string): Record<string, string> {
  return {
    [TAG.incident]: incident,
    [TAG.doNotUse]: DO_NOT_USE,
    [TAG.role]: ROLE_EVIDENCE,
    'cordon:source-instance': instanceId,
    Name: `cordon evidence ${incident} ${instanceId}`.slice(0, 256),
  };
}

export async function markCaptured(ctx: StepContext, instanceId: string, kind: string): Promise<void> {
  await ctx.gateway.createTags([instanceId], { [PB_TAG.evidence(kind)]: ctx.incident });
}

/** One change per instance whose evidence of `kind` is still to capture. */
export function planCapture(
  id: string,
  kind: string,
  input: PlanInput,
  when: (i: InstanceFacts) => boolean,
  after: (i: InstanceFacts) => unknown,
  summary: (i: InstanceFacts) => string,
): Change[] {
  const pb = playbookOf(input);
  if (!pb.evidence) return [];
  return input.instances
    .filter((i) => !alreadyCaptured(i, kind) && when(i))
    .map((i) => instanceChange(id, i, `evidence-${kind}`, null, after(i), summary(i)));
}

/** The evidence steps' shared shape: after network isolation, never on its critical path; nothing to restore. */
export const EVIDENCE_STEP = {
  layer: 'audit',
  critical: false,
  schedule: 'evidence',
  // After the isolation has ended, whatever its outcome: evidence matters most when containment went wrong.
  dependsOn: [] as string[],
  after: ['isolate-security-groups'],
  enabled: (o) => playbookOf(o).evidence,
} satisfies Pick<StepDef, 'layer' | 'critical' | 'schedule' | 'dependsOn' | 'after' | 'enabled'>;
