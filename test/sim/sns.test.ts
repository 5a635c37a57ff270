import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTopicsCommand,
  PublishCommand,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { control } from '../helpers/control.js';
import { withStorage, s3Error as awsError, KEYS, ACCOUNT } from './storage-fixture.js';
import type { SnsMessage } from '../../src/sim/state/sns.js';

const ALERTS = `arn:aws:sns:us-east-1:${ACCOUNT}:cordon-alerts`;

test('Publish (Message, Subject, MessageAttributes) is readable through GET /_sim/sns/messages; DELETE forgets', async () => {
  await withStorage(async ({ sns, endpoint }) => {
    const r = await sns.send(
      new PublishCommand({
        TopicArn: ALERTS,
        Subject: 'i-0abc contained',
        Message: JSON.stringify({ instance: 'i-0abc', step: 'isolate' }),
        MessageAttributes: {
          severity: { DataType: 'Number', StringValue: '8' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
        },
      }),
    );
    assert.match(r.MessageId ?? '', /^[0-9a-f-]{36}$/);
    await sns.send(new PublishCommand({ TopicArn: ALERTS, Message: 'second' }));

    const all = await control<SnsMessage[]>(endpoint, 'GET', `/_sim/sns/messages?topic=${encodeURIComponent(ALERTS)}`);
    assert.equal(all.status, 200);
    assert.equal(all.body.length, 2);
    const first = all.body[0]!;
    assert.equal(first.messageId, r.MessageId);
    assert.equal(first.subject, 'i-0abc contained');
    assert.deepEqual(JSON.parse(first.message), { instance: 'i-0abc', step: 'isolate' });
    assert.deepEqual(first.messageAttributes, {
      severity: { dataType: 'Number', stringValue: '8' },
      blob: { dataType: 'Binary', binaryValue: 'AQID' },
    });
    assert.equal(first.publisherArn, `arn:aws:iam::${ACCOUNT}:user/responder`);
    const since = await control<SnsMessage[]>(endpoint, 'GET', `/_sim/sns/messages?since=${first.seq}`);
    assert.deepEqual(
      since.body.map((m) => m.message),
      ['second'],
    );
    const none = await control<SnsMessage[]>(endpoint, 'GET', '/_sim/sns/messages?topic=arn:aws:sns:us-east-1:1:x');
    assert.deepEqual(none.body, []);
    const cleared = await control(endpoint, 'DELETE', '/_sim/sns/messages');
    assert.deepEqual(cleared.body, { ok: true, cleared: 2 });
    assert.deepEqual((await control(endpoint, 'GET', '/_sim/sns/messages')).body, []);
    assert.equal((await control(endpoint, 'GET', '/_sim/sns/messages?since=x')).status, 400);
  });
});

test('CreateTopic is idempotent by name (other attributes are refused); ListTopics, GetTopicAttributes, DeleteTopic', async () => {
  await withStorage(async ({ sns }) => {
    const a = await sns.send(new CreateTopicCommand({ Name: 'ir-events', Attributes: { DisplayName: 'IR' } }));
    assert.equal(a.TopicArn, `arn:aws:sns:us-east-1:${ACCOUNT}:ir-events`);
    const again = await sns.send(new CreateTopicCommand({ Name: 'ir-events', Attributes: { DisplayName: 'IR' } }));
    assert.equal(again.TopicArn, a.TopicArn);
    const clash = await awsError(() =>
      sns.send(new CreateTopicCommand({ Name: 'ir-events', Attributes: { DisplayName: 'other' } })),
    );
    assert.equal(clash.name, 'InvalidParameterException');
    const badName = await awsError(() => sns.send(new CreateTopicCommand({ Name: 'no spaces' })));
    assert.equal(badName.name, 'InvalidParameterException');

    const listed = await sns.send(new ListTopicsCommand({}));
    assert.deepEqual(
      listed.Topics?.map((t) => t.TopicArn),
      [ALERTS, a.TopicArn],
    );
    const attrs = await sns.send(new GetTopicAttributesCommand({ TopicArn: a.TopicArn }));
    assert.equal(attrs.Attributes?.DisplayName, 'IR');
    assert.equal(attrs.Attributes?.Owner, ACCOUNT);
    assert.equal(attrs.Attributes?.TopicArn, a.TopicArn);
    assert.equal(JSON.parse(attrs.Attributes?.Policy ?? '{}').Statement[0].Resource, a.TopicArn);

    await sns.send(new DeleteTopicCommand({ TopicArn: a.TopicArn }));
    await sns.send(new DeleteTopicCommand({ TopicArn: a.TopicArn })); // idempotent
    const gone = await awsError(() => sns.send(new GetTopicAttributesCommand({ TopicArn: a.TopicArn })));
    assert.equal(gone.name, 'NotFoundException');
    assert.equal(gone.status, 404);
  });
});

test('Publish validation: missing topic, Subject, size, MessageStructure, attribute types; nothing is recorded', async () => {
  await withStorage(async ({ sns, endpoint }) => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ TopicArn: `${ALERTS}-nope`, Message: 'x' }, 'NotFoundException', /Topic does not exist/],
      [{ TopicArn: ALERTS, Message: 'x', Subject: 's'.repeat(100) }, 'InvalidParameterException', /Subject/],
      [{ TopicArn: ALERTS, Message: 'x', Subject: 'two\nlines' }, 'InvalidParameterException', /Subject/],
      [{ TopicArn: ALERTS, Message: 'x'.repeat(262_145) }, 'InvalidParameterException', /Message too long/],
      [
        { TopicArn: ALERTS, Message: '{"email":"x"}', MessageStructure: 'json' },
        'InvalidParameterException',
        /No default entry/,
      ],
      [
        { TopicArn: ALERTS, Message: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'eight' } } },
        'InvalidParameterValueException',
        /valid numeric value/,
      ],
      [
        { TopicArn: ALERTS, Message: 'x', MessageAttributes: { n: { DataType: 'Date', StringValue: '1' } } },
        'InvalidParameterValueException',
        /supported type prefixes/,
      ],
      [{ TopicArn: ALERTS.replace('us-east-1', 'eu-west-1'), Message: 'x' }, 'InvalidParameterException', /TopicArn/],
    ];
    for (const [input, name, message] of cases) {
      const e = await awsError(() => sns.send(new PublishCommand(input as never)));
      assert.equal(e.name, name, JSON.stringify(input).slice(0, 80));
      assert.match(e.message, message);
    }
    // Exactly at the limit passes.
    await sns.send(new PublishCommand({ TopicArn: ALERTS, Message: 'x'.repeat(262_144) }));
    assert.equal((await control<SnsMessage[]>(endpoint, 'GET', '/_sim/sns/messages')).body.length, 1);
  });
});

