// Builds one region of a scenario into the world: VPCs with their NACLs, subnets, NAT gateways, route tables and
// security groups; stand-alone ENIs; instances; target groups, classic load balancers and Auto Scaling groups.
// References between resources use ids or names; a bad one is a ScenarioError naming its path.

import type { Scenario, ScenarioEni, ScenarioRegion, ScenarioSgRule } from './schema.js';
import type { World } from '../state/world.js';
import { ScenarioError } from './errors.js';
import {
  attachNetworkInterface,
  attachVolume,
  createNetworkInterface,
  createSubnet,
  createVolume,
  createVpc,
  defaultEgressRules,
  defaultNetworkAcl,
  mainRouteTable,
  newInstanceRecord,
  allowAllNaclEntries,
  localRoutes,
} from '../state/build.js';
import { canonicalCidr, familyOf } from '../../core/cidr.js';
import type {
  AccountState,
  Instance,
  NetworkAclEntry,
  NetworkInterface,
  RegionState,
  Route,
  SecurityGroup,
  SgRule,
  Subnet,
  Vpc,
} from '../state/types.js';

const PROTOCOLS: Record<string, string> = {
  all: '-1',
  '-1': '-1',
  tcp: 'tcp',
  udp: 'udp',
  icmp: 'icmp',
  icmpv6: 'icmpv6',
};
const NACL_PROTOCOLS: Record<string, string> = { all: '-1', '-1': '-1', tcp: '6', udp: '17', icmp: '1', icmpv6: '58' };

function ports(p: string | number | undefined, protocol: string): { from?: number; to?: number } {
  if (protocol === '-1') return {};
  if (p === undefined)
    return protocol === 'icmp' || protocol === 'icmpv6' ? { from: -1, to: -1 } : { from: 0, to: 65535 };
  const [a, b] = String(p).split('-').map(Number);
  return { from: a, to: b ?? a };
}

export class RegionBuilder {
  private vpcByRef = new Map<string, Vpc>();
  private subnetByRef = new Map<string, Subnet>();
  private instanceByRef = new Map<string, Instance>();
  private igwByVpc = new Map<string, string>();
  private natByName = new Map<string, string>();
  /** Routes to instances and ENIs, resolved once those exist (they are built after the route tables). */
  private pendingRoutes: { route: Route; vpcId: string; kind: 'instance' | 'eni'; ref: string; path: string }[] = [];

  constructor(
    private readonly world: World,
    private readonly account: AccountState,
    private readonly region: RegionState,
    private readonly spec: ScenarioRegion,
    private readonly path: string,
  ) {}

  private fail(path: string, msg: string): never {
    throw new ScenarioError(`${this.path}.${path}: ${msg}`);
  }

  private named<T extends { tags: Record<string, string> }>(
    rec: T,
    name: string | undefined,
    tags?: Record<string, string>,
  ): T {
    if (name) rec.tags.Name = name;
    if (tags) Object.assign(rec.tags, tags);
    return rec;
  }

