// Step: tag the instance with the incident, the time and its containment status, so anyone looking at it (and
// `cordon status`) knows it is under containment.

import type { Change } from '../core/plan.js';
import { TAG } from '../core/tags.js';
import { layersOf } from '../core/layers.js';
import type { RestoreItem, StepDef } from './types.js';
import { withJournal } from './playbook-common.js';

export const tagInstance: StepDef = {
  id: 'tag-instance',
  title: 'Tag the instance (incident, time, status)',
  layer: 'audit',
  critical: false,
  permissions: ['ec2:CreateTags'],
  dependsOn: [],
  plan(input) {
    const changes: Change[] = [];
    for (const inst of input.instances) {
      if (inst.tags[TAG.status] === 'contained' && inst.tags[TAG.incident]) continue;
      const after = {
        [TAG.incident]: input.options.incident,
        [TAG.status]: 'containing',
        [TAG.containedAt]: input.now,
        [TAG.layers]: layersOf(input.options).join(','),
      };
      const before: Record<string, string> = {};
      for (const k of Object.keys(after)) if (inst.tags[k] !== undefined) before[k] = inst.tags[k]!;
      changes.push({
        id: `tag-instance:${inst.instanceId}`,
        stepId: 'tag-instance',
        resource: inst.instanceId,
        resourceType: 'instance',
        attribute: 'tags',
        before,
        after,
        critical: false,
        instanceId: inst.instanceId,
        summary: `${inst.instanceId}: tag ${TAG.incident}=${input.options.incident}, ${TAG.status}=containing`,
      });
    }
    return changes;
  },
  async preflight(ctx, changes) {
    if (changes.length)
      await ctx.gateway.createTags(
        changes.map((c) => c.resource),
        { [TAG.incident]: ctx.incident },
        true,
      );
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map((c) => ctx.gateway.createTags([c.resource], withJournal(ctx, c.after as Record<string, string>))),
    );
  },
  restoreOrder: 1001,
  planRestore(input): RestoreItem[] {
    return [
      {
        stepId: 'tag-instance',
        instanceId: input.instance.instanceId,
        resource: input.instance.instanceId,
        attribute: 'tags',
        current: input.instance.tags[TAG.status],
        original: 'released',
        source: 'step',
        summary: `${input.instance.instanceId}: ${TAG.status}=released (audit tags kept)`,
      },
    ];
  },
  async applyRestore(ctx, items) {
    await Promise.all(
      items.map((i) =>
        ctx.gateway.createTags([i.resource], { [TAG.status]: 'released', [TAG.incident]: ctx.incident }),
      ),
    );
  },
};
