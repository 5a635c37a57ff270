import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type CreateNetworkInterfaceCommandInput,
  type EC2Client,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import { awsError } from '../helpers/sim.js';
import { harness, IDS, readOnlyEc2, version } from './ec2-fixture.js';

async function eni(ec2: EC2Client, id: string): Promise<NetworkInterface> {
  const r = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }));
  return r.NetworkInterfaces![0]!;
}

// ---- CreateNetworkInterface ------------------------------------------------------------------------------------

test('CreateNetworkInterface: defaults to the VPC default group, allocates an address, tags and conntrack read back', async (t) => {
  const h = await harness(t);
  const r = await h.ec2.send(
    new CreateNetworkInterfaceCommand({
      SubnetId: IDS.subnetA,
      Description: 'forensics',
      Ipv6AddressCount: 2,
      ConnectionTrackingSpecification: { TcpEstablishedTimeout: 60, UdpTimeout: 30 },
      TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'Name', Value: 'f1' }] }],
    }),
  );
  const n = r.NetworkInterface!;
  assert.match(n.NetworkInterfaceId!, /^eni-[0-9a-f]{17}$/);
  assert.equal(n.Status, 'available');
  assert.equal(n.SubnetId, IDS.subnetA);
  assert.equal(n.VpcId, IDS.vpc);
  assert.equal(n.AvailabilityZone, 'us-east-1a');
  assert.equal(n.Description, 'forensics');
  assert.equal(n.InterfaceType, 'interface');
  assert.equal(n.RequesterManaged, false);
  assert.equal(n.Groups?.length, 1);
  assert.equal(n.Groups![0]!.GroupName, 'default');
  assert.match(n.PrivateIpAddress!, /^10\.1\.1\.\d+$/);
  assert.equal(n.Ipv6Addresses?.length, 2);
  assert.notEqual(n.Ipv6Addresses![0]!.Ipv6Address, n.Ipv6Addresses![1]!.Ipv6Address);
  assert.deepEqual(n.ConnectionTrackingConfiguration, { TcpEstablishedTimeout: 60, UdpTimeout: 30 });
  assert.deepEqual(n.TagSet, [{ Key: 'Name', Value: 'f1' }]);
  const back = await eni(h.ec2, n.NetworkInterfaceId!);
  assert.equal(back.PrivateIpAddress, n.PrivateIpAddress);
  assert.deepEqual(back.ConnectionTrackingConfiguration, { TcpEstablishedTimeout: 60, UdpTimeout: 30 });
});

test('CreateNetworkInterface: explicit groups, primary and secondary addresses', async (t) => {
  const h = await harness(t);
  const r = await h.ec2.send(
    new CreateNetworkInterfaceCommand({
      SubnetId: IDS.subnetA,
      Groups: [IDS.sgApp, IDS.sgIso, IDS.sgApp],
      PrivateIpAddress: '10.1.1.200',
      SecondaryPrivateIpAddressCount: 2,
    }),
  );
  const n = r.NetworkInterface!;
  assert.deepEqual(
    n.Groups!.map((g) => g.GroupId),
    [IDS.sgApp, IDS.sgIso],
  );
  assert.equal(n.PrivateIpAddress, '10.1.1.200');
  assert.equal(n.PrivateIpAddresses!.length, 3);
  assert.equal(n.PrivateIpAddresses!.filter((p) => p.Primary).length, 1);
  assert.equal(new Set(n.PrivateIpAddresses!.map((p) => p.PrivateIpAddress)).size, 3);
});

