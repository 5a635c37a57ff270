// The simulated IAM service (awsQuery protocol). IAM is global: its state lives on the account, whatever region
// the request was signed for.

import type { Handler, ServiceDef } from '../framework.js';
import { roleActions } from './roles.js';
import { instanceProfileActions } from './instanceProfiles.js';
import { rolePolicyActions } from './rolePolicies.js';

const actions: Record<string, Handler> = { ...roleActions, ...instanceProfileActions, ...rolePolicyActions };

export const iamService: ServiceDef = {
  signingName: 'iam',
  apiVersion: '2010-05-08',
  protocol: 'query',
  xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/',
  iamPrefix: 'iam',
  global: true,
  actions,
};
