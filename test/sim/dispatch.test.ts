import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { startHarness, clients } from '../helpers/sim.js';
import { startSimulatorHarness } from '../helpers/control.js';
import { allServices } from '../../src/sim/services/index.js';
import { ec2Service } from '../../src/sim/services/ec2/index.js';
import type { ServiceDef } from '../../src/sim/services/framework.js';
import { AwsError } from '../../src/sim/errors.js';
import type { World } from '../../src/sim/state/world.js';

interface RawOptions {
  service?: string;
  region?: string;
  accessKeyId?: string;
  method?: 'GET' | 'POST';
  authorization?: string | null;
}

/** A request as an SDK would send it, with a signed-looking Authorization header (the simulator reads the scope). */
async function raw(
  endpoint: string,
  form: Record<string, string>,
  o: RawOptions = {},
): Promise<{ status: number; type: string; body: string }> {
  const auth =
    o.authorization === undefined
      ? `AWS4-HMAC-SHA256 Credential=${o.accessKeyId ?? 'AKIADEMORESPONDER01'}/20240101/${o.region ?? 'us-east-1'}/${o.service ?? 'ec2'}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`
      : o.authorization;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  if (auth !== null) headers.authorization = auth;
  const qs = new URLSearchParams(form).toString();
  const res =
    o.method === 'GET'
      ? await fetch(`${endpoint}/?${qs}`, { method: 'GET', headers })
      : await fetch(`${endpoint}/`, { method: 'POST', headers, body: qs });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

const instanceIds = (r: { Reservations?: { Instances?: { InstanceId?: string }[] }[] }): string[] =>
  (r.Reservations ?? []).flatMap((x) => (x.Instances ?? []).map((i) => i.InstanceId!)).sort();

test("an unknown Action is 400 InvalidAction in the service's own error envelope (EC2 and awsQuery)", async () => {
  const h = await startHarness('demo');
  try {
    const e = await raw(h.endpoint, { Action: 'DescribeUnicorns', Version: '2016-11-15' });
    assert.equal(e.status, 400);
    assert.match(e.type, /xml/);
    assert.match(
      e.body,
      /<Response><Errors><Error><Code>InvalidAction<\/Code><Message>The action DescribeUnicorns is not valid for this web service\.<\/Message><\/Error><\/Errors><RequestID>[^<]+<\/RequestID><\/Response>/,
    );

    const q = await raw(h.endpoint, { Action: 'DescribeUnicorns', Version: '2011-01-01' }, { service: 'autoscaling' });
    assert.equal(q.status, 400);
    assert.match(
      q.body,
      /<ErrorResponse xmlns="http:\/\/autoscaling\.amazonaws\.com\/doc\/2011-01-01\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/,
    );

    // The scope's service picks the service, not the action name: an EC2 action signed for autoscaling is unknown
    // there.
    const wrong = await raw(
      h.endpoint,
      { Action: 'DescribeInstances', Version: '2011-01-01' },
      { service: 'autoscaling' },
    );
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/);

    const none = await raw(h.endpoint, { Version: '2016-11-15' });
    assert.equal(none.status, 400);
    assert.match(none.body, /<Code>(MissingAction|InvalidAction)<\/Code>/);
  } finally {
    await h.close();
  }
});

test('a request without Authorization is 401 AuthFailure', async () => {
  const h = await startHarness('demo');
  try {
    const r = await raw(h.endpoint, { Action: 'DescribeInstances', Version: '2016-11-15' }, { authorization: null });
    assert.equal(r.status, 401);
    assert.match(
      r.body,
      /<Code>AuthFailure<\/Code><Message>AWS was not able to validate the provided access credentials<\/Message>/,
    );
    const garbage = await raw(
      h.endpoint,
      { Action: 'DescribeInstances', Version: '2016-11-15' },
      { authorization: 'Bearer abc' },
    );
    assert.equal(garbage.status, 401);
  } finally {
    await h.close();
  }
});