test('CreateNetworkInterface: errors for bad subnet, groups, addresses, conntrack and tag types', async (t) => {
  const h = await harness(t);
  const cases: [CreateNetworkInterfaceCommandInput, string][] = [
    [{ SubnetId: 'subnet-nope' }, 'InvalidSubnetID.Malformed'],
    [{ SubnetId: 'subnet-0123456789abcdef0' }, 'InvalidSubnetID.NotFound'],
    [{ SubnetId: IDS.subnetA, Groups: [IDS.sgOther] }, 'InvalidGroup.NotFound'],
    [{ SubnetId: IDS.subnetA, Groups: ['sg-0123456789abcdef0'] }, 'InvalidGroup.NotFound'],
    [
      { SubnetId: IDS.subnetA, Groups: [IDS.sgApp, IDS.sgIso, IDS.sg3, IDS.sg4, IDS.sg5, IDS.sg6] },
      'SecurityGroupsPerInterfaceLimitExceeded',
    ],
    [{ SubnetId: IDS.subnetA, PrivateIpAddress: '10.1.1.10' }, 'InvalidIPAddress.InUse'],
    [{ SubnetId: IDS.subnetA, PrivateIpAddress: '10.1.2.10' }, 'InvalidParameterValue'],
    [{ SubnetId: IDS.subnetA, PrivateIpAddress: '10.1.1.1' }, 'InvalidParameterValue'],
    [{ SubnetId: IDS.subnetB, Ipv6AddressCount: 1 }, 'InvalidParameterValue'],
    [
      { SubnetId: IDS.subnetA, ConnectionTrackingSpecification: { TcpEstablishedTimeout: 59 } },
      'InvalidParameterValue',
    ],
    [
      {
        SubnetId: IDS.subnetA,
        TagSpecifications: [{ ResourceType: 'instance' as const, Tags: [{ Key: 'k', Value: 'v' }] }],
      },
      'InvalidParameterValue',
    ],
  ];
  const before = version(h);
  for (const [input, code] of cases) {
    const e = await awsError(() => h.ec2.send(new CreateNetworkInterfaceCommand(input)));
    assert.equal(e.name, code, JSON.stringify(input));
    assert.equal(e.status, 400);
  }
  assert.equal(version(h), before);
});

test('CreateNetworkInterface: a full subnet answers InsufficientFreeAddressesInSubnet', async (t) => {
  const h = await harness(t);
  // A /28 has 16 addresses, 5 reserved by AWS: 11 usable.
  for (let i = 0; i < 11; i++) await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: IDS.subnetTiny }));
  const e = await awsError(() => h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: IDS.subnetTiny })));
  assert.equal(e.name, 'InsufficientFreeAddressesInSubnet');
});

test('CreateNetworkInterface: DryRun answers 412 and creates nothing; a Describe-only key gets 403', async (t) => {
  const h = await harness(t);
  const count = async () => (await h.ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces!.length;
  const before = await count();
  const dry = await awsError(() =>
    h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: IDS.subnetA, DryRun: true })),
  );
  assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
  const denied = await awsError(() =>
    readOnlyEc2(t, h).send(new CreateNetworkInterfaceCommand({ SubnetId: IDS.subnetA })),
  );
  assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
  // Validation comes before the DryRun answer.
  const bad = await awsError(() =>
    h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: 'subnet-0123456789abcdef0', DryRun: true })),
  );
  assert.equal(bad.name, 'InvalidSubnetID.NotFound');
  assert.equal(await count(), before);
});

// ---- Attach / Detach / Delete -----------------------------------------------------------------------------------

