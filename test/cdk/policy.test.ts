// The key property of the CDK construct: the containment role's IAM statements are exactly what `cordon iam-policy`
// prints for the same options — derived from the steps' declared permissions, never a second list.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { leastPrivilegePolicy, type PolicyDocument } from '../../src/engine/iam-policy.js';
import { layerRequest } from '../../src/cli/layers.js';
import { playbookRequest, type PlaybookFlags } from '../../src/cli/playbook-flags.js';
import { CordonMemberRoleStack, CordonResponder, memberRoleTemplate, type CordonOptions } from '../../cdk/src/index.js';
import { runCli } from '../helpers/cli.js';
import { asCordonStatement, cleanup, newApp, resourcesOf, tinyBundle, type Json } from './synth.js';

after(cleanup);

/** The CLI's default playbook flags (commander's values when no playbook flag is given). */
const NO_FLAGS: PlaybookFlags = { asgDetach: true, elb: true, preserve: true, evidence: true, image: true };

/** What `cordon iam-policy` computes for these flags (src/cli/iam-policy.ts, step by step). */
function cliPolicy(layers: string | undefined, flags: Partial<PlaybookFlags> = {}, conntrack = true): PolicyDocument {
  return leastPrivilegePolicy({
    options: {
      incident: 'policy',
      lowerConntrack: conntrack,
      playbook: playbookRequest({ ...NO_FLAGS, ...flags }) as never,
      ...layerRequest({ layers }),
    },
  });
}

/** The member-account role's and the Lambda role's containment statements, as cordon prints statements. */
function synthesizedStatements(options: CordonOptions): { member: Json[]; lambda: Json[] } {
  const app = newApp();
  const member = new CordonMemberRoleStack(app, 'Member', { responderAccountId: '111122223333', options });
  const stack = new Stack(app, 'Responder');
  new CordonResponder(stack, 'Cordon', { codePath: tinyBundle(), options });
  const roles = Object.values(resourcesOf(Template.fromStack(member).toJSON(), 'AWS::IAM::Role'));
  assert.equal(roles.length, 1);
  assert.equal(roles[0].Properties.Policies.length, 1);
  const managed = Object.values(resourcesOf(Template.fromStack(stack).toJSON(), 'AWS::IAM::ManagedPolicy'));
  assert.equal(managed.length, 1);
  return {
    member: (roles[0].Properties.Policies[0].PolicyDocument.Statement as Json[]).map(asCordonStatement),
    lambda: (managed[0].Properties.PolicyDocument.Statement as Json[]).map(asCordonStatement),
  };
}

const CASES: { name: string; options: CordonOptions; expected: () => PolicyDocument }[] = [
  { name: 'defaults', options: {}, expected: () => cliPolicy(undefined) },
  { name: "layers ['sg', 'subnet']", options: { layers: ['sg', 'subnet'] }, expected: () => cliPolicy('sg,subnet') },
  {
    name: 'full layers, revoke sessions, no evidence, no conntrack',
    options: { layers: ['full'], lowerConntrack: false, playbook: { revokeSessions: true, evidence: false } },
    expected: () => cliPolicy('full', { revokeSessions: true, evidence: false }, false),
  },
];

for (const c of CASES)
  test(`containment statements equal leastPrivilegePolicy for the same options: ${c.name}`, () => {
    const got = synthesizedStatements(c.options);
    const want = c.expected().Statement;
    // Exactly: Sid, Effect, every action in order, Resource and every Condition.
    assert.deepEqual(got.member, want);
    assert.deepEqual(got.lambda, want);
  });

test("the containment policy is the one for the flags in the Lambda's own environment (as the handler reads them)", () => {
  const app = newApp();
  const stack = new Stack(app, 'Responder');
  const r = new CordonResponder(stack, 'Cordon', {
    codePath: tinyBundle(),
    options: {
      layers: ['edge'],
      playbook: { asg: 'skip', revokeSessions: true, evidence: false },
      lowerConntrack: false,
    },
  });
  const json = Template.fromStack(stack).toJSON();
  const env = json.Resources[stack.resolve(stack.getLogicalId(r.handler.node.defaultChild as never))].Properties
    .Environment.Variables as Record<string, string>;
  const on = (name: string): boolean | undefined => (env[name] === 'true' ? true : undefined);
  const expected = leastPrivilegePolicy({
    options: {
      incident: 'policy',
      lowerConntrack: !on('CORDON_NO_CONNTRACK'),
      playbook: playbookRequest({
        asgDetach: !on('CORDON_NO_ASG'),
        asgDecrement: on('CORDON_ASG_DECREMENT'),
        asgStandby: on('CORDON_ASG_STANDBY'),
        elb: !on('CORDON_NO_ELB'),
        keepProfile: on('CORDON_KEEP_PROFILE'),
        revokeSessions: on('CORDON_REVOKE_SESSIONS'),
        revokeScope: env.CORDON_REVOKE_SCOPE,
        keepImds: on('CORDON_KEEP_IMDS'),
        preserve: !on('CORDON_NO_PRESERVE'),
        evidence: !on('CORDON_NO_EVIDENCE'),
        image: !on('CORDON_NO_IMAGE'),
      }) as never,
      ...layerRequest({
        layers: env.CORDON_LAYERS,
        naclMode: env.CORDON_NACL_MODE,
        allowCidr: env.CORDON_ALLOW_CIDR?.split(','),
      }),
    },
  });
  const [managed] = Object.values(resourcesOf(json, 'AWS::IAM::ManagedPolicy'));
  assert.deepEqual((managed.Properties.PolicyDocument.Statement as Json[]).map(asCordonStatement), expected.Statement);
  assert.equal(env.CORDON_LAYERS, 'sg,nacl,route');
  assert.equal(env.CORDON_NO_ASG, 'true');
});

