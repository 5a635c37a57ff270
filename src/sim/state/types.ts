// The simulated world's resource records. Field names follow the EC2 / Auto Scaling / IAM models (lower camel
// for EC2, as its XML does), so views are thin. Records are plain JSON-able data: the whole world can be dumped.

import type { SnsState } from './sns.js';

export type Tags = Record<string, string>;

export interface Vpc {
  vpcId: string;
  ownerId: string;
  cidrBlock: string;
  ipv6CidrBlock?: string;
  isDefault: boolean;
  state: 'available';
  /** Absent means 'default'. */
  instanceTenancy?: 'default' | 'dedicated';
  tags: Tags;
}

export interface Subnet {
  subnetId: string;
  vpcId: string;
  ownerId: string;
  cidrBlock: string;
  ipv6CidrBlock?: string;
  availabilityZone: string;
  mapPublicIpOnLaunch: boolean;
  state: 'available';
  tags: Tags;
}

export interface SgRule {
  securityGroupRuleId: string;
  isEgress: boolean;
  /** '-1' (all), 'tcp', 'udp', 'icmp', 'icmpv6' or a protocol number. */
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  referencedGroupId?: string;
  prefixListId?: string;
  description?: string;
  tags: Tags;
}

export interface SecurityGroup {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ownerId: string;
  rules: SgRule[];
  tags: Tags;
}

export interface ConnectionTracking {
  tcpEstablishedTimeout?: number;
  udpStreamTimeout?: number;
  udpTimeout?: number;
}

export interface PublicIpAssociation {
  publicIp: string;
  ipOwnerId: string;
  allocationId?: string;
  associationId?: string;
}

export interface PrivateIp {
  privateIpAddress: string;
  primary: boolean;
  association?: PublicIpAssociation;
}

export interface EniAttachment {
  attachmentId: string;
  instanceId: string;
  deviceIndex: number;
  networkCardIndex: number;
  status: 'attaching' | 'attached' | 'detaching' | 'detached';
  attachTime: string;
  deleteOnTermination: boolean;
}

export interface NetworkInterface {
  networkInterfaceId: string;
  ownerId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  description: string;
  /** 'interface' | 'lambda' | 'nat_gateway' | 'network_load_balancer' | 'vpc_endpoint' | 'load_balancer' | ... */
  interfaceType: string;
  requesterManaged: boolean;
  requesterId?: string;
  status: 'available' | 'in-use' | 'attaching' | 'detaching';
  macAddress: string;
  privateIpAddresses: PrivateIp[];
  ipv6Addresses: string[];
  groupIds: string[];
  sourceDestCheck: boolean;
  attachment?: EniAttachment;
  /** Explicit conntrack timeouts; absent fields mean the AWS defaults (see dataplane). */
  connectionTracking?: ConnectionTracking;
  tags: Tags;
}

export interface VolumeAttachment {
  instanceId: string;
  device: string;
  state: 'attaching' | 'attached' | 'detaching' | 'detached';
  attachTime: string;
  deleteOnTermination: boolean;
}

export interface Volume {
  volumeId: string;
  ownerId: string;
  size: number;
  volumeType: string;
  availabilityZone: string;
  state: 'creating' | 'available' | 'in-use' | 'deleting' | 'deleted';
  createTime: string;
  encrypted: boolean;
  snapshotId?: string;
  attachments: VolumeAttachment[];
  tags: Tags;
}

export interface MetadataOptions {
  state: 'pending' | 'applied';
  httpTokens: 'optional' | 'required';
  httpPutResponseHopLimit: number;
  httpEndpoint: 'enabled' | 'disabled';
  httpProtocolIpv6: 'enabled' | 'disabled';
  instanceMetadataTags: 'enabled' | 'disabled';
}

export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export const INSTANCE_STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface Instance {
  instanceId: string;
  ownerId: string;
  reservationId: string;
  imageId: string;
  instanceType: string;
  architecture: string;
  state: InstanceStateName;
  stateTransitionReason: string;
  launchTime: string;
  availabilityZone: string;
  /** Absent for an EC2-Classic style instance outside any VPC. */
  subnetId?: string;
  vpcId?: string;
  keyName?: string;
  /** ENIs by device index order; the primary one first. */
  networkInterfaceIds: string[];
  rootDeviceName: string;
  rootDeviceType: 'ebs' | 'instance-store';
  blockDevices: { deviceName: string; volumeId: string }[];
  iamInstanceProfile?: { arn: string; id: string };
  disableApiTermination: boolean;
  disableApiStop: boolean;
  instanceInitiatedShutdownBehavior: 'stop' | 'terminate';
  metadataOptions: MetadataOptions;
  consoleOutput: string;
  platformDetails: string;
  /** Whether the instance type is Nitro based (connection tracking timeouts are configurable only there). */
  nitro: boolean;
  /**
   * A state change in progress: `state` above is already the end state (what every other part of the simulator
   * acts on), while Describe calls show `shown` (pending, stopping, shutting-down) until the simulated clock
   * reaches `until` (epoch ms).
   */
  transition?: { shown: InstanceStateName; until: number };
  /** The primary ENI gets an Amazon-owned public IPv4 address each time the instance starts (launch setting). */
  autoPublicIp?: boolean;
  tags: Tags;
}

