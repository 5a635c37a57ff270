// Instance lifecycle shared by the instance, ENI, address and IAM-association handlers: the state shown while a
// transition runs, and what stop / start / terminate do to ENIs, volumes, Elastic IPs and the instance profile.
// State changes complete at once in the record (everything else in the simulator acts on the end state); Describe
// calls show the intermediate state (pending, stopping, shutting-down) for TRANSITION_MS of simulated time.

import type { XmlData } from '../../protocol/xml.js';
import type { Address, Instance, InstanceStateName, NetworkInterface, RegionState } from '../../state/types.js';
import { INSTANCE_STATE_CODES } from '../../state/types.js';
import type { World } from '../../state/world.js';
import { allocatePublicIp } from '../../state/build.js';
import { instanceView } from './views.js';

/** How long (simulated ms) pending, stopping and shutting-down stay visible. Advance the clock to skip it. */
export const TRANSITION_MS = 3000;

/** The state Describe calls and state checks see now. */
export function shownState(world: World, inst: Instance): InstanceStateName {
  const t = inst.transition;
  return t && world.clock.now() < t.until ? t.shown : inst.state;
}

export function stateOf(name: InstanceStateName): { code: number; name: InstanceStateName } {
  return { code: INSTANCE_STATE_CODES[name], name };
}

/** Xen-based (previous generation) families; every other type is Nitro based. */
const XEN_FAMILIES = new Set([
  't1',
  't2',
  'm1',
  'm2',
  'm3',
  'm4',
  'c1',
  'c3',
  'c4',
  'r3',
  'r4',
  'x1',
  'x1e',
  'i2',
  'i3',
  'd2',
  'g2',
  'g3',
  'p2',
  'p3',
  'h1',
  'f1',
  'cc2',
  'cr1',
  'hs1',
]);

export function isNitroType(instanceType: string): boolean {
  const family = instanceType.split('.')[0] ?? '';
  return !(XEN_FAMILIES.has(family) && !instanceType.endsWith('.metal'));
}

/** Network interfaces per instance for common small types (AWS's published limits); others allow 8. */
const ENI_LIMITS: Record<string, number> = {
  't2.nano': 2,
  't2.micro': 2,
  't2.small': 3,
  't2.medium': 3,
  't2.large': 3,
  't2.xlarge': 3,
  't2.2xlarge': 3,
  't3.nano': 2,
  't3.micro': 2,
  't3.small': 3,
  't3.medium': 3,
  't3.large': 3,
  't3.xlarge': 4,
  't3.2xlarge': 4,
  't3a.nano': 2,
  't3a.micro': 2,
  't3a.small': 2,
  't3a.medium': 3,
  't3a.large': 3,
  't3a.xlarge': 4,
  't3a.2xlarge': 4,
  't4g.nano': 2,
  't4g.micro': 2,
  't4g.small': 3,
  't4g.medium': 3,
  't4g.large': 3,
  't4g.xlarge': 4,
  't4g.2xlarge': 4,
  'm5.large': 3,
  'c5.large': 3,
  'r5.large': 3,
  'm6i.large': 3,
  'c6i.large': 3,
  'm7i.large': 3,
};

export function maxEnisFor(instanceType: string): number {
  return ENI_LIMITS[instanceType] ?? 8;
}

export function enisOf(region: RegionState, inst: Instance): NetworkInterface[] {
  return inst.networkInterfaceIds
    .map((id) => region.ec2.networkInterfaces.get(id))
    .filter((e): e is NetworkInterface => !!e);
}

// ---- public addresses ---------------------------------------------------------------------------------

/** Drops an Amazon-owned (auto-assigned) public IPv4 address from the ENI's primary private address. */
export function releaseAutoPublicIp(eni: NetworkInterface): void {
  const p = eni.privateIpAddresses.find((x) => x.primary);
  if (p?.association && !p.association.allocationId) p.association = undefined;
}