test('AttachNetworkInterface attaches at a device index; DetachNetworkInterface frees it; DeleteNetworkInterface removes it', async (t) => {
  const h = await harness(t);
  const a = await h.ec2.send(
    new AttachNetworkInterfaceCommand({ NetworkInterfaceId: IDS.spareEni, InstanceId: IDS.web, DeviceIndex: 1 }),
  );
  assert.match(a.AttachmentId!, /^eni-attach-[0-9a-f]{17}$/);
  assert.equal(a.NetworkCardIndex, 0);
  const attached = await eni(h.ec2, IDS.spareEni);
  assert.equal(attached.Status, 'in-use');
  assert.deepEqual(
    [
      attached.Attachment?.InstanceId,
      attached.Attachment?.DeviceIndex,
      attached.Attachment?.Status,
      attached.Attachment?.DeleteOnTermination,
    ],
    [IDS.web, 1, 'attached', false],
  );
  const byInstance = await h.ec2.send(
    new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [IDS.web] }] }),
  );
  assert.deepEqual(
    byInstance.NetworkInterfaces!.map((n) => n.NetworkInterfaceId).sort(),
    [IDS.spareEni, IDS.webEni].sort(),
  );

  const inUse = await awsError(() =>
    h.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: IDS.spareEni })),
  );
  assert.equal(inUse.name, 'InvalidParameterValue');
  assert.match(inUse.message, /currently in use/);

  await h.ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: a.AttachmentId }));
  const detached = await eni(h.ec2, IDS.spareEni);
  assert.equal(detached.Status, 'available');
  assert.equal(detached.Attachment, undefined);

  await h.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: IDS.spareEni }));
  const gone = await awsError(() =>
    h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [IDS.spareEni] })),
  );
  assert.equal(gone.name, 'InvalidNetworkInterfaceID.NotFound');
});

test('AttachNetworkInterface: taken device index, ENI in use, other AZ or VPC, interface limit, bad instance state', async (t) => {
  const h = await harness(t);
  const attach = (NetworkInterfaceId: string, InstanceId: string, DeviceIndex: number) =>
    awsError(() => h.ec2.send(new AttachNetworkInterfaceCommand({ NetworkInterfaceId, InstanceId, DeviceIndex })));
  const taken = await attach(IDS.spareEni, IDS.multi, 1);
  assert.equal(taken.name, 'InvalidParameterValue');
  assert.match(taken.message, /already has an interface attached at device index '1'/);
  assert.equal((await attach(IDS.webEni, IDS.multi, 2)).name, 'InvalidNetworkInterface.InUse');
  assert.equal((await attach(IDS.lambdaEni, IDS.web, 1)).name, 'InvalidNetworkInterface.InUse');
  assert.equal((await attach(IDS.spareEniB, IDS.web, 1)).name, 'InvalidParameterValue');
  const otherVpc = (await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: IDS.subnetOther })))
    .NetworkInterface!.NetworkInterfaceId!;
  assert.equal((await attach(otherVpc, IDS.web, 1)).name, 'InvalidParameterValue');
  // t3.micro allows two interfaces.
  await h.ec2.send(
    new AttachNetworkInterfaceCommand({ NetworkInterfaceId: IDS.spareEni, InstanceId: IDS.web, DeviceIndex: 1 }),
  );
  const third = (await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: IDS.subnetA }))).NetworkInterface!
    .NetworkInterfaceId!;
  assert.equal((await attach(third, IDS.web, 2)).name, 'AttachmentLimitExceeded');
  assert.equal((await attach(third, 'i-0123456789abcdef0', 1)).name, 'InvalidInstanceID.NotFound');
  const missing = await awsError(() =>
    h.ec2.send(new AttachNetworkInterfaceCommand({ NetworkInterfaceId: third, InstanceId: IDS.web } as never)),
  );
  assert.equal(missing.name, 'MissingParameter');
});

test('DetachNetworkInterface: the primary interface cannot be detached; unknown attachment ids are NotFound', async (t) => {
  const h = await harness(t);
  const primary = await eni(h.ec2, IDS.webEni);
  const e = await awsError(() =>
    h.ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: primary.Attachment!.AttachmentId })),
  );
  assert.deepEqual([e.name, e.status], ['OperationNotPermitted', 400]);
  assert.match(e.message, /device index 0/);
  assert.equal((await eni(h.ec2, IDS.webEni)).Status, 'in-use');
  const nf = await awsError(() =>
    h.ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: 'eni-attach-0123456789abcdef0' })),
  );
  assert.equal(nf.name, 'InvalidAttachmentID.NotFound');
});

