// The simulated IAM service through the real SDK: roles, instance profiles, inline and attached role policies.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesCommand,
  ListInstanceProfilesForRoleCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { awsError, clients, startHarness, type SimHarness } from '../helpers/sim.js';

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const REVOKE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { DateLessThan: { 'aws:TokenIssueTime': '2024-05-07T23:47:00Z' } },
    },
  ],
});

async function harness(t: TestContext): Promise<SimHarness> {
  const h = await startHarness('demo');
  t.after(() => h.close());
  return h;
}

test('GetRole returns the role with its trust policy URL-encoded; NoSuchEntity (404) for unknown roles', async (t) => {
  const h = await harness(t);
  const r = await h.iam.send(new GetRoleCommand({ RoleName: 'web-app-role' }));
  const role = r.Role!;
  assert.equal(role.RoleName, 'web-app-role');
  assert.equal(role.Arn, 'arn:aws:iam::111122223333:role/web-app-role');
  assert.match(role.RoleId!, /^AROA[0-9A-Z]{17}$/);
  assert.equal(role.Path, '/');
  assert.equal(role.MaxSessionDuration, 3600);
  assert.ok(role.CreateDate instanceof Date);
  assert.match(role.AssumeRolePolicyDocument!, /^%7B%22Version%22/);
  const trust = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!));
  assert.equal(trust.Statement[0].Principal.Service, 'ec2.amazonaws.com');
  // Role names ignore case in IAM.
  assert.equal((await h.iam.send(new GetRoleCommand({ RoleName: 'WEB-APP-ROLE' }))).Role!.RoleName, 'web-app-role');

  const e = await awsError(() => h.iam.send(new GetRoleCommand({ RoleName: 'nope' })));
  assert.deepEqual(
    [e.name, e.status, e.message],
    ['NoSuchEntityException', 404, 'The role with name nope cannot be found.'],
  );
});

test('IAM is global: the same roles answer whatever region the client signs for', async (t) => {
  const h = await harness(t);
  const eu = clients(h.endpoint, { region: 'eu-west-1' });
  t.after(() => eu.iam.destroy());
  await eu.iam.send(new CreateRoleCommand({ RoleName: 'from-eu', AssumeRolePolicyDocument: TRUST }));
  assert.equal((await h.iam.send(new GetRoleCommand({ RoleName: 'from-eu' }))).Role!.RoleName, 'from-eu');
});

test('CreateRole: read back, duplicates (409), bad names, bad trust policy, MaxSessionDuration bounds', async (t) => {
  const h = await harness(t);
  const r = await h.iam.send(
    new CreateRoleCommand({
      RoleName: 'responder',
      Path: '/ir/',
      AssumeRolePolicyDocument: TRUST,
      Description: 'IR',
      MaxSessionDuration: 7200,
      Tags: [{ Key: 'team', Value: 'sec' }],
    }),
  );
  assert.equal(r.Role!.Arn, 'arn:aws:iam::111122223333:role/ir/responder');
  const got = (await h.iam.send(new GetRoleCommand({ RoleName: 'responder' }))).Role!;
  assert.deepEqual(
    [got.Path, got.Description, got.MaxSessionDuration, got.Tags],
    ['/ir/', 'IR', 7200, [{ Key: 'team', Value: 'sec' }]],
  );
  assert.equal(decodeURIComponent(got.AssumeRolePolicyDocument!), TRUST);

  const dup = await awsError(() =>
    h.iam.send(new CreateRoleCommand({ RoleName: 'Responder', AssumeRolePolicyDocument: TRUST })),
  );
  assert.deepEqual(
    [dup.name, dup.status, dup.message],
    ['EntityAlreadyExistsException', 409, 'Role with name Responder already exists.'],
  );
  const name = await awsError(() =>
    h.iam.send(new CreateRoleCommand({ RoleName: 'bad name', AssumeRolePolicyDocument: TRUST })),
  );
  assert.deepEqual([name.name, name.status], ['ValidationError', 400]);
  const json = await awsError(() =>
    h.iam.send(new CreateRoleCommand({ RoleName: 'x', AssumeRolePolicyDocument: '{not json' })),
  );
  assert.deepEqual([json.name, json.status], ['MalformedPolicyDocumentException', 400]);
  const noPrincipal = await awsError(() =>
    h.iam.send(
      new CreateRoleCommand({
        RoleName: 'x',
        AssumeRolePolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }),
      }),
    ),
  );
  assert.equal(noPrincipal.name, 'MalformedPolicyDocumentException');
  const duration = await awsError(() =>
    h.iam.send(new CreateRoleCommand({ RoleName: 'x', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 60 })),
  );
  assert.deepEqual([duration.name, duration.status], ['ValidationError', 400]);
  assert.match(duration.message, /maxSessionDuration.*greater than or equal to 3600/);
  const e = await awsError(() => h.iam.send(new GetRoleCommand({ RoleName: 'x' })));
  assert.equal(e.name, 'NoSuchEntityException');
});

