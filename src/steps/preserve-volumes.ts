// Step: DeleteOnTermination=false on every attached EBS volume (one ModifyInstanceAttribute with the block device
// mapping), so the disks outlive the instance whatever happens to it. The devices that had it on are recorded and
// get it back on restore.

import { PB_TAG } from '../core/playbook.js';
import { setDeleteOnTermination } from '../aws/instance.js';
import type { Change } from '../core/plan.js';
import type { StepDef } from './types.js';
import { instanceChange, playbookOf, recordKeys, recordTag, restoreItem, writeRecordTag } from './playbook-common.js';

const ID = 'preserve-volumes';

export const preserveVolumes: StepDef = {
  id: ID,
  title: 'Keep every volume when the instance terminates',
  layer: 'audit',
  critical: false,
  permissions: ['ec2:ModifyInstanceAttribute', 'ec2:CreateTags', 'ec2:DeleteTags'],
  dependsOn: [],
  // Not on the critical path: it waits until the security-group isolation has finished (ok or not).
  after: ['isolate-security-groups'],
  enabled: (o) => playbookOf(o).preserve,
  plan(input) {
    if (!playbookOf(input).preserve) return [];
    const changes: Change[] = [];
    for (const inst of input.instances) {
      const on = inst.volumes.filter((v) => v.deleteOnTermination);
      if (on.length === 0) continue;
      const devices = on.map((v) => v.deviceName);
      changes.push(
        instanceChange(
          ID,
          inst,
          'delete-on-termination',
          devices,
          [],
          `${inst.instanceId}: DeleteOnTermination → false on ${on.map((v) => `${v.volumeId} (${v.deviceName})`).join(', ')}`,
        ),
      );
    }
    return changes;
  },
  async preflight(ctx, changes) {
    if (changes.length)
      await setDeleteOnTermination(
        ctx.gateway,
        changes[0]!.resource,
        (changes[0]!.before as string[]).map((d) => ({ deviceName: d, deleteOnTermination: false })),
        true,
      );
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map((c) => {
        const devices = c.before as string[];
        return Promise.all([
          writeRecordTag(ctx, c.resource, PB_TAG.deleteOnTermination, devices.join(',')),
          setDeleteOnTermination(
            ctx.gateway,
            c.resource,
            devices.map((d) => ({ deviceName: d, deleteOnTermination: false })),
          ),
        ]);
      }),
    );
  },
  restoreOrder: 130,
  planRestore(input) {
    const inst = input.instance;
    const tagged = recordTag(inst, PB_TAG.deleteOnTermination);
    const journaled = input.journalOriginal(inst.instanceId, 'delete-on-termination') as string[] | undefined;
    const picked = input.pick(
      inst.instanceId,
      'delete-on-termination',
      tagged === undefined ? undefined : tagged.split(',').filter(Boolean).sort(),
      journaled ? [...journaled].sort() : undefined,
    );
    const devices = picked?.value;
    if (!devices) return [];
    // Devices still attached whose flag is off again: the ones cordon turned off.
    const back = inst.volumes
      .filter((v) => devices.includes(v.deviceName) && !v.deleteOnTermination)
      .map((v) => v.deviceName);
    const keys = recordKeys(inst, PB_TAG.deleteOnTermination);
    if (back.length === 0 && keys.length === 0) return [];
    return [
      restoreItem(
        ID,
        input,
        'delete-on-termination',
        devices,
        { devices: back, tagKeys: keys },
        picked!.source,
        back.length
          ? `${inst.instanceId}: DeleteOnTermination → true on ${back.join(', ')}`
          : `${inst.instanceId}: volumes' DeleteOnTermination already back`,
      ),
    ];
  },
  async applyRestore(ctx, items) {
    await Promise.all(
      items.map(async (i) => {
        const o = i.original as { devices: string[]; tagKeys: string[] };
        if (o.devices.length)
          await setDeleteOnTermination(
            ctx.gateway,
            i.resource,
            o.devices.map((d) => ({ deviceName: d, deleteOnTermination: true })),
          );
        await ctx.gateway.deleteTags([i.resource], o.tagKeys);
      }),
    );
  },
};
