// The data plane of one World: its flows, their conntrack state, and re-evaluation after every change (the world's
// afterChange hooks: each successful mutating AWS call, and each clock advance through the control API).
// The rules themselves are in model.ts; this file builds the model's view of the world and keeps the records.

import { familyOf } from '../../core/cidr.js';
import {
  PATHS,
  article,
  pathAddressProblem,
  pathCarries,
  sideOfPath,
  type Direction,
  type FlowKind,
  type PathName,
  type Side,
} from '../../core/verify/paths.js';
import { networkAclForSubnet, routeTableForSubnet } from '../state/build.js';
import { routeState } from '../services/ec2/routes.js';
import type { World } from '../state/world.js';
import type { NetworkInterface, RegionState } from '../state/types.js';
import {
  evaluate,
  protocolName,
  type ConntrackState,
  type Evaluation,
  type FlowFacts,
  type NetContext,
} from './model.js';
import {
  dataplaneOptionsSchema,
  flowSpecSchema,
  formatZodIssues,
  FlowSpecError,
  type DataplaneOptions,
  type FlowSpec,
} from './spec.js';

export interface FlowEvent {
  time: string;
  /** The AWS action (or `_sim/…`) after which the flow changed. */
  cause: string;
  alive: boolean;
  kind: FlowKind;
  reason: string;
}

export interface FlowRecord {
  id: string;
  name?: string;
  accountId: string;
  region: string;
  eniId: string;
  instanceId?: string;
  deviceIndex?: number;
  localAddress: string;
  active: boolean;
  facts: FlowFacts;
  openedAt: number;
  state: ConntrackState;
  last: Evaluation;
  events: FlowEvent[];
}

/** The JSON view of a flow (GET /_sim/flows). */
export interface FlowView {
  id: string;
  name?: string;
  accountId: string;
  region: string;
  eni: string;
  instanceId?: string;
  deviceIndex?: number;
  protocol: string;
  localAddress: string;
  localPort?: number;
  remoteAddress: string;
  remotePort?: number;
  icmpType?: number;
  icmpCode?: number;
  initiator: Direction;
  path: PathName;
  side: Side;
  kind: FlowKind;
  active: boolean;
  admitted: boolean;
  alive: boolean;
  cutBy?: string;
  rule?: string;
  blocks: { layer: string; detail: string }[];
  keptBy?: string;
  reason: string;
  conntrack: {
    entry: boolean;
    timeoutSeconds?: number;
    idleSeconds: number;
    expiresAt?: string;
    dropped?: 'expired' | 'untracked';
  };
  openedAt: string;
  lastActivity: string;
  cases: string[];
  events: FlowEvent[];
}

const MAX_EVENTS = 50;
const EPHEMERAL_BASE = 49152;

export class DataPlane {
  options: DataplaneOptions = { untrackingDropsEntries: true };
  private readonly flows = new Map<string, FlowRecord>();
  private seq = 0;

  constructor(readonly world: World) {
    world.afterChange.push((reason) => this.reevaluate(reason.action));
  }

  setOptions(raw: unknown, where = 'dataplane'): DataplaneOptions {
    const r = dataplaneOptionsSchema.safeParse(raw ?? {});
    if (!r.success) throw new FlowSpecError(formatZodIssues(where, r.error));
    if (r.data.untrackingDropsEntries !== undefined)
      this.options.untrackingDropsEntries = r.data.untrackingDropsEntries;
    this.reevaluate('_sim/dataplane');
    return this.options;
  }

  all(): FlowRecord[] {
    return [...this.flows.values()];
  }

  get(id: string): FlowRecord | undefined {
    return this.flows.get(id);
  }

  remove(id?: string): number {
    if (id === undefined) {
      const n = this.flows.size;
      this.flows.clear();
      return n;
    }
    return this.flows.delete(id) ? 1 : 0;
  }

