// The simulated ELBv2 (target groups, targets, health, draining) and classic ELB services through the real SDK.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DeregisterInstancesFromLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  RegisterInstancesWithLoadBalancerCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import { StopInstancesCommand } from '@aws-sdk/client-ec2';
import { awsError, startHarness, type SimHarness } from '../helpers/sim.js';

const WEB1 = 'i-0c0ffee0000000001';
const WEB2 = 'i-0c0ffee0000000002';
const BASTION = 'i-0c0ffee0000000003';
const VPC = 'vpc-0a1b2c3d4e5f60001';

async function harness(t: TestContext, scenario: Parameters<typeof startHarness>[0] = 'demo'): Promise<SimHarness> {
  const h = await startHarness(scenario);
  t.after(() => h.close());
  return h;
}

async function tgArn(h: SimHarness, name = 'storefront-web'): Promise<string> {
  const r = await h.elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] }));
  return r.TargetGroups![0]!.TargetGroupArn!;
}

async function health(h: SimHarness, arn: string, targets?: { Id: string; Port?: number }[]) {
  const r = await h.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn, Targets: targets }));
  return r.TargetHealthDescriptions!.map((d) => ({
    id: d.Target!.Id,
    port: d.Target!.Port,
    hcPort: d.HealthCheckPort,
    ...d.TargetHealth,
  }));
}

test('DescribeTargetGroups: all, by name, by ARN; TargetGroupNotFound and malformed ARNs', async (t) => {
  const h = await harness(t);
  const all = await h.elbv2.send(new DescribeTargetGroupsCommand({}));
  assert.equal(all.TargetGroups!.length, 1);
  const tg = all.TargetGroups![0]!;
  assert.match(
    tg.TargetGroupArn!,
    /^arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup\/storefront-web\/[0-9a-f]{16}$/,
  );
  assert.deepEqual(
    [
      tg.TargetGroupName,
      tg.Protocol,
      tg.Port,
      tg.VpcId,
      tg.TargetType,
      tg.HealthCheckPath,
      tg.HealthCheckPort,
      tg.Matcher?.HttpCode,
    ],
    ['storefront-web', 'HTTP', 80, VPC, 'instance', '/', 'traffic-port', '200'],
  );
  const byArn = await h.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tg.TargetGroupArn!] }));
  assert.equal(byArn.TargetGroups![0]!.TargetGroupName, 'storefront-web');

  const unknownName = await awsError(() => h.elbv2.send(new DescribeTargetGroupsCommand({ Names: ['nope'] })));
  assert.deepEqual([unknownName.name, unknownName.status], ['TargetGroupNotFoundException', 400]);
  const unknownArn = tg.TargetGroupArn!.replace(/[0-9a-f]{16}$/, '0123456789abcdef');
  const e = await awsError(() => h.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [unknownArn] })));
  assert.deepEqual([e.name, e.status], ['TargetGroupNotFoundException', 400]);
  const malformed = await awsError(() =>
    h.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: ['not-an-arn'] })),
  );
  assert.deepEqual([malformed.name, malformed.status], ['ValidationError', 400]);
});

