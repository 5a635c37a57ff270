// The scenario format: a JSON description of accounts, regions and their resources, loaded into a World.
// Documented in docs/simulator.md. References between resources use either the resource id or its `name`.

import { z } from 'zod';

const tags = z.record(z.string().max(128), z.string().max(256));
const ref = z.string().min(1);
const cidr = z.string().regex(/^[0-9a-fA-F.:]+\/\d{1,3}$/, 'must be a CIDR such as 10.0.0.0/16 or 2001:db8::/56');
const ip = z.string().regex(/^[0-9a-fA-F.:]+$/, 'must be an IP address');
const portRange = z.string().regex(/^\d+(-\d+)?$/, 'must be a port or a range such as "22" or "1024-65535"');
/** An AWS resource id such as sg-0123456789abcdef0 (8 or 17 hex digits after the prefix). */
const awsId = (prefix: string) =>
  z
    .string()
    .regex(
      new RegExp(`^${prefix}-[0-9a-f]{8,17}$`),
      `must be an id such as ${prefix}-0123456789abcdef0 (8 to 17 hex digits)`,
    );

export const sgRuleSchema = z.strictObject({
  /** tcp | udp | icmp | icmpv6 | all (= -1) | a protocol number */
  protocol: z.union([z.string(), z.number().int()]).default('all'),
  /** "22", "1024-65535", 443, or omitted for all ports */
  ports: z.union([portRange, z.number().int()]).optional(),
  cidr: cidr.optional(),
  /** another group (id or name) as source / destination */
  group: ref.optional(),
  prefixList: z.string().optional(),
  description: z.string().optional(),
});

const securityGroupSchema = z.strictObject({
  id: awsId('sg').optional(),
  name: z.string().min(1).max(255),
  description: z.string().max(255).optional(),
  ingress: z.array(sgRuleSchema).default([]),
  /** Omitted: AWS's default allow-all egress (IPv4, plus IPv6 in an IPv6 VPC). [] means no egress rules. */
  egress: z.array(sgRuleSchema).optional(),
  tags: tags.optional(),
});

const naclEntrySchema = z.strictObject({
  rule: z.number().int().min(1).max(32766),
  egress: z.boolean().default(false),
  protocol: z.union([z.string(), z.number().int()]).default('all'),
  action: z.enum(['allow', 'deny']),
  cidr: cidr.optional(),
  ports: z.union([portRange, z.number().int()]).optional(),
});

const networkAclSchema = z.strictObject({
  id: awsId('acl').optional(),
  name: z.string().min(1),
  /** The VPC's default NACL (a VPC gets an allow-all default NACL when none is marked default). */
  default: z.boolean().default(false),
  /** Omitted: allow all in and out (rule 100, both families). */
  entries: z.array(naclEntrySchema).optional(),
  tags: tags.optional(),
});

const routeSchema = z.strictObject({
  destination: cidr,
  /**
   * igw | local | nat:<name> | nat-… | eigw-… | tgw-… | pcx-… | vgw-… | eni-… (an ENI of the scenario) |
   * instance:<id or name> or i-… (a single-ENI instance in the VPC: a NAT instance, an appliance)
   */
  target: z.string().min(1),
});

const routeTableSchema = z.strictObject({
  id: awsId('rtb').optional(),
  name: z.string().min(1),
  main: z.boolean().default(false),
  routes: z.array(routeSchema).default([]),
  tags: tags.optional(),
});

const subnetSchema = z.strictObject({
  id: awsId('subnet').optional(),
  name: z.string().min(1).optional(),
  cidr,
  ipv6Cidr: cidr.optional(),
  az: z.string().optional(),
  /** route table (id or name); omitted = the VPC's main table (implicit association) */
  routeTable: ref.optional(),
  /** network ACL (id or name); omitted = the VPC's default NACL */
  networkAcl: ref.optional(),
  mapPublicIpOnLaunch: z.boolean().default(false),
  tags: tags.optional(),
});

const natGatewaySchema = z.strictObject({
  id: awsId('nat').optional(),
  name: z.string().min(1),
  subnet: ref,
  publicIp: ip.optional(),
});

const vpcSchema = z.strictObject({
  id: awsId('vpc').optional(),
  name: z.string().min(1).optional(),
  cidr,
  ipv6Cidr: cidr.optional(),
  isDefault: z.boolean().default(false),
  /** true, or an igw id: an internet gateway attached to this VPC */
  internetGateway: z.union([z.boolean(), awsId('igw')]).default(false),
  subnets: z.array(subnetSchema).default([]),
  securityGroups: z.array(securityGroupSchema).default([]),
  routeTables: z.array(routeTableSchema).default([]),
  networkAcls: z.array(networkAclSchema).default([]),
  natGateways: z.array(natGatewaySchema).default([]),
  tags: tags.optional(),
});

