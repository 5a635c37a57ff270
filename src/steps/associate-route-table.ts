// Step (route and igw layers): associate each subnet with the isolation route table (route layer) or with the copy
// of its table without internet routes (igw layer). A subnet with its own association is moved with
// ReplaceRouteTableAssociation; one that used the VPC's main table implicitly gets an explicit association
// (AssociateRouteTable), and restore removes it again (DisassociateRouteTable) — the subnet then follows the main
// table as before. Only this subnet changes: the original table and every other subnet on it are untouched.

import type { Change } from '../core/plan.js';
import { hasLayer } from '../core/layers.js';
import { roleOf } from '../core/layer-plan.js';
import { LTAG, ROLE_INTERNET_CUT, ROLE_ROUTE_TABLE, subnetLayersOf } from '../core/subnet-layers.js';
import {
  associateRouteTable,
  deleteRouteTable,
  disassociateRouteTable,
  replaceRouteTableAssociation,
} from '../aws/layer-calls.js';
import { awsErrorCode } from '../aws/clients.js';
import { restoreRole, reviveWarning, work } from './subnet-layer-support.js';
import type { RestoreItem, StepDef } from './types.js';

interface Before {
  routeTableId: string;
  associationId?: string;
  implicitMain: boolean;
}
interface Current {
  routeTableId: string;
  associationId?: string;
  deleteCopy?: string;
}

export const associateRouteTableStep: StepDef = {
  id: 'associate-route-table',
  title: 'Associate each subnet with the isolation route table (or the internet-cut copy)',
  layer: 'network',
  critical: true,
  schedule: 'first',
  permissions: [
    'ec2:AssociateRouteTable',
    'ec2:ReplaceRouteTableAssociation',
    'ec2:DisassociateRouteTable',
    'ec2:DeleteRouteTable',
  ],
  dependsOn: ['ensure-isolation-route-table', 'ensure-internet-cut-table', 'record-subnet-originals'],
  enabled: (o) => hasLayer(o, 'route') || hasLayer(o, 'igw'),
  plan(input) {
    if (!hasLayer(input.options, 'route') && !hasLayer(input.options, 'igw')) return [];
    return work(input)
      .routes.filter((r) => !r.already)
      .map((r): Change => ({
        id: `associate-route-table:${r.subnetId}`,
        stepId: 'associate-route-table',
        resource: r.subnetId,
        resourceType: 'subnet',
        attribute: 'route-table',
        before: {
          routeTableId: r.current.routeTableId,
          associationId: r.associationId,
          implicitMain: r.implicitMain,
        } satisfies Before,
        after: { routeTableId: r.target, layer: r.layer },
        critical: true,
        instanceId: r.instanceIds[0],
        summary: `${r.subnetId}: route table ${r.current.routeTableId}${r.implicitMain ? ' (main, implicit)' : ''} → ${r.layer === 'route' ? 'isolation table (local routes only: the VPC stays reachable)' : 'copy without internet routes (VPN, peering, TGW kept)'}${r.implicitMain ? ' with AssociateRouteTable' : ''}`,
      }));
  },
  async preflight(ctx, changes) {
    for (const c of changes) {
      const b = c.before as Before;
      if (b.associationId) await replaceRouteTableAssociation(ctx.gateway, b.associationId, b.routeTableId, true);
      else await associateRouteTable(ctx.gateway, b.routeTableId, c.resource, true);
    }
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map(async (c) => {
        const b = c.before as Before;
        const target = ctx.resolve((c.after as { routeTableId: string }).routeTableId);
        if (b.associationId) await replaceRouteTableAssociation(ctx.gateway, b.associationId, target);
        else await associateRouteTable(ctx.gateway, target, c.resource);
      }),
    );
  },
  restoreOrder: 50,
  planRestore(input) {
    const f = subnetLayersOf(input.instance);
    if (!f) return [];
    const items: RestoreItem[] = [];
    for (const s of f.subnets) {
      const journal = input.journalOriginal(s.subnetId, 'route-table') as Before | undefined;
      const picked = input.pick(
        s.subnetId,
        'route-table',
        s.tags[LTAG.originalRouteTable],
        journal ? (journal.implicitMain ? 'main' : journal.routeTableId) : undefined,
      );
      const original = picked?.value;
      const t = s.routeTable;
      if (!original || !t) continue;
      const implicit = !s.routeAssociationId;
      if ((original === 'main' && implicit) || (original !== 'main' && t.routeTableId === original && !implicit))
        continue;
      if (!restoreRole(input, s, LTAG.holdersRtb).owner) continue;
      const role = roleOf(t.tags);
      const others = t.associations.filter((a) => a.subnetId && !f.subnets.some((x) => x.subnetId === a.subnetId));
      const deleteCopy = role === ROLE_INTERNET_CUT && others.length === 0 && !t.main ? t.routeTableId : undefined;
      items.push({
        stepId: 'associate-route-table',
        instanceId: input.instance.instanceId,
        resource: s.subnetId,
        attribute: 'route-table',
        current: { routeTableId: t.routeTableId, associationId: s.routeAssociationId, deleteCopy } satisfies Current,
        original,
        source: picked!.source,
        drift:
          role === ROLE_ROUTE_TABLE || role === ROLE_INTERNET_CUT
            ? undefined
            : `its route table is ${t.routeTableId}, not cordon's`,
        summary: `${s.subnetId}: route table ${t.routeTableId} → ${original === 'main' ? 'the main table (association removed)' : original}${deleteCopy ? `, delete the copy ${deleteCopy}` : ''} (${reviveWarning(input.instance)})`,
      });
    }
    return items;
  },
  async applyRestore(ctx, items) {
    await Promise.all(
      items.map(async (i) => {
        const cur = i.current as Current;
        const original = i.original as string;
        if (original === 'main') {
          if (cur.associationId) await disassociateRouteTable(ctx.gateway, cur.associationId);
        } else if (cur.associationId) {
          await replaceRouteTableAssociation(ctx.gateway, cur.associationId, original);
        } else {
          await associateRouteTable(ctx.gateway, original, i.resource);
        }
      }),
    );
    // Then the internet-cut copies nothing uses any more (once each, after every subnet has left them).
    const copies = [...new Set(items.map((i) => (i.current as Current).deleteCopy).filter((x): x is string => !!x))];
    await Promise.all(
      copies.map((id) =>
        deleteRouteTable(ctx.gateway, id).catch((e) => {
          if (awsErrorCode(e) !== 'DependencyViolation') throw e; // another subnet took it meanwhile: leave it
          ctx.warn(items[0]?.instanceId, `${id} is still in use: not deleted`);
        }),
      ),
    );
  },
};
