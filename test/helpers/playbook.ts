// Helpers for the playbook tests: the demo scenario with extra load balancers, and readers of the simulator's call
// log (order guarantees are checked on its seq numbers).

import { readFileSync } from 'node:fs';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import type { SimHarness } from './sim.js';
import type { Simulator } from '../../src/sim/server.js';
import { TAG } from '../../src/core/tags.js';

export const WEB1 = 'i-0c0ffee0000000001';
export const WEB2 = 'i-0c0ffee0000000002';
export const BASTION = 'i-0c0ffee0000000003';
export const ASG = 'storefront-web-asg';
export const ACCOUNT = '111122223333';

type Json = Record<string, unknown>;

/**
 * The demo, plus: the bastion registered with a second target group on an overridden port (9090) and with a
 * classic load balancer, its shutdown behaviour `terminate`, and the web role's profile (shared with web-1/web-2).
 */
export function demoPlus(edit?: (region: Json) => void): Json {
  const s = JSON.parse(readFileSync(new URL('../../src/sim/scenarios/demo.json', import.meta.url), 'utf8')) as Json;
  const region = ((s.accounts as Json[])[0]!.regions as Json[])[0]!;
  (region.targetGroups as Json[]).push({
    name: 'admin-api',
    vpc: 'prod',
    protocol: 'HTTP',
    port: 8080,
    deregistrationDelay: 60,
    targets: [{ instance: 'bastion', port: 9090 }],
  });
  region.classicLoadBalancers = [{ name: 'legacy-elb', vpc: 'prod', subnets: ['web-a'], instances: ['bastion'] }];
  const bastion = (region.instances as Json[]).find((i) => i.name === 'bastion')!;
  bastion.shutdownBehavior = 'terminate';
  bastion.instanceProfile = 'web-app-profile';
  edit?.(region);
  return s;
}

/** The simulator's log of successful, non-DryRun calls since `seq0`, with their seq. */
export function okCalls(sim: Simulator, seq0 = 0): { seq: number; action: string; params: Json; requestId: string }[] {
  return sim.world.calls
    .filter((c) => c.seq > seq0 && !c.dryRun && c.outcome === 'ok')
    .map((c) => ({ seq: c.seq, action: c.action, params: c.params as Json, requestId: c.requestId }));
}

export function lastSeq(sim: Simulator): number {
  return sim.world.calls.at(-1)?.seq ?? 0;
}

/** Seq of the last swap onto the empty isolation group (the end of the security-group isolation). */
export async function isolationEndSeq(h: SimHarness, seq0: number): Promise<number> {
  const groups = await h.ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:' + TAG.role, Values: ['isolation-empty'] }] }),
  );
  const empty = groups.SecurityGroups![0]!.GroupId!;
  const swaps = okCalls(h.sim, seq0).filter(
    (c) =>
      c.action === 'ModifyNetworkInterfaceAttribute' &&
      JSON.stringify(c.params.SecurityGroupId) === JSON.stringify([empty]),
  );
  if (swaps.length === 0) throw new Error('no swap onto the empty group in the call log');
  return Math.max(...swaps.map((c) => c.seq));
}

export async function group(h: SimHarness, name = ASG) {
  const r = await h.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return r.AutoScalingGroups![0]!;
}

/** A group's observable state for before/after comparison: sizes, members (sorted), load balancers, processes. */
export async function groupState(h: SimHarness, name = ASG) {
  const g = await group(h, name);
  return {
    min: g.MinSize,
    max: g.MaxSize,
    desired: g.DesiredCapacity,
    members: (g.Instances ?? []).map((i) => `${i.InstanceId}:${i.LifecycleState}:${i.ProtectedFromScaleIn}`).sort(),
    targetGroups: g.TargetGroupARNs,
    suspended: (g.SuspendedProcesses ?? []).map((p) => p.ProcessName).sort(),
  };
}