test('ListRoles: PathPrefix, MaxItems / Marker paging with IsTruncated', async (t) => {
  const h = await harness(t);
  for (const n of ['r1', 'r2', 'r3'])
    await h.iam.send(new CreateRoleCommand({ RoleName: n, Path: '/app/', AssumeRolePolicyDocument: TRUST }));
  const all = await h.iam.send(new ListRolesCommand({}));
  assert.deepEqual(
    all.Roles!.map((r) => r.RoleName),
    ['r1', 'r2', 'r3', 'web-app-role'],
  );
  assert.equal(all.IsTruncated, false);
  assert.equal(all.Roles![0]!.Tags, undefined);
  const app = await h.iam.send(new ListRolesCommand({ PathPrefix: '/app/' }));
  assert.deepEqual(
    app.Roles!.map((r) => r.RoleName),
    ['r1', 'r2', 'r3'],
  );
  const p1 = await h.iam.send(new ListRolesCommand({ MaxItems: 2 }));
  assert.deepEqual([p1.Roles!.map((r) => r.RoleName), p1.IsTruncated], [['r1', 'r2'], true]);
  const p2 = await h.iam.send(new ListRolesCommand({ MaxItems: 2, Marker: p1.Marker }));
  assert.deepEqual(
    [p2.Roles!.map((r) => r.RoleName), p2.IsTruncated, p2.Marker],
    [['r3', 'web-app-role'], false, undefined],
  );
  const bad = await awsError(() => h.iam.send(new ListRolesCommand({ MaxItems: 0 })));
  assert.deepEqual([bad.name, bad.status], ['ValidationError', 400]);
});

