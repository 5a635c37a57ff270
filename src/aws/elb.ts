// Load balancer calls: finding where instances are registered (ELBv2 target groups of type instance, classic load
// balancers) and deregistering / re-registering them. Discovery takes two sequential reads (target groups, then each
// group's health), so containment runs it at apply time, off the critical path; `cordon plan` runs it up front.

import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DeregisterTargetsCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeLoadBalancersCommand,
  DeregisterInstancesFromLoadBalancerCommand,
  RegisterInstancesWithLoadBalancerCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import type { AwsClients } from './clients.js';
import type { Gateway } from './gateway.js';
import { Coalescer } from './coalesce.js';
import type { ElbFacts, TargetRegistration } from '../core/playbook-facts.js';

type Reader = <T>(action: string, fn: () => Promise<T>) => Promise<T>;

const direct: Reader = (_action, fn) => fn();

/** Every registration of the given instances, per instance. Draining targets are reported with state `draining`. */
export async function discoverRegistrations(
  clients: AwsClients,
  ids: string[],
  read: Reader = direct,
): Promise<Record<string, ElbFacts>> {
  const out: Record<string, ElbFacts> = {};
  for (const id of ids) out[id] = { targets: [], classic: [] };
  const want = new Set(ids);
  const [groups, classic] = await Promise.all([
    (async () => {
      const all: { arn: string; name: string }[] = [];
      let marker: string | undefined;
      do {
        const r = await read('elasticloadbalancing:DescribeTargetGroups', () =>
          clients.elbv2.send(new DescribeTargetGroupsCommand({ Marker: marker })),
        );
        for (const g of r.TargetGroups ?? [])
          if (g.TargetType === 'instance' && g.TargetGroupArn)
            all.push({ arn: g.TargetGroupArn, name: g.TargetGroupName ?? '' });
        marker = r.NextMarker;
      } while (marker);
      return all;
    })(),
    (async () => {
      const found: { name: string; instances: string[] }[] = [];
      let marker: string | undefined;
      do {
        const r = await read('elasticloadbalancing:DescribeLoadBalancers', () =>
          clients.elb.send(new DescribeLoadBalancersCommand({ Marker: marker })),
        );
        for (const lb of r.LoadBalancerDescriptions ?? [])
          found.push({ name: lb.LoadBalancerName!, instances: (lb.Instances ?? []).map((i) => i.InstanceId!) });
        marker = r.NextMarker;
      } while (marker);
      return found;
    })(),
  ]);
  await Promise.all(
    groups.map(async (g) => {
      const r = await read('elasticloadbalancing:DescribeTargetHealth', () =>
        clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.arn })),
      );
      for (const d of r.TargetHealthDescriptions ?? []) {
        const id = d.Target?.Id;
        if (!id || !want.has(id)) continue;
        const reg: TargetRegistration = {
          targetGroupArn: g.arn,
          targetGroupName: g.name,
          port: d.Target!.Port ?? 0,
          state: d.TargetHealth?.State ?? 'unknown',
        };
        out[id]!.targets!.push(reg);
      }
    }),
  );
  for (const lb of classic) for (const id of lb.instances) if (want.has(id)) out[id]!.classic!.push(lb.name);
  for (const f of Object.values(out)) {
    f.targets!.sort((a, b) => a.targetGroupArn.localeCompare(b.targetGroupArn) || a.port - b.port);
    f.classic!.sort();
  }
  return out;
}

/** The same discovery, each read recorded by the gateway (apply time). */
export function discoverWithGateway(gw: Gateway, ids: string[]): Promise<Record<string, ElbFacts>> {
  return discoverRegistrations(gw.clients, ids, (action, fn) => gw.call(action, false, fn));
}

interface RunBatches {
  discover: Coalescer<string, ElbFacts>;
  deregister: Coalescer<{ id: string; port: number }, void>;
  deregisterClassic: Coalescer<string, void>;
}

const batches = new WeakMap<Gateway, RunBatches>();

/** A run's coalescers: a fleet's instances share one discovery, one deregistration per target group. */
function runBatches(gw: Gateway): RunBatches {
  let b = batches.get(gw);
  if (!b) {
    b = {
      discover: new Coalescer(async (_key, ids) => {
        const found = await discoverWithGateway(gw, [...new Set(ids)]);
        return ids.map((id) => found[id] ?? { targets: [], classic: [] });
      }, 1000),
      deregister: new Coalescer(async (arn, targets) => {
        await gw.call('elasticloadbalancing:DeregisterTargets', false, () =>
          gw.clients.elbv2.send(
            new DeregisterTargetsCommand({
              TargetGroupArn: arn,
              Targets: targets.map((t) => ({ Id: t.id, Port: t.port || undefined })),
            }),
          ),
        );
        return targets.map(() => undefined);
      }, MAX_TARGETS_PER_CALL),
      deregisterClassic: new Coalescer(async (name, ids) => {
        await gw.call('elasticloadbalancing:DeregisterInstancesFromLoadBalancer', false, () =>
          gw.clients.elb.send(
            new DeregisterInstancesFromLoadBalancerCommand({
              LoadBalancerName: name,
              Instances: ids.map((InstanceId) => ({ InstanceId })),
            }),
          ),
        );
        return ids.map(() => undefined);
      }, MAX_TARGETS_PER_CALL),
    };
    batches.set(gw, b);
  }
  return b;
}

/**
 * One instance's registrations, found at apply time. The instances of a run that ask at about the same time share
 * one discovery (one pass over the target groups and classic load balancers), not one each.
 */
export function discoverOne(gw: Gateway, instanceId: string): Promise<ElbFacts> {
  return runBatches(gw).discover.add('all', instanceId);
}

/** Targets per Deregister call (deregistrations of the same target group made together share a call). */
const MAX_TARGETS_PER_CALL = 50;

export async function deregisterTarget(
  gw: Gateway,
  targetGroupArn: string,
  instanceId: string,
  port: number,
): Promise<void> {
  await runBatches(gw).deregister.add(targetGroupArn, { id: instanceId, port });
}

export async function registerTarget(
  gw: Gateway,
  targetGroupArn: string,
  instanceId: string,
  port: number,
): Promise<void> {
  await gw.call('elasticloadbalancing:RegisterTargets', false, () =>
    gw.clients.elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: targetGroupArn,
        Targets: [{ Id: instanceId, Port: port || undefined }],
      }),
    ),
  );
}

export async function deregisterClassic(gw: Gateway, name: string, instanceId: string): Promise<void> {
  await runBatches(gw).deregisterClassic.add(name, instanceId);
}

export async function registerClassic(gw: Gateway, name: string, instanceId: string): Promise<void> {
  await gw.call('elasticloadbalancing:RegisterInstancesWithLoadBalancer', false, () =>
    gw.clients.elb.send(
      new RegisterInstancesWithLoadBalancerCommand({ LoadBalancerName: name, Instances: [{ InstanceId: instanceId }] }),
    ),
  );
}