test("SNS permissions and faults: a denied key gets AuthorizationError, another account's topic too; a throttle fault is 429 Throttled", async () => {
  await withStorage(async ({ sns, snsAs, endpoint }) => {
    const denied = await awsError(() =>
      snsAs({ accessKeyId: KEYS.noWrite }).send(new PublishCommand({ TopicArn: ALERTS, Message: 'x' })),
    );
    assert.equal(denied.name, 'AuthorizationErrorException');
    assert.equal(denied.status, 403);
    assert.match(
      denied.message,
      /not authorized to perform: SNS:Publish on resource: arn:aws:sns:us-east-1:111122223333:cordon-alerts/,
    );
    const foreign = await awsError(() =>
      snsAs({ accessKeyId: KEYS.other }).send(new PublishCommand({ TopicArn: ALERTS, Message: 'x' })),
    );
    assert.equal(foreign.name, 'AuthorizationErrorException');

    await control(endpoint, 'PUT', '/_sim/faults', { failNth: [{ action: 'Publish', nth: 1, code: 'throttle' }] });
    const throttled = await awsError(() => sns.send(new PublishCommand({ TopicArn: ALERTS, Message: 'x' })));
    assert.equal(throttled.name, 'ThrottledException');
    assert.equal(throttled.status, 429);
    await sns.send(new PublishCommand({ TopicArn: ALERTS, Message: 'after' }));
    const msgs = await control<SnsMessage[]>(endpoint, 'GET', '/_sim/sns/messages');
    assert.deepEqual(
      msgs.body.map((m) => m.message),
      ['after'],
    );
  });
});

