// The simulated STS service through the real SDK: GetCallerIdentity, and AssumeRole into a second account whose
// temporary credentials act in that account until they expire on the simulated clock.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type Credentials } from '@aws-sdk/client-sts';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DeleteRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { awsError, startHarness, type SimHarness } from '../helpers/sim.js';

const A = '111122223333';
const B = '444455556666';
const ROLE = `arn:aws:iam::${B}:role/cordon-responder`;

function twoAccounts(): Record<string, unknown> {
  const region = (cidr: string, id: string) => ({
    name: 'us-east-1',
    vpcs: [
      {
        name: 'v',
        cidr,
        subnets: [{ name: 's', cidr: cidr.replace('0.0/16', '1.0/24') }],
        securityGroups: [{ name: 'app' }],
      },
    ],
    instances: [{ id, subnet: 's', securityGroups: ['app'] }],
  });
  return {
    name: 'two-accounts',
    accounts: [
      {
        id: A,
        default: true,
        credentials: [{ accessKeyId: 'AKIADEMORESPONDER01', user: 'responder' }],
        iam: {
          roles: [
            {
              name: 'local',
              trust: {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' },
                ],
              },
            },
          ],
        },
        regions: [region('10.1.0.0/16', 'i-0aaaaaaaaaaaaaaa1')],
      },
      {
        id: B,
        iam: {
          roles: [
            {
              name: 'cordon-responder',
              trust: {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' },
                ],
              },
            },
            { name: 'ec2-only' },
            {
              name: 'denied',
              trust: {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
                  { Effect: 'Deny', Principal: { AWS: A }, Action: 'sts:*' },
                ],
              },
            },
          ],
        },
        regions: [region('10.2.0.0/16', 'i-0bbbbbbbbbbbbbbb1')],
      },
    ],
  };
}

async function harness(t: TestContext): Promise<SimHarness> {
  const h = await startHarness(twoAccounts());
  t.after(() => h.close());
  return h;
}

/** Real SDK clients signing with temporary credentials (key, secret and session token). */
function withCredentials(t: TestContext, h: SimHarness, c: Credentials): { ec2: EC2Client; sts: STSClient } {
  const config = {
    endpoint: h.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
  };
  const out = { ec2: new EC2Client(config), sts: new STSClient(config) };
  t.after(() => {
    out.ec2.destroy();
    out.sts.destroy();
  });
  return out;
}

async function instanceIds(ec2: EC2Client): Promise<string[]> {
  const r = await ec2.send(new DescribeInstancesCommand({}));
  return (r.Reservations ?? []).flatMap((x) => x.Instances ?? []).map((i) => i.InstanceId!);
}

test('GetCallerIdentity answers the account, ARN and user id of the calling key', async (t) => {
  const h = await harness(t);
  const r = await h.sts.send(new GetCallerIdentityCommand({}));
  assert.equal(r.Account, A);
  assert.equal(r.Arn, `arn:aws:iam::${A}:user/responder`);
  assert.match(r.UserId!, /^AIDA[0-9A-Z]+$/);
});

test('AssumeRole into a second account: credentials, assumed-role user, and calls that act in that account', async (t) => {
  const h = await harness(t);
  const before = h.sim.world.clock.now();
  const r = await h.sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'ir-2024-0042' }));
  const c = r.Credentials!;
  assert.match(c.AccessKeyId!, /^ASIA[0-9A-Z]{16}$/);
  assert.equal(c.SecretAccessKey!.length, 40);
  assert.ok(c.SessionToken!.length > 100);
  const lifetime = c.Expiration!.getTime() - before;
  assert.ok(lifetime > 3590_000 && lifetime <= 3600_000, `default duration is one hour (got ${lifetime} ms)`);
  assert.equal(r.AssumedRoleUser!.Arn, `arn:aws:sts::${B}:assumed-role/cordon-responder/ir-2024-0042`);
  assert.match(r.AssumedRoleUser!.AssumedRoleId!, /^AROA[0-9A-Z]{17}:ir-2024-0042$/);

  const b = withCredentials(t, h, c);
  const who = await b.sts.send(new GetCallerIdentityCommand({}));
  assert.deepEqual([who.Account, who.Arn, who.UserId], [B, r.AssumedRoleUser!.Arn, r.AssumedRoleUser!.AssumedRoleId]);
  assert.deepEqual(await instanceIds(b.ec2), ['i-0bbbbbbbbbbbbbbb1']);
  assert.deepEqual(
    await instanceIds(h.ec2),
    ['i-0aaaaaaaaaaaaaaa1'],
    'the original key still acts in the first account',
  );
});

test('assumed-role credentials are rejected once they expire on the simulated clock', async (t) => {
  const h = await harness(t);
  const r = await h.sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'short', DurationSeconds: 900 }));
  const b = withCredentials(t, h, r.Credentials!);
  assert.deepEqual(await instanceIds(b.ec2), ['i-0bbbbbbbbbbbbbbb1']);
  h.sim.world.clock.advance(901_000);
  const ec2 = await awsError(() => b.ec2.send(new DescribeInstancesCommand({})));
  assert.deepEqual([ec2.name, ec2.status], ['RequestExpired', 400]);
  const sts = await awsError(() => b.sts.send(new GetCallerIdentityCommand({})));
  assert.deepEqual([sts.name, sts.status], ['ExpiredToken', 403]);
  // The long-term key is unaffected.
  assert.equal((await h.sts.send(new GetCallerIdentityCommand({}))).Account, A);
});

