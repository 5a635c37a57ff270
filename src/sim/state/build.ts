// Constructors for world records with AWS's defaults (a VPC's default group, NACL and main route table; an ENI's
// addresses; an instance's root volume). Shared by the scenario loader and the API handlers so both build
// resources the same way.

import { nthAddress, parseCidr, formatIp, cidrContains } from '../../core/cidr.js';
import type {
  Instance,
  NetworkAcl,
  NetworkAclEntry,
  NetworkInterface,
  RegionState,
  RouteTable,
  SecurityGroup,
  SgRule,
  Subnet,
  Tags,
  Volume,
  Vpc,
  ConnectionTracking,
} from './types.js';
import type { World } from './world.js';

export function defaultEgressRules(world: World, ipv6: boolean): SgRule[] {
  const rules: SgRule[] = [
    { securityGroupRuleId: world.ids.hex('sgr'), isEgress: true, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0', tags: {} },
  ];
  if (ipv6)
    rules.push({
      securityGroupRuleId: world.ids.hex('sgr'),
      isEgress: true,
      ipProtocol: '-1',
      cidrIpv6: '::/0',
      tags: {},
    });
  return rules;
}

export function allowAllNaclEntries(ipv6: boolean): NetworkAclEntry[] {
  const out: NetworkAclEntry[] = [];
  for (const egress of [false, true]) {
    out.push({ ruleNumber: 100, egress, protocol: '-1', ruleAction: 'allow', cidrBlock: '0.0.0.0/0' });
    if (ipv6) out.push({ ruleNumber: 101, egress, protocol: '-1', ruleAction: 'allow', ipv6CidrBlock: '::/0' });
  }
  return out;
}

export function localRoutes(vpc: Vpc): RouteTable['routes'] {
  const routes: RouteTable['routes'] = [
    { destinationCidrBlock: vpc.cidrBlock, gatewayId: 'local', state: 'active', origin: 'CreateRouteTable' },
  ];
  if (vpc.ipv6CidrBlock)
    routes.push({
      destinationIpv6CidrBlock: vpc.ipv6CidrBlock,
      gatewayId: 'local',
      state: 'active',
      origin: 'CreateRouteTable',
    });
  return routes;
}

/** Creates a VPC with its default security group, default NACL and main route table. */
export function createVpc(
  world: World,
  region: RegionState,
  ownerId: string,
  spec: { vpcId?: string; cidrBlock: string; ipv6CidrBlock?: string; isDefault?: boolean; tags?: Tags },
): Vpc {
  const vpc: Vpc = {
    vpcId: spec.vpcId ?? world.ids.hex('vpc'),
    ownerId,
    cidrBlock: spec.cidrBlock,
    ipv6CidrBlock: spec.ipv6CidrBlock,
    isDefault: spec.isDefault ?? false,
    state: 'available',
    tags: { ...(spec.tags ?? {}) },
  };
  const ec2 = region.ec2;
  ec2.vpcs.set(vpc.vpcId, vpc);
  const sg: SecurityGroup = {
    groupId: world.ids.hex('sg'),
    groupName: 'default',
    description: 'default VPC security group',
    vpcId: vpc.vpcId,
    ownerId,
    rules: [],
    tags: {},
  };
  sg.rules.push({
    securityGroupRuleId: world.ids.hex('sgr'),
    isEgress: false,
    ipProtocol: '-1',
    referencedGroupId: sg.groupId,
    tags: {},
  });
  sg.rules.push(...defaultEgressRules(world, !!vpc.ipv6CidrBlock));
  ec2.securityGroups.set(sg.groupId, sg);
  const acl: NetworkAcl = {
    networkAclId: world.ids.hex('acl'),
    ownerId,
    vpcId: vpc.vpcId,
    isDefault: true,
    entries: allowAllNaclEntries(!!vpc.ipv6CidrBlock),
    associations: [],
    tags: {},
  };
  ec2.networkAcls.set(acl.networkAclId, acl);
  const rtb: RouteTable = {
    routeTableId: world.ids.hex('rtb'),
    ownerId,
    vpcId: vpc.vpcId,
    routes: localRoutes(vpc),
    associations: [],
    tags: {},
  };
  rtb.associations.push({
    routeTableAssociationId: world.ids.hex('rtbassoc'),
    routeTableId: rtb.routeTableId,
    main: true,
    associationState: { state: 'associated' },
  });
  ec2.routeTables.set(rtb.routeTableId, rtb);
  return vpc;
}

export function defaultSecurityGroup(region: RegionState, vpcId: string): SecurityGroup | undefined {
  for (const g of region.ec2.securityGroups.values()) if (g.vpcId === vpcId && g.groupName === 'default') return g;
  return undefined;
}

export function defaultNetworkAcl(region: RegionState, vpcId: string): NetworkAcl | undefined {
  for (const a of region.ec2.networkAcls.values()) if (a.vpcId === vpcId && a.isDefault) return a;
  return undefined;
}

export function mainRouteTable(region: RegionState, vpcId: string): RouteTable | undefined {
  for (const t of region.ec2.routeTables.values())
    if (t.vpcId === vpcId && t.associations.some((a) => a.main)) return t;
  return undefined;
}

/** The route table a subnet uses: its explicit association, else the VPC's main table. */
export function routeTableForSubnet(region: RegionState, subnet: Subnet): RouteTable | undefined {
  for (const t of region.ec2.routeTables.values())
    if (t.associations.some((a) => a.subnetId === subnet.subnetId)) return t;
  return mainRouteTable(region, subnet.vpcId);
}

export function networkAclForSubnet(region: RegionState, subnetId: string): NetworkAcl | undefined {
  for (const a of region.ec2.networkAcls.values()) if (a.associations.some((x) => x.subnetId === subnetId)) return a;
  return undefined;
}

/** Creates a subnet and associates it with the VPC's default NACL (as AWS does). */
export function createSubnet(
  world: World,
  region: RegionState,
  ownerId: string,
  spec: {
    subnetId?: string;
    vpcId: string;
    cidrBlock: string;
    ipv6CidrBlock?: string;
    availabilityZone?: string;
    mapPublicIpOnLaunch?: boolean;
    tags?: Tags;
  },
): Subnet {
  const subnet: Subnet = {
    subnetId: spec.subnetId ?? world.ids.hex('subnet'),
    vpcId: spec.vpcId,
    ownerId,
    cidrBlock: spec.cidrBlock,
    ipv6CidrBlock: spec.ipv6CidrBlock,
    availabilityZone: spec.availabilityZone ?? `${region.name}a`,
    mapPublicIpOnLaunch: spec.mapPublicIpOnLaunch ?? false,
    state: 'available',
    tags: { ...(spec.tags ?? {}) },
  };
  region.ec2.subnets.set(subnet.subnetId, subnet);
  const acl = defaultNetworkAcl(region, spec.vpcId);
  if (acl) acl.associations.push({ networkAclAssociationId: world.ids.hex('aclassoc'), subnetId: subnet.subnetId });
  return subnet;
}

function usedAddresses(region: RegionState, subnetId: string): Set<string> {
  const used = new Set<string>();
  for (const eni of region.ec2.networkInterfaces.values()) {
    if (eni.subnetId !== subnetId) continue;
    for (const p of eni.privateIpAddresses) used.add(p.privateIpAddress);
    for (const a of eni.ipv6Addresses) used.add(a);
  }
  return used;
}

/** Next free private IPv4 address in the subnet (AWS reserves the first four and the last). */
export function allocatePrivateIp(region: RegionState, subnet: Subnet): string {
  const used = usedAddresses(region, subnet.subnetId);
  const c = parseCidr(subnet.cidrBlock)!;
  const size = 1n << BigInt(32 - c.prefix);
  for (let n = 4n; n < size - 1n; n++) {
    const ip = nthAddress(subnet.cidrBlock, n);
    if (!used.has(ip)) return ip;
  }
  throw Object.assign(new Error('subnet full'), { code: 'InsufficientFreeAddressesInSubnet' });
}

export function allocateIpv6(region: RegionState, subnet: Subnet): string {
  if (!subnet.ipv6CidrBlock)
    throw Object.assign(new Error('subnet has no IPv6 CIDR'), { code: 'InvalidParameterValue' });
  const used = usedAddresses(region, subnet.subnetId);
  for (let n = 0x10n; n < 0x10000n; n++) {
    const ip = nthAddress(subnet.ipv6CidrBlock, n);
    if (!used.has(ip)) return ip;
  }
  throw Object.assign(new Error('no IPv6 addresses left'), { code: 'InsufficientFreeAddressesInSubnet' });
}

export function ipInSubnet(subnet: Subnet, ip: string): boolean {
  return cidrContains(subnet.cidrBlock, ip) || (!!subnet.ipv6CidrBlock && cidrContains(subnet.ipv6CidrBlock, ip));
}

function macFor(world: World): string {
  const id = world.ids.hex('mac', 12).slice(4);
  return `0a:${id.slice(0, 2)}:${id.slice(2, 4)}:${id.slice(4, 6)}:${id.slice(6, 8)}:${id.slice(8, 10)}`;
}

export function createNetworkInterface(
  world: World,
  region: RegionState,
  ownerId: string,
  subnet: Subnet,
  spec: {
    networkInterfaceId?: string;
    groupIds: string[];
    privateIp?: string;
    secondaryPrivateIps?: string[];
    ipv6?: string[] | number;
    description?: string;
    interfaceType?: string;
    requesterManaged?: boolean;
    connectionTracking?: ConnectionTracking;
    tags?: Tags;
  },
): NetworkInterface {
  const primary = spec.privateIp ?? allocatePrivateIp(region, subnet);
  const eni: NetworkInterface = {
    networkInterfaceId: spec.networkInterfaceId ?? world.ids.hex('eni'),
    ownerId,
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    description: spec.description ?? '',
    interfaceType: spec.interfaceType ?? 'interface',
    requesterManaged: spec.requesterManaged ?? false,
    requesterId: spec.requesterManaged ? 'amazon-elb' : undefined,
    status: 'available',
    macAddress: macFor(world),
    privateIpAddresses: [{ privateIpAddress: primary, primary: true }],
    ipv6Addresses: [],
    groupIds: [...spec.groupIds],
    sourceDestCheck: true,
    connectionTracking: spec.connectionTracking ? { ...spec.connectionTracking } : undefined,
    tags: { ...(spec.tags ?? {}) },
  };
  region.ec2.networkInterfaces.set(eni.networkInterfaceId, eni);
  for (const ip of spec.secondaryPrivateIps ?? [])
    eni.privateIpAddresses.push({ privateIpAddress: ip, primary: false });
  if (Array.isArray(spec.ipv6)) eni.ipv6Addresses.push(...spec.ipv6);
  else for (let i = 0; i < (spec.ipv6 ?? 0); i++) eni.ipv6Addresses.push(allocateIpv6(region, subnet));
  return eni;
}

export function attachNetworkInterface(
  world: World,
  eni: NetworkInterface,
  instance: Instance,
  deviceIndex: number,
  deleteOnTermination: boolean,
): void {
  eni.attachment = {
    attachmentId: world.ids.hex('eni-attach'),
    instanceId: instance.instanceId,
    deviceIndex,
    networkCardIndex: 0,
    status: 'attached',
    attachTime: world.clock.nowIso(),
    deleteOnTermination,
  };
  eni.status = 'in-use';
  const ids = instance.networkInterfaceIds.filter((x) => x !== eni.networkInterfaceId);
  ids.push(eni.networkInterfaceId);
  instance.networkInterfaceIds = ids;
}

export function createVolume(
  world: World,
  region: RegionState,
  ownerId: string,
  spec: {
    volumeId?: string;
    size: number;
    volumeType: string;
    availabilityZone: string;
    encrypted?: boolean;
    snapshotId?: string;
    tags?: Tags;
  },
): Volume {
  const v: Volume = {
    volumeId: spec.volumeId ?? world.ids.hex('vol'),
    ownerId,
    size: spec.size,
    volumeType: spec.volumeType,
    availabilityZone: spec.availabilityZone,
    state: 'available',
    createTime: world.clock.nowIso(),
    encrypted: spec.encrypted ?? false,
    snapshotId: spec.snapshotId,
    attachments: [],
    tags: { ...(spec.tags ?? {}) },
  };
  region.ec2.volumes.set(v.volumeId, v);
  return v;
}

export function attachVolume(
  world: World,
  volume: Volume,
  instance: Instance,
  device: string,
  deleteOnTermination: boolean,
): void {
  volume.attachments = [
    {
      instanceId: instance.instanceId,
      device,
      state: 'attached',
      attachTime: world.clock.nowIso(),
      deleteOnTermination,
    },
  ];
  volume.state = 'in-use';
  instance.blockDevices.push({ deviceName: device, volumeId: volume.volumeId });
}

export function newInstanceRecord(
  world: World,
  ownerId: string,
  spec: {
    instanceId?: string;
    reservationId?: string;
    imageId: string;
    instanceType: string;
    availabilityZone: string;
    subnetId?: string;
    vpcId?: string;
    state?: Instance['state'];
    keyName?: string;
    nitro?: boolean;
    tags?: Tags;
  },
): Instance {
  return {
    instanceId: spec.instanceId ?? world.ids.hex('i'),
    ownerId,
    reservationId: spec.reservationId ?? world.ids.hex('r'),
    imageId: spec.imageId,
    instanceType: spec.instanceType,
    architecture: 'x86_64',
    state: spec.state ?? 'running',
    stateTransitionReason: '',
    launchTime: world.clock.nowIso(),
    availabilityZone: spec.availabilityZone,
    subnetId: spec.subnetId,
    vpcId: spec.vpcId,
    keyName: spec.keyName,
    networkInterfaceIds: [],
    rootDeviceName: '/dev/xvda',
    rootDeviceType: 'ebs',
    blockDevices: [],
    disableApiTermination: false,
    disableApiStop: false,
    instanceInitiatedShutdownBehavior: 'stop',
    metadataOptions: {
      state: 'applied',
      httpTokens: 'required',
      httpPutResponseHopLimit: 2,
      httpEndpoint: 'enabled',
      httpProtocolIpv6: 'disabled',
      instanceMetadataTags: 'disabled',
    },
    consoleOutput: '',
    platformDetails: 'Linux/UNIX',
    nitro: spec.nitro ?? true,
    tags: { ...(spec.tags ?? {}) },
  };
}

/** The primary private IPv4 address of the instance (device 0). */
export function primaryEni(region: RegionState, instance: Instance): NetworkInterface | undefined {
  const id = instance.networkInterfaceIds[0];
  return id ? region.ec2.networkInterfaces.get(id) : undefined;
}

export function publicIpOf(eni: NetworkInterface | undefined): string | undefined {
  return eni?.privateIpAddresses.find((p) => p.primary)?.association?.publicIp;
}

/** A public IPv4 address from the simulated Amazon pool (54.160.0.0/11) that nothing in the region uses yet. */
export function allocatePublicIp(world: World, region: RegionState): string {
  const used = new Set<string>();
  for (const e of region.ec2.networkInterfaces.values())
    for (const p of e.privateIpAddresses) if (p.association) used.add(p.association.publicIp);
  for (const a of region.ec2.addresses.values()) used.add(a.publicIp);
  for (const n of region.ec2.natGateways.values()) if (n.publicIp) used.add(n.publicIp);
  for (;;) {
    const n = parseInt(world.ids.hex('pubip').slice(-9), 16);
    const ip = `54.${160 + ((n >> 16) & 31)}.${(n >> 8) & 255}.${n & 255}`;
    if ((n & 255) !== 0 && !used.has(ip)) return ip;
  }
}

export function formatIpv4(v: bigint): string {
  return formatIp(4, v);
}
