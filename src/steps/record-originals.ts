// Step: the write-ahead record on the resources themselves. Each ENI gets its original security groups and
// connection-tracking settings as tags (split across numbered tags past 256 characters), so any machine can restore.
// The local journal holds the same originals and is fsynced before any change (the engine does that).
// An isolation group is never recorded as an original: an ENI already on one keeps its earlier record.

import type { Change } from '../core/plan.js';
import type { ConnTrackFacts } from '../core/facts.js';
import { TAG, splitTagValue, isCordonTag } from '../core/tags.js';
import { containableEnis, isIsolationGroup, type RestoreItem, type StepDef } from './types.js';
import { withJournal } from './playbook-common.js';

export function encodeConntrack(ct: ConnTrackFacts): string {
  if (ct.tcpEstablishedTimeout === undefined && ct.udpStreamTimeout === undefined && ct.udpTimeout === undefined)
    return 'default';
  return `tcp=${ct.tcpEstablishedTimeout ?? 'default'},udpStream=${ct.udpStreamTimeout ?? 'default'},udp=${ct.udpTimeout ?? 'default'}`;
}

export function decodeConntrack(v: string | undefined): ConnTrackFacts | undefined {
  if (v === undefined) return undefined;
  if (v === 'default') return {};
  const out: ConnTrackFacts = {};
  for (const part of v.split(',')) {
    const [k, val] = part.split('=');
    const n = val === 'default' ? undefined : Number(val);
    if (k === 'tcp') out.tcpEstablishedTimeout = n;
    if (k === 'udpStream') out.udpStreamTimeout = n;
    if (k === 'udp') out.udpTimeout = n;
  }
  return out;
}

export const recordOriginals: StepDef = {
  id: 'record-originals',
  title: 'Record original state on each ENI',
  layer: 'audit',
  critical: true,
  permissions: ['ec2:CreateTags'],
  dependsOn: [],
  plan(input) {
    const changes: Change[] = [];
    for (const inst of input.instances) {
      for (const eni of containableEnis(inst)) {
        if (eni.tags[TAG.originalGroups] !== undefined) continue; // recorded by an earlier run
        let original = { groups: eni.groupIds, connectionTracking: eni.connectionTracking };
        if (eni.groupIds.some((g) => isIsolationGroup(input, g))) {
          // Never record an isolation group as original: an interrupted run's journal may know the real one.
          const known = input.knownOriginals?.[eni.networkInterfaceId];
          if (!known || known.groups.some((g) => isIsolationGroup(input, g))) continue;
          original = known;
        }
        const tags = {
          ...splitTagValue(TAG.originalGroups, original.groups.join(',')),
          [TAG.originalConntrack]: encodeConntrack(original.connectionTracking),
          [TAG.incident]: input.options.incident,
        };
        changes.push({
          id: `record-originals:${eni.networkInterfaceId}`,
          stepId: 'record-originals',
          resource: eni.networkInterfaceId,
          resourceType: 'network-interface',
          attribute: 'tags',
          before: null,
          after: tags,
          critical: true,
          instanceId: inst.instanceId,
          summary: `${eni.networkInterfaceId}: tag original groups ${original.groups.join(', ')}`,
        });
      }
    }
    return changes;
  },
  async preflight(ctx, changes) {
    if (changes.length) await ctx.gateway.createTags([changes[0]!.resource], { [TAG.incident]: ctx.incident }, true);
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map((c) => ctx.gateway.createTags([c.resource], withJournal(ctx, c.after as Record<string, string>))),
    );
  },
  // Last of all: the record is removed only after everything it protects has been put back.
  restoreOrder: 1000,
  planRestore(input) {
    const items: RestoreItem[] = [];
    for (const e of containableEnis(input.instance)) {
      const keys = Object.keys(e.tags).filter(isCordonTag);
      if (keys.length)
        items.push({
          stepId: 'record-originals',
          instanceId: input.instance.instanceId,
          resource: e.networkInterfaceId,
          attribute: 'tags',
          current: keys,
          original: [],
          source: 'step',
          summary: `${e.networkInterfaceId}: remove cordon's record tags`,
        });
    }
    return items;
  },
  async applyRestore(ctx, items) {
    await Promise.all(items.map((i) => ctx.gateway.deleteTags([i.resource], i.current as string[])));
  },
};
