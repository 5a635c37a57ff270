// Builds a plan from facts: each step plans its changes (pure), the planner orders them, checks the targets can be
// contained at all, and notes warnings. No AWS calls here.

import { PLAN_VERSION, fingerprint, type ContainOptions, type Plan } from '../core/plan.js';
import { CordonError, EXIT } from '../core/errors.js';
import { TAG } from '../core/tags.js';
import { validateLayerOptions } from '../core/layers.js';
import type { TargetFacts } from '../aws/facts.js';
import { STEPS } from '../steps/index.js';
import { containableEnis, isIsolationGroup, type PlanInput } from '../steps/types.js';
import { subnetLayerPlan } from '../steps/subnet-layer-support.js';

/** Change attributes of the subnet- and edge-level layers that isolate (an instance with none left is contained). */
const ISOLATING = ['network-acl', 'network-acl-entries', 'route-table'];

/**
 * What the state's journal says of a `restoring` mark: a restore of that incident started and has not ended
 * ('confirmed'), nothing of it in this state ('unknown': another machine's restore, or a mark that is not cordon's), or
 * the journal shows no restore under way ('refuted': the mark is not believed — anyone allowed ec2:CreateTags can write
 * it, and believing it would let them keep an instance from ever being contained).
 */
export type RestoringCheck = (instanceId: string, incident: string | undefined) => 'confirmed' | 'unknown' | 'refuted';

/**
 * A contain that starts while a restore runs (or was interrupted) must not interleave with it: refused, unless the
 * journal refutes the mark (then a warning says so and containment goes on). Returns those warnings.
 */
export function refuseWhileRestoring(targets: TargetFacts, check?: RestoringCheck): string[] {
  const warnings: string[] = [];
  for (const i of targets.instances) {
    if (i.tags[TAG.status] !== 'restoring') continue;
    const incident = i.tags[TAG.incident];
    const verdict = check?.(i.instanceId, incident) ?? 'unknown';
    if (verdict === 'refuted') {
      warnings.push(
        `${i.instanceId} is tagged ${TAG.status}=restoring (incident ${incident ?? 'none'}), but the journal shows no restore of it under way: the mark is not believed and it is contained — check CloudTrail for who wrote it`,
      );
      continue;
    }
    throw new CordonError(
      'restore-running',
      `instance ${i.instanceId} is being restored (incident ${incident ?? '?'}${verdict === 'unknown' ? '; no journal of that restore in this state' : ''}): containing it now would interleave with the restore`,
      EXIT.refused,
      verdict === 'unknown'
        ? `wait for the restore to finish (or rerun \`cordon restore\` with the state it ran with). If no restore is running anywhere, the mark is not cordon's: check CloudTrail, remove it (aws ec2 delete-tags --resources ${i.instanceId} --tags Key=${TAG.status}) and contain again`
        : 'wait for the restore to finish (or, if it was interrupted, rerun `cordon restore` to finish it), then contain again',
    );
  }
  return warnings;
}

export function makePlan(
  targets: TargetFacts,
  options: ContainOptions,
  region: string,
  now: string,
  knownOriginals?: PlanInput['knownOriginals'],
  restoring?: RestoringCheck,
): Plan {
  const warnings: string[] = [];
  validateLayerOptions(options);
  warnings.push(...refuseWhileRestoring(targets, restoring));
  for (const i of targets.instances) {
    if (i.state === 'terminated' || i.state === 'shutting-down') {
      throw new CordonError(
        'instance-gone',
        `instance ${i.instanceId} is ${i.state}: there is nothing left to contain`,
        EXIT.refused,
        'its volumes and snapshots may still be preserved; look for them with `aws ec2 describe-volumes`',
      );
    }
    if (!i.vpcId || i.enis.length === 0) {
      throw new CordonError(
        'no-vpc',
        `instance ${i.instanceId} is not in a VPC: security-group containment needs VPC network interfaces`,
        EXIT.refused,
        'stop the instance to contain it',
      );
    }
  }
  const input: PlanInput = {
    instances: targets.instances,
    isolationGroups: targets.isolationGroups,
    options,
    now,
    knownOriginals,
    tamperedGroupIds: targets.tampered.map((g) => g.groupId),
  };
  const changes = STEPS.flatMap((s) => s.plan(input));
  const instances = targets.instances.map((i) => {
    const w: string[] = [];
    if (i.state === 'stopped' || i.state === 'stopping')
      w.push(
        `${i.instanceId} is ${i.state}: the network changes still apply (and protect it when it starts), no live flows to cut`,
      );
    for (const e of i.enis) {
      if (!containableEnis(i).includes(e))
        w.push(
          `${e.networkInterfaceId} is a ${e.interfaceType} interface managed by AWS: cordon cannot change its groups`,
        );
      if (
        e.groupIds.some((g) => isIsolationGroup(input, g)) &&
        e.tags[TAG.originalGroups] === undefined &&
        !knownOriginals?.[e.networkInterfaceId]
      ) {
        w.push(
          `${e.networkInterfaceId} is already on an isolation group but carries no record of its original groups: restore will need the local journal`,
        );
      }
    }
    const mine = changes.filter(
      (c) =>
        c.instanceId === i.instanceId && c.critical && (c.attribute === 'groups' || ISOLATING.includes(c.attribute)),
    );
    return {
      instanceId: i.instanceId,
      vpcId: i.vpcId,
      fingerprint: fingerprint(i),
      facts: i,
      alreadyContained: mine.length === 0,
      warnings: w,
    };
  });
  for (const i of instances) warnings.push(...i.warnings);
  const creates: Record<string, string> = {};
  for (const c of changes) if (c.attribute === 'create') creates[c.resource] = c.summary;
  const criticalPath = STEPS.filter((s) => s.critical && changes.some((c) => c.stepId === s.id)).map((s) => s.id);
  if (options.skipUntrackStep)
    warnings.push(
      "the all-open step is skipped: tracked connections (e.g. an attacker's SSH session) survive the swap",
    );
  for (const s of STEPS) warnings.push(...(s.notes?.(input) ?? []));
  const layers = subnetLayerPlan(input, changes);
  warnings.push(...layers.warnings);
  return {
    version: PLAN_VERSION,
    incident: options.incident,
    createdAt: now,
    region,
    options,
    instances,
    changes,
    criticalPath,
    warnings,
    creates,
    blastRadius: layers.blastRadius,
  };
}

/** Refuses a saved plan whose facts no longer match what AWS describes now. */
export function checkFresh(plan: Plan, targets: TargetFacts): void {
  const stale: string[] = [];
  for (const p of plan.instances) {
    const now = targets.instances.find((i) => i.instanceId === p.instanceId);
    if (!now || fingerprint(now) !== p.fingerprint) stale.push(p.instanceId);
  }
  if (stale.length) {
    throw new CordonError(
      'stale-plan',
      `the saved plan is stale: ${stale.join(', ')} changed since ${plan.createdAt}`,
      EXIT.stale,
      'make a new plan with `cordon plan … --out plan.json`, review it, then contain with it',
    );
  }
}
