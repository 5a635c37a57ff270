// CordonResponder synthesized in-process (no Docker, no network): rule patterns, the Lambda functions, the fan-out
// state machine, the bucket, the topic, the Lambda role's own permissions, and CloudFormation's schema validation.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CordonResponder, GROUP_TARGETS_SOURCE } from '../../cdk/src/index.js';
import {
  TINY_BUNDLE,
  asCordonStatement,
  cleanup,
  newApp,
  resourcesOf,
  synthResponder,
  tinyBundle,
  type Json,
} from './synth.js';
import { cordonPolicy } from '../../cdk/src/policy.js';

after(cleanup);

test('GuardDuty rule: exact pattern with the default finding type prefixes and severity >= 7, targeting the handler', () => {
  const s = synthResponder();
  const rule = s.json.Resources[s.id(s.responder.guardDutyRule)];
  assert.deepEqual(rule.Properties.EventPattern, {
    source: ['aws.guardduty'],
    'detail-type': ['GuardDuty Finding'],
    detail: {
      severity: [{ numeric: ['>=', 7] }],
      type: [
        { prefix: 'Backdoor:EC2/' },
        { prefix: 'CryptoCurrency:EC2/' },
        { prefix: 'Impact:EC2/' },
        { prefix: 'Trojan:EC2/' },
        { prefix: 'UnauthorizedAccess:EC2/' },
      ],
    },
  });
  assert.deepEqual(rule.Properties.Targets, [
    { Arn: { 'Fn::GetAtt': [s.id(s.responder.handler), 'Arn'] }, Id: 'Target0' },
  ]);
  s.template.hasResourceProperties('AWS::Lambda::Permission', {
    Action: 'lambda:InvokeFunction',
    Principal: 'events.amazonaws.com',
    FunctionName: { 'Fn::GetAtt': [s.id(s.responder.handler), 'Arn'] },
    SourceArn: { 'Fn::GetAtt': [s.id(s.responder.guardDutyRule), 'Arn'] },
  });
});

test('GuardDuty rule: finding types and minimum severity from props (fractional severities kept)', () => {
  const s = synthResponder({ findingTypes: ['Trojan:EC2/', 'Backdoor:EC2/C&CActivity'], minSeverity: 4.5 });
  assert.deepEqual(s.json.Resources[s.id(s.responder.guardDutyRule)].Properties.EventPattern.detail, {
    severity: [{ numeric: ['>=', 4.5] }],
    type: [{ prefix: 'Trojan:EC2/' }, { prefix: 'Backdoor:EC2/C&CActivity' }],
  });
  const env = s.json.Resources[s.id(s.responder.handler)].Properties.Environment.Variables;
  assert.equal(env.CORDON_MIN_SEVERITY, '4.5');
  assert.equal(env.CORDON_FINDING_TYPES, 'Trojan:EC2/*,Backdoor:EC2/C&CActivity*', 'the handler takes globs');
});

test('Security Hub: the custom action and a rule matching its ARN exactly, targeting the handler', () => {
  const s = synthResponder();
  const actionId = s.id(s.responder.securityHubAction);
  assert.deepEqual(s.json.Resources[actionId].Properties, {
    Id: 'CordonContain',
    Name: 'Cordon contain',
    Description: 'Send the selected EC2 findings to cordon (plan)',
  });
  const rule = s.json.Resources[s.id(s.responder.securityHubRule)];
  assert.deepEqual(rule.Properties.EventPattern, {
    source: ['aws.securityhub'],
    'detail-type': ['Security Hub Findings - Custom Action'],
    resources: [{ 'Fn::GetAtt': [actionId, 'ActionTargetArn'] }],
  });
  assert.deepEqual(rule.Properties.Targets[0].Arn, { 'Fn::GetAtt': [s.id(s.responder.handler), 'Arn'] });

  const off = synthResponder({ securityHubAction: false });
  off.template.resourceCountIs('AWS::SecurityHub::ActionTarget', 0);
  off.template.resourceCountIs('AWS::Events::Rule', 1);
  const custom = synthResponder({ securityHubAction: { id: 'Isolate', name: 'Isolate EC2' } });
  custom.template.hasResourceProperties('AWS::SecurityHub::ActionTarget', { Id: 'Isolate', Name: 'Isolate EC2' });
  assert.throws(() => synthResponder({ securityHubAction: { id: 'not-alnum' } }), /alphanumeric/);
});

