// Scaling processes and activities: SuspendProcesses, ResumeProcesses, DescribeScalingActivities.

import type { Handler } from '../framework.js';
import type { FormObject } from '../../protocol/form.js';
import { AwsError } from '../../errors.js';
import { needStr, optInt, optStr, pageOf, strings } from '../queryParams.js';
import { converge, settle } from './capacity.js';
import { PROCESSES, groupByName, timestamp } from './state.js';
import { activityView } from './views.js';

/** The named processes (validated), or every process when none is given. */
function readProcesses(p: FormObject): string[] {
  const names = strings(p, 'ScalingProcesses');
  for (const n of names) {
    if (!PROCESSES.includes(n)) {
      throw new AwsError(
        'ValidationError',
        `Process name ${n} is not valid. Valid process names are: ${PROCESSES.join(', ')}.`,
        400,
      );
    }
  }
  return names.length ? [...new Set(names)] : [...PROCESSES];
}

const suspendProcesses: Handler = (ctx, p) => {
  settle(ctx);
  const g = groupByName(ctx.region, needStr(p, 'AutoScalingGroupName', 255));
  const names = readProcesses(p);
  ctx.dryRunGate();
  for (const n of names) {
    if (!g.suspendedProcesses.some((s) => s.processName === n)) {
      g.suspendedProcesses.push({ processName: n, suspensionReason: `User suspended at ${timestamp(ctx)}` });
    }
  }
  return undefined;
};

const resumeProcesses: Handler = (ctx, p) => {
  settle(ctx);
  const g = groupByName(ctx.region, needStr(p, 'AutoScalingGroupName', 255));
  const names = readProcesses(p);
  ctx.dryRunGate();
  g.suspendedProcesses = g.suspendedProcesses.filter((s) => !names.includes(s.processName));
  converge(ctx, g);
  return undefined;
};

const describeScalingActivities: Handler = (ctx, p) => {
  settle(ctx);
  const name = optStr(p, 'AutoScalingGroupName', 255);
  const ids = strings(p, 'ActivityIds', 50);
  const max = optInt(p, 'MaxRecords', 1, 100) ?? 100;
  const all = ctx.region.autoscaling.activities;
  // Newest first, as AWS lists them; a name that matches no group gives an empty list.
  const items = all
    .map((a, i) => ({ a, i }))
    .filter(
      ({ a }) =>
        (name === undefined || a.autoScalingGroupName === name) && (ids.length === 0 || ids.includes(a.activityId)),
    )
    .sort((x, y) => y.a.startTime.localeCompare(x.a.startTime) || y.i - x.i)
    .map(({ a }) => a);
  const { page, next } = pageOf(
    items,
    max,
    optStr(p, 'NextToken'),
    `act:${name ?? ''}`,
    () => new AwsError('InvalidNextToken', 'The token is invalid.', 400),
  );
  return {
    Activities: page.map((a) =>
      activityView(a, ctx.region.autoscaling.groups.get(a.autoScalingGroupName)?.autoScalingGroupARN),
    ),
    NextToken: next,
  };
};

export const processActions: Record<string, Handler> = {
  SuspendProcesses: suspendProcesses,
  ResumeProcesses: resumeProcesses,
  DescribeScalingActivities: describeScalingActivities,
};
