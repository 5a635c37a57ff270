// Evaluating the configuration AWS describes (src/core/facts.ts): security-group rules, NACL entries, routes.
// Pure. Written independently of the simulator's model (src/sim/dataplane/model.ts) on purpose: the agreement tests
// compare the two. Sections cite ../../../../shared/reference/aws-api-semantics.md.

import { familyOf, isAnyCidr, parseCidr, parseIp, type Cidr, type Family } from '../cidr.js';
import type { NaclEntryFacts, RouteFacts, RuleFacts } from '../facts.js';
import { protocolName, protocolNumber, targetKindOf, type TargetKind } from './paths.js';

/**
 * An IP protocol by its number, as a string: '6' TCP, '17' UDP, '1' ICMP, '58' ICMPv6, '47' GRE, '50' ESP … Rules and
 * NACL entries are matched on it, whatever name or number they were written with.
 */
export type Proto = string;

// Parsed CIDRs and addresses, memoised: the search tests the same few hundred of them many times over.
const cidrs = new Map<string, Cidr | null>();
const ips = new Map<string, { family: Family; value: bigint } | null>();

function parsedCidr(c: string): Cidr | null {
  let v = cidrs.get(c);
  if (v === undefined) {
    v = parseCidr(c) ?? null;
    if (cidrs.size > 10_000) cidrs.clear();
    cidrs.set(c, v);
  }
  return v;
}

/** cidrContains, with both sides parsed once. */
export function cidrContains(cidr: string, addr: string): boolean {
  const c = parsedCidr(cidr);
  let a = ips.get(addr);
  if (a === undefined) {
    a = parseIp(addr) ?? null;
    if (ips.size > 10_000) ips.clear();
    ips.set(addr, a);
  }
  if (!c || !a || c.family !== a.family) return false;
  const width = BigInt(c.family === 4 ? 32 : 128);
  return a.value >> (width - BigInt(c.prefix)) === c.base >> (width - BigInt(c.prefix));
}

/** 'tcp' | 'udp' | 'icmp' | 'icmpv6', else the number ('47'). */
export const protoName = protocolName;
/** TCP or UDP (by name or number): the protocols with ports. */
export const isTcpUdp = (p: string): boolean => {
  const n = protocolNumber(p);
  return n === '6' || n === '17';
};
/** ICMP or ICMPv6 (by name or number): the protocols with a type and a code. */
export const isIcmp = (p: string): boolean => {
  const n = protocolNumber(p);
  return n === '1' || n === '58';
};

/** A rule of one of the ENI's groups (`groupId`, inherited from RuleFacts, is the group it references). */
export interface SgRule extends RuleFacts {
  /** The group the rule belongs to. */
  owner: string;
  egress: boolean;
  /** A group that could not be described: treated as allowing everything (tracked). */
  unknown?: boolean;
}

/** Context for rules that name no CIDR: group references and prefix lists. */
export interface RuleScope {
  vpcCidrs: string[];
}

export function coversProtocol(r: RuleFacts, p: Proto): boolean {
  return r.protocol === '-1' || protocolNumber(r.protocol) === p;
}

/** All ports (0-65535) for TCP/UDP, or all protocols (§1.2's "any port"). */
export function allPorts(r: RuleFacts): boolean {
  if (r.protocol === '-1') return true;
  const from = r.fromPort ?? -1,
    to = r.toPort ?? -1;
  return from === -1 || (from <= 0 && to >= 65535);
}

/**
 * Whether the rule covers the TCP/UDP destination port `port`, or the ICMP type `port` and code `code`. A rule for any
 * other protocol covers all of its traffic (AWS ignores ports there).
 */
export function coversPort(r: RuleFacts, p: Proto, port: number, code = 0): boolean {
  if (r.protocol === '-1') return true;
  const from = r.fromPort ?? -1,
    to = r.toPort ?? -1;
  if (isTcpUdp(p)) return from === -1 || (port >= from && port <= to);
  if (isIcmp(p)) return from === -1 || (from === port && (to === -1 || to === code));
  return true;
}

