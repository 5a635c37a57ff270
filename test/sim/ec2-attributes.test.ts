import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  ModifyInstanceAttributeCommand,
  ModifyInstanceMetadataOptionsCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type InstanceAttributeName,
} from '@aws-sdk/client-ec2';
import { awsError } from '../helpers/sim.js';
import { harness, IDS, readOnlyEc2, settle, version } from './ec2-fixture.js';
import type { SimHarness } from '../helpers/sim.js';

const attr = (h: SimHarness, InstanceId: string, Attribute: InstanceAttributeName) =>
  h.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId, Attribute }));

async function eniGroups(h: SimHarness, id: string): Promise<string[]> {
  const r = await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }));
  return r.NetworkInterfaces![0]!.Groups!.map((g) => g.GroupId!);
}

// ---- ModifyInstanceAttribute: groups ------------------------------------------------------------------------------

test('ModifyInstanceAttribute Groups replaces the groups of a single-ENI instance', async (t) => {
  const h = await harness(t);
  await h.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: IDS.web, Groups: [IDS.sgIso] }));
  assert.deepEqual(await eniGroups(h, IDS.webEni), [IDS.sgIso]);
  const r = await attr(h, IDS.web, 'groupSet');
  assert.deepEqual(r.Groups, [{ GroupId: IDS.sgIso, GroupName: 'isolation' }]);
  assert.equal(r.InstanceId, IDS.web);
  const i = (await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [IDS.web] }))).Reservations![0]!
    .Instances![0]!;
  assert.deepEqual(i.SecurityGroups, [{ GroupId: IDS.sgIso, GroupName: 'isolation' }]);
});

test('ModifyInstanceAttribute Groups on a multi-ENI instance: InvalidInstanceID, nothing changes', async (t) => {
  const h = await harness(t);
  const e = await awsError(() =>
    h.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: IDS.multi, Groups: [IDS.sgIso] })),
  );
  assert.deepEqual([e.name, e.status], ['InvalidInstanceID', 400]);
  assert.equal(
    e.message,
    `There are multiple interfaces attached to instance '${IDS.multi}'. Please specify an interface ID for the operation instead.`,
  );
  assert.deepEqual(await eniGroups(h, IDS.multiEni0), [IDS.sgApp]);
  assert.deepEqual(await eniGroups(h, IDS.multiEni1), [IDS.sgApp]);
  // Even as a DryRun, the refusal comes first.
  const dry = await awsError(() =>
    h.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: IDS.multi, Groups: [IDS.sgIso], DryRun: true })),
  );
  assert.equal(dry.name, 'InvalidInstanceID');
});

test('ModifyInstanceAttribute Groups: limit, other VPC, unknown group', async (t) => {
  const h = await harness(t);
  const cases: [string[], string][] = [
    [[IDS.sgApp, IDS.sgIso, IDS.sg3, IDS.sg4, IDS.sg5, IDS.sg6], 'SecurityGroupsPerInterfaceLimitExceeded'],
    [[IDS.sgOther], 'InvalidGroup.NotFound'],
    [['sg-0123456789abcdef0'], 'InvalidGroup.NotFound'],
  ];
  for (const [Groups, code] of cases) {
    const e = await awsError(() => h.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: IDS.web, Groups })));
    assert.equal(e.name, code);
  }
  assert.deepEqual(await eniGroups(h, IDS.webEni), [IDS.sgApp]);
});

// ---- ModifyInstanceAttribute: other attributes ------------------------------------------------------------------

