// `cordon audit`, the reasoning (pure): what in an account and region undermines containment or is left half-way.
// Read everything cordon marks (src/aws/audit.ts), then find:
//   - an ENI on the all-open step-1 group (always: it is more exposed than before cordon ran);
//   - an ENI on an isolation group whose instance has no open incident (someone attached it, or a restore stopped);
//   - an isolation group whose tags or rules are not cordon's (src/core/isolation-groups.ts);
//   - an isolation NACL whose entries are not the isolation entries, a NACL whose inserted deny entries are gone,
//     an isolation route table with a route out;
//   - an instance tagged contained whose ENIs are not all on a trusted step-2 group;
//   - an incident left half-way: an instance tagged containing or restoring.

import type { InstanceFacts, SecurityGroupFacts } from './facts.js';
import { classifyIsolationGroups } from './isolation-groups.js';
import { isolationNaclEntries, sameEntries } from './nacl-top.js';
import { isIsolationRtb, topAlready } from './layer-plan.js';
import { LTAG, ROLE_ALLOW, ROLE_NACL, readList, type LayerNacl, type LayerRouteTable } from './subnet-layers.js';
import { ROLE_EMPTY, ROLE_OPEN, TAG } from './tags.js';

export interface AuditFacts {
  region: string;
  accountId?: string;
  /** Every security group with a cordon:role tag. */
  groups: SecurityGroupFacts[];
  /** Instances tagged with a cordon status, and the owners of ENIs found on isolation groups. */
  instances: InstanceFacts[];
  /** ENIs on an isolation group that are attached to no instance. */
  looseEnis: { networkInterfaceId: string; groupIds: string[]; description: string }[];
  /** Isolation NACLs and NACLs cordon inserted entries into. */
  nacls: LayerNacl[];
  /** Route tables tagged as cordon's isolation tables. */
  routeTables: LayerRouteTable[];
}

export type FindingKind =
  | 'on-open-group'
  | 'isolated-without-incident'
  | 'tampered-isolation-group'
  | 'tampered-nacl'
  | 'tampered-route-table'
  | 'contained-not-isolated'
  | 'half-way';

export interface Finding {
  kind: FindingKind;
  region: string;
  accountId?: string;
  resource: string;
  instanceId?: string;
  incident?: string;
  detail: string;
  /** What to do about it. */
  remedy: string;
}

/** Findings in the order a responder should look at them: what leaves something exposed first. */
const ORDER: FindingKind[] = [
  'on-open-group',
  'tampered-isolation-group',
  'contained-not-isolated',
  'tampered-nacl',
  'tampered-route-table',
  'half-way',
  'isolated-without-incident',
];

