// RunInstances: validates the whole request first (image, counts, subnet or NetworkInterface.N specs, groups,
// addresses, profile, metadata options, block devices, tags), then launches between MinCount and MaxCount
// instances in one reservation. Each gets its ENIs, a root volume (and any extra EBS mappings), an optional
// IAM profile association and a public IP when asked for. Instances show `pending` for TRANSITION_MS.

import type { CallContext, Handler } from '../framework.js';
import { bool, int, obj, objList, str, strList } from '../framework.js';
import type { FormObject } from '../../protocol/form.js';
import { AwsError } from '../../errors.js';
import { checkIdFormat, lookup } from './ids.js';
import { readTagSpecifications } from './tags.js';
import {
  allocating,
  checkIpv6,
  checkPrivateIp,
  checkTagTypes,
  freeIpv4Count,
  NOT_NITRO_TRACKING,
  readConnectionTracking,
  readIpv6Request,
  resolveGroups,
  nextPrivateIp,
} from './eniRules.js';
import { assignAutoPublicIp, instanceViewNow, isNitroType, maxEnisFor, TRANSITION_MS } from './lifecycle.js';
import { readMetadataOptions } from './instanceAttributes.js';
import { associateProfile, resolveProfile } from './iamAssociations.js';
import {
  attachNetworkInterface,
  attachVolume,
  createNetworkInterface,
  createVolume,
  defaultSecurityGroup,
  newInstanceRecord,
} from '../../state/build.js';
import type {
  ConnectionTracking,
  IamInstanceProfile,
  Instance,
  NetworkInterface,
  RegionState,
  Subnet,
} from '../../state/types.js';

/** Instances one call may launch (a stand-in for the account's vCPU quota). */
export const MAX_LAUNCH = 100;
const VOLUME_TYPES = new Set(['standard', 'gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1']);
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

interface EniPlan {
  deviceIndex: number;
  existing?: NetworkInterface;
  subnet: Subnet;
  groupIds: string[];
  privateIp?: string;
  secondaryIps: string[];
  secondaryCount: number;
  ipv6: { count?: number; addresses: string[] };
  description: string;
  deleteOnTermination: boolean;
  publicIp?: boolean;
  tracking?: ConnectionTracking;
}

interface VolumePlan {
  deviceName: string;
  size: number;
  volumeType: string;
  deleteOnTermination: boolean;
  encrypted: boolean;
  snapshotId?: string;
}

function defaultSubnet(region: RegionState, az: string | undefined): Subnet {
  const vpc = [...region.ec2.vpcs.values()].find((v) => v.isDefault);
  if (!vpc)
    throw new AwsError(
      'VPCIdNotSpecified',
      'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.',
    );
  const subnets = [...region.ec2.subnets.values()].filter(
    (s) => s.vpcId === vpc.vpcId && (!az || s.availabilityZone === az),
  );
  subnets.sort((a, b) => a.availabilityZone.localeCompare(b.availabilityZone));
  if (!subnets[0])
    throw new AwsError(
      'MissingInput',
      `No subnets found for the default VPC '${vpc.vpcId}'${az ? ` in ${az}` : ''}. Please specify a subnet.`,
    );
  return subnets[0];
}

