// The simulated Auto Scaling service (awsQuery protocol).

import type { Handler, ServiceDef } from '../framework.js';

const actions: Record<string, Handler> = {};

export const autoscalingService: ServiceDef = {
  signingName: 'autoscaling',
  apiVersion: '2011-01-01',
  protocol: 'query',
  xmlns: 'http://autoscaling.amazonaws.com/doc/2011-01-01/',
  iamPrefix: 'autoscaling',
  actions,
};