test('FIFO topics need a MessageGroupId and deduplicate within five minutes (content-based here)', async () => {
  await withStorage(async ({ sns, endpoint }) => {
    const t = await sns.send(
      new CreateTopicCommand({ Name: 'ir.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } }),
    );
    const noGroup = await awsError(() => sns.send(new PublishCommand({ TopicArn: t.TopicArn, Message: 'a' })));
    assert.equal(noGroup.name, 'InvalidParameterException');
    assert.match(noGroup.message, /MessageGroupId/);
    const a = await sns.send(new PublishCommand({ TopicArn: t.TopicArn, Message: 'a', MessageGroupId: 'i-1' }));
    const dup = await sns.send(new PublishCommand({ TopicArn: t.TopicArn, Message: 'a', MessageGroupId: 'i-1' }));
    assert.equal(dup.MessageId, a.MessageId);
    assert.match(a.SequenceNumber ?? '', /^\d+$/);
    await control(endpoint, 'POST', '/_sim/clock/advance', { seconds: 301 });
    const later = await sns.send(new PublishCommand({ TopicArn: t.TopicArn, Message: 'a', MessageGroupId: 'i-1' }));
    assert.notEqual(later.MessageId, a.MessageId);
    const msgs = await control<SnsMessage[]>(
      endpoint,
      'GET',
      `/_sim/sns/messages?topic=${encodeURIComponent(t.TopicArn!)}`,
    );
    assert.equal(msgs.body.length, 2);
  });
});

test('Subscribe (minimal): recorded, listed and counted; email stays pending; Unsubscribe; DeleteTopic drops them', async () => {
  await withStorage(async ({ sns }) => {
    const queue = `arn:aws:sqs:us-east-1:${ACCOUNT}:cordon-results`;
    const sqs = await sns.send(new SubscribeCommand({ TopicArn: ALERTS, Protocol: 'sqs', Endpoint: queue }));
    assert.match(sqs.SubscriptionArn ?? '', new RegExp(`^${ALERTS}:[0-9a-f-]{36}$`));
    const again = await sns.send(new SubscribeCommand({ TopicArn: ALERTS, Protocol: 'sqs', Endpoint: queue }));
    assert.equal(again.SubscriptionArn, sqs.SubscriptionArn);
    const mail = await sns.send(
      new SubscribeCommand({ TopicArn: ALERTS, Protocol: 'email', Endpoint: 'soc@example.com' }),
    );
    assert.equal(mail.SubscriptionArn, 'pending confirmation');
    const bad = await awsError(() =>
      sns.send(new SubscribeCommand({ TopicArn: ALERTS, Protocol: 'email', Endpoint: 'x' })),
    );
    assert.equal(bad.name, 'InvalidParameterException');

    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: ALERTS }));
    assert.deepEqual(
      listed.Subscriptions?.map((s) => [s.Protocol, s.Endpoint, s.SubscriptionArn === 'PendingConfirmation']),
      [
        ['sqs', queue, false],
        ['email', 'soc@example.com', true],
      ],
    );
    const attrs = await sns.send(new GetTopicAttributesCommand({ TopicArn: ALERTS }));
    assert.equal(attrs.Attributes?.SubscriptionsConfirmed, '1');
    assert.equal(attrs.Attributes?.SubscriptionsPending, '1');

    await sns.send(new UnsubscribeCommand({ SubscriptionArn: sqs.SubscriptionArn }));
    const gone = await awsError(() => sns.send(new UnsubscribeCommand({ SubscriptionArn: sqs.SubscriptionArn })));
    assert.equal(gone.name, 'NotFoundException');
    assert.equal((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions?.length, 1);
    await sns.send(new DeleteTopicCommand({ TopicArn: ALERTS }));
    assert.deepEqual((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions ?? [], []);
  });
});