export function auditFindings(f: AuditFacts): Finding[] {
  const out: Finding[] = [];
  const at = { region: f.region, accountId: f.accountId };
  const { trusted, tampered } = classifyIsolationGroups(f.groups);
  const roleOf = new Map(f.groups.map((g) => [g.groupId, g.tags[TAG.role] ?? '']));
  const trustedIds = new Set(trusted.map((g) => g.groupId));
  const tamperedIds = new Set(tampered.map((g) => g.groupId));
  const isStep2 = (id: string): boolean =>
    trustedIds.has(id) && (roleOf.get(id) === ROLE_EMPTY || roleOf.get(id) === ROLE_ALLOW);

  for (const g of tampered)
    out.push({
      kind: 'tampered-isolation-group',
      ...at,
      resource: g.groupId,
      detail: `${g.groupName} in ${g.vpcId} is tagged as cordon's ${g.role || '?'} group, but ${g.reason}`,
      remedy:
        'cordon never uses it again (a containment makes a fresh group); find who changed it (CloudTrail), then delete it once no ENI is on it',
    });

  for (const i of f.instances) {
    const status = i.tags[TAG.status];
    const incident = i.tags[TAG.incident];
    const open = status === 'containing' || status === 'contained' || status === 'restoring';
    const base = { ...at, instanceId: i.instanceId, incident };
    for (const e of i.enis) {
      const onOpen = e.groupIds.filter((g) => trustedIds.has(g) && roleOf.get(g) === ROLE_OPEN);
      const onIso = e.groupIds.filter((g) => roleOf.has(g));
      if (onOpen.length)
        out.push({
          kind: 'on-open-group',
          ...base,
          resource: e.networkInterfaceId,
          detail: `${e.networkInterfaceId} of ${i.instanceId} is on the all-open step-1 group ${onOpen[0]}: all traffic in and out`,
          remedy: `rerun \`cordon contain ${i.instanceId}\` (it finishes the swap), or restore it`,
        });
      else if (onIso.length && !open)
        out.push({
          kind: 'isolated-without-incident',
          ...base,
          resource: e.networkInterfaceId,
          detail: `${e.networkInterfaceId} of ${i.instanceId} is on isolation group ${onIso.join(', ')} but the instance has no open incident (${TAG.status}=${status ?? 'none'})`,
          remedy: `if it is not under containment, find who attached the group; \`cordon restore ${i.instanceId}\` if cordon contained it`,
        });
    }
    if (status === 'contained' && (i.tags[TAG.layers] ?? 'sg').split(',').includes('sg')) {
      const loose = i.enis.filter((e) => !(e.groupIds.length === 1 && isStep2(e.groupIds[0]!)));
      if (loose.length)
        out.push({
          kind: 'contained-not-isolated',
          ...base,
          resource: i.instanceId,
          detail: `tagged contained by ${incident ?? '?'}, but ${loose
            .map(
              (e) =>
                `${e.networkInterfaceId} is on ${e.groupIds.join(', ') || 'no group'}${e.groupIds.some((g) => tamperedIds.has(g)) ? ' (a tampered isolation group)' : ''}`,
            )
            .join('; ')}`,
          remedy: `rerun \`cordon contain ${i.instanceId}\`, and find who moved it (CloudTrail)`,
        });
    }
    if (status === 'containing' || status === 'restoring')
      out.push({
        kind: 'half-way',
        ...base,
        resource: i.instanceId,
        detail: `${i.instanceId} is tagged ${status} by ${incident ?? '?'}: a run stopped half-way (or is running now)`,
        remedy:
          status === 'containing'
            ? `rerun \`cordon contain ${i.instanceId}\` to finish, or \`cordon restore ${i.instanceId}\``
            : `rerun \`cordon restore ${i.instanceId}\` to finish`,
      });
  }

  for (const e of f.looseEnis) {
    const onOpen = e.groupIds.some((g) => trustedIds.has(g) && roleOf.get(g) === ROLE_OPEN);
    out.push({
      kind: onOpen ? 'on-open-group' : 'isolated-without-incident',
      ...at,
      resource: e.networkInterfaceId,
      detail: `${e.networkInterfaceId} (${e.description || 'no description'}), attached to no instance, is on ${onOpen ? 'the all-open step-1 group' : 'an isolation group'} (${e.groupIds.join(', ')})`,
      remedy: 'give it its own groups back, or delete it if it is not in use',
    });
  }

  for (const a of f.nacls) {
    if (a.tags[TAG.role] === ROLE_NACL) {
      const allow = readList(a.tags, LTAG.allowList);
      if (!sameEntries(a.entries, isolationNaclEntries(allow)))
        out.push({
          kind: 'tampered-nacl',
          ...at,
          resource: a.networkAclId,
          detail: `isolation NACL ${a.networkAclId} in ${a.vpcId} has entries that are not cordon's (${a.entries.length} user entries, expected ${isolationNaclEntries(allow).length}): subnets on it may not be cut`,
          remedy:
            'cordon will not reuse it; a rerun of contain on the instances of its subnets moves them to a fresh one',
        });
    } else if (a.tags[LTAG.topEntries] !== undefined && topAlready(a) === 'broken')
      out.push({
        kind: 'tampered-nacl',
        ...at,
        resource: a.networkAclId,
        detail: `NACL ${a.networkAclId} in ${a.vpcId}: deny entries cordon inserted (${a.tags[LTAG.topEntries]}) are gone or changed`,
        remedy: `rerun \`cordon contain\` for the instances in ${a.tags[LTAG.holders] ?? 'its subnets'} to put them back`,
      });
  }

  for (const t of f.routeTables) {
    if (!isIsolationRtb(t))
      out.push({
        kind: 'tampered-route-table',
        ...at,
        resource: t.routeTableId,
        detail: `isolation route table ${t.routeTableId} in ${t.vpcId} has a route out of the VPC (or route propagation, or it is the main table): subnets on it are not cut off`,
        remedy:
          'cordon will not reuse it; rerun contain for the instances on its subnets, and find who added the route',
      });
  }

  return out.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
}
