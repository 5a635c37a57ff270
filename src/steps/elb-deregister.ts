// Step: deregister the instance from every ELBv2 target group (instance targets, on every port it is registered
// with) and every classic load balancer it is in, so no load balancer sends it traffic or health checks. Finding
// the registrations costs two sequential reads: `cordon plan` does it with the facts (and shows them); containment
// does it here at apply time, off the critical path. The Auto Scaling step's DetachInstances / EnterStandby already
// deregisters the instance from its group's own load balancers: those are left to it (no double work). Restore
// re-registers exactly what this step deregistered, with the same ports.

import { PB_TAG } from '../core/playbook.js';
import { EXTRA, extra, type AsgFacts, type ElbFacts, type TargetRegistration } from '../core/playbook-facts.js';
import { TAG } from '../core/tags.js';
import type { Change } from '../core/plan.js';
import type { InstanceFacts } from '../core/facts.js';
import { describeGroup } from '../aws/autoscaling.js';
import { deregisterClassic, deregisterTarget, discoverOne, registerClassic, registerTarget } from '../aws/elb.js';
import type { PlanInput, RestoreItem, StepDef } from './types.js';
import {
  instanceChange,
  journalOriginal,
  playbookOf,
  recordKeys,
  recordTag,
  restoreItem,
  writeRecordTag,
} from './playbook-common.js';

const ID = 'elb-deregister';

export interface LbSet {
  targets: { targetGroupArn: string; port: number }[];
  classic: string[];
}

interface ElbAction extends Partial<LbSet> {
  /** Registrations unknown yet: find them at apply time. */
  discover: boolean;
  /** Left to the Auto Scaling step (the group's own load balancers), or the group to read them from. */
  viaAsg?: { group: string; targetGroupArns?: string[]; loadBalancerNames?: string[] };
}

export function encodeLbSet(s: LbSet): string {
  return [...s.targets.map((t) => `T=${t.targetGroupArn}@${t.port}`), ...s.classic.map((c) => `C=${c}`)].join(',');
}

export function decodeLbSet(v: string | undefined): LbSet | undefined {
  if (v === undefined) return undefined;
  const out: LbSet = { targets: [], classic: [] };
  for (const part of v.split(',').filter(Boolean)) {
    if (part.startsWith('T=')) {
      const at = part.lastIndexOf('@');
      out.targets.push({ targetGroupArn: part.slice(2, at), port: Number(part.slice(at + 1)) });
    } else if (part.startsWith('C=')) out.classic.push(part.slice(2));
  }
  return out;
}

/** Whether the Auto Scaling step takes the instance out of its group (and so out of the group's load balancers). */
function asgHandles(input: PlanInput, inst: InstanceFacts): ElbAction['viaAsg'] {
  const pb = playbookOf(input);
  const f = extra<AsgFacts>(inst, EXTRA.asg);
  if (pb.asg === 'skip' || !f?.member || f.member.lifecycleState !== 'InService') return undefined;
  return {
    group: f.member.groupName,
    targetGroupArns: f.group?.targetGroupArns,
    loadBalancerNames: f.group?.loadBalancerNames,
  };
}

function own(regs: ElbFacts, via: ElbAction['viaAsg']): LbSet {
  const skipTg = new Set(via?.targetGroupArns ?? []);
  const skipClb = new Set(via?.loadBalancerNames ?? []);
  const live = (t: TargetRegistration): boolean => t.state !== 'draining';
  return {
    targets: (regs.targets ?? [])
      .filter((t) => live(t) && !skipTg.has(t.targetGroupArn))
      .map((t) => ({ targetGroupArn: t.targetGroupArn, port: t.port })),
    classic: (regs.classic ?? []).filter((c) => !skipClb.has(c)),
  };
}

function names(s: LbSet): string[] {
  return [
    ...s.targets.map((t) => `${t.targetGroupArn.split('/')[1] ?? t.targetGroupArn}:${t.port}`),
    ...s.classic.map((c) => `classic ${c}`),
  ];
}

