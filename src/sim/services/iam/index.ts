// The simulated IAM service (awsQuery protocol).

import type { Handler, ServiceDef } from '../framework.js';

const actions: Record<string, Handler> = {};

export const iamService: ServiceDef = {
  signingName: 'iam',
  apiVersion: '2010-05-08',
  protocol: 'query',
  xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/',
  iamPrefix: 'iam',
  global: true,
  actions,
};