/** Gives the primary ENI of an instance launched with a public IP a fresh Amazon-owned address (at start). */
export function assignAutoPublicIp(world: World, region: RegionState, inst: Instance): void {
  if (!inst.autoPublicIp) return;
  const eni = region.ec2.networkInterfaces.get(inst.networkInterfaceIds[0] ?? '');
  // AWS gives the address only while the instance has a single network interface.
  if (!eni || inst.networkInterfaceIds.length !== 1) return;
  const p = eni.privateIpAddresses.find((x) => x.primary);
  if (p && !p.association) p.association = { publicIp: allocatePublicIp(world, region), ipOwnerId: 'amazon' };
}

export function addressByAssociation(region: RegionState, associationId: string): Address | undefined {
  for (const a of region.ec2.addresses.values()) if (a.associationId === associationId) return a;
  return undefined;
}

/** Removes an Elastic IP's association on both sides (address record and ENI private address). */
export function unlinkAddress(region: RegionState, addr: Address): void {
  const eni = addr.networkInterfaceId ? region.ec2.networkInterfaces.get(addr.networkInterfaceId) : undefined;
  for (const p of eni?.privateIpAddresses ?? [])
    if (p.association?.allocationId === addr.allocationId) p.association = undefined;
  addr.associationId = undefined;
  addr.networkInterfaceId = undefined;
  addr.networkInterfaceOwnerId = undefined;
  addr.privateIpAddress = undefined;
  addr.instanceId = undefined;
}

/** Associates an Elastic IP with one private address of an ENI (whatever public address it had is dropped). */
export function linkAddress(
  world: World,
  region: RegionState,
  addr: Address,
  eni: NetworkInterface,
  privateIp: string,
  ownerId: string,
): string {
  const p = eni.privateIpAddresses.find((x) => x.privateIpAddress === privateIp)!;
  if (p.association && !p.association.allocationId && p.primary && eni.attachment?.deviceIndex === 0) {
    // The instance had an Amazon public IP (launch setting): it gets a new one when this Elastic IP goes.
    const inst = region.ec2.instances.get(eni.attachment.instanceId);
    if (inst) inst.autoPublicIp = true;
  }
  if (p.association?.allocationId) {
    const previous = region.ec2.addresses.get(p.association.allocationId);
    if (previous) unlinkAddress(region, previous);
  }
  const associationId = world.ids.hex('eipassoc');
  p.association = { publicIp: addr.publicIp, ipOwnerId: ownerId, allocationId: addr.allocationId, associationId };
  addr.associationId = associationId;
  addr.networkInterfaceId = eni.networkInterfaceId;
  addr.networkInterfaceOwnerId = eni.ownerId;
  addr.privateIpAddress = privateIp;
  addr.instanceId = eni.attachment?.instanceId;
  return associationId;
}

// ---- ENIs -----------------------------------------------------------------------------------------------

/** Detaches an ENI from its instance (the Elastic IPs stay with the ENI; an auto-assigned public IP goes). */
export function detachEni(region: RegionState, eni: NetworkInterface): void {
  const instanceId = eni.attachment?.instanceId;
  const inst = instanceId ? region.ec2.instances.get(instanceId) : undefined;
  if (inst) inst.networkInterfaceIds = inst.networkInterfaceIds.filter((id) => id !== eni.networkInterfaceId);
  eni.attachment = undefined;
  eni.status = 'available';
  releaseAutoPublicIp(eni);
  for (const a of region.ec2.addresses.values())
    if (a.networkInterfaceId === eni.networkInterfaceId) a.instanceId = undefined;
}

/** Deletes an ENI: its Elastic IPs are disassociated (they stay allocated). */
export function deleteEni(region: RegionState, eni: NetworkInterface): void {
  for (const a of region.ec2.addresses.values())
    if (a.networkInterfaceId === eni.networkInterfaceId) unlinkAddress(region, a);
  if (eni.attachment) detachEni(region, eni);
  region.ec2.networkInterfaces.delete(eni.networkInterfaceId);
}

