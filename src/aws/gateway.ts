// The gateway: every AWS call cordon's steps make, as small functions. Steps depend on this interface, never on the
// SDK. Each mutating EC2 call can run as a DryRun (permission preflight): it resolves to `{ dryRun: 'allowed' }` or
// throws a CordonError naming the missing action.

import {
  CreateSecurityGroupCommand,
  AuthorizeSecurityGroupIngressCommand,
  AuthorizeSecurityGroupEgressCommand,
  RevokeSecurityGroupEgressCommand,
  ModifyNetworkInterfaceAttributeCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import type { AwsClients } from './clients.js';
import { awsErrorCode } from './clients.js';
import { CordonError, EXIT } from '../core/errors.js';
import type { ConnTrackFacts, SecurityGroupFacts } from '../core/facts.js';
import { groupFacts } from './facts.js';

export interface CallRecord {
  action: string;
  requestId?: string;
  startedMs: number;
  endedMs: number;
  ok: boolean;
  errorCode?: string;
}

export class PermissionMissing extends CordonError {
  constructor(
    readonly action: string,
    message: string,
  ) {
    super(
      'permission-missing',
      message,
      EXIT.permission,
      `grant ${action} to the identity cordon runs as (see \`cordon iam-policy\`)`,
      { action },
    );
  }
}

export class Gateway {
  /** Every AWS call made through the gateway, in order (for timelines and round-trip counting). */
  readonly calls: CallRecord[] = [];
  constructor(readonly clients: AwsClients) {}

  get region(): string {
    return this.clients.region;
  }

  /**
   * Runs one call, recording it; maps AccessDenied-style errors to PermissionMissing; a DryRun that answers
   * DryRunOperation resolves to undefined. Gateway modules for other areas (src/aws/*.ts) use this for their calls.
   */
  async call<T>(action: string, dryRun: boolean, fn: () => Promise<T>): Promise<T> {
    const startedMs = Date.now();
    try {
      const out = await fn();
      this.calls.push({
        action,
        requestId: (out as { $metadata?: { requestId?: string } })?.$metadata?.requestId,
        startedMs,
        endedMs: Date.now(),
        ok: true,
      });
      return out;
    } catch (e) {
      const code = awsErrorCode(e);
      this.calls.push({ action, startedMs, endedMs: Date.now(), ok: code === 'DryRunOperation', errorCode: code });
      if (dryRun && code === 'DryRunOperation') return undefined as T;
      if (code === 'UnauthorizedOperation' || code === 'AccessDenied' || code === 'AccessDeniedException') {
        throw new PermissionMissing(action, `not authorized to call ${action}${dryRun ? ' (found by DryRun)' : ''}`);
      }
      throw e;
    }
  }

  async createSecurityGroup(
    vpcId: string,
    name: string,
    description: string,
    tags: Record<string, string>,
    dryRun = false,
  ): Promise<string | undefined> {
    const out = await this.call('ec2:CreateSecurityGroup', dryRun, () =>
      this.clients.ec2.send(
        new CreateSecurityGroupCommand({
          VpcId: vpcId,
          GroupName: name,
          Description: description,
          DryRun: dryRun || undefined,
          TagSpecifications: [
            { ResourceType: 'security-group', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
          ],
        }),
      ),
    );
    return out?.GroupId;
  }

  /** Allows all traffic from 0.0.0.0/0 and ::/0 (ingress), in one call. */
  async authorizeAllIngress(groupId: string, dryRun = false): Promise<void> {
    await this.call('ec2:AuthorizeSecurityGroupIngress', dryRun, () =>
      this.clients.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          DryRun: dryRun || undefined,
          IpPermissions: [
            {
              IpProtocol: '-1',
              IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'cordon step 1: untrack' }],
              Ipv6Ranges: [{ CidrIpv6: '::/0', Description: 'cordon step 1: untrack' }],
            },
          ],
        }),
      ),
    );
  }

  async authorizeEgress(groupId: string, ranges: { v4?: string[]; v6?: string[] }, dryRun = false): Promise<void> {
    await this.call('ec2:AuthorizeSecurityGroupEgress', dryRun, () =>
      this.clients.ec2.send(
        new AuthorizeSecurityGroupEgressCommand({
          GroupId: groupId,
          DryRun: dryRun || undefined,
          IpPermissions: [
            {
              IpProtocol: '-1',
              IpRanges: (ranges.v4 ?? []).map((CidrIp) => ({ CidrIp })),
              Ipv6Ranges: (ranges.v6 ?? []).map((CidrIpv6) => ({ CidrIpv6 })),
            },
          ],
        }),
      ),
    );
  }

  async revokeEgress(groupId: string, ranges: { v4?: string[]; v6?: string[] }, dryRun = false): Promise<void> {
    await this.call('ec2:RevokeSecurityGroupEgress', dryRun, () =>
      this.clients.ec2.send(
        new RevokeSecurityGroupEgressCommand({
          GroupId: groupId,
          DryRun: dryRun || undefined,
          IpPermissions: [
            {
              IpProtocol: '-1',
              IpRanges: (ranges.v4 ?? []).map((CidrIp) => ({ CidrIp })),
              Ipv6Ranges: (ranges.v6 ?? []).map((CidrIpv6) => ({ CidrIpv6 })),
            },
          ],
        }),
      ),
    );
  }

  /** Allows all traffic from the given ranges (ingress), in one call. */
  async authorizeIngress(groupId: string, ranges: { v4?: string[]; v6?: string[] }, dryRun = false): Promise<void> {
    await this.call('ec2:AuthorizeSecurityGroupIngress', dryRun, () =>
      this.clients.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          DryRun: dryRun || undefined,
          IpPermissions: [
            {
              IpProtocol: '-1',
              IpRanges: (ranges.v4 ?? []).map((CidrIp) => ({ CidrIp })),
              Ipv6Ranges: (ranges.v6 ?? []).map((CidrIpv6) => ({ CidrIpv6 })),
            },
          ],
        }),
      ),
    );
  }

  /**
   * A DryRun permission probe: only a missing permission is an answer; any other error (the probe's parameters did
   * not validate, e.g. a rule that is not there to revoke) means the call itself is allowed.
   */
  async probe(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      if (e instanceof PermissionMissing) throw e;
    }
  }

  async setEniGroups(eniId: string, groupIds: string[], dryRun = false): Promise<void> {
    await this.call('ec2:ModifyNetworkInterfaceAttribute', dryRun, () =>
      this.clients.ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: eniId,
          Groups: groupIds,
          DryRun: dryRun || undefined,
        }),
      ),
    );
  }

  async setEniConnectionTracking(eniId: string, ct: ConnTrackFacts, dryRun = false): Promise<void> {
    await this.call('ec2:ModifyNetworkInterfaceAttribute', dryRun, () =>
      this.clients.ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: eniId,
          DryRun: dryRun || undefined,
          ConnectionTrackingSpecification: {
            TcpEstablishedTimeout: ct.tcpEstablishedTimeout,
            UdpStreamTimeout: ct.udpStreamTimeout,
            UdpTimeout: ct.udpTimeout,
          },
        }),
      ),
    );
  }

  async createTags(resourceIds: string[], tags: Record<string, string>, dryRun = false): Promise<void> {
    if (resourceIds.length === 0 || Object.keys(tags).length === 0) return;
    await this.call('ec2:CreateTags', dryRun, () =>
      this.clients.ec2.send(
        new CreateTagsCommand({
          Resources: resourceIds,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          DryRun: dryRun || undefined,
        }),
      ),
    );
  }

  async deleteTags(resourceIds: string[], keys: string[], dryRun = false): Promise<void> {
    if (resourceIds.length === 0 || keys.length === 0) return;
    await this.call('ec2:DeleteTags', dryRun, () =>
      this.clients.ec2.send(
        new DeleteTagsCommand({
          Resources: resourceIds,
          Tags: keys.map((Key) => ({ Key })),
          DryRun: dryRun || undefined,
        }),
      ),
    );
  }

  async describeGroups(groupIds: string[]): Promise<SecurityGroupFacts[]> {
    if (groupIds.length === 0) return [];
    const out = await this.call('ec2:DescribeSecurityGroups', false, () =>
      this.clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds })),
    );
    return (out.SecurityGroups ?? []).map(groupFacts);
  }

  async findGroupsByTag(filters: { name: string; values: string[] }[]): Promise<SecurityGroupFacts[]> {
    const out = await this.call('ec2:DescribeSecurityGroups', false, () =>
      this.clients.ec2.send(
        new DescribeSecurityGroupsCommand({ Filters: filters.map((f) => ({ Name: f.name, Values: f.values })) }),
      ),
    );
    return (out.SecurityGroups ?? []).map(groupFacts);
  }

  async vpcs(): Promise<{ vpcId: string; ipv6: boolean }[]> {
    const out = await this.call('ec2:DescribeVpcs', false, () => this.clients.ec2.send(new DescribeVpcsCommand({})));
    return (out.Vpcs ?? []).map((v) => ({ vpcId: v.VpcId!, ipv6: (v.Ipv6CidrBlockAssociationSet ?? []).length > 0 }));
  }
}
