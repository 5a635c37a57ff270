// The data-plane model: is a flow alive, and why. Pure — it reads a NetContext (the flow's ENI, its groups, its
// subnet's NACL and route table, built from the world by flows.ts) and the flow's conntrack state, and returns the
// new state and an explanation. No clock, no world mutation.
//
// Every rule below cites ../../../../shared/reference/aws-api-semantics.md (§). The table is also printed in
// docs/simulator.md ("Data plane (flows)").

import { cidrContains, parseCidr, isAnyCidr } from '../../core/cidr.js';
import { PATHS, article, targetKindOf, type Direction, type FlowKind, type PathName } from '../../core/verify/paths.js';
import { OTHER_TIMEOUTS } from '../../core/verify/paths.js';
import { CONNTRACK_DEFAULTS } from '../../core/facts.js';
import type {
  Instance,
  NetworkAcl,
  NetworkInterface,
  RouteTable,
  SecurityGroup,
  SgRule,
  Subnet,
  Vpc,
  Route,
} from '../state/types.js';

export const CASES = [
  {
    id: 'admit.sg',
    cite: '§1.1',
    rule: "A new connection needs a rule of one of the ENI's groups (their union) allowing it in the initiating direction; the reply then rides on the conntrack entry.",
  },
  {
    id: 'admit.nacl',
    cite: '§1.1, §3.2',
    rule: 'A flow crossing the subnet boundary needs the NACL to allow both directions: stateless, lowest rule number first, first match wins, catch-all deny (32767 / 32768).',
  },
  {
    id: 'admit.route',
    cite: '§3.3',
    rule: "The subnet's route table must send the remote address (longest prefix match, active route) to the path's target: igw-, nat-, eigw-, tgw-, pcx-, vgw-, vpce-, or local for the VPC.",
  },
  { id: 'admit.address', cite: '§3.4', rule: 'Over an internet gateway, IPv4 needs a public IPv4 address on the ENI.' },
  {
    id: 'track.untracked',
    cite: '§1.2',
    rule: 'A TCP/UDP flow is untracked only when a rule allows it from/to 0.0.0.0/0 (::/0 for IPv6) in its initiating direction and a rule in the other direction allows all ports to/from 0.0.0.0/0 (::/0). Per address family; union of the groups.',
  },
  {
    id: 'track.always',
    cite: '§1.2, §1.4',
    rule: 'ICMP, other protocols, and flows through automatically tracked paths (NAT gateway, NLB, GWLB, Network Firewall, Global Accelerator, PrivateLink, egress-only IGW, transit gateway) are always tracked.',
  },
  {
    id: 'change.untracked',
    cite: '§1.3',
    rule: 'An untracked flow is judged on every packet by the current rules: it dies at once when they no longer allow it.',
  },
  {
    id: 'change.tracked',
    cite: '§1.3, §1.5',
    rule: 'A tracked flow keeps passing on its conntrack entry after any group or rule change, until it is idle longer than its timeout (ENI ConnectionTrackingSpecification: TCP 432000 s, UDP stream 180 s, UDP 30 s by default; other protocols 600 s; NLB 350 s / 120 s).',
  },
  {
    id: 'change.untracking',
    cite: '§1.7 [assumption]',
    rule: 'A tracked flow that becomes untracked under the new rules loses its entry (switch untrackingDropsEntries, default on). With the switch off, the entry survives the all-open step.',
  },
  {
    id: 'expiry',
    cite: '§1.5 [inferred]',
    rule: 'Once the entry has expired, the next packet counts as new: the flow passes only if the current rules admit it (and gets a new entry).',
  },
  {
    id: 'nacl.every-packet',
    cite: '§1.1, §1.6',
    rule: 'NACL and route changes apply to every packet: a deny or a missing route blocks at once, but the conntrack entry is kept (it does not refresh while blocked) — the flow revives when the path opens again within its timeout.',
  },
  { id: 'nacl.same-subnet', cite: '§3.2, seed', rule: 'Flows inside the subnet never cross a NACL or a route table.' },
  {
    id: 'instance.gone',
    cite: 'seed',
    rule: 'Stopping or terminating the instance, or detaching or deleting the ENI, ends its flows for good.',
  },
] as const;

