import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  RunInstancesCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DisassociateAddressCommand,
  ReleaseAddressCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type Address,
} from '@aws-sdk/client-ec2';
import { awsError, type SimHarness } from '../helpers/sim.js';
import { ACCOUNT, harness, IDS, readOnlyEc2, settle, version } from './ec2-fixture.js';

async function address(h: SimHarness, allocationId: string): Promise<Address> {
  return (await h.ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocationId] }))).Addresses![0]!;
}

async function primaryAssociation(h: SimHarness, eniId: string) {
  const n = (await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] })))
    .NetworkInterfaces![0]!;
  return n.PrivateIpAddresses!.find((p) => p.Primary)!.Association;
}

test('AllocateAddress: a VPC address with tags, listed by DescribeAddresses', async (t) => {
  const h = await harness(t);
  const r = await h.ec2.send(
    new AllocateAddressCommand({
      Domain: 'vpc',
      TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: 'Purpose', Value: 'forensics' }] }],
    }),
  );
  assert.match(r.AllocationId!, /^eipalloc-[0-9a-f]{17}$/);
  assert.match(r.PublicIp!, /^\d+\.\d+\.\d+\.\d+$/);
  assert.deepEqual([r.Domain, r.PublicIpv4Pool, r.NetworkBorderGroup], ['vpc', 'amazon', 'us-east-1']);
  const a = await address(h, r.AllocationId!);
  assert.deepEqual([a.PublicIp, a.Domain, a.AssociationId, a.InstanceId], [r.PublicIp, 'vpc', undefined, undefined]);
  assert.deepEqual(a.Tags, [{ Key: 'Purpose', Value: 'forensics' }]);
  const byIp = await h.ec2.send(new DescribeAddressesCommand({ PublicIps: [r.PublicIp!] }));
  assert.equal(byIp.Addresses![0]!.AllocationId, r.AllocationId);
  const byTag = await h.ec2.send(
    new DescribeAddressesCommand({ Filters: [{ Name: 'tag:Purpose', Values: ['forensics'] }] }),
  );
  assert.equal(byTag.Addresses!.length, 1);
  const second = await h.ec2.send(new AllocateAddressCommand({}));
  assert.notEqual(second.PublicIp, r.PublicIp);
});

test('AllocateAddress: five per region, then AddressLimitExceeded', async (t) => {
  const h = await harness(t);
  for (let i = 0; i < 5; i++) await h.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  const e = await awsError(() => h.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' })));
  assert.deepEqual([e.name, e.status], ['AddressLimitExceeded', 400]);
  assert.equal((await h.ec2.send(new DescribeAddressesCommand({}))).Addresses!.length, 5);
  const bad = await awsError(() => h.ec2.send(new AllocateAddressCommand({ Domain: 'standard' })));
  assert.equal(bad.name, 'InvalidParameterValue');
});

test('AssociateAddress by instance: the ENI and the address both show it; the auto-assigned public IP is replaced', async (t) => {
  const h = await harness(t);
  const { AllocationId, PublicIp } = await h.ec2.send(new AllocateAddressCommand({}));
  const r = await h.ec2.send(new AssociateAddressCommand({ AllocationId, InstanceId: IDS.web }));
  assert.match(r.AssociationId!, /^eipassoc-[0-9a-f]{17}$/);
  const a = await address(h, AllocationId!);
  assert.deepEqual(
    [a.AssociationId, a.InstanceId, a.NetworkInterfaceId, a.NetworkInterfaceOwnerId, a.PrivateIpAddress],
    [r.AssociationId, IDS.web, IDS.webEni, ACCOUNT, '10.1.1.10'],
  );
  assert.deepEqual(await primaryAssociation(h, IDS.webEni), {
    PublicIp,
    PublicDnsName: `ec2-${PublicIp!.replace(/\./g, '-')}.compute-1.amazonaws.com`,
    IpOwnerId: ACCOUNT,
    AllocationId,
    AssociationId: r.AssociationId,
  });
  const i = (await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [IDS.web] }))).Reservations![0]!
    .Instances![0]!;
  assert.equal(i.PublicIpAddress, PublicIp);
  const filtered = await h.ec2.send(
    new DescribeAddressesCommand({ Filters: [{ Name: 'instance-id', Values: [IDS.web] }] }),
  );
  assert.deepEqual(
    filtered.Addresses!.map((x) => x.AllocationId),
    [AllocationId],
  );
  // An Elastic IP stays with a stopped instance.
  await h.ec2.send(new StopInstancesCommand({ InstanceIds: [IDS.web] }));
  settle(h);
  const stopped = (await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [IDS.web] }))).Reservations![0]!
    .Instances![0]!;
  assert.equal(stopped.PublicIpAddress, PublicIp);
});

