// ELBv2 target groups: DescribeTargetGroups, CreateTargetGroup, DescribeTargetGroupAttributes.
// Element names checked with `node --import tsx scripts/shape.mjs elastic-load-balancing-v2 TargetGroup`.

import type { Handler } from '../framework.js';
import type { XmlData } from '../../protocol/xml.js';
import { AwsError } from '../../errors.js';
import type { TargetGroup } from '../../state/types.js';
import { needStr, optBool, optInt, optStr, pageOf, readTags, strings, validation } from '../queryParams.js';
import { checkTargetGroupArn, targetGroupByArn } from './targets.js';

const PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP', 'GENEVE'];
const TARGET_TYPES = ['instance', 'ip', 'lambda', 'alb'];

function isLayer7(tg: TargetGroup): boolean {
  return tg.protocol === 'HTTP' || tg.protocol === 'HTTPS';
}

export function targetGroupView(tg: TargetGroup): XmlData {
  const l7 = isLayer7(tg);
  const lambda = tg.targetType === 'lambda';
  return {
    TargetGroupArn: tg.targetGroupArn,
    TargetGroupName: tg.targetGroupName,
    Protocol: lambda ? undefined : tg.protocol,
    Port: lambda ? undefined : tg.port,
    VpcId: lambda ? undefined : tg.vpcId,
    HealthCheckProtocol: l7 || lambda ? (tg.protocol === 'HTTPS' ? 'HTTPS' : 'HTTP') : 'TCP',
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: !lambda,
    HealthCheckIntervalSeconds: lambda ? 35 : 30,
    HealthCheckTimeoutSeconds: lambda ? 30 : l7 ? 5 : 10,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    HealthCheckPath: l7 || lambda ? '/' : undefined,
    Matcher: l7 || lambda ? { HttpCode: '200' } : undefined,
    LoadBalancerArns: tg.loadBalancerArns,
    TargetType: tg.targetType,
    ProtocolVersion: l7 ? 'HTTP1' : undefined,
    IpAddressType: lambda ? undefined : 'ipv4',
  };
}

const describeTargetGroups: Handler = (ctx, p) => {
  const arns = strings(p, 'TargetGroupArns');
  const names = strings(p, 'Names');
  const lbArn = optStr(p, 'LoadBalancerArn');
  const pageSize = optInt(p, 'PageSize', 1, 400) ?? 400;
  if ([arns.length > 0, names.length > 0, lbArn !== undefined].filter(Boolean).length > 1) {
    throw new AwsError(
      'ValidationError',
      'Only one of the following can be specified: load balancer ARN, target group ARNs, target group names',
      400,
    );
  }
  const all = [...ctx.region.elb.targetGroups.values()];
  let items: TargetGroup[];
  if (arns.length) {
    for (const a of arns) checkTargetGroupArn(a);
    const missing = arns.filter((a) => !ctx.region.elb.targetGroups.has(a));
    if (missing.length)
      throw new AwsError('TargetGroupNotFound', `Target groups '${missing.join(', ')}' not found`, 400);
    items = [...new Set(arns)].map((a) => ctx.region.elb.targetGroups.get(a)!);
  } else if (names.length) {
    const missing = names.filter((n) => !all.some((tg) => tg.targetGroupName === n));
    if (missing.length) throw new AwsError('TargetGroupNotFound', 'One or more target groups not found', 400);
    items = all.filter((tg) => names.includes(tg.targetGroupName));
  } else if (lbArn !== undefined) {
    items = all.filter((tg) => tg.loadBalancerArns.includes(lbArn));
    if (items.length === 0) throw new AwsError('LoadBalancerNotFound', `Load balancer '${lbArn}' not found`, 400);
  } else {
    items = all;
  }
  items.sort((a, b) => a.targetGroupArn.localeCompare(b.targetGroupArn));
  const { page, next } = pageOf(
    items,
    pageSize,
    optStr(p, 'Marker'),
    'tg',
    () => new AwsError('ValidationError', 'Invalid marker', 400),
  );
  return { TargetGroups: page.map(targetGroupView), NextMarker: next };
};

const NAME_RE = /^(?!-)[A-Za-z0-9-]{1,32}(?<!-)$/;