function groupsFor(
  ctx: CallContext,
  subnet: Subnet,
  ids: string[],
  names: string[],
  explicitSubnet: boolean,
): string[] {
  const region = ctx.region;
  const out = ids.length
    ? resolveGroups(
        region,
        subnet.vpcId,
        ids,
        (g) =>
          new AwsError(
            'InvalidParameter',
            `Security group ${g.groupId} and subnet ${subnet.subnetId} belong to different networks.`,
          ),
      ).map((g) => g.groupId)
    : [];
  if (names.length) {
    if (explicitSubnet && !region.ec2.vpcs.get(subnet.vpcId)?.isDefault) {
      throw new AwsError(
        'InvalidParameterCombination',
        'The parameter groupName cannot be used with the parameter subnet',
      );
    }
    for (const n of names) {
      const g = [...region.ec2.securityGroups.values()].find((x) => x.vpcId === subnet.vpcId && x.groupName === n);
      if (!g)
        throw new AwsError(
          'InvalidGroup.NotFound',
          `The security group '${n}' does not exist in default VPC '${subnet.vpcId}'`,
        );
      out.push(g.groupId);
    }
  }
  const unique = [...new Set(out)];
  if (unique.length)
    return resolveGroups(
      region,
      subnet.vpcId,
      unique,
      (g) =>
        new AwsError(
          'InvalidParameter',
          `Security group ${g.groupId} and subnet ${subnet.subnetId} belong to different networks.`,
        ),
    ).map((g) => g.groupId);
  const def = defaultSecurityGroup(region, subnet.vpcId);
  return def ? [def.groupId] : [];
}

function planFromSpec(ctx: CallContext, s: FormObject, count: number): EniPlan {
  const region = ctx.region;
  const deviceIndex = int(s, 'DeviceIndex');
  if (deviceIndex === undefined)
    throw new AwsError('InvalidParameterValue', 'Each network interface requires a device index.');
  const eniId = str(s, 'NetworkInterfaceId');
  const tracking = readConnectionTracking(obj(s, 'ConnectionTrackingSpecification'));
  const publicIp = bool(s, 'AssociatePublicIpAddress');
  const dot = bool(s, 'DeleteOnTermination');
  if (eniId) {
    if (str(s, 'SubnetId') || strList(s, 'SecurityGroupId').length || str(s, 'PrivateIpAddress')) {
      throw new AwsError(
        'InvalidParameterCombination',
        'A network interface ID cannot be specified together with a subnet, security groups or private IP addresses for the same network interface.',
      );
    }
    if (count > 1)
      throw new AwsError(
        'InvalidParameterCombination',
        'An existing network interface cannot be specified when launching more than one instance.',
      );
    const existing = lookup('eni', region.ec2.networkInterfaces, eniId, 'NetworkInterfaceId');
    if (existing.attachment || existing.status !== 'available')
      throw new AwsError('InvalidNetworkInterface.InUse', `Interface: [${eniId}] in use.`);
    return {
      deviceIndex,
      existing,
      subnet: region.ec2.subnets.get(existing.subnetId)!,
      groupIds: existing.groupIds,
      secondaryIps: [],
      secondaryCount: 0,
      ipv6: { addresses: [] },
      description: existing.description,
      deleteOnTermination: dot ?? false,
      publicIp,
      tracking,
    };
  }
  const subnetId = str(s, 'SubnetId');
  if (!subnetId)
    throw new AwsError(
      'MissingParameter',
      `The request must contain the parameter NetworkInterface.${deviceIndex}.SubnetId (or NetworkInterfaceId)`,
    );
  const subnet = lookup('subnet', region.ec2.subnets, subnetId, 'SubnetId');
  const listed = objList(s, 'PrivateIpAddresses').map((x) => ({
    ip: str(x, 'PrivateIpAddress') ?? '',
    primary: bool(x, 'Primary') ?? false,
  }));
  const privateIp = str(s, 'PrivateIpAddress') ?? listed.find((x) => x.primary)?.ip;
  return {
    deviceIndex,
    subnet,
    groupIds: groupsFor(ctx, subnet, strList(s, 'SecurityGroupId'), [], true),
    privateIp,
    secondaryIps: listed.filter((x) => !x.primary && x.ip !== privateIp).map((x) => x.ip),
    secondaryCount: int(s, 'SecondaryPrivateIpAddressCount') ?? 0,
    ipv6: readIpv6Request(s, 'Ipv6AddressCount', 'Ipv6Addresses'),
    description: str(s, 'Description') ?? '',
    deleteOnTermination: dot ?? true,
    publicIp,
    tracking,
  };
}