test('Attach / Detach / Delete: DryRun 412 and 403 leave the interface as it was', async (t) => {
  const h = await harness(t);
  const ro = readOnlyEc2(t, h);
  const secondary = await eni(h.ec2, IDS.multiEni1);
  for (const cmd of [
    new AttachNetworkInterfaceCommand({
      NetworkInterfaceId: IDS.spareEni,
      InstanceId: IDS.web,
      DeviceIndex: 1,
      DryRun: true,
    }),
    new DetachNetworkInterfaceCommand({ AttachmentId: secondary.Attachment!.AttachmentId, DryRun: true }),
    new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: IDS.spareEni, DryRun: true }),
  ]) {
    const e = await awsError(() => h.ec2.send(cmd as never));
    assert.deepEqual([e.name, e.status], ['DryRunOperation', 412]);
    const denied = await awsError(() => ro.send(cmd as never));
    assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
  }
  assert.equal((await eni(h.ec2, IDS.spareEni)).Status, 'available');
  assert.equal((await eni(h.ec2, IDS.multiEni1)).Attachment?.InstanceId, IDS.multi);
});

// ---- ModifyNetworkInterfaceAttribute ------------------------------------------------------------------------------

test('ModifyNetworkInterfaceAttribute: the group set is replaced (not merged), duplicates collapse', async (t) => {
  const h = await harness(t);
  const r = await h.ec2.send(
    new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: IDS.multiEni1, Groups: [IDS.sgIso, IDS.sgIso] }),
  );
  assert.equal(r.$metadata.httpStatusCode, 200);
  assert.deepEqual((await eni(h.ec2, IDS.multiEni1)).Groups, [{ GroupId: IDS.sgIso, GroupName: 'isolation' }]);
  // The primary interface of the same instance is untouched.
  assert.deepEqual(
    (await eni(h.ec2, IDS.multiEni0)).Groups!.map((g) => g.GroupId),
    [IDS.sgApp],
  );
  await h.ec2.send(
    new ModifyNetworkInterfaceAttributeCommand({
      NetworkInterfaceId: IDS.multiEni1,
      Groups: [IDS.sgApp, IDS.sgIso, IDS.sg3, IDS.sg4, IDS.sg5],
    }),
  );
  assert.equal((await eni(h.ec2, IDS.multiEni1)).Groups!.length, 5);
});

test('ModifyNetworkInterfaceAttribute: group errors change nothing', async (t) => {
  const h = await harness(t);
  const cases: [string[], string][] = [
    [[IDS.sgApp, IDS.sgIso, IDS.sg3, IDS.sg4, IDS.sg5, IDS.sg6], 'SecurityGroupsPerInterfaceLimitExceeded'],
    [[IDS.sgOther], 'InvalidGroup.NotFound'],
    [['sg-0123456789abcdef0'], 'InvalidGroup.NotFound'],
    [['sg-bad'], 'InvalidGroupId.Malformed'],
  ];
  for (const [Groups, code] of cases) {
    const e = await awsError(() =>
      h.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: IDS.webEni, Groups })),
    );
    assert.deepEqual([e.name, e.status], [code, 400], Groups.join(','));
  }
  assert.deepEqual(
    (await eni(h.ec2, IDS.webEni)).Groups!.map((g) => g.GroupId),
    [IDS.sgApp],
  );
  const nf = await awsError(() =>
    h.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: 'eni-0123456789abcdef0', Groups: [IDS.sgIso] }),
    ),
  );
  assert.equal(nf.name, 'InvalidNetworkInterfaceID.NotFound');
  const malformed = await awsError(() =>
    h.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: 'eni-xyz', Groups: [IDS.sgIso] })),
  );
  assert.equal(malformed.name, 'InvalidNetworkInterfaceID.Malformed');
});

test('ModifyNetworkInterfaceAttribute: one attribute per call; none is an error', async (t) => {
  const h = await harness(t);
  const two = await awsError(() =>
    h.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: IDS.webEni,
        Groups: [IDS.sgIso],
        Description: { Value: 'x' },
      }),
    ),
  );
  assert.equal(two.name, 'InvalidParameterCombination');
  const none = await awsError(() =>
    h.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: IDS.webEni })),
  );
  assert.equal(none.name, 'MissingParameter');
  assert.deepEqual(
    (await eni(h.ec2, IDS.webEni)).Groups!.map((g) => g.GroupId),
    [IDS.sgApp],
  );
});

