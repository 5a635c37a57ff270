// Step: take the instance out of its Auto Scaling group before — or together with — the network isolation, so the
// group's health checks cannot mark the isolated instance unhealthy and terminate it (evidence lost). No dependency:
// it runs in the same round trip as the first security-group swap.
//   - default: DetachInstances keeping capacity (ShouldDecrementDesiredCapacity=false: a replacement launches);
//   - --asg-decrement: lower the desired capacity instead; at the minimum size, MinSize is lowered first (recorded);
//   - --asg-standby: EnterStandby (stays in the group, not health-checked, out of the load balancers);
//   - an instance in a state that cannot be detached (Pending…) gets HealthCheck/ReplaceUnhealthy/AZRebalance
//     suspended on its group instead — only those not already suspended, recorded for restore.
// DetachInstances / EnterStandby also deregister the instance from the group's target groups and classic load
// balancers: elb-deregister leaves those to this step. Restore re-attaches / exits standby and puts sizes back.

import { setTimeout as sleep } from 'node:timers/promises';
import { CordonError, EXIT } from '../core/errors.js';
import { PB_TAG, encodeRecord, decodeRecord } from '../core/playbook.js';
import { EXTRA, extra, type AsgFacts, type AsgGroupFacts } from '../core/playbook-facts.js';
import { awsErrorCode } from '../aws/clients.js';
import {
  attachInstance,
  describeGroup,
  detachInstance,
  enterStandby,
  exitStandby,
  resumeProcesses,
  setProtection,
  suspendProcesses,
  updateGroupSizes,
} from '../aws/autoscaling.js';
import type { Change } from '../core/plan.js';
import type { RestoreItem, StepContext, StepDef } from './types.js';
import {
  instanceChange,
  journalOriginal,
  playbookOf,
  recordKeys,
  recordTag,
  restoreItem,
  writeRecordTag,
  yieldToCritical,
} from './playbook-common.js';

const ID = 'asg-detach';
const SAFE_PROCESSES = ['HealthCheck', 'ReplaceUnhealthy', 'AZRebalance'];

export interface AsgAction {
  action: 'detach' | 'standby' | 'suspend';
  group: string;
  decrement: boolean;
  /** Lower MinSize to this first (the group is at its minimum and --asg-decrement asks to shrink it). */
  lowerMinTo?: number;
  originalMin?: number;
  suspend?: string[];
  /** The group's suspended processes were read with the facts (otherwise apply reads them before suspending). */
  groupKnown?: boolean;
  /** What the detach also deregisters the instance from (the group's load balancers). */
  targetGroupArns?: string[];
  loadBalancerNames?: string[];
}

/** The record restore reads (tag cordon:original-asg, and the journal). */
export interface AsgRecord {
  group: string;
  mode: 'detach' | 'standby' | 'suspend';
  dec: string;
  state: string;
  prot: string;
  min?: string;
  suspended?: string;
}

function plannedAction(
  f: AsgFacts,
  mode: 'detach' | 'standby',
  decrement: boolean,
  leaving = 1,
): AsgAction | undefined {
  const m = f.member;
  if (!m) return undefined;
  const g: AsgGroupFacts | undefined = f.group;
  const state = m.lifecycleState;
  const lb = { targetGroupArns: g?.targetGroupArns, loadBalancerNames: g?.loadBalancerNames };
  // Already out of service (Standby is not health-checked), or already leaving: nothing to do.
  if (state === 'Standby' || state === 'EnteringStandby' || state.startsWith('Detach') || state.startsWith('Terminat'))
    return undefined;
  if (state !== 'InService') {
    const suspend = SAFE_PROCESSES.filter((p) => !g?.suspendedProcesses.includes(p));
    return suspend.length
      ? { action: 'suspend', group: m.groupName, decrement: false, suspend, groupKnown: !!g }
      : undefined;
  }
  const a: AsgAction = { action: mode, group: m.groupName, decrement, ...lb };
  if (decrement && g && g.desiredCapacity - leaving < g.minSize) {
    a.lowerMinTo = Math.max(0, g.desiredCapacity - leaving);
    a.originalMin = g.minSize;
  }
  return a;
}

