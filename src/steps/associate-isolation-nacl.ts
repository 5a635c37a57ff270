// Step (NACL layer, dedicated mode): move each subnet onto the isolation NACL with ReplaceNetworkAclAssociation. A
// NACL is stateless: from the next packet, nothing crosses the subnet boundary — tracked flows, ICMP, NAT-gateway,
// NLB and transit-gateway paths included — while traffic inside the subnet never meets a NACL. The original NACL is
// on the subnet's cordon:original-nacl tag (and in the journal); restore moves the subnet back.

import type { Change } from '../core/plan.js';
import { hasLayer } from '../core/layers.js';
import { roleOf } from '../core/layer-plan.js';
import { LTAG, ROLE_NACL, subnetLayersOf } from '../core/subnet-layers.js';
import { replaceNaclAssociation } from '../aws/layer-calls.js';
import { restoreRole, reviveWarning, work } from './subnet-layer-support.js';
import type { RestoreItem, StepDef } from './types.js';

export const associateIsolationNacl: StepDef = {
  id: 'associate-isolation-nacl',
  title: 'Associate each subnet with the isolation NACL',
  layer: 'network',
  critical: true,
  schedule: 'first',
  permissions: ['ec2:ReplaceNetworkAclAssociation'],
  dependsOn: ['ensure-isolation-nacl', 'record-subnet-originals'],
  enabled: (o) => hasLayer(o, 'nacl'),
  plan(input) {
    if (!hasLayer(input.options, 'nacl')) return [];
    return work(input)
      .nacl.filter((n) => n.mode === 'dedicated' && !n.already)
      .map((n): Change => ({
        id: `associate-isolation-nacl:${n.subnetId}`,
        stepId: 'associate-isolation-nacl',
        resource: n.subnetId,
        resourceType: 'subnet',
        attribute: 'network-acl',
        before: { networkAclId: n.current.networkAclId, associationId: n.associationId },
        after: { networkAclId: n.target },
        critical: true,
        instanceId: n.instanceIds[0],
        summary: `${n.subnetId}: NACL ${n.current.networkAclId} → isolation NACL (nothing crosses the subnet boundary; inside the subnet is unaffected)`,
      }));
  },
  async preflight(ctx, changes) {
    // Replacing with the current NACL is a no-op AWS accepts: it checks the permission without naming the new one.
    for (const c of changes) {
      const b = c.before as { networkAclId: string; associationId: string };
      await replaceNaclAssociation(ctx.gateway, b.associationId, b.networkAclId, true);
    }
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map((c) =>
        replaceNaclAssociation(
          ctx.gateway,
          (c.before as { associationId: string }).associationId,
          ctx.resolve((c.after as { networkAclId: string }).networkAclId),
        ),
      ),
    );
  },
  // Subnet layers come back before the security groups (100): see reviveWarning and docs/layers.md.
  restoreOrder: 70,
  planRestore(input) {
    const f = subnetLayersOf(input.instance);
    if (!f) return [];
    const items: RestoreItem[] = [];
    for (const s of f.subnets) {
      const journal = input.journalOriginal(s.subnetId, 'network-acl') as { networkAclId?: string } | undefined;
      const picked = input.pick(s.subnetId, 'network-acl', s.tags[LTAG.originalNacl], journal?.networkAclId);
      const original = picked?.value;
      if (!original || !s.nacl || !s.naclAssociationId || s.nacl.networkAclId === original) continue;
      const role = restoreRole(input, s, LTAG.holdersNacl);
      if (!role.owner) continue;
      const onIsolation = roleOf(s.nacl.tags) === ROLE_NACL;
      items.push({
        stepId: 'associate-isolation-nacl',
        instanceId: input.instance.instanceId,
        resource: s.subnetId,
        attribute: 'network-acl',
        current: { networkAclId: s.nacl.networkAclId, associationId: s.naclAssociationId },
        original: { networkAclId: original },
        source: picked!.source,
        drift: onIsolation ? undefined : `its NACL is ${s.nacl.networkAclId}, not cordon's isolation NACL`,
        summary: `${s.subnetId}: NACL ${s.nacl.networkAclId} → ${original} (${reviveWarning(input.instance)})`,
      });
    }
    return items;
  },
  async applyRestore(ctx, items) {
    await Promise.all(
      items.map((i) =>
        replaceNaclAssociation(
          ctx.gateway,
          (i.current as { associationId: string }).associationId,
          (i.original as { networkAclId: string }).networkAclId,
        ),
      ),
    );
  },
};