test('ModifyNetworkInterfaceAttribute: requester-managed interfaces are refused', async (t) => {
  const h = await harness(t);
  const e = await awsError(() =>
    h.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: IDS.lambdaEni, Groups: [IDS.sgIso] })),
  );
  assert.deepEqual([e.name, e.status], ['OperationNotPermitted', 400]);
  assert.deepEqual(
    (await eni(h.ec2, IDS.lambdaEni)).Groups!.map((g) => g.GroupId),
    [IDS.sgApp],
  );
});

test('ModifyNetworkInterfaceAttribute: connection tracking timeouts at both ends of each range, merged field by field', async (t) => {
  const h = await harness(t);
  const set = (c: { TcpEstablishedTimeout?: number; UdpStreamTimeout?: number; UdpTimeout?: number }) =>
    h.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: IDS.webEni,
        ConnectionTrackingSpecification: c,
      }),
    );
  await set({ TcpEstablishedTimeout: 60, UdpStreamTimeout: 60, UdpTimeout: 30 });
  assert.deepEqual((await eni(h.ec2, IDS.webEni)).ConnectionTrackingConfiguration, {
    TcpEstablishedTimeout: 60,
    UdpStreamTimeout: 60,
    UdpTimeout: 30,
  });
  await set({ TcpEstablishedTimeout: 432000 });
  await set({ UdpStreamTimeout: 180, UdpTimeout: 60 });
  assert.deepEqual((await eni(h.ec2, IDS.webEni)).ConnectionTrackingConfiguration, {
    TcpEstablishedTimeout: 432000,
    UdpStreamTimeout: 180,
    UdpTimeout: 60,
  });
  const out = [
    { TcpEstablishedTimeout: 59 },
    { TcpEstablishedTimeout: 432001 },
    { UdpStreamTimeout: 59 },
    { UdpStreamTimeout: 181 },
    { UdpTimeout: 29 },
    { UdpTimeout: 61 },
  ];
  for (const c of out) {
    const e = await awsError(() => set(c));
    assert.deepEqual([e.name, e.status], ['InvalidParameterValue', 400], JSON.stringify(c));
  }
  assert.deepEqual((await eni(h.ec2, IDS.webEni)).ConnectionTrackingConfiguration, {
    TcpEstablishedTimeout: 432000,
    UdpStreamTimeout: 180,
    UdpTimeout: 60,
  });
});

test('ModifyNetworkInterfaceAttribute: conntrack timeouts need a Nitro instance', async (t) => {
  const h = await harness(t);
  const xenEni = (
    await h.ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [IDS.xen] }] }),
    )
  ).NetworkInterfaces![0]!;
  const e = await awsError(() =>
    h.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: xenEni.NetworkInterfaceId,
        ConnectionTrackingSpecification: { TcpEstablishedTimeout: 60 },
      }),
    ),
  );
  assert.equal(e.name, 'UnsupportedOperation');
  assert.equal((await eni(h.ec2, xenEni.NetworkInterfaceId!)).ConnectionTrackingConfiguration, undefined);
});

test('ModifyNetworkInterfaceAttribute: description, source/dest check, attachment delete-on-termination', async (t) => {
  const h = await harness(t);
  await h.ec2.send(
    new ModifyNetworkInterfaceAttributeCommand({
      NetworkInterfaceId: IDS.webEni,
      Description: { Value: 'quarantined' },
    }),
  );
  await h.ec2.send(
    new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: IDS.webEni, SourceDestCheck: { Value: false } }),
  );
  const attachmentId = (await eni(h.ec2, IDS.webEni)).Attachment!.AttachmentId!;
  await h.ec2.send(
    new ModifyNetworkInterfaceAttributeCommand({
      NetworkInterfaceId: IDS.webEni,
      Attachment: { AttachmentId: attachmentId, DeleteOnTermination: false },
    }),
  );
  const n = await eni(h.ec2, IDS.webEni);
  assert.deepEqual(
    [n.Description, n.SourceDestCheck, n.Attachment?.DeleteOnTermination],
    ['quarantined', false, false],
  );
  const wrong = await awsError(() =>
    h.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: IDS.webEni,
        Attachment: { AttachmentId: 'eni-attach-0123456789abcdef0', DeleteOnTermination: true },
      }),
    ),
  );
  assert.equal(wrong.name, 'InvalidAttachmentID.NotFound');
});

