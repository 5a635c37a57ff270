// The containment steps of the property-based agreement run (cases.ts `Op`), made through the real SDK against the
// simulator: the two-step swap, the empty group, regrouping, NACL and route isolation or edits, rule changes, stopping
// an appliance, detaching its ENI, deleting the NAT gateway.

import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkAclEntryCommand,
  CreateRouteCommand,
  DeleteNatGatewayCommand,
  DeleteNetworkAclEntryCommand,
  DeleteRouteCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DetachNetworkInterfaceCommand,
  ReplaceRouteCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  StopInstancesCommand,
  type EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { setGroups, setNacl, setRouteTable } from '../sim/dataplane-fixture.js';
import { IDS, type Op, type RuleSpec, type WorldSpec } from './cases.js';
import { routeTarget } from './world.js';

export function range(cidr: string): Pick<IpPermission, 'IpRanges' | 'Ipv6Ranges'> {
  return cidr.includes(':') ? { Ipv6Ranges: [{ CidrIpv6: cidr }] } : { IpRanges: [{ CidrIp: cidr }] };
}

/** A rule admitting exactly the example's flow (its protocol, the port or ICMP type/code, its address). */
export function icmpPermission(r: { protocol: string; type: number; code: number; cidr: string }): IpPermission {
  return { IpProtocol: r.protocol, FromPort: r.type, ToPort: r.code, ...range(r.cidr) };
}

function rulePermission(r: RuleSpec): IpPermission {
  const protocol = r.protocol === 'all' ? '-1' : String(r.protocol);
  const tcpUdp = ['tcp', 'udp', '6', '17'].includes(protocol);
  const [from, to] = (r.ports ?? '0-65535').split('-').map(Number);
  return {
    IpProtocol: protocol,
    ...(tcpUdp ? { FromPort: from, ToPort: to ?? from } : {}),
    ...(protocol === 'icmp' || protocol === 'icmpv6' ? { FromPort: -1, ToPort: -1 } : {}),
    ...range(r.cidr),
  };
}

async function authorize(ec2: EC2Client, group: 'g1' | 'g2', ps: IpPermission[], egress: boolean): Promise<void> {
  const GroupId = IDS[group];
  if (egress) await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId, IpPermissions: ps }));
  else await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: ps }));
}

const boxEnis = (w: WorldSpec): string[] => (w.secondEni ? [IDS.eni1, IDS.eni2] : [IDS.eni1]);

/** Applies a step through the SDK; false when AWS refused it (the world is then unchanged). */
export async function apply(ec2: EC2Client, w: WorldSpec, op: Op): Promise<boolean> {
  try {
    await applyOp(ec2, w, op);
    return true;
  } catch (err) {
    if ((err as { $metadata?: unknown }).$metadata) return false; // an AWS error answer
    throw err;
  }
}