  /** Opens a flow: validates the spec (errors prefixed with `where`), admits it or records why not. */
  open(raw: unknown, at: { accountId: string; region: string }, where = ''): FlowRecord {
    const parsed = flowSpecSchema.safeParse(raw);
    if (!parsed.success) throw new FlowSpecError(formatZodIssues(where, parsed.error));
    const spec = parsed.data;
    const fail = (field: string, msg: string): never => {
      throw new FlowSpecError(`${where ? `${where}.` : ''}${field}: ${msg}`);
    };
    const region = this.world.accounts.get(at.accountId)?.regions.get(at.region);
    if (!region) fail('region', `no region ${at.region} in account ${at.accountId}`);
    const eni = resolveEni(region!, spec, fail);
    const n = ++this.seq;
    const id = spec.id ?? `flow-${n}`;
    if (this.flows.has(id)) fail('id', `a flow "${id}" already exists`);

    const family = familyOf(spec.remoteAddress);
    const protocol = typeof spec.protocol === 'number' ? protocolName(String(spec.protocol)) : spec.protocol;
    if (protocol === 'icmp' && family === 6) fail('protocol', 'ICMP to an IPv6 address is icmpv6 (58)');
    if (protocol === 'icmpv6' && family === 4) fail('protocol', 'icmpv6 needs an IPv6 remote address');
    const localAddress =
      spec.localAddress ?? (family === 4 ? eni.privateIpAddresses[0]?.privateIpAddress : eni.ipv6Addresses[0]);
    if (!localAddress) fail('remoteAddress', `${eni.networkInterfaceId} has no IPv${family} address`);
    const own = [...eni.privateIpAddresses.map((p) => p.privateIpAddress), ...eni.ipv6Addresses];
    if (!own.includes(localAddress!))
      fail('localAddress', `${localAddress} is not an address of ${eni.networkInterfaceId} (${own.join(', ')})`);
    if (familyOf(localAddress!) !== family) fail('localAddress', 'must be of the same family as remoteAddress');
    if (own.includes(spec.remoteAddress)) fail('remoteAddress', "is the ENI's own address");

    const p = PATHS[spec.path];
    if (!p.initiators.includes(spec.initiator))
      fail('initiator', `${article(p.label)} flow is only ever ${p.initiators.join(' or ')}`);
    if (!p.families.includes(family)) fail('path', `${article(p.label)} carries IPv${p.families.join('/IPv')} only`);
    if (!pathCarries(spec.path, protocol))
      fail(
        'protocol',
        `${article(p.label)} carries TCP and UDP${p.protocols === 'tcp-udp-icmp' ? ' and ICMP' : ''} only`,
      );
    const { subnetCidrs, vpcCidrs } = cidrsOf(region!, eni);
    const problem = pathAddressProblem(spec.path, spec.remoteAddress, subnetCidrs, vpcCidrs);
    if (problem) fail('remoteAddress', `${spec.remoteAddress} ${problem}`);

    const tcpUdp = protocol === 'tcp' || protocol === 'udp';
    const ephemeral = EPHEMERAL_BASE + (n % 16384);
    const icmp = protocol === 'icmp' || protocol === 'icmpv6';
    if (!tcpUdp && (spec.localPort !== undefined || spec.remotePort !== undefined))
      fail(spec.localPort !== undefined ? 'localPort' : 'remotePort', `${protocol} has no ports (TCP and UDP only)`);
    if (!icmp && (spec.icmpType !== undefined || spec.icmpCode !== undefined))
      fail(spec.icmpType !== undefined ? 'icmpType' : 'icmpCode', 'goes with protocol icmp or icmpv6 only');
    if (tcpUdp && spec.initiator === 'inbound' && spec.localPort === undefined)
      fail('localPort', 'an inbound TCP/UDP flow needs the port it connects to on the instance');
    if (tcpUdp && spec.initiator === 'outbound' && spec.remotePort === undefined)
      fail('remotePort', 'an outbound TCP/UDP flow needs the port it connects to');
    const facts: FlowFacts = {
      protocol,
      family,
      localPort: tcpUdp ? (spec.localPort ?? ephemeral) : 0,
      remotePort: tcpUdp ? (spec.remotePort ?? ephemeral) : 0,
      icmpType: spec.icmpType ?? 8,
      icmpCode: spec.icmpCode ?? 0,
      remoteAddress: spec.remoteAddress,
      initiator: spec.initiator,
      path: spec.path,
      udpStream: spec.udpStream,
    };
    const now = this.world.clock.now();
    const rec: FlowRecord = {
      id,
      name: spec.name,
      accountId: at.accountId,
      region: at.region,
      eniId: eni.networkInterfaceId,
      instanceId: eni.attachment?.instanceId,
      deviceIndex: eni.attachment?.deviceIndex,
      localAddress: localAddress!,
      active: spec.active,
      facts,
      openedAt: now,
      state: { admitted: false, entry: false, lastActivity: now, kind: 'tracked' },
      last: undefined as unknown as Evaluation,
      events: [],
    };
    this.step(rec, '_sim/flows/open', true);
    this.flows.set(id, rec);
    return rec;
  }

