// The AWS calls of the subnet- and edge-level layers (NACLs, route tables) and of the per-allow-list isolation group,
// each through Gateway.call (recorded, DryRun-able, denied calls mapped to PermissionMissing).

import {
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  DeleteNetworkAclEntryCommand,
  ReplaceNetworkAclAssociationCommand,
  CreateRouteTableCommand,
  CreateRouteCommand,
  AssociateRouteTableCommand,
  ReplaceRouteTableAssociationCommand,
  DisassociateRouteTableCommand,
  DeleteRouteTableCommand,
  EnableVgwRoutePropagationCommand,
  AuthorizeSecurityGroupIngressCommand,
  type CreateRouteCommandInput,
  type Tag,
} from '@aws-sdk/client-ec2';
import type { Gateway } from './gateway.js';
import type { LayerNaclEntry, LayerRoute } from '../core/subnet-layers.js';

const tagList = (tags: Record<string, string>): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
const dry = (d: boolean): true | undefined => (d ? true : undefined);

export async function createNetworkAcl(
  gw: Gateway,
  vpcId: string,
  tags: Record<string, string>,
  dryRun = false,
): Promise<string | undefined> {
  const out = await gw.call('ec2:CreateNetworkAcl', dryRun, () =>
    gw.clients.ec2.send(
      new CreateNetworkAclCommand({
        VpcId: vpcId,
        DryRun: dry(dryRun),
        TagSpecifications: [{ ResourceType: 'network-acl', Tags: tagList(tags) }],
      }),
    ),
  );
  return out?.NetworkAcl?.NetworkAclId;
}

export async function createNaclEntry(
  gw: Gateway,
  networkAclId: string,
  e: LayerNaclEntry,
  dryRun = false,
): Promise<void> {
  await gw.call('ec2:CreateNetworkAclEntry', dryRun, () =>
    gw.clients.ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: networkAclId,
        RuleNumber: e.ruleNumber,
        Egress: e.egress,
        Protocol: e.protocol,
        RuleAction: e.action,
        CidrBlock: e.cidr,
        Ipv6CidrBlock: e.ipv6Cidr,
        PortRange: e.portRange ? { From: e.portRange.from, To: e.portRange.to } : undefined,
        IcmpTypeCode: e.icmp ? { Type: e.icmp.type, Code: e.icmp.code } : undefined,
        DryRun: dry(dryRun),
      }),
    ),
  );
}

export async function deleteNaclEntry(
  gw: Gateway,
  networkAclId: string,
  ruleNumber: number,
  egress: boolean,
  dryRun = false,
): Promise<void> {
  await gw.call('ec2:DeleteNetworkAclEntry', dryRun, () =>
    gw.clients.ec2.send(
      new DeleteNetworkAclEntryCommand({
        NetworkAclId: networkAclId,
        RuleNumber: ruleNumber,
        Egress: egress,
        DryRun: dry(dryRun),
      }),
    ),
  );
}

/** Moves a subnet to another NACL; answers the new association id (the old one stops existing). */
export async function replaceNaclAssociation(
  gw: Gateway,
  associationId: string,
  networkAclId: string,
  dryRun = false,
): Promise<string | undefined> {
  const out = await gw.call('ec2:ReplaceNetworkAclAssociation', dryRun, () =>
    gw.clients.ec2.send(
      new ReplaceNetworkAclAssociationCommand({
        AssociationId: associationId,
        NetworkAclId: networkAclId,
        DryRun: dry(dryRun),
      }),
    ),
  );
  return out?.NewAssociationId;
}

export async function createRouteTable(
  gw: Gateway,
  vpcId: string,
  tags: Record<string, string>,
  dryRun = false,
): Promise<string | undefined> {
  const out = await gw.call('ec2:CreateRouteTable', dryRun, () =>
    gw.clients.ec2.send(
      new CreateRouteTableCommand({
        VpcId: vpcId,
        DryRun: dry(dryRun),
        TagSpecifications: [{ ResourceType: 'route-table', Tags: tagList(tags) }],
      }),
    ),
  );
  return out?.RouteTable?.RouteTableId;
}