test('instance profiles: get, list, list for role, create, add role (one role per profile)', async (t) => {
  const h = await harness(t);
  const ip = (await h.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'web-app-profile' })))
    .InstanceProfile!;
  assert.equal(ip.Arn, 'arn:aws:iam::111122223333:instance-profile/web-app-profile');
  assert.match(ip.InstanceProfileId!, /^AIPA[0-9A-Z]{17}$/);
  assert.deepEqual(
    ip.Roles!.map((r) => r.RoleName),
    ['web-app-role'],
  );
  const missing = await awsError(() => h.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'nope' })));
  assert.deepEqual(
    [missing.name, missing.status, missing.message],
    ['NoSuchEntityException', 404, 'Instance Profile nope cannot be found.'],
  );

  const created = await h.iam.send(
    new CreateInstanceProfileCommand({ InstanceProfileName: 'quarantine', Path: '/ir/' }),
  );
  assert.deepEqual(created.InstanceProfile!.Roles, []);
  const dup = await awsError(() => h.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'quarantine' })));
  assert.deepEqual([dup.name, dup.status], ['EntityAlreadyExistsException', 409]);
  await h.iam.send(new CreateRoleCommand({ RoleName: 'quarantine-role', AssumeRolePolicyDocument: TRUST }));
  await h.iam.send(
    new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'quarantine', RoleName: 'quarantine-role' }),
  );
  const full = await awsError(() =>
    h.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'quarantine', RoleName: 'web-app-role' })),
  );
  assert.deepEqual([full.name, full.status], ['LimitExceededException', 409]);
  const noRole = await awsError(() =>
    h.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web-app-profile', RoleName: 'nope' })),
  );
  assert.deepEqual([noRole.name, noRole.status], ['NoSuchEntityException', 404]);

  const list = await h.iam.send(new ListInstanceProfilesCommand({}));
  assert.deepEqual(
    list.InstanceProfiles!.map((x) => [x.InstanceProfileName, x.Roles!.map((r) => r.RoleName)]),
    [
      ['quarantine', ['quarantine-role']],
      ['web-app-profile', ['web-app-role']],
    ],
  );
  assert.deepEqual(
    (await h.iam.send(new ListInstanceProfilesCommand({ PathPrefix: '/ir/' }))).InstanceProfiles!.map(
      (x) => x.InstanceProfileName,
    ),
    ['quarantine'],
  );
  const forRole = await h.iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'web-app-role' }));
  assert.deepEqual(
    [forRole.InstanceProfiles!.map((x) => x.InstanceProfileName), forRole.IsTruncated],
    [['web-app-profile'], false],
  );
  const forMissing = await awsError(() => h.iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'nope' })));
  assert.equal(forMissing.name, 'NoSuchEntityException');
});

test('PutRolePolicy / GetRolePolicy (URL-encoded) / ListRolePolicies / DeleteRolePolicy', async (t) => {
  const h = await harness(t);
  await h.iam.send(
    new PutRolePolicyCommand({
      RoleName: 'web-app-role',
      PolicyName: 'AWSRevokeOlderSessions',
      PolicyDocument: REVOKE,
    }),
  );
  const got = await h.iam.send(
    new GetRolePolicyCommand({ RoleName: 'web-app-role', PolicyName: 'AWSRevokeOlderSessions' }),
  );
  assert.equal(got.RoleName, 'web-app-role');
  assert.equal(got.PolicyName, 'AWSRevokeOlderSessions');
  assert.notEqual(got.PolicyDocument, REVOKE, 'IAM answers the document URL-encoded');
  assert.equal(decodeURIComponent(got.PolicyDocument!), REVOKE);
  let names = await h.iam.send(new ListRolePoliciesCommand({ RoleName: 'web-app-role' }));
  assert.deepEqual([names.PolicyNames, names.IsTruncated], [['AWSRevokeOlderSessions', 'app-s3'], false]);
  const page = await h.iam.send(new ListRolePoliciesCommand({ RoleName: 'web-app-role', MaxItems: 1 }));
  assert.deepEqual([page.PolicyNames, page.IsTruncated], [['AWSRevokeOlderSessions'], true]);

  // Putting again under the same name replaces the document.
  const newer = REVOKE.replace('2024-05-07T23:47:00Z', '2025-01-01T00:00:00Z');
  await h.iam.send(
    new PutRolePolicyCommand({ RoleName: 'web-app-role', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: newer }),
  );
  assert.equal(
    decodeURIComponent(
      (await h.iam.send(new GetRolePolicyCommand({ RoleName: 'web-app-role', PolicyName: 'AWSRevokeOlderSessions' })))
        .PolicyDocument!,
    ),
    newer,
  );

  await h.iam.send(new DeleteRolePolicyCommand({ RoleName: 'web-app-role', PolicyName: 'AWSRevokeOlderSessions' }));
  names = await h.iam.send(new ListRolePoliciesCommand({ RoleName: 'web-app-role' }));
  assert.deepEqual(names.PolicyNames, ['app-s3']);
  const gone = await awsError(() =>
    h.iam.send(new GetRolePolicyCommand({ RoleName: 'web-app-role', PolicyName: 'AWSRevokeOlderSessions' })),
  );
  assert.deepEqual(
    [gone.name, gone.status, gone.message],
    ['NoSuchEntityException', 404, 'The role policy with name AWSRevokeOlderSessions cannot be found.'],
  );
  const delGone = await awsError(() =>
    h.iam.send(new DeleteRolePolicyCommand({ RoleName: 'web-app-role', PolicyName: 'AWSRevokeOlderSessions' })),
  );
  assert.equal(delGone.name, 'NoSuchEntityException');
  const noRole = await awsError(() =>
    h.iam.send(new PutRolePolicyCommand({ RoleName: 'nope', PolicyName: 'p', PolicyDocument: REVOKE })),
  );
  assert.deepEqual([noRole.name, noRole.status], ['NoSuchEntityException', 404]);
});