test('CreateTargetGroup: defaults, idempotent repeat, DuplicateTargetGroupName, unknown VPC', async (t) => {
  const h = await harness(t);
  const r = await h.elbv2.send(new CreateTargetGroupCommand({ Name: 'admin', Protocol: 'TCP', Port: 22, VpcId: VPC }));
  const tg = r.TargetGroups![0]!;
  assert.deepEqual(
    [tg.TargetGroupName, tg.Protocol, tg.Port, tg.TargetType, tg.HealthCheckProtocol, tg.HealthCheckPath],
    ['admin', 'TCP', 22, 'instance', 'TCP', undefined],
  );
  const again = await h.elbv2.send(
    new CreateTargetGroupCommand({ Name: 'admin', Protocol: 'TCP', Port: 22, VpcId: VPC }),
  );
  assert.equal(again.TargetGroups![0]!.TargetGroupArn, tg.TargetGroupArn);
  const dup = await awsError(() =>
    h.elbv2.send(new CreateTargetGroupCommand({ Name: 'admin', Protocol: 'TCP', Port: 2222, VpcId: VPC })),
  );
  assert.deepEqual([dup.name, dup.status], ['DuplicateTargetGroupNameException', 400]);
  const vpc = await awsError(() =>
    h.elbv2.send(
      new CreateTargetGroupCommand({ Name: 'x', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-00000000000000bad' }),
    ),
  );
  assert.deepEqual([vpc.name, vpc.status], ['ValidationError', 400]);
  const name = await awsError(() =>
    h.elbv2.send(new CreateTargetGroupCommand({ Name: '-bad-', Protocol: 'HTTP', Port: 80, VpcId: VPC })),
  );
  assert.deepEqual([name.name, name.status], ['ValidationError', 400]);
  assert.equal((await h.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups!.length, 2);
});

test('RegisterTargets registers running instances (port override kept); refuses unknown, stopped and other-VPC targets', async (t) => {
  const h = await harness(t);
  const arn = await tgArn(h);
  await h.elbv2.send(
    new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: BASTION }, { Id: BASTION, Port: 8080 }] }),
  );
  const hs = await health(h, arn, [{ Id: BASTION }]);
  assert.deepEqual(
    hs.map((x) => [x.id, x.port, x.hcPort, x.State]),
    [
      [BASTION, 80, '80', 'healthy'],
      [BASTION, 8080, '8080', 'healthy'],
    ],
  );

  const unknown = await awsError(() =>
    h.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: 'i-0000000000000dead' }] })),
  );
  assert.deepEqual([unknown.name, unknown.status], ['InvalidTargetException', 400]);
  await h.ec2.send(new StopInstancesCommand({ InstanceIds: [WEB2] }));
  const stopped = await awsError(() =>
    h.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: WEB2, Port: 81 }] })),
  );
  assert.deepEqual([stopped.name, stopped.status], ['InvalidTargetException', 400]);
  assert.match(stopped.message, /not in a running state/);
  const noTg = await awsError(() =>
    h.elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: arn.replace(/[0-9a-f]{16}$/, 'ffffffffffffffff'),
        Targets: [{ Id: BASTION }],
      }),
    ),
  );
  assert.deepEqual([noTg.name, noTg.status], ['TargetGroupNotFoundException', 400]);
});

test('RegisterTargets refuses instances outside the target group VPC', async (t) => {
  const h = await harness(t, twoVpcScenario());
  const tg = await h.elbv2.send(
    new CreateTargetGroupCommand({ Name: 'tg', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-0000000000000000a' }),
  );
  const e = await awsError(() =>
    h.elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tg.TargetGroups![0]!.TargetGroupArn!,
        Targets: [{ Id: 'i-000000000000000b1' }],
      }),
    ),
  );
  assert.deepEqual([e.name, e.status], ['InvalidTargetException', 400]);
  assert.match(e.message, /not in the target group VPC/);
});

test('DeregisterTargets drains for the deregistration delay of simulated time, then the target is gone', async (t) => {
  const h = await harness(t);
  const arn = await tgArn(h);
  await h.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: WEB1 }] }));
  let hs = await health(h, arn);
  assert.deepEqual(
    hs.find((x) => x.id === WEB1),
    {
      id: WEB1,
      port: 80,
      hcPort: '80',
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
      Description: 'Target deregistration is in progress',
    },
  );
  assert.equal(hs.find((x) => x.id === WEB2)?.State, 'healthy');

  h.sim.world.clock.advance(299_000);
  assert.equal((await health(h, arn)).find((x) => x.id === WEB1)?.State, 'draining');
  h.sim.world.clock.advance(2_000);
  hs = await health(h, arn);
  assert.deepEqual(
    hs.map((x) => x.id),
    [WEB2],
  );
  // Asked by name, a target that is not registered is reported unused / Target.NotRegistered.
  assert.deepEqual(await health(h, arn, [{ Id: WEB1 }]), [
    {
      id: WEB1,
      port: 80,
      hcPort: '80',
      State: 'unused',
      Reason: 'Target.NotRegistered',
      Description: 'Target is not registered to the target group',
    },
  ]);
  // Deregistering a target that is not registered succeeds, as AWS documents.
  await h.elbv2.send(
    new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: WEB1 }, { Id: BASTION, Port: 9999 }] }),
  );
  assert.deepEqual(
    (await health(h, arn)).map((x) => x.id),
    [WEB2],
  );
});