  build(): void {
    const { world, region } = this;
    const owner = this.account.accountId;
    // VPCs and their networks
    this.spec.vpcs.forEach((vs, vi) => {
      const vp = `vpcs[${vi}]`;
      const vpc = createVpc(world, region, owner, {
        vpcId: vs.id,
        cidrBlock: vs.cidr,
        ipv6CidrBlock: vs.ipv6Cidr,
        isDefault: vs.isDefault,
        tags: vs.tags,
      });
      this.named(vpc, vs.name);
      this.vpcByRef.set(vpc.vpcId, vpc);
      if (vs.name) this.vpcByRef.set(vs.name, vpc);
      if (vs.internetGateway) {
        const igwId = typeof vs.internetGateway === 'string' ? vs.internetGateway : world.ids.hex('igw');
        region.ec2.internetGateways.set(igwId, {
          internetGatewayId: igwId,
          ownerId: owner,
          attachments: [{ vpcId: vpc.vpcId, state: 'available' }],
          tags: vs.name ? { Name: `${vs.name}-igw` } : {},
        });
        this.igwByVpc.set(vpc.vpcId, igwId);
      }
      // NACLs: the default one is the VPC's; others are created.
      const aclByRef = new Map<string, string>();
      const defAcl = defaultNetworkAcl(region, vpc.vpcId)!;
      vs.networkAcls.forEach((as, i) => {
        const entries =
          as.entries?.map((e, ei) => this.naclEntry(e, `${vp}.networkAcls[${i}].entries[${ei}]`)) ??
          allowAllNaclEntries(!!vpc.ipv6CidrBlock);
        let acl = defAcl;
        if (as.default) {
          if (as.id) {
            region.ec2.networkAcls.delete(acl.networkAclId);
            acl.networkAclId = as.id;
            region.ec2.networkAcls.set(acl.networkAclId, acl);
          }
          acl.entries = entries;
        } else {
          acl = {
            networkAclId: as.id ?? world.ids.hex('acl'),
            ownerId: owner,
            vpcId: vpc.vpcId,
            isDefault: false,
            entries,
            associations: [],
            tags: {},
          };
          region.ec2.networkAcls.set(acl.networkAclId, acl);
        }
        this.named(acl, as.name, as.tags);
        aclByRef.set(acl.networkAclId, acl.networkAclId);
        aclByRef.set(as.name, acl.networkAclId);
      });
      // Subnets (before route tables, so NAT gateways can live in them).
      const subnetRt: { subnet: Subnet; ref?: string; path: string }[] = [];
      vs.subnets.forEach((ss, si) => {
        const subnet = createSubnet(world, region, owner, {
          subnetId: ss.id,
          vpcId: vpc.vpcId,
          cidrBlock: ss.cidr,
          ipv6CidrBlock: ss.ipv6Cidr,
          availabilityZone: ss.az,
          mapPublicIpOnLaunch: ss.mapPublicIpOnLaunch,
          tags: ss.tags,
        });
        this.named(subnet, ss.name);
        this.subnetByRef.set(subnet.subnetId, subnet);
        if (ss.name) this.subnetByRef.set(ss.name, subnet);
        if (ss.networkAcl) {
          const aclId =
            aclByRef.get(ss.networkAcl) ??
            this.fail(`${vp}.subnets[${si}].networkAcl`, `unknown network ACL "${ss.networkAcl}"`);
          for (const a of region.ec2.networkAcls.values())
            a.associations = a.associations.filter((x) => x.subnetId !== subnet.subnetId);
          region.ec2.networkAcls
            .get(aclId)!
            .associations.push({ networkAclAssociationId: world.ids.hex('aclassoc'), subnetId: subnet.subnetId });
        }
        subnetRt.push({ subnet, ref: ss.routeTable, path: `${vp}.subnets[${si}].routeTable` });
      });
      vs.natGateways.forEach((ns, i) => {
        const subnet =
          this.subnetByRef.get(ns.subnet) ??
          this.fail(`${vp}.natGateways[${i}].subnet`, `unknown subnet "${ns.subnet}"`);
        const natId = ns.id ?? world.ids.hex('nat');
        const eni = createNetworkInterface(world, region, owner, subnet, {
          groupIds: [],
          description: `Interface for NAT Gateway ${natId}`,
          interfaceType: 'nat_gateway',
          requesterManaged: true,
        });
        eni.status = 'in-use';
        const publicIp = ns.publicIp ?? `198.51.100.${10 + i}`;
        eni.privateIpAddresses[0]!.association = { publicIp, ipOwnerId: 'amazon' };
        region.ec2.natGateways.set(natId, {
          natGatewayId: natId,
          subnetId: subnet.subnetId,
          vpcId: vpc.vpcId,
          state: 'available',
          networkInterfaceId: eni.networkInterfaceId,
          publicIp,
          privateIp: eni.privateIpAddresses[0]!.privateIpAddress,
          tags: { Name: ns.name },
        });
        this.natByName.set(ns.name, natId);
        this.natByName.set(natId, natId);
      });
      // Route tables: a `main` one is the VPC's main table.
      const rtByRef = new Map<string, string>();
      vs.routeTables.forEach((rs, i) => {
        const routes = [
          ...localRoutes(vpc),
          ...rs.routes
            .filter((r) => r.target !== 'local')
            .map((r, ri) => this.route(vpc, r, `${vp}.routeTables[${i}].routes[${ri}]`)),
        ];
        let rtb = mainRouteTable(region, vpc.vpcId)!;
        if (rs.main) {
          if (rs.id) {
            region.ec2.routeTables.delete(rtb.routeTableId);
            rtb.routeTableId = rs.id;
            for (const a of rtb.associations) a.routeTableId = rs.id;
            region.ec2.routeTables.set(rtb.routeTableId, rtb);
          }
          rtb.routes = routes;
        } else {
          rtb = {
            routeTableId: rs.id ?? world.ids.hex('rtb'),
            ownerId: owner,
            vpcId: vpc.vpcId,
            routes,
            associations: [],
            tags: {},
          };
          region.ec2.routeTables.set(rtb.routeTableId, rtb);
        }
        this.named(rtb, rs.name, rs.tags);
        rtByRef.set(rtb.routeTableId, rtb.routeTableId);
        rtByRef.set(rs.name, rtb.routeTableId);
      });
      for (const { subnet, ref, path } of subnetRt) {
        if (!ref) continue;
        const rtbId = rtByRef.get(ref) ?? this.fail(path, `unknown route table "${ref}"`);
        const rtb = region.ec2.routeTables.get(rtbId)!;
        if (rtb.associations.some((a) => a.main)) continue; // the main table is used implicitly
        rtb.associations.push({
          routeTableAssociationId: world.ids.hex('rtbassoc'),
          routeTableId: rtbId,
          subnetId: subnet.subnetId,
          main: false,
          associationState: { state: 'associated' },
        });
      }
      // Security groups: create all first, then rules (rules may reference groups by name).
      const groups: { sg: SecurityGroup; spec: (typeof vs.securityGroups)[number]; path: string }[] = [];
      vs.securityGroups.forEach((gs, gi) => {
        if (vs.securityGroups.findIndex((x) => x.name === gs.name) !== gi)
          this.fail(`${vp}.securityGroups[${gi}].name`, `duplicate group name "${gs.name}" in this VPC`);
        let sg: SecurityGroup;
        if (gs.name === 'default') {
          sg = [...region.ec2.securityGroups.values()].find((g) => g.vpcId === vpc.vpcId && g.groupName === 'default')!;
          if (gs.id) {
            region.ec2.securityGroups.delete(sg.groupId);
            sg.groupId = gs.id;
            region.ec2.securityGroups.set(sg.groupId, sg);
          }
        } else {
          sg = {
            groupId: gs.id ?? world.ids.hex('sg'),
            groupName: gs.name,
            description: gs.description ?? gs.name,
            vpcId: vpc.vpcId,
            ownerId: owner,
            rules: [],
            tags: {},
          };
          region.ec2.securityGroups.set(sg.groupId, sg);
        }
        this.named(sg, undefined, gs.tags);
        groups.push({ sg, spec: gs, path: `${vp}.securityGroups[${gi}]` });
      });
      for (const { sg, spec, path } of groups) {
        if (spec.name === 'default' && spec.ingress.length === 0 && spec.egress === undefined) continue;
        const ingress = spec.ingress.map((r, i) => this.sgRule(vpc, r, false, `${path}.ingress[${i}]`));
        // Like CreateSecurityGroup: a new group allows all IPv4 egress only (the ::/0 rule is the default group's).
        const egress =
          spec.egress === undefined
            ? defaultEgressRules(world, false)
            : spec.egress.map((r, i) => this.sgRule(vpc, r, true, `${path}.egress[${i}]`));
        sg.rules = [...ingress, ...egress];
      }
    });

    // Stand-alone ENIs (Lambda, RDS, load balancer …)
    this.spec.networkInterfaces.forEach((es, i) => {
      const eni = this.eni(es, `networkInterfaces[${i}]`);
      if (es.interfaceType !== 'interface' || es.requesterManaged) eni.status = 'in-use';
    });

    // Instances
    this.spec.instances.forEach((is, ii) => this.instance(is, `instances[${ii}]`));

    // Load balancing and Auto Scaling
    const tgByRef = new Map<string, string>();
    this.spec.targetGroups.forEach((ts, i) => {
      const vpc = this.vpcByRef.get(ts.vpc) ?? this.fail(`targetGroups[${i}].vpc`, `unknown VPC "${ts.vpc}"`);
      const arn = `arn:aws:elasticloadbalancing:${region.name}:${owner}:targetgroup/${ts.name}/${world.ids.hex('tg', 16).slice(3)}`;
      const targets = ts.targets.map((t, ti) => {
        const inst =
          this.instanceByRef.get(t.instance) ??
          this.fail(`targetGroups[${i}].targets[${ti}].instance`, `unknown instance "${t.instance}"`);
        return {
          id: inst.instanceId,
          port: t.port ?? ts.port,
          availabilityZone: undefined,
          state: inst.state === 'running' ? ('healthy' as const) : ('unused' as const),
        };
      });
      region.elb.targetGroups.set(arn, {
        targetGroupArn: arn,
        targetGroupName: ts.name,
        protocol: ts.protocol,
        port: ts.port,
        vpcId: vpc.vpcId,
        targetType: ts.targetType,
        loadBalancerArns: [],
        deregistrationDelaySeconds: ts.deregistrationDelay,
        targets,
        tags: { ...(ts.tags ?? {}) },
      });
      tgByRef.set(ts.name, arn);
      tgByRef.set(arn, arn);
    });
    this.spec.classicLoadBalancers.forEach((ls, i) => {
      const instances = ls.instances.map(
        (r, ii) =>
          (
            this.instanceByRef.get(r) ??
            this.fail(`classicLoadBalancers[${i}].instances[${ii}]`, `unknown instance "${r}"`)
          ).instanceId,
      );
      region.elb.classicLoadBalancers.set(ls.name, {
        loadBalancerName: ls.name,
        dnsName: `${ls.name}-${world.ids.hex('elb', 10).slice(4)}.${region.name}.elb.amazonaws.com`,
        vpcId: ls.vpc ? this.vpcByRef.get(ls.vpc)?.vpcId : undefined,
        subnets: ls.subnets.map((s) => this.subnetByRef.get(s)?.subnetId ?? s),
        securityGroups: ls.securityGroups,
        instances,
        createdTime: world.clock.nowIso(),
      });
    });
    this.spec.autoScalingGroups.forEach((as, i) => {
      const instances = as.instances.map(
        (r, ii) =>
          this.instanceByRef.get(r) ?? this.fail(`autoScalingGroups[${i}].instances[${ii}]`, `unknown instance "${r}"`),
      );
      const desired = as.desired ?? instances.length;
      if (as.min > as.max || desired < as.min || desired > as.max)
        this.fail(`autoScalingGroups[${i}]`, `need min ≤ desired ≤ max (got ${as.min} ≤ ${desired} ≤ ${as.max})`);
      const subnets = as.subnets.length
        ? as.subnets.map(
            (s) =>
              this.subnetByRef.get(s)?.subnetId ??
              this.fail(`autoScalingGroups[${i}].subnets`, `unknown subnet "${s}"`),
          )
        : [...new Set(instances.map((x) => x.subnetId!).filter(Boolean))];
      const lt = { launchTemplateId: world.ids.hex('lt'), launchTemplateName: `${as.name}-lt`, version: '$Default' };
      region.autoscaling.groups.set(as.name, {
        autoScalingGroupName: as.name,
        autoScalingGroupARN: `arn:aws:autoscaling:${region.name}:${owner}:autoScalingGroup:${world.ids.uuid().slice(9)}:autoScalingGroupName/${as.name}`,
        minSize: as.min,
        maxSize: as.max,
        desiredCapacity: desired,
        defaultCooldown: 300,
        availabilityZones: [...new Set(subnets.map((s) => region.ec2.subnets.get(s)!.availabilityZone))],
        vpcZoneIdentifier: subnets.join(','),
        healthCheckType: as.healthCheckType,
        healthCheckGracePeriod: 300,
        createdTime: world.clock.nowIso(),
        launchTemplate: lt,
        loadBalancerNames: [...as.classicLoadBalancers],
        targetGroupARNs: as.targetGroups.map(
          (t, ti) =>
            tgByRef.get(t) ?? this.fail(`autoScalingGroups[${i}].targetGroups[${ti}]`, `unknown target group "${t}"`),
        ),
        instances: instances.map((x) => ({
          instanceId: x.instanceId,
          availabilityZone: x.availabilityZone,
          lifecycleState: 'InService',
          healthStatus: 'Healthy',
          protectedFromScaleIn: false,
          instanceType: x.instanceType,
          launchTemplate: lt,
        })),
        suspendedProcesses: [],
        newInstancesProtectedFromScaleIn: false,
        templateInstanceId: instances[0]?.instanceId,
        launchGroupIds: instances[0]
          ? [...(region.ec2.networkInterfaces.get(instances[0].networkInterfaceIds[0] ?? '')?.groupIds ?? [])]
          : undefined,
        tags: Object.entries(as.tags ?? {}).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
      });
      for (const x of instances) x.tags['aws:autoscaling:groupName'] = as.name;
    });

    this.resolveRouteTargets();
  }