test('PutRolePolicy refuses malformed documents and more than 10,240 characters of inline policy per role', async (t) => {
  const h = await harness(t);
  for (const [doc, msg] of [
    ['{"Version":"2012-10-17","Statement":', /Syntax errors in policy/],
    [JSON.stringify({ Statement: [{ Effect: 'Allow', Resource: '*' }] }), /must contain actions/],
    [JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject' }] }), /must contain resources/],
    [JSON.stringify({ Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] }), /effect/i],
    [JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'GetObject', Resource: '*' }] }), /prefaced by a vendor/],
    [
      JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' }] }),
      /should not specify a principal/,
    ],
  ] as const) {
    const e = await awsError(() =>
      h.iam.send(new PutRolePolicyCommand({ RoleName: 'web-app-role', PolicyName: 'bad', PolicyDocument: doc })),
    );
    assert.deepEqual([e.name, e.status], ['MalformedPolicyDocumentException', 400], doc);
    assert.match(e.message, msg);
  }
  // Whitespace is not counted: a document padded with spaces still fits.
  const padded = JSON.stringify(
    { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] },
    null,
    200,
  );
  await h.iam.send(
    new PutRolePolicyCommand({ RoleName: 'web-app-role', PolicyName: 'padded', PolicyDocument: padded }),
  );
  const big = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Deny', Action: '*', Resource: Array.from({ length: 400 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`) },
    ],
  });
  const e = await awsError(() =>
    h.iam.send(new PutRolePolicyCommand({ RoleName: 'web-app-role', PolicyName: 'big', PolicyDocument: big })),
  );
  assert.deepEqual(
    [e.name, e.status, e.message],
    ['LimitExceededException', 409, 'Maximum policy size of 10240 bytes exceeded for role web-app-role'],
  );
  assert.deepEqual((await h.iam.send(new ListRolePoliciesCommand({ RoleName: 'web-app-role' }))).PolicyNames, [
    'app-s3',
    'padded',
  ]);
});

test('ListAttachedRolePolicies lists managed policies by name and ARN', async (t) => {
  const h = await startHarness({
    name: 'attached',
    accounts: [
      {
        id: '111122223333',
        iam: {
          roles: [
            {
              name: 'app',
              attachedPolicies: [
                'arn:aws:iam::aws:policy/ReadOnlyAccess',
                'arn:aws:iam::aws:policy/service-role/AmazonSSMRoleForInstancesQuickSetup',
              ],
            },
          ],
        },
      },
    ],
  });
  t.after(() => h.close());
  const r = await h.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'app' }));
  assert.deepEqual(r.AttachedPolicies, [
    {
      PolicyName: 'AmazonSSMRoleForInstancesQuickSetup',
      PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonSSMRoleForInstancesQuickSetup',
    },
    { PolicyName: 'ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
  ]);
  const byPath = await h.iam.send(
    new ListAttachedRolePoliciesCommand({ RoleName: 'app', PathPrefix: '/service-role/' }),
  );
  assert.deepEqual(
    byPath.AttachedPolicies!.map((p) => p.PolicyName),
    ['AmazonSSMRoleForInstancesQuickSetup'],
  );
  assert.equal(r.IsTruncated, false);
  const e = await awsError(() => h.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'nope' })));
  assert.deepEqual([e.name, e.status], ['NoSuchEntityException', 404]);
});