test('Lambda: handler and worker from the bundle directory, Node.js 22, timeouts, memory and the environment', () => {
  const s = synthResponder();
  const bucket = s.id(s.responder.bucket);
  const topic = s.id(s.responder.topic);
  const handler = s.json.Resources[s.id(s.responder.handler)].Properties;
  const worker = s.json.Resources[s.id(s.responder.worker)].Properties;
  assert.equal(handler.Handler, 'index.handler');
  assert.equal(worker.Handler, 'index.workerHandler');
  for (const f of [handler, worker]) {
    assert.equal(f.Runtime, 'nodejs22.x');
    assert.deepEqual(f.Role, { 'Fn::GetAtt': [s.id(s.responder.role), 'Arn'] });
    assert.deepEqual(f.Environment.Variables, {
      CORDON_MODE: 'plan',
      CORDON_STATE: { 'Fn::Join': ['', ['s3://', { Ref: bucket }, '/cordon']] },
      CORDON_MIN_SEVERITY: '7',
      CORDON_FINDING_TYPES: 'Backdoor:EC2/*,CryptoCurrency:EC2/*,Impact:EC2/*,Trojan:EC2/*,UnauthorizedAccess:EC2/*',
      CORDON_TOPIC_ARN: { Ref: topic },
      CORDON_ROLE_NAME: 'CordonResponder',
      CORDON_LAYERS: 'sg',
    });
  }
  assert.deepEqual([handler.Timeout, handler.MemorySize], [300, 512]);
  assert.deepEqual([worker.Timeout, worker.MemorySize], [900, 1024]);
  // Both functions' code is the codePath directory, staged as it is into the cloud assembly.
  assert.deepEqual(handler.Code, worker.Code);
  const asset = join(s.app.outdir, `asset.${String(handler.Code.S3Key).replace(/\.zip$/, '')}`);
  assert.deepEqual(readdirSync(asset), ['index.mjs']);
  assert.equal(readFileSync(join(asset, 'index.mjs'), 'utf8'), TINY_BUNDLE);
});

test('Lambda environment: contain mode and the options as the CLI flags the handler reads (CORDON_<FLAG>)', () => {
  const s = synthResponder({
    mode: 'contain',
    memberRoleName: 'IrContain',
    statePrefix: '/ir/cordon/',
    options: {
      layers: ['sg', 'subnet'],
      naclMode: 'top',
      allowCidrs: ['10.99.0.0/24', '10.98.0.0/24'],
      lowerConntrack: false,
      acceptBlastRadius: true,
      playbook: { asg: 'standby', elb: false, revokeSessions: true, revokeScope: 'role', image: false },
    },
  });
  const env = s.json.Resources[s.id(s.responder.handler)].Properties.Environment.Variables;
  const { CORDON_STATE, CORDON_TOPIC_ARN, ...rest } = env;
  assert.deepEqual(CORDON_STATE, { 'Fn::Join': ['', ['s3://', { Ref: s.id(s.responder.bucket) }, '/ir/cordon']] });
  assert.deepEqual(CORDON_TOPIC_ARN, { Ref: s.id(s.responder.topic) });
  assert.deepEqual(rest, {
    CORDON_MODE: 'contain',
    CORDON_MIN_SEVERITY: '7',
    CORDON_FINDING_TYPES: 'Backdoor:EC2/*,CryptoCurrency:EC2/*,Impact:EC2/*,Trojan:EC2/*,UnauthorizedAccess:EC2/*',
    CORDON_ROLE_NAME: 'IrContain',
    CORDON_LAYERS: 'sg,nacl',
    CORDON_NACL_MODE: 'top',
    CORDON_ALLOW_CIDR: '10.99.0.0/24,10.98.0.0/24',
    CORDON_NO_CONNTRACK: 'true',
    CORDON_ACCEPT_BLAST_RADIUS: 'true',
    CORDON_ASG_STANDBY: 'true',
    CORDON_NO_ELB: 'true',
    CORDON_REVOKE_SESSIONS: 'true',
    CORDON_REVOKE_SCOPE: 'role',
    CORDON_NO_IMAGE: 'true',
  });
});

