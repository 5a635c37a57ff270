// The simulated classic Elastic Load Balancing service (awsQuery protocol).

import type { Handler, ServiceDef } from '../framework.js';

const actions: Record<string, Handler> = {};

export const elbService: ServiceDef = {
  signingName: 'elasticloadbalancing',
  apiVersion: '2012-06-01',
  protocol: 'query',
  xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/',
  iamPrefix: 'elasticloadbalancing',
  actions,
};
