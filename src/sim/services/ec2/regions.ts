// EC2 Region and account actions: DescribeRegions, DescribeAvailabilityZones, DescribeAccountAttributes.
// Enabled Regions are KNOWN_REGIONS plus any Region the scenario populated; a few opt-in Regions show up as
// `not-opted-in` with AllRegions=true, as in a fresh AWS account.

import type { Handler } from '../framework.js';
import { bool, strList } from '../framework.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { zonesOf, type Zone } from './zones.js';
import { GROUPS_PER_ENI } from './networkInterfaces.js';
import { KNOWN_REGIONS } from '../../state/world.js';

export const OPT_IN_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-southeast-3',
  'eu-south-1',
  'il-central-1',
  'me-central-1',
  'me-south-1',
];

interface RegionRow {
  regionName: string;
  optInStatus: string;
  tags: Record<string, string>;
}

const describeRegions: Handler = (ctx, p) => {
  const enabled = new Set([...KNOWN_REGIONS, ...ctx.account.regions.keys()]);
  const rows: RegionRow[] = [
    ...[...enabled].map((r) => ({ regionName: r, optInStatus: 'opt-in-not-required', tags: {} })),
    ...OPT_IN_REGIONS.filter((r) => !enabled.has(r)).map((r) => ({
      regionName: r,
      optInStatus: 'not-opted-in',
      tags: {},
    })),
  ];
  const names = strList(p, 'RegionName');
  const unknown = names.filter((n) => !rows.some((r) => r.regionName === n));
  if (unknown.length) throw new AwsError('InvalidParameterValue', `Invalid region names: [${unknown.join(', ')}]`);
  const all = bool(p, 'AllRegions') ?? false;
  let items = names.length
    ? rows.filter((r) => names.includes(r.regionName))
    : rows.filter((r) => all || r.optInStatus !== 'not-opted-in');
  items = applyFilters(items, readFilters(p), (r, name) => {
    switch (name) {
      case 'region-name':
        return [r.regionName];
      case 'endpoint':
        return [`ec2.${r.regionName}.amazonaws.com`];
      case 'opt-in-status':
        return [r.optInStatus];
      default:
        return undefined;
    }
  });
  items.sort((a, b) => a.regionName.localeCompare(b.regionName));
  return {
    regionInfo: items.map((r) => ({
      regionName: r.regionName,
      regionEndpoint: `ec2.${r.regionName}.amazonaws.com`,
      optInStatus: r.optInStatus,
    })),
  };
};

const describeAvailabilityZones: Handler = (ctx, p) => {
  const zones: (Zone & { tags: Record<string, string> })[] = zonesOf(ctx.region).map((z) => ({ ...z, tags: {} }));
  const names = strList(p, 'ZoneName');
  const ids = strList(p, 'ZoneId');
  const unknown = [
    ...names.filter((n) => !zones.some((z) => z.zoneName === n)),
    ...ids.filter((n) => !zones.some((z) => z.zoneId === n)),
  ];
  if (unknown.length) throw new AwsError('InvalidParameterValue', `Invalid availability zone: [${unknown.join(', ')}]`);
  let items =
    names.length || ids.length ? zones.filter((z) => names.includes(z.zoneName) || ids.includes(z.zoneId)) : zones;
  items = applyFilters(items, readFilters(p), (z, name) => {
    switch (name) {
      case 'zone-name':
        return [z.zoneName];
      case 'zone-id':
        return [z.zoneId];
      case 'region-name':
        return [z.regionName];
      case 'state':
        return ['available'];
      case 'zone-type':
        return ['availability-zone'];
      case 'group-name':
      case 'group-long-name':
      case 'network-border-group':
        return [z.regionName];
      case 'opt-in-status':
        return ['opt-in-not-required'];
      case 'message':
        return [];
      default:
        return undefined;
    }
  });
  return {
    availabilityZoneInfo: items.map((z) => ({
      optInStatus: 'opt-in-not-required',
      messageSet: [],
      regionName: z.regionName,
      zoneName: z.zoneName,
      zoneId: z.zoneId,
      groupName: z.regionName,
      networkBorderGroup: z.regionName,
      zoneType: 'availability-zone',
      zoneState: 'available',
    })),
  };
};

const describeAccountAttributes: Handler = (ctx, p) => {
  const defaultVpc = [...ctx.region.ec2.vpcs.values()].find((v) => v.isDefault)?.vpcId ?? 'none';
  const attrs: Record<string, string[]> = {
    'supported-platforms': ['VPC'],
    'default-vpc': [defaultVpc],
    'max-instances': ['20'],
    'vpc-max-security-groups-per-interface': [String(GROUPS_PER_ENI)],
    'max-elastic-ips': ['5'],
    'vpc-max-elastic-ips': ['5'],
  };
  const names = strList(p, 'AttributeName');
  for (const n of names)
    if (!(n in attrs))
      throw new AwsError(
        'InvalidParameterValue',
        `Value (${n}) for parameter attributeName is invalid. Valid values: ${Object.keys(attrs).join(', ')}`,
      );
  const chosen = names.length ? names : Object.keys(attrs);
  return {
    accountAttributeSet: chosen.map((n) => ({
      attributeName: n,
      attributeValueSet: attrs[n]!.map((v) => ({ attributeValue: v })),
    })),
  };
};

export const regionsActions: Record<string, Handler> = {
  DescribeRegions: describeRegions,
  DescribeAvailabilityZones: describeAvailabilityZones,
  DescribeAccountAttributes: describeAccountAttributes,
};
