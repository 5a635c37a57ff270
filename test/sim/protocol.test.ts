import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeForm } from '../../src/sim/protocol/form.js';
import { toXml } from '../../src/sim/protocol/xml.js';
import { ec2Codec, queryCodec } from '../../src/sim/protocol/codecs.js';
import { parseCredentialScope } from '../../src/sim/protocol/sigv4.js';
import { AwsError } from '../../src/sim/errors.js';

test('ec2Query lists decode with 1-based indexes and nested members', () => {
  const p = decodeForm(
    'Action=DescribeInstances&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&Filter.1.Value.2=vpc-2&Filter.2.Name=x&Filter.2.Value.1=y&InstanceId.1=i-1&InstanceId.2=i-2',
  );
  assert.deepEqual(p, {
    Action: 'DescribeInstances',
    Filter: [
      { Name: 'vpc-id', Value: ['vpc-1', 'vpc-2'] },
      { Name: 'x', Value: ['y'] },
    ],
    InstanceId: ['i-1', 'i-2'],
  });
});

test('awsQuery member and entry wrappers are dropped; empty lists stay empty strings', () => {
  const p = decodeForm(
    'Action=DetachInstances&InstanceIds.member.1=i-1&InstanceIds.member.2=i-2&Tags.member.1.Key=k&Tags.member.1.Value=v&Empty=&Attributes.entry.1.key=a&Attributes.entry.1.value=b',
  );
  assert.deepEqual(p.InstanceIds, ['i-1', 'i-2']);
  assert.deepEqual(p.Tags, [{ Key: 'k', Value: 'v' }]);
  assert.equal(p.Empty, '');
  assert.deepEqual(p.Attributes, [{ key: 'a', value: 'b' }]);
});

test('sparse indexes compact and URL encoding is decoded', () => {
  const p = decodeForm('X.2=b&X.1=a&X.5=c&Name=a%2Fb+c');
  assert.deepEqual(p.X, ['a', 'b', 'c']);
  assert.equal(p.Name, 'a/b c');
});

test('xml writer wraps arrays, escapes text, omits undefined', () => {
  assert.equal(
    toXml('r', { a: [1, 2], b: undefined, c: 'x<&>"', d: [] }, 'item'),
    '<r><a><item>1</item><item>2</item></a><c>x&lt;&amp;&gt;&quot;</c><d/></r>',
  );
  assert.equal(toXml('r', { t: new Date('2024-01-01T00:00:00Z') }, 'member'), '<r><t>2024-01-01T00:00:00.000Z</t></r>');
});

test('EC2 errors use <Response><Errors><Error> and RequestID; awsQuery uses <ErrorResponse> with Type', () => {
  const e = ec2Codec.error(
    new AwsError('InvalidInstanceID.NotFound', "The instance ID 'i-1' does not exist"),
    'req-1',
    'ns',
  );
  assert.equal(e.status, 400);
  assert.match(
    e.body,
    /<Response><Errors><Error><Code>InvalidInstanceID.NotFound<\/Code><Message>The instance ID &apos;i-1&apos; does not exist<\/Message><\/Error><\/Errors><RequestID>req-1<\/RequestID><\/Response>/,
  );
  const q = queryCodec.error(
    new AwsError('Throttling', 'Rate exceeded'),
    'req-2',
    'http://autoscaling.amazonaws.com/doc/2011-01-01/',
  );
  assert.equal(q.status, 400);
  assert.match(
    q.body,
    /<ErrorResponse xmlns="http:\/\/autoscaling.amazonaws.com\/doc\/2011-01-01\/"><Error><Type>Sender<\/Type><Code>Throttling<\/Code><Message>Rate exceeded<\/Message><\/Error><RequestId>req-2<\/RequestId><\/ErrorResponse>/,
  );
  assert.equal(ec2Codec.error(new AwsError('RequestLimitExceeded', 'x'), 'r', 'n').status, 503);
  assert.equal(ec2Codec.error(new AwsError('DryRunOperation', 'x'), 'r', 'n').status, 412);
  assert.equal(ec2Codec.error(new AwsError('UnauthorizedOperation', 'x'), 'r', 'n').status, 403);
  assert.equal(ec2Codec.error(new AwsError('AuthFailure', 'x'), 'r', 'n').status, 401);
  assert.equal(
    queryCodec.error(new AwsError('InternalFailure', 'x'), 'r', 'n').body.includes('<Type>Receiver</Type>'),
    true,
  );
});

test('success envelopes: EC2 requestId first; awsQuery Result + ResponseMetadata', () => {
  const s = ec2Codec.success(
    'ModifyNetworkInterfaceAttribute',
    { return: true },
    'rq',
    'http://ec2.amazonaws.com/doc/2016-11-15/',
  );
  assert.match(
    s.body,
    /<ModifyNetworkInterfaceAttributeResponse xmlns="http:\/\/ec2.amazonaws.com\/doc\/2016-11-15\/"><requestId>rq<\/requestId><return>true<\/return><\/ModifyNetworkInterfaceAttributeResponse>/,
  );
  const q = queryCodec.success('DetachInstances', { Activities: [{ ActivityId: 'a' }] }, 'rq', 'ns');
  assert.match(
    q.body,
    /<DetachInstancesResponse xmlns="ns"><DetachInstancesResult><Activities><member><ActivityId>a<\/ActivityId><\/member><\/Activities><\/DetachInstancesResult><ResponseMetadata><RequestId>rq<\/RequestId><\/ResponseMetadata><\/DetachInstancesResponse>/,
  );
  const empty = queryCodec.success('PutRolePolicy', undefined, 'rq', 'ns');
  assert.doesNotMatch(empty.body, /PutRolePolicyResult/);
});

test('SigV4 credential scope is read from the Authorization header and from a presigned query', () => {
  const h =
    'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20240101/eu-west-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc';
  assert.deepEqual(parseCredentialScope(h), {
    accessKeyId: 'AKIAEXAMPLE',
    date: '20240101',
    region: 'eu-west-1',
    service: 'ec2',
  });
  assert.deepEqual(
    parseCredentialScope(
      undefined,
      new URLSearchParams('X-Amz-Credential=AK%2F20240101%2Fus-east-1%2Fsts%2Faws4_request'),
    ),
    { accessKeyId: 'AK', date: '20240101', region: 'us-east-1', service: 'sts' },
  );
  assert.equal(parseCredentialScope('Bearer x'), undefined);
});