test('ModifyInstanceAttribute: termination protection, shutdown behaviour and stop protection read back', async (t) => {
  const h = await harness(t);
  assert.deepEqual((await attr(h, IDS.web, 'disableApiTermination')).DisableApiTermination, { Value: false });
  assert.deepEqual((await attr(h, IDS.web, 'instanceInitiatedShutdownBehavior')).InstanceInitiatedShutdownBehavior, {
    Value: 'stop',
  });
  assert.deepEqual((await attr(h, IDS.web, 'disableApiStop')).DisableApiStop, { Value: false });
  await h.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: IDS.web, DisableApiTermination: { Value: true } }));
  await h.ec2.send(
    new ModifyInstanceAttributeCommand({
      InstanceId: IDS.web,
      InstanceInitiatedShutdownBehavior: { Value: 'terminate' },
    }),
  );
  await h.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: IDS.web, DisableApiStop: { Value: true } }));
  assert.deepEqual((await attr(h, IDS.web, 'disableApiTermination')).DisableApiTermination, { Value: true });
  assert.deepEqual((await attr(h, IDS.web, 'instanceInitiatedShutdownBehavior')).InstanceInitiatedShutdownBehavior, {
    Value: 'terminate',
  });
  assert.deepEqual((await attr(h, IDS.web, 'disableApiStop')).DisableApiStop, { Value: true });
  // Both protections take effect.
  assert.equal(
    (await awsError(() => h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [IDS.web] })))).name,
    'OperationNotPermitted',
  );
  assert.equal(
    (await awsError(() => h.ec2.send(new StopInstancesCommand({ InstanceIds: [IDS.web] })))).name,
    'OperationNotPermitted',
  );
  // The Attribute/Value form works too.
  await h.ec2.send(
    new ModifyInstanceAttributeCommand({ InstanceId: IDS.web, Attribute: 'disableApiTermination', Value: 'false' }),
  );
  assert.deepEqual((await attr(h, IDS.web, 'disableApiTermination')).DisableApiTermination, { Value: false });
  await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [IDS.web] }));
});

test('ModifyInstanceAttribute BlockDeviceMapping sets DeleteOnTermination per device', async (t) => {
  const h = await harness(t);
  await h.ec2.send(
    new ModifyInstanceAttributeCommand({
      InstanceId: IDS.web,
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: false } },
        { DeviceName: '/dev/sdf', Ebs: { DeleteOnTermination: true, VolumeId: IDS.webData } },
      ],
    }),
  );
  const r = await attr(h, IDS.web, 'blockDeviceMapping');
  assert.deepEqual(
    r.BlockDeviceMappings!.map((b) => [b.DeviceName, b.Ebs?.VolumeId, b.Ebs?.DeleteOnTermination, b.Ebs?.Status]),
    [
      ['/dev/xvda', IDS.webRoot, false, 'attached'],
      ['/dev/sdf', IDS.webData, true, 'attached'],
    ],
  );
  const e = await awsError(() =>
    h.ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: IDS.web,
        BlockDeviceMappings: [{ DeviceName: '/dev/sdz', Ebs: { DeleteOnTermination: false } }],
      }),
    ),
  );
  assert.equal(e.name, 'InvalidInstanceAttributeValue');
  assert.match(e.message, /\/dev\/sdz/);
});

test('ModifyInstanceAttribute: instance type needs a stopped instance; SourceDestCheck on one ENI', async (t) => {
  const h = await harness(t);
  const running = await awsError(() =>
    h.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: IDS.web, InstanceType: { Value: 't3.large' } })),
  );
  assert.equal(running.name, 'IncorrectInstanceState');
  await h.ec2.send(
    new ModifyInstanceAttributeCommand({ InstanceId: IDS.stopped, InstanceType: { Value: 't3.large' } }),
  );
  assert.deepEqual((await attr(h, IDS.stopped, 'instanceType')).InstanceType, { Value: 't3.large' });
  await h.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: IDS.web, SourceDestCheck: { Value: false } }));
  assert.deepEqual((await attr(h, IDS.web, 'sourceDestCheck')).SourceDestCheck, { Value: false });
  const multi = await awsError(() =>
    h.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: IDS.multi, SourceDestCheck: { Value: false } })),
  );
  assert.equal(multi.name, 'InvalidInstanceID');
});

