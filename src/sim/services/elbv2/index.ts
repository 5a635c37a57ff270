// The simulated Elastic Load Balancing v2 service (awsQuery protocol): target groups, targets and their health.

import type { Handler, ServiceDef } from '../framework.js';
import { targetGroupActions } from './targetGroups.js';
import { healthActions } from './health.js';

const actions: Record<string, Handler> = { ...targetGroupActions, ...healthActions };

export const elbv2Service: ServiceDef = {
  signingName: 'elasticloadbalancing',
  apiVersion: '2015-12-01',
  protocol: 'query',
  xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
  iamPrefix: 'elasticloadbalancing',
  actions,
};