test('AssumeRole is denied for a missing role, an unknown account, a role that does not trust the caller, or an explicit Deny', async (t) => {
  const h = await harness(t);
  for (const arn of [
    `arn:aws:iam::${B}:role/missing`,
    'arn:aws:iam::999999999999:role/cordon-responder',
    `arn:aws:iam::${B}:role/ec2-only`,
    `arn:aws:iam::${B}:role/denied`,
    `arn:aws:iam::${B}:role/team/cordon-responder`,
  ]) {
    const e = await awsError(() => h.sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 's1' })));
    assert.deepEqual([e.name, e.status], ['AccessDenied', 403], arn);
    assert.equal(
      e.message,
      `User: arn:aws:iam::${A}:user/responder is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
    );
  }
  // The same account works when its trust policy names the account.
  const local = await h.sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/local`, RoleSessionName: 'same-account' }),
  );
  assert.equal(local.AssumedRoleUser!.Arn, `arn:aws:sts::${A}:assumed-role/local/same-account`);
});

test('AssumeRole validates DurationSeconds (900..MaxSessionDuration), role chaining (1 h) and the session name', async (t) => {
  const h = await harness(t);
  const short = await awsError(() =>
    h.sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 's1', DurationSeconds: 899 })),
  );
  assert.deepEqual([short.name, short.status], ['ValidationError', 400]);
  assert.match(short.message, /durationSeconds.*greater than or equal to 900/);
  const long = await awsError(() =>
    h.sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 's1', DurationSeconds: 7200 })),
  );
  assert.deepEqual(
    [long.name, long.status, long.message],
    ['ValidationError', 400, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'],
  );
  const name = await awsError(() => h.sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'has space' })));
  assert.deepEqual([name.name, name.status], ['ValidationError', 400]);

  // Role chaining: a session may assume a role that trusts it, for at most one hour.
  const first = await h.sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/local`, RoleSessionName: 'hop1' }),
  );
  const hop = withCredentials(t, h, first.Credentials!);
  const chained = await awsError(() =>
    hop.sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${A}:role/local`,
        RoleSessionName: 'hop2',
        DurationSeconds: 3601,
      }),
    ),
  );
  assert.equal(
    chained.message,
    'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
  );
  const ok = await hop.sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'hop2' }));
  assert.equal(ok.AssumedRoleUser!.Arn, `arn:aws:sts::${B}:assumed-role/cordon-responder/hop2`);
});

test("a role's AWSRevokeOlderSessions policy denies its sessions issued before the cut-off, not later ones", async (t) => {
  const h = await harness(t);
  const old = await h.sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'stolen' }));
  const oldB = withCredentials(t, h, old.Credentials!);
  assert.deepEqual(await instanceIds(oldB.ec2), ['i-0bbbbbbbbbbbbbbb1']);

  // An administrator of account B (here: a session of the same role) revokes older sessions.
  h.sim.world.clock.advance(5_000);
  const cutoff = new Date(h.sim.world.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  const admin = new IAMClient({
    endpoint: h.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: {
      accessKeyId: old.Credentials!.AccessKeyId!,
      secretAccessKey: old.Credentials!.SecretAccessKey!,
      sessionToken: old.Credentials!.SessionToken!,
    },
  });
  t.after(() => admin.destroy());
  const revoke = JSON.stringify({
    Version: '2012-10-17',
    Statement: {
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } },
    },
  });
  await admin.send(
    new PutRolePolicyCommand({
      RoleName: 'cordon-responder',
      PolicyName: 'AWSRevokeOlderSessions',
      PolicyDocument: revoke,
    }),
  );

  const denied = await awsError(() => oldB.ec2.send(new DescribeInstancesCommand({})));
  assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
  h.sim.world.clock.advance(1_000);
  const fresh = await h.sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'after-cutoff' }));
  assert.deepEqual(
    await instanceIds(withCredentials(t, h, fresh.Credentials!).ec2),
    ['i-0bbbbbbbbbbbbbbb1'],
    'sessions issued after the cut-off still work',
  );

  // A Deny scoped to one instance's credentials (ec2:SourceInstanceARN) does not touch AssumeRole sessions.
  const scoped = JSON.stringify({
    Version: '2012-10-17',
    Statement: {
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { ArnEquals: { 'ec2:SourceInstanceARN': `arn:aws:ec2:us-east-1:${B}:instance/i-0bbbbbbbbbbbbbbb1` } },
    },
  });
  const adminB = new IAMClient({
    endpoint: h.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: {
      accessKeyId: fresh.Credentials!.AccessKeyId!,
      secretAccessKey: 'x',
      sessionToken: fresh.Credentials!.SessionToken!,
    },
  });
  t.after(() => adminB.destroy());
  await adminB.send(
    new PutRolePolicyCommand({
      RoleName: 'cordon-responder',
      PolicyName: 'AWSRevokeOlderSessions',
      PolicyDocument: scoped,
    }),
  );
  assert.deepEqual(await instanceIds(oldB.ec2), ['i-0bbbbbbbbbbbbbbb1']);
  await adminB.send(
    new PutRolePolicyCommand({
      RoleName: 'cordon-responder',
      PolicyName: 'AWSRevokeOlderSessions',
      PolicyDocument: revoke,
    }),
  );
  assert.equal((await awsError(() => oldB.ec2.send(new DescribeInstancesCommand({})))).name, 'UnauthorizedOperation');
  await adminB.send(
    new DeleteRolePolicyCommand({ RoleName: 'cordon-responder', PolicyName: 'AWSRevokeOlderSessions' }),
  );
  assert.deepEqual(await instanceIds(oldB.ec2), ['i-0bbbbbbbbbbbbbbb1'], 'removing the policy lifts the deny');
});
