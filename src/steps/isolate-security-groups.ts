// Step 2 of the security-group swap: every ENI onto the empty isolation group. Untracked flows die at once;
// flows that stay tracked (ICMP, NAT/NLB/TGW paths — §1.4) survive until idle: verify reports them.

import type { Change } from '../core/plan.js';
import { hasLayer } from '../core/layers.js';
import { TAG, joinTagValue } from '../core/tags.js';
import { containableEnis, isolationIds, type RestoreItem, type StepDef } from './types.js';

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

export const isolateSecurityGroups: StepDef = {
  id: 'isolate-security-groups',
  title: 'Swap every ENI to the empty group',
  layer: 'network',
  critical: true,
  permissions: ['ec2:ModifyNetworkInterfaceAttribute'],
  // Not on record-originals: the fsynced journal already holds the originals, and a failed tag write (an ENI at its
  // tag limit) must never leave the instance on the all-open group of step 1.
  dependsOn: ['ensure-isolation-groups', 'untrack-connections'],
  enabled: (o) => hasLayer(o, 'sg'),
  plan(input) {
    if (!hasLayer(input.options, 'sg')) return [];
    const changes: Change[] = [];
    for (const inst of input.instances) {
      const ids = isolationIds(input, inst.vpcId ?? '');
      for (const eni of containableEnis(inst)) {
        const g = eni.groupIds;
        if (g.length === 1 && g[0] === ids.empty) continue;
        const before = input.options.skipUntrackStep || (g.length === 1 && g[0] === ids.open) ? g : [ids.open];
        changes.push({
          id: `isolate-security-groups:${eni.networkInterfaceId}`,
          stepId: 'isolate-security-groups',
          resource: eni.networkInterfaceId,
          resourceType: 'network-interface',
          attribute: 'groups',
          before,
          after: [ids.empty],
          critical: true,
          instanceId: inst.instanceId,
          summary: `${eni.networkInterfaceId}: → isolation step 2 (empty group)`,
        });
      }
    }
    return changes;
  },
  async preflight() {
    // Same action as untrack-connections (ModifyNetworkInterfaceAttribute), already checked there.
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map((c) =>
        ctx.gateway.setEniGroups(
          c.resource,
          (c.after as string[]).map((g) => ctx.resolve(g)),
        ),
      ),
    );
  },
  // Security groups are restored last: while a NACL or route isolation is being removed, the empty group still
  // holds, so no old conntrack entry can revive a flow through a half-restored instance.
  restoreOrder: 100,
  planRestore(input) {
    const isoIds = [
      input.isolation.open?.groupId,
      input.isolation.empty?.groupId,
      ...Object.values(input.isolation.allow ?? {}).map((g) => g.groupId),
    ].filter(Boolean) as string[];
    const items: RestoreItem[] = [];
    for (const e of containableEnis(input.instance)) {
      const tagged = joinTagValue(e.tags, TAG.originalGroups);
      const fromJournal = input.journalOriginal(e.networkInterfaceId, 'eni-state') as { groups?: string[] } | undefined;
      const recorded = tagged !== undefined ? tagged.split(',').filter(Boolean) : fromJournal?.groups;
      // An isolation group is never an original: such a record (another run's) is no record at all.
      const original = recorded?.some((g) => isoIds.includes(g)) ? undefined : recorded;
      if (!original || original.length === 0) {
        items.push({
          stepId: 'isolate-security-groups',
          instanceId: input.instance.instanceId,
          resource: e.networkInterfaceId,
          attribute: 'groups',
          current: e.groupIds,
          original: undefined,
          source: 'journal',
          drift: 'no record of its original groups (no cordon tag on it, nothing in the local journal)',
          summary: `${e.networkInterfaceId}: original groups unknown`,
        });
        continue;
      }
      if (sameSet(e.groupIds, original)) continue;
      const onIsolation = e.groupIds.length > 0 && e.groupIds.every((g) => isoIds.includes(g));
      items.push({
        stepId: 'isolate-security-groups',
        instanceId: input.instance.instanceId,
        resource: e.networkInterfaceId,
        attribute: 'groups',
        current: e.groupIds,
        original,
        source: tagged !== undefined ? 'tags' : 'journal',
        drift: onIsolation ? undefined : `groups are ${e.groupIds.join(', ')}, not cordon's isolation group`,
        summary: `${e.networkInterfaceId}: ${e.groupIds.join(', ')} → ${original.join(', ')}`,
      });
    }
    return items;
  },
  async applyRestore(ctx, items) {
    await Promise.all(items.map((i) => ctx.gateway.setEniGroups(i.resource, i.original as string[])));
  },
};