test('routing: the SigV4 scope region picks the region, the access key picks the account (unknown keys → the default account)', async () => {
  const h = await startHarness('multi-account', { accessKeyId: 'AKIAMULTIPRIMARY001' });
  const eu = clients(h.endpoint, { accessKeyId: 'AKIAMULTIPRIMARY001', region: 'eu-west-1' });
  const stranger = clients(h.endpoint, { accessKeyId: 'AKIASOMEBODYELSE001' });
  const workload = clients(h.endpoint, { accessKeyId: 'AKIAMULTIWORKLOAD01' });
  const workloadEu = clients(h.endpoint, { accessKeyId: 'AKIAMULTIWORKLOAD01', region: 'eu-west-1' });
  const empty = clients(h.endpoint, { accessKeyId: 'AKIAMULTIPRIMARY001', region: 'ap-south-1' });
  try {
    assert.deepEqual(instanceIds(await h.ec2.send(new DescribeInstancesCommand({}))), ['i-0aaa00000000000a1']);
    assert.deepEqual(instanceIds(await eu.ec2.send(new DescribeInstancesCommand({}))), ['i-0aaa00000000000e1']);
    assert.deepEqual(instanceIds(await stranger.ec2.send(new DescribeInstancesCommand({}))), ['i-0aaa00000000000a1']);
    assert.deepEqual(instanceIds(await workload.ec2.send(new DescribeInstancesCommand({}))), ['i-0bbb00000000000a1']);
    assert.deepEqual(instanceIds(await workloadEu.ec2.send(new DescribeInstancesCommand({}))), ['i-0bbb00000000000e1']);
    assert.deepEqual(instanceIds(await empty.ec2.send(new DescribeInstancesCommand({}))), []);
    const owners = (await workload.ec2.send(new DescribeInstancesCommand({}))).Reservations!.map((r) => r.OwnerId);
    assert.deepEqual(owners, ['444455556666']);
    const log = h.sim.world.calls.map((c) => [c.accountId, c.region]);
    assert.deepEqual(log, [
      ['111122223333', 'us-east-1'],
      ['111122223333', 'eu-west-1'],
      ['111122223333', 'us-east-1'],
      ['444455556666', 'us-east-1'],
      ['444455556666', 'eu-west-1'],
      ['111122223333', 'ap-south-1'],
      ['444455556666', 'us-east-1'],
    ]);
  } finally {
    for (const c of [eu, stranger, workload, workloadEu, empty]) c.ec2.destroy();
    await h.close();
  }
});

test('GET with a query string works like POST', async () => {
  const h = await startHarness('demo');
  try {
    const r = await raw(
      h.endpoint,
      { Action: 'DescribeInstances', Version: '2016-11-15', 'InstanceId.1': 'i-0c0ffee0000000002' },
      { method: 'GET' },
    );
    assert.equal(r.status, 200);
    assert.match(
      r.body,
      /<DescribeInstancesResponse xmlns="http:\/\/ec2\.amazonaws\.com\/doc\/2016-11-15\/"><requestId>/,
    );
    assert.match(r.body, /<instanceId>i-0c0ffee0000000002<\/instanceId>/);
    assert.doesNotMatch(r.body, /i-0c0ffee0000000001/);
    // Presigned form: the scope comes from X-Amz-Credential.
    const qs = new URLSearchParams({
      Action: 'DescribeInstances',
      Version: '2016-11-15',
      'X-Amz-Credential': 'AKIADEMORESPONDER01/20240101/us-east-1/ec2/aws4_request',
    });
    const p = await fetch(`${h.endpoint}/?${qs}`);
    assert.equal(p.status, 200);
    assert.match(await p.text(), /<instanceId>i-0c0ffee0000000001<\/instanceId>/);
  } finally {
    await h.close();
  }
});

