import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { listBundledScenarios, loadScenario, readScenario, ScenarioError } from '../../src/sim/scenarios/loader.js';
import { startHarness, tinyScenario } from '../helpers/sim.js';

async function scenarioError(input: unknown): Promise<string> {
  try {
    await loadScenario(input as Record<string, unknown>);
  } catch (e) {
    assert.ok(e instanceof ScenarioError, `expected a ScenarioError, got ${String(e)}`);
    return e.message;
  }
  throw new Error('expected the scenario to be refused');
}

/** tinyScenario with a change at accounts[0].regions[0] (or wherever `edit` reaches). */
function tiny(
  edit: (s: { accounts: { regions: Record<string, unknown>[] }[] } & Record<string, unknown>) => void,
): Record<string, unknown> {
  const s = structuredClone(tinyScenario()) as { accounts: { regions: Record<string, unknown>[] }[] } & Record<
    string,
    unknown
  >;
  edit(s);
  return s;
}

test('every bundled scenario loads, and the SDK sees its instances', async () => {
  const names = await listBundledScenarios();
  for (const required of ['demo', 'minimal', 'multi-account'])
    assert.ok(names.includes(required), `${required} is bundled`);
  for (const name of names) {
    const world = await loadScenario(name);
    assert.equal(world.scenarioName, name, `${name}.json has the name of its file`);
    const spec = await readScenario(name);
    assert.ok(spec.description && spec.description.length > 20, `${name} has a description`);
    const h = await startHarness(name, { accessKeyId: 'AKIAANYUNKNOWNKEY01' });
    try {
      const r = await h.ec2.send(new DescribeInstancesCommand({}));
      const expected = [...world.region(world.defaultAccountId, world.defaultRegion).ec2.instances.keys()].sort();
      assert.ok(expected.length > 0, `${name} has instances in its default account and region`);
      assert.deepEqual(r.Reservations!.flatMap((x) => x.Instances!.map((i) => i.InstanceId!)).sort(), expected, name);
    } finally {
      await h.close();
    }
  }
});

test('minimal: one VPC, one subnet, one instance with a single network interface', async () => {
  const world = await loadScenario('minimal');
  assert.equal(world.accounts.size, 1);
  const ec2 = world.region('111122223333', 'us-east-1').ec2;
  assert.equal(ec2.vpcs.size, 1);
  assert.equal(ec2.subnets.size, 1);
  const h = await startHarness('minimal');
  try {
    const r = await h.ec2.send(new DescribeInstancesCommand({}));
    const instances = r.Reservations!.flatMap((x) => x.Instances!);
    assert.equal(instances.length, 1);
    assert.equal(instances[0]!.NetworkInterfaces!.length, 1);
    assert.equal(instances[0]!.NetworkInterfaces![0]!.NetworkInterfaceId, 'eni-0d0000000000000a1');
    assert.deepEqual(
      instances[0]!.SecurityGroups!.map((g) => g.GroupName),
      ['app'],
    );
  } finally {
    await h.close();
  }
});

test('multi-account: two accounts in two regions, and a role in the second account that trusts the first', async () => {
  const world = await loadScenario('multi-account');
  assert.deepEqual([...world.accounts.keys()].sort(), ['111122223333', '444455556666']);
  for (const id of world.accounts.keys()) {
    assert.deepEqual([...world.account(id).regions.keys()].sort(), ['eu-west-1', 'us-east-1']);
    for (const region of ['us-east-1', 'eu-west-1'])
      assert.equal(world.region(id, region).ec2.instances.size, 1, `${id} ${region}`);
  }
  assert.equal(world.defaultAccountId, '111122223333');
  const role = world.account('444455556666').iam.roles.get('cordon-responder')!;
  assert.equal(role.arn, 'arn:aws:iam::444455556666:role/cordon-responder');
  const trust = JSON.parse(role.assumeRolePolicyDocument) as {
    Statement: { Principal: { AWS: string }; Action: string }[];
  };
  assert.deepEqual(
    trust.Statement.map((s) => [s.Principal.AWS, s.Action]),
    [['arn:aws:iam::111122223333:root', 'sts:AssumeRole']],
  );
  assert.equal(world.principals.get('AKIAMULTIPRIMARY001')?.accountId, '111122223333');
  assert.equal(world.principals.get('AKIAMULTIWORKLOAD01')?.accountId, '444455556666');

  // Through the SDK: the first account's key assumes the role, and the session sees the second account.
  const h = await startHarness('multi-account', { accessKeyId: 'AKIAMULTIPRIMARY001' });
  try {
    const r = await h.sts.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'incident-42' }));
    assert.equal(r.AssumedRoleUser?.Arn, 'arn:aws:sts::444455556666:assumed-role/cordon-responder/incident-42');
    const c = r.Credentials!;
    const ec2 = new EC2Client({
      endpoint: h.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken },
      maxAttempts: 1,
    });
    const ids = (await ec2.send(new DescribeInstancesCommand({}))).Reservations!.flatMap((x) =>
      x.Instances!.map((i) => i.InstanceId),
    );
    ec2.destroy();
    assert.deepEqual(ids, ['i-0bbb00000000000e1']);
  } finally {
    await h.close();
  }
});

