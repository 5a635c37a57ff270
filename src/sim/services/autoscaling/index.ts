// The simulated Auto Scaling service (awsQuery protocol). Groups converge lazily on the simulated clock: every
// handler first settles draining transitions, health checks and desired capacity (see capacity.ts).

import type { Handler, ServiceDef } from '../framework.js';
import { groupActions } from './groups.js';
import { membershipActions } from './membership.js';
import { processActions } from './processes.js';

const actions: Record<string, Handler> = { ...groupActions, ...membershipActions, ...processActions };

export const autoscalingService: ServiceDef = {
  signingName: 'autoscaling',
  apiVersion: '2011-01-01',
  protocol: 'query',
  xmlns: 'http://autoscaling.amazonaws.com/doc/2011-01-01/',
  iamPrefix: 'autoscaling',
  actions,
};
