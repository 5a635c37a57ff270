// A scenario for the VPC / subnet / security group tests: a default VPC, an IPv6 VPC with an instance, and two
// access keys (full, and read-only with only ec2:Describe*) for the DryRun and 403 checks.

import { clients } from './sim.js';

export const ACCOUNT = '111122223333';
export const FULL_KEY = 'AKIANETFULLACCESS01';
export const READONLY_KEY = 'AKIANETREADONLY0001';

export const DEFAULT_VPC = 'vpc-0def0000000000001';
export const V6_VPC = 'vpc-0a1b0000000000002';
export const V6_SUBNET = 'subnet-0a1b0000000000002';
export const APP_SG = 'sg-0a1b0000000000002';

export function networkScenario(extraVpcs: Record<string, unknown>[] = []): Record<string, unknown> {
  return {
    name: 'network',
    accounts: [
      {
        id: ACCOUNT,
        credentials: [
          { accessKeyId: FULL_KEY, user: 'responder' },
          { accessKeyId: READONLY_KEY, user: 'auditor', allow: ['ec2:Describe*'] },
        ],
        regions: [
          {
            name: 'us-east-1',
            vpcs: [
              {
                id: DEFAULT_VPC,
                name: 'default-vpc',
                cidr: '172.31.0.0/16',
                isDefault: true,
                subnets: [{ name: 'd1', cidr: '172.31.0.0/20', az: 'us-east-1a' }],
                securityGroups: [
                  {
                    name: 'web',
                    description: 'web tier',
                    ingress: [{ protocol: 'tcp', ports: 443, cidr: '0.0.0.0/0' }],
                  },
                ],
              },
              {
                id: V6_VPC,
                name: 'prod',
                cidr: '10.1.0.0/16',
                ipv6Cidr: '2600:1f18:aaaa:bb00::/56',
                internetGateway: true,
                subnets: [
                  {
                    id: V6_SUBNET,
                    name: 's',
                    cidr: '10.1.1.0/24',
                    ipv6Cidr: '2600:1f18:aaaa:bb01::/64',
                    az: 'us-east-1b',
                  },
                ],
                securityGroups: [
                  {
                    id: APP_SG,
                    name: 'app',
                    description: 'app tier',
                    ingress: [{ protocol: 'tcp', ports: 22, cidr: '198.51.100.7/32' }],
                  },
                ],
              },
              ...extraVpcs,
            ],
            instances: [{ name: 'box', subnet: 's', securityGroups: ['app'] }],
          },
        ],
      },
    ],
  };
}

/** SDK clients signed with the read-only key (ec2:Describe* only). */
export function readOnlyClients(endpoint: string) {
  return clients(endpoint, { accessKeyId: READONLY_KEY });
}
