// Step 2 of the security-group swap: every ENI onto the empty isolation group. Untracked flows die at once;
// flows that stay tracked (ICMP, NAT/NLB/TGW paths — §1.4) survive until idle: verify reports them.

import type { Change } from '../core/plan.js';
import { containableEnis, isolationIds, type StepDef } from './types.js';

export const isolateSecurityGroups: StepDef = {
  id: 'isolate-security-groups',
  title: 'Swap every ENI to the empty group',
  layer: 'network',
  critical: true,
  permissions: ['ec2:ModifyNetworkInterfaceAttribute'],
  dependsOn: ['ensure-isolation-groups', 'untrack-connections', 'record-originals'],
  plan(input) {
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
    await Promise.all(changes.map((c) => ctx.gateway.setEniGroups(c.resource, (c.after as string[]).map((g) => ctx.resolve(g)))));
  },
};
