// Availability zones of a simulated region: a, b and c (plus any zone a scenario placed resources in), with
// AWS-style zone ids (`use1-az1`). Shared by DescribeAvailabilityZones and CreateSubnet.

import type { RegionState } from '../../state/types.js';

const DIRECTIONS: Record<string, string> = {
  east: 'e',
  west: 'w',
  central: 'c',
  north: 'n',
  south: 's',
  southeast: 'se',
  northeast: 'ne',
  southwest: 'sw',
  northwest: 'nw',
};

/** `us-east-1` → `use1`, `ap-southeast-2` → `apse2`, `eu-central-1` → `euc1`. */
export function regionShortCode(region: string): string {
  const m = /^([a-z]{2})-([a-z]+)-(\d+)$/.exec(region);
  if (!m) return region.replace(/-/g, '');
  return `${m[1]}${DIRECTIONS[m[2]!] ?? m[2]!.slice(0, 2)}${m[3]}`;
}

export interface Zone {
  zoneName: string;
  zoneId: string;
  regionName: string;
}

function zoneFor(regionName: string, zoneName: string): Zone {
  const letter = zoneName.slice(regionName.length);
  const n = letter.length === 1 ? letter.charCodeAt(0) - 96 : 1;
  return { zoneName, zoneId: `${regionShortCode(regionName)}-az${n}`, regionName };
}

/** The zones of a region: a, b, c, and any other zone of this region that resources already use. */
export function zonesOf(region: RegionState): Zone[] {
  const names = new Set(['a', 'b', 'c'].map((l) => `${region.name}${l}`));
  const used = [...region.ec2.subnets.values()].map((s) => s.availabilityZone);
  for (const z of used) if (/^[a-z]$/.test(z.slice(region.name.length)) && z.startsWith(region.name)) names.add(z);
  return [...names].sort().map((z) => zoneFor(region.name, z));
}

export function zoneIdOf(regionName: string, zoneName: string): string {
  return zoneFor(regionName, zoneName).zoneId;
}
