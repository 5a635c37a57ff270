// Publishing a notification to an SNS topic (the Lambda handler's result). The client is made in the topic's own
// region (SNS requires the caller and the topic to be in the same region), with the run's credentials and endpoint.

import { createHash } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { awsErrorCode } from './clients.js';

export interface Notification {
  topicArn: string;
  /** Under 100 characters, no line breaks (SNS's rule for email endpoints); longer subjects are cut. */
  subject: string;
  /** The text email and SMS-less subscribers get. */
  text: string;
  /** The JSON SQS, Lambda and HTTP(S) subscribers get. */
  json: unknown;
  /** String message attributes, for subscription filter policies. */
  attributes?: Record<string, string>;
}

export interface PublishOptions {
  endpointUrl?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/** The subject SNS accepts: printable, one line, under 100 characters. */
export function snsSubject(s: string): string {
  const one = [...s]
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c))
    .join('')
    .replace(/ +/g, ' ')
    .trim();
  return one.length < 100 ? one : `${one.slice(0, 98)}…`;
}

/** Room left for message attributes under SNS's 262,144-byte limit (body and attributes count together). */
const MAX_BODY = 250_000;

/** The MessageStructure=json body; too big, the JSON copies are left out, then the text is cut. */
function structured(text: string, json: string): string {
  const full = JSON.stringify({ default: text, email: text, sqs: json, lambda: json, http: json, https: json });
  if (Buffer.byteLength(full) <= MAX_BODY) return full;
  let t = text;
  for (;;) {
    const body = JSON.stringify({ default: t, email: t });
    if (Buffer.byteLength(body) <= MAX_BODY) return body;
    t = `${t.slice(0, Math.floor(t.length * 0.8))}\n… (cut: see the function's result or logs)`;
  }
}

/**
 * Publishes with MessageStructure=json: `default` and `email` carry the text, `sqs`, `lambda`, `http` and `https`
 * the JSON document. Returns the message id; throws the AWS error (the caller reports it).
 */
export async function publishNotification(n: Notification, o: PublishOptions = {}): Promise<string> {
  const m = /^arn:[a-z-]+:sns:([a-z0-9-]+):\d{12}:(.+)$/.exec(n.topicArn);
  if (!m) throw new Error(`${n.topicArn} is not an SNS topic ARN`);
  const message = structured(n.text, JSON.stringify(n.json));
  const client = new SNSClient({
    region: m[1],
    maxAttempts: 4,
    ...(o.endpointUrl ? { endpoint: o.endpointUrl } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
  });
  const fifo = m[2]!.endsWith('.fifo');
  try {
    const r = await client.send(
      new PublishCommand({
        TopicArn: n.topicArn,
        Subject: snsSubject(n.subject),
        Message: message,
        MessageStructure: 'json',
        MessageAttributes: Object.fromEntries(
          Object.entries(n.attributes ?? {})
            .filter(([, v]) => v !== '')
            .map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
        ...(fifo
          ? {
              MessageGroupId: 'cordon',
              MessageDeduplicationId: createHash('sha256').update(message).digest('hex').slice(0, 64),
            }
          : {}),
      }),
    );
    return r.MessageId ?? '';
  } catch (e) {
    const code = awsErrorCode(e);
    throw new Error(`SNS Publish to ${n.topicArn} failed${code ? ` (${code})` : ''}: ${(e as Error).message}`);
  } finally {
    client.destroy();
  }
}
