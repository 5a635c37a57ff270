// Auto Scaling calls: membership and group reads (for the gatherer, straight on the client) and the gateway
// functions the asg-detach step makes (recorded by the Gateway). Auto Scaling has no DryRun.

import {
  DescribeAutoScalingInstancesCommand,
  DescribeAutoScalingGroupsCommand,
  DetachInstancesCommand,
  AttachInstancesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
  UpdateAutoScalingGroupCommand,
  SuspendProcessesCommand,
  ResumeProcessesCommand,
  SetInstanceProtectionCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import type { AwsClients } from './clients.js';
import type { Gateway } from './gateway.js';
import { Coalescer } from './coalesce.js';
import type { AsgFacts, AsgGroupFacts } from '../core/playbook-facts.js';

export function asgGroupFacts(g: AutoScalingGroup): AsgGroupFacts {
  return {
    name: g.AutoScalingGroupName!,
    minSize: g.MinSize ?? 0,
    maxSize: g.MaxSize ?? 0,
    desiredCapacity: g.DesiredCapacity ?? 0,
    targetGroupArns: g.TargetGroupARNs ?? [],
    loadBalancerNames: g.LoadBalancerNames ?? [],
    suspendedProcesses: (g.SuspendedProcesses ?? []).map((s) => s.ProcessName!).filter(Boolean),
    instances: (g.Instances ?? []).map((i) => ({
      instanceId: i.InstanceId!,
      lifecycleState: i.LifecycleState ?? '',
      protectedFromScaleIn: i.ProtectedFromScaleIn ?? false,
    })),
  };
}

/** Group membership of each instance (DescribeAutoScalingInstances, 50 ids a page). */
export async function readMembership(clients: AwsClients, ids: string[]): Promise<Record<string, AsgFacts['member']>> {
  const out: Record<string, AsgFacts['member']> = {};
  const parts: string[][] = [];
  for (let i = 0; i < ids.length; i += 50) parts.push(ids.slice(i, i + 50));
  // Every page of 50 ids at once: a fleet's membership is one round trip, not one per 50 instances.
  await Promise.all(
    parts.map(async (part) => {
      let token: string | undefined;
      do {
        const r = await clients.autoscaling.send(
          new DescribeAutoScalingInstancesCommand({ InstanceIds: part, NextToken: token }),
        );
        for (const d of r.AutoScalingInstances ?? []) {
          out[d.InstanceId!] = {
            groupName: d.AutoScalingGroupName!,
            lifecycleState: d.LifecycleState ?? '',
            healthStatus: d.HealthStatus ?? '',
            protectedFromScaleIn: d.ProtectedFromScaleIn ?? false,
          };
        }
        token = r.NextToken;
      } while (token);
    }),
  );
  return out;
}

/**
 * The first page of every group (MaxRecords 100): read alongside the membership so a small account needs no second
 * trip.
 */
export async function readFirstGroupPage(clients: AwsClients): Promise<AsgGroupFacts[]> {
  const r = await clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 100 }));
  return (r.AutoScalingGroups ?? []).map(asgGroupFacts);
}

export async function readGroups(clients: AwsClients, names: string[]): Promise<AsgGroupFacts[]> {
  if (names.length === 0) return [];
  const out: AsgGroupFacts[] = [];
  let token: string | undefined;
  do {
    const r = await clients.autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names, NextToken: token }),
    );
    out.push(...(r.AutoScalingGroups ?? []).map(asgGroupFacts));
    token = r.NextToken;
  } while (token);
  return out;
}

// ---- gateway functions (recorded; used by the step) ------------------------------------------------------------

export async function describeGroup(gw: Gateway, name: string): Promise<AsgGroupFacts | undefined> {
  const r = await gw.call('autoscaling:DescribeAutoScalingGroups', false, () =>
    gw.clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })),
  );
  const g = r.AutoScalingGroups?.[0];
  return g ? asgGroupFacts(g) : undefined;
}

