import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachNetworkInterfaceCommand,
  ModifyInstanceAttributeCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVolumesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type Instance,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { awsError } from '../helpers/sim.js';
import { ACCOUNT, harness, IDS, readOnlyEc2, settle, version } from './ec2-fixture.js';

async function instance(ec2: EC2Client, id: string): Promise<Instance> {
  const r = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return r.Reservations![0]!.Instances![0]!;
}

const base: RunInstancesCommandInput = {
  ImageId: 'ami-0123456789abcdef0',
  InstanceType: 't3.micro',
  MinCount: 1,
  MaxCount: 1,
  SubnetId: IDS.subnetA,
};

// ---- RunInstances -------------------------------------------------------------------------------------------------

test('RunInstances: one reservation, pending then running, root volume, ENI, tags on instance / volume / interface', async (t) => {
  const h = await harness(t);
  h.sim.world.clock.freeze(true);
  const r = await h.ec2.send(
    new RunInstancesCommand({
      ...base,
      SecurityGroupIds: [IDS.sgApp],
      PrivateIpAddress: '10.1.1.77',
      TagSpecifications: [
        { ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'new-box' }] },
        { ResourceType: 'volume', Tags: [{ Key: 'Backup', Value: 'yes' }] },
        { ResourceType: 'network-interface', Tags: [{ Key: 'Role', Value: 'primary' }] },
      ],
    }),
  );
  assert.match(r.ReservationId!, /^r-[0-9a-f]{17}$/);
  assert.equal(r.OwnerId, ACCOUNT);
  assert.equal(r.Instances!.length, 1);
  const i = r.Instances![0]!;
  assert.match(i.InstanceId!, /^i-[0-9a-f]{17}$/);
  assert.deepEqual(i.State, { Code: 0, Name: 'pending' });
  assert.deepEqual(
    [i.ImageId, i.InstanceType, i.SubnetId, i.VpcId, i.PrivateIpAddress],
    [base.ImageId, 't3.micro', IDS.subnetA, IDS.vpc, '10.1.1.77'],
  );
  assert.equal(i.Placement?.AvailabilityZone, 'us-east-1a');
  assert.deepEqual(i.SecurityGroups, [{ GroupId: IDS.sgApp, GroupName: 'app' }]);
  assert.deepEqual(i.Tags, [{ Key: 'Name', Value: 'new-box' }]);
  assert.equal(i.PublicIpAddress, undefined);
  assert.equal(i.NetworkInterfaces!.length, 1);
  assert.equal(i.NetworkInterfaces![0]!.Attachment?.DeviceIndex, 0);
  assert.equal(i.NetworkInterfaces![0]!.Attachment?.DeleteOnTermination, true);
  assert.equal(i.BlockDeviceMappings!.length, 1);
  assert.equal(i.BlockDeviceMappings![0]!.DeviceName, '/dev/xvda');
  assert.equal(i.BlockDeviceMappings![0]!.Ebs?.DeleteOnTermination, true);
  assert.equal(i.MetadataOptions?.HttpTokens, 'required');
  // Still pending while the simulated clock stands still; running once it moves on.
  assert.equal((await instance(h.ec2, i.InstanceId!)).State?.Name, 'pending');
  settle(h);
  assert.deepEqual((await instance(h.ec2, i.InstanceId!)).State, { Code: 16, Name: 'running' });
  const vol = (await h.ec2.send(new DescribeVolumesCommand({ VolumeIds: [i.BlockDeviceMappings![0]!.Ebs!.VolumeId!] })))
    .Volumes![0]!;
  assert.deepEqual(vol.Tags, [{ Key: 'Backup', Value: 'yes' }]);
  assert.equal(vol.Size, 8);
  const eni = (
    await h.ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [i.NetworkInterfaces![0]!.NetworkInterfaceId!] }),
    )
  ).NetworkInterfaces![0]!;
  assert.deepEqual(eni.TagSet, [{ Key: 'Role', Value: 'primary' }]);
});

