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
import { groupFacts } from './normalize.js';
import { Coalescer } from './coalesce.js';
import { withSchedule, type CallRecord, type ScheduleContext } from './scheduler.js';

export type { CallRecord } from './scheduler.js';

/** CreateTags / DeleteTags take at most this many resource ids. */
const MAX_TAG_RESOURCES = 1000;

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
  /** Where this gateway's share of the client set's call log starts. */
  private readonly from: number;
  constructor(readonly clients: AwsClients) {
    this.from = clients.scheduler.calls.length;
  }

  /**
   * Every attempt of every AWS call of the client set since this gateway was made — the reads of the fact
   * gatherers included — in the order they ended (for timelines and round-trip counting).
   */
  get calls(): CallRecord[] {
    return this.clients.scheduler.calls.slice(this.from);
  }

  private readonly memo = new Map<string, Promise<unknown>>();

  /**
   * A read made once per run, whoever asks (e.g. an Auto Scaling group's target groups, for each of its instances).
   * A failed read is not kept: the next asker tries again.
   */
  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      this.memo.set(key, p);
      p.catch(() => this.memo.delete(key));
    }
    return p;
  }

  /** Runs fn with a schedule context (priority, deadline, swap class): its AWS calls queue with it. */
  scheduled<T>(ctx: ScheduleContext, fn: () => Promise<T>): Promise<T> {
    return withSchedule(ctx, fn);
  }

  get region(): string {
    return this.clients.region;
  }

  /**
   * Runs one call, recording it; maps AccessDenied-style errors to PermissionMissing; a DryRun that answers
   * DryRunOperation resolves to undefined. Gateway modules for other areas (src/aws/*.ts) use this for their calls.
   */
  async call<T>(action: string, dryRun: boolean, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof CordonError) throw e;
      const code = awsErrorCode(e);
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

  /**
   * Tags resources. Requests with the same tag set made at about the same time share one CreateTags call (up to
   * 1,000 resources, AWS's limit): a fleet's write-ahead records cost a few calls, not one per ENI.
   */
  async createTags(resourceIds: string[], tags: Record<string, string>, dryRun = false): Promise<void> {
    if (resourceIds.length === 0 || Object.keys(tags).length === 0) return;
    if (dryRun) return this.sendCreateTags(resourceIds, tags, true);
    const key = JSON.stringify(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    await Promise.all(resourceIds.map((id) => this.tagBatches.add(key, id)));
  }

  private async sendCreateTags(resourceIds: string[], tags: Record<string, string>, dryRun: boolean): Promise<void> {
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

  private readonly tagBatches = new Coalescer<string, void>(async (key, ids) => {
    const tags = Object.fromEntries(JSON.parse(key) as [string, string][]);
    await this.sendCreateTags(ids, tags, false);
    return ids.map(() => undefined);
  }, MAX_TAG_RESOURCES);

  /** Removes tag keys; like createTags, requests for the same keys share one DeleteTags call. */
  async deleteTags(resourceIds: string[], keys: string[], dryRun = false): Promise<void> {
    if (resourceIds.length === 0 || keys.length === 0) return;
    if (dryRun) return this.sendDeleteTags(resourceIds, keys, true);
    const key = JSON.stringify([...keys].sort());
    await Promise.all(resourceIds.map((id) => this.untagBatches.add(key, id)));
  }

  private async sendDeleteTags(resourceIds: string[], keys: string[], dryRun: boolean): Promise<void> {
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

  private readonly untagBatches = new Coalescer<string, void>(async (key, ids) => {
    await this.sendDeleteTags(ids, JSON.parse(key) as string[], false);
    return ids.map(() => undefined);
  }, MAX_TAG_RESOURCES);

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
