// The simulated classic Elastic Load Balancing service (awsQuery protocol, API 2012-06-01). It shares the signing
// name `elasticloadbalancing` with ELBv2; the dispatcher picks the service by the Version parameter.

import type { Handler, ServiceDef } from '../framework.js';
import { loadBalancerActions } from './loadBalancers.js';

const actions: Record<string, Handler> = { ...loadBalancerActions };

export const elbService: ServiceDef = {
  signingName: 'elasticloadbalancing',
  apiVersion: '2012-06-01',
  protocol: 'query',
  xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/',
  iamPrefix: 'elasticloadbalancing',
  actions,
};
