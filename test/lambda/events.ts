// Events as EventBridge delivers them, shaped like AWS's published samples (shared/reference/automation-facts.md §1–§2):
// a GuardDuty finding (camelCase `detail`, exactly GetFindings' shape) and a Security Hub custom action (ASFF,
// PascalCase). The instance details are read from the simulated world, so a finding describes the instance as
// GuardDuty would see it: its ENIs (one or two), private and public addresses, groups, subnet and VPC.

import { createHash } from 'node:crypto';
import type { Simulator } from '../../src/sim/server.js';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const WEB1 = 'i-0c0ffee0000000001'; // two ENIs (web + management)
export const WEB2 = 'i-0c0ffee0000000002'; // one ENI
export const BASTION = 'i-0c0ffee0000000003'; // one ENI
const DETECTOR = '12abc34d567e8fa901bc2d34e56789f0';

const hex32 = (s: string): string => createHash('md5').update(s).digest('hex');

/** The `service.action` of a finding type, as AWS's samples for that type carry it. */
function actionOf(type: string): Record<string, unknown> {
  if (type.endsWith('!DNS') || type.startsWith('Trojan:EC2/DNSDataExfiltration'))
    return {
      actionType: 'DNS_REQUEST',
      dnsRequestAction: { domain: 'GeneratedFindingDomainName', protocol: 'UDP', blocked: false },
    };
  const inbound = /BruteForce|PortProbe/.test(type);
  return {
    actionType: 'NETWORK_CONNECTION',
    networkConnectionAction: {
      connectionDirection: inbound ? 'INBOUND' : 'OUTBOUND',
      remoteIpDetails: {
        ipAddressV4: '198.51.100.0',
        organization: {
          asn: '-1',
          asnOrg: 'GeneratedFindingASNOrg',
          isp: 'GeneratedFindingISP',
          org: 'GeneratedFindingORG',
        },
        country: { countryName: 'GeneratedFindingCountryName' },
        city: { cityName: 'GeneratedFindingCityName' },
        geoLocation: { lat: 0, lon: 0 },
      },
      remotePortDetails: { port: inbound ? 32794 : 443, portName: inbound ? 'Unknown' : 'HTTPS' },
      localPortDetails: { port: inbound ? 22 : 39677, portName: inbound ? 'SSH' : 'Unknown' },
      protocol: 'TCP',
      blocked: false,
      localIpDetails: { ipAddressV4: '10.0.0.23' },
    },
  };
}

/** The instance as GuardDuty's `resource.instanceDetails` describes it. */
export function instanceDetails(sim: Simulator, instanceId: string, account = ACCOUNT, region = REGION) {
  const r = sim.world.region(account, region);
  const i = r.ec2.instances.get(instanceId);
  if (!i) throw new Error(`no ${instanceId} in ${account} ${region}`);
  return {
    availabilityZone: i.availabilityZone,
    iamInstanceProfile: i.iamInstanceProfile
      ? { arn: i.iamInstanceProfile.arn, id: i.iamInstanceProfile.id }
      : undefined,
    imageDescription: 'GeneratedFindingInstaceImageDescription',
    imageId: i.imageId,
    instanceId: i.instanceId,
    instanceState: i.state,
    instanceType: i.instanceType,
    outpostArn: undefined,
    launchTime: i.launchTime,
    networkInterfaces: i.networkInterfaceIds.map((id) => {
      const e = r.ec2.networkInterfaces.get(id)!;
      const primary = e.privateIpAddresses.find((p) => p.primary) ?? e.privateIpAddresses[0]!;
      const dns = (ip: string) => `ip-${ip.replace(/\./g, '-')}.ec2.internal`;
      return {
        ipv6Addresses: e.ipv6Addresses,
        networkInterfaceId: e.networkInterfaceId,
        privateDnsName: dns(primary.privateIpAddress),
        privateIpAddress: primary.privateIpAddress,
        privateIpAddresses: e.privateIpAddresses.map((p) => ({
          privateDnsName: dns(p.privateIpAddress),
          privateIpAddress: p.privateIpAddress,
        })),
        publicDnsName: primary.association
          ? `ec2-${primary.association.publicIp.replace(/\./g, '-')}.compute-1.amazonaws.com`
          : '',
        publicIp: primary.association?.publicIp,
        securityGroups: e.groupIds.map((g) => ({ groupId: g, groupName: r.ec2.securityGroups.get(g)?.groupName })),
        subnetId: e.subnetId,
        vpcId: e.vpcId,
      };
    }),
    platform: null,
    productCodes: [],
    tags: Object.entries(i.tags).map(([key, value]) => ({ key, value })),
  };
}

export interface FindingSpec {
  type: string;
  instanceId: string;
  severity: number;
  account?: string;
  region?: string;
  count?: number;
  updatedAt?: string;
}

/** A GuardDuty finding event exactly as EventBridge delivers it. */
export function guardDutyEvent(sim: Simulator, f: FindingSpec): Record<string, unknown> {
  const account = f.account ?? ACCOUNT;
  const region = f.region ?? REGION;
  const id = hex32(`${f.type}/${f.instanceId}`);
  const at = f.updatedAt ?? '2026-03-14T09:26:53.589Z';
  return {
    version: '0',
    id: `${hex32(`${id}${at}`).slice(0, 8)}-5e8b-4c4c-a4c2-${hex32(at).slice(0, 12)}`,
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account,
    time: at.replace(/\.\d+Z$/, 'Z'),
    region,
    resources: [],
    detail: {
      schemaVersion: '2.0',
      accountId: account,
      region,
      partition: 'aws',
      id,
      arn: `arn:aws:guardduty:${region}:${account}:detector/${DETECTOR}/finding/${id}`,
      type: f.type,
      resource: { resourceType: 'Instance', instanceDetails: instanceDetails(sim, f.instanceId, account, region) },
      service: {
        serviceName: 'guardduty',
        detectorId: DETECTOR,
        action: actionOf(f.type),
        resourceRole: 'TARGET',
        additionalInfo: { value: '{"sample":true}', type: 'default' },
        eventFirstSeen: '2026-03-14T09:14:00.000Z',
        eventLastSeen: at,
        archived: false,
        count: f.count ?? 1,
      },
      severity: f.severity,
      createdAt: '2026-03-14T09:14:27.151Z',
      updatedAt: at,
      title: `${f.type} on instance ${f.instanceId}.`,
      description: `EC2 instance ${f.instanceId} is involved in ${f.type} activity.`,
    },
  };
}

