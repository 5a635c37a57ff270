// ELBv2 target registration and health: RegisterTargets, DeregisterTargets, DescribeTargetHealth.
// Deregistration drains for the group's deregistration delay of simulated time (see targets.ts).

import type { CallContext, Handler } from '../framework.js';
import type { FormObject } from '../../protocol/form.js';
import type { XmlData } from '../../protocol/xml.js';
import { AwsError } from '../../errors.js';
import type { TargetGroup } from '../../state/types.js';
import { needStr, optInt, structs, validation } from '../queryParams.js';
import {
  NOT_REGISTERED,
  deregisterTarget,
  healthOf,
  registerTarget,
  settleTargets,
  targetGroupByArn,
} from './targets.js';

interface TargetSpec {
  id: string;
  port?: number;
}

function readTargets(p: FormObject, required: boolean): TargetSpec[] {
  const raw = structs(p, 'Targets');
  if (required && raw.length === 0) throw validation('Targets', null, 'Member must not be null');
  return raw.map((t) => {
    const id = typeof t.Id === 'string' ? t.Id : '';
    if (!id) throw validation('Targets.member.Id', null, 'Member must not be null');
    return { id, port: optInt(t, 'Port', 1, 65535) };
  });
}

function quoteList(ids: string[]): string {
  return ids.map((i) => `'${i}'`).join(', ');
}

/** Instance targets must exist, be in the group's VPC and be running (AWS refuses stopped instances). */
function checkInstanceTargets(ctx: CallContext, tg: TargetGroup, targets: TargetSpec[]): void {
  if (tg.targetType !== 'instance') return;
  const ids = [...new Set(targets.map((t) => t.id))];
  const invalid = ids.filter((id) => !/^i-[0-9a-f]{8,17}$/.test(id) || !ctx.region.ec2.instances.has(id));
  if (invalid.length)
    throw new AwsError('InvalidTarget', `The following targets are not valid instances: ${quoteList(invalid)}`, 400);
  const insts = ids.map((id) => ctx.region.ec2.instances.get(id)!);
  const otherVpc = insts.filter((i) => i.vpcId !== tg.vpcId).map((i) => i.instanceId);
  if (otherVpc.length)
    throw new AwsError(
      'InvalidTarget',
      `The following targets are not in the target group VPC '${tg.vpcId}': ${quoteList(otherVpc)}`,
      400,
    );
  const notRunning = insts.filter((i) => i.state !== 'running' && i.state !== 'pending').map((i) => i.instanceId);
  if (notRunning.length)
    throw new AwsError(
      'InvalidTarget',
      `The following targets are not in a running state and cannot be registered: ${quoteList(notRunning)}`,
      400,
    );
}

const registerTargets: Handler = (ctx, p) => {
  const tg = targetGroupByArn(ctx.region, needStr(p, 'TargetGroupArn'));
  const targets = readTargets(p, true);
  checkInstanceTargets(ctx, tg, targets);
  if (tg.targets.length + targets.length > 1000)
    throw new AwsError('TooManyTargets', 'You have reached the limit on the number of targets', 400);
  ctx.dryRunGate();
  settleTargets(ctx.region, tg, ctx.world.clock.now());
  for (const t of targets) registerTarget(tg, t.id, t.port);
  return {};
};

const deregisterTargets: Handler = (ctx, p) => {
  const tg = targetGroupByArn(ctx.region, needStr(p, 'TargetGroupArn'));
  const targets = readTargets(p, true);
  ctx.dryRunGate();
  const now = ctx.world.clock.now();
  settleTargets(ctx.region, tg, now);
  // "If the specified target does not exist, the action returns successfully."
  for (const t of targets) deregisterTarget(tg, t.id, t.port, now);
  return {};
};

function describeOne(tg: TargetGroup, id: string, port: number, health: XmlData): XmlData {
  return {
    Target: { Id: id, Port: tg.targetType === 'lambda' ? undefined : port },
    HealthCheckPort: tg.targetType === 'lambda' ? undefined : String(port),
    TargetHealth: health,
  };
}

const describeTargetHealth: Handler = (ctx, p) => {
  const tg = targetGroupByArn(ctx.region, needStr(p, 'TargetGroupArn'));
  const asked = readTargets(p, false);
  if (tg.targetType === 'instance') {
    const unknown = asked.map((t) => t.id).filter((id) => !ctx.region.ec2.instances.has(id));
    if (unknown.length)
      throw new AwsError(
        'InvalidTarget',
        `The following targets are not valid instances: ${quoteList([...new Set(unknown)])}`,
        400,
      );
  }
  settleTargets(ctx.region, tg, ctx.world.clock.now());
  const out: XmlData[] = [];
  if (asked.length === 0) {
    for (const t of tg.targets) out.push(describeOne(tg, t.id, t.port, healthOf(ctx.region, tg, t)));
  } else {
    for (const a of asked) {
      const matches = tg.targets.filter((t) => t.id === a.id && (a.port === undefined || t.port === a.port));
      if (matches.length === 0) out.push(describeOne(tg, a.id, a.port ?? tg.port, NOT_REGISTERED));
      for (const t of matches) out.push(describeOne(tg, t.id, t.port, healthOf(ctx.region, tg, t)));
    }
  }
  return { TargetHealthDescriptions: out };
};

export const healthActions: Record<string, Handler> = {
  RegisterTargets: registerTargets,
  DeregisterTargets: deregisterTargets,
  DescribeTargetHealth: describeTargetHealth,
};