test('ModifyNetworkInterfaceAttribute: DryRun 412 and a Describe-only key 403 leave groups and timeouts unchanged', async (t) => {
  const h = await harness(t);
  const before = version(h);
  const dry = await awsError(() =>
    h.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: IDS.webEni, Groups: [IDS.sgIso], DryRun: true }),
    ),
  );
  assert.deepEqual([dry.name, dry.status], ['DryRunOperation', 412]);
  const dryCt = await awsError(() =>
    h.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: IDS.webEni,
        ConnectionTrackingSpecification: { TcpEstablishedTimeout: 60 },
        DryRun: true,
      }),
    ),
  );
  assert.equal(dryCt.name, 'DryRunOperation');
  const denied = await awsError(() =>
    readOnlyEc2(t, h).send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: IDS.webEni, Groups: [IDS.sgIso] }),
    ),
  );
  assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
  // A DryRun with an invalid value reports the validation error, not DryRunOperation.
  const invalid = await awsError(() =>
    h.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: IDS.webEni,
        Groups: [IDS.sgOther],
        DryRun: true,
      }),
    ),
  );
  assert.equal(invalid.name, 'InvalidGroup.NotFound');
  const n = await eni(h.ec2, IDS.webEni);
  assert.deepEqual(
    n.Groups!.map((g) => g.GroupId),
    [IDS.sgApp],
  );
  assert.equal(n.ConnectionTrackingConfiguration, undefined);
  assert.equal(version(h), before);
});

// ---- DescribeNetworkInterfaces ------------------------------------------------------------------------------------

test('DescribeNetworkInterfaces: filters, pagination, MaxResults with ids is refused', async (t) => {
  const h = await harness(t);
  const managed = await h.ec2.send(
    new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'requester-managed', Values: ['true'] }] }),
  );
  assert.deepEqual(
    managed.NetworkInterfaces!.map((n) => n.NetworkInterfaceId),
    [IDS.lambdaEni],
  );
  const byGroup = await h.ec2.send(
    new DescribeNetworkInterfacesCommand({
      Filters: [
        { Name: 'group-id', Values: [IDS.sgApp] },
        { Name: 'status', Values: ['available'] },
      ],
    }),
  );
  assert.deepEqual(
    byGroup.NetworkInterfaces!.map((n) => n.NetworkInterfaceId).sort(),
    [IDS.spareEni, IDS.spareEniB].sort(),
  );
  const wildcard = await h.ec2.send(
    new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: ['spare*'] }] }),
  );
  assert.equal(wildcard.NetworkInterfaces!.length, 2);
  const all = (await h.ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces!.map(
    (n) => n.NetworkInterfaceId,
  );
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const r = await h.ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5, NextToken: token }));
    assert.ok(r.NetworkInterfaces!.length <= 5);
    seen.push(...r.NetworkInterfaces!.map((n) => n.NetworkInterfaceId!));
    token = r.NextToken;
    pages++;
  } while (token);
  assert.deepEqual(seen, all);
  assert.equal(pages, Math.ceil(all.length / 5));
  const combo = await awsError(() =>
    h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [IDS.webEni], MaxResults: 5 })),
  );
  assert.equal(combo.name, 'InvalidParameterCombination');
  const badFilter = await awsError(() =>
    h.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'nonsense', Values: ['x'] }] })),
  );
  assert.equal(badFilter.name, 'InvalidParameterValue');
});