test('AssociateAddress: multi-ENI instances need an interface id; NetworkInterfaceId with a private address works', async (t) => {
  const h = await harness(t);
  const { AllocationId } = await h.ec2.send(new AllocateAddressCommand({}));
  const e = await awsError(() => h.ec2.send(new AssociateAddressCommand({ AllocationId, InstanceId: IDS.multi })));
  assert.equal(e.name, 'InvalidInstanceID');
  assert.match(e.message, /multiple interfaces/);
  const secondaryIp = (await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [IDS.multiEni1] })))
    .NetworkInterfaces![0]!.PrivateIpAddress!;
  const r = await h.ec2.send(
    new AssociateAddressCommand({ AllocationId, NetworkInterfaceId: IDS.multiEni1, PrivateIpAddress: secondaryIp }),
  );
  const a = await address(h, AllocationId!);
  assert.deepEqual(
    [a.AssociationId, a.NetworkInterfaceId, a.InstanceId, a.PrivateIpAddress],
    [r.AssociationId, IDS.multiEni1, IDS.multi, secondaryIp],
  );
  const wrongIp = await awsError(() =>
    h.ec2.send(
      new AssociateAddressCommand({
        AllocationId,
        NetworkInterfaceId: IDS.multiEni1,
        PrivateIpAddress: '10.1.1.250',
        AllowReassociation: true,
      }),
    ),
  );
  assert.equal(wrongIp.name, 'InvalidParameterValue');
  const both = await awsError(() =>
    h.ec2.send(new AssociateAddressCommand({ AllocationId, NetworkInterfaceId: IDS.multiEni1, InstanceId: IDS.multi })),
  );
  assert.equal(both.name, 'InvalidParameterCombination');
});

test('AssociateAddress: reassociation needs AllowReassociation; the VPC needs an internet gateway', async (t) => {
  const h = await harness(t);
  const { AllocationId } = await h.ec2.send(new AllocateAddressCommand({}));
  const first = await h.ec2.send(new AssociateAddressCommand({ AllocationId, InstanceId: IDS.web }));
  const e = await awsError(() => h.ec2.send(new AssociateAddressCommand({ AllocationId, InstanceId: IDS.guarded })));
  assert.deepEqual([e.name, e.status], ['Resource.AlreadyAssociated', 400]);
  assert.equal(e.message, `resource ${AllocationId} is already associated with associate-id ${first.AssociationId}`);
  assert.equal((await address(h, AllocationId!)).InstanceId, IDS.web);
  const moved = await h.ec2.send(
    new AssociateAddressCommand({ AllocationId, InstanceId: IDS.guarded, AllowReassociation: true }),
  );
  assert.notEqual(moved.AssociationId, first.AssociationId);
  assert.equal((await address(h, AllocationId!)).InstanceId, IDS.guarded);
  assert.equal(await primaryAssociation(h, IDS.webEni), undefined);

  const other = (await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: IDS.subnetOther }))).NetworkInterface!
    .NetworkInterfaceId!;
  const { AllocationId: second } = await h.ec2.send(new AllocateAddressCommand({}));
  const noIgw = await awsError(() =>
    h.ec2.send(new AssociateAddressCommand({ AllocationId: second, NetworkInterfaceId: other })),
  );
  assert.equal(noIgw.name, 'Gateway.NotAttached');
  const noAlloc = await awsError(() =>
    h.ec2.send(new AssociateAddressCommand({ PublicIp: '54.1.2.3', InstanceId: IDS.web })),
  );
  assert.equal(noAlloc.name, 'InvalidParameterValue');
  const nf = await awsError(() =>
    h.ec2.send(new AssociateAddressCommand({ AllocationId: 'eipalloc-0123456789abcdef0', InstanceId: IDS.web })),
  );
  assert.equal(nf.name, 'InvalidAllocationID.NotFound');
});

test('DisassociateAddress clears both sides; ReleaseAddress refuses an associated address in a nondefault VPC', async (t) => {
  const h = await harness(t);
  const { AllocationId } = await h.ec2.send(new AllocateAddressCommand({}));
  const { AssociationId } = await h.ec2.send(
    new AssociateAddressCommand({ AllocationId, NetworkInterfaceId: IDS.webEni }),
  );
  const inUse = await awsError(() => h.ec2.send(new ReleaseAddressCommand({ AllocationId })));
  assert.deepEqual([inUse.name, inUse.status], ['InvalidIPAddress.InUse', 400]);
  await h.ec2.send(new DisassociateAddressCommand({ AssociationId }));
  const a = await address(h, AllocationId!);
  assert.deepEqual(
    [a.AssociationId, a.InstanceId, a.NetworkInterfaceId, a.PrivateIpAddress],
    [undefined, undefined, undefined, undefined],
  );
  // The instance was launched with a public IP: it gets a fresh Amazon address back.
  const assoc = await primaryAssociation(h, IDS.webEni);
  assert.equal(assoc?.IpOwnerId, 'amazon');
  assert.equal(assoc?.AllocationId, undefined);
  const again = await awsError(() => h.ec2.send(new DisassociateAddressCommand({ AssociationId })));
  assert.equal(again.name, 'InvalidAssociationID.NotFound');
  await h.ec2.send(new ReleaseAddressCommand({ AllocationId }));
  const gone = await awsError(() => h.ec2.send(new DescribeAddressesCommand({ AllocationIds: [AllocationId!] })));
  assert.equal(gone.name, 'InvalidAllocationID.NotFound');
  const released = await awsError(() => h.ec2.send(new ReleaseAddressCommand({ AllocationId })));
  assert.equal(released.name, 'InvalidAllocationID.NotFound');
  const byIp = await awsError(() => h.ec2.send(new DescribeAddressesCommand({ PublicIps: ['203.0.113.99'] })));
  assert.equal(byIp.name, 'InvalidAddress.NotFound');
});