async function applyOp(ec2: EC2Client, w: WorldSpec, op: Op): Promise<void> {
  const subnets = w.secondEni ? [IDS.app, IDS.other] : [IDS.app];
  switch (op.kind) {
    case 'swap':
      for (const eni of boxEnis(w)) await setGroups(ec2, eni, [IDS.step1]);
      for (const eni of boxEnis(w)) await setGroups(ec2, eni, [IDS.step2]);
      return;
    case 'empty':
      for (const eni of boxEnis(w)) await setGroups(ec2, eni, [IDS.step2]);
      return;
    case 'regroup':
      for (const eni of boxEnis(w))
        await setGroups(
          ec2,
          eni,
          op.groups.map((g) => IDS[g]),
        );
      return;
    case 'nacl-isolate':
      for (const s of subnets) await setNacl(ec2, s, IDS.aclIsolation);
      return;
    case 'nacl-add': {
      const x = op.entry;
      if (x.cidr.includes(':') && !w.ipv6) return;
      const proto = x.protocol === 'all' ? '-1' : String(x.protocol);
      const [from, to] = (x.ports ?? '').split('-').map(Number);
      await ec2.send(
        new CreateNetworkAclEntryCommand({
          NetworkAclId: IDS.aclApp,
          RuleNumber: x.rule,
          Egress: x.egress,
          Protocol: proto,
          RuleAction: x.action,
          ...(x.cidr.includes(':') ? { Ipv6CidrBlock: x.cidr } : { CidrBlock: x.cidr }),
          ...(x.ports ? { PortRange: { From: from, To: to ?? from } } : {}),
          ...(proto === '1' || proto === '58' ? { IcmpTypeCode: { Type: -1, Code: -1 } } : {}),
        }),
      );
      return;
    }
    case 'nacl-delete':
      await ec2.send(
        new DeleteNetworkAclEntryCommand({ NetworkAclId: IDS.aclApp, RuleNumber: op.rule, Egress: op.egress }),
      );
      return;
    case 'route-isolate':
      for (const s of subnets) await setRouteTable(ec2, s, IDS.rtIsolation);
      return;
    case 'route-set': {
      const target = routeTarget(w, op.route);
      if (!target) return;
      const dest = op.route.destination.includes(':')
        ? { DestinationIpv6CidrBlock: op.route.destination }
        : { DestinationCidrBlock: op.route.destination };
      const t =
        target === 'igw'
          ? { GatewayId: IDS.igw }
          : target === 'nat:ngw'
            ? { NatGatewayId: IDS.nat }
            : target === 'instance:natbox'
              ? { InstanceId: IDS.natbox }
              : target.startsWith('eni-')
                ? { NetworkInterfaceId: target }
                : target.startsWith('tgw-')
                  ? { TransitGatewayId: target }
                  : target.startsWith('pcx-')
                    ? { VpcPeeringConnectionId: target }
                    : target.startsWith('eigw-')
                      ? { EgressOnlyInternetGatewayId: target }
                      : { GatewayId: target };
      try {
        await ec2.send(new ReplaceRouteCommand({ RouteTableId: IDS.rtApp, ...dest, ...t }));
      } catch {
        await ec2.send(new CreateRouteCommand({ RouteTableId: IDS.rtApp, ...dest, ...t }));
      }
      return;
    }
    case 'route-delete':
      await ec2.send(
        new DeleteRouteCommand({
          RouteTableId: IDS.rtApp,
          ...(op.destination.includes(':')
            ? { DestinationIpv6CidrBlock: op.destination }
            : { DestinationCidrBlock: op.destination }),
        }),
      );
      return;
    case 'stop':
      await ec2.send(new StopInstancesCommand({ InstanceIds: [IDS[op.instance]] }));
      return;
    case 'detach-firewall-eni': {
      const { NetworkInterfaces } = await ec2.send(
        new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [IDS.fwEni] }),
      );
      const att = NetworkInterfaces?.[0]?.Attachment?.AttachmentId;
      if (att) await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: att }));
      return;
    }
    case 'delete-nat':
      if (w.nat) await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: IDS.nat }));
      return;
    case 'authorize':
      if (op.rule.cidr.includes(':') && !w.ipv6) return;
      await authorize(ec2, op.group, [rulePermission(op.rule)], op.rule.egress);
      return;
    case 'authorize-icmp':
      await authorize(ec2, op.rule.group, [icmpPermission(op.rule)], op.rule.egress);
      return;
    case 'revoke-all': {
      const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [IDS[op.group]] }));
      const ps = (op.egress ? SecurityGroups?.[0]?.IpPermissionsEgress : SecurityGroups?.[0]?.IpPermissions) ?? [];
      if (!ps.length) return;
      const GroupId = IDS[op.group];
      if (op.egress) await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId, IpPermissions: ps }));
      else await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId, IpPermissions: ps }));
      return;
    }
  }
}

/** The case of a seed: one sample of the generator (the same seed always gives the same case). */