export type CaseId = (typeof CASES)[number]['id'];
export type Layer = 'instance' | 'route' | 'address' | 'nacl' | 'security-group';

/** The flow as the model sees it. */
export interface FlowFacts {
  /** 'tcp' | 'udp' | 'icmp' | 'icmpv6' | a protocol number. */
  protocol: string;
  family: 4 | 6;
  localPort: number;
  remotePort: number;
  icmpType: number;
  remoteAddress: string;
  initiator: Direction;
  path: PathName;
  /** UDP that has seen more than one request-response (UdpStreamTimeout) rather than one (UdpTimeout). */
  udpStream: boolean;
}

/** What the data plane remembers between evaluations. */
export interface ConntrackState {
  admitted: boolean;
  /** A conntrack entry exists for the flow. */
  entry: boolean;
  /** Simulated epoch ms of the flow's last packet exchange that got through. */
  lastActivity: number;
  /** The kind the flow had when it last passed (or at admission). */
  kind: FlowKind;
  /** Permanently over (instance stopped, ENI gone, never admitted). */
  ended?: string;
  /** Why the last conntrack entry went away, until a new one is made. */
  dropped?: 'expired' | 'untracked';
}

export interface NetContext {
  eni: NetworkInterface | undefined;
  instance: Instance | undefined;
  subnet: Subnet | undefined;
  vpc: Vpc | undefined;
  /** The ENI's groups; undefined entries are groups that no longer exist. */
  groups: { groupId: string; group: SecurityGroup | undefined }[];
  acl: NetworkAcl | undefined;
  routeTable: RouteTable | undefined;
  /** Whether the route's target (IGW, NAT gateway, …) is still there and attached. */
  targetAlive(route: Route, targetId: string): boolean;
  /** Whether an ENI in the region carrying `groupId` has address `addr` (group-referencing rules). */
  addressHasGroup(addr: string, groupId: string): boolean;
}

export interface Block {
  layer: Layer;
  detail: string;
}

export interface Evaluation {
  state: ConntrackState;
  alive: boolean;
  /** The kind now (tracked / untracked / icmp / auto-tracked). */
  kind: FlowKind;
  keptBy?: 'conntrack' | 'rules';
  /** Every layer that blocks the flow now, outermost first. */
  blocks: Block[];
  /** One sentence: why it is alive or dead. */
  reason: string;
  cases: CaseId[];
  /** The idle timeout that applies to its conntrack entry (seconds), when tracked. */
  timeoutSeconds?: number;
  /** Set when this evaluation removed the entry. */
  entryDropped?: 'expired' | 'untracked';
}

export interface ModelOptions {
  untrackingDropsEntries: boolean;
}

const PROTO_NUMBER: Record<string, string> = { tcp: '6', udp: '17', icmp: '1', icmpv6: '58' };
const PROTO_NAME: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

export function protocolName(p: string): string {
  return PROTO_NAME[p] ?? p;
}
function protocolNumber(p: string): string {
  return PROTO_NUMBER[p] ?? p;
}
const isTcpUdp = (p: string): boolean => p === 'tcp' || p === 'udp';

// ---------------------------------------------------------------- security groups (§1.1, §1.2)

function ruleCidr(r: SgRule): string | undefined {
  return r.cidrIpv4 ?? r.cidrIpv6;
}

function ruleCoversProtocol(r: SgRule, protocol: string): boolean {
  return r.ipProtocol === '-1' || protocolName(r.ipProtocol) === protocol;
}

function ruleAllPorts(r: SgRule): boolean {
  if (r.ipProtocol === '-1') return true;
  const from = r.fromPort ?? -1,
    to = r.toPort ?? -1;
  return from === -1 || (from <= 0 && to >= 65535);
}

