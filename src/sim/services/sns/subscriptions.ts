// SNS subscriptions, minimal: Subscribe, Unsubscribe, ListSubscriptionsByTopic, ListSubscriptions. They are
// recorded, listed and counted by GetTopicAttributes, never delivered to: the simulator has no SQS, Lambda or mail,
// so published messages are read through the control API (GET /_sim/sns/messages). Subscriptions to email, email-json,
// http and https endpoints stay "pending confirmation"; the others (sqs, lambda, firehose, application, sms) are
// confirmed at once, as SNS does for endpoints of the same account.

import type { Handler } from '../framework.js';
import { AwsError } from '../../errors.js';
import type { SnsSubscription } from '../../state/sns.js';
import { needStr, optBool, optStr, pageOf, structs } from '../queryParams.js';
import { invalidParameter, topicFor } from './topics.js';

const PENDING = new Set(['email', 'email-json', 'http', 'https']);
const PROTOCOLS = new Set([...PENDING, 'sqs', 'lambda', 'firehose', 'application', 'sms']);

/** Attributes Subscribe accepts. */
const SETTABLE = new Set([
  'DeliveryPolicy',
  'FilterPolicy',
  'FilterPolicyScope',
  'RawMessageDelivery',
  'RedrivePolicy',
  'SubscriptionRoleArn',
  'ReplayPolicy',
]);

function checkEndpoint(protocol: string, endpoint: string | undefined): string {
  const bad = (): AwsError => invalidParameter('Endpoint');
  if (endpoint === undefined || endpoint === '') throw bad();
  switch (protocol) {
    case 'email':
    case 'email-json':
      if (!/^[^@\s]+@[^@\s]+$/.test(endpoint)) throw bad();
      break;
    case 'http':
    case 'https':
      if (!endpoint.startsWith(`${protocol}://`)) throw bad();
      break;
    case 'sqs':
    case 'lambda':
    case 'firehose':
    case 'application':
      if (!endpoint.startsWith('arn:')) throw bad();
      break;
  }
  return endpoint;
}

const subscribe: Handler = (ctx, p) => {
  const topic = topicFor(ctx, needStr(p, 'TopicArn'), 'Subscribe');
  const protocol = needStr(p, 'Protocol').toLowerCase();
  if (!PROTOCOLS.has(protocol)) throw invalidParameter('Amazon SNS does not support this protocol string: ' + protocol);
  const endpoint = checkEndpoint(protocol, optStr(p, 'Endpoint'));
  const attributes: Record<string, string> = {};
  for (const e of structs(p, 'Attributes')) {
    const key = typeof e.key === 'string' ? e.key : '';
    if (!SETTABLE.has(key)) throw invalidParameter(`Attributes Reason: Unknown attribute ${key}`);
    attributes[key] = typeof e.value === 'string' ? e.value : '';
  }
  const subs = ctx.region.sns.subscriptions;
  // Subscribing the same endpoint again returns the existing subscription.
  let sub = [...subs.values()].find(
    (s) => s.topicArn === topic.arn && s.protocol === protocol && s.endpoint === endpoint,
  );
  if (!sub) {
    sub = {
      arn: `${topic.arn}:${ctx.world.ids.uuid()}`,
      topicArn: topic.arn,
      owner: ctx.accountId,
      protocol,
      endpoint,
      pending: PENDING.has(protocol),
      attributes,
    };
    subs.set(sub.arn, sub);
  }
  const showArn = !sub.pending || optBool(p, 'ReturnSubscriptionArn') === true;
  return { SubscriptionArn: showArn ? sub.arn : 'pending confirmation' };
};

const unsubscribe: Handler = (ctx, p) => {
  const arn = needStr(p, 'SubscriptionArn');
  const topicArn = arn.replace(/:[^:]+$/, '');
  if (!/^arn:aws:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+:[0-9a-f-]{36}$/.test(arn))
    throw invalidParameter('SubscriptionArn Reason: An ARN must have at least 6 elements, not 1');
  const sub = ctx.region.sns.subscriptions.get(arn);
  if (!sub) {
    topicFor(ctx, topicArn, 'Unsubscribe', 'SubscriptionArn'); // other region / account / no topic
    throw new AwsError('NotFound', 'Subscription does not exist', 404);
  }
  ctx.region.sns.subscriptions.delete(arn);
  return undefined;
};

function member(s: SnsSubscription): Record<string, string> {
  return {
    SubscriptionArn: s.pending ? 'PendingConfirmation' : s.arn,
    Owner: s.owner,
    Protocol: s.protocol,
    Endpoint: s.endpoint,
    TopicArn: s.topicArn,
  };
}

const listSubscriptionsByTopic: Handler = (ctx, p) => {
  const topic = topicFor(ctx, needStr(p, 'TopicArn'), 'ListSubscriptionsByTopic');
  const subs = [...ctx.region.sns.subscriptions.values()].filter((s) => s.topicArn === topic.arn);
  const { page, next } = pageOf(subs, 100, optStr(p, 'NextToken'), `sns-subs:${topic.arn}`, () =>
    invalidParameter('NextToken'),
  );
  return { Subscriptions: page.map(member), NextToken: next };
};

const listSubscriptions: Handler = (ctx, p) => {
  const subs = [...ctx.region.sns.subscriptions.values()];
  const { page, next } = pageOf(subs, 100, optStr(p, 'NextToken'), 'sns-subs', () => invalidParameter('NextToken'));
  return { Subscriptions: page.map(member), NextToken: next };
};

export const subscriptionActions: Record<string, Handler> = {
  Subscribe: subscribe,
  Unsubscribe: unsubscribe,
  ListSubscriptionsByTopic: listSubscriptionsByTopic,
  ListSubscriptions: listSubscriptions,
};