test('props the CLI would refuse are refused at synth', () => {
  assert.throws(() => synthResponder({ codePath: '/nonexistent/cordon-bundle' }), /npm run build:lambda/);
  assert.throws(() => synthResponder({ minSeverity: 11 }), /minSeverity/);
  assert.throws(() => synthResponder({ mapConcurrency: 41 }), /mapConcurrency/);
  assert.throws(() => synthResponder({ findingTypes: [] }), /findingTypes/);
  assert.throws(() => synthResponder({ findingTypes: ['Trojan:EC2/,Backdoor:EC2/'] }), /without commas/);
  assert.throws(() => synthResponder({ findingTypes: ['Trojan:EC2/*'] }), /without commas or "\*"/);
  assert.throws(() => synthResponder({ options: { playbook: { revokeScope: 'role' } } }), /--revoke-scope needs/);
  assert.throws(() => synthResponder({ options: { playbook: { asg: 'skip', asgDecrement: true } } }), /exclude/);
  assert.throws(() => synthResponder({ options: { layers: ['sg', 'moat'] } }), /unknown layer "moat"/);
  assert.throws(() => synthResponder({ options: { naclMode: 'top' } }), /nacl layer/);
  assert.throws(() => synthResponder({ options: { allowCidrs: ['0.0.0.0/0'] } }), /everything/);
  assert.throws(() => synthResponder({ options: { playbook: { wait: true } as never } }), /wait/);
  assert.throws(() => synthResponder({ options: { playbook: { revokeSesions: true } as never } }), /not a playbook/);
});

/** The state machine's definition, with every CloudFormation token replaced by `{{Ref|GetAtt:logicalId}}`. */
function definition(s: ReturnType<typeof synthResponder>): Json {
  const sm = s.json.Resources[s.id(s.responder.stateMachine)].Properties.DefinitionString;
  const parts = sm['Fn::Join'][1] as Json[];
  const text = parts
    .map((p) =>
      typeof p === 'string'
        ? p
        : p.Ref
          ? `{{Ref:${p.Ref}}}`
          : p['Fn::GetAtt']
            ? `{{GetAtt:${p['Fn::GetAtt'][0]}}}`
            : assert.fail(`unexpected token ${JSON.stringify(p)}`),
    )
    .join('');
  return JSON.parse(text);
}

