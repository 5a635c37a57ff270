// The full network picture for plan details, `cordon verify` and contain's "what still gets through": each
// instance's groups with their rules, each ENI subnet's NACL and route table, the VPC. Read for a whole fleet at
// once — one set of describes (ids in chunks of 200, pages followed), not one set per instance.

import {
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  DescribeSubnetsCommand,
  paginateDescribeNetworkAcls,
  paginateDescribeRouteTables,
  paginateDescribeIamInstanceProfileAssociations,
  type NetworkAcl,
  type RouteTable,
  type SecurityGroup,
  type Vpc,
  type Subnet,
  type IamInstanceProfileAssociation,
} from '@aws-sdk/client-ec2';
import type { AwsClients } from './clients.js';
import type { NetworkFacts, SecurityGroupFacts, SubnetFacts } from '../core/facts.js';
import { groupFacts, naclFacts, routeTableFacts } from './normalize.js';
import { describeTargets, type TargetFacts } from './facts.js';

/** Filter values and id lists go in chunks of this size (EC2 answers FilterLimitExceeded past 200 values). */
export const ID_CHUNK = 200;

export function chunks<T>(xs: T[], n = ID_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

/** The network facts of one instance (reads its targets first when not given). */
export async function gatherNetworkFacts(
  clients: AwsClients,
  instanceId: string,
  known?: TargetFacts,
): Promise<NetworkFacts> {
  const targets = known ?? (await describeTargets(clients, [instanceId]));
  return (await gatherNetworkFactsMany(clients, targets, [instanceId]))[instanceId]!;
}

/** The network facts of every instance named (default: all of the targets), in one set of reads. */
export async function gatherNetworkFactsMany(
  clients: AwsClients,
  targets: TargetFacts,
  instanceIds: string[] = targets.instances.map((i) => i.instanceId),
): Promise<Record<string, NetworkFacts>> {
  const instances = instanceIds.map((id) => targets.instances.find((i) => i.instanceId === id)!);
  const groupIds = [...new Set(instances.flatMap((i) => i.enis.flatMap((e) => e.groupIds)))];
  const subnetIds = [...new Set(instances.flatMap((i) => i.enis.map((e) => e.subnetId)))].filter(Boolean);
  const vpcIds = [...new Set(instances.map((i) => i.vpcId ?? i.enis[0]?.vpcId).filter((v): v is string => !!v))];
  const ec2 = clients.ec2;
  const [sgs, acls, rtbs, mains, vpcs, assoc, subs] = await Promise.all([
    Promise.all(
      chunks(groupIds).map(
        async (ids) => (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ids }))).SecurityGroups ?? [],
      ),
    ).then((x) => x.flat() as SecurityGroup[]),
    Promise.all(
      chunks(subnetIds).map((ids) =>
        all(
          paginateDescribeNetworkAcls({ client: ec2 }, { Filters: [{ Name: 'association.subnet-id', Values: ids }] }),
        ),
      ),
    ).then((x) => x.flat().flatMap((p) => p.NetworkAcls ?? []) as NetworkAcl[]),
    Promise.all(
      chunks(subnetIds).map((ids) =>
        all(
          paginateDescribeRouteTables({ client: ec2 }, { Filters: [{ Name: 'association.subnet-id', Values: ids }] }),
        ),
      ),
    ).then((x) => x.flat().flatMap((p) => p.RouteTables ?? []) as RouteTable[]),
    Promise.all(
      chunks(vpcIds).map((ids) =>
        all(
          paginateDescribeRouteTables(
            { client: ec2 },
            {
              Filters: [
                { Name: 'vpc-id', Values: ids },
                { Name: 'association.main', Values: ['true'] },
              ],
            },
          ),
        ),
      ),
    ).then((x) => x.flat().flatMap((p) => p.RouteTables ?? []) as RouteTable[]),
    Promise.all(
      chunks(vpcIds).map(async (ids) => (await ec2.send(new DescribeVpcsCommand({ VpcIds: ids }))).Vpcs ?? []),
    ).then((x) => x.flat() as Vpc[]),
    Promise.all(
      chunks(instanceIds).map((ids) =>
        all(
          paginateDescribeIamInstanceProfileAssociations(
            { client: ec2 },
            { Filters: [{ Name: 'instance-id', Values: ids }] },
          ),
        ),
      ),
    )
      .then((x) => x.flat().flatMap((p) => p.IamInstanceProfileAssociations ?? []) as IamInstanceProfileAssociation[])
      .catch(() => [] as IamInstanceProfileAssociation[]),
    Promise.all(
      chunks(subnetIds).map(
        async (ids) => (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: ids }))).Subnets ?? [],
      ),
    ).then((x) => x.flat() as Subnet[]),
  ]);
  const allGroups: Record<string, SecurityGroupFacts> = {};
  for (const g of sgs) allGroups[g.GroupId!] = groupFacts(g);
  const out: Record<string, NetworkFacts> = {};
  for (const instance of instances) {
    const vpcId = instance.vpcId ?? instance.enis[0]?.vpcId;
    const groups: Record<string, SecurityGroupFacts> = {};
    for (const id of new Set(instance.enis.flatMap((e) => e.groupIds))) if (allGroups[id]) groups[id] = allGroups[id];
    const iso = vpcId ? targets.isolationGroups[vpcId] : undefined;
    if (iso?.open) groups[iso.open.groupId] = iso.open;
    if (iso?.empty) groups[iso.empty.groupId] = iso.empty;
    const subnets: Record<string, SubnetFacts> = {};
    for (const subnetId of new Set(instance.enis.map((e) => e.subnetId))) {
      const acl = acls.find((a) => a.Associations?.some((x) => x.SubnetId === subnetId));
      const rtb =
        rtbs.find((t) => t.Associations?.some((x) => x.SubnetId === subnetId)) ?? mains.find((t) => t.VpcId === vpcId);
      const eni = instance.enis.find((e) => e.subnetId === subnetId)!;
      const sub = subs.find((x) => x.SubnetId === subnetId);
      subnets[subnetId] = {
        subnetId,
        vpcId: eni.vpcId,
        cidr: sub?.CidrBlock ?? '',
        ipv6Cidr: sub?.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock,
        availabilityZone: sub?.AvailabilityZone ?? '',
        nacl: acl ? naclFacts(acl, subnetId) : undefined,
        routeTable: rtb ? routeTableFacts(rtb, subnetId) : undefined,
      };
    }
    const association = assoc.find(
      (a) => a.InstanceId === instance.instanceId && (a.State === 'associated' || a.State === 'associating'),
    );
    if (instance.iamInstanceProfile && association)
      instance.iamInstanceProfile.associationId = association.AssociationId;
    const vpc = vpcs.find((v) => v.VpcId === vpcId);
    out[instance.instanceId] = {
      instance,
      vpc: vpc
        ? {
            vpcId: vpc.VpcId!,
            cidr: vpc.CidrBlock ?? '',
            ipv6Cidr: vpc.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock,
          }
        : undefined,
      groups,
      subnets,
    };
  }
  return out;
}
