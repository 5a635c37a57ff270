// Step: termination protection on (ModifyInstanceAttribute DisableApiTermination=true), so nobody terminates the
// instance — and its disks — by mistake during the investigation. It does not stop an Auto Scaling group from
// terminating it: asg-detach takes care of that. The original value is recorded and restored.

import { PB_TAG } from '../core/playbook.js';
import { TAG } from '../core/tags.js';
import { EXTRA, extra, type AttributeFacts } from '../core/playbook-facts.js';
import { readAttribute, setTerminationProtection } from '../aws/instance.js';
import type { Change } from '../core/plan.js';
import type { StepDef } from './types.js';
import {
  instanceChange,
  journalOriginal,
  playbookOf,
  recordKeys,
  recordTag,
  restoreItem,
  writeRecordTag,
} from './playbook-common.js';

const ID = 'preserve-termination-protection';

export const preserveTerminationProtection: StepDef = {
  id: ID,
  title: 'Turn termination protection on',
  layer: 'audit',
  critical: false,
  permissions: ['ec2:DescribeInstanceAttribute', 'ec2:ModifyInstanceAttribute', 'ec2:CreateTags', 'ec2:DeleteTags'],
  dependsOn: [],
  // Not on the critical path: it waits until the security-group isolation has finished (ok or not).
  after: ['isolate-security-groups'],
  enabled: (o) => playbookOf(o).preserve,
  plan(input) {
    if (!playbookOf(input).preserve) return [];
    const changes: Change[] = [];
    for (const inst of input.instances) {
      const a = extra<AttributeFacts>(inst, EXTRA.attributes);
      if (!a) {
        // Not read with the facts (containment's fast path): read and recorded at apply time, off the critical path.
        // A finished containment did it already (an interrupted one is checked again).
        if (inst.tags[TAG.status] === 'contained' || recordTag(inst, PB_TAG.termination) !== undefined) continue;
        changes.push(
          instanceChange(
            ID,
            inst,
            'disable-api-termination',
            undefined,
            true,
            `${inst.instanceId}: termination protection → on (read at apply time)`,
          ),
        );
        continue;
      }
      if (a.error || a.disableApiTermination !== false) continue;
      changes.push(
        instanceChange(
          ID,
          inst,
          'disable-api-termination',
          false,
          true,
          `${inst.instanceId}: termination protection off → on`,
        ),
      );
    }
    return changes;
  },
  notes(input) {
    if (!playbookOf(input).preserve) return [];
    return input.instances.flatMap((i) => {
      const e = extra<AttributeFacts>(i, EXTRA.attributes)?.error;
      return e ? [`${i.instanceId}: ${e} — termination protection and shutdown behaviour left as they are`] : [];
    });
  },
  async preflight(ctx, changes) {
    if (changes.length) await setTerminationProtection(ctx.gateway, changes[0]!.resource, true, true);
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map(async (c) => {
        let before = c.before as boolean | undefined;
        if (before === undefined) {
          before = (await readAttribute(ctx.gateway.clients, c.resource, 'disableApiTermination')).bool ?? false;
          if (before) return; // already on: nothing to change, nothing to restore
          await journalOriginal(ctx, c.resource, 'disable-api-termination', before);
        }
        await Promise.all([
          writeRecordTag(ctx, c.resource, PB_TAG.termination, String(before)),
          setTerminationProtection(ctx.gateway, c.resource, true),
        ]);
      }),
    );
  },
  restoreOrder: 130,
  planRestore(input) {
    const inst = input.instance;
    const tagged = recordTag(inst, PB_TAG.termination);
    const j = input.journalOriginal(inst.instanceId, 'disable-api-termination');
    const picked = input.pick(
      inst.instanceId,
      'disable-api-termination',
      tagged === undefined ? undefined : tagged === 'true',
      typeof j === 'boolean' ? j : undefined,
    );
    const original = picked?.value;
    if (original === undefined) return [];
    const now = extra<AttributeFacts>(inst, EXTRA.attributes)?.disableApiTermination;
    const keys = recordKeys(inst, PB_TAG.termination);
    if (now === original && keys.length === 0) return [];
    return [
      restoreItem(
        ID,
        input,
        'disable-api-termination',
        now,
        { value: original, set: now !== original, tagKeys: keys },
        picked!.source,
        `${inst.instanceId}: termination protection → ${original ? 'on' : 'off'}`,
      ),
    ];
  },
  async applyRestore(ctx, items) {
    await Promise.all(
      items.map(async (i) => {
        const o = i.original as { value: boolean; set: boolean; tagKeys: string[] };
        if (o.set) await setTerminationProtection(ctx.gateway, i.resource, o.value);
        await ctx.gateway.deleteTags([i.resource], o.tagKeys);
      }),
    );
  },
};