test('ReleaseAddress in the default VPC disassociates first; ENI deletion and termination drop associations', async (t) => {
  const h = await harness(t);
  const launched = (
    await h.ec2.send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', MinCount: 1, MaxCount: 1 }))
  ).Instances![0]!;
  settle(h);
  const { AllocationId } = await h.ec2.send(new AllocateAddressCommand({}));
  await h.ec2.send(new AssociateAddressCommand({ AllocationId, InstanceId: launched.InstanceId }));
  await h.ec2.send(new ReleaseAddressCommand({ AllocationId }));
  assert.equal((await h.ec2.send(new DescribeAddressesCommand({}))).Addresses!.length, 0);
  assert.equal(
    (await primaryAssociation(h, launched.NetworkInterfaces![0]!.NetworkInterfaceId!))?.AllocationId,
    undefined,
  );

  const { AllocationId: second } = await h.ec2.send(new AllocateAddressCommand({}));
  await h.ec2.send(new AssociateAddressCommand({ AllocationId: second, InstanceId: IDS.xen }));
  await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [IDS.xen] }));
  const a = await address(h, second!);
  assert.deepEqual([a.AssociationId, a.InstanceId, a.NetworkInterfaceId], [undefined, undefined, undefined]);

  // An address on a detachable ENI stays with the ENI when the instance terminates.
  const { AllocationId: third } = await h.ec2.send(new AllocateAddressCommand({}));
  await h.ec2.send(new AssociateAddressCommand({ AllocationId: third, NetworkInterfaceId: IDS.spareEni }));
  await h.ec2.send(
    new AttachNetworkInterfaceCommand({ NetworkInterfaceId: IDS.spareEni, InstanceId: IDS.web, DeviceIndex: 1 }),
  );
  assert.equal((await address(h, third!)).InstanceId, IDS.web);
  await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [IDS.web] }));
  const kept = await address(h, third!);
  assert.deepEqual(
    [kept.NetworkInterfaceId, kept.InstanceId, Boolean(kept.AssociationId)],
    [IDS.spareEni, undefined, true],
  );
});

test('Addresses: DryRun 412 and a Describe-only key 403 change nothing', async (t) => {
  const h = await harness(t);
  const ro = readOnlyEc2(t, h);
  const { AllocationId } = await h.ec2.send(new AllocateAddressCommand({}));
  const { AssociationId } = await h.ec2.send(new AssociateAddressCommand({ AllocationId, InstanceId: IDS.web }));
  const before = version(h);
  const inputs = {
    allocate: { Domain: 'vpc' as const },
    associate: { AllocationId, InstanceId: IDS.guarded, AllowReassociation: true },
    disassociate: { AssociationId },
    release: { AllocationId },
  };
  const send = (client: typeof ro, dryRun: boolean) => [
    () => client.send(new AllocateAddressCommand({ ...inputs.allocate, DryRun: dryRun })),
    () => client.send(new AssociateAddressCommand({ ...inputs.associate, DryRun: dryRun })),
    () => client.send(new DisassociateAddressCommand({ ...inputs.disassociate, DryRun: dryRun })),
    () => client.send(new ReleaseAddressCommand({ ...inputs.release, DryRun: dryRun })),
  ];
  const dry = send(h.ec2, true);
  for (const call of dry.slice(0, 3)) {
    const e = await awsError(call);
    assert.deepEqual([e.name, e.status], ['DryRunOperation', 412]);
  }
  // Validation first: an associated address in a nondefault VPC cannot be released, DryRun or not.
  assert.equal((await awsError(dry[3]!)).name, 'InvalidIPAddress.InUse');
  for (const call of send(ro, false)) {
    const denied = await awsError(call);
    assert.deepEqual([denied.name, denied.status], ['UnauthorizedOperation', 403]);
  }
  assert.equal(version(h), before);
  const a = await address(h, AllocationId!);
  assert.deepEqual([a.AssociationId, a.InstanceId], [AssociationId, IDS.web]);
  assert.equal((await h.ec2.send(new DescribeAddressesCommand({}))).Addresses!.length, 1);
});