const eniSpecSchema = z.strictObject({
  id: awsId('eni').optional(),
  subnet: ref,
  securityGroups: z.array(ref).min(1),
  privateIp: ip.optional(),
  secondaryPrivateIps: z.array(ip).default([]),
  /** IPv6 addresses, or a count to assign from the subnet's IPv6 range */
  ipv6: z.union([z.array(ip), z.number().int().min(0)]).optional(),
  publicIp: ip.optional(),
  /** An Elastic IP (allocation) instead of an auto-assigned public IP */
  elasticIp: ip.optional(),
  description: z.string().default(''),
  interfaceType: z.string().default('interface'),
  requesterManaged: z.boolean().default(false),
  connectionTracking: z
    .strictObject({
      tcpEstablishedTimeout: z.number().int().min(60).max(432000).optional(),
      udpStreamTimeout: z.number().int().min(60).max(180).optional(),
      udpTimeout: z.number().int().min(30).max(60).optional(),
    })
    .optional(),
  deleteOnTermination: z.boolean().optional(),
  tags: tags.optional(),
});

const volumeSpecSchema = z.strictObject({
  id: awsId('vol').optional(),
  device: z.string().min(1),
  size: z.number().int().min(1).max(65536).default(8),
  type: z.enum(['gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1', 'standard']).default('gp3'),
  deleteOnTermination: z.boolean().default(true),
  encrypted: z.boolean().default(false),
  tags: tags.optional(),
});

const instanceSchema = z.strictObject({
  id: awsId('i').optional(),
  name: z.string().min(1).optional(),
  type: z.string().default('t3.micro'),
  imageId: z.string().default('ami-0abcdef1234567890'),
  state: z.enum(['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped']).default('running'),
  /** Primary network interface (device 0). Omit subnet for an instance outside any VPC (EC2-Classic). */
  subnet: ref.optional(),
  securityGroups: z.array(ref).default([]),
  privateIp: ip.optional(),
  publicIp: ip.optional(),
  elasticIp: ip.optional(),
  ipv6: z.union([z.array(ip), z.number().int().min(0)]).optional(),
  primaryEni: z
    .strictObject({ id: awsId('eni').optional(), connectionTracking: eniSpecSchema.shape.connectionTracking })
    .optional(),
  /** Further ENIs, attached at device index 1, 2, … */
  extraNetworkInterfaces: z.array(eniSpecSchema.omit({ interfaceType: true, requesterManaged: true })).default([]),
  /** Default: one 8 GiB gp3 root volume at /dev/xvda. */
  volumes: z.array(volumeSpecSchema).optional(),
  instanceProfile: ref.optional(),
  keyName: z.string().optional(),
  disableApiTermination: z.boolean().default(false),
  shutdownBehavior: z.enum(['stop', 'terminate']).default('stop'),
  metadata: z
    .strictObject({
      httpEndpoint: z.enum(['enabled', 'disabled']).default('enabled'),
      httpTokens: z.enum(['optional', 'required']).default('required'),
      hopLimit: z.number().int().min(1).max(64).default(2),
    })
    .optional(),
  consoleOutput: z.string().optional(),
  nitro: z.boolean().default(true),
  tags: tags.optional(),
});

const asgSchema = z.strictObject({
  name: z.string().min(1),
  min: z.number().int().min(0),
  max: z.number().int().min(0),
  desired: z.number().int().min(0).optional(),
  instances: z.array(ref).default([]),
  targetGroups: z.array(ref).default([]),
  classicLoadBalancers: z.array(z.string()).default([]),
  healthCheckType: z.enum(['EC2', 'ELB']).default('EC2'),
  subnets: z.array(ref).default([]),
  tags: tags.optional(),
});

const targetGroupSchema = z.strictObject({
  name: z.string().min(1).max(32),
  vpc: ref,
  protocol: z.enum(['HTTP', 'HTTPS', 'TCP', 'UDP', 'TLS', 'TCP_UDP', 'GENEVE']).default('HTTP'),
  port: z.number().int().min(1).max(65535).default(80),
  targetType: z.enum(['instance', 'ip', 'lambda', 'alb']).default('instance'),
  deregistrationDelay: z.number().int().min(0).max(3600).default(300),
  targets: z.array(z.strictObject({ instance: ref, port: z.number().int().min(1).max(65535).optional() })).default([]),
  tags: tags.optional(),
});

const classicElbSchema = z.strictObject({
  name: z.string().min(1).max(32),
  vpc: ref.optional(),
  subnets: z.array(ref).default([]),
  securityGroups: z.array(ref).default([]),
  instances: z.array(ref).default([]),
});

const s3ObjectSchema = z
  .strictObject({
    key: z.string().min(1).max(1024),
    /** UTF-8 text of the object (or `bodyBase64` for bytes). */
    body: z.string().optional(),
    bodyBase64: z.string().optional(),
    contentType: z.string().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  })
  .refine((o) => o.body === undefined || o.bodyBase64 === undefined, { message: 'give body or bodyBase64, not both' });

