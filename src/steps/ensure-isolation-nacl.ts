// Step (NACL layer, dedicated mode): make sure the VPC has an isolation NACL — no entries of its own, so its catch-all
// rules deny everything in and out, IPv4 and IPv6; with --allow-cidr, allow-all entries for the forensics networks
// (one NACL per allow-list, never shared with incidents that do not want it). Tagged do-not-use; reused afterwards.

import type { Change } from '../core/plan.js';
import { TAG, DO_NOT_USE } from '../core/tags.js';
import { hasLayer } from '../core/layers.js';
import { isolationNaclEntries } from '../core/nacl-top.js';
import { LTAG, ROLE_NACL, listTags } from '../core/subnet-layers.js';
import { createNaclEntry, createNetworkAcl } from '../aws/layer-calls.js';
import { work } from './subnet-layer-support.js';
import type { StepDef } from './types.js';

export const ensureIsolationNacl: StepDef = {
  id: 'ensure-isolation-nacl',
  title: 'Ensure an isolation NACL exists (deny all)',
  layer: 'network',
  critical: true,
  schedule: 'first',
  permissions: ['ec2:CreateNetworkAcl', 'ec2:CreateNetworkAclEntry', 'ec2:CreateTags'],
  dependsOn: [],
  enabled: (o) => hasLayer(o, 'nacl'),
  plan(input) {
    if (!hasLayer(input.options, 'nacl')) return [];
    return work(input).createNacls.map((c): Change => ({
      id: `ensure-isolation-nacl:${c.placeholder}`,
      stepId: 'ensure-isolation-nacl',
      resource: c.placeholder,
      resourceType: 'network-acl',
      attribute: 'create',
      before: null,
      after: { vpcId: c.vpcId, allow: c.allow },
      critical: true,
      instanceId: c.instanceId,
      summary: `create an isolation NACL in ${c.vpcId}: deny all in and out, IPv4 and IPv6${c.allow.length ? `, except ${c.allow.join(', ')} (allow-list)` : ''}`,
    }));
  },
  async preflight(ctx, changes) {
    for (const c of changes) await createNetworkAcl(ctx.gateway, (c.after as { vpcId: string }).vpcId, {}, true);
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map(async (c) => {
        const { vpcId, allow } = c.after as { vpcId: string; allow: string[] };
        const tags: Record<string, string> = {
          [TAG.role]: ROLE_NACL,
          [TAG.doNotUse]: DO_NOT_USE,
          [TAG.incident]: ctx.incident,
          Name: allow.length ? 'cordon-isolation-nacl-allow-list' : 'cordon-isolation-nacl',
        };
        if (allow.length) Object.assign(tags, listTags(LTAG.allowList, allow));
        const id = (await createNetworkAcl(ctx.gateway, vpcId, tags))!;
        ctx.journal.append({
          type: 'created',
          time: ctx.now(),
          incident: ctx.incident,
          placeholder: c.resource,
          resource: id,
        });
        await Promise.all(isolationNaclEntries(allow).map((e) => createNaclEntry(ctx.gateway, id, e)));
        ctx.setResolved(c.resource, id);
      }),
    );
  },
};