/** Demo-scenario ids and generated ids (associations) for DryRun calls. */
function dryRunParams(world: World): Record<string, Record<string, string>> {
  const ec2 = world.region('111122223333', 'us-east-1').ec2;
  const nacl = [...ec2.networkAcls.values()].find((n) =>
    n.associations.some((a) => a.subnetId === 'subnet-0a1b2c3d4e5f60001'),
  )!;
  const naclAssoc = nacl.associations.find((a) => a.subnetId === 'subnet-0a1b2c3d4e5f60001')!.networkAclAssociationId;
  const rtbAssoc = ec2.routeTables
    .get('rtb-0a1b2c3d4e5f60002')!
    .associations.find((a) => a.subnetId === 'subnet-0a1b2c3d4e5f60001')!.routeTableAssociationId;
  const eth1Attachment = ec2.networkInterfaces.get('eni-0c0ffee0000000002')!.attachment!.attachmentId;
  const iip = [...ec2.iamInstanceProfileAssociations.values()].find(
    (a) => a.instanceId === 'i-0c0ffee0000000001',
  )!.associationId;
  const perm = (p: string, port: string, cidr: string): Record<string, string> => ({
    'IpPermissions.1.IpProtocol': p,
    ...(port ? { 'IpPermissions.1.FromPort': port, 'IpPermissions.1.ToPort': port } : {}),
    'IpPermissions.1.IpRanges.1.CidrIp': cidr,
  });
  const SG = 'sg-0a1b2c3d4e5f60001';
  return {
    ModifyNetworkInterfaceAttribute: { NetworkInterfaceId: 'eni-0c0ffee0000000001', 'SecurityGroupId.1': SG },
    CreateTags: { 'ResourceId.1': 'i-0c0ffee0000000001', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' },
    DeleteTags: { 'ResourceId.1': 'i-0c0ffee0000000001', 'Tag.1.Key': 'app' },
    ModifyInstanceAttribute: { InstanceId: 'i-0c0ffee0000000001', 'DisableApiTermination.Value': 'true' },
    ModifyInstanceMetadataOptions: { InstanceId: 'i-0c0ffee0000000001', HttpEndpoint: 'disabled' },
    DisassociateIamInstanceProfile: { AssociationId: iip },
    AssociateIamInstanceProfile: { InstanceId: 'i-0c0ffee0000000003', 'IamInstanceProfile.Name': 'web-app-profile' },
    ReplaceIamInstanceProfileAssociation: { AssociationId: iip, 'IamInstanceProfile.Name': 'web-app-profile' },
    CreateSecurityGroup: { GroupName: 'dryrun-group', GroupDescription: 'x', VpcId: 'vpc-0a1b2c3d4e5f60001' },
    AuthorizeSecurityGroupIngress: { GroupId: SG, ...perm('tcp', '8080', '10.9.0.0/16') },
    AuthorizeSecurityGroupEgress: { GroupId: SG, ...perm('tcp', '8080', '10.9.0.0/16') },
    RevokeSecurityGroupIngress: { GroupId: SG, ...perm('tcp', '443', '0.0.0.0/0') },
    RevokeSecurityGroupEgress: { GroupId: SG, ...perm('-1', '', '0.0.0.0/0') },
    StopInstances: { 'InstanceId.1': 'i-0c0ffee0000000001' },
    TerminateInstances: { 'InstanceId.1': 'i-0c0ffee0000000003' },
    CreateSnapshot: { VolumeId: 'vol-0c0ffee0000000001' },
    CreateSnapshots: { 'InstanceSpecification.InstanceId': 'i-0c0ffee0000000001' },
    CreateImage: { InstanceId: 'i-0c0ffee0000000001', Name: 'dryrun-image' },
    CreateNetworkAcl: { VpcId: 'vpc-0a1b2c3d4e5f60001' },
    CreateNetworkAclEntry: {
      NetworkAclId: nacl.networkAclId,
      RuleNumber: '50',
      Protocol: '-1',
      RuleAction: 'deny',
      Egress: 'false',
      CidrBlock: '0.0.0.0/0',
    },
    ReplaceNetworkAclAssociation: { AssociationId: naclAssoc, NetworkAclId: nacl.networkAclId },
    CreateRouteTable: { VpcId: 'vpc-0a1b2c3d4e5f60001' },
    ReplaceRouteTableAssociation: { AssociationId: rtbAssoc, RouteTableId: 'rtb-0a1b2c3d4e5f60001' },
    DeleteRoute: { RouteTableId: 'rtb-0a1b2c3d4e5f60002', DestinationCidrBlock: '0.0.0.0/0' },
    CreateRoute: {
      RouteTableId: 'rtb-0a1b2c3d4e5f60001',
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: 'igw-0a1b2c3d4e5f60001',
    },
    CreateVolume: { AvailabilityZone: 'us-east-1a', Size: '8' },
    DetachVolume: { VolumeId: 'vol-0c0ffee0000000002' },
    CreateNetworkInterface: { SubnetId: 'subnet-0a1b2c3d4e5f60001' },
    AllocateAddress: { Domain: 'vpc' },
    CreateInternetGateway: {},
    CreateVpc: { CidrBlock: '10.50.0.0/16' },
    CreateSubnet: { VpcId: 'vpc-0a1b2c3d4e5f60001', CidrBlock: '10.0.99.0/24' },
    DeleteNetworkAclEntry: { NetworkAclId: nacl.networkAclId, RuleNumber: '100', Egress: 'false' },
    ReplaceNetworkAclEntry: {
      NetworkAclId: nacl.networkAclId,
      RuleNumber: '100',
      Protocol: '-1',
      RuleAction: 'deny',
      Egress: 'false',
      CidrBlock: '0.0.0.0/0',
    },
    ReplaceRoute: {
      RouteTableId: 'rtb-0a1b2c3d4e5f60002',
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: 'igw-0a1b2c3d4e5f60001',
    },
    DisassociateRouteTable: { AssociationId: rtbAssoc },
    DetachNetworkInterface: { AttachmentId: eth1Attachment },
    RunInstances: {
      ImageId: 'ami-0abcdef1234567890',
      MinCount: '1',
      MaxCount: '1',
      SubnetId: 'subnet-0a1b2c3d4e5f60001',
    },
  };
}

test('every DryRun of a mutating EC2 call leaves the world unchanged (and a valid one answers 412 DryRunOperation)', async () => {
  const h = await startHarness('demo');
  try {
    h.sim.world.clock.freeze(true);
    const params = dryRunParams(h.sim.world);
    const mutating = Object.keys(ec2Service.actions)
      .filter((a) => !/^(Describe|Get|List|Search)/.test(a))
      .sort();
    assert.ok(mutating.includes('ModifyNetworkInterfaceAttribute') && mutating.includes('CreateTags'));
    const before = JSON.stringify(h.sim.world.dump());
    const versionBefore = h.sim.world.version;
    const unexpected: string[] = [];
    for (const action of mutating) {
      const r = await raw(h.endpoint, {
        Action: action,
        Version: '2016-11-15',
        DryRun: 'true',
        ...(params[action] ?? {}),
      });
      if (params[action] && (r.status !== 412 || !r.body.includes('<Code>DryRunOperation</Code>')))
        unexpected.push(
          `${action}: ${r.status} ${r.body.slice(r.body.indexOf('<Code>'), r.body.indexOf('</Message>'))}`,
        );
      if (r.status === 200 || r.status === 500) unexpected.push(`${action}: ${r.status} for a DryRun`);
      assert.equal(JSON.stringify(h.sim.world.dump()), before, `DryRun ${action} changed the world`);
    }
    assert.deepEqual(unexpected, []);
    assert.equal(h.sim.world.version, versionBefore);
  } finally {
    await h.close();
  }
});

const boom: ServiceDef = {
  signingName: 'boom',
  apiVersion: '2020-01-01',
  protocol: 'query',
  xmlns: 'https://boom.example/doc/2020-01-01/',
  iamPrefix: 'boom',
  actions: {
    TypeError: () => {
      const o = undefined as unknown as { x: number };
      return { v: o.x };
    },
    ThrowString: () => {
      throw 'not an Error';
    },
    Reject: async () => Promise.reject(new RangeError('deep')),
    Circular: () => {
      const o: Record<string, unknown> = {};
      o.self = o;
      return o as never;
    },
    Aws: () => {
      throw new AwsError('ValidationError', 'bad <input> & more');
    },
  },
};

const boomEc2: ServiceDef = { ...boom, signingName: 'boomec2', protocol: 'ec2', xmlns: 'http://boom.example/ec2/' };

test("no handler failure produces an HTML page: unexpected exceptions answer 500 InternalError in the service's XML envelope", async () => {
  const h = await startSimulatorHarness({ scenario: 'demo', services: [...allServices, boom, boomEc2] });
  const originalError = console.error;
  console.error = () => undefined; // the simulator logs each failure; keep the test output clean
  try {
    for (const action of ['TypeError', 'ThrowString', 'Reject', 'Circular']) {
      const q = await raw(h.endpoint, { Action: action, Version: '2020-01-01' }, { service: 'boom' });
      assert.equal(q.status, 500, action);
      assert.match(q.type, /^text\/xml/, action);
      assert.match(
        q.body,
        /<ErrorResponse xmlns="https:\/\/boom\.example\/doc\/2020-01-01\/"><Error><Type>Receiver<\/Type><Code>InternalFailure<\/Code>/,
        action,
      );
      assert.doesNotMatch(q.body, /<html|TypeError|not an Error|deep/i, action);
      const e = await raw(h.endpoint, { Action: action, Version: '2020-01-01' }, { service: 'boomec2' });
      assert.equal(e.status, 500, action);
      assert.match(e.body, /<Response><Errors><Error><Code>InternalError<\/Code>/, action);
    }
    const v = await raw(h.endpoint, { Action: 'Aws', Version: '2020-01-01' }, { service: 'boom' });
    assert.equal(v.status, 400);
    assert.match(v.body, /<Code>ValidationError<\/Code><Message>bad &lt;input&gt; &amp; more<\/Message>/);
    // The simulator is still healthy afterwards.
    assert.equal((await h.ec2.send(new DescribeInstancesCommand({}))).Reservations!.length, 3);
  } finally {
    console.error = originalError;
    await h.close();
  }
});