function describeAction(a: AsgAction, id: string): string {
  const lbs = [...(a.targetGroupArns ?? []).map((t) => t.split('/')[1] ?? t), ...(a.loadBalancerNames ?? [])];
  const via = lbs.length ? `; this also deregisters it from ${lbs.join(', ')}` : '';
  if (a.action === 'suspend') {
    const which = a.groupKnown ? a.suspend!.join(', ') : `whichever of ${a.suspend!.join(', ')} are not suspended yet`;
    return `${id}: cannot leave ${a.group} in its current state: suspend ${which} on the group so it is not replaced`;
  }
  const min =
    a.lowerMinTo !== undefined
      ? `lower ${a.group}'s MinSize ${a.originalMin} → ${a.lowerMinTo} (it is at its minimum), then `
      : '';
  const verb = a.action === 'detach' ? `detach from ${a.group}` : `move to Standby in ${a.group}`;
  const cap = a.decrement ? 'desired capacity lowered by 1' : 'keeping capacity: a replacement launches';
  return `${id}: ${min}${verb} (${cap})${via}`;
}

function recordOf(a: AsgAction, f: AsgFacts): AsgRecord {
  return {
    group: a.group,
    mode: a.action,
    dec: a.decrement ? '1' : '0',
    state: f.member?.lifecycleState ?? '',
    prot: f.member?.protectedFromScaleIn ? '1' : '0',
    min: a.originalMin !== undefined ? String(a.originalMin) : undefined,
    suspended: a.suspend?.join('+'),
  };
}

