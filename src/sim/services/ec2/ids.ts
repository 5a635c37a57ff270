// EC2 resource-id validation and lookup with AWS's error codes.

import { AwsError } from '../../errors.js';

const KINDS: Record<string, { prefix: string; malformed: string; notFound: string; noun: string }> = {
  instance: {
    prefix: 'i',
    malformed: 'InvalidInstanceID.Malformed',
    notFound: 'InvalidInstanceID.NotFound',
    noun: 'instance ID',
  },
  eni: {
    prefix: 'eni',
    malformed: 'InvalidNetworkInterfaceID.Malformed',
    notFound: 'InvalidNetworkInterfaceID.NotFound',
    noun: 'network interface ID',
  },
  sg: {
    prefix: 'sg',
    malformed: 'InvalidGroupId.Malformed',
    notFound: 'InvalidGroup.NotFound',
    noun: 'security group ID',
  },
  vpc: { prefix: 'vpc', malformed: 'InvalidVpcID.Malformed', notFound: 'InvalidVpcID.NotFound', noun: 'vpc ID' },
  subnet: {
    prefix: 'subnet',
    malformed: 'InvalidSubnetID.Malformed',
    notFound: 'InvalidSubnetID.NotFound',
    noun: 'subnet ID',
  },
  volume: { prefix: 'vol', malformed: 'InvalidVolumeID.Malformed', notFound: 'InvalidVolume.NotFound', noun: 'volume' },
  snapshot: {
    prefix: 'snap',
    malformed: 'InvalidSnapshotID.Malformed',
    notFound: 'InvalidSnapshot.NotFound',
    noun: 'snapshot',
  },
  image: { prefix: 'ami', malformed: 'InvalidAMIID.Malformed', notFound: 'InvalidAMIID.NotFound', noun: 'image id' },
  acl: {
    prefix: 'acl',
    malformed: 'InvalidNetworkAclID.Malformed',
    notFound: 'InvalidNetworkAclID.NotFound',
    noun: 'network ACL ID',
  },
  rtb: {
    prefix: 'rtb',
    malformed: 'InvalidRouteTableID.Malformed',
    notFound: 'InvalidRouteTableID.NotFound',
    noun: 'route table ID',
  },
  igw: {
    prefix: 'igw',
    malformed: 'InvalidInternetGatewayID.Malformed',
    notFound: 'InvalidInternetGatewayID.NotFound',
    noun: 'internet gateway ID',
  },
  eipalloc: {
    prefix: 'eipalloc',
    malformed: 'InvalidAllocationID.Malformed',
    notFound: 'InvalidAllocationID.NotFound',
    noun: 'allocation ID',
  },
  natgw: {
    prefix: 'nat',
    malformed: 'InvalidNatGatewayID.Malformed',
    notFound: 'NatGatewayNotFound',
    noun: 'NAT gateway ID',
  },
};

export type IdKind = keyof typeof KINDS;

export function checkIdFormat(kind: IdKind, id: string): void {
  const k = KINDS[kind]!;
  const re = new RegExp(`^${k.prefix}-[0-9a-f]{8}([0-9a-f]{9})?$`);
  if (!re.test(id)) throw new AwsError(k.malformed, `Invalid id: "${id}"`);
}

/** Looks up every id (format first, then existence), answering AWS's errors naming the missing ids. */
export function lookupAll<T>(kind: IdKind, map: Map<string, T>, ids: string[]): T[] {
  for (const id of ids) checkIdFormat(kind, id);
  const missing = ids.filter((id) => !map.has(id));
  if (missing.length) {
    const k = KINDS[kind]!;
    throw new AwsError(
      k.notFound,
      missing.length === 1
        ? `The ${k.noun} '${missing[0]}' does not exist`
        : `The ${k.noun}s '${missing.join(', ')}' do not exist`,
    );
  }
  return ids.map((id) => map.get(id)!);
}

export function lookup<T>(kind: IdKind, map: Map<string, T>, id: string | undefined, param = 'id'): T {
  if (id === undefined || id === '')
    throw new AwsError('MissingParameter', `The request must contain the parameter ${param}`);
  return lookupAll(kind, map, [id])[0]!;
}