test('ModifyInstanceAttribute: one attribute per call, values checked, terminated instances refused', async (t) => {
  const h = await harness(t);
  const two = await awsError(() =>
    h.ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: IDS.web,
        DisableApiTermination: { Value: true },
        Groups: [IDS.sgIso],
      }),
    ),
  );
  assert.equal(two.name, 'InvalidParameterCombination');
  const none = await awsError(() => h.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: IDS.web })));
  assert.equal(none.name, 'MissingParameter');
  const badBehaviour = await awsError(() =>
    h.ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: IDS.web,
        InstanceInitiatedShutdownBehavior: { Value: 'explode' },
      }),
    ),
  );
  assert.equal(badBehaviour.name, 'InvalidParameterValue');
  const nf = await awsError(() =>
    h.ec2.send(
      new ModifyInstanceAttributeCommand({ InstanceId: 'i-0123456789abcdef0', DisableApiTermination: { Value: true } }),
    ),
  );
  assert.equal(nf.name, 'InvalidInstanceID.NotFound');
  assert.deepEqual((await attr(h, IDS.web, 'disableApiTermination')).DisableApiTermination, { Value: false });
  assert.deepEqual(await eniGroups(h, IDS.webEni), [IDS.sgApp]);
  await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [IDS.xen] }));
  settle(h);
  const gone = await awsError(() =>
    h.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: IDS.xen, DisableApiTermination: { Value: true } })),
  );
  assert.equal(gone.name, 'IncorrectInstanceState');
});

test('ModifyInstanceAttribute: DryRun 412 and a Describe-only key 403 change nothing', async (t) => {
  const h = await harness(t);
  const ro = readOnlyEc2(t, h);
  const before = version(h);
  const inputs = [
    { InstanceId: IDS.web, Groups: [IDS.sgIso] },
    { InstanceId: IDS.web, DisableApiTermination: { Value: true } },
    { InstanceId: IDS.web, InstanceInitiatedShutdownBehavior: { Value: 'terminate' } },
    { InstanceId: IDS.web, BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: false } }] },
  ];
  for (const input of inputs) {
    const dry = await awsError(() => h.ec2.send(new ModifyInstanceAttributeCommand({ ...input, DryRun: true })));
    assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
    const denied = await awsError(() => ro.send(new ModifyInstanceAttributeCommand(input)));
    assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
  }
  assert.equal(version(h), before);
  assert.deepEqual(await eniGroups(h, IDS.webEni), [IDS.sgApp]);
  assert.deepEqual((await attr(h, IDS.web, 'disableApiTermination')).DisableApiTermination, { Value: false });
  assert.deepEqual((await attr(h, IDS.web, 'instanceInitiatedShutdownBehavior')).InstanceInitiatedShutdownBehavior, {
    Value: 'stop',
  });
  assert.equal((await attr(h, IDS.web, 'blockDeviceMapping')).BlockDeviceMappings![0]!.Ebs?.DeleteOnTermination, true);
});

// ---- DescribeInstanceAttribute ----------------------------------------------------------------------------------

test('DescribeInstanceAttribute: every attribute answers its own element; unknown ones are refused', async (t) => {
  const h = await harness(t);
  assert.deepEqual((await attr(h, IDS.web, 'rootDeviceName')).RootDeviceName, { Value: '/dev/xvda' });
  assert.deepEqual((await attr(h, IDS.web, 'instanceType')).InstanceType, { Value: 't3.micro' });
  assert.deepEqual((await attr(h, IDS.web, 'enaSupport')).EnaSupport, { Value: true });
  assert.deepEqual((await attr(h, IDS.web, 'ebsOptimized')).EbsOptimized, { Value: false });
  assert.deepEqual((await attr(h, IDS.web, 'productCodes')).ProductCodes, []);
  const g = await attr(h, IDS.web, 'groupSet');
  assert.equal(g.DisableApiTermination, undefined);
  const bad = await awsError(() => attr(h, IDS.web, 'colour' as InstanceAttributeName));
  assert.equal(bad.name, 'InvalidParameterValue');
  const nf = await awsError(() => attr(h, 'i-0123456789abcdef0', 'groupSet'));
  assert.equal(nf.name, 'InvalidInstanceID.NotFound');
  const dry = await awsError(() =>
    h.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: IDS.web, Attribute: 'groupSet', DryRun: true })),
  );
  assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
});

