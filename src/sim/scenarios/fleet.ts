// A generated scenario for fleet-sized runs: N running instances with 1–3 ENIs each in one VPC with four subnets
// (two per availability zone), every instance with an instance profile, a quarter of them in Auto Scaling groups
// behind a target group. Deterministic: instance k always gets the same ids, subnets and groups, so tests and the
// fleet bench can name what they expect. Loaded by name: `fleet` (60 instances) or `fleet-N` (N instances, up to
// 4,000), e.g. `cordon sim --scenario fleet-300`.

export const FLEET_ACCOUNT = '111122223333';
export const FLEET_ACCESS_KEY = 'AKIAFLEETRESPONDER1';
export const FLEET_VPC = 'vpc-0f1e0000000000001';
export const FLEET_MAX = 4000;
const ASG_SIZE = 50;

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

export function fleetInstanceId(k: number): string {
  return `i-0f1e${hex(k, 13)}`;
}

export function fleetEniId(k: number, device: number): string {
  return `eni-0f1e${hex(k * 4 + device, 13)}`;
}

/** How many ENIs instance k has (1, 2, 3, 1, 2, 3 …). */
export function fleetEnis(k: number): number {
  return 1 + (k % 3);
}

/** Whether instance k is in an Auto Scaling group (every fourth instance), and which. */
export function fleetAsgOf(k: number): string | undefined {
  return k % 4 === 0 ? `fleet-asg-${Math.floor(k / 4 / ASG_SIZE) + 1}` : undefined;
}

/** `fleet` → 60, `fleet-300` → 300; undefined when the name is not a fleet name. */
export function fleetSize(name: string): number | undefined {
  const m = /^fleet(?:-(\d{1,5}))?$/.exec(name);
  if (!m) return undefined;
  return m[1] === undefined ? 60 : Number(m[1]);
}

export function fleetScenario(n: number): Record<string, unknown> {
  if (!Number.isInteger(n) || n < 1 || n > FLEET_MAX) throw new RangeError(`a fleet has 1 to ${FLEET_MAX} instances`);
  const subnets = [
    { id: 'subnet-0f1e0000000000001', name: 'fleet-a1', cidr: '10.40.0.0/20', az: 'us-east-1a' },
    { id: 'subnet-0f1e0000000000002', name: 'fleet-a2', cidr: '10.40.16.0/20', az: 'us-east-1a' },
    { id: 'subnet-0f1e0000000000003', name: 'fleet-b1', cidr: '10.40.32.0/20', az: 'us-east-1b' },
    { id: 'subnet-0f1e0000000000004', name: 'fleet-b2', cidr: '10.40.48.0/20', az: 'us-east-1b' },
  ];
  const groups = [
    {
      id: 'sg-0f1e0000000000001',
      name: 'fleet-web',
      description: 'web',
      ingress: [{ protocol: 'tcp', ports: 443, cidr: '0.0.0.0/0' }],
    },
    {
      id: 'sg-0f1e0000000000002',
      name: 'fleet-admin',
      description: 'ssh',
      ingress: [{ protocol: 'tcp', ports: 22, cidr: '10.0.0.0/8' }],
    },
    {
      id: 'sg-0f1e0000000000003',
      name: 'fleet-app',
      description: 'app',
      ingress: [{ protocol: 'tcp', ports: 8080, cidr: '10.40.0.0/16' }],
    },
    {
      id: 'sg-0f1e0000000000004',
      name: 'fleet-mgmt',
      description: 'mgmt',
      ingress: [{ protocol: 'udp', ports: 161, cidr: '10.0.0.0/8' }],
    },
  ];
  const instances = [];
  const asgMembers = new Map<string, string[]>();
  for (let k = 0; k < n; k++) {
    const zone = k % 2; // subnets 0,1 in us-east-1a; 2,3 in us-east-1b
    const name = `fleet-${k}`;
    const extra = [];
    for (let d = 1; d < fleetEnis(k); d++) {
      extra.push({
        id: fleetEniId(k, d),
        subnet: subnets[zone * 2 + (d % 2)]!.name,
        securityGroups: d === 1 ? ['fleet-app'] : ['fleet-mgmt', 'fleet-admin'],
      });
    }
    instances.push({
      id: fleetInstanceId(k),
      name,
      type: 'm6i.large',
      subnet: subnets[zone * 2]!.name,
      securityGroups: k % 2 ? ['fleet-web'] : ['fleet-web', 'fleet-admin'],
      primaryEni: { id: fleetEniId(k, 0) },
      extraNetworkInterfaces: extra,
      instanceProfile: 'fleet-profile',
      tags: { app: 'fleet', tier: k % 2 ? 'web' : 'worker', wave: String(k % 5) },
    });
    const asg = fleetAsgOf(k);
    if (asg) asgMembers.set(asg, [...(asgMembers.get(asg) ?? []), name]);
  }
  const autoScalingGroups = [...asgMembers].map(([asgName, members]) => ({
    name: asgName,
    min: 0,
    max: members.length * 2,
    desired: members.length,
    instances: members,
    targetGroups: ['fleet-tg'],
    subnets: subnets.map((s) => s.name),
  }));
  const asgInstances = new Set([...asgMembers.values()].flat());
  return {
    name: `fleet-${n}`,
    description: `${n} running instances with 1-3 network interfaces each in one VPC (generated: src/sim/scenarios/fleet.ts)`,
    defaultRegion: 'us-east-1',
    accounts: [
      {
        id: FLEET_ACCOUNT,
        default: true,
        credentials: [{ accessKeyId: FLEET_ACCESS_KEY, user: 'responder' }],
        iam: {
          roles: [{ name: 'fleet-role' }],
          instanceProfiles: [{ name: 'fleet-profile', role: 'fleet-role' }],
        },
        regions: [
          {
            name: 'us-east-1',
            vpcs: [
              {
                id: FLEET_VPC,
                name: 'fleet',
                cidr: '10.40.0.0/16',
                internetGateway: true,
                subnets,
                routeTables: [{ name: 'main', main: true, routes: [{ destination: '0.0.0.0/0', target: 'igw' }] }],
                securityGroups: groups,
              },
            ],
            instances,
            targetGroups: [
              {
                name: 'fleet-tg',
                vpc: 'fleet',
                port: 443,
                protocol: 'HTTPS',
                deregistrationDelay: 0,
                // Instances outside the groups are registered by hand; the groups register their own.
                targets: instances
                  .filter((i, k) => k % 8 === 1 && !asgInstances.has(i.name))
                  .map((i) => ({ instance: i.name })),
              },
            ],
            autoScalingGroups,
          },
        ],
      },
    ],
  };
}
