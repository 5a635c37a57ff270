// The layers the data plane judges a flow by (model.ts puts them together): security-group rules (§1.1, §1.2), the
// NACL (§3.2), the route table (§3.3) and the public address (§3.4). Pure. Protocols are matched by number: a rule or
// entry for 47 matches GRE, one for 50 ESP; ports only for TCP and UDP; ICMP by type and code.

import { cidrContains, parseCidr, isAnyCidr } from '../../core/cidr.js';
import { PATHS, article, targetKindOf, type Direction } from '../../core/verify/paths.js';
import type { NetworkAcl, Route, RouteTable, SgRule } from '../state/types.js';
import type { Block, FlowFacts, NetContext } from './model.js';

const PROTO_NUMBER: Record<string, string> = { tcp: '6', udp: '17', icmp: '1', icmpv6: '58' };
const PROTO_NAME: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

export function protocolName(p: string): string {
  return PROTO_NAME[p] ?? p;
}
function protocolNumber(p: string): string {
  return PROTO_NUMBER[p] ?? p;
}
export const isTcpUdp = (p: string): boolean => p === 'tcp' || p === 'udp';
export const isIcmp = (p: string): boolean => p === 'icmp' || p === 'icmpv6';

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

/**
 * Whether the rule covers the flow's port in this direction: the TCP/UDP destination port; the ICMP type (fromPort)
 * and code (toPort, -1 = every code). Rules for other protocols have no ports: they cover all of it.
 */
function ruleCoversPort(r: SgRule, f: FlowFacts, port: number): boolean {
  if (r.ipProtocol === '-1') return true;
  const from = r.fromPort ?? -1,
    to = r.toPort ?? -1;
  if (isTcpUdp(f.protocol)) return from === -1 || (port >= from && port <= to);
  if (isIcmp(f.protocol)) return from === -1 || (from === f.icmpType && (to === -1 || to === f.icmpCode));
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
export function dstPort(f: FlowFacts, packetDirection: Direction): number {
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
    if (e.protocol !== '-1' && protocolNumber(e.protocol) !== proto) continue;
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

export function naclBlock(f: FlowFacts, ctx: NetContext): Block | undefined {
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

export function routeBlock(f: FlowFacts, ctx: NetContext): Block | undefined {
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
  if (ctx.routeState(r) !== 'active')
    return { layer: 'route', detail: `${rtb} route ${routeDestination(r)} → ${target} is a blackhole` };
  return undefined;
}

export function addressBlock(f: FlowFacts, ctx: NetContext): Block | undefined {
  if (!PATHS[f.path].needsPublicIpv4 || f.family !== 4) return undefined;
  const hasPublic = ctx.eni?.privateIpAddresses.some((p) => !!p.association?.publicIp);
  return hasPublic
    ? undefined
    : {
        layer: 'address',
        detail: `${ctx.eni?.networkInterfaceId} has no public IPv4 address: the internet gateway cannot carry IPv4 for it`,
      };
}
