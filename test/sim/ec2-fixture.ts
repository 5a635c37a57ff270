// A scenario for the EC2 instance / ENI / attribute / association / address tests, and a per-test harness.
// Fixed ids keep the tests readable; everything else is created by the loader as AWS would.

import type { TestContext } from 'node:test';
import { clients, startHarness, type SimHarness } from '../helpers/sim.js';

export const ACCOUNT = '111122223333';
const id = (prefix: string, n: number): string => `${prefix}-${n.toString(16).padStart(17, '0')}`;

export const IDS = {
  vpc: id('vpc', 1),
  otherVpc: id('vpc', 2),
  defaultVpc: id('vpc', 3),
  subnetA: id('subnet', 1),
  subnetB: id('subnet', 2),
  subnetTiny: id('subnet', 3),
  subnetOther: id('subnet', 4),
  subnetDefault: id('subnet', 5),
  sgApp: id('sg', 1),
  sgIso: id('sg', 2),
  sg3: id('sg', 3),
  sg4: id('sg', 4),
  sg5: id('sg', 5),
  sg6: id('sg', 6),
  sgOther: id('sg', 7),
  web: id('i', 1),
  multi: id('i', 2),
  stopped: id('i', 3),
  xen: id('i', 4),
  guarded: id('i', 5),
  webEni: id('eni', 1),
  multiEni0: id('eni', 2),
  multiEni1: id('eni', 3),
  lambdaEni: id('eni', 4),
  spareEni: id('eni', 5),
  spareEniB: id('eni', 6),
  webRoot: id('vol', 1),
  webData: id('vol', 2),
};

/** A credential allowed only Describe calls (for 403 UnauthorizedOperation). */
export const READ_ONLY_KEY = 'AKIAREADONLYEC20001';

export function ec2Fixture(): Record<string, unknown> {
  return {
    name: 'ec2-fixture',
    accounts: [
      {
        id: ACCOUNT,
        credentials: [
          { accessKeyId: 'AKIADEMORESPONDER01', user: 'responder' },
          { accessKeyId: READ_ONLY_KEY, user: 'auditor', allow: ['ec2:Describe*'] },
        ],
        iam: {
          roles: [{ name: 'app-role' }, { name: 'alt-role' }],
          instanceProfiles: [
            { name: 'app-profile', role: 'app-role' },
            { name: 'alt-profile', path: '/team/', role: 'alt-role' },
          ],
        },
        regions: [
          {
            name: 'us-east-1',
            vpcs: [
              {
                id: IDS.vpc,
                name: 'main',
                cidr: '10.1.0.0/16',
                ipv6Cidr: '2600:1f18:aaaa:bb00::/56',
                internetGateway: true,
                subnets: [
                  {
                    id: IDS.subnetA,
                    name: 'a',
                    cidr: '10.1.1.0/24',
                    ipv6Cidr: '2600:1f18:aaaa:bb01::/64',
                    az: 'us-east-1a',
                  },
                  { id: IDS.subnetB, name: 'b', cidr: '10.1.2.0/24', az: 'us-east-1b', mapPublicIpOnLaunch: true },
                  { id: IDS.subnetTiny, name: 'tiny', cidr: '10.1.3.0/28', az: 'us-east-1a' },
                ],
                securityGroups: [
                  { id: IDS.sgApp, name: 'app', ingress: [{ protocol: 'tcp', ports: 22, cidr: '198.51.100.7/32' }] },
                  { id: IDS.sgIso, name: 'isolation', egress: [] },
                  { id: IDS.sg3, name: 'g3' },
                  { id: IDS.sg4, name: 'g4' },
                  { id: IDS.sg5, name: 'g5' },
                  { id: IDS.sg6, name: 'g6' },
                ],
              },
              {
                id: IDS.otherVpc,
                name: 'other',
                cidr: '10.2.0.0/16',
                subnets: [{ id: IDS.subnetOther, name: 'o', cidr: '10.2.1.0/24', az: 'us-east-1a' }],
                securityGroups: [{ id: IDS.sgOther, name: 'other-sg' }],
              },
              {
                id: IDS.defaultVpc,
                name: 'default',
                cidr: '172.31.0.0/16',
                isDefault: true,
                internetGateway: true,
                subnets: [
                  { id: IDS.subnetDefault, cidr: '172.31.0.0/20', az: 'us-east-1c', mapPublicIpOnLaunch: true },
                ],
              },
            ],
            networkInterfaces: [
              {
                id: IDS.lambdaEni,
                subnet: 'a',
                securityGroups: ['app'],
                interfaceType: 'lambda',
                requesterManaged: true,
                description: 'AWS Lambda VPC ENI',
              },
              { id: IDS.spareEni, subnet: 'a', securityGroups: ['app'], description: 'spare' },
              { id: IDS.spareEniB, subnet: 'b', securityGroups: ['app'], description: 'spare in b' },
            ],
            instances: [
              {
                id: IDS.web,
                name: 'web',
                subnet: 'a',
                securityGroups: ['app'],
                publicIp: '54.1.2.3',
                privateIp: '10.1.1.10',
                instanceProfile: 'app-profile',
                primaryEni: { id: IDS.webEni },
                volumes: [
                  { id: IDS.webRoot, device: '/dev/xvda', size: 8, deleteOnTermination: true },
                  { id: IDS.webData, device: '/dev/sdf', size: 20, deleteOnTermination: false },
                ],
              },
              {
                id: IDS.multi,
                name: 'multi',
                type: 'm5.large',
                subnet: 'a',
                securityGroups: ['app'],
                primaryEni: { id: IDS.multiEni0 },
                extraNetworkInterfaces: [
                  { id: IDS.multiEni1, subnet: 'a', securityGroups: ['app'], deleteOnTermination: true },
                ],
              },
              { id: IDS.stopped, name: 'stopped', subnet: 'a', securityGroups: ['app'], state: 'stopped' },
              { id: IDS.xen, name: 'xen', type: 't2.micro', nitro: false, subnet: 'a', securityGroups: ['app'] },
              { id: IDS.guarded, name: 'guarded', subnet: 'a', securityGroups: ['app'], disableApiTermination: true },
            ],
          },
        ],
      },
    ],
  };
}

/** A fresh simulator for one test, closed when the test ends. */
export async function harness(t: TestContext, scenario: Record<string, unknown> = ec2Fixture()): Promise<SimHarness> {
  const h = await startHarness(scenario as never);
  t.after(() => h.close());
  return h;
}

/** EC2 client signed with the Describe-only credential. */
export function readOnlyEc2(t: TestContext, h: SimHarness) {
  const c = clients(h.endpoint, { accessKeyId: READ_ONLY_KEY });
  t.after(() => {
    for (const x of Object.values(c)) x.destroy();
  });
  return c.ec2;
}

/** Skips the simulated clock past any pending / stopping / shutting-down transition. */
export function settle(h: SimHarness): void {
  h.sim.world.clock.advance(10_000);
}

/** The world version: unchanged by DryRun and refused calls. */
export function version(h: SimHarness): number {
  return h.sim.world.version;
}