  /** Points the routes to instances and ENIs at them (CreateRoute's rules: same VPC, a single-ENI instance). */
  private resolveRouteTargets(): void {
    for (const { route, vpcId, kind, ref, path } of this.pendingRoutes) {
      if (kind === 'eni') {
        const eni =
          this.region.ec2.networkInterfaces.get(ref) ??
          this.fail(`${path}.target`, `unknown network interface "${ref}" (an ENI of this region's scenario)`);
        if (eni.vpcId !== vpcId) this.fail(`${path}.target`, `${ref} is not in the route table's VPC ${vpcId}`);
        route.networkInterfaceId = eni.networkInterfaceId;
        continue;
      }
      const inst =
        this.instanceByRef.get(ref) ?? this.fail(`${path}.target`, `unknown instance "${ref}" (an id or a name)`);
      if (inst.vpcId !== vpcId)
        this.fail(`${path}.target`, `instance "${ref}" is not in the route table's VPC ${vpcId}`);
      if (inst.networkInterfaceIds.length !== 1)
        this.fail(
          `${path}.target`,
          inst.networkInterfaceIds.length === 0
            ? `instance "${ref}" has no network interface`
            : `instance "${ref}" has ${inst.networkInterfaceIds.length} network interfaces: route to one of them (eni-…) instead`,
        );
      route.instanceId = inst.instanceId;
      route.networkInterfaceId = inst.networkInterfaceIds[0];
    }
  }

