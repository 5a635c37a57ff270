// The simulated SNS (awsQuery protocol). Importing it registers its control routes (/_sim/sns/messages).

import './control.js';
import { AwsError } from '../../errors.js';
import type { Handler, ServiceDef } from '../framework.js';
import { publishActions } from './publish.js';
import { subscriptionActions } from './subscriptions.js';
import { topicActions } from './topics.js';

const actions: Record<string, Handler> = { ...topicActions, ...publishActions, ...subscriptionActions };

export const snsService: ServiceDef = {
  signingName: 'sns',
  apiVersion: '2010-03-31',
  protocol: 'query',
  xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  iamPrefix: 'sns',
  denied: (principal, iamAction, params) => {
    const action = iamAction.replace(/^sns:/, 'SNS:');
    const resource = typeof params.TopicArn === 'string' ? ` on resource: ${params.TopicArn}` : '';
    return new AwsError(
      'AuthorizationError',
      `User: ${principal.arn} is not authorized to perform: ${action}${resource} because no identity-based policy allows the ${action} action`,
      403,
    );
  },
  actions,
};