test('re-registering a draining target cancels the drain; a port override must be given to deregister it', async (t) => {
  const h = await harness(t);
  const arn = await tgArn(h);
  await h.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: WEB1 }] }));
  await h.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: WEB1 }] }));
  h.sim.world.clock.advance(400_000);
  assert.equal((await health(h, arn, [{ Id: WEB1 }]))[0]!.State, 'healthy');

  await h.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: BASTION, Port: 8080 }] }));
  await h.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: BASTION }] }));
  assert.equal(
    (await health(h, arn, [{ Id: BASTION, Port: 8080 }]))[0]!.State,
    'healthy',
    'without the port the default port is deregistered',
  );
  await h.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: BASTION, Port: 8080 }] }));
  assert.equal((await health(h, arn, [{ Id: BASTION, Port: 8080 }]))[0]!.State, 'draining');
});

test('DescribeTargetHealth: a stopped registered instance is unused / Target.InvalidState; unknown instances are invalid', async (t) => {
  const h = await harness(t);
  const arn = await tgArn(h);
  await h.ec2.send(new StopInstancesCommand({ InstanceIds: [WEB2] }));
  const hs = await health(h, arn, [{ Id: WEB2 }]);
  assert.deepEqual(hs, [
    {
      id: WEB2,
      port: 80,
      hcPort: '80',
      State: 'unused',
      Reason: 'Target.InvalidState',
      Description: 'Target is in the stopped state',
    },
  ]);
  const e = await awsError(() =>
    h.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn, Targets: [{ Id: 'i-0000000000000dead' }] })),
  );
  assert.deepEqual([e.name, e.status], ['InvalidTargetException', 400]);
});

test('DescribeTargetGroupAttributes reports the deregistration delay', async (t) => {
  const h = await harness(t);
  const r = await h.elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: await tgArn(h) }));
  const attrs = Object.fromEntries(r.Attributes!.map((a) => [a.Key, a.Value]));
  assert.equal(attrs['deregistration_delay.timeout_seconds'], '300');
  assert.equal(attrs['stickiness.enabled'], 'false');
  const e = await awsError(() =>
    h.elbv2.send(
      new DescribeTargetGroupAttributesCommand({
        TargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/x/0123456789abcdef',
      }),
    ),
  );
  assert.deepEqual([e.name, e.status], ['TargetGroupNotFoundException', 400]);
});

test('a deregistration delay of 0 removes the target at once', async (t) => {
  const h = await harness(t, twoVpcScenario());
  const arn = await tgArn(h, 'fast');
  await h.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: 'i-000000000000000a1' }] }));
  assert.deepEqual(await health(h, arn), []);
});

test('classic ELB: DescribeLoadBalancers lists instances; LoadBalancerNotFound for unknown names', async (t) => {
  const h = await harness(t, twoVpcScenario());
  const r = await h.elb.send(new DescribeLoadBalancersCommand({}));
  const lb = r.LoadBalancerDescriptions![0]!;
  assert.equal(lb.LoadBalancerName, 'legacy');
  assert.match(lb.DNSName!, /^legacy-.*\.us-east-1\.elb\.amazonaws\.com$/);
  assert.deepEqual(lb.Instances, [{ InstanceId: 'i-000000000000000a1' }]);
  assert.equal(lb.VPCId, 'vpc-0000000000000000a');
  assert.deepEqual(lb.AvailabilityZones, ['us-east-1a']);
  assert.equal(lb.ListenerDescriptions![0]!.Listener!.LoadBalancerPort, 80);
  const e = await awsError(() => h.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: ['nope'] })));
  // Wire code LoadBalancerNotFound; the SDK models it as AccessPointNotFoundException.
  assert.deepEqual([e.name, e.status], ['AccessPointNotFoundException', 400]);
  assert.equal(e.message, "There is no ACTIVE Load Balancer named 'nope'");
});