test('fan-out state machine: group by account × region, then a Map running the worker per group with retries and a Catch', () => {
  const s = synthResponder({ mapConcurrency: 7 });
  const d = definition(s);
  const group = d.States[d.StartAt];
  assert.equal(group.Type, 'Task');
  assert.equal(group.Resource, 'arn:{{Ref:AWS::Partition}}:states:::lambda:invoke');
  const grouper = Object.keys(resourcesOf(s.json, 'AWS::Lambda::Function')).find(
    (k) => s.json.Resources[k].Properties.Code.ZipFile !== undefined,
  );
  assert.ok(grouper);
  assert.equal(s.json.Resources[grouper].Properties.Code.ZipFile, GROUP_TARGETS_SOURCE);
  assert.deepEqual(group.Parameters, { FunctionName: `{{GetAtt:${grouper}}}`, 'Payload.$': '$' });
  assert.equal(group.OutputPath, '$.Payload');

  const map = d.States[group.Next];
  assert.equal(map.Type, 'Map');
  assert.equal(map.ItemsPath, '$.groups');
  assert.equal(map.MaxConcurrency, 7);
  assert.equal(map.ResultPath, '$.results');
  assert.deepEqual(map.ItemSelector, {
    'accountId.$': '$$.Map.Item.Value.accountId',
    'region.$': '$$.Map.Item.Value.region',
    'targets.$': '$$.Map.Item.Value.targets',
    roleName: 'CordonResponder',
    'options.$': '$.options',
  });
  const proc = map.ItemProcessor;
  const work = proc.States[proc.StartAt];
  assert.equal(work.Type, 'Task');
  assert.deepEqual(work.Parameters, { FunctionName: `{{GetAtt:${s.id(s.responder.worker)}}}`, 'Payload.$': '$' });
  assert.equal(work.OutputPath, '$.Payload');
  const retried = (work.Retry as Json[]).flatMap((r) => r.ErrorEquals);
  for (const e of ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'])
    assert.ok(retried.includes(e), e);
  assert.ok(retried.includes('Lambda.TooManyRequestsException'), 'throttling is retried too');
  assert.deepEqual(work.Catch, [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Group failed' }]);
  assert.deepEqual(proc.States['Group failed'], {
    Type: 'Pass',
    Parameters: {
      'accountId.$': '$.accountId',
      'region.$': '$.region',
      'targets.$': '$.targets',
      status: 'failed',
      'error.$': '$.error',
    },
    End: true,
  });
  assert.deepEqual(d.States[map.Next].Parameters, { 'groups.$': '$.groups', 'results.$': '$.results' });
  assert.equal(d.TimeoutSeconds, 7200);

  // The state machine may invoke the grouping function and the worker — and nothing else.
  const smRole = s.json.Resources[s.id(s.responder.stateMachine)].Properties.RoleArn['Fn::GetAtt'][0];
  const policies = Object.values(resourcesOf(s.json, 'AWS::IAM::Policy')).filter((p) =>
    p.Properties.Roles.some((r: Json) => r.Ref === smRole),
  );
  const invoked = policies.flatMap((p) =>
    (p.Properties.PolicyDocument.Statement as Json[]).map((st) => [st.Action, st.Resource[0]['Fn::GetAtt'][0]]),
  );
  assert.deepEqual(
    invoked.sort(),
    [
      ['lambda:InvokeFunction', grouper],
      ['lambda:InvokeFunction', s.id(s.responder.worker)],
    ].sort(),
  );
});

test('bucket: versioned, SSE-S3, public access blocked, TLS-only policy, retained, parts of dead uploads aborted, no Object Lock by default', () => {
  const s = synthResponder();
  const id = s.id(s.responder.bucket);
  const b = s.json.Resources[id];
  assert.equal(b.DeletionPolicy, 'Retain');
  assert.equal(b.UpdateReplacePolicy, 'Retain');
  assert.deepEqual(b.Properties.VersioningConfiguration, { Status: 'Enabled' });
  assert.deepEqual(b.Properties.BucketEncryption, {
    ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
  });
  assert.deepEqual(b.Properties.PublicAccessBlockConfiguration, {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  });
  assert.equal(b.Properties.ObjectLockEnabled, undefined);
  assert.equal(b.Properties.ObjectLockConfiguration, undefined);
  assert.deepEqual(b.Properties.LifecycleConfiguration, {
    Rules: [
      { Id: 'AbortIncompleteUploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
    ],
  });
  s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
    Bucket: { Ref: id },
    PolicyDocument: {
      Statement: Match.arrayWith([
        {
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          Resource: [{ 'Fn::GetAtt': [id, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/*']] }],
        },
      ]),
    },
  });
});

test('bucket: Object Lock when asked (GOVERNANCE 365 days by default, or the given mode and days); SSE-KMS with a key', () => {
  const on = synthResponder({ objectLock: true });
  const b = on.json.Resources[on.id(on.responder.bucket)].Properties;
  assert.equal(b.ObjectLockEnabled, true);
  assert.deepEqual(b.ObjectLockConfiguration, {
    ObjectLockEnabled: 'Enabled',
    Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
  });
  const compliance = synthResponder({ objectLock: { mode: 'COMPLIANCE', days: 30 } });
  assert.deepEqual(
    compliance.json.Resources[compliance.id(compliance.responder.bucket)].Properties.ObjectLockConfiguration.Rule,
    { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } },
  );

  const app = newApp();
  const stack = new Stack(app, 'Kms');
  const key = new kms.Key(stack, 'Key');
  const r = new CordonResponder(stack, 'Cordon', { codePath: tinyBundle(), encryptionKey: key });
  const json = stack.resolve((app.synth().getStackByName('Kms').template as Json).Resources) as Json;
  const keyId = stack.resolve(stack.getLogicalId(key.node.defaultChild as never));
  const enc = json[stack.resolve(stack.getLogicalId(r.bucket.node.defaultChild as never))].Properties.BucketEncryption;
  assert.deepEqual(enc.ServerSideEncryptionConfiguration, [
    {
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    },
  ]);
  const topic = json[stack.resolve(stack.getLogicalId(r.topic.node.defaultChild as never))].Properties;
  assert.deepEqual(topic.KmsMasterKeyId, { 'Fn::GetAtt': [keyId, 'Arn'] });
});

test('topic, with an email subscription when asked', () => {
  const s = synthResponder();
  s.template.resourceCountIs('AWS::SNS::Topic', 1);
  s.template.resourceCountIs('AWS::SNS::Subscription', 0);
  const e = synthResponder({ notificationEmail: 'soc@example.com' });
  e.template.hasResourceProperties('AWS::SNS::Subscription', {
    Protocol: 'email',
    Endpoint: 'soc@example.com',
    TopicArn: { Ref: e.id(e.responder.topic) },
  });
});

test("the Lambda role: cordon's containment policy for its own account, plus only the state prefix, the topic, the member role and its logs", () => {
  const s = synthResponder({ statePrefix: 'ir' });
  const roleId = s.id(s.responder.role);
  const role = s.json.Resources[roleId].Properties;
  assert.deepEqual(role.AssumeRolePolicyDocument.Statement, [
    { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
  ]);
  assert.deepEqual(role.RoleName, { 'Fn::Join': ['', ['CordonResponderLambda-', { Ref: 'AWS::Region' }]] });
  assert.equal(role.ManagedPolicyArns, undefined, 'no AWS managed policy (AWSLambdaBasicExecutionRole) either');

  const managed = Object.values(resourcesOf(s.json, 'AWS::IAM::ManagedPolicy'));
  assert.equal(managed.length, 1);
  assert.deepEqual(managed[0].Properties.Roles, [{ Ref: roleId }]);
  assert.deepEqual(
    (managed[0].Properties.PolicyDocument.Statement as Json[]).map(asCordonStatement),
    cordonPolicy({}).Statement,
  );

  const own = Object.values(resourcesOf(s.json, 'AWS::IAM::Policy')).filter((p) =>
    p.Properties.Roles.some((r: Json) => r.Ref === roleId),
  );
  assert.equal(own.length, 1);
  const bucketArn = { 'Fn::GetAtt': [s.id(s.responder.bucket), 'Arn'] };
  const logsArn = (f: CordonResponder['handler']): Json =>
    s.json.Resources[s.id(f)].Properties.LoggingConfig.LogGroup.Ref;
  assert.deepEqual(own[0].Properties.PolicyDocument.Statement, [
    {
      Sid: 'CordonStateObjects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      Resource: { 'Fn::Join': ['', [bucketArn, '/ir/*']] },
    },
    {
      Sid: 'CordonStateList',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn,
      Condition: { StringLike: { 's3:prefix': ['ir', 'ir/*'] } },
    },
    { Sid: 'CordonPublish', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: s.id(s.responder.topic) } },
    {
      Sid: 'CordonAssumeMemberRole',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/CordonResponder']] },
    },
    {
      Sid: 'CordonLogsHandler',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': [logsArn(s.responder.handler), 'Arn'] },
    },
    {
      Sid: 'CordonLogsWorker',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': [logsArn(s.responder.worker), 'Arn'] },
    },
  ]);

  const memberOnly = synthResponder({ containInOwnAccount: false });
  memberOnly.template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
});

test('the fan-out worker gets the per-run input shape and the map concurrency defaults to 10', () => {
  const s = synthResponder({ workerTimeout: Duration.minutes(10), workerMemoryMb: 2048 });
  assert.equal(definition(s).States['Each account and region'].MaxConcurrency, 10);
  const worker = s.json.Resources[s.id(s.responder.worker)].Properties;
  assert.deepEqual([worker.Timeout, worker.MemorySize], [600, 2048]);
});