test('the option sets really differ (the comparison above can tell them apart)', () => {
  const actions = (statements: Json[]): string[] => statements.flatMap((st) => st.Action as string[]);
  const base = actions(synthesizedStatements({}).member);
  const subnet = actions(synthesizedStatements({ layers: ['sg', 'subnet'] }).member);
  const revoke = actions(synthesizedStatements({ playbook: { revokeSessions: true } }).member);
  assert.deepEqual(
    subnet.filter((a) => !base.includes(a)),
    ['ec2:CreateNetworkAcl', 'ec2:CreateNetworkAclEntry', 'ec2:ReplaceNetworkAclAssociation'],
  );
  assert.deepEqual(revoke.filter((a) => !base.includes(a)).sort(), [
    'iam:DeleteRolePolicy',
    'iam:GetRolePolicy',
    'iam:PutRolePolicy',
  ]);
});

test('the member role equals the printed `cordon iam-policy --layers sg,subnet --revoke-sessions` (the real CLI)', async () => {
  const r = await runCli(['iam-policy', '--layers', 'sg,subnet', '--revoke-sessions']);
  assert.equal(r.code, 0, r.stderr);
  const printed = JSON.parse(r.stdout) as PolicyDocument;
  const got = synthesizedStatements({ layers: ['sg', 'subnet'], playbook: { revokeSessions: true } });
  assert.deepEqual(got.member, printed.Statement);
});

test('member role: named, trusting only the responder account’s Lambda roles, StackSet-ready (no bootstrap, no assets)', () => {
  const app = newApp();
  const stack = new CordonMemberRoleStack(app, 'Member', {
    responderAccountId: '111122223333',
    roleName: 'IrContain',
    executionRoleNamePrefix: 'IrLambda',
    organizationId: 'o-abc123def4',
  });
  const json = Template.fromStack(stack).toJSON();
  const [role] = Object.values(resourcesOf(json, 'AWS::IAM::Role'));
  assert.equal(role.Properties.RoleName, 'IrContain');
  assert.deepEqual(role.Properties.AssumeRolePolicyDocument.Statement, [
    {
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] } },
      Condition: {
        ArnLike: {
          'aws:PrincipalArn': {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:role/IrLambda-*']],
          },
        },
        StringEquals: { 'aws:PrincipalOrgID': 'o-abc123def4' },
      },
    },
  ]);
  // Only the role (and its output): deployable as a plain template in any account.
  assert.deepEqual(Object.keys(json.Resources), [
    stack.resolve(stack.getLogicalId(stack.role.node.defaultChild as never)),
  ]);
  assert.equal(json.Parameters, undefined, 'no BootstrapVersion parameter');
  assert.equal(json.Rules, undefined, 'no CheckBootstrapVersion rule');
  const artifact = app.synth().getStackArtifact(stack.artifactId);
  assert.deepEqual(artifact.dependencies, [], 'no asset manifest');

  // The Lambda role name the responder gives itself matches the trust pattern.
  const r = new CordonResponder(new Stack(app, 'R'), 'C', {
    codePath: tinyBundle(),
    executionRoleNamePrefix: 'IrLambda',
  });
  assert.equal(r.executionRoleNamePrefix, 'IrLambda');
});

test('memberRoleTemplate: the same template as a standalone JSON document (for a StackSet)', () => {
  const props = { responderAccountId: '111122223333', options: { layers: ['subnet'] } };
  const app = newApp();
  const stack = new CordonMemberRoleStack(app, 'CordonMemberRole', props);
  assert.deepEqual(memberRoleTemplate(props), Template.fromStack(stack).toJSON());
  assert.throws(() => memberRoleTemplate({ responderAccountId: '1111' }), /12-digit/);
});
