// EC2 instance actions.

import type { Handler } from '../framework.js';
import { int, str, strList, paginate } from '../framework.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { lookupAll } from './ids.js';
import { instanceView } from './views.js';
import type { Instance, RegionState } from '../../state/types.js';
import { INSTANCE_STATE_CODES } from '../../state/types.js';

export function instanceFilterValues(region: RegionState) {
  return (i: Instance, name: string): (string | number | boolean | undefined)[] | undefined => {
    const enis = i.networkInterfaceIds.map((id) => region.ec2.networkInterfaces.get(id)!).filter(Boolean);
    switch (name) {
      case 'instance-id': return [i.instanceId];
      case 'instance-state-name': return [i.state];
      case 'instance-state-code': return [INSTANCE_STATE_CODES[i.state]];
      case 'instance-type': return [i.instanceType];
      case 'image-id': return [i.imageId];
      case 'vpc-id': return [i.vpcId];
      case 'subnet-id': return [i.subnetId, ...enis.map((e) => e.subnetId)];
      case 'availability-zone': return [i.availabilityZone];
      case 'private-ip-address': return enis.flatMap((e) => e.privateIpAddresses.map((p) => p.privateIpAddress)).slice(0, 1);
      case 'ip-address': return enis.slice(0, 1).map((e) => e.privateIpAddresses[0]?.association?.publicIp);
      case 'key-name': return [i.keyName];
      case 'instance.group-id': case 'group-id': return enis[0]?.groupIds ?? [];
      case 'instance.group-name': case 'group-name': return (enis[0]?.groupIds ?? []).map((g) => region.ec2.securityGroups.get(g)?.groupName);
      case 'network-interface.network-interface-id': return enis.map((e) => e.networkInterfaceId);
      case 'network-interface.group-id': return enis.flatMap((e) => e.groupIds);
      case 'network-interface.subnet-id': return enis.map((e) => e.subnetId);
      case 'network-interface.vpc-id': return enis.map((e) => e.vpcId);
      case 'network-interface.addresses.private-ip-address': return enis.flatMap((e) => e.privateIpAddresses.map((p) => p.privateIpAddress));
      case 'network-interface.ipv6-addresses.ipv6-address': return enis.flatMap((e) => e.ipv6Addresses);
      case 'iam-instance-profile.arn': return [i.iamInstanceProfile?.arn];
      case 'block-device-mapping.volume-id': return i.blockDevices.map((b) => b.volumeId);
      case 'owner-id': return [i.ownerId];
      case 'reservation-id': return [i.reservationId];
      default: return undefined;
    }
  };
}

const describeInstances: Handler = (ctx, p) => {
  const ids = strList(p, 'InstanceId');
  const maxResults = int(p, 'MaxResults');
  if (ids.length && maxResults !== undefined) {
    throw new AwsError('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  const all = ctx.region.ec2.instances;
  let items = ids.length ? lookupAll('instance', all, ids) : [...all.values()];
  items = applyFilters(items, readFilters(p), instanceFilterValues(ctx.region));
  const { page, nextToken } = paginate(items, maxResults, str(p, 'NextToken'));
  // One reservation per reservation id, in first-seen order.
  const reservations = new Map<string, Instance[]>();
  for (const i of page) {
    const list = reservations.get(i.reservationId) ?? [];
    list.push(i);
    reservations.set(i.reservationId, list);
  }
  return {
    reservationSet: [...reservations.entries()].map(([rid, insts]) => ({
      reservationId: rid,
      ownerId: insts[0]!.ownerId,
      groupSet: [],
      instancesSet: insts.map((i) => instanceView(ctx.region, i)),
    })),
    nextToken,
  };
};

export const instanceActions: Record<string, Handler> = {
  DescribeInstances: describeInstances,
};
