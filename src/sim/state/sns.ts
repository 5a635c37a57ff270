// SNS records: topics per account × region, and every message published to them (there are no subscribers:
// tests read the messages through the control API, GET /_sim/sns/messages).

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

export interface SnsState {
  topics: Map<string, SnsTopic>;
  messages: SnsMessage[];
}

export function emptySns(): SnsState {
  return { topics: new Map(), messages: [] };
}