/** A GuardDuty finding on an access key (no instance): IAM finding types. */
export function accessKeyFindingEvent(): Record<string, unknown> {
  const id = hex32('iam');
  return {
    version: '0',
    id: 'c8f1c6a6-0b55-4a3e-8e4e-6f7a0c2d1e10',
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: ACCOUNT,
    time: '2026-03-14T09:26:53Z',
    region: REGION,
    resources: [],
    detail: {
      schemaVersion: '2.0',
      accountId: ACCOUNT,
      region: REGION,
      partition: 'aws',
      id,
      arn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/${DETECTOR}/finding/${id}`,
      type: 'Recon:IAMUser/MaliciousIPCaller',
      resource: {
        resourceType: 'AccessKey',
        accessKeyDetails: {
          accessKeyId: 'GeneratedFindingAccessKeyId',
          principalId: 'GeneratedFindingPrincipalId',
          userName: 'GeneratedFindingUserName',
          userType: 'IAMUser',
        },
      },
      service: { serviceName: 'guardduty', detectorId: DETECTOR, archived: false, count: 1 },
      severity: 5,
      createdAt: '2026-03-14T09:14:27.151Z',
      updatedAt: '2026-03-14T09:26:53.589Z',
      title: 'Reconnaissance API GeneratedFindingAPIName was invoked from a known malicious IP address.',
    },
  };
}

/** ASFF types as Security Hub rewrites a GuardDuty type (the `/` after the resource becomes `-`). */
const ASFF_TYPE: Record<string, string> = {
  'Backdoor:EC2/C&CActivity.B!DNS': 'TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS',
  'UnauthorizedAccess:EC2/SSHBruteForce': 'TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce',
  'CryptoCurrency:EC2/BitcoinTool.B!DNS': 'Effects/Resource Consumption/CryptoCurrency:EC2-BitcoinTool.B!DNS',
};

/** A Security Hub custom action carrying GuardDuty findings in ASFF, one AwsEc2Instance resource each. */
export function securityHubCustomAction(findings: FindingSpec[], actionId = 'CordonContain'): Record<string, unknown> {
  return {
    version: '0',
    id: '1a1d6a8e-6f0e-5b0e-9c7e-1e2d3c4b5a69',
    'detail-type': 'Security Hub Findings - Custom Action',
    source: 'aws.securityhub',
    account: ACCOUNT,
    time: '2026-03-14T09:40:00Z',
    region: REGION,
    resources: [`arn:aws:securityhub:${REGION}:${ACCOUNT}:action/custom/${actionId}`],
    detail: {
      actionName: 'Cordon contain ',
      actionDescription: 'Contain the instance with cordon',
      findings: findings.map((f) => {
        const account = f.account ?? ACCOUNT;
        const region = f.region ?? REGION;
        const gdId = hex32(`${f.type}/${f.instanceId}`);
        const label =
          f.severity >= 9
            ? 'CRITICAL'
            : f.severity >= 7
              ? 'HIGH'
              : f.severity >= 4
                ? 'MEDIUM'
                : f.severity >= 1
                  ? 'LOW'
                  : 'INFORMATIONAL';
        return {
          SchemaVersion: '2018-10-08',
          Id: `arn:aws:guardduty:${region}:${account}:detector/${DETECTOR}/finding/${gdId}`,
          ProductArn: `arn:aws:securityhub:${region}::product/aws/guardduty`,
          ProductName: 'GuardDuty',
          CompanyName: 'Amazon',
          GeneratorId: `arn:aws:guardduty:${region}:${account}:detector/${DETECTOR}`,
          AwsAccountId: account,
          Region: region,
          Types: [ASFF_TYPE[f.type] ?? `TTPs/${f.type.replace(':EC2/', ':EC2-')}`],
          FirstObservedAt: '2026-03-14T09:14:00.000Z',
          LastObservedAt: '2026-03-14T09:26:53.589Z',
          CreatedAt: '2026-03-14T09:14:27.151Z',
          UpdatedAt: '2026-03-14T09:26:53.589Z',
          Severity: { Product: f.severity, Label: label, Normalized: Math.round(f.severity * 10) },
          Title: `${f.type} on instance ${f.instanceId}.`,
          Description: `EC2 instance ${f.instanceId} is involved in ${f.type} activity.`,
          ProductFields: { 'aws/guardduty/service/archived': 'false', 'aws/guardduty/service/count': '1' },
          Resources: [
            {
              Type: 'AwsEc2Instance',
              Id: `arn:aws:ec2:${region}:${account}:instance/${f.instanceId}`,
              Partition: 'aws',
              Region: region,
              Details: {
                AwsEc2Instance: {
                  Type: 't3.micro',
                  ImageId: 'ami-0abcdef1234567890',
                  VpcId: 'vpc-0c0ffee',
                  SubnetId: 'subnet-0c0ffee',
                },
              },
            },
          ],
          WorkflowState: 'NEW',
          Workflow: { Status: 'NEW' },
          RecordState: 'ACTIVE',
        };
      }),
    },
  };
}
