// The data-plane model: is a flow alive, and why. Pure — it reads a NetContext (the flow's ENI, its groups, its
// subnet's NACL and route table, built from the world by flows.ts) and the flow's conntrack state, and returns the
// new state and an explanation. No clock, no world mutation.
//
// Every rule below cites ../../../../shared/reference/aws-api-semantics.md (§). The table is also printed in
// docs/simulator.md ("Data plane (flows)").

import { cidrContains } from '../../core/cidr.js';
import { PATHS, OTHER_TIMEOUTS, type Direction, type FlowKind, type PathName } from '../../core/verify/paths.js';
import { CONNTRACK_DEFAULTS } from '../../core/facts.js';
import type {
  Instance,
  NetworkAcl,
  NetworkInterface,
  RouteTable,
  SecurityGroup,
  Subnet,
  Vpc,
  Route,
} from '../state/types.js';
import {
  addressBlock,
  admittingRule,
  dstPort,
  isIcmp,
  isTcpUdp,
  naclBlock,
  protocolName,
  routeBlock,
  untrackingRules,
} from './layers.js';

export { admittingRule, lookupRoute, naclDecision, protocolName, untrackingRules } from './layers.js';

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
    rule: "The subnet's route table must send the remote address (longest prefix match, active route) to the path's target: igw-, nat-, eigw-, tgw-, pcx-, vgw-, vpce-, an ENI or instance, or local for the VPC. A route is active while its target is: the internet gateway attached, the NAT gateway there, the ENI attached to a running instance (the same state DescribeRouteTables shows, at the same moment).",
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
    rule: 'ICMP (kind icmp), every other IP protocol but TCP and UDP (kind other: GRE, ESP, AH …), and TCP/UDP flows through automatically tracked paths (NAT gateway, NLB, GWLB, Network Firewall, Global Accelerator, PrivateLink, egress-only IGW, transit gateway; kind auto-tracked) are always tracked.',
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
  /** ICMP code of the initiating message. */
  icmpCode: number;
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
  /** The route's state now: blackhole while its target (IGW, NAT gateway, ENI, instance) cannot carry traffic. */
  routeState(route: Route): 'active' | 'blackhole';
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
  /** The kind now (tracked / untracked / icmp / other / auto-tracked). */
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
  if (isIcmp(f.protocol)) return OTHER_TIMEOUTS.icmp;
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
  const fixedKind: FlowKind | undefined = isIcmp(f.protocol)
    ? 'icmp'
    : !isTcpUdp(f.protocol)
      ? 'other'
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