  private naclEntry(
    e: {
      rule: number;
      egress: boolean;
      protocol: string | number;
      action: 'allow' | 'deny';
      cidr?: string;
      ports?: string | number;
    },
    path: string,
  ): NetworkAclEntry {
    const protocol =
      typeof e.protocol === 'number'
        ? String(e.protocol)
        : (NACL_PROTOCOLS[e.protocol] ??
          (/^\d+$/.test(e.protocol) ? e.protocol : this.fail(`${path}.protocol`, `unknown protocol "${e.protocol}"`)));
    const cidr = e.cidr ?? '0.0.0.0/0';
    const canon = canonicalCidr(cidr) ?? this.fail(`${path}.cidr`, `not a CIDR: "${cidr}"`);
    const entry: NetworkAclEntry = { ruleNumber: e.rule, egress: e.egress, protocol, ruleAction: e.action };
    if (familyOf(canon) === 6) entry.ipv6CidrBlock = canon;
    else entry.cidrBlock = canon;
    if (protocol === '6' || protocol === '17') {
      const p = ports(e.ports, 'tcp');
      entry.portRange = { from: p.from!, to: p.to! };
    }
    if (protocol === '1' || protocol === '58') entry.icmpTypeCode = { type: -1, code: -1 };
    return entry;
  }