test('RunInstances: NetworkInterface specs with conntrack, profile by ARN, metadata options, block devices, MinCount/MaxCount', async (t) => {
  const h = await harness(t);
  const r = await h.ec2.send(
    new RunInstancesCommand({
      ImageId: base.ImageId,
      InstanceType: 'm5.large',
      MinCount: 2,
      MaxCount: 3,
      NetworkInterfaces: [
        {
          DeviceIndex: 0,
          SubnetId: IDS.subnetA,
          Groups: [IDS.sgApp, IDS.sgIso],
          ConnectionTrackingSpecification: { TcpEstablishedTimeout: 120, UdpTimeout: 45 },
          Ipv6AddressCount: 1,
        },
        { DeviceIndex: 1, SubnetId: IDS.subnetTiny, DeleteOnTermination: false, Description: 'mgmt' },
      ],
      IamInstanceProfile: { Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/team/alt-profile` },
      MetadataOptions: {
        HttpTokens: 'optional',
        HttpPutResponseHopLimit: 3,
        HttpEndpoint: 'enabled',
        InstanceMetadataTags: 'enabled',
      },
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 30, VolumeType: 'gp2' } },
        { DeviceName: '/dev/sdf', Ebs: { VolumeSize: 100, DeleteOnTermination: false } },
      ],
      DisableApiTermination: true,
      InstanceInitiatedShutdownBehavior: 'terminate',
    }),
  );
  assert.equal(r.Instances!.length, 3);
  assert.equal(new Set(r.Instances!.map((i) => i.InstanceId)).size, 3);
  settle(h);
  const i = await instance(h.ec2, r.Instances![0]!.InstanceId!);
  assert.equal(i.NetworkInterfaces!.length, 2);
  const primary = i.NetworkInterfaces!.find((n) => n.Attachment?.DeviceIndex === 0)!;
  assert.deepEqual(primary.ConnectionTrackingConfiguration, { TcpEstablishedTimeout: 120, UdpTimeout: 45 });
  assert.deepEqual(
    primary.Groups!.map((g) => g.GroupId),
    [IDS.sgApp, IDS.sgIso],
  );
  assert.equal(primary.Ipv6Addresses!.length, 1);
  const mgmt = i.NetworkInterfaces!.find((n) => n.Attachment?.DeviceIndex === 1)!;
  assert.deepEqual(
    [mgmt.SubnetId, mgmt.Description, mgmt.Attachment?.DeleteOnTermination],
    [IDS.subnetTiny, 'mgmt', false],
  );
  assert.equal(i.IamInstanceProfile?.Arn, `arn:aws:iam::${ACCOUNT}:instance-profile/team/alt-profile`);
  assert.match(i.IamInstanceProfile!.Id!, /^AIPA/);
  assert.deepEqual(
    [
      i.MetadataOptions?.State,
      i.MetadataOptions?.HttpTokens,
      i.MetadataOptions?.HttpPutResponseHopLimit,
      i.MetadataOptions?.InstanceMetadataTags,
    ],
    ['applied', 'optional', 3, 'enabled'],
  );
  const devices = Object.fromEntries(i.BlockDeviceMappings!.map((b) => [b.DeviceName, b.Ebs]));
  assert.equal(devices['/dev/xvda']?.DeleteOnTermination, true);
  assert.equal(devices['/dev/sdf']?.DeleteOnTermination, false);
  const vols = await h.ec2.send(
    new DescribeVolumesCommand({ VolumeIds: [devices['/dev/xvda']!.VolumeId!, devices['/dev/sdf']!.VolumeId!] }),
  );
  assert.deepEqual(vols.Volumes!.map((v) => [v.Size, v.VolumeType]).sort(), [
    [100, 'gp3'],
    [30, 'gp2'],
  ]);
  const assoc = await h.ec2.send(
    new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [i.InstanceId!] }] }),
  );
  assert.equal(assoc.IamInstanceProfileAssociations?.[0]?.State, 'associated');
  // The /28 mgmt subnet (11 usable addresses) could hold all three; termination protection came through.
  const term = await awsError(() => h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [i.InstanceId!] })));
  assert.equal(term.name, 'OperationNotPermitted');
});

test('RunInstances: without a subnet it uses the default VPC and its auto-assigned public IP', async (t) => {
  const h = await harness(t);
  const r = await h.ec2.send(
    new RunInstancesCommand({ ImageId: base.ImageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
  );
  const i = r.Instances![0]!;
  assert.deepEqual([i.VpcId, i.SubnetId], [IDS.defaultVpc, IDS.subnetDefault]);
  assert.match(i.PublicIpAddress!, /^54\.\d+\.\d+\.\d+$/);
  assert.equal(i.SecurityGroups![0]!.GroupName, 'default');
  const byName = await h.ec2.send(
    new RunInstancesCommand({ ImageId: base.ImageId, MinCount: 1, MaxCount: 1, SecurityGroups: ['default'] }),
  );
  assert.equal(byName.Instances![0]!.InstanceType, 'm1.small');
});

test('RunInstances: validation errors answer AWS codes and launch nothing', async (t) => {
  const h = await harness(t);
  const cases: [RunInstancesCommandInput, string][] = [
    [{ ...base, ImageId: undefined }, 'MissingParameter'],
    [{ ...base, ImageId: 'ami-xyz' }, 'InvalidAMIID.Malformed'],
    [{ ...base, MinCount: 2, MaxCount: 1 }, 'InvalidParameterValue'],
    [{ ...base, MinCount: 0 }, 'InvalidParameterValue'],
    [{ ...base, InstanceType: 'huge' as never }, 'InvalidParameterValue'],
    [{ ...base, SubnetId: 'subnet-0123456789abcdef0' }, 'InvalidSubnetID.NotFound'],
    [{ ...base, SecurityGroupIds: [IDS.sgOther] }, 'InvalidParameter'],
    [{ ...base, SecurityGroups: ['app'] }, 'InvalidParameterCombination'],
    [{ ...base, PrivateIpAddress: '10.1.1.10' }, 'InvalidIPAddress.InUse'],
    [{ ...base, PrivateIpAddress: '10.1.1.77', MaxCount: 2 }, 'InvalidParameterCombination'],
    [{ ...base, Placement: { AvailabilityZone: 'us-east-1b' } }, 'InvalidParameterValue'],
    [{ ...base, NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: IDS.subnetA }] }, 'InvalidParameterCombination'],
    [
      { ...base, SubnetId: undefined, NetworkInterfaces: [{ DeviceIndex: 0, NetworkInterfaceId: IDS.webEni }] },
      'InvalidNetworkInterface.InUse',
    ],
    [
      { ...base, SubnetId: undefined, NetworkInterfaces: [{ DeviceIndex: 1, SubnetId: IDS.subnetA }] },
      'InvalidParameterValue',
    ],
    [
      {
        ...base,
        SubnetId: undefined,
        NetworkInterfaces: [0, 1, 2].map((DeviceIndex) => ({ DeviceIndex, SubnetId: IDS.subnetA })),
        InstanceType: 't2.micro',
      },
      'InvalidParameterValue',
    ],
    [
      {
        ...base,
        SubnetId: undefined,
        NetworkInterfaces: [
          { DeviceIndex: 0, SubnetId: IDS.subnetA, ConnectionTrackingSpecification: { UdpTimeout: 61 } },
        ],
      },
      'InvalidParameterValue',
    ],
    [
      {
        ...base,
        SubnetId: undefined,
        InstanceType: 't2.micro',
        NetworkInterfaces: [
          { DeviceIndex: 0, SubnetId: IDS.subnetA, ConnectionTrackingSpecification: { UdpTimeout: 60 } },
        ],
      },
      'UnsupportedOperation',
    ],
    [
      {
        ...base,
        SubnetId: undefined,
        NetworkInterfaces: [
          { DeviceIndex: 0, SubnetId: IDS.subnetA, AssociatePublicIpAddress: true },
          { DeviceIndex: 1, SubnetId: IDS.subnetA },
        ],
        InstanceType: 'm5.large',
      },
      'InvalidParameterCombination',
    ],
    [{ ...base, IamInstanceProfile: { Name: 'nope' } }, 'InvalidParameterValue'],
    [{ ...base, MetadataOptions: { HttpPutResponseHopLimit: 65 } }, 'InvalidParameterValue'],
    [{ ...base, MetadataOptions: { HttpTokens: 'sometimes' as never } }, 'InvalidParameterValue'],
    [{ ...base, InstanceInitiatedShutdownBehavior: 'hibernate' as never }, 'InvalidParameterValue'],
    [
      { ...base, BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 4 } }] },
      'InvalidBlockDeviceMapping',
    ],
    [
      {
        ...base,
        BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { VolumeSize: 10, VolumeType: 'ssd' as never } }],
      },
      'InvalidParameterValue',
    ],
    [
      { ...base, TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'a', Value: 'b' }] }] },
      'InvalidParameterValue',
    ],
  ];
  const before = version(h);
  for (const [input, code] of cases) {
    const e = await awsError(() => h.ec2.send(new RunInstancesCommand(input))).catch((x: Error) => {
      throw new Error(`${JSON.stringify(input)}: ${x.message}`);
    });
    assert.deepEqual([e.name, e.status], [code, 400], JSON.stringify(input));
  }
  assert.equal(version(h), before);
  const all = await h.ec2.send(new DescribeInstancesCommand({}));
  assert.equal(all.Reservations!.flatMap((x) => x.Instances!).length, 5);
});

test('RunInstances: launches up to what the subnet holds, and fails below MinCount', async (t) => {
  const h = await harness(t);
  const r = await h.ec2.send(new RunInstancesCommand({ ...base, SubnetId: IDS.subnetTiny, MinCount: 1, MaxCount: 20 }));
  assert.equal(r.Instances!.length, 11);
  const e = await awsError(() => h.ec2.send(new RunInstancesCommand({ ...base, SubnetId: IDS.subnetTiny })));
  assert.equal(e.name, 'InsufficientFreeAddressesInSubnet');
});

test('RunInstances: DryRun 412 and a Describe-only key 403 launch nothing', async (t) => {
  const h = await harness(t);
  const before = version(h);
  const dry = await awsError(() => h.ec2.send(new RunInstancesCommand({ ...base, DryRun: true })));
  assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
  const denied = await awsError(() => readOnlyEc2(t, h).send(new RunInstancesCommand(base)));
  assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
  assert.equal(version(h), before);
  const all = await h.ec2.send(new DescribeInstancesCommand({}));
  assert.equal(all.Reservations!.length, 5);
});

// ---- Stop / Start / Terminate -------------------------------------------------------------------------------------

test('StopInstances / StartInstances: previous and current state, stopping stays visible until the clock moves', async (t) => {
  const h = await harness(t);
  h.sim.world.clock.freeze(true);
  const stop = await h.ec2.send(new StopInstancesCommand({ InstanceIds: [IDS.web] }));
  assert.deepEqual(stop.StoppingInstances, [
    { InstanceId: IDS.web, CurrentState: { Code: 64, Name: 'stopping' }, PreviousState: { Code: 16, Name: 'running' } },
  ]);
  assert.equal((await instance(h.ec2, IDS.web)).State?.Name, 'stopping');
  const early = await awsError(() => h.ec2.send(new StartInstancesCommand({ InstanceIds: [IDS.web] })));
  assert.equal(early.name, 'IncorrectInstanceState');
  settle(h);
  const stopped = await instance(h.ec2, IDS.web);
  assert.deepEqual(stopped.State, { Code: 80, Name: 'stopped' });
  assert.equal(stopped.StateReason?.Code, 'Client.UserInitiatedShutdown');
  assert.match(stopped.StateTransitionReason!, /^User initiated \(/);
  // The auto-assigned public IP is released on stop.
  assert.equal(stopped.PublicIpAddress, undefined);
  const again = await h.ec2.send(new StopInstancesCommand({ InstanceIds: [IDS.web] }));
  assert.deepEqual(
    [again.StoppingInstances![0]!.PreviousState?.Name, again.StoppingInstances![0]!.CurrentState?.Name],
    ['stopped', 'stopped'],
  );

  const start = await h.ec2.send(new StartInstancesCommand({ InstanceIds: [IDS.web] }));
  assert.deepEqual(start.StartingInstances, [
    { InstanceId: IDS.web, CurrentState: { Code: 0, Name: 'pending' }, PreviousState: { Code: 80, Name: 'stopped' } },
  ]);
  settle(h);
  const running = await instance(h.ec2, IDS.web);
  assert.equal(running.State?.Name, 'running');
  assert.match(running.PublicIpAddress!, /^54\./);
  assert.notEqual(running.PublicIpAddress, '54.1.2.3');
});

test('StopInstances: disableApiStop, terminated instances and DryRun', async (t) => {
  const h = await harness(t);
  const dry = await awsError(() => h.ec2.send(new StopInstancesCommand({ InstanceIds: [IDS.web], DryRun: true })));
  assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
  const denied = await awsError(() => readOnlyEc2(t, h).send(new StopInstancesCommand({ InstanceIds: [IDS.web] })));
  assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
  assert.equal((await instance(h.ec2, IDS.web)).State?.Name, 'running');
  await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [IDS.xen] }));
  const e = await awsError(() => h.ec2.send(new StopInstancesCommand({ InstanceIds: [IDS.web, IDS.xen] })));
  assert.equal(e.name, 'IncorrectInstanceState');
  // Nothing in the failed batch was stopped.
  assert.equal((await instance(h.ec2, IDS.web)).State?.Name, 'running');
  const nf = await awsError(() => h.ec2.send(new StopInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })));
  assert.equal(nf.name, 'InvalidInstanceID.NotFound');
  const start = await awsError(() => h.ec2.send(new StartInstancesCommand({ InstanceIds: [IDS.xen] })));
  assert.equal(start.name, 'IncorrectInstanceState');
});

test('TerminateInstances: termination protection refuses the whole batch with OperationNotPermitted', async (t) => {
  const h = await harness(t);
  const e = await awsError(() => h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [IDS.web, IDS.guarded] })));
  assert.deepEqual([e.name, e.status], ['OperationNotPermitted', 400]);
  assert.match(e.message, /disableApiTermination/);
  assert.equal((await instance(h.ec2, IDS.web)).State?.Name, 'running');
  assert.equal((await instance(h.ec2, IDS.guarded)).State?.Name, 'running');
});

test('TerminateInstances: shutting-down then terminated; volumes, ENIs and the profile follow DeleteOnTermination', async (t) => {
  const h = await harness(t);
  h.sim.world.clock.freeze(true);
  const r = await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [IDS.web, IDS.multi] }));
  assert.deepEqual(
    r.TerminatingInstances!.map((x) => [
      x.InstanceId,
      x.PreviousState?.Name,
      x.CurrentState?.Name,
      x.CurrentState?.Code,
    ]),
    [
      [IDS.web, 'running', 'shutting-down', 32],
      [IDS.multi, 'running', 'shutting-down', 32],
    ],
  );
  assert.equal((await instance(h.ec2, IDS.web)).State?.Name, 'shutting-down');
  settle(h);
  const web = await instance(h.ec2, IDS.web);
  assert.deepEqual(web.State, { Code: 48, Name: 'terminated' });
  assert.deepEqual(
    [web.NetworkInterfaces, web.BlockDeviceMappings, web.IamInstanceProfile, web.PublicIpAddress],
    [[], [], undefined, undefined],
  );
  const vols = await h.ec2.send(
    new DescribeVolumesCommand({ Filters: [{ Name: 'volume-id', Values: [IDS.webRoot, IDS.webData] }] }),
  );
  assert.deepEqual(
    vols.Volumes!.map((v) => [v.VolumeId, v.State, v.Attachments?.length]),
    [[IDS.webData, 'available', 0]],
  );
  const enis = await h.ec2.send(
    new DescribeNetworkInterfacesCommand({
      Filters: [{ Name: 'network-interface-id', Values: [IDS.webEni, IDS.multiEni0, IDS.multiEni1] }],
    }),
  );
  assert.deepEqual(enis.NetworkInterfaces, []);
  const assoc = await h.ec2.send(
    new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [IDS.web] }] }),
  );
  assert.deepEqual(assoc.IamInstanceProfileAssociations, []);
  const again = await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [IDS.web] }));
  assert.deepEqual(
    [again.TerminatingInstances![0]!.PreviousState?.Name, again.TerminatingInstances![0]!.CurrentState?.Name],
    ['terminated', 'terminated'],
  );
});

test('TerminateInstances: an ENI attached with DeleteOnTermination=false survives, detached', async (t) => {
  const h = await harness(t);
  await h.ec2.send(
    new AttachNetworkInterfaceCommand({ NetworkInterfaceId: IDS.spareEni, InstanceId: IDS.guarded, DeviceIndex: 1 }),
  );
  await h.ec2.send(
    new ModifyInstanceAttributeCommand({ InstanceId: IDS.guarded, DisableApiTermination: { Value: false } }),
  );
  await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [IDS.guarded] }));
  const spare = (await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [IDS.spareEni] })))
    .NetworkInterfaces![0]!;
  assert.deepEqual([spare.Status, spare.Attachment], ['available', undefined]);
});

test('TerminateInstances: DryRun 412 and 403 terminate nothing', async (t) => {
  const h = await harness(t);
  const dry = await awsError(() => h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [IDS.web], DryRun: true })));
  assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
  const denied = await awsError(() =>
    readOnlyEc2(t, h).send(new TerminateInstancesCommand({ InstanceIds: [IDS.web] })),
  );
  assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
  const missing = await awsError(() => h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [] })));
  assert.equal(missing.name, 'MissingParameter');
  const w = await instance(h.ec2, IDS.web);
  assert.deepEqual([w.State?.Name, w.NetworkInterfaces?.length, w.BlockDeviceMappings?.length], ['running', 1, 2]);
});

// ---- DescribeInstances / DescribeInstanceStatus -----------------------------------------------------------------

test('DescribeInstances: shape of a scenario instance', async (t) => {
  const h = await harness(t);
  const r = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [IDS.web] }));
  assert.equal(r.Reservations!.length, 1);
  assert.equal(r.Reservations![0]!.OwnerId, ACCOUNT);
  const i = r.Reservations![0]!.Instances![0]!;
  assert.deepEqual(
    [i.InstanceId, i.State?.Name, i.PrivateIpAddress, i.PublicIpAddress],
    [IDS.web, 'running', '10.1.1.10', '54.1.2.3'],
  );
  assert.equal(i.PrivateDnsName, 'ip-10-1-1-10.ec2.internal');
  assert.equal(i.PublicDnsName, 'ec2-54-1-2-3.compute-1.amazonaws.com');
  assert.deepEqual(i.Tags, [{ Key: 'Name', Value: 'web' }]);
  assert.equal(i.NetworkInterfaces![0]!.NetworkInterfaceId, IDS.webEni);
  assert.equal(i.NetworkInterfaces![0]!.Association?.PublicIp, '54.1.2.3');
  assert.deepEqual(
    i.BlockDeviceMappings!.map((b) => [b.DeviceName, b.Ebs?.VolumeId, b.Ebs?.DeleteOnTermination]),
    [
      ['/dev/xvda', IDS.webRoot, true],
      ['/dev/sdf', IDS.webData, false],
    ],
  );
  assert.equal(i.IamInstanceProfile?.Arn, `arn:aws:iam::${ACCOUNT}:instance-profile/app-profile`);
});

test('DescribeInstances: filters, wildcards, pagination and bad combinations', async (t) => {
  const h = await harness(t);
  const ids = async (Filters: { Name: string; Values: string[] }[]) =>
    (await h.ec2.send(new DescribeInstancesCommand({ Filters })))
      .Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId))
      .sort();
  assert.deepEqual(await ids([{ Name: 'instance-state-name', Values: ['stopped'] }]), [IDS.stopped]);
  assert.deepEqual(await ids([{ Name: 'tag:Name', Values: ['mul*'] }]), [IDS.multi]);
  assert.deepEqual(await ids([{ Name: 'network-interface.network-interface-id', Values: [IDS.multiEni1] }]), [
    IDS.multi,
  ]);
  assert.deepEqual(
    await ids([{ Name: 'instance-type', Values: ['t2.micro', 'm5.large'] }]),
    [IDS.multi, IDS.xen].sort(),
  );
  assert.deepEqual(
    await ids([{ Name: 'iam-instance-profile.arn', Values: [`arn:aws:iam::${ACCOUNT}:instance-profile/app-profile`] }]),
    [IDS.web],
  );
  assert.deepEqual(await ids([{ Name: 'ip-address', Values: ['54.1.2.3'] }]), [IDS.web]);
  assert.deepEqual(await ids([{ Name: 'block-device-mapping.volume-id', Values: [IDS.webData] }]), [IDS.web]);
  h.sim.world.clock.freeze(true);
  await h.ec2.send(new StopInstancesCommand({ InstanceIds: [IDS.xen] }));
  assert.deepEqual(await ids([{ Name: 'instance-state-name', Values: ['stopping'] }]), [IDS.xen]);
  const bad = await awsError(() =>
    h.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })),
  );
  assert.equal(bad.name, 'InvalidParameterValue');
  const combo = await awsError(() =>
    h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [IDS.web], MaxResults: 5 })),
  );
  assert.equal(combo.name, 'InvalidParameterCombination');
  const small = await awsError(() => h.ec2.send(new DescribeInstancesCommand({ MaxResults: 4 })));
  assert.equal(small.name, 'InvalidParameterValue');
  const nf = await awsError(() =>
    h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [IDS.web, 'i-0123456789abcdef0'] })),
  );
  assert.equal(nf.name, 'InvalidInstanceID.NotFound');
  assert.match(nf.message, /i-0123456789abcdef0/);
  const malformed = await awsError(() => h.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-xyz'] })));
  assert.equal(malformed.name, 'InvalidInstanceID.Malformed');

  await h.ec2.send(new RunInstancesCommand({ ...base, MinCount: 3, MaxCount: 3 }));
  const first = await h.ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
  assert.equal(first.Reservations!.flatMap((r) => r.Instances!).length, 5);
  assert.ok(first.NextToken);
  const second = await h.ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: first.NextToken }));
  assert.equal(second.Reservations!.flatMap((r) => r.Instances!).length, 3);
  assert.equal(second.NextToken, undefined);
  // The three launched together share one reservation.
  const launched = second.Reservations!.filter((r) => r.Instances!.length === 3);
  assert.equal(launched.length, 1);
});

test('DescribeInstanceStatus: running instances by default, all with IncludeAllInstances, filters', async (t) => {
  const h = await harness(t);
  const r = await h.ec2.send(new DescribeInstanceStatusCommand({}));
  assert.equal(r.InstanceStatuses!.length, 4);
  const web = r.InstanceStatuses!.find((s) => s.InstanceId === IDS.web)!;
  assert.deepEqual(
    [web.InstanceState?.Name, web.InstanceStatus?.Status, web.SystemStatus?.Status, web.AvailabilityZone],
    ['running', 'ok', 'ok', 'us-east-1a'],
  );
  assert.deepEqual(web.InstanceStatus?.Details, [{ Name: 'reachability', Status: 'passed' }]);
  const all = await h.ec2.send(new DescribeInstanceStatusCommand({ IncludeAllInstances: true }));
  assert.equal(all.InstanceStatuses!.length, 5);
  const stopped = all.InstanceStatuses!.find((s) => s.InstanceId === IDS.stopped)!;
  assert.deepEqual([stopped.InstanceState?.Name, stopped.InstanceStatus?.Status], ['stopped', 'not-applicable']);
  const filtered = await h.ec2.send(
    new DescribeInstanceStatusCommand({
      IncludeAllInstances: true,
      Filters: [{ Name: 'instance-state-name', Values: ['stopped'] }],
    }),
  );
  assert.deepEqual(
    filtered.InstanceStatuses!.map((s) => s.InstanceId),
    [IDS.stopped],
  );
  const page = await h.ec2.send(new DescribeInstanceStatusCommand({ MaxResults: 5, IncludeAllInstances: true }));
  assert.equal(page.InstanceStatuses!.length, 5);
  const dry = await awsError(() => h.ec2.send(new DescribeInstanceStatusCommand({ DryRun: true })));
  assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
});
