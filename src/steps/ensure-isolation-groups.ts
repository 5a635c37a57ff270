// Step: make sure each VPC has the two isolation groups — "step 1" (all traffic in and out, 0.0.0.0/0 and ::/0:
// every TCP/UDP flow becomes untracked) and "step 2" (no rules: its default egress rule revoked). Prepared groups
// (`cordon prepare`) are reused; missing ones are created with their tags in the create call.

import type { Change } from '../core/plan.js';
import { TAG, ROLE_OPEN, ROLE_EMPTY, DO_NOT_USE } from '../core/tags.js';
import type { Gateway } from '../aws/gateway.js';
import { awsErrorCode } from '../aws/clients.js';
import { allowList, hasLayer } from '../core/layers.js';
import { ROLE_ALLOW } from '../core/subnet-layers.js';
import { allowGroupName, createAllowGroup } from './allow-list-group.js';
import { randomBytes } from 'node:crypto';
import { isolationIds, type StepDef } from './types.js';
import { isolationGroupProblem } from '../core/isolation-groups.js';
import type { RuleFacts, SecurityGroupFacts } from '../core/facts.js';

export const GROUP_NAMES = {
  [ROLE_OPEN]: 'cordon-isolation-step1-open',
  [ROLE_EMPTY]: 'cordon-isolation-step2-empty',
} as const;
const DESCRIPTIONS = {
  [ROLE_OPEN]: 'cordon isolation step 1 (all traffic, makes flows untracked) - DO NOT USE for anything else',
  [ROLE_EMPTY]: 'cordon isolation step 2 (no rules) - DO NOT USE for anything else',
} as const;

export function isolationGroupTags(role: string, incident?: string, name?: string): Record<string, string> {
  const tags: Record<string, string> = {
    [TAG.role]: role,
    [TAG.doNotUse]: DO_NOT_USE,
    Name: name ?? GROUP_NAMES[role as keyof typeof GROUP_NAMES],
  };
  if (incident) tags[TAG.incident] = incident;
  return tags;
}

/**
 * Creates one isolation group with its final rules and returns its id. Safe to repeat: when the group already exists
 * (another responder's run at the same moment, or a retried call whose first attempt had succeeded), it is reused
 * and its rules are completed; rules that are already there (or already gone) are not an error. A group of that name
 * that is not cordon's — without its tags, or with a rule cordon never gives the role — is never reused: the new
 * group gets a fresh name.
 */
export async function createIsolationGroup(
  gw: Gateway,
  vpcId: string,
  role: typeof ROLE_OPEN | typeof ROLE_EMPTY,
  incident?: string,
): Promise<string> {
  let id: string | undefined;
  let name: string = GROUP_NAMES[role];
  for (let attempt = 0; id === undefined; attempt++) {
    try {
      id = (await gw.createSecurityGroup(vpcId, name, DESCRIPTIONS[role], isolationGroupTags(role, incident, name)))!;
    } catch (e) {
      if (awsErrorCode(e) !== 'InvalidGroup.Duplicate' || attempt > 3) throw e;
      const existing = (
        await gw.findGroupsByTag([
          { name: 'vpc-id', values: [vpcId] },
          { name: 'group-name', values: [name] },
        ])
      )[0];
      if (!existing) throw e;
      if (inProgressOrOurs(existing, role)) id = existing.groupId;
      else name = `${GROUP_NAMES[role]}-${randomBytes(3).toString('hex')}`;
    }
  }
  const tolerate =
    (codes: string[]) =>
    (e: unknown): void => {
      if (!codes.includes(awsErrorCode(e) ?? '')) throw e;
    };
  if (role === ROLE_OPEN) {
    // A new group already allows all IPv4 egress; add all IPv6 egress and all ingress, in parallel.
    await Promise.all([
      gw.authorizeAllIngress(id).catch(tolerate(['InvalidPermission.Duplicate'])),
      gw.authorizeEgress(id, { v6: ['::/0'] }).catch(tolerate(['InvalidPermission.Duplicate'])),
    ]);
  } else {
    // Revoke the default egress of both families, separately: a missing ::/0 rule must not stop the IPv4 revoke.
    await Promise.all([
      gw.revokeEgress(id, { v4: ['0.0.0.0/0'] }).catch(tolerate(['InvalidPermission.NotFound'])),
      gw.revokeEgress(id, { v6: ['::/0'] }).catch(tolerate(['InvalidPermission.NotFound'])),
    ]);
  }
  return id;
}

/**
 * Whether a group found by name is cordon's: its tags, and no rule but those cordon gives the role — allowing for a
 * group another run of cordon is still completing (the open group may lack some of its rules; a new group still has
 * its default all-traffic egress, which the empty group's creator is about to revoke).
 */
