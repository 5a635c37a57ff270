// The reads of `cordon audit`: everything in one account and region that carries cordon's marks — isolation groups
// (by their cordon:role tag), the ENIs on any of them, instances tagged with a cordon status, isolation NACLs and NACLs
// cordon changed in place, isolation route tables. A handful of paginated calls per region, whatever the fleet size.

import {
  DescribeRegionsCommand,
  paginateDescribeInstances,
  paginateDescribeNetworkAcls,
  paginateDescribeNetworkInterfaces,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  type Instance,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import type { AwsClients } from './clients.js';
import { groupFacts, instanceFacts } from './normalize.js';
import { layerNacl, layerRouteTable } from './subnet-layers.js';
import { TAG } from '../core/tags.js';
import { LTAG, ROLE_NACL, ROLE_ROUTE_TABLE } from '../core/subnet-layers.js';
import type { AuditFacts } from '../core/audit.js';

export const AUDIT_READ_PERMISSIONS = [
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeInstances',
  'ec2:DescribeNetworkAcls',
  'ec2:DescribeRouteTables',
  'ec2:DescribeRegions',
];

const CHUNK = 200;

async function all<P, T>(it: AsyncIterable<P>, pick: (p: P) => T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const p of it) out.push(...(pick(p) ?? []));
  return out;
}

function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

/** Every region enabled for the account (for --all-regions). */
export async function enabledRegions(clients: AwsClients): Promise<string[]> {
  const r = await clients.ec2.send(new DescribeRegionsCommand({}));
  return (r.Regions ?? []).map((x) => x.RegionName!).filter(Boolean);
}

export async function readAuditFacts(clients: AwsClients): Promise<AuditFacts> {
  const ec2 = { client: clients.ec2 };
  const [groups, tagged, naclsIso, naclsTop, rtbs] = await Promise.all([
    all(paginateDescribeSecurityGroups(ec2, { Filters: [{ Name: 'tag-key', Values: [TAG.role] }] }), (p) =>
      p.SecurityGroups?.map(groupFacts),
    ),
    all(
      paginateDescribeInstances(ec2, {
        Filters: [{ Name: `tag:${TAG.status}`, Values: ['containing', 'contained', 'restoring'] }],
      }),
      (p) => p.Reservations?.flatMap((r) => r.Instances ?? []),
    ),
    all(paginateDescribeNetworkAcls(ec2, { Filters: [{ Name: `tag:${TAG.role}`, Values: [ROLE_NACL] }] }), (p) =>
      p.NetworkAcls?.map(layerNacl),
    ),
    all(paginateDescribeNetworkAcls(ec2, { Filters: [{ Name: 'tag-key', Values: [LTAG.topEntries] }] }), (p) =>
      p.NetworkAcls?.map(layerNacl),
    ),
    all(paginateDescribeRouteTables(ec2, { Filters: [{ Name: `tag:${TAG.role}`, Values: [ROLE_ROUTE_TABLE] }] }), (p) =>
      p.RouteTables?.map(layerRouteTable),
    ),
  ]);
  // ENIs on any isolation group (trusted or not), and every ENI of the instances tagged with a cordon status.
  const groupIds = groups.map((g) => g.groupId);
  const taggedIds = tagged.map((i) => i.InstanceId!);
  const [onGroups, ofTagged] = await Promise.all([
    Promise.all(
      chunks(groupIds).map((part) =>
        all(
          paginateDescribeNetworkInterfaces(ec2, { Filters: [{ Name: 'group-id', Values: part }] }),
          (p) => p.NetworkInterfaces,
        ),
      ),
    ),
    Promise.all(
      chunks(taggedIds).map((part) =>
        all(
          paginateDescribeNetworkInterfaces(ec2, { Filters: [{ Name: 'attachment.instance-id', Values: part }] }),
          (p) => p.NetworkInterfaces,
        ),
      ),
    ),
  ]);
  const enis = new Map<string, NetworkInterface>();
  for (const e of [...onGroups.flat(), ...ofTagged.flat()]) enis.set(e.NetworkInterfaceId!, e);
  // Instances owning ENIs on isolation groups that carry no cordon status: read them too (their tags matter).
  const known = new Set(taggedIds);
  const more = [
    ...new Set(
      [...enis.values()].map((e) => e.Attachment?.InstanceId).filter((x): x is string => !!x && !known.has(x)),
    ),
  ];
  const extra = (
    await Promise.all(
      chunks(more).map((part) =>
        all(paginateDescribeInstances(ec2, { InstanceIds: part }), (p) =>
          p.Reservations?.flatMap((r) => r.Instances ?? []),
        ),
      ),
    )
  ).flat();
  const byInstance = new Map<string, NetworkInterface[]>();
  for (const e of enis.values()) {
    const owner = e.Attachment?.InstanceId;
    if (owner) byInstance.set(owner, [...(byInstance.get(owner) ?? []), e]);
  }
  const instances = [...tagged, ...extra]
    .filter((i: Instance) => i.State?.Name !== 'terminated')
    .map((i) => instanceFacts(i, byInstance.get(i.InstanceId!) ?? [], clients.region));
  const loose = [...enis.values()]
    .filter((e) => !e.Attachment?.InstanceId)
    .map((e) => ({
      networkInterfaceId: e.NetworkInterfaceId!,
      groupIds: (e.Groups ?? []).map((g) => g.GroupId!),
      description: e.Description ?? '',
    }));
  const nacls = new Map([...naclsIso, ...naclsTop].map((a) => [a.networkAclId, a]));
  return { region: clients.region, groups, instances, looseEnis: loose, nacls: [...nacls.values()], routeTables: rtbs };
}
