// SNS topics: CreateTopic (idempotent by name), ListTopics, DeleteTopic (idempotent), GetTopicAttributes.

import type { CallContext, Handler } from '../framework.js';
import type { FormObject } from '../../protocol/form.js';
import { XmlList } from '../../protocol/xml.js';
import { AwsError } from '../../errors.js';
import type { SnsTopic } from '../../state/sns.js';
import { needStr, optStr, pageOf, readTags, structs } from '../queryParams.js';

export const invalidParameter = (what: string): AwsError =>
  new AwsError('InvalidParameter', `Invalid parameter: ${what}`, 400);

/** Attributes CreateTopic accepts. */
const SETTABLE = new Set([
  'ArchivePolicy',
  'ContentBasedDeduplication',
  'DataProtectionPolicy',
  'DeliveryPolicy',
  'DisplayName',
  'FifoThroughputScope',
  'FifoTopic',
  'KmsMasterKeyId',
  'Policy',
  'SignatureVersion',
  'TracingConfig',
]);

const ARN_RE = /^arn:aws:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(\.fifo)?)$/;

export function topicArn(region: string, accountId: string, name: string): string {
  return `arn:aws:sns:${region}:${accountId}:${name}`;
}

/** The topic an ARN names, checked the way SNS does: well-formed, this region, this account, existing. */
export function topicFor(ctx: CallContext, arn: string, iamAction: string, param = 'TopicArn'): SnsTopic {
  const m = ARN_RE.exec(arn);
  if (!m || m[1] !== ctx.regionName) throw invalidParameter(param);
  const [, region, accountId] = m;
  const topic = ctx.world.accounts.get(accountId!)?.regions.get(region!)?.sns.topics.get(arn);
  if (accountId !== ctx.accountId)
    throw new AwsError(
      'AuthorizationError',
      `User: ${ctx.principal.arn} is not authorized to perform: SNS:${iamAction} on resource: ${arn} because no resource-based policy allows the SNS:${iamAction} action`,
      403,
    );
  if (!topic) throw new AwsError('NotFound', 'Topic does not exist', 404);
  return topic;
}

function readAttributes(p: FormObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of structs(p, 'Attributes')) {
    const key = typeof e.key === 'string' ? e.key : '';
    const value = typeof e.value === 'string' ? e.value : '';
    if (!SETTABLE.has(key)) throw invalidParameter(`Attributes Reason: Unknown attribute ${key}`);
    out[key] = value;
  }
  return out;
}

function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/** Creates a topic in an account's region (scenario loading uses this too); validates like CreateTopic. */
export function makeTopic(
  accountId: string,
  region: string,
  name: string,
  attributes: Record<string, string>,
  tags: Record<string, string>,
): SnsTopic {
  const fifo = attributes.FifoTopic === 'true';
  if (fifo ? !/^[A-Za-z0-9_-]{1,251}\.fifo$/.test(name) : !/^[A-Za-z0-9_-]{1,256}$/.test(name))
    throw invalidParameter(
      fifo
        ? 'Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.'
        : 'Topic Name',
    );
  if (!fifo && attributes.ContentBasedDeduplication === 'true')
    throw invalidParameter('Attributes Reason: Content based deduplication can only be set for FIFO topics');
  return { arn: topicArn(region, accountId, name), name, accountId, region, fifo, attributes, tags };
}

const createTopic: Handler = (ctx, p) => {
  const name = needStr(p, 'Name');
  const attributes = readAttributes(p);
  const tags = Object.fromEntries(readTags(p).map((t) => [t.key, t.value]));
  const topic = makeTopic(ctx.accountId, ctx.regionName, name, attributes, tags);
  const existing = ctx.region.sns.topics.get(topic.arn);
  if (existing) {
    if (!sameAttributes(existing.attributes, attributes))
      throw invalidParameter('Attributes Reason: Topic already exists with different attributes');
    return { TopicArn: existing.arn };
  }
  ctx.region.sns.topics.set(topic.arn, topic);
  return { TopicArn: topic.arn };
};

const listTopics: Handler = (ctx, p) => {
  const topics = [...ctx.region.sns.topics.values()];
  const { page, next } = pageOf(topics, 100, optStr(p, 'NextToken'), 'sns-topics', () => invalidParameter('NextToken'));
  return { Topics: page.map((t) => ({ TopicArn: t.arn })), NextToken: next };
};

const deleteTopic: Handler = (ctx, p) => {
  const arn = needStr(p, 'TopicArn');
  try {
    topicFor(ctx, arn, 'DeleteTopic');
  } catch (e) {
    if (e instanceof AwsError && e.code === 'NotFound') return undefined; // idempotent
    throw e;
  }
  ctx.region.sns.topics.delete(arn);
  for (const [subArn, s] of ctx.region.sns.subscriptions)
    if (s.topicArn === arn) ctx.region.sns.subscriptions.delete(subArn);
  return undefined;
};

function defaultPolicy(t: SnsTopic): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: t.arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': t.accountId } },
      },
    ],
  });
}

const getTopicAttributes: Handler = (ctx, p) => {
  const t = topicFor(ctx, needStr(p, 'TopicArn'), 'GetTopicAttributes');
  const subs = [...ctx.region.sns.subscriptions.values()].filter((s) => s.topicArn === t.arn);
  const attrs: Record<string, string> = {
    TopicArn: t.arn,
    Owner: t.accountId,
    Policy: defaultPolicy(t),
    DisplayName: '',
    SubscriptionsPending: String(subs.filter((s) => s.pending).length),
    SubscriptionsConfirmed: String(subs.filter((s) => !s.pending).length),
    SubscriptionsDeleted: '0',
    EffectiveDeliveryPolicy: JSON.stringify({
      http: {
        defaultHealthyRetryPolicy: {
          minDelayTarget: 20,
          maxDelayTarget: 20,
          numRetries: 3,
          numMaxDelayRetries: 0,
          numNoDelayRetries: 0,
          numMinDelayRetries: 0,
          backoffFunction: 'linear',
        },
        disableSubscriptionOverrides: false,
        defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
      },
    }),
    ...(t.fifo ? { FifoTopic: 'true', ContentBasedDeduplication: 'false' } : {}),
    ...t.attributes,
  };
  return {
    Attributes: new XmlList(
      'entry',
      Object.entries(attrs).map(([key, value]) => ({ key, value })),
    ),
  };
};

export const topicActions: Record<string, Handler> = {
  CreateTopic: createTopic,
  ListTopics: listTopics,
  DeleteTopic: deleteTopic,
  GetTopicAttributes: getTopicAttributes,
};