function planEnis(ctx: CallContext, p: FormObject, count: number): EniPlan[] {
  const specs = objList(p, 'NetworkInterface');
  const az = str(obj(p, 'Placement') ?? {}, 'AvailabilityZone');
  const topSubnet = str(p, 'SubnetId');
  const topGroups = strList(p, 'SecurityGroupId');
  const groupNames = strList(p, 'SecurityGroup');
  let plans: EniPlan[];
  if (specs.length) {
    if (topSubnet)
      throw new AwsError(
        'InvalidParameterCombination',
        'Network interfaces and an instance-level subnet ID may not be specified on the same request',
      );
    if (topGroups.length || groupNames.length)
      throw new AwsError(
        'InvalidParameterCombination',
        'Network interfaces and an instance-level security groups may not be specified on the same request',
      );
    if (str(p, 'PrivateIpAddress'))
      throw new AwsError(
        'InvalidParameterCombination',
        'Network interfaces and an instance-level private IP address may not be specified on the same request',
      );
    if (str(p, 'Ipv6AddressCount') || objList(p, 'Ipv6Address').length)
      throw new AwsError(
        'InvalidParameterCombination',
        'Network interfaces and instance-level IPv6 addresses may not be specified on the same request',
      );
    plans = specs.map((s) => planFromSpec(ctx, s, count)).sort((a, b) => a.deviceIndex - b.deviceIndex);
    if (new Set(plans.map((x) => x.deviceIndex)).size !== plans.length)
      throw new AwsError('InvalidParameterValue', 'Each network interface requires a unique device index.');
    if (plans[0]!.deviceIndex !== 0)
      throw new AwsError('InvalidParameterValue', 'A network interface at device index 0 is required.');
    if (plans.some((x) => x.publicIp !== undefined && x.deviceIndex !== 0)) {
      throw new AwsError(
        'InvalidParameterCombination',
        'The associatePublicIPAddress parameter can only be specified for the network interface with DeviceIndex 0.',
      );
    }
    if (plans.length > 1 && plans[0]!.publicIp) {
      throw new AwsError(
        'InvalidParameterCombination',
        'The associatePublicIPAddress parameter cannot be specified when launching with multiple network interfaces.',
      );
    }
    const first = plans[0]!.subnet;
    for (const x of plans) {
      if (x.subnet.vpcId !== first.vpcId)
        throw new AwsError('InvalidParameterValue', 'All network interfaces of an instance must be in the same VPC.');
      if (x.subnet.availabilityZone !== first.availabilityZone)
        throw new AwsError(
          'InvalidParameterValue',
          'All network interfaces of an instance must be in the same availability zone.',
        );
    }
  } else {
    const subnet = topSubnet
      ? lookup('subnet', ctx.region.ec2.subnets, topSubnet, 'SubnetId')
      : defaultSubnet(ctx.region, az);
    plans = [
      {
        deviceIndex: 0,
        subnet,
        groupIds: groupsFor(ctx, subnet, topGroups, groupNames, !!topSubnet),
        privateIp: str(p, 'PrivateIpAddress'),
        secondaryIps: [],
        secondaryCount: 0,
        ipv6: readIpv6Request(p, 'Ipv6AddressCount', 'Ipv6Address'),
        description: '',
        deleteOnTermination: true,
      },
    ];
  }
  const subnet = plans[0]!.subnet;
  if (az && az !== subnet.availabilityZone) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${az}) for parameter availabilityZone is invalid. Subnet '${subnet.subnetId}' is in the availability zone ${subnet.availabilityZone}`,
    );
  }
  return plans;
}

function checkAddresses(ctx: CallContext, plans: EniPlan[], count: number): number {
  const taken: string[] = [];
  for (const x of plans) {
    if (x.existing) continue;
    if (count > 1 && (x.privateIp || x.secondaryIps.length || x.ipv6.addresses.length)) {
      throw new AwsError(
        'InvalidParameterCombination',
        'Specific private or IPv6 addresses cannot be used when launching more than one instance.',
      );
    }
    for (const ip of [x.privateIp, ...x.secondaryIps].filter((v): v is string => !!v)) {
      checkPrivateIp(ctx.region, x.subnet, ip, taken);
      taken.push(ip);
    }
    checkIpv6(ctx.region, x.subnet, x.ipv6);
  }
  // Launch as many as the subnets' free addresses allow, at most `count`.
  let fits = count;
  const need = new Map<Subnet, number>();
  for (const x of plans)
    if (!x.existing) need.set(x.subnet, (need.get(x.subnet) ?? 0) + (x.privateIp ? 0 : 1) + x.secondaryCount);
  for (const [s, n] of need)
    if (n > 0) fits = Math.min(fits, Math.floor((freeIpv4Count(ctx.region, s) - taken.length) / n));
  return fits;
}

function planVolumes(
  ctx: CallContext,
  p: FormObject,
  rootDevice: string,
  imageRoot: { size: number; snapshotId?: string } | undefined,
): VolumePlan[] {
  const volumes: VolumePlan[] = [
    {
      deviceName: rootDevice,
      size: imageRoot?.size ?? 8,
      volumeType: 'gp3',
      deleteOnTermination: true,
      encrypted: false,
      snapshotId: imageRoot?.snapshotId,
    },
  ];
  const seen = new Set<string>();
  for (const m of objList(p, 'BlockDeviceMapping')) {
    const deviceName = str(m, 'DeviceName');
    if (!deviceName)
      throw new AwsError('MissingParameter', 'The request must contain the parameter BlockDeviceMapping.DeviceName');
    if (seen.has(deviceName))
      throw new AwsError(
        'InvalidBlockDeviceMapping',
        `The device '${deviceName}' is used in more than one block-device mapping`,
      );
    seen.add(deviceName);
    const ebs = obj(m, 'Ebs');
    if (str(m, 'NoDevice') !== undefined) {
      if (deviceName === rootDevice)
        throw new AwsError('InvalidBlockDeviceMapping', 'The root device cannot be suppressed with NoDevice.');
      continue;
    }
    if (!ebs) continue; // instance-store (VirtualName) mappings are not modelled
    const volumeType = str(ebs, 'VolumeType') ?? 'gp3';
    if (!VOLUME_TYPES.has(volumeType))
      throw new AwsError('InvalidParameterValue', `Value (${volumeType}) for parameter volumeType is invalid.`);
    const snapshotId = str(ebs, 'SnapshotId');
    if (snapshotId) lookup('snapshot', ctx.region.ec2.snapshots, snapshotId, 'SnapshotId');
    const snapSize = snapshotId ? ctx.region.ec2.snapshots.get(snapshotId)!.volumeSize : undefined;
    const isRoot = deviceName === rootDevice;
    // A public AMI not modelled in the account is taken to have an 8 GiB root snapshot, as most do.
    const minSize = isRoot ? (imageRoot?.size ?? 8) : (snapSize ?? 1);
    const size = int(ebs, 'VolumeSize') ?? (isRoot ? volumes[0]!.size : snapSize);
    if (size === undefined)
      throw new AwsError(
        'MissingParameter',
        `The request must contain the parameter BlockDeviceMapping.Ebs.VolumeSize for ${deviceName}`,
      );
    if (size < minSize)
      throw new AwsError(
        'InvalidBlockDeviceMapping',
        `Volume of size ${size}GB is smaller than snapshot, expect size >= ${minSize}GB`,
      );
    if (size > 16384)
      throw new AwsError('InvalidParameterValue', `Volume of ${size}GiB is too large; the maximum is 16384GiB.`);
    const plan: VolumePlan = {
      deviceName,
      size,
      volumeType,
      deleteOnTermination: bool(ebs, 'DeleteOnTermination') ?? true,
      encrypted: bool(ebs, 'Encrypted') ?? false,
      snapshotId: isRoot ? volumes[0]!.snapshotId : snapshotId,
    };
    if (isRoot) volumes[0] = plan;
    else volumes.push(plan);
  }
  return volumes;
}

const runInstances: Handler = (ctx, p) => {
  const region = ctx.region;
  if (obj(p, 'LaunchTemplate'))
    throw new AwsError(
      'UnsupportedOperation',
      'The simulator does not model launch templates: give ImageId, InstanceType and the network settings.',
    );
  const imageId = str(p, 'ImageId');
  if (!imageId) throw new AwsError('MissingParameter', 'The request must contain the parameter ImageId');
  checkIdFormat('image', imageId);
  // Images of the account must be available; any other well-formed id stands for a public AMI.
  const image = region.ec2.images.get(imageId);
  if (image?.state === 'deregistered')
    throw new AwsError('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
  if (image && image.state !== 'available')
    throw new AwsError('InvalidAMIID.Unavailable', `AMI '${imageId}' is ${image.state}, and cannot be run`);
  const minCount = int(p, 'MinCount');
  const maxCount = int(p, 'MaxCount');
  if (minCount === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter MinCount');
  if (maxCount === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter MaxCount');
  if (minCount < 1)
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${minCount}) for parameter minCount is invalid. Expected a positive integer.`,
    );
  if (maxCount < minCount)
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${maxCount}) for parameter maxCount is invalid. Expected a value greater than or equal to minCount (${minCount}).`,
    );
  if (minCount > MAX_LAUNCH)
    throw new AwsError(
      'InstanceLimitExceeded',
      `You have requested more instances (${minCount}) than your current instance limit of ${MAX_LAUNCH} allows for the specified instance type.`,
    );
  const instanceType = str(p, 'InstanceType') ?? 'm1.small';
  if (!INSTANCE_TYPE.test(instanceType))
    throw new AwsError('InvalidParameterValue', `Invalid value '${instanceType}' for InstanceType.`);
  const nitro = isNitroType(instanceType);
  const wanted = Math.min(maxCount, MAX_LAUNCH);

  const plans = planEnis(ctx, p, wanted);
  if (plans.length > maxEnisFor(instanceType))
    throw new AwsError(
      'InvalidParameterValue',
      `Interface count ${plans.length} exceeds the limit for ${instanceType}`,
    );
  if (!nitro && plans.some((x) => x.tracking)) throw new AwsError('UnsupportedOperation', NOT_NITRO_TRACKING);
  const launch = checkAddresses(ctx, plans, wanted);
  if (launch < minCount) {
    throw new AwsError(
      'InsufficientFreeAddressesInSubnet',
      `There are not enough free addresses in subnet '${plans[0]!.subnet.subnetId}' to satisfy the requested number of instances.`,
    );
  }
  const profile: IamInstanceProfile | undefined = obj(p, 'IamInstanceProfile')
    ? resolveProfile(ctx, obj(p, 'IamInstanceProfile'))
    : undefined;
  const metadata = readMetadataOptions(obj(p, 'MetadataOptions'));
  const shutdown = str(p, 'InstanceInitiatedShutdownBehavior') ?? 'stop';
  if (shutdown !== 'stop' && shutdown !== 'terminate') {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${shutdown}) for parameter instanceInitiatedShutdownBehavior is invalid. Valid values: stop, terminate.`,
    );
  }
  const disableApiTermination = bool(p, 'DisableApiTermination') ?? false;
  const disableApiStop = bool(p, 'DisableApiStop') ?? false;
  const rootDevice = image?.rootDeviceName ?? '/dev/xvda';
  const imageRoot = image?.blockDeviceMappings.find((b) => b.deviceName === rootDevice);
  const volumes = planVolumes(
    ctx,
    p,
    rootDevice,
    imageRoot ? { size: imageRoot.volumeSize, snapshotId: imageRoot.snapshotId } : undefined,
  );
  checkTagTypes(p, ['instance', 'volume', 'network-interface', 'spot-instances-request', 'elastic-gpu']);
  const tags = {
    instance: readTagSpecifications(p, 'instance'),
    volume: readTagSpecifications(p, 'volume'),
    eni: readTagSpecifications(p, 'network-interface'),
  };
  ctx.dryRunGate();

  const subnet = plans[0]!.subnet;
  const reservationId = ctx.world.ids.hex('r');
  const instances: Instance[] = [];
  for (let n = 0; n < launch; n++) {
    const inst = newInstanceRecord(ctx.world, ctx.accountId, {
      reservationId,
      imageId,
      instanceType,
      availabilityZone: subnet.availabilityZone,
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      state: 'running',
      keyName: str(p, 'KeyName'),
      nitro,
      tags: tags.instance,
    });
    inst.transition = { shown: 'pending', until: ctx.world.clock.now() + TRANSITION_MS };
    inst.architecture = image?.architecture ?? 'x86_64';
    inst.rootDeviceName = rootDevice;
    inst.disableApiTermination = disableApiTermination;
    inst.disableApiStop = disableApiStop;
    inst.instanceInitiatedShutdownBehavior = shutdown;
    Object.assign(inst.metadataOptions, metadata, { state: 'applied' });
    inst.consoleOutput = `[    0.000000] Linux version 6.1.0 (cordon-sim)\n${inst.instanceId} login: `;
    region.ec2.instances.set(inst.instanceId, inst);
    for (const x of plans) {
      const eni =
        x.existing ??
        allocating(() =>
          createNetworkInterface(ctx.world, region, ctx.accountId, x.subnet, {
            groupIds: x.groupIds,
            privateIp: x.privateIp,
            secondaryPrivateIps: x.secondaryIps,
            ipv6: x.ipv6.addresses.length ? x.ipv6.addresses : x.ipv6.count,
            description: x.description,
            connectionTracking: x.tracking,
            tags: tags.eni,
          }),
        );
      for (let i = 0; i < x.secondaryCount; i++) {
        eni.privateIpAddresses.push({ privateIpAddress: nextPrivateIp(region, x.subnet), primary: false });
      }
      if (x.existing && x.tracking)
        eni.connectionTracking = { ...(eni.connectionTracking ?? {}), ...stripUndefined(x.tracking) };
      attachNetworkInterface(ctx.world, eni, inst, x.deviceIndex, x.deleteOnTermination);
      for (const a of region.ec2.addresses.values())
        if (a.networkInterfaceId === eni.networkInterfaceId) a.instanceId = inst.instanceId;
    }
    inst.autoPublicIp = plans.length === 1 && (plans[0]!.publicIp ?? subnet.mapPublicIpOnLaunch);
    assignAutoPublicIp(ctx.world, region, inst);
    for (const v of volumes) {
      const vol = createVolume(ctx.world, region, ctx.accountId, {
        size: v.size,
        volumeType: v.volumeType,
        availabilityZone: inst.availabilityZone,
        encrypted: v.encrypted,
        snapshotId: v.snapshotId,
        tags: tags.volume,
      });
      attachVolume(ctx.world, vol, inst, v.deviceName, v.deleteOnTermination);
    }
    if (profile) associateProfile(ctx, inst, profile);
    instances.push(inst);
  }
  return {
    reservationId,
    ownerId: ctx.accountId,
    groupSet: [],
    instancesSet: instances.map((i) => instanceViewNow(ctx.world, region, i)),
  };
};

function stripUndefined(t: ConnectionTracking): ConnectionTracking {
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as ConnectionTracking;
}

export const runInstancesActions: Record<string, Handler> = {
  RunInstances: runInstances,
};