  private route(vpc: Vpc, r: { destination: string; target: string }, path: string): Route {
    const route: Route = { state: 'active', origin: 'CreateRoute' };
    if (familyOf(r.destination) === 6) route.destinationIpv6CidrBlock = r.destination;
    else route.destinationCidrBlock = r.destination;
    const t = r.target;
    if (t === 'igw')
      route.gatewayId =
        this.igwByVpc.get(vpc.vpcId) ??
        this.fail(`${path}.target`, 'the VPC has no internet gateway (set "internetGateway": true)');
    else if (t.startsWith('nat:'))
      route.natGatewayId =
        this.natByName.get(t.slice(4)) ?? this.fail(`${path}.target`, `unknown NAT gateway "${t.slice(4)}"`);
    else if (t.startsWith('nat-')) route.natGatewayId = t;
    else if (t.startsWith('tgw-')) route.transitGatewayId = t;
    else if (t.startsWith('pcx-')) route.vpcPeeringConnectionId = t;
    else if (t.startsWith('eigw-')) route.egressOnlyInternetGatewayId = t;
    else if (t.startsWith('eni-')) this.pendingRoutes.push({ route, vpcId: vpc.vpcId, kind: 'eni', ref: t, path });
    else if (t.startsWith('instance:') || /^i-[0-9a-f]{8,17}$/.test(t))
      this.pendingRoutes.push({ route, vpcId: vpc.vpcId, kind: 'instance', ref: t.replace(/^instance:/, ''), path });
    else if (t.startsWith('igw-') || t.startsWith('vgw-')) route.gatewayId = t;
    else
      this.fail(
        `${path}.target`,
        `unknown route target "${t}" (igw, nat:<name>, nat-…, tgw-…, pcx-…, vgw-…, eigw-…, eni-…, instance:<id or name>)`,
      );
    return route;
  }

