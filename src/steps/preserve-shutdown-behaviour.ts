// Step: shutdown behaviour `stop` (ModifyInstanceAttribute InstanceInitiatedShutdownBehavior=stop), so a shutdown
// from inside the instance — an attacker covering tracks — stops it instead of terminating it and deleting its
// disks. The original value is recorded and restored.

import { PB_TAG } from '../core/playbook.js';
import { TAG } from '../core/tags.js';
import { EXTRA, extra, type AttributeFacts } from '../core/playbook-facts.js';
import { readAttribute, setShutdownBehaviour } from '../aws/instance.js';
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

const ID = 'preserve-shutdown-behaviour';

export const preserveShutdownBehaviour: StepDef = {
  id: ID,
  title: 'Make an in-instance shutdown stop, not terminate',
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
        if (inst.tags[TAG.status] === 'contained' || recordTag(inst, PB_TAG.shutdown) !== undefined) continue;
        changes.push(
          instanceChange(
            ID,
            inst,
            'shutdown-behaviour',
            undefined,
            'stop',
            `${inst.instanceId}: shutdown behaviour → stop (read at apply time)`,
          ),
        );
        continue;
      }
      if (!a.shutdownBehavior || a.shutdownBehavior === 'stop') continue;
      changes.push(
        instanceChange(
          ID,
          inst,
          'shutdown-behaviour',
          a.shutdownBehavior,
          'stop',
          `${inst.instanceId}: shutdown behaviour ${a.shutdownBehavior} → stop`,
        ),
      );
    }
    return changes;
  },
  async preflight(ctx, changes) {
    if (changes.length) await setShutdownBehaviour(ctx.gateway, changes[0]!.resource, 'stop', true);
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map(async (c) => {
        let before = c.before as string | undefined;
        if (before === undefined) {
          before = (await readAttribute(ctx.gateway.clients, c.resource, 'instanceInitiatedShutdownBehavior')).value;
          if (!before || before === 'stop') return; // already stop: nothing to change, nothing to restore
          await journalOriginal(ctx, c.resource, 'shutdown-behaviour', before);
        }
        await Promise.all([
          writeRecordTag(ctx, c.resource, PB_TAG.shutdown, String(before)),
          setShutdownBehaviour(ctx.gateway, c.resource, 'stop'),
        ]);
      }),
    );
  },
  restoreOrder: 130,
  planRestore(input) {
    const inst = input.instance;
    const picked = input.pick(
      inst.instanceId,
      'shutdown-behaviour',
      recordTag(inst, PB_TAG.shutdown),
      input.journalOriginal(inst.instanceId, 'shutdown-behaviour') as string | undefined,
    );
    const original = picked?.value;
    if (original !== 'stop' && original !== 'terminate') return [];
    const now = extra<AttributeFacts>(inst, EXTRA.attributes)?.shutdownBehavior;
    const keys = recordKeys(inst, PB_TAG.shutdown);
    if (now === original && keys.length === 0) return [];
    return [
      restoreItem(
        ID,
        input,
        'shutdown-behaviour',
        now,
        { value: original, set: now !== original, tagKeys: keys },
        picked!.source,
        `${inst.instanceId}: shutdown behaviour ${now ?? '?'} → ${original}`,
      ),
    ];
  },
  async applyRestore(ctx, items) {
    await Promise.all(
      items.map(async (i) => {
        const o = i.original as { value: string; set: boolean; tagKeys: string[] };
        if (o.set) await setShutdownBehaviour(ctx.gateway, i.resource, o.value);
        await ctx.gateway.deleteTags([i.resource], o.tagKeys);
      }),
    );
  },
};
