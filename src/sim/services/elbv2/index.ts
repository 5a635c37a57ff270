// The simulated Elastic Load Balancing v2 service (awsQuery protocol).

import type { Handler, ServiceDef } from '../framework.js';

const actions: Record<string, Handler> = {};

export const elbv2Service: ServiceDef = {
  signingName: 'elasticloadbalancing',
  apiVersion: '2015-12-01',
  protocol: 'query',
  xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
  iamPrefix: 'elasticloadbalancing',
  actions,
};
