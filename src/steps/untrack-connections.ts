// Step 1 of the security-group swap: every ENI onto the all-open isolation group. With all traffic allowed in
// both directions from 0.0.0.0/0 and ::/0, existing TCP/UDP flows become untracked (aws-api-semantics.md §1.2), so
// the next step's empty group cuts them at once (§1.3). Per ENI (never ModifyInstanceAttribute: it fails on
// multi-ENI instances), all ENIs in parallel.

import type { Change } from '../core/plan.js';
import { hasLayer } from '../core/layers.js';
import { containableEnis, isolationIds, type StepDef } from './types.js';

export const untrackConnections: StepDef = {
  id: 'untrack-connections',
  title: 'Swap every ENI to the all-open group (flows become untracked)',
  layer: 'network',
  critical: true,
  schedule: 'swap-open',
  permissions: ['ec2:ModifyNetworkInterfaceAttribute'],
  dependsOn: ['ensure-isolation-groups'],
  enabled: (o) => hasLayer(o, 'sg') && !o.skipUntrackStep,
  plan(input) {
    if (input.options.skipUntrackStep || !hasLayer(input.options, 'sg')) return [];
    const changes: Change[] = [];
    for (const inst of input.instances) {
      const ids = isolationIds(input, inst.vpcId ?? '');
      for (const eni of containableEnis(inst)) {
        const g = eni.groupIds;
        if ((g.length === 1 && g[0] === ids.empty) || (g.length === 1 && g[0] === ids.open)) continue;
        changes.push({
          id: `untrack-connections:${eni.networkInterfaceId}`,
          stepId: 'untrack-connections',
          resource: eni.networkInterfaceId,
          resourceType: 'network-interface',
          attribute: 'groups',
          before: g,
          after: [ids.open],
          critical: true,
          instanceId: inst.instanceId,
          summary: `${eni.networkInterfaceId}: ${g.join(', ')} → isolation step 1 (all-open)`,
        });
      }
    }
    return changes;
  },
  async preflight(ctx, changes) {
    // The open group may not exist yet: check the permission against the ENI's current groups.
    for (const c of changes) await ctx.gateway.setEniGroups(c.resource, c.before as string[], true);
  },
  async apply(ctx, changes) {
    // Each ENI on its own: the scheduler sends an ENI's swap only with a token reserved for its second swap, which
    // isolate-security-groups sends as soon as this one has answered (it waits for this ENI, not for the others).
    const results = await Promise.allSettled(
      changes.map(async (c) => {
        try {
          await ctx.gateway.setEniGroups(
            c.resource,
            (c.after as string[]).map((g) => ctx.resolve(g)),
          );
          ctx.settle?.(c.id, true);
        } catch (e) {
          ctx.settle?.(c.id, false);
          // A first swap that failed for good gives its reserved follow-up token back.
          ctx.gateway.clients.scheduler.release(c.resource);
          throw e;
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  },
};