export const asgDetach: StepDef = {
  id: ID,
  title: 'Take the instance out of its Auto Scaling group',
  layer: 'audit',
  critical: false,
  permissions: [
    'autoscaling:DescribeAutoScalingInstances',
    'autoscaling:DescribeAutoScalingGroups',
    'autoscaling:DetachInstances',
    'autoscaling:EnterStandby',
    'autoscaling:AttachInstances',
    'autoscaling:ExitStandby',
    'autoscaling:UpdateAutoScalingGroup',
    'autoscaling:SuspendProcesses',
    'autoscaling:ResumeProcesses',
    'autoscaling:SetInstanceProtection',
    'ec2:CreateTags',
    'ec2:DeleteTags',
  ],
  dependsOn: [],
  enabled: (o) => playbookOf(o).asg !== 'skip',
  plan(input) {
    const pb = playbookOf(input);
    if (pb.asg === 'skip') return [];
    const changes: Change[] = [];
    // Instances of the same group leaving with --asg-decrement lower its desired capacity together: MinSize must
    // make room for all of them at once.
    const leaving = new Map<string, number>();
    for (const inst of input.instances) {
      const m = extra<AsgFacts>(inst, EXTRA.asg)?.member;
      if (m?.lifecycleState === 'InService') leaving.set(m.groupName, (leaving.get(m.groupName) ?? 0) + 1);
    }
    for (const inst of input.instances) {
      const f = extra<AsgFacts>(inst, EXTRA.asg);
      if (!f || f.error) continue;
      const a = plannedAction(f, pb.asg, pb.asgDecrement, leaving.get(f.member?.groupName ?? '') ?? 1);
      if (!a) continue;
      const before = {
        group: a.group,
        lifecycleState: f.member!.lifecycleState,
        protectedFromScaleIn: f.member!.protectedFromScaleIn,
        minSize: f.group?.minSize,
        maxSize: f.group?.maxSize,
        desiredCapacity: f.group?.desiredCapacity,
      };
      changes.push(
        instanceChange(
          ID,
          inst,
          'asg-membership',
          before,
          { ...a, record: recordOf(a, f) },
          describeAction(a, inst.instanceId),
        ),
      );
    }
    return changes;
  },
  notes(input) {
    const pb = playbookOf(input);
    const out: string[] = [];
    for (const inst of input.instances) {
      const f = extra<AsgFacts>(inst, EXTRA.asg);
      if (pb.asg === 'skip') {
        if (f?.member)
          out.push(
            `${inst.instanceId} stays in Auto Scaling group ${f.member.groupName} (--no-asg): its health checks may replace (terminate) the isolated instance`,
          );
        continue;
      }
      if (f?.error)
        out.push(
          `${inst.instanceId}: ${f.error} — if it is in an Auto Scaling group, the group may replace (terminate) it once isolated`,
        );
      else if (f?.member?.lifecycleState === 'Standby')
        out.push(`${inst.instanceId} is already in Standby in ${f.member.groupName}: not health-checked, left as is`);
    }
    return out;
  },
  async preflight() {
    // Auto Scaling has no DryRun: a missing permission shows when the step runs (and `cordon iam-policy` lists it).
  },
  async apply(ctx, changes) {
    await yieldToCritical();
    await Promise.all(
      changes.map(async (c) => {
        const id = c.resource;
        let { record, ...a } = c.after as AsgAction & { record: AsgRecord };
        if (a.action === 'suspend' && !a.groupKnown) {
          // Suspend (and later resume) only what is not suspended already: someone else's suspensions stay theirs.
          const g = await describeGroup(ctx.gateway, a.group);
          const suspend = (a.suspend ?? []).filter((p) => !g?.suspendedProcesses.includes(p));
          if (suspend.length === 0) return;
          a = { ...a, suspend };
          record = { ...record, suspended: suspend.join('+') };
        }
        if (a.decrement && a.action !== 'suspend' && (c.before as { minSize?: number }).minSize === undefined) {
          // The group's sizes were not read with the facts (a plan made without them): read them now.
          const g = await describeGroup(ctx.gateway, a.group);
          if (g && g.desiredCapacity - 1 < g.minSize) {
            a = { ...a, lowerMinTo: Math.max(0, g.desiredCapacity - 1), originalMin: g.minSize };
            record = { ...record, min: String(g.minSize) };
          }
        }
        await journalOriginal(ctx, id, 'asg-record', record);
        const act = async (): Promise<void> => {
          if (a.action === 'suspend') return suspendProcesses(ctx.gateway, a.group, a.suspend!);
          if (a.lowerMinTo !== undefined) await updateGroupSizes(ctx.gateway, a.group, { minSize: a.lowerMinTo });
          try {
            if (a.action === 'detach') await detachInstance(ctx.gateway, a.group, id, a.decrement);
            else await enterStandby(ctx.gateway, a.group, id, a.decrement);
          } catch (e) {
            // Raced by someone else (already detached / in standby): the goal is reached.
            if (awsErrorCode(e) !== 'ValidationError' || !(await alreadyOut(ctx.gateway, a.group, id))) throw e;
          }
        };
        // The record tag and the change go out together: the local journal (fsynced above) holds the record first.
        await Promise.all([writeRecordTag(ctx, id, PB_TAG.asg, encodeRecord({ ...record })), act()]);
      }),
    );
  },
  restoreOrder: 120,
  planRestore(input) {
    const inst = input.instance;
    const picked = input.pick(
      inst.instanceId,
      'asg-record',
      decodeRecord(recordTag(inst, PB_TAG.asg)) as AsgRecord | undefined,
      input.journalOriginal(inst.instanceId, 'asg-record') as AsgRecord | undefined,
    );
    const rec = picked?.value;
    if (!rec?.group) return [];
    const source = picked!.source;
    const f = extra<AsgFacts>(inst, EXTRA.asg);
    if (f?.error)
      throw new CordonError(
        'asg-unreadable',
        `${inst.instanceId}: ${f.error}`,
        EXIT.refused,
        'grant autoscaling:Describe* and rerun restore',
      );
    const m = f?.member;
    const g = f?.group;
    const current = {
      member: m,
      minSize: g?.minSize,
      maxSize: g?.maxSize,
      desiredCapacity: g?.desiredCapacity,
      suspended: g?.suspendedProcesses,
    };
    const items: RestoreItem[] = [];
    const busy = m && (m.lifecycleState === 'Detaching' || m.lifecycleState === 'EnteringStandby');
    if (busy) {
      throw new CordonError(
        'asg-busy',
        `${inst.instanceId} is still ${m.lifecycleState} in ${m.groupName}: the load balancer is draining its connections`,
        EXIT.refused,
        "restore again once draining ends (the target group's deregistration delay, 300 s by default); nothing was changed",
      );
    }
    if (m && m.groupName !== rec.group) {
      items.push(
        restoreItem(
          ID,
          input,
          'asg-membership',
          current,
          rec,
          source,
          `${inst.instanceId}: back into ${rec.group}`,
          `it is now in another group, ${m.groupName}`,
        ),
      );
      return items;
    }
    if (!g)
      throw new CordonError(
        'asg-unreadable',
        `${inst.instanceId}: Auto Scaling group ${rec.group} not found`,
        EXIT.refused,
        'the group was deleted or renamed: re-attach the instance by hand',
      );
    const needsMove = (rec.mode === 'detach' && !m) || (rec.mode === 'standby' && m?.lifecycleState === 'Standby');
    const needsMin = rec.min !== undefined && g.minSize !== Number(rec.min);
    const toResume =
      rec.mode === 'suspend'
        ? (rec.suspended ?? '').split('+').filter((p) => p && g.suspendedProcesses.includes(p))
        : [];
    if (!needsMove && !needsMin && toResume.length === 0) return [];
    const parts = [
      needsMove ? (rec.mode === 'detach' ? `re-attach to ${rec.group}` : `exit Standby in ${rec.group}`) : '',
      needsMove && rec.dec !== '1'
        ? `desired capacity back to ${g.desiredCapacity} (this instance protected meanwhile: the scale-in takes another one, normally its replacement)`
        : '',
      needsMin ? `MinSize ${g.minSize} → ${rec.min}` : '',
      toResume.length ? `resume ${toResume.join(', ')}` : '',
    ].filter(Boolean);
    items.push(
      restoreItem(
        ID,
        input,
        'asg-membership',
        current,
        { ...rec, move: needsMove, resume: toResume, tagKeys: recordKeys(inst, PB_TAG.asg) },
        source,
        `${inst.instanceId}: ${parts.join('; ')}`,
      ),
    );
    return items;
  },
  // One call with every instance's items: a group's instances are restored one after another (each re-attach
  // reads and sets the group's sizes), groups in parallel, and a group's MinSize goes back after its last instance.
  restoreTogether: true,
  async applyRestore(ctx, all) {
    const byGroup = new Map<string, RestoreItem[]>();
    for (const i of all) {
      const g = (i.original as AsgRecord).group;
      byGroup.set(g, [...(byGroup.get(g) ?? []), i]);
    }
    await Promise.all([...byGroup.values()].map((items) => restoreGroup(ctx, items)));
  },
};