/** Whether the rule covers the flow's port (TCP/UDP destination port; ICMP type) in this direction. */
function ruleCoversPort(r: SgRule, f: FlowFacts, port: number): boolean {
  if (r.ipProtocol === '-1') return true;
  const from = r.fromPort ?? -1,
    to = r.toPort ?? -1;
  if (isTcpUdp(f.protocol)) return from === -1 || (port >= from && port <= to);
  if (f.protocol === 'icmp' || f.protocol === 'icmpv6') return from === -1 || from === f.icmpType;
  return true;
}

function ruleMatchesRemote(r: SgRule, f: FlowFacts, ctx: NetContext): boolean {
  const c = ruleCidr(r);
  if (c) return cidrContains(c, f.remoteAddress);
  if (r.referencedGroupId) return ctx.addressHasGroup(f.remoteAddress, r.referencedGroupId);
  return false; // prefix lists are not simulated
}

function allRules(ctx: NetContext, egress: boolean): { groupId: string; rule: SgRule }[] {
  const out: { groupId: string; rule: SgRule }[] = [];
  for (const g of ctx.groups)
    for (const r of g.group?.rules ?? []) if (r.isEgress === egress) out.push({ groupId: g.groupId, rule: r });
  return out;
}

/** The destination port of the flow's packets in a direction: the local port inbound, the remote port outbound. */
function dstPort(f: FlowFacts, packetDirection: Direction): number {
  return packetDirection === 'inbound' ? f.localPort : f.remotePort;
}

function describeRule(x: { groupId: string; rule: SgRule }): string {
  const r = x.rule;
  const proto = r.ipProtocol === '-1' ? 'all' : protocolName(r.ipProtocol);
  const ports =
    r.ipProtocol === '-1' || ruleAllPorts(r)
      ? ''
      : r.fromPort === r.toPort
        ? ` ${r.fromPort}`
        : ` ${r.fromPort}-${r.toPort}`;
  const peer = ruleCidr(r) ?? (r.referencedGroupId ? `group ${r.referencedGroupId}` : `prefix list ${r.prefixListId}`);
  return `${x.groupId} ${r.isEgress ? 'egress' : 'ingress'} ${proto}${ports} ${r.isEgress ? 'to' : 'from'} ${peer} (${r.securityGroupRuleId})`;
}

/** The rule admitting a new connection in the initiating direction (§1.1), if any. */
export function admittingRule(f: FlowFacts, ctx: NetContext): string | undefined {
  const egress = f.initiator === 'outbound';
  const port = dstPort(f, f.initiator);
  const hit = allRules(ctx, egress).find(
    (x) =>
      ruleCoversProtocol(x.rule, f.protocol) && ruleCoversPort(x.rule, f, port) && ruleMatchesRemote(x.rule, f, ctx),
  );
  return hit ? describeRule(hit) : undefined;
}

/** §1.2: the rules that make the flow untracked, or undefined when it is tracked. */
export function untrackingRules(f: FlowFacts, ctx: NetContext): [string, string] | undefined {
  if (!isTcpUdp(f.protocol) || PATHS[f.path].autoTracked) return undefined;
  const anyOfFamily = (r: SgRule): boolean => {
    const c = ruleCidr(r);
    return !!c && isAnyCidr(c) && (c.includes(':') ? 6 : 4) === f.family;
  };
  const forwardEgress = f.initiator === 'outbound';
  const port = dstPort(f, f.initiator);
  const fwd = allRules(ctx, forwardEgress).find(
    (x) => anyOfFamily(x.rule) && ruleCoversProtocol(x.rule, f.protocol) && ruleCoversPort(x.rule, f, port),
  );
  const rev = allRules(ctx, !forwardEgress).find(
    (x) => anyOfFamily(x.rule) && ruleCoversProtocol(x.rule, f.protocol) && ruleAllPorts(x.rule),
  );
  return fwd && rev ? [describeRule(fwd), describeRule(rev)] : undefined;
}

// ---------------------------------------------------------------- NACL (§3.2)

function naclPortMatches(e: NetworkAcl['entries'][number], port: number): boolean {
  if (!e.portRange) return true;
  return port >= e.portRange.from && port <= e.portRange.to;
}

