// SNS records: topics per account × region, their subscriptions (recorded, never delivered to) and every message
// published to them (tests read the messages through the control API, GET /_sim/sns/messages).

export interface SnsTopic {
  arn: string;
  name: string;
  accountId: string;
  region: string;
  fifo: boolean;
  /** Settable attributes as given (DisplayName, Policy, KmsMasterKeyId, FifoTopic, ContentBasedDeduplication …). */
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

export interface SnsMessageAttribute {
  dataType: string;
  stringValue?: string;
  /** Base64, as it came on the wire. */
  binaryValue?: string;
}

export interface SnsMessage {
  seq: number;
  messageId: string;
  topicArn: string;
  accountId: string;
  region: string;
  time: string;
  publisherArn: string;
  message: string;
  subject?: string;
  messageStructure?: string;
  messageAttributes: Record<string, SnsMessageAttribute>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  sequenceNumber?: string;
}

/** A subscription: recorded, listed and counted, never delivered to (messages are read through the control API). */
export interface SnsSubscription {
  arn: string;
  topicArn: string;
  owner: string;
  protocol: string;
  endpoint: string;
  /** email / email-json / http / https wait for a confirmation that never comes here. */
  pending: boolean;
  attributes: Record<string, string>;
}

export interface SnsState {
  topics: Map<string, SnsTopic>;
  messages: SnsMessage[];
  subscriptions: Map<string, SnsSubscription>;
}

export function emptySns(): SnsState {
  return { topics: new Map(), messages: [], subscriptions: new Map() };
}
