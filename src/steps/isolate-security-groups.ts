// Step 2 of the security-group swap: every ENI onto the empty isolation group. Untracked flows die at once;
// flows that stay tracked (ICMP, NAT/NLB/TGW paths — §1.4) survive until idle: verify reports them.

import type { Change } from '../core/plan.js';
import { hasLayer } from '../core/layers.js';
import { TAG, joinTagValue } from '../core/tags.js';
import {
  containableEnis,
  isIsolationGroup,
  isolationIds,
  type RestoreItem,
  type StepContext,
  type StepDef,
} from './types.js';
import { PRIORITY } from '../aws/scheduler.js';
import { messageOf } from './playbook-common.js';

/** An ENI that may be on the all-open group gets this long past the run's deadline to leave it. */
export const SAFETY_GRACE_MS = 120_000;

/**
 * One ENI's second swap. If it cannot be made and the ENI may be on the all-open group (its first swap went out —
 * even one whose answer was lost), the ENI goes back to its original groups: never left more open than it was.
 */
async function closeSwap(ctx: StepContext, c: Change): Promise<void> {
  const empty = (c.after as string[]).map((g) => ctx.resolve(g));
  const untrack = ctx.whenSettled
    ? await ctx.whenSettled(`untrack-connections:${c.resource}`)
    : ctx.outcome?.(`untrack-connections:${c.resource}`);
  const graceful = (ms: number): number | undefined => (ctx.deadline === undefined ? undefined : ctx.deadline + ms);
  try {
    await ctx.gateway.scheduled(
      { priority: PRIORITY.swapClose, swap: 'close', deadline: graceful(SAFETY_GRACE_MS) },
      () => ctx.gateway.setEniGroups(c.resource, empty),
    );
    if (untrack === 'failed')
      ctx.warn(
        c.instanceId,
        `${c.resource}: its step-1 swap failed; it went straight to the empty group (a one-step swap: its tracked connections may survive — check with \`cordon verify\`)`,
      );
  } catch (e) {
    const mayBeOpen =
      untrack !== undefined || !sameSet(c.before as string[], (c.fallback as string[] | undefined) ?? []);
    const original = c.fallback as string[] | undefined;
    if (mayBeOpen && original?.length) {
      try {
        await ctx.gateway.scheduled(
          { priority: PRIORITY.swapClose, swap: 'close', deadline: graceful(2 * SAFETY_GRACE_MS) },
          () => ctx.gateway.setEniGroups(c.resource, original),
        );
        ctx.warn(
          c.instanceId,
          `${c.resource}: its second swap (to the empty group) failed (${messageOf(e)}); put it back on its original groups ${original.join(', ')} rather than leave it on the all-open group — it is NOT contained`,
        );
      } catch (e2) {
        ctx.warn(
          c.instanceId,
          `${c.resource}: may be on the ALL-OPEN isolation group (step 1) and could not be moved (${messageOf(e2)}) — fix it by hand now: aws ec2 modify-network-interface-attribute --network-interface-id ${c.resource} --groups ${empty[0] ?? original.join(' ')}`,
        );
      }
    } else if (mayBeOpen) {
      ctx.warn(
        c.instanceId,
        `${c.resource}: may be on the ALL-OPEN isolation group (step 1): its second swap failed (${messageOf(e)}) and its original groups are not known — fix it by hand now`,
      );
    }
    throw e;
  }
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

export const isolateSecurityGroups: StepDef = {
  id: 'isolate-security-groups',
  title: 'Swap every ENI to the empty group',
  layer: 'network',
  critical: true,
  schedule: 'swap-close',
  permissions: ['ec2:ModifyNetworkInterfaceAttribute'],
  // Not on record-originals: the fsynced journal already holds the originals, and a failed tag write (an ENI at its
  // tag limit) must never leave the instance on the all-open group of step 1. Not on untrack-connections either:
  // each ENI's second swap waits for its own first swap only (closeSwap), so it follows it at once, and an ENI whose
  // first swap went through gets its second even if another ENI's failed. An ENI found on the all-open group
  // (a crashed run) has no first swap to wait for: it goes first.
  dependsOn: ['ensure-isolation-groups'],
  enabled: (o) => hasLayer(o, 'sg'),
  plan(input) {
    if (!hasLayer(input.options, 'sg')) return [];
    const changes: Change[] = [];
    for (const inst of input.instances) {
      const ids = isolationIds(input, inst.vpcId ?? '');
      for (const eni of containableEnis(inst)) {
        const g = eni.groupIds;
        if (g.length === 1 && g[0] === ids.empty) continue;
        const onOpen = g.length === 1 && g[0] === ids.open;
        const before = input.options.skipUntrackStep || onOpen ? g : [ids.open];
        // Where the ENI goes back to if it cannot reach the empty group: its original groups (never an isolation group).
        const known = input.knownOriginals?.[eni.networkInterfaceId]?.groups;
        const tagged = joinTagValue(eni.tags, TAG.originalGroups)?.split(',').filter(Boolean);
        // On the open group or on a tampered isolation group (a rerun): its record says what it was before.
        const original = onOpen || g.some((x) => isIsolationGroup(input, x)) ? (known ?? tagged) : g;
        const fallback =
          original?.length && !original.some((x) => isIsolationGroup(input, x) || x === ids.open || x === ids.empty)
            ? original
            : undefined;
        changes.push({
          id: `isolate-security-groups:${eni.networkInterfaceId}`,
          stepId: 'isolate-security-groups',
          resource: eni.networkInterfaceId,
          resourceType: 'network-interface',
          attribute: 'groups',
          before,
          after: [ids.empty],
          fallback,
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
    const results = await Promise.allSettled(changes.map((c) => closeSwap(ctx, c)));
    results.forEach((r, i) => ctx.settle?.(changes[i]!.id, r.status === 'fulfilled'));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  },
  // Security groups are restored last: while a NACL or route isolation is being removed, the empty group still
  // holds, so no old conntrack entry can revive a flow through a half-restored instance.
  restoreOrder: 100,
  planRestore(input) {
    const isoIds = [
      input.isolation.open?.groupId,
      input.isolation.empty?.groupId,
      ...Object.values(input.isolation.allow ?? {}).map((g) => g.groupId),
      ...input.tamperedGroupIds,
    ].filter(Boolean) as string[];
    const items: RestoreItem[] = [];
    for (const e of containableEnis(input.instance)) {
      const tagged = joinTagValue(e.tags, TAG.originalGroups);
      const fromJournal = input.journalOriginal(e.networkInterfaceId, 'eni-state') as { groups?: string[] } | undefined;
      const picked = input.pick(
        e.networkInterfaceId,
        'groups',
        tagged === undefined ? undefined : tagged.split(',').filter(Boolean).sort(),
        fromJournal?.groups ? [...fromJournal.groups].sort() : undefined,
      );
      // Compared as sets; put back in the recorded order.
      const recorded =
        picked === undefined
          ? undefined
          : picked.source === 'tags'
            ? tagged!.split(',').filter(Boolean)
            : (fromJournal!.groups as string[]);
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
        source: picked!.source,
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
