// The simulated STS service (awsQuery protocol).

import type { Handler, ServiceDef } from '../framework.js';
import { stsActions } from './assumeRole.js';

const actions: Record<string, Handler> = { ...stsActions };

export const stsService: ServiceDef = {
  signingName: 'sts',
  apiVersion: '2011-06-15',
  protocol: 'query',
  xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
  iamPrefix: 'sts',
  actions,
};