  private groupId(vpcId: string, ref: string, path: string): string {
    for (const g of this.region.ec2.securityGroups.values()) {
      if (g.vpcId === vpcId && (g.groupId === ref || g.groupName === ref)) return g.groupId;
    }
    return this.fail(path, `unknown security group "${ref}" in ${vpcId}`);
  }

  private sgRule(vpc: Vpc, r: ScenarioSgRule, isEgress: boolean, path: string): SgRule {
    const proto =
      typeof r.protocol === 'number'
        ? String(r.protocol)
        : (PROTOCOLS[r.protocol] ??
          (/^\d+$/.test(r.protocol) ? r.protocol : this.fail(`${path}.protocol`, `unknown protocol "${r.protocol}"`)));
    const p = ports(r.ports, proto);
    const rule: SgRule = {
      securityGroupRuleId: this.world.ids.hex('sgr'),
      isEgress,
      ipProtocol: proto,
      fromPort: p.from,
      toPort: p.to,
      description: r.description,
      tags: {},
    };
    const targets = [r.cidr, r.group, r.prefixList].filter((x) => x !== undefined).length;
    if (targets !== 1) this.fail(path, 'give exactly one of cidr, group or prefixList');
    if (r.cidr) {
      const canon = canonicalCidr(r.cidr) ?? this.fail(`${path}.cidr`, `not a CIDR: "${r.cidr}"`);
      if (familyOf(canon) === 6) rule.cidrIpv6 = canon;
      else rule.cidrIpv4 = canon;
    }
    if (r.group) rule.referencedGroupId = this.groupId(vpc.vpcId, r.group, `${path}.group`);
    if (r.prefixList) rule.prefixListId = r.prefixList;
    return rule;
  }

  private eni(
    es:
      | ScenarioEni
      | (Omit<ScenarioEni, 'interfaceType' | 'requesterManaged'> & {
          interfaceType?: string;
          requesterManaged?: boolean;
        }),
    path: string,
  ): NetworkInterface {
    const subnet = this.subnetByRef.get(es.subnet) ?? this.fail(`${path}.subnet`, `unknown subnet "${es.subnet}"`);
    const groupIds = es.securityGroups.map((g, i) => this.groupId(subnet.vpcId, g, `${path}.securityGroups[${i}]`));
    const eni = createNetworkInterface(this.world, this.region, this.account.accountId, subnet, {
      networkInterfaceId: es.id,
      groupIds,
      privateIp: es.privateIp,
      secondaryPrivateIps: es.secondaryPrivateIps,
      ipv6: es.ipv6,
      description: es.description,
      interfaceType: es.interfaceType,
      requesterManaged: es.requesterManaged,
      connectionTracking: es.connectionTracking,
      tags: es.tags,
    });
    this.publicAddress(eni, es.publicIp, es.elasticIp);
    return eni;
  }

  private publicAddress(eni: NetworkInterface, publicIp: string | undefined, elasticIp: string | undefined): void {
    const primary = eni.privateIpAddresses[0]!;
    if (elasticIp) {
      const allocationId = this.world.ids.hex('eipalloc');
      const associationId = this.world.ids.hex('eipassoc');
      this.region.ec2.addresses.set(allocationId, {
        allocationId,
        publicIp: elasticIp,
        domain: 'vpc',
        associationId,
        networkInterfaceId: eni.networkInterfaceId,
        privateIpAddress: primary.privateIpAddress,
        networkInterfaceOwnerId: eni.ownerId,
        instanceId: eni.attachment?.instanceId,
        tags: {},
      });
      primary.association = { publicIp: elasticIp, ipOwnerId: this.account.accountId, allocationId, associationId };
    } else if (publicIp) {
      primary.association = { publicIp, ipOwnerId: 'amazon' };
    }
  }

