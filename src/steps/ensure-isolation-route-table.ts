// Step (route layer): make sure the VPC has an isolation route table — only the local routes, which AWS puts in
// every new table: the subnet keeps its subnet and its VPC, and loses the internet, NAT, VPN, Direct Connect,
// peering, transit gateway and endpoint routes. Tagged do-not-use, reused by later containments in the VPC.

import type { Change } from '../core/plan.js';
import { TAG, DO_NOT_USE } from '../core/tags.js';
import { hasLayer } from '../core/layers.js';
import { ROLE_ROUTE_TABLE } from '../core/subnet-layers.js';
import { createRouteTable } from '../aws/layer-calls.js';
import { work } from './subnet-layer-support.js';
import type { StepDef } from './types.js';

export const ensureIsolationRouteTable: StepDef = {
  id: 'ensure-isolation-route-table',
  title: 'Ensure an isolation route table exists (local routes only)',
  layer: 'network',
  critical: true,
  schedule: 'first',
  permissions: ['ec2:CreateRouteTable', 'ec2:CreateTags'],
  dependsOn: [],
  enabled: (o) => hasLayer(o, 'route'),
  plan(input) {
    if (!hasLayer(input.options, 'route')) return [];
    return work(input).createRtbs.map((c): Change => ({
      id: `ensure-isolation-route-table:${c.placeholder}`,
      stepId: 'ensure-isolation-route-table',
      resource: c.placeholder,
      resourceType: 'route-table',
      attribute: 'create',
      before: null,
      after: { vpcId: c.vpcId },
      critical: true,
      instanceId: c.instanceId,
      summary: `create an isolation route table in ${c.vpcId} (only the local routes)`,
    }));
  },
  async preflight(ctx, changes) {
    for (const c of changes) await createRouteTable(ctx.gateway, (c.after as { vpcId: string }).vpcId, {}, true);
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map(async (c) => {
        const tags = {
          [TAG.role]: ROLE_ROUTE_TABLE,
          [TAG.doNotUse]: DO_NOT_USE,
          [TAG.incident]: ctx.incident,
          Name: 'cordon-isolation-route-table',
        };
        const id = (await createRouteTable(ctx.gateway, (c.after as { vpcId: string }).vpcId, tags))!;
        ctx.journal.append({
          type: 'created',
          time: ctx.now(),
          incident: ctx.incident,
          placeholder: c.resource,
          resource: id,
        });
        ctx.setResolved(c.resource, id);
      }),
    );
  },
};