export interface IamInstanceProfileAssociation {
  associationId: string;
  instanceId: string;
  iamInstanceProfile: { arn: string; id: string };
  state: 'associating' | 'associated' | 'disassociating' | 'disassociated';
  timestamp: string;
}

export interface Snapshot {
  snapshotId: string;
  ownerId: string;
  volumeId: string;
  volumeSize: number;
  state: 'pending' | 'completed' | 'error';
  progress: string;
  startTime: string;
  /** Simulated time (ms) at which the snapshot completes. */
  completesAt: number;
  description: string;
  encrypted: boolean;
  tags: Tags;
}

export interface Image {
  imageId: string;
  ownerId: string;
  name: string;
  description: string;
  state: 'pending' | 'available' | 'failed' | 'deregistered';
  creationDate: string;
  /** Simulated time (ms) at which the image becomes available. */
  availableAt: number;
  sourceInstanceId?: string;
  noReboot: boolean;
  architecture: string;
  rootDeviceName: string;
  blockDeviceMappings: { deviceName: string; snapshotId: string; volumeSize: number; deleteOnTermination: boolean }[];
  tags: Tags;
}

export interface NetworkAclEntry {
  ruleNumber: number;
  egress: boolean;
  /** '-1' or a protocol number as a string ('6' tcp, '17' udp, '1' icmp, '58' icmpv6). */
  protocol: string;
  ruleAction: 'allow' | 'deny';
  cidrBlock?: string;
  ipv6CidrBlock?: string;
  icmpTypeCode?: { code: number; type: number };
  portRange?: { from: number; to: number };
}

export interface NetworkAcl {
  networkAclId: string;
  ownerId: string;
  vpcId: string;
  isDefault: boolean;
  /** User entries; the fixed catch-all deny (32767 / 32768) is added by views and the data plane. */
  entries: NetworkAclEntry[];
  associations: { networkAclAssociationId: string; subnetId: string }[];
  tags: Tags;
}

export interface Route {
  destinationCidrBlock?: string;
  destinationIpv6CidrBlock?: string;
  destinationPrefixListId?: string;
  gatewayId?: string;
  natGatewayId?: string;
  transitGatewayId?: string;
  vpcPeeringConnectionId?: string;
  networkInterfaceId?: string;
  instanceId?: string;
  egressOnlyInternetGatewayId?: string;
  state: 'active' | 'blackhole';
  origin: 'CreateRouteTable' | 'CreateRoute' | 'EnableVgwRoutePropagation';
}

export interface RouteTableAssociation {
  routeTableAssociationId: string;
  routeTableId: string;
  subnetId?: string;
  gatewayId?: string;
  main: boolean;
  associationState: { state: 'associated' | 'associating' | 'disassociating' | 'disassociated' };
}

export interface RouteTable {
  routeTableId: string;
  ownerId: string;
  vpcId: string;
  routes: Route[];
  associations: RouteTableAssociation[];
  tags: Tags;
}

export interface InternetGateway {
  internetGatewayId: string;
  ownerId: string;
  attachments: { vpcId: string; state: 'available' | 'attached' | 'attaching' | 'detaching' }[];
  tags: Tags;
}

export interface NatGateway {
  natGatewayId: string;
  subnetId: string;
  vpcId: string;
  state: 'available';
  networkInterfaceId: string;
  publicIp?: string;
  privateIp: string;
  tags: Tags;
}

export interface Address {
  allocationId: string;
  publicIp: string;
  domain: 'vpc';
  associationId?: string;
  networkInterfaceId?: string;
  instanceId?: string;
  privateIpAddress?: string;
  networkInterfaceOwnerId?: string;
  tags: Tags;
}