test('classic ELB: register / deregister answer the remaining instances; InvalidInstance for unknown ids', async (t) => {
  const h = await harness(t, twoVpcScenario());
  const reg = await h.elb.send(
    new RegisterInstancesWithLoadBalancerCommand({
      LoadBalancerName: 'legacy',
      Instances: [{ InstanceId: 'i-000000000000000a2' }],
    }),
  );
  assert.deepEqual(reg.Instances, [{ InstanceId: 'i-000000000000000a1' }, { InstanceId: 'i-000000000000000a2' }]);
  const other = await awsError(() =>
    h.elb.send(
      new RegisterInstancesWithLoadBalancerCommand({
        LoadBalancerName: 'legacy',
        Instances: [{ InstanceId: 'i-000000000000000b1' }],
      }),
    ),
  );
  assert.deepEqual([other.name, other.status], ['InvalidEndPointException', 400]);
  const dereg = await h.elb.send(
    new DeregisterInstancesFromLoadBalancerCommand({
      LoadBalancerName: 'legacy',
      Instances: [{ InstanceId: 'i-000000000000000a1' }],
    }),
  );
  assert.deepEqual(dereg.Instances, [{ InstanceId: 'i-000000000000000a2' }]);
  const unknown = await awsError(() =>
    h.elb.send(
      new DeregisterInstancesFromLoadBalancerCommand({
        LoadBalancerName: 'legacy',
        Instances: [{ InstanceId: 'i-0000000000000dead' }],
      }),
    ),
  );
  assert.deepEqual([unknown.name, unknown.status], ['InvalidEndPointException', 400]);
  assert.equal(unknown.message, 'Could not find EC2 instance i-0000000000000dead.');
  const noLb = await awsError(() =>
    h.elb.send(
      new DeregisterInstancesFromLoadBalancerCommand({
        LoadBalancerName: 'nope',
        Instances: [{ InstanceId: 'i-000000000000000a1' }],
      }),
    ),
  );
  assert.deepEqual([noLb.name, noLb.status], ['AccessPointNotFoundException', 400]);
  const after = await h.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: ['legacy'] }));
  assert.deepEqual(after.LoadBalancerDescriptions![0]!.Instances, [{ InstanceId: 'i-000000000000000a2' }]);
});

function twoVpcScenario(): Record<string, unknown> {
  return {
    name: 'two-vpcs',
    accounts: [
      {
        id: '111122223333',
        credentials: [{ accessKeyId: 'AKIADEMORESPONDER01' }],
        regions: [
          {
            name: 'us-east-1',
            vpcs: [
              {
                id: 'vpc-0000000000000000a',
                name: 'a',
                cidr: '10.1.0.0/16',
                subnets: [{ name: 'sa', cidr: '10.1.1.0/24', az: 'us-east-1a' }],
                securityGroups: [{ name: 'ga' }],
              },
              {
                id: 'vpc-0000000000000000b',
                name: 'b',
                cidr: '10.2.0.0/16',
                subnets: [{ name: 'sb', cidr: '10.2.1.0/24', az: 'us-east-1a' }],
                securityGroups: [{ name: 'gb' }],
              },
            ],
            instances: [
              { id: 'i-000000000000000a1', subnet: 'sa', securityGroups: ['ga'] },
              { id: 'i-000000000000000a2', subnet: 'sa', securityGroups: ['ga'] },
              { id: 'i-000000000000000b1', subnet: 'sb', securityGroups: ['gb'] },
            ],
            targetGroups: [
              { name: 'fast', vpc: 'a', deregistrationDelay: 0, targets: [{ instance: 'i-000000000000000a1' }] },
            ],
            classicLoadBalancers: [
              { name: 'legacy', vpc: 'a', subnets: ['sa'], securityGroups: ['ga'], instances: ['i-000000000000000a1'] },
            ],
          },
        ],
      },
    ],
  };
}