function inProgressOrOurs(g: SecurityGroupFacts, role: typeof ROLE_OPEN | typeof ROLE_EMPTY): boolean {
  const all = (r: RuleFacts): boolean =>
    r.protocol === '-1' && (r.cidr === '0.0.0.0/0' || r.cidr === '::/0') && !r.groupId && !r.prefixListId;
  const full = [
    { protocol: '-1', cidr: '0.0.0.0/0' },
    { protocol: '-1', cidr: '::/0' },
  ];
  if (role === ROLE_OPEN) {
    if (!g.ingress.every(all) || !g.egress.every(all)) return false;
    return isolationGroupProblem({ ...g, ingress: full, egress: full }) === undefined;
  }
  if (g.ingress.length || !g.egress.every(all)) return false;
  return isolationGroupProblem({ ...g, egress: [] }) === undefined;
}

export const ensureIsolationGroups: StepDef = {
  id: 'ensure-isolation-groups',
  title: 'Ensure isolation groups exist',
  layer: 'network',
  critical: true,
  permissions: [
    'ec2:CreateSecurityGroup',
    'ec2:AuthorizeSecurityGroupIngress',
    'ec2:AuthorizeSecurityGroupEgress',
    'ec2:RevokeSecurityGroupEgress',
    'ec2:CreateTags',
  ],
  dependsOn: [],
  enabled: (o) => hasLayer(o, 'sg'),
  plan(input) {
    if (!hasLayer(input.options, 'sg')) return [];
    const changes: Change[] = [];
    const allow = allowList(input.options);
    const vpcs = new Map<string, string>();
    for (const i of input.instances) if (i.vpcId && !vpcs.has(i.vpcId)) vpcs.set(i.vpcId, i.instanceId);
    // A VPC's groups serve the instances in that VPC only: a failure there holds back no other VPC's instances.
    const serves = (vpcId: string): string[] =>
      input.instances.filter((i) => i.vpcId === vpcId).map((i) => i.instanceId);
    for (const [vpcId, instanceId] of vpcs) {
      const g = input.isolationGroups[vpcId];
      // An existing group of the VPC, to DryRun the rule calls against before the new group exists.
      const probeGroupId = input.instances.find((i) => i.instanceId === instanceId)?.enis.flatMap((e) => e.groupIds)[0];
      for (const role of [ROLE_OPEN, ROLE_EMPTY] as const) {
        if ((role === ROLE_OPEN ? g?.open : g?.empty) || (role === ROLE_OPEN && input.options.skipUntrackStep)) {
          if (role === ROLE_OPEN || allow.length === 0) continue;
        }
        if (role === ROLE_EMPTY && allow.length) {
          // --allow-cidr: the step-2 group of this allow-list (never the plain empty group other incidents use).
          const ref = isolationIds(input, vpcId).empty;
          if (!ref.startsWith('new:')) continue;
          changes.push({
            id: `ensure-isolation-groups:${ref}`,
            stepId: 'ensure-isolation-groups',
            resource: ref,
            resourceType: 'security-group',
            attribute: 'create',
            before: null,
            after: { vpcId, role: ROLE_ALLOW, name: allowGroupName(allow), allow, probeGroupId },
            critical: true,
            instanceId,
            serves: serves(vpcId),
            summary: `create ${allowGroupName(allow)} in ${vpcId} (no rules but all traffic from and to ${allow.join(', ')})`,
          });
          continue;
        }
        const ref = `new:${role}:${vpcId}`;
        changes.push({
          id: `ensure-isolation-groups:${ref}`,
          stepId: 'ensure-isolation-groups',
          resource: ref,
          resourceType: 'security-group',
          attribute: 'create',
          before: null,
          after: { vpcId, role, name: GROUP_NAMES[role], probeGroupId },
          critical: true,
          instanceId,
          serves: serves(vpcId),
          summary: `create ${GROUP_NAMES[role]} in ${vpcId} (${role === ROLE_OPEN ? 'all traffic in/out, IPv4+IPv6' : 'no rules'})`,
        });
      }
    }
    return changes;
  },
  async preflight(ctx, changes) {
    for (const c of changes) {
      const { vpcId, role, probeGroupId } = c.after as { vpcId: string; role: string; probeGroupId?: string };
      await ctx.gateway.createSecurityGroup(vpcId, `cordon-dryrun-${Date.now()}`, 'dry run', {}, true);
      if (!probeGroupId) continue;
      // The rule calls that will shape the new group, checked against an existing group with a rule that no
      // group has (TEST-NET-1): only a permission failure counts, a validation answer means the call is allowed.
      const probe = { v4: ['192.0.2.1/32'] };
      if (role !== ROLE_EMPTY) {
        await ctx.gateway.probe(() => ctx.gateway.authorizeIngress(probeGroupId, probe, true));
        await ctx.gateway.probe(() => ctx.gateway.authorizeEgress(probeGroupId, probe, true));
      }
      if (role !== ROLE_OPEN) await ctx.gateway.probe(() => ctx.gateway.revokeEgress(probeGroupId, probe, true));
    }
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map(async (c) => {
        const { vpcId, role, allow } = c.after as {
          vpcId: string;
          role: typeof ROLE_OPEN | typeof ROLE_EMPTY | typeof ROLE_ALLOW;
          allow?: string[];
        };
        const id =
          role === ROLE_ALLOW
            ? await createAllowGroup(ctx.gateway, vpcId, allow ?? [], ctx.incident)
            : await createIsolationGroup(ctx.gateway, vpcId, role, ctx.incident);
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