  private instance(is: Scenario['accounts'][number]['regions'][number]['instances'][number], path: string): void {
    const { world, region } = this;
    const owner = this.account.accountId;
    const subnet = is.subnet
      ? (this.subnetByRef.get(is.subnet) ?? this.fail(`${path}.subnet`, `unknown subnet "${is.subnet}"`))
      : undefined;
    const inst = newInstanceRecord(world, owner, {
      instanceId: is.id,
      imageId: is.imageId,
      instanceType: is.type,
      availabilityZone: subnet?.availabilityZone ?? `${region.name}a`,
      subnetId: subnet?.subnetId,
      vpcId: subnet?.vpcId,
      state: is.state,
      keyName: is.keyName,
      nitro: is.nitro,
      tags: is.tags,
    });
    this.named(inst, is.name);
    inst.disableApiTermination = is.disableApiTermination;
    inst.instanceInitiatedShutdownBehavior = is.shutdownBehavior;
    if (is.metadata)
      Object.assign(inst.metadataOptions, {
        httpEndpoint: is.metadata.httpEndpoint,
        httpTokens: is.metadata.httpTokens,
        httpPutResponseHopLimit: is.metadata.hopLimit,
      });
    inst.consoleOutput =
      is.consoleOutput ?? `[    0.000000] Linux version 6.1.0 (cordon-sim)\n${is.name ?? inst.instanceId} login: `;
    region.ec2.instances.set(inst.instanceId, inst);
    this.instanceByRef.set(inst.instanceId, inst);
    if (is.name) this.instanceByRef.set(is.name, inst);
    const live = is.state !== 'terminated';
    if (subnet && live) {
      if (is.securityGroups.length === 0)
        this.fail(`${path}.securityGroups`, 'an instance in a VPC needs at least one security group');
      const eni = this.eni(
        {
          id: is.primaryEni?.id,
          subnet: subnet.subnetId,
          securityGroups: is.securityGroups,
          privateIp: is.privateIp,
          secondaryPrivateIps: [],
          ipv6: is.ipv6,
          description: 'Primary network interface',
          connectionTracking: is.primaryEni?.connectionTracking,
        },
        path,
      );
      attachNetworkInterface(world, eni, inst, 0, true);
      if (is.state === 'running' || is.elasticIp) this.publicAddress(eni, is.publicIp, is.elasticIp);
      is.extraNetworkInterfaces.forEach((es, ei) => {
        const x = this.eni(
          { ...es, interfaceType: 'interface', requesterManaged: false },
          `${path}.extraNetworkInterfaces[${ei}]`,
        );
        if (x.vpcId !== inst.vpcId)
          this.fail(
            `${path}.extraNetworkInterfaces[${ei}].subnet`,
            "an instance's network interfaces must all be in its VPC",
          );
        attachNetworkInterface(world, x, inst, ei + 1, es.deleteOnTermination ?? false);
      });
      for (const a of region.ec2.addresses.values())
        if (inst.networkInterfaceIds.includes(a.networkInterfaceId ?? '')) a.instanceId = inst.instanceId;
    }
    if (live) {
      const vols = is.volumes ?? [
        { device: '/dev/xvda', size: 8, type: 'gp3' as const, deleteOnTermination: true, encrypted: false },
      ];
      inst.rootDeviceName = vols[0]?.device ?? '/dev/xvda';
      vols.forEach((vs) => {
        const v = createVolume(world, region, owner, {
          volumeId: vs.id,
          size: vs.size,
          volumeType: vs.type,
          availabilityZone: inst.availabilityZone,
          encrypted: vs.encrypted,
          tags: vs.tags,
        });
        attachVolume(world, v, inst, vs.device, vs.deleteOnTermination);
      });
    }
    if (is.instanceProfile && live) {
      const prof =
        this.account.iam.instanceProfiles.get(is.instanceProfile) ??
        [...this.account.iam.instanceProfiles.values()].find((p) => p.arn === is.instanceProfile) ??
        this.fail(`${path}.instanceProfile`, `unknown instance profile "${is.instanceProfile}"`);
      inst.iamInstanceProfile = { arn: prof.arn, id: prof.instanceProfileId };
      const associationId = world.ids.hex('iip-assoc');
      region.ec2.iamInstanceProfileAssociations.set(associationId, {
        associationId,
        instanceId: inst.instanceId,
        iamInstanceProfile: { arn: prof.arn, id: prof.instanceProfileId },
        state: 'associated',
        timestamp: world.clock.nowIso(),
      });
    }
  }
}
