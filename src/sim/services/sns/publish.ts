// SNS Publish: validates a message as SNS does (size, Subject, MessageStructure, message attributes, FIFO group and
// deduplication ids) and records it. Subscriptions are never delivered to: tests read published messages through the control
// API (GET /_sim/sns/messages, see control.ts).

import { createHash } from 'node:crypto';
import type { CallContext, Handler } from '../framework.js';
import type { FormObject } from '../../protocol/form.js';
import { AwsError } from '../../errors.js';
import type { World } from '../../state/world.js';
import type { SnsMessage, SnsMessageAttribute, SnsTopic } from '../../state/sns.js';
import { optStr, structs, struct, validation } from '../queryParams.js';
import { invalidParameter, topicFor } from './topics.js';

/** Largest message (body and attributes together), in bytes. */
export const MAX_MESSAGE_BYTES = 262_144;
/** Messages kept per region (the oldest tenth goes when it is full). */
export const MESSAGE_LOG_LIMIT = 10_000;
/** FIFO topics drop a repeated deduplication id within this window. */
const DEDUP_WINDOW_MS = 5 * 60 * 1000;

const lastSeq = new WeakMap<World, number>();

/** A message id in UUID form, derived from the message's sequence number (deterministic, like every simulated id). */
function messageId(seq: number): string {
  const h = createHash('sha256').update(`sns-message:${seq}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function nextSeq(world: World): number {
  const n = (lastSeq.get(world) ?? 0) + 1;
  lastSeq.set(world, n);
  return n;
}

const invalidValue = (message: string): AwsError => new AwsError('ParameterValueInvalid', message, 400);

function readAttributes(p: FormObject): { attrs: Record<string, SnsMessageAttribute>; bytes: number } {
  const attrs: Record<string, SnsMessageAttribute> = {};
  let bytes = 0;
  for (const e of structs(p, 'MessageAttributes')) {
    const name = typeof e.Name === 'string' ? e.Name : '';
    const value = struct(e, 'Value') ?? {};
    const dataType = typeof value.DataType === 'string' ? value.DataType : '';
    const stringValue = typeof value.StringValue === 'string' ? value.StringValue : undefined;
    const binaryValue = typeof value.BinaryValue === 'string' ? value.BinaryValue : undefined;
    if (
      !/^[A-Za-z0-9_.-]{1,256}$/.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..') ||
      /^(aws\.|amazon\.)/i.test(name)
    )
      throw invalidValue(`The message attribute name '${name}' is invalid.`);
    const kind = /^(String|Number|Binary)(\.[^\s]+)?$/.exec(dataType)?.[1];
    if (!kind)
      throw invalidValue(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    const given = kind === 'Binary' ? binaryValue : stringValue;
    if (given === undefined || given === '')
      throw invalidValue(
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${kind}'.`,
      );
    if (kind === 'Number' && !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(given))
      throw invalidValue(`The message attribute '${name}' with type 'Number' must be a valid numeric value.`);
    attrs[name] = {
      dataType,
      stringValue: kind === 'Binary' ? undefined : given,
      binaryValue: kind === 'Binary' ? given : undefined,
    };
    bytes += Buffer.byteLength(name) + Buffer.byteLength(dataType) + Buffer.byteLength(given);
  }
  return { attrs, bytes };
}

function checkSubject(subject: string | undefined): void {
  if (subject === undefined) return;
  // Under 100 characters, ASCII text without line breaks or control characters, starting with a letter, digit or punctuation.
  const control = [...subject].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (subject.length === 0 || subject.length >= 100 || control || /^\s/.test(subject))
    throw invalidParameter('Subject');
}

function checkStructure(structure: string | undefined, message: string): void {
  if (structure === undefined) return;
  if (structure !== 'json') throw invalidParameter('MessageStructure');
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (
    !parsed ||
    typeof parsed !== 'object' ||
    Array.isArray(parsed) ||
    typeof (parsed as Record<string, unknown>).default !== 'string'
  )
    throw invalidParameter('Message Structure - No default entry in JSON message body');
}

function fifoIds(topic: SnsTopic, p: FormObject, message: string): { group?: string; dedup?: string } {
  const group = optStr(p, 'MessageGroupId', 128);
  let dedup = optStr(p, 'MessageDeduplicationId', 128);
  if (!topic.fifo) return { group, dedup };
  if (!group) throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
  if (!dedup) {
    if (topic.attributes.ContentBasedDeduplication !== 'true')
      throw invalidParameter(
        'The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    dedup = createHash('sha256').update(message).digest('hex');
  }
  return { group, dedup };
}

const publish: Handler = (ctx: CallContext, p) => {
  const arn = optStr(p, 'TopicArn') ?? optStr(p, 'TargetArn');
  if (optStr(p, 'PhoneNumber') !== undefined) throw invalidParameter('PhoneNumber Reason: SMS is not simulated');
  if (arn === undefined) throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
  const topic = topicFor(ctx, arn, 'Publish', p.TopicArn !== undefined ? 'TopicArn' : 'TargetArn');
  const message = optStr(p, 'Message');
  if (message === undefined) throw validation('Message', null, 'Member must not be null');
  if (message === '') throw invalidParameter('Empty message');
  const subject = optStr(p, 'Subject');
  checkSubject(subject);
  const structure = optStr(p, 'MessageStructure');
  checkStructure(structure, message);
  const { attrs, bytes } = readAttributes(p);
  if (Buffer.byteLength(message) + bytes > MAX_MESSAGE_BYTES) throw invalidParameter('Message too long');
  const { group, dedup } = fifoIds(topic, p, message);

  const log = ctx.region.sns.messages;
  const now = ctx.world.clock.now();
  if (topic.fifo) {
    const repeat = log.find(
      (m) =>
        m.topicArn === topic.arn && m.messageDeduplicationId === dedup && now - Date.parse(m.time) < DEDUP_WINDOW_MS,
    );
    if (repeat) return { MessageId: repeat.messageId, SequenceNumber: repeat.sequenceNumber };
  }
  const seq = nextSeq(ctx.world);
  const record: SnsMessage = {
    seq,
    messageId: messageId(seq),
    topicArn: topic.arn,
    accountId: topic.accountId,
    region: topic.region,
    time: ctx.world.clock.nowIso(),
    publisherArn: ctx.principal.arn,
    message,
    subject,
    messageStructure: structure,
    messageAttributes: attrs,
    messageGroupId: group,
    messageDeduplicationId: dedup,
    sequenceNumber: topic.fifo ? String(10_000_000_000_000_000_000n + BigInt(seq)) : undefined,
  };
  if (log.length >= MESSAGE_LOG_LIMIT) log.splice(0, MESSAGE_LOG_LIMIT / 10);
  log.push(record);
  return { MessageId: record.messageId, SequenceNumber: record.sequenceNumber };
};

export const publishActions: Record<string, Handler> = { Publish: publish };