/**
 * Whether the rule may match the remote address. Group references and prefix lists cannot be resolved from the
 * facts: a group reference is taken to match any address of the VPC, a prefix list any address (cautious: more
 * traffic allowed, never less). Neither ever counts as "all traffic" for §1.2.
 */
export function mayMatchRemote(r: SgRule, addr: string, scope: RuleScope): boolean {
  if (r.unknown) return true;
  if (r.cidr) return cidrContains(r.cidr, addr);
  if (r.groupId) return scope.vpcCidrs.some((c) => cidrContains(c, addr));
  return r.prefixListId !== undefined;
}

export function isAnyOfFamily(r: RuleFacts, family: Family): boolean {
  return !!r.cidr && isAnyCidr(r.cidr) && familyOf(r.cidr) === family;
}

export function describeSgRule(r: SgRule): string {
  if (r.unknown) return `${r.owner} (not described: assumed to allow everything)`;
  const proto = r.protocol === '-1' ? 'all' : protoName(r.protocol);
  let ports = '';
  if (isIcmp(r.protocol) && (r.fromPort ?? -1) >= 0)
    ports = ` type ${r.fromPort}${(r.toPort ?? -1) >= 0 ? ` code ${r.toPort}` : ''}`;
  else if (isTcpUdp(r.protocol) && !allPorts(r))
    ports = r.fromPort === r.toPort ? ` ${r.fromPort}` : ` ${r.fromPort}-${r.toPort}`;
  const peer = r.cidr ?? (r.groupId ? `group ${r.groupId}` : `prefix list ${r.prefixListId}`);
  return `${r.owner} ${r.egress ? 'egress' : 'ingress'} ${proto}${ports} ${r.egress ? 'to' : 'from'} ${peer}`;
}

// ---------------------------------------------------------------- NACL (§3.2)

export interface NaclHit {
  allow: boolean;
  entry: string;
}

/**
 * Stateless, lowest rule number first, first match wins; nothing matched = the catch-all deny. An entry matches by
 * protocol number ('-1' all); its port range (the destination port) only for TCP and UDP. ICMP type/code filters are
 * not in the facts: an ICMP entry is taken to match every message.
 */
export function naclEvaluate(
  entries: NaclEntryFacts[],
  naclId: string,
  egress: boolean,
  p: Proto,
  addr: string,
  port: number,
): NaclHit {
  const sorted = entries.filter((e) => e.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const e of sorted) {
    if (!e.cidr || !cidrContains(e.cidr, addr)) continue;
    if (e.protocol !== '-1' && protocolNumber(e.protocol) !== p) continue;
    if (isTcpUdp(p) && e.protocol !== '-1' && e.portRange && (port < e.portRange.from || port > e.portRange.to))
      continue;
    const rn = e.ruleNumber >= 32767 ? '*' : String(e.ruleNumber);
    return {
      allow: e.action === 'allow',
      entry: `${naclId} ${egress ? 'egress' : 'ingress'} rule ${rn} ${e.action} ${e.protocol === '-1' ? 'all' : protoName(e.protocol)}${e.portRange && isTcpUdp(e.protocol) ? ` ${e.portRange.from === e.portRange.to ? e.portRange.from : `${e.portRange.from}-${e.portRange.to}`}` : ''} ${e.cidr}`,
    };
  }
  return {
    allow: false,
    entry: `${naclId} ${egress ? 'egress' : 'ingress'} rule * deny all ${familyOf(addr) === 4 ? '0.0.0.0/0' : '::/0'}`,
  };
}

// ---------------------------------------------------------------- routes (§3.3)

export interface RouteHit {
  route?: RouteFacts;
  kind?: TargetKind;
}

/** Longest prefix match (a blackhole route still wins, and drops). Prefix-list destinations are not resolved. */
export function lookupRoute(routes: RouteFacts[], addr: string): RouteHit {
  let best: RouteFacts | undefined;
  let bestPrefix = -1;
  for (const r of routes) {
    const c = parsedCidr(r.destination);
    if (!c || !cidrContains(r.destination, addr)) continue;
    if (c.prefix > bestPrefix) [best, bestPrefix] = [r, c.prefix];
  }
  return best ? { route: best, kind: targetKindOf(best.target) } : {};
}