/** First matching entry, lowest rule number first; no match = the catch-all deny. */
export function naclDecision(
  acl: NetworkAcl,
  egress: boolean,
  f: FlowFacts,
  port: number,
): { allow: boolean; rule: string } {
  const proto = protocolNumber(f.protocol);
  const entries = acl.entries.filter((e) => e.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const e of entries) {
    const cidr = e.cidrBlock ?? e.ipv6CidrBlock;
    if (!cidr || !cidrContains(cidr, f.remoteAddress)) continue;
    if (e.protocol !== '-1' && e.protocol !== proto) continue;
    if ((proto === '6' || proto === '17') && e.protocol !== '-1' && !naclPortMatches(e, port)) continue;
    return {
      allow: e.ruleAction === 'allow',
      rule: `${acl.networkAclId} ${egress ? 'egress' : 'ingress'} rule ${e.ruleNumber} ${e.ruleAction} ${e.protocol === '-1' ? 'all' : protocolName(e.protocol)} ${cidr}`,
    };
  }
  return {
    allow: false,
    rule: `${acl.networkAclId} ${egress ? 'egress' : 'ingress'} rule * (${f.family === 4 ? 32767 : 32768}) deny all`,
  };
}

function naclBlock(f: FlowFacts, ctx: NetContext): Block | undefined {
  if (!ctx.acl) return undefined;
  // Forward packet in the initiating direction, reply in the other; each checked against its direction's entries.
  const fwdEgress = f.initiator === 'outbound';
  const fwd = naclDecision(ctx.acl, fwdEgress, f, dstPort(f, f.initiator));
  if (!fwd.allow) return { layer: 'nacl', detail: fwd.rule };
  const rev = naclDecision(ctx.acl, !fwdEgress, f, dstPort(f, f.initiator === 'inbound' ? 'outbound' : 'inbound'));
  if (!rev.allow) return { layer: 'nacl', detail: `${rev.rule} (the reply direction)` };
  return undefined;
}

// ---------------------------------------------------------------- routes (§3.3)

function routeDestination(r: Route): string | undefined {
  return r.destinationCidrBlock ?? r.destinationIpv6CidrBlock;
}

function routeTarget(r: Route): string {
  return (
    r.gatewayId ??
    r.natGatewayId ??
    r.transitGatewayId ??
    r.vpcPeeringConnectionId ??
    r.egressOnlyInternetGatewayId ??
    r.networkInterfaceId ??
    r.instanceId ??
    'unknown'
  );
}

/** Longest-prefix match among the table's routes (a blackhole route still wins, and drops). */
export function lookupRoute(rtb: RouteTable, addr: string): Route | undefined {
  let best: Route | undefined;
  let bestPrefix = -1;
  for (const r of rtb.routes) {
    const d = routeDestination(r);
    if (!d || !cidrContains(d, addr)) continue;
    const p = parseCidr(d)!.prefix;
    if (p > bestPrefix) [best, bestPrefix] = [r, p];
  }
  return best;
}

function routeBlock(f: FlowFacts, ctx: NetContext): Block | undefined {
  const need = PATHS[f.path].route;
  if (!need) return undefined;
  if (!ctx.routeTable) return { layer: 'route', detail: 'the subnet has no route table' };
  const r = lookupRoute(ctx.routeTable, f.remoteAddress);
  const rtb = ctx.routeTable.routeTableId;
  if (!r) return { layer: 'route', detail: `${rtb} has no route for ${f.remoteAddress}` };
  const target = routeTarget(r);
  if (!need.includes(targetKindOf(target))) {
    return {
      layer: 'route',
      detail: `${rtb} sends ${f.remoteAddress} to ${target} (${routeDestination(r)}), not to ${article(PATHS[f.path].label)}`,
    };
  }
  if (r.state !== 'active' || !ctx.targetAlive(r, target))
    return { layer: 'route', detail: `${rtb} route ${routeDestination(r)} → ${target} is a blackhole` };
  return undefined;
}

