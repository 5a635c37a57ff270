// Classic Elastic Load Balancing (API 2012-06-01): DescribeLoadBalancers, RegisterInstancesWithLoadBalancer,
// DeregisterInstancesFromLoadBalancer. The SDK models the wire codes LoadBalancerNotFound and InvalidInstance as
// AccessPointNotFoundException and InvalidEndPointException.
// Element names checked with `node --import tsx scripts/shape.mjs elastic-load-balancing LoadBalancerDescription`.

import type { CallContext, Handler } from '../framework.js';
import type { FormObject } from '../../protocol/form.js';
import type { XmlData } from '../../protocol/xml.js';
import { AwsError } from '../../errors.js';
import type { ClassicLoadBalancer, RegionState } from '../../state/types.js';
import { needStr, optInt, optStr, pageOf, strings, structs, validation } from '../queryParams.js';

/** Route 53 hosted zone ids of classic load balancers per region (AWS's published values for common regions). */
const HOSTED_ZONES: Record<string, string> = {
  'us-east-1': 'Z35SXDOTRQ7X7K',
  'us-east-2': 'Z3AADJGX6KTTL2',
  'us-west-1': 'Z368ELLRRE2KJ0',
  'us-west-2': 'Z1H1FL5HABSF5',
  'eu-west-1': 'Z32O12XQLNTSW2',
  'eu-central-1': 'Z215JYRZR1TBD5',
  'ap-southeast-1': 'Z1LMS91P8CMLE5',
  'ap-northeast-1': 'Z14GRHDCWA56QT',
};

function lbView(ctx: CallContext, lb: ClassicLoadBalancer): XmlData {
  const zones = [
    ...new Set(lb.subnets.map((s) => ctx.region.ec2.subnets.get(s)?.availabilityZone).filter((z): z is string => !!z)),
  ];
  const firstGroup = lb.securityGroups[0] ? ctx.region.ec2.securityGroups.get(lb.securityGroups[0]) : undefined;
  return {
    LoadBalancerName: lb.loadBalancerName,
    DNSName: lb.dnsName,
    CanonicalHostedZoneName: lb.dnsName,
    CanonicalHostedZoneNameID: HOSTED_ZONES[ctx.regionName] ?? 'Z35SXDOTRQ7X7K',
    ListenerDescriptions: [
      {
        Listener: { Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 80 },
        PolicyNames: [],
      },
    ],
    Policies: { AppCookieStickinessPolicies: [], LBCookieStickinessPolicies: [], OtherPolicies: [] },
    BackendServerDescriptions: [],
    AvailabilityZones: zones.length ? zones : [`${ctx.regionName}a`],
    Subnets: lb.subnets,
    VPCId: lb.vpcId,
    Instances: lb.instances.map((id) => ({ InstanceId: id })),
    HealthCheck: { Target: 'TCP:80', Interval: 30, Timeout: 5, UnhealthyThreshold: 2, HealthyThreshold: 10 },
    SourceSecurityGroup: firstGroup ? { OwnerAlias: ctx.accountId, GroupName: firstGroup.groupName } : undefined,
    SecurityGroups: lb.securityGroups,
    CreatedTime: lb.createdTime,
    Scheme: 'internet-facing',
  };
}

function notFound(name: string): AwsError {
  return new AwsError('LoadBalancerNotFound', `There is no ACTIVE Load Balancer named '${name}'`, 400);
}

function loadBalancer(region: RegionState, name: string): ClassicLoadBalancer {
  const lb = region.elb.classicLoadBalancers.get(name);
  if (!lb) throw notFound(name);
  return lb;
}

const describeLoadBalancers: Handler = (ctx, p) => {
  const names = strings(p, 'LoadBalancerNames');
  const pageSize = optInt(p, 'PageSize', 1, 400) ?? 400;
  const all = ctx.region.elb.classicLoadBalancers;
  for (const n of names) if (!all.has(n)) throw notFound(n);
  const items = names.length
    ? [...new Set(names)].map((n) => all.get(n)!)
    : [...all.values()].sort((a, b) => a.loadBalancerName.localeCompare(b.loadBalancerName));
  const { page, next } = pageOf(
    items,
    pageSize,
    optStr(p, 'Marker'),
    'clb',
    () => new AwsError('ValidationError', 'Invalid Marker', 400),
  );
  return { LoadBalancerDescriptions: page.map((lb) => lbView(ctx, lb)), NextMarker: next };
};

function readInstances(ctx: CallContext, p: FormObject): string[] {
  const raw = structs(p, 'Instances');
  if (raw.length === 0) throw validation('Instances', null, 'Member must not be null');
  const ids = raw.map((i) => (typeof i.InstanceId === 'string' ? i.InstanceId : ''));
  for (const id of ids) {
    if (!ctx.region.ec2.instances.has(id))
      throw new AwsError('InvalidInstance', `Could not find EC2 instance ${id}.`, 400);
  }
  return [...new Set(ids)];
}

const registerInstances: Handler = (ctx, p) => {
  const lb = loadBalancer(ctx.region, needStr(p, 'LoadBalancerName'));
  const ids = readInstances(ctx, p);
  for (const id of ids) {
    const inst = ctx.region.ec2.instances.get(id)!;
    if (lb.vpcId && inst.vpcId !== lb.vpcId)
      throw new AwsError('InvalidInstance', `EC2 instance ${id} is not in the same VPC as ELB.`, 400);
    if (inst.state === 'terminated')
      throw new AwsError('InvalidInstance', `EC2 instance ${id} is not in a valid state.`, 400);
  }
  ctx.dryRunGate();
  for (const id of ids) if (!lb.instances.includes(id)) lb.instances.push(id);
  return { Instances: lb.instances.map((id) => ({ InstanceId: id })) };
};

const deregisterInstances: Handler = (ctx, p) => {
  const lb = loadBalancer(ctx.region, needStr(p, 'LoadBalancerName'));
  const ids = readInstances(ctx, p);
  ctx.dryRunGate();
  // "Removing instances that are not registered with the load balancer has no effect."
  lb.instances = lb.instances.filter((id) => !ids.includes(id));
  return { Instances: lb.instances.map((id) => ({ InstanceId: id })) };
};

/** Removes an instance from the named classic load balancers (Auto Scaling detach / standby). */
export function deregisterFromClassic(region: RegionState, names: string[], instanceId: string): void {
  for (const n of names) {
    const lb = region.elb.classicLoadBalancers.get(n);
    if (lb) lb.instances = lb.instances.filter((id) => id !== instanceId);
  }
}

export function registerWithClassic(region: RegionState, names: string[], instanceId: string): void {
  for (const n of names) {
    const lb = region.elb.classicLoadBalancers.get(n);
    if (lb && !lb.instances.includes(instanceId)) lb.instances.push(instanceId);
  }
}

export const loadBalancerActions: Record<string, Handler> = {
  DescribeLoadBalancers: describeLoadBalancers,
  RegisterInstancesWithLoadBalancer: registerInstances,
  DeregisterInstancesFromLoadBalancer: deregisterInstances,
};
