// Test helpers for the subnet- and edge-level layers: a scenario with a shared NACL, an explicit route table with
// internet, peering and VPN routes, a subnet on the implicit main table, and neighbours of every kind (instances,
// Lambda, RDS, load balancer, endpoint ENIs); and Describe snapshots for before/after comparisons.

import { DescribeNetworkAclsCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import type { SimHarness } from './sim.js';
import { withoutCordonTags } from './cordon.js';

export const ACCOUNT = '111122223333';
export const PCX = 'pcx-0123456789abcdef0';
export const VGW = 'vgw-0123456789abcdef0';

export function layersScenario(
  o: { appAclEntries?: unknown[]; extraNetworkInterfaces?: boolean; credentials?: unknown[] } = {},
): Record<string, unknown> {
  return {
    name: 'layers',
    accounts: [
      {
        id: ACCOUNT,
        ...(o.credentials ? { credentials: o.credentials } : {}),
        regions: [
          {
            name: 'us-east-1',
            vpcs: [
              {
                name: 'v',
                cidr: '10.1.0.0/16',
                ipv6Cidr: '2600:1f18:aaaa:bb00::/56',
                internetGateway: true,
                subnets: [
                  {
                    name: 'app',
                    cidr: '10.1.1.0/24',
                    ipv6Cidr: '2600:1f18:aaaa:bb01::/64',
                    routeTable: 'rt-app',
                    networkAcl: 'acl-app',
                  },
                  { name: 'db', cidr: '10.1.2.0/24', networkAcl: 'acl-app', routeTable: 'rt-app' },
                  { name: 'mainsub', cidr: '10.1.3.0/24' },
                ],
                routeTables: [
                  { name: 'main', main: true, routes: [{ destination: '0.0.0.0/0', target: 'igw' }] },
                  {
                    name: 'rt-app',
                    routes: [
                      { destination: '0.0.0.0/0', target: 'igw' },
                      { destination: '::/0', target: 'igw' },
                      { destination: '10.50.0.0/16', target: PCX },
                      { destination: '172.16.0.0/12', target: VGW },
                    ],
                  },
                ],
                networkAcls: [
                  {
                    name: 'acl-app',
                    entries: o.appAclEntries ?? [
                      { rule: 100, action: 'allow', cidr: '0.0.0.0/0' },
                      { rule: 100, egress: true, action: 'allow', cidr: '0.0.0.0/0' },
                      { rule: 110, action: 'allow', cidr: '::/0' },
                      { rule: 110, egress: true, action: 'allow', cidr: '::/0' },
                    ],
                  },
                ],
                securityGroups: [
                  {
                    name: 'app',
                    ingress: [
                      { protocol: 'tcp', ports: 22, cidr: '198.51.100.7/32' },
                      { protocol: 'icmp', cidr: '0.0.0.0/0' },
                      { protocol: 'all', cidr: '10.1.0.0/16' },
                    ],
                  },
                ],
              },
            ],
            instances: [
              { name: 'box', subnet: 'app', securityGroups: ['app'], publicIp: '54.1.2.3', ipv6: 1 },
              { name: 'neighbour', subnet: 'app', securityGroups: ['app'] },
              { name: 'dbhost', subnet: 'db', securityGroups: ['app'] },
              { name: 'mainbox', subnet: 'mainsub', securityGroups: ['app'], publicIp: '54.1.2.4' },
            ],
            networkInterfaces:
              o.extraNetworkInterfaces === false
                ? []
                : [
                    {
                      subnet: 'app',
                      securityGroups: ['app'],
                      interfaceType: 'lambda',
                      requesterManaged: true,
                      description: 'AWS Lambda VPC ENI-fn-1',
                    },
                    { subnet: 'app', securityGroups: ['app'], description: 'RDSNetworkInterface' },
                    {
                      subnet: 'app',
                      securityGroups: ['app'],
                      requesterManaged: true,
                      description: 'ELB app/web/0123456789abcdef',
                    },
                    {
                      subnet: 'app',
                      securityGroups: ['app'],
                      interfaceType: 'vpc_endpoint',
                      requesterManaged: true,
                      description: 'VPC Endpoint Interface vpce-0123456789abcdef0',
                    },
                    // Also keeps the simulator's 8th ENI id (malformed by its id generator: reported) off the instances
                    // cordon acts on.
                    {
                      subnet: 'db',
                      securityGroups: ['app'],
                      description: 'EFS mount target for fs-0123456789abcdef0 (fsmt-0123456789abcdef0)',
                    },
                  ],
          },
        ],
      },
    ],
  };
}

export function region(h: SimHarness) {
  return h.sim.world.region(ACCOUNT, 'us-east-1');
}

/** Instance id by its Name tag. */
export function instanceId(h: SimHarness, name: string): string {
  for (const i of region(h).ec2.instances.values()) if (i.tags.Name === name) return i.instanceId;
  throw new Error(`no instance named ${name}`);
}

export function subnetId(h: SimHarness, cidr: string): string {
  for (const s of region(h).ec2.subnets.values()) if (s.cidrBlock === cidr) return s.subnetId;
  throw new Error(`no subnet ${cidr}`);
}

/** Every NACL, route table and subnet as DescribeX answers them, cordon's tags left out. */
export async function networkSnapshot(h: SimHarness) {
  const [acls, rtbs, subs] = await Promise.all([
    h.ec2.send(new DescribeNetworkAclsCommand({})),
    h.ec2.send(new DescribeRouteTablesCommand({})),
    h.ec2.send(new DescribeSubnetsCommand({})),
  ]);
  return withoutCordonTags({ acls: acls.NetworkAcls, rtbs: rtbs.RouteTables, subs: subs.Subnets });
}

/** The snapshot without cordon's own isolation entities (kept for reuse after a restore), by their cordon:role tag. */
export async function userNetworkSnapshot(h: SimHarness) {
  const [acls, rtbs, subs] = await Promise.all([
    h.ec2.send(new DescribeNetworkAclsCommand({})),
    h.ec2.send(new DescribeRouteTablesCommand({})),
    h.ec2.send(new DescribeSubnetsCommand({})),
  ]);
  const mine = (t: { Key?: string }[] | undefined) => (t ?? []).some((x) => x.Key === 'cordon:role');
  return withoutCordonTags({
    acls: acls
      .NetworkAcls!.filter((a) => !mine(a.Tags))
      .map((a) => ({ ...a, Associations: associations(a.Associations, 'NetworkAclAssociationId') })),
    rtbs: rtbs
      .RouteTables!.filter((r) => !mine(r.Tags))
      .map((r) => ({ ...r, Associations: associations(r.Associations, 'RouteTableAssociationId') })),
    subs: subs.Subnets,
  });
}

/**
 * Associations compared by what they join, not by id: AWS answers a new association id on every replace, so a
 * restored subnet is on its original NACL / table under a new association id (the only difference it can have).
 */
function associations<T extends { SubnetId?: string }>(list: T[] | undefined, idKey: string): Omit<T, 'x'>[] {
  return (list ?? [])
    .map((a) => {
      const copy: Record<string, unknown> = { ...a };
      delete copy[idKey];
      return copy as T;
    })
    .sort((x, y) => String(x.SubnetId).localeCompare(String(y.SubnetId)));
}

/** The playbook switched off: these tests look at the network layers only. */
export const NETWORK_ONLY = {
  asg: 'skip',
  elb: false,
  disassociateProfile: false,
  revokeSessions: false,
  disableImds: false,
  preserve: false,
  evidence: false,
  image: false,
} as const;

/** Tags of a resource as a map. */
export function tagsOf(t: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((t ?? []).map((x) => [x.Key!, x.Value ?? '']));
}
