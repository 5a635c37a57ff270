// Step (igw layer): a copy of the subnet's route table without its internet routes (internet gateway, egress-only
// gateway, NAT gateway), keeping VPN, peering, transit gateway and appliance routes and the VGW route propagation.
// Why a copy rather than deleting the routes: the table is often shared (the main table serves every subnet without
// its own), and deleting its default route would cut them all; the copy is associated with the contained subnet
// alone, and restore re-associates the original and deletes the copy. The internet gateway itself stays attached:
// DetachInternetGateway fails with DependencyViolation while public addresses are mapped, and would cut the VPC.

import type { Change } from '../core/plan.js';
import { TAG, DO_NOT_USE } from '../core/tags.js';
import { hasLayer } from '../core/layers.js';
import { LTAG, ROLE_INTERNET_CUT, type LayerRoute } from '../core/subnet-layers.js';
import { createRoute, createRouteTable, enableVgwRoutePropagation } from '../aws/layer-calls.js';
import { work } from './subnet-layer-support.js';
import type { StepDef } from './types.js';

interface CopySpec {
  vpcId: string;
  source: string;
  routes: LayerRoute[];
  propagating: string[];
}

export const ensureInternetCutTable: StepDef = {
  id: 'ensure-internet-cut-table',
  title: 'Copy the subnet route table without its internet routes',
  layer: 'network',
  critical: true,
  schedule: 'first',
  permissions: [
    'ec2:CreateRouteTable',
    'ec2:CreateRoute',
    'ec2:EnableVgwRoutePropagation',
    'ec2:CreateTags',
    'ec2:DeleteRouteTable',
  ],
  dependsOn: [],
  enabled: (o) => hasLayer(o, 'igw') && !hasLayer(o, 'route'),
  plan(input) {
    if (!hasLayer(input.options, 'igw') || hasLayer(input.options, 'route')) return [];
    return work(input).copies.map((c): Change => {
      const cut = c.source.routes.filter((r) => ['igw', 'eigw', 'nat'].includes(r.targetKind));
      return {
        id: `ensure-internet-cut-table:${c.placeholder}`,
        stepId: 'ensure-internet-cut-table',
        resource: c.placeholder,
        resourceType: 'route-table',
        attribute: 'create',
        before: null,
        after: {
          vpcId: c.vpcId,
          source: c.source.routeTableId,
          routes: c.routes,
          propagating: c.propagating,
        } satisfies CopySpec,
        critical: true,
        instanceId: c.instanceId,
        summary: `copy ${c.source.routeTableId} without ${cut.map((r) => `${r.destination} → ${r.target}`).join(', ')}; keep ${c.routes.length ? c.routes.map((r) => `${r.destination} → ${r.target}`).join(', ') : 'only the local routes'}${c.propagating.length ? `, propagation from ${c.propagating.join(', ')}` : ''}`,
      };
    });
  },
  async preflight(ctx, changes) {
    for (const c of changes) {
      const spec = c.after as CopySpec;
      await createRouteTable(ctx.gateway, spec.vpcId, {}, true);
      // The copy does not exist yet: check CreateRoute on the source table with a documentation-range destination.
      const r = spec.routes[0];
      if (r)
        await createRoute(
          ctx.gateway,
          spec.source,
          {
            ...r,
            destinationType: r.destinationType === 'ipv6' ? 'ipv6' : 'ipv4',
            destination: r.destinationType === 'ipv6' ? '2001:db8::/128' : '192.0.2.1/32',
          },
          true,
        );
    }
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map(async (c) => {
        const spec = c.after as CopySpec;
        const tags = {
          [TAG.role]: ROLE_INTERNET_CUT,
          [TAG.doNotUse]: DO_NOT_USE,
          [TAG.incident]: ctx.incident,
          [LTAG.sourceRouteTable]: spec.source,
          Name: `cordon-internet-cut-${spec.source}`,
        };
        const id = (await createRouteTable(ctx.gateway, spec.vpcId, tags))!;
        ctx.journal.append({
          type: 'created',
          time: ctx.now(),
          incident: ctx.incident,
          placeholder: c.resource,
          resource: id,
        });
        await Promise.all([
          ...spec.routes.map((r) => createRoute(ctx.gateway, id, r)),
          ...spec.propagating.map((v) => enableVgwRoutePropagation(ctx.gateway, id, v)),
        ]);
        ctx.setResolved(c.resource, id);
      }),
    );
  },
};