function addressBlock(f: FlowFacts, ctx: NetContext): Block | undefined {
  if (!PATHS[f.path].needsPublicIpv4 || f.family !== 4) return undefined;
  const hasPublic = ctx.eni?.privateIpAddresses.some((p) => !!p.association?.publicIp);
  return hasPublic
    ? undefined
    : {
        layer: 'address',
        detail: `${ctx.eni?.networkInterfaceId} has no public IPv4 address: the internet gateway cannot carry IPv4 for it`,
      };
}

// ---------------------------------------------------------------- the verdict

/** The idle timeout of the flow's conntrack entry (§1.1, §1.5). */
export function timeoutFor(f: FlowFacts, eni: NetworkInterface | undefined): number {
  const ct = eni?.connectionTracking ?? {};
  if (f.path === 'nlb' && isTcpUdp(f.protocol))
    return f.protocol === 'tcp' ? OTHER_TIMEOUTS.nlbTcp : OTHER_TIMEOUTS.nlbUdp;
  if (f.protocol === 'tcp') return ct.tcpEstablishedTimeout ?? CONNTRACK_DEFAULTS.tcpEstablishedTimeout;
  if (f.protocol === 'udp')
    return f.udpStream
      ? (ct.udpStreamTimeout ?? CONNTRACK_DEFAULTS.udpStreamTimeout)
      : (ct.udpTimeout ?? CONNTRACK_DEFAULTS.udpTimeout);
  if (f.protocol === 'icmp' || f.protocol === 'icmpv6') return OTHER_TIMEOUTS.icmp;
  return OTHER_TIMEOUTS.otherProtocols;
}

function instanceBlock(ctx: NetContext): string | undefined {
  if (!ctx.eni) return 'the network interface no longer exists';
  if (!ctx.eni.attachment || ctx.eni.attachment.status === 'detached' || ctx.eni.attachment.status === 'detaching')
    return `${ctx.eni.networkInterfaceId} is no longer attached to an instance`;
  const st = ctx.instance?.state;
  if (!ctx.instance || st === 'stopping' || st === 'stopped' || st === 'shutting-down' || st === 'terminated')
    return `the instance is ${st ?? 'gone'}`;
  return undefined;
}

/**
 * Evaluates a flow at time `now` (simulated epoch ms). `state` is the state after the previous evaluation, with
 * lastActivity already refreshed by the caller for traffic that passed since then.
 */