const s3BucketSchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit',
    ),
  versioning: z.enum(['Enabled', 'Suspended']).optional(),
  /** Default encryption [SSE-S3]: `AES256`, `aws:kms`, or { algorithm, kmsKeyId, bucketKeyEnabled }. */
  encryption: z
    .union([
      z.enum(['AES256', 'aws:kms']),
      z.strictObject({
        algorithm: z.enum(['AES256', 'aws:kms']),
        kmsKeyId: z.string().min(1).optional(),
        bucketKeyEnabled: z.boolean().default(false),
      }),
    ])
    .optional(),
  /** Block Public Access [all four on]: `true`, `false` (no configuration) or the four switches. */
  publicAccessBlock: z
    .union([
      z.boolean(),
      z.strictObject({
        blockPublicAcls: z.boolean().default(false),
        ignorePublicAcls: z.boolean().default(false),
        blockPublicPolicy: z.boolean().default(false),
        restrictPublicBuckets: z.boolean().default(false),
      }),
    ])
    .default(true),
  /** Object Lock: `true`, or a default retention { mode, days | years }. Implies versioning Enabled. */
  objectLock: z
    .union([
      z.literal(true),
      z
        .strictObject({
          mode: z.enum(['GOVERNANCE', 'COMPLIANCE']),
          days: z.number().int().positive().optional(),
          years: z.number().int().positive().optional(),
        })
        .refine((o) => (o.days === undefined) !== (o.years === undefined), { message: 'give days or years' }),
    ])
    .optional(),
  /** Other accounts that may read, write and list its objects (a stand-in for a bucket policy). */
  allowAccounts: z.array(z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id')).default([]),
  objects: z.array(s3ObjectSchema).default([]),
});

const snsTopicSchema = z.strictObject({
  name: z.string().min(1).max(256),
  /** CreateTopic attributes, e.g. { "DisplayName": "IR", "FifoTopic": "true" } */
  attributes: z.record(z.string(), z.string()).default({}),
  tags: tags.optional(),
});

const regionSchema = z.strictObject({
  name: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region name such as us-east-1'),
  vpcs: z.array(vpcSchema).default([]),
  instances: z.array(instanceSchema).default([]),
  /** Stand-alone ENIs not owned by an instance: Lambda, RDS, load balancer, VPC endpoint interfaces … */
  networkInterfaces: z.array(eniSpecSchema).default([]),
  autoScalingGroups: z.array(asgSchema).default([]),
  targetGroups: z.array(targetGroupSchema).default([]),
  classicLoadBalancers: z.array(classicElbSchema).default([]),
  /** Data-plane flows (see docs/simulator.md, "Flows"). Validated by the data plane when it loads them. */
  flows: z.array(z.record(z.string(), z.unknown())).default([]),
  /** S3 buckets the account owns in this region (bucket names are unique across the whole scenario). */
  s3Buckets: z.array(s3BucketSchema).default([]),
  snsTopics: z.array(snsTopicSchema).default([]),
});

const credentialSchema = z.strictObject({
  accessKeyId: z.string().min(4),
  secretAccessKey: z.string().default('sim-secret'),
  user: z.string().default('responder'),
  allow: z.array(z.string()).optional(),
  deny: z.array(z.string()).optional(),
});

const roleSchema = z.strictObject({
  name: z.string().min(1).max(64),
  path: z.string().default('/'),
  /** Service principal trusted by the role (default ec2.amazonaws.com), or a full trust policy document. */
  trust: z.union([z.string(), z.record(z.string(), z.unknown())]).default('ec2.amazonaws.com'),
  inlinePolicies: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  attachedPolicies: z.array(z.string()).default([]),
  tags: tags.optional(),
});

const accountSchema = z.strictObject({
  id: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
  alias: z.string().optional(),
  default: z.boolean().default(false),
  credentials: z.array(credentialSchema).default([]),
  iam: z
    .strictObject({
      roles: z.array(roleSchema).default([]),
      instanceProfiles: z
        .array(z.strictObject({ name: z.string().min(1), path: z.string().default('/'), role: ref.optional() }))
        .default([]),
    })
    .default({ roles: [], instanceProfiles: [] }),
  regions: z.array(regionSchema).default([]),
});

export const scenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  defaultRegion: z.string().default('us-east-1'),
  /** Simulated start time (ISO-8601); default: now. */
  startTime: z.string().datetime().optional(),
  dataplane: z.record(z.string(), z.unknown()).optional(),
  accounts: z.array(accountSchema).min(1, 'a scenario needs at least one account'),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioRegion = z.infer<typeof regionSchema>;
export type ScenarioVpc = z.infer<typeof vpcSchema>;
export type ScenarioInstance = z.infer<typeof instanceSchema>;
export type ScenarioEni = z.infer<typeof eniSpecSchema>;
export type ScenarioSgRule = z.infer<typeof sgRuleSchema>;
export type ScenarioAccount = z.infer<typeof accountSchema>;