export interface Ec2State {
  vpcs: Map<string, Vpc>;
  subnets: Map<string, Subnet>;
  securityGroups: Map<string, SecurityGroup>;
  networkInterfaces: Map<string, NetworkInterface>;
  instances: Map<string, Instance>;
  volumes: Map<string, Volume>;
  snapshots: Map<string, Snapshot>;
  images: Map<string, Image>;
  iamInstanceProfileAssociations: Map<string, IamInstanceProfileAssociation>;
  networkAcls: Map<string, NetworkAcl>;
  routeTables: Map<string, RouteTable>;
  internetGateways: Map<string, InternetGateway>;
  natGateways: Map<string, NatGateway>;
  addresses: Map<string, Address>;
}

export interface AsgInstance {
  instanceId: string;
  availabilityZone: string;
  lifecycleState: string; // InService | Standby | Pending | Detaching | Detached | EnteringStandby | ...
  healthStatus: 'Healthy' | 'Unhealthy';
  protectedFromScaleIn: boolean;
  instanceType: string;
  launchTemplate?: { launchTemplateId: string; launchTemplateName: string; version: string };
  launchConfigurationName?: string;
}

export interface AutoScalingGroup {
  autoScalingGroupName: string;
  autoScalingGroupARN: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  defaultCooldown: number;
  availabilityZones: string[];
  vpcZoneIdentifier: string;
  healthCheckType: 'EC2' | 'ELB';
  healthCheckGracePeriod: number;
  createdTime: string;
  launchTemplate?: { launchTemplateId: string; launchTemplateName: string; version: string };
  launchConfigurationName?: string;
  loadBalancerNames: string[];
  targetGroupARNs: string[];
  instances: AsgInstance[];
  suspendedProcesses: { processName: string; suspensionReason: string }[];
  newInstancesProtectedFromScaleIn: boolean;
  /** The instance used as the template when the group launches replacements. */
  templateInstanceId?: string;
  /**
   * The security groups its launch template gives new instances, fixed when the group was made (as a launch
   * template would hold them): a replacement never inherits the groups a member has at that moment (say, an
   * isolation group while it is being contained).
   */
  launchGroupIds?: string[];
  tags: { key: string; value: string; propagateAtLaunch: boolean }[];
}

export interface AutoScalingActivity {
  activityId: string;
  autoScalingGroupName: string;
  description: string;
  cause: string;
  startTime: string;
  endTime?: string;
  statusCode: string;
  progress: number;
  details: string;
}

export interface AutoScalingState {
  groups: Map<string, AutoScalingGroup>;
  activities: AutoScalingActivity[];
}

export interface Target {
  id: string;
  port: number;
  availabilityZone?: string;
  state: 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';
  reason?: string;
  /** Simulated time (ms) at which a draining target is removed. */
  drainUntil?: number;
}

export interface TargetGroup {
  targetGroupArn: string;
  targetGroupName: string;
  protocol: string;
  port: number;
  vpcId: string;
  targetType: 'instance' | 'ip' | 'lambda' | 'alb';
  loadBalancerArns: string[];
  deregistrationDelaySeconds: number;
  targets: Target[];
  tags: Tags;
}

export interface ClassicLoadBalancer {
  loadBalancerName: string;
  dnsName: string;
  vpcId?: string;
  subnets: string[];
  securityGroups: string[];
  instances: string[];
  createdTime: string;
}

export interface ElbState {
  targetGroups: Map<string, TargetGroup>;
  classicLoadBalancers: Map<string, ClassicLoadBalancer>;
}

export interface IamRole {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  createDate: string;
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  /** Inline policies by name (URL-decoded JSON text). */
  inlinePolicies: Record<string, string>;
  attachedPolicyArns: string[];
  tags: Tags;
}

export interface IamInstanceProfile {
  instanceProfileName: string;
  instanceProfileId: string;
  arn: string;
  path: string;
  createDate: string;
  roleNames: string[];
  tags: Tags;
}

export interface IamState {
  roles: Map<string, IamRole>;
  instanceProfiles: Map<string, IamInstanceProfile>;
}

export interface RegionState {
  name: string;
  ec2: Ec2State;
  autoscaling: AutoScalingState;
  elb: ElbState;
  sns: SnsState;
}

export interface AccountState {
  accountId: string;
  alias?: string;
  iam: IamState;
  regions: Map<string, RegionState>;
}

/** Who an access key belongs to and what it may do (IAM-style action patterns, e.g. `ec2:Describe*`). */
export interface Principal {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  accountId: string;
  arn: string;
  userId: string;
  /** When present, only matching actions are allowed. */
  allow?: string[];
  /** Matching actions are denied (wins over allow). */
  deny?: string[];
  /** Simulated epoch ms after which calls answer ExpiredToken / AuthFailure. */
  expiresAt?: number;
}