test('schema errors name the bad field by its path and say what was expected', async () => {
  const cases: [unknown, RegExp][] = [
    [{ name: 'x', accounts: [] }, /^ {2}accounts: a scenario needs at least one account$/m],
    [{ accounts: [{ id: '111122223333' }] }, /^ {2}name: required; give a string$/m],
    [
      tiny((s) => {
        (s.accounts[0] as Record<string, unknown>).id = '1234';
      }),
      /^ {2}accounts\[0\]\.id: must be a 12-digit AWS account id$/m,
    ],
    [
      tiny((s) => {
        s.accounts[0]!.regions[0]!.name = 'useast1';
      }),
      /accounts\[0\]\.regions\[0\]\.name: must be a region name such as us-east-1/,
    ],
    [
      tiny((s) => {
        (s.accounts[0]!.regions[0]!.vpcs as Record<string, unknown>[])[0]!.cidr = '10.0.0.0';
      }),
      /accounts\[0\]\.regions\[0\]\.vpcs\[0\]\.cidr: must be a CIDR/,
    ],
    [
      tiny((s) => {
        (s.accounts[0]!.regions[0]!.instances as Record<string, unknown>[])[0]!.tpye = 't3.micro';
      }),
      /accounts\[0\]\.regions\[0\]\.instances\[0\]: unknown field "tpye" \(did you mean "type"\?\)/,
    ],
    [
      tiny((s) => {
        (s.accounts[0]!.regions[0]!.instances as Record<string, unknown>[])[0]!.state = 'asleep';
      }),
      /instances\[0\]\.state: must be one of "pending", "running", .*not "asleep"/,
    ],
    [
      tiny((s) => {
        (s.accounts[0]!.regions[0]!.instances as Record<string, unknown>[])[0]!.id = 'i-xyz';
      }),
      /instances\[0\]\.id: must be an id such as i-0123456789abcdef0/,
    ],
    [
      tiny((s) => {
        (
          s.accounts[0]!.regions[0]!.vpcs as { securityGroups: { ingress: Record<string, unknown>[] }[] }[]
        )[0]!.securityGroups[0]!.ingress[0]!.ports = '22-x';
      }),
      /vpcs\[0\]\.securityGroups\[0\]\.ingress\[0\]\.ports: must be a port or a range/,
    ],
    [
      tiny((s) => {
        (s.accounts[0]!.regions[0]!.instances as Record<string, unknown>[])[0]!.disableApiTermination = 'yes';
      }),
      /instances\[0\]\.disableApiTermination: must be true or false, not "yes"/,
    ],
    [
      tiny((s) => {
        (s.accounts[0]!.regions[0]!.instances as Record<string, unknown>[])[0]!.subnet = 'nope';
      }),
      /^accounts\[0\]\.regions\[0\]\.instances\[0\]\.subnet: unknown subnet "nope"$/,
    ],
    [
      tiny((s) => {
        (s.accounts[0]!.regions[0]!.instances as Record<string, unknown>[])[0]!.securityGroups = ['ghost'];
      }),
      /instances\[0\]\.securityGroups\[0\]: unknown security group "ghost"/,
    ],
    [[], /\(root\): must be an object, not a list/],
  ];
  for (const [input, re] of cases) assert.match(await scenarioError(input), re);
});

test('a missing scenario name lists the bundled ones; a file that is not JSON says so', async () => {
  assert.match(
    await scenarioError('no-such-scenario'),
    /scenario "no-such-scenario" not found: give a file path or one of: .*demo.*minimal.*multi-account/,
  );
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'cordon-scn-')), 'broken.json');
  writeFileSync(file, '{ "name": ');
  assert.match(await scenarioError(file), /broken\.json is not valid JSON/);
});
