// Gatherer: Auto Scaling membership (DescribeAutoScalingInstances, keyed by instance id: the first round trip).
// The group itself (sizes, target groups) is read only when the plan needs it — complete reads (`cordon plan`,
// restore) and --asg-decrement — and then alongside the membership (the first page of every group), so a small
// account still needs one round trip; a group not on that page is read by name afterwards.

import type { Gatherer } from './gatherers.js';
import { readFirstGroupPage, readGroups, readMembership } from './autoscaling.js';
import { resolvePlaybook, PB_TAG, decodeRecord } from '../core/playbook.js';
import { EXTRA, type AsgFacts, type AsgGroupFacts } from '../core/playbook-facts.js';
import { joinTagValue } from '../core/tags.js';
import { awsErrorCode } from './clients.js';

function failure(e: unknown): string {
  return `cannot read Auto Scaling membership: ${awsErrorCode(e) ?? 'error'}: ${(e as Error).message}`;
}

export const asgGatherer: Gatherer = {
  id: EXTRA.asg,
  permissions: (o) =>
    o.playbook?.asg === 'skip'
      ? []
      : ['autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeAutoScalingGroups'],
  async gather(clients, ids, instancesP, options) {
    const pb = resolvePlaybook(options.playbook);
    if (pb.asg === 'skip' && !options.complete) return {};
    const needGroup = options.complete || pb.asgDecrement;
    const out: Record<string, AsgFacts> = {};
    try {
      const [members, page] = await Promise.all([
        readMembership(clients, ids),
        needGroup ? readFirstGroupPage(clients).catch(() => [] as AsgGroupFacts[]) : Promise.resolve([]),
      ]);
      for (const id of ids) out[id] = { member: members[id] };
      if (!needGroup) return out;
      const wanted = new Set(Object.values(members).map((m) => m!.groupName));
      if (options.complete) {
        // Restore: the group a detached instance was taken out of, from its record tag.
        const instances = await instancesP.catch(() => []);
        for (const i of instances) {
          const group = decodeRecord(joinTagValue(i.tags, PB_TAG.asg))?.group ?? options.asgGroupOf?.[i.instanceId];
          if (group) wanted.add(group);
        }
      }
      const byName = new Map(page.map((g) => [g.name, g]));
      const missing = [...wanted].filter((n) => !byName.has(n));
      for (const g of await readGroups(clients, missing)) byName.set(g.name, g);
      const instances = options.complete ? await instancesP.catch(() => []) : [];
      for (const id of ids) {
        const recorded =
          decodeRecord(joinTagValue(instances.find((i) => i.instanceId === id)?.tags ?? {}, PB_TAG.asg))?.group ??
          options.asgGroupOf?.[id];
        const name = members[id]?.groupName ?? recorded;
        if (name && byName.has(name)) out[id]!.group = byName.get(name);
      }
      return out;
    } catch (e) {
      for (const id of ids) out[id] = { error: failure(e) };
      return out;
    }
  },
};