  /** Traffic on the flows (all when no ids): resets their idle timers if the packets get through. */
  traffic(ids?: string[]): FlowRecord[] {
    const recs = ids ? ids.map((id) => this.flows.get(id)!).filter(Boolean) : this.all();
    for (const r of recs) {
      this.step(r, '_sim/flows/traffic');
      if (r.last.alive) r.state.lastActivity = this.world.clock.now();
    }
    return recs;
  }

  reevaluate(cause: string): void {
    for (const r of this.flows.values()) this.step(r, cause);
  }

  private step(rec: FlowRecord, cause: string, first = false): void {
    const now = this.world.clock.now();
    if (!first && rec.last.alive && rec.active) rec.state.lastActivity = now;
    const ev = evaluate(rec.facts, rec.state, this.context(rec), this.options, now);
    const changed = first || ev.alive !== rec.last.alive || ev.kind !== rec.last.kind || ev.entryDropped !== undefined;
    rec.state = ev.state;
    rec.last = ev;
    if (changed) {
      rec.events.push({ time: new Date(now).toISOString(), cause, alive: ev.alive, kind: ev.kind, reason: ev.reason });
      if (rec.events.length > MAX_EVENTS) rec.events.splice(0, rec.events.length - MAX_EVENTS);
    }
  }

  private context(rec: FlowRecord): NetContext {
    const region = this.world.accounts.get(rec.accountId)?.regions.get(rec.region);
    const eni = region?.ec2.networkInterfaces.get(rec.eniId);
    const subnet = eni ? region?.ec2.subnets.get(eni.subnetId) : undefined;
    const ec2 = region?.ec2;
    return {
      eni,
      instance: eni?.attachment ? ec2?.instances.get(eni.attachment.instanceId) : undefined,
      subnet,
      vpc: eni ? ec2?.vpcs.get(eni.vpcId) : undefined,
      groups: (eni?.groupIds ?? []).map((groupId) => ({ groupId, group: ec2?.securityGroups.get(groupId) })),
      acl: region && subnet ? networkAclForSubnet(region, subnet.subnetId) : undefined,
      routeTable: region && subnet ? routeTableForSubnet(region, subnet) : undefined,
      // The same function DescribeRouteTables reports with: a route and the flows through it change together.
      routeState: (route) => {
        const table = region && subnet ? routeTableForSubnet(region, subnet) : undefined;
        return region && table ? routeState(region, table, route) : 'blackhole';
      },
      addressHasGroup: (addr, groupId) => {
        for (const e of ec2?.networkInterfaces.values() ?? []) {
          if (!e.groupIds.includes(groupId)) continue;
          if (e.privateIpAddresses.some((p) => p.privateIpAddress === addr) || e.ipv6Addresses.includes(addr))
            return true;
        }
        return false;
      },
    };
  }

