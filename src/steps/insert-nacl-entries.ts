// Step (NACL layer, top mode): insert deny-all entries — IPv4 and, where the VPC has IPv6, IPv6; both directions —
// numbered before every existing entry of the subnet's own NACL (after the allow-list entries, if any). Stateless:
// from the next packet nothing crosses the boundary of every subnet on that NACL (the blast radius lists them).
// The numbers are in the NACL's cordon:nacl-top-entries tag; restore deletes exactly those entries.

import type { Change } from '../core/plan.js';
import { hasLayer, naclModeOf } from '../core/layers.js';
import { CATCH_ALL, recordedInserts } from '../core/nacl-top.js';
import { joinTagValue } from '../core/tags.js';
import {
  LTAG,
  decodeDirections,
  readList,
  subnetLayersOf,
  type LayerNacl,
  type LayerNaclEntry,
} from '../core/subnet-layers.js';
import { createNaclEntry, deleteNaclEntry } from '../aws/layer-calls.js';
import { naclRestoreRole, reviveWarning, work } from './subnet-layer-support.js';
import type { RestoreItem, StepDef } from './types.js';

const describeEntry = (e: LayerNaclEntry): string =>
  `${e.egress ? 'out' : 'in'} ${e.ruleNumber} ${e.action} ${e.cidr ?? e.ipv6Cidr}`;

export const insertNaclEntries: StepDef = {
  id: 'insert-nacl-entries',
  title: 'Insert deny-all entries at the top of the subnet NACL',
  layer: 'network',
  critical: true,
  schedule: 'first',
  permissions: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAclEntry'],
  dependsOn: ['record-subnet-originals', 'renumber-nacl-entries'],
  enabled: (o) => hasLayer(o, 'nacl') && naclModeOf(o) === 'top',
  plan(input) {
    if (!hasLayer(input.options, 'nacl')) return [];
    return work(input)
      .top.filter((t) => !t.already)
      .map((t): Change => ({
        id: `insert-nacl-entries:${t.nacl.networkAclId}`,
        stepId: 'insert-nacl-entries',
        resource: t.nacl.networkAclId,
        resourceType: 'network-acl',
        attribute: 'network-acl-entries',
        before: { entries: t.nacl.entries },
        after: { insert: t.inserts },
        critical: true,
        instanceId: t.instanceIds[0],
        summary: `${t.nacl.networkAclId}${t.nacl.isDefault ? ' (the VPC default NACL)' : ''}: ${t.inserts.map(describeEntry).join(', ')} — before every existing rule, for subnet(s) ${t.subnetIds.join(', ')} and every other subnet on this NACL`,
      }));
  },
  async preflight(ctx, changes) {
    const c = changes[0];
    if (!c) return;
    // A number free now (renumbering has not run yet), for a DryRun of the same call.
    const taken = new Set(
      (c.before as { entries: LayerNaclEntry[] }).entries.filter((e) => !e.egress).map((e) => e.ruleNumber),
    );
    let n = CATCH_ALL - 1;
    while (taken.has(n)) n--;
    const e = (c.after as { insert: LayerNaclEntry[] }).insert.find((x) => !x.egress)!;
    await createNaclEntry(ctx.gateway, c.resource, { ...e, ruleNumber: n }, true);
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.flatMap((c) =>
        (c.after as { insert: LayerNaclEntry[] }).insert.map((e) => createNaclEntry(ctx.gateway, c.resource, e)),
      ),
    );
  },
  restoreOrder: 60,
  planRestore(input) {
    const f = subnetLayersOf(input.instance);
    if (!f) return [];
    const items: RestoreItem[] = [];
    const nacls = new Map<string, LayerNacl>(
      f.subnets.filter((s) => s.nacl).map((s) => [s.nacl!.networkAclId, s.nacl!]),
    );
    for (const nacl of nacls.values()) {
      const rec = nacl.tags[LTAG.topEntries];
      if (rec === undefined) continue;
      if (!naclRestoreRole(input, readList(nacl.tags, LTAG.holders)).owner) continue;
      const allow = (joinTagValue(nacl.tags, LTAG.allowList) ?? '').split(',').filter(Boolean);
      const wanted = recordedInserts(decodeDirections(rec), allow);
      const present = wanted.filter((e) =>
        nacl.entries.some((x) => x.egress === e.egress && x.ruleNumber === e.ruleNumber),
      );
      const changed = present.filter(
        (e) =>
          !nacl.entries.some(
            (x) =>
              x.egress === e.egress &&
              x.ruleNumber === e.ruleNumber &&
              x.action === e.action &&
              x.protocol === '-1' &&
              (x.cidr ?? x.ipv6Cidr) === (e.cidr ?? e.ipv6Cidr),
          ),
      );
      if (present.length === 0) continue;
      items.push({
        stepId: 'insert-nacl-entries',
        instanceId: input.instance.instanceId,
        resource: nacl.networkAclId,
        attribute: 'network-acl-entries',
        current: present.filter((e) => !changed.includes(e)),
        original: [],
        source: 'tags',
        drift: changed.length
          ? `rule(s) ${changed.map(describeEntry).join(', ')} are no longer cordon's entries`
          : undefined,
        summary: `${nacl.networkAclId}: delete cordon's entries ${present.map(describeEntry).join(', ')} (${reviveWarning(input.instance)})`,
      });
    }
    return items;
  },
  async applyRestore(ctx, items) {
    await Promise.all(
      items.flatMap((i) =>
        (i.current as LayerNaclEntry[]).map((e) => deleteNaclEntry(ctx.gateway, i.resource, e.ruleNumber, e.egress)),
      ),
    );
  },
};