/** Creates `route` (as described from another table) in `routeTableId`. */
export async function createRoute(gw: Gateway, routeTableId: string, route: LayerRoute, dryRun = false): Promise<void> {
  const input: CreateRouteCommandInput = { RouteTableId: routeTableId, DryRun: dry(dryRun) };
  if (route.destinationType === 'ipv4') input.DestinationCidrBlock = route.destination;
  else if (route.destinationType === 'ipv6') input.DestinationIpv6CidrBlock = route.destination;
  else input.DestinationPrefixListId = route.destination;
  (input as unknown as Record<string, unknown>)[route.targetField] = route.target;
  await gw.call('ec2:CreateRoute', dryRun, () => gw.clients.ec2.send(new CreateRouteCommand(input)));
}

export async function enableVgwRoutePropagation(gw: Gateway, routeTableId: string, gatewayId: string): Promise<void> {
  await gw.call('ec2:EnableVgwRoutePropagation', false, () =>
    gw.clients.ec2.send(new EnableVgwRoutePropagationCommand({ RouteTableId: routeTableId, GatewayId: gatewayId })),
  );
}

/** Gives a subnet that uses the main table implicitly an explicit association; answers its id. */
export async function associateRouteTable(
  gw: Gateway,
  routeTableId: string,
  subnetId: string,
  dryRun = false,
): Promise<string | undefined> {
  const out = await gw.call('ec2:AssociateRouteTable', dryRun, () =>
    gw.clients.ec2.send(
      new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId, DryRun: dry(dryRun) }),
    ),
  );
  return out?.AssociationId;
}

export async function replaceRouteTableAssociation(
  gw: Gateway,
  associationId: string,
  routeTableId: string,
  dryRun = false,
): Promise<string | undefined> {
  const out = await gw.call('ec2:ReplaceRouteTableAssociation', dryRun, () =>
    gw.clients.ec2.send(
      new ReplaceRouteTableAssociationCommand({
        AssociationId: associationId,
        RouteTableId: routeTableId,
        DryRun: dry(dryRun),
      }),
    ),
  );
  return out?.NewAssociationId;
}

/** Removes an explicit association: the subnet goes back to the main table. */
export async function disassociateRouteTable(gw: Gateway, associationId: string, dryRun = false): Promise<void> {
  await gw.call('ec2:DisassociateRouteTable', dryRun, () =>
    gw.clients.ec2.send(new DisassociateRouteTableCommand({ AssociationId: associationId, DryRun: dry(dryRun) })),
  );
}

export async function deleteRouteTable(gw: Gateway, routeTableId: string): Promise<void> {
  await gw.call('ec2:DeleteRouteTable', false, () =>
    gw.clients.ec2.send(new DeleteRouteTableCommand({ RouteTableId: routeTableId })),
  );
}

/** Allows all traffic from each CIDR (ingress), in one call. */
export async function authorizeIngressCidrs(
  gw: Gateway,
  groupId: string,
  cidrs: string[],
  description: string,
  dryRun = false,
): Promise<void> {
  if (cidrs.length === 0) return;
  const v4 = cidrs.filter((c) => !c.includes(':'));
  const v6 = cidrs.filter((c) => c.includes(':'));
  await gw.call('ec2:AuthorizeSecurityGroupIngress', dryRun, () =>
    gw.clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        DryRun: dry(dryRun),
        IpPermissions: [
          {
            IpProtocol: '-1',
            IpRanges: v4.map((CidrIp) => ({ CidrIp, Description: description })),
            Ipv6Ranges: v6.map((CidrIpv6) => ({ CidrIpv6, Description: description })),
          },
        ],
      }),
    ),
  );
}