// ---- state changes -------------------------------------------------------------------------------------

function userInitiated(world: World): string {
  return `User initiated (${world.clock
    .nowIso()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' GMT')})`;
}

function begin(world: World, inst: Instance, shown: InstanceStateName, end: InstanceStateName): void {
  inst.state = end;
  inst.transition = { shown, until: world.clock.now() + TRANSITION_MS };
}

export function stopInstance(world: World, region: RegionState, inst: Instance): void {
  begin(world, inst, 'stopping', 'stopped');
  inst.stateTransitionReason = userInitiated(world);
  const primary = enisOf(region, inst)[0]?.privateIpAddresses.find((p) => p.primary);
  // Scenario instances with an Amazon public IP behave as launched with one: they get a new one at start.
  if (primary?.association && !primary.association.allocationId) inst.autoPublicIp = true;
  for (const eni of enisOf(region, inst)) releaseAutoPublicIp(eni);
}

export function startInstance(world: World, region: RegionState, inst: Instance): void {
  begin(world, inst, 'pending', 'running');
  inst.stateTransitionReason = '';
  assignAutoPublicIp(world, region, inst);
}

export function removeIamAssociations(region: RegionState, instanceId: string): void {
  for (const [id, a] of region.ec2.iamInstanceProfileAssociations)
    if (a.instanceId === instanceId) region.ec2.iamInstanceProfileAssociations.delete(id);
}

/**
 * Terminates: ENIs with deleteOnTermination are deleted, others detached; volumes with DeleteOnTermination are
 * deleted, others detached; the instance profile association goes.
 */
export function terminateInstance(world: World, region: RegionState, inst: Instance): void {
  begin(world, inst, 'shutting-down', 'terminated');
  inst.stateTransitionReason = userInitiated(world);
  for (const eni of enisOf(region, inst)) {
    if (eni.attachment?.deleteOnTermination) deleteEni(region, eni);
    else detachEni(region, eni);
  }
  inst.networkInterfaceIds = [];
  for (const b of inst.blockDevices) {
    const v = region.ec2.volumes.get(b.volumeId);
    if (!v) continue;
    const att = v.attachments.find((a) => a.instanceId === inst.instanceId);
    if (att?.deleteOnTermination) {
      region.ec2.volumes.delete(v.volumeId);
    } else {
      v.attachments = v.attachments.filter((a) => a.instanceId !== inst.instanceId);
      if (v.attachments.length === 0) v.state = 'available';
    }
  }
  inst.blockDevices = [];
  removeIamAssociations(region, inst.instanceId);
  inst.iamInstanceProfile = undefined;
}

// ---- views ---------------------------------------------------------------------------------------------

/** The DescribeInstances view with the state shown now, the state reason and an Elastic IP kept while stopped. */
export function instanceViewNow(world: World, region: RegionState, inst: Instance): XmlData {
  const v = instanceView(region, inst) as Record<string, XmlData>;
  const shown = shownState(world, inst);
  const enis = enisOf(region, inst);
  const assoc = enis[0]?.privateIpAddresses.find((p) => p.primary)?.association;
  const userStop =
    inst.stateTransitionReason.startsWith('User initiated') &&
    ['stopping', 'stopped', 'shutting-down', 'terminated'].includes(shown);
  return {
    ...v,
    instanceState: stateOf(shown),
    ipAddress: assoc && shown !== 'terminated' ? assoc.publicIp : undefined,
    dnsName:
      assoc && shown === 'running'
        ? `ec2-${assoc.publicIp.replace(/\./g, '-')}.${region.name === 'us-east-1' ? 'compute-1' : `${region.name}.compute`}.amazonaws.com`
        : '',
    stateReason: userStop
      ? { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' }
      : undefined,
  };
}