/** DetachInstances / EnterStandby take at most this many instance ids (AWS's limit). */
const MAX_ASG_IDS = 20;

const asgBatches = new WeakMap<Gateway, Coalescer<string, void>>();

/**
 * Detach or Standby calls for the same group, made at about the same time, share one call (up to 20 instances). A
 * batch that fails is retried instance by instance (the Coalescer), so each instance gets its own answer.
 */
function membershipCall(
  gw: Gateway,
  kind: 'detach' | 'standby',
  group: string,
  id: string,
  decrement: boolean,
): Promise<void> {
  let c = asgBatches.get(gw);
  if (!c) {
    c = new Coalescer<string, void>(async (key, ids) => {
      const {
        kind: k,
        group: g,
        decrement: d,
      } = JSON.parse(key) as { kind: string; group: string; decrement: boolean };
      const input = { AutoScalingGroupName: g, InstanceIds: ids, ShouldDecrementDesiredCapacity: d };
      if (k === 'detach')
        await gw.call('autoscaling:DetachInstances', false, () =>
          gw.clients.autoscaling.send(new DetachInstancesCommand(input)),
        );
      else
        await gw.call('autoscaling:EnterStandby', false, () =>
          gw.clients.autoscaling.send(new EnterStandbyCommand(input)),
        );
      return ids.map(() => undefined);
    }, MAX_ASG_IDS);
    asgBatches.set(gw, c);
  }
  return c.add(JSON.stringify({ kind, group, decrement }), id);
}

export async function detachInstance(
  gw: Gateway,
  group: string,
  instanceId: string,
  decrement: boolean,
): Promise<void> {
  await membershipCall(gw, 'detach', group, instanceId, decrement);
}

export async function enterStandby(gw: Gateway, group: string, instanceId: string, decrement: boolean): Promise<void> {
  await membershipCall(gw, 'standby', group, instanceId, decrement);
}

export async function attachInstance(gw: Gateway, group: string, instanceId: string): Promise<void> {
  await gw.call('autoscaling:AttachInstances', false, () =>
    gw.clients.autoscaling.send(new AttachInstancesCommand({ AutoScalingGroupName: group, InstanceIds: [instanceId] })),
  );
}

export async function exitStandby(gw: Gateway, group: string, instanceId: string): Promise<void> {
  await gw.call('autoscaling:ExitStandby', false, () =>
    gw.clients.autoscaling.send(new ExitStandbyCommand({ AutoScalingGroupName: group, InstanceIds: [instanceId] })),
  );
}

export async function updateGroupSizes(
  gw: Gateway,
  group: string,
  sizes: { minSize?: number; maxSize?: number; desiredCapacity?: number },
): Promise<void> {
  await gw.call('autoscaling:UpdateAutoScalingGroup', false, () =>
    gw.clients.autoscaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: group,
        MinSize: sizes.minSize,
        MaxSize: sizes.maxSize,
        DesiredCapacity: sizes.desiredCapacity,
      }),
    ),
  );
}

export async function suspendProcesses(gw: Gateway, group: string, processes: string[]): Promise<void> {
  await gw.call('autoscaling:SuspendProcesses', false, () =>
    gw.clients.autoscaling.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: group, ScalingProcesses: processes }),
    ),
  );
}

export async function resumeProcesses(gw: Gateway, group: string, processes: string[]): Promise<void> {
  await gw.call('autoscaling:ResumeProcesses', false, () =>
    gw.clients.autoscaling.send(
      new ResumeProcessesCommand({ AutoScalingGroupName: group, ScalingProcesses: processes }),
    ),
  );
}

export async function setProtection(gw: Gateway, group: string, instanceId: string, protect: boolean): Promise<void> {
  await gw.call('autoscaling:SetInstanceProtection', false, () =>
    gw.clients.autoscaling.send(
      new SetInstanceProtectionCommand({
        AutoScalingGroupName: group,
        InstanceIds: [instanceId],
        ProtectedFromScaleIn: protect,
      }),
    ),
  );
}