export function evaluate(
  f: FlowFacts,
  prev: ConntrackState,
  ctx: NetContext,
  opts: ModelOptions,
  now: number,
): Evaluation {
  const state: ConntrackState = { ...prev };
  const timeout = timeoutFor(f, ctx.eni);
  const alwaysTracked = !isTcpUdp(f.protocol) || PATHS[f.path].autoTracked;
  const fixedKind: FlowKind | undefined = !isTcpUdp(f.protocol)
    ? 'icmp'
    : PATHS[f.path].autoTracked
      ? 'auto-tracked'
      : undefined;
  const cases: CaseId[] = [];
  const dead = (blocks: Block[], reason: string): Evaluation => ({
    state,
    alive: false,
    kind: state.kind,
    blocks,
    reason,
    cases,
    timeoutSeconds: state.entry ? timeout : undefined,
  });

  if (state.ended) return dead([{ layer: 'instance', detail: state.ended }], state.ended);
  const gone = instanceBlock(ctx);
  if (gone) {
    state.ended = gone;
    state.entry = false;
    cases.push('instance.gone');
    return dead([{ layer: 'instance', detail: gone }], `ended: ${gone}`);
  }

  let entryDropped: Evaluation['entryDropped'];
  if (state.entry && now - state.lastActivity > timeout * 1000) {
    state.entry = false;
    entryDropped = state.dropped = 'expired';
    cases.push('expiry');
  }
  const untracking = alwaysTracked ? undefined : untrackingRules(f, ctx);
  if (state.entry && untracking && opts.untrackingDropsEntries) {
    state.entry = false;
    entryDropped = state.dropped = 'untracked';
    state.kind = 'untracked';
    cases.push('change.untracking');
  }

  // Layers outside the ENI: route / address / NACL (none of them inside the subnet).
  const blocks: Block[] = [];
  const crosses =
    PATHS[f.path].side !== 'same-subnet' &&
    !(
      PATHS[f.path].side === 'by-address' &&
      ctx.subnet &&
      [ctx.subnet.cidrBlock, ctx.subnet.ipv6CidrBlock].some((c) => c && cidrContains(c, f.remoteAddress))
    );
  if (crosses) {
    const rb = routeBlock(f, ctx);
    if (rb) blocks.push(rb);
    const ab = addressBlock(f, ctx);
    if (ab) blocks.push(ab);
    const nb = naclBlock(f, ctx);
    if (nb) blocks.push(nb);
  } else {
    cases.push('nacl.same-subnet');
  }

  // The security groups.
  let keptBy: Evaluation['keptBy'];
  let sgWhy: string;
  let kind: FlowKind;
  const admitting = admittingRule(f, ctx);
  if (state.entry) {
    keptBy = 'conntrack';
    kind = fixedKind ?? 'tracked';
    cases.push('change.tracked');
    sgWhy = `tracked: conntrack entry kept until idle for ${timeout} s${admitting ? ` (new ones also allowed by ${admitting})` : ''}`;
  } else if (untracking) {
    keptBy = 'rules';
    kind = 'untracked';
    cases.push('track.untracked', 'change.untracked');
    sgWhy = `untracked: allowed by ${untracking[0]} and replies by ${untracking[1]}`;
  } else if (admitting) {
    kind = fixedKind ?? 'tracked';
    cases.push('admit.sg');
    if (alwaysTracked) cases.push('track.always');
    sgWhy = `tracked: ${prev.admitted ? 'new entry, ' : ''}admitted by ${admitting}; entry lasts until idle for ${timeout} s`;
  } else {
    kind = state.kind;
    cases.push(state.kind === 'untracked' ? 'change.untracked' : 'admit.sg');
    const dir = f.initiator === 'inbound' ? 'ingress' : 'egress';
    const groups = ctx.groups
      .map((g) => (g.group ? `${g.groupId} (${g.group.groupName})` : `${g.groupId} (deleted)`))
      .join(', ');
    blocks.push({
      layer: 'security-group',
      detail: `no ${dir} rule of ${groups || 'no group'} allows ${protocolName(f.protocol)}${isTcpUdp(f.protocol) ? ` ${dstPort(f, f.initiator)}` : ''} ${f.initiator === 'inbound' ? 'from' : 'to'} ${f.remoteAddress}${state.dropped ? ` and its conntrack entry is gone (${state.dropped})` : ''}`,
    });
    sgWhy = '';
  }

  if (blocks.length) {
    if (blocks.some((b) => b.layer === 'nacl' || b.layer === 'route')) cases.push('nacl.every-packet');
    if (blocks.some((b) => b.layer === 'route')) cases.push('admit.route');
    if (blocks.some((b) => b.layer === 'nacl')) cases.push('admit.nacl');
    if (blocks.some((b) => b.layer === 'address')) cases.push('admit.address');
    if (!prev.admitted) {
      state.ended = `never admitted: ${blocks[0]!.detail}`;
      state.kind = fixedKind ?? (untracking ? 'untracked' : 'tracked');
      return { ...dead(blocks, `not admitted: ${blocks.map((b) => b.detail).join('; ')}`), kind: state.kind };
    }
    const held = state.entry
      ? ` (conntrack entry kept; it revives if the path opens within ${timeout} s of its last packet)`
      : '';
    return {
      ...dead(blocks, `blocked by ${blocks[0]!.layer}: ${blocks[0]!.detail}${held}`),
      kind: state.entry ? kind : state.kind,
      entryDropped,
    };
  }

  // Alive: it passes every layer.
  state.admitted = true;
  state.kind = kind;
  if (kind !== 'untracked' && !state.entry) {
    state.entry = true;
    state.dropped = undefined;
  }
  if (kind === 'untracked') state.entry = false;
  return {
    state,
    alive: true,
    kind,
    keptBy: keptBy ?? 'conntrack',
    blocks: [],
    reason: sgWhy,
    cases,
    timeoutSeconds: kind === 'untracked' ? undefined : timeout,
    entryDropped,
  };
}