  view(rec: FlowRecord): FlowView {
    const now = this.world.clock.now();
    const ev = rec.last;
    const tcpUdp = rec.facts.protocol === 'tcp' || rec.facts.protocol === 'udp';
    const region = this.world.accounts.get(rec.accountId)?.regions.get(rec.region);
    const eni = region?.ec2.networkInterfaces.get(rec.eniId);
    const cidrs = region && eni ? cidrsOf(region, eni) : { subnetCidrs: [], vpcCidrs: [] };
    return {
      id: rec.id,
      name: rec.name,
      accountId: rec.accountId,
      region: rec.region,
      eni: rec.eniId,
      instanceId: rec.instanceId,
      deviceIndex: rec.deviceIndex,
      protocol: rec.facts.protocol,
      localAddress: rec.localAddress,
      localPort: tcpUdp ? rec.facts.localPort : undefined,
      remoteAddress: rec.facts.remoteAddress,
      remotePort: tcpUdp ? rec.facts.remotePort : undefined,
      icmpType: rec.facts.protocol === 'icmp' || rec.facts.protocol === 'icmpv6' ? rec.facts.icmpType : undefined,
      icmpCode: rec.facts.protocol === 'icmp' || rec.facts.protocol === 'icmpv6' ? rec.facts.icmpCode : undefined,
      initiator: rec.facts.initiator,
      path: rec.facts.path,
      side: sideOfPath(rec.facts.path, rec.facts.remoteAddress, cidrs.subnetCidrs, cidrs.vpcCidrs),
      kind: ev.kind,
      active: rec.active,
      admitted: rec.state.admitted,
      alive: ev.alive,
      cutBy: ev.blocks[0]?.layer,
      rule: ev.blocks[0]?.detail,
      blocks: ev.blocks,
      keptBy: ev.alive ? ev.keptBy : undefined,
      reason: ev.reason,
      conntrack: {
        entry: rec.state.entry,
        timeoutSeconds: ev.timeoutSeconds,
        idleSeconds: Math.max(0, Math.round((now - rec.state.lastActivity) / 1000)),
        dropped: rec.state.entry ? undefined : rec.state.dropped,
        expiresAt:
          rec.state.entry && ev.timeoutSeconds !== undefined && !(rec.active && ev.alive)
            ? new Date(rec.state.lastActivity + ev.timeoutSeconds * 1000).toISOString()
            : undefined,
      },
      openedAt: new Date(rec.openedAt).toISOString(),
      lastActivity: new Date(rec.state.lastActivity).toISOString(),
      cases: ev.cases,
      events: rec.events,
    };
  }
}

function cidrsOf(region: RegionState, eni: NetworkInterface): { subnetCidrs: string[]; vpcCidrs: string[] } {
  const subnet = region.ec2.subnets.get(eni.subnetId);
  const vpc = region.ec2.vpcs.get(eni.vpcId);
  return {
    subnetCidrs: [subnet?.cidrBlock, subnet?.ipv6CidrBlock].filter((c): c is string => !!c),
    vpcCidrs: [vpc?.cidrBlock, vpc?.ipv6CidrBlock].filter((c): c is string => !!c),
  };
}

function resolveEni(
  region: RegionState,
  spec: FlowSpec,
  fail: (field: string, msg: string) => never,
): NetworkInterface {
  if (spec.eni)
    return (
      region.ec2.networkInterfaces.get(spec.eni) ??
      fail('eni', `unknown network interface ${spec.eni} in ${region.name}`)
    );
  const ref = spec.instance!;
  const inst = region.ec2.instances.get(ref) ?? [...region.ec2.instances.values()].find((i) => i.tags.Name === ref);
  if (!inst) return fail('instance', `unknown instance "${ref}" in ${region.name} (an id or a Name tag)`);
  const index = spec.deviceIndex ?? 0;
  for (const id of inst.networkInterfaceIds) {
    const e = region.ec2.networkInterfaces.get(id);
    if (e?.attachment?.instanceId === inst.instanceId && e.attachment.deviceIndex === index) return e;
  }
  return fail(
    spec.deviceIndex === undefined ? 'instance' : 'deviceIndex',
    `${inst.instanceId} has no network interface at device index ${index}`,
  );
}

const planes = new WeakMap<World, DataPlane>();

/** The world's data plane (created on first use, without the scenario's flows: see attachDataplane). */
export function dataplaneOf(world: World): DataPlane {
  let dp = planes.get(world);
  if (!dp) {
    dp = new DataPlane(world);
    planes.set(world, dp);
  }
  return dp;
}

/**
 * Creates the world's data plane with the scenario's options and flows. Call it once, right after the world is built
 * (the simulator's scenario loader does). Throws FlowSpecError naming the scenario path of a bad flow.
 */
export function attachDataplane(world: World): DataPlane {
  const fresh = !planes.has(world);
  const dp = dataplaneOf(world);
  if (!fresh) return dp;
  if (world.scenarioDataplane !== undefined) dp.setOptions(world.scenarioDataplane, 'dataplane');
  for (const f of world.scenarioFlows) {
    const rec = dp.open(f.spec, { accountId: f.accountId, region: f.region }, f.path);
    if (!rec.state.admitted)
      throw new FlowSpecError(
        `${f.path}: the flow is not admitted at the start (${rec.last.reason}); fix its rules, route or NACL, or the flow`,
      );
  }
  return dp;
}