// ---- ModifyInstanceMetadataOptions ------------------------------------------------------------------------------

test('ModifyInstanceMetadataOptions: answers pending with the new values; the next describe shows applied', async (t) => {
  const h = await harness(t);
  const r = await h.ec2.send(
    new ModifyInstanceMetadataOptionsCommand({
      InstanceId: IDS.web,
      HttpEndpoint: 'disabled',
      HttpPutResponseHopLimit: 1,
    }),
  );
  assert.equal(r.InstanceId, IDS.web);
  assert.deepEqual(r.InstanceMetadataOptions, {
    State: 'pending',
    HttpTokens: 'required',
    HttpPutResponseHopLimit: 1,
    HttpEndpoint: 'disabled',
    HttpProtocolIpv6: 'disabled',
    InstanceMetadataTags: 'disabled',
  });
  const i = (await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [IDS.web] }))).Reservations![0]!
    .Instances![0]!;
  assert.deepEqual(
    [i.MetadataOptions?.State, i.MetadataOptions?.HttpEndpoint, i.MetadataOptions?.HttpPutResponseHopLimit],
    ['applied', 'disabled', 1],
  );
  await h.ec2.send(
    new ModifyInstanceMetadataOptionsCommand({
      InstanceId: IDS.web,
      HttpTokens: 'optional',
      HttpProtocolIpv6: 'enabled',
      InstanceMetadataTags: 'enabled',
      HttpPutResponseHopLimit: 64,
    }),
  );
  const j = (await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [IDS.web] }))).Reservations![0]!
    .Instances![0]!;
  assert.deepEqual(
    [
      j.MetadataOptions?.HttpTokens,
      j.MetadataOptions?.HttpProtocolIpv6,
      j.MetadataOptions?.InstanceMetadataTags,
      j.MetadataOptions?.HttpEndpoint,
      j.MetadataOptions?.HttpPutResponseHopLimit,
    ],
    ['optional', 'enabled', 'enabled', 'disabled', 64],
  );
});

test('ModifyInstanceMetadataOptions: ranges and values checked; DryRun and 403 change nothing', async (t) => {
  const h = await harness(t);
  for (const bad of [
    { HttpPutResponseHopLimit: 0 },
    { HttpPutResponseHopLimit: 65 },
    { HttpEndpoint: 'off' },
    { HttpTokens: 'maybe' },
  ]) {
    const e = await awsError(() =>
      h.ec2.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: IDS.web, ...(bad as object) })),
    );
    assert.deepEqual([e.name, e.status], ['InvalidParameterValue', 400], JSON.stringify(bad));
  }
  const none = await awsError(() => h.ec2.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: IDS.web })));
  assert.equal(none.name, 'MissingParameter');
  const dry = await awsError(() =>
    h.ec2.send(
      new ModifyInstanceMetadataOptionsCommand({ InstanceId: IDS.web, HttpEndpoint: 'disabled', DryRun: true }),
    ),
  );
  assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
  const denied = await awsError(() =>
    readOnlyEc2(t, h).send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: IDS.web, HttpEndpoint: 'disabled' })),
  );
  assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
  const i = (await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [IDS.web] }))).Reservations![0]!
    .Instances![0]!;
  assert.deepEqual([i.MetadataOptions?.HttpEndpoint, i.MetadataOptions?.HttpPutResponseHopLimit], ['enabled', 2]);
});