const createTargetGroup: Handler = (ctx, p) => {
  const name = needStr(p, 'Name');
  if (!NAME_RE.test(name) || name.toLowerCase().startsWith('internal-')) {
    throw new AwsError(
      'ValidationError',
      `Target group name '${name}' can only contain characters that are alphanumeric characters or hyphens(-), must not begin or end with a hyphen, and must be at most 32 characters`,
      400,
    );
  }
  const targetType = (optStr(p, 'TargetType') ?? 'instance') as TargetGroup['targetType'];
  if (!TARGET_TYPES.includes(targetType))
    throw validation('TargetType', targetType, `Member must satisfy enum value set: [${TARGET_TYPES.join(', ')}]`);
  const lambda = targetType === 'lambda';
  const protocol = optStr(p, 'Protocol');
  const port = optInt(p, 'Port', 1, 65535);
  const vpcId = optStr(p, 'VpcId');
  if (!lambda) {
    if (protocol === undefined) throw new AwsError('ValidationError', 'A protocol must be specified', 400);
    if (port === undefined) throw new AwsError('ValidationError', 'A port must be specified', 400);
    if (vpcId === undefined) throw new AwsError('ValidationError', 'A VPC ID must be specified', 400);
  } else if (protocol !== undefined || port !== undefined || vpcId !== undefined) {
    throw new AwsError(
      'ValidationError',
      "Protocol, port and VPC ID cannot be specified for target groups with target type 'lambda'",
      400,
    );
  }
  if (protocol !== undefined && !PROTOCOLS.includes(protocol))
    throw validation('Protocol', protocol, `Member must satisfy enum value set: [${PROTOCOLS.join(', ')}]`);
  if (vpcId !== undefined && !ctx.region.ec2.vpcs.has(vpcId))
    throw new AwsError('ValidationError', `The VPC ID '${vpcId}' is not found`, 400);
  if (optBool(p, 'HealthCheckEnabled') === false && !lambda) {
    throw new AwsError(
      'ValidationError',
      "Health checks cannot be disabled for target groups with target type 'instance' or 'ip'",
      400,
    );
  }
  const tags = readTags(p);
  const existing = [...ctx.region.elb.targetGroups.values()].find((tg) => tg.targetGroupName === name);
  if (existing) {
    // CreateTargetGroup is idempotent: the same name with the same settings returns the existing group.
    const same =
      existing.targetType === targetType &&
      (lambda || (existing.protocol === protocol && existing.port === port && existing.vpcId === vpcId));
    if (!same)
      throw new AwsError(
        'DuplicateTargetGroupName',
        `A target group with the same name '${name}' exists, but with different settings`,
        400,
      );
    return { TargetGroups: [targetGroupView(existing)] };
  }
  if (ctx.region.elb.targetGroups.size >= 3000)
    throw new AwsError(
      'TooManyTargetGroups',
      'You have reached the limit on the number of target groups for your AWS account',
      400,
    );
  ctx.dryRunGate();
  const arn = `arn:aws:elasticloadbalancing:${ctx.regionName}:${ctx.accountId}:targetgroup/${name}/${ctx.world.ids.hex('tg', 16).slice(3)}`;
  const tg: TargetGroup = {
    targetGroupArn: arn,
    targetGroupName: name,
    protocol: protocol ?? '',
    port: port ?? 0,
    vpcId: vpcId ?? '',
    targetType,
    loadBalancerArns: [],
    deregistrationDelaySeconds: 300,
    targets: [],
    tags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
  };
  ctx.region.elb.targetGroups.set(arn, tg);
  return { TargetGroups: [targetGroupView(tg)] };
};

const describeTargetGroupAttributes: Handler = (ctx, p) => {
  const tg = targetGroupByArn(ctx.region, needStr(p, 'TargetGroupArn'));
  const attrs: [string, string][] = [];
  if (tg.targetType === 'lambda') {
    attrs.push(['lambda.multi_value_headers.enabled', 'false']);
  } else {
    attrs.push(['deregistration_delay.timeout_seconds', String(tg.deregistrationDelaySeconds)]);
    attrs.push(['stickiness.enabled', 'false']);
    if (isLayer7(tg)) {
      attrs.push(['stickiness.type', 'lb_cookie'], ['stickiness.lb_cookie.duration_seconds', '86400']);
      attrs.push(['load_balancing.algorithm.type', 'round_robin'], ['slow_start.duration_seconds', '0']);
    } else {
      attrs.push(['stickiness.type', 'source_ip'], ['deregistration_delay.connection_termination.enabled', 'false']);
      attrs.push(
        ['preserve_client_ip.enabled', tg.targetType === 'instance' ? 'true' : 'false'],
        ['proxy_protocol_v2.enabled', 'false'],
      );
    }
  }
  return { Attributes: attrs.map(([Key, Value]) => ({ Key, Value })) };
};

export const targetGroupActions: Record<string, Handler> = {
  DescribeTargetGroups: describeTargetGroups,
  CreateTargetGroup: createTargetGroup,
  DescribeTargetGroupAttributes: describeTargetGroupAttributes,
};