async function restoreGroup(ctx: StepContext, items: RestoreItem[]): Promise<void> {
  const gw = ctx.gateway;
  let restoreMin: { group: string; min: number } | undefined;
  // Every re-attached instance stays protected from scale-in until the group's last one is back: otherwise the
  // scale-in after the next re-attach could take an instance restored a moment ago instead of a replacement.
  const unprotect: { group: string; id: string; prot: boolean }[] = [];
  for (const i of items) {
    const rec = i.original as AsgRecord & { move: boolean; resume: string[]; tagKeys: string[] };
    const cur = i.current as {
      member?: AsgFacts['member'];
      minSize?: number;
      maxSize?: number;
      desiredCapacity?: number;
    };
    if (rec.move) {
      const desired = cur.desiredCapacity ?? 0;
      const max = cur.maxSize ?? 0;
      const keep = rec.dec !== '1';
      // Attach adds one to the desired capacity: make room under MaxSize for the moment if needed.
      const raiseMax = desired + 1 > max;
      if (raiseMax) await updateGroupSizes(gw, rec.group, { maxSize: desired + 1 });
      if (rec.mode === 'detach') await attachInstance(gw, rec.group, i.resource);
      else await exitStandby(gw, rec.group, i.resource);
      if (keep) {
        // Back to the capacity it has now: protect this instance so the scale-in takes the replacement instead.
        await setProtection(gw, rec.group, i.resource, true);
        await updateGroupSizes(gw, rec.group, { desiredCapacity: desired, maxSize: raiseMax ? max : undefined });
        await settled(gw, rec.group, desired);
      } else if (raiseMax) {
        await updateGroupSizes(gw, rec.group, { maxSize: max });
      }
      unprotect.push({ group: rec.group, id: i.resource, prot: rec.prot === '1' });
    }
    if (rec.min !== undefined) restoreMin = { group: rec.group, min: Number(rec.min) };
    if (rec.resume.length) await resumeProcesses(gw, rec.group, rec.resume);
    await gw.deleteTags([i.resource], rec.tagKeys);
  }
  for (const u of unprotect) await setProtection(gw, u.group, u.id, u.prot);
  if (restoreMin) await updateGroupSizes(gw, restoreMin.group, { minSize: restoreMin.min });
}

/** After a ValidationError on detach / standby: is the instance already out of service in that group? */
async function alreadyOut(gw: Parameters<typeof describeGroup>[0], group: string, id: string): Promise<boolean> {
  const g = await describeGroup(gw, group).catch(() => undefined);
  const m = g?.instances.find((x) => x.instanceId === id);
  return !!g && (!m || m.lifecycleState !== 'InService');
}

/** Bounded wait until the group's scale-in has happened (AWS starts it shortly after the capacity change). */
async function settled(gw: Parameters<typeof describeGroup>[0], group: string, desired: number): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const g = await describeGroup(gw, group);
    const active = (g?.instances ?? []).filter(
      (x) => x.lifecycleState === 'InService' || x.lifecycleState.startsWith('Pending'),
    ).length;
    if (active <= desired) return;
    await sleep(2000);
  }
}