export const elbDeregister: StepDef = {
  id: ID,
  title: 'Deregister from load balancers',
  layer: 'audit',
  critical: false,
  permissions: [
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:DescribeTargetHealth',
    'elasticloadbalancing:DescribeLoadBalancers',
    'elasticloadbalancing:DeregisterTargets',
    'elasticloadbalancing:RegisterTargets',
    'elasticloadbalancing:DeregisterInstancesFromLoadBalancer',
    'elasticloadbalancing:RegisterInstancesWithLoadBalancer',
    'autoscaling:DescribeAutoScalingGroups',
    'ec2:CreateTags',
    'ec2:DeleteTags',
  ],
  dependsOn: [],
  // Not on the critical path: it waits until the security-group isolation has finished (ok or not).
  after: ['isolate-security-groups'],
  enabled: (o) => playbookOf(o).elb,
  plan(input) {
    if (!playbookOf(input).elb) return [];
    const changes: Change[] = [];
    for (const inst of input.instances) {
      const regs = extra<ElbFacts>(inst, EXTRA.elb);
      const via = asgHandles(input, inst);
      if (regs?.error) continue;
      if (!regs?.targets) {
        // Fast path: discovery at apply time. A re-run on an instance cordon already contains skips it.
        const status = inst.tags[TAG.status];
        if (status === 'contained' || status === 'containing') continue;
        const after: ElbAction = { discover: true, viaAsg: via };
        changes.push(
          instanceChange(
            ID,
            inst,
            'lb-registrations',
            null,
            after,
            `${inst.instanceId}: find its target groups and classic load balancers at apply time (off the critical path) and deregister it${via ? ` (those of ${via.group} are left to its detach)` : ''}`,
          ),
        );
        continue;
      }
      const mine = own(regs, via);
      if (mine.targets.length === 0 && mine.classic.length === 0) continue;
      const after: ElbAction = { discover: false, ...mine, viaAsg: via };
      changes.push(
        instanceChange(
          ID,
          inst,
          'lb-registrations',
          mine,
          after,
          `${inst.instanceId}: deregister from ${names(mine).join(', ')}`,
        ),
      );
    }
    return changes;
  },
  notes(input) {
    const out: string[] = [];
    for (const inst of input.instances) {
      const regs = extra<ElbFacts>(inst, EXTRA.elb);
      if (regs?.error && playbookOf(input).elb)
        out.push(`${inst.instanceId}: ${regs.error} — it may stay registered with a load balancer`);
      const via = asgHandles(input, inst);
      if (regs?.targets && via) {
        const skip = new Set(via.targetGroupArns ?? []);
        const left = (regs.targets ?? [])
          .filter((t) => skip.has(t.targetGroupArn) && t.state !== 'draining')
          .map((t) => t.targetGroupName);
        if (left.length)
          out.push(
            `${inst.instanceId}: ${via.group}'s own target groups (${left.join(', ')}) are deregistered by the Auto Scaling step`,
          );
      }
    }
    return out;
  },
  async preflight() {
    // Elastic Load Balancing has no DryRun.
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map(async (c) => {
        const id = c.resource;
        const a = c.after as ElbAction;
        let mine: LbSet = { targets: a.targets ?? [], classic: a.classic ?? [] };
        if (a.discover) {
          const needGroup = a.viaAsg && a.viaAsg.targetGroupArns === undefined;
          const [found, group] = await Promise.all([
            discoverOne(ctx.gateway, id),
            needGroup
              ? ctx.gateway.once(`asg:${a.viaAsg!.group}`, () => describeGroup(ctx.gateway, a.viaAsg!.group))
              : Promise.resolve(undefined),
          ]);
          const via =
            a.viaAsg &&
            (group
              ? { ...a.viaAsg, targetGroupArns: group.targetGroupArns, loadBalancerNames: group.loadBalancerNames }
              : a.viaAsg);
          mine = own(found, via);
        }
        if (mine.targets.length === 0 && mine.classic.length === 0) return;
        await journalOriginal(ctx, id, 'lb-registrations', mine);
        await Promise.all([
          writeRecordTag(ctx, id, PB_TAG.lb, encodeLbSet(mine)),
          ...mine.targets.map((t) => deregisterTarget(ctx.gateway, t.targetGroupArn, id, t.port)),
          ...mine.classic.map((n) => deregisterClassic(ctx.gateway, n, id)),
        ]);
      }),
    );
  },
  restoreOrder: 110,
  planRestore(input) {
    const inst = input.instance;
    const tagged = decodeLbSet(recordTag(inst, PB_TAG.lb));
    const picked = input.pick(
      inst.instanceId,
      'lb-registrations',
      tagged,
      input.journalOriginal(inst.instanceId, 'lb-registrations') as LbSet | undefined,
    );
    const rec = picked?.value;
    if (!rec || (rec.targets.length === 0 && rec.classic.length === 0)) return [];
    const regs = extra<ElbFacts>(inst, EXTRA.elb);
    const live = new Set(
      (regs?.targets ?? []).filter((t) => t.state !== 'draining').map((t) => `${t.targetGroupArn}@${t.port}`),
    );
    const inClassic = new Set(regs?.classic ?? []);
    const missing: LbSet = {
      targets: rec.targets.filter((t) => !live.has(`${t.targetGroupArn}@${t.port}`)),
      classic: rec.classic.filter((n) => !inClassic.has(n)),
    };
    const items: RestoreItem[] = [];
    if (missing.targets.length || missing.classic.length || tagged) {
      items.push(
        restoreItem(
          ID,
          input,
          'lb-registrations',
          regs,
          { ...missing, tagKeys: recordKeys(inst, PB_TAG.lb) },
          picked!.source,
          missing.targets.length || missing.classic.length
            ? `${inst.instanceId}: register with ${names(missing).join(', ')} again`
            : `${inst.instanceId}: load balancer registrations already back`,
        ),
      );
    }
    return items;
  },
  async applyRestore(ctx, items) {
    await Promise.all(
      items.map(async (i) => {
        const s = i.original as LbSet & { tagKeys: string[] };
        await Promise.all([
          ...s.targets.map((t) => registerTarget(ctx.gateway, t.targetGroupArn, i.resource, t.port)),
          ...s.classic.map((n) => registerClassic(ctx.gateway, n, i.resource)),
        ]);
        await ctx.gateway.deleteTags([i.resource], s.tagKeys);
      }),
    );
  },
};
