// Evaluating the configuration AWS describes (src/core/facts.ts): security-group rules, NACL entries, routes.
// Pure. Written independently of the simulator's model (src/sim/dataplane/model.ts) on purpose: the agreement tests
// compare the two. Sections cite ../../../../shared/reference/aws-api-semantics.md.

import { familyOf, formatIp, isAnyCidr, parseCidr, parseIp, type Cidr, type Family } from '../cidr.js';
import type { NaclEntryFacts, RouteFacts, RuleFacts } from '../facts.js';
import { targetKindOf, type TargetKind } from './paths.js';

export type Proto = 'tcp' | 'udp' | 'icmp' | 'icmpv6';

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

const NAMES: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };
const NUMBERS: Record<string, string> = { tcp: '6', udp: '17', icmp: '1', icmpv6: '58' };

export const protoName = (p: string): string => NAMES[p] ?? p;
export const isTcpUdp = (p: string): boolean => p === 'tcp' || p === 'udp';

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
  return r.protocol === '-1' || protoName(r.protocol) === p;
}

/** All ports (0-65535) for TCP/UDP, or all protocols (§1.2's "any port"). */
export function allPorts(r: RuleFacts): boolean {
  if (r.protocol === '-1') return true;
  const from = r.fromPort ?? -1,
    to = r.toPort ?? -1;
  return from === -1 || (from <= 0 && to >= 65535);
}

/** Port (TCP/UDP destination port) or ICMP type coverage. */
export function coversPort(r: RuleFacts, p: Proto, port: number): boolean {
  if (r.protocol === '-1') return true;
  const from = r.fromPort ?? -1,
    to = r.toPort ?? -1;
  if (from === -1) return true;
  if (isTcpUdp(p)) return port >= from && port <= to;
  return from === port;
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
  const ports =
    r.protocol === '-1' || allPorts(r) ? '' : r.fromPort === r.toPort ? ` ${r.fromPort}` : ` ${r.fromPort}-${r.toPort}`;
  const peer = r.cidr ?? (r.groupId ? `group ${r.groupId}` : `prefix list ${r.prefixListId}`);
  return `${r.owner} ${r.egress ? 'egress' : 'ingress'} ${proto}${ports} ${r.egress ? 'to' : 'from'} ${peer}`;
}

// ---------------------------------------------------------------- NACL (§3.2)

export interface NaclHit {
  allow: boolean;
  entry: string;
}

/** Stateless, lowest rule number first, first match wins; nothing matched = the catch-all deny. */
export function naclEvaluate(
  entries: NaclEntryFacts[],
  naclId: string,
  egress: boolean,
  p: Proto,
  addr: string,
  port: number,
): NaclHit {
  const proto = NUMBERS[p]!;
  const sorted = entries.filter((e) => e.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const e of sorted) {
    if (!e.cidr || !cidrContains(e.cidr, addr)) continue;
    if (e.protocol !== '-1' && e.protocol !== proto && protoName(e.protocol) !== p) continue;
    if (isTcpUdp(p) && e.protocol !== '-1' && e.portRange && (port < e.portRange.from || port > e.portRange.to))
      continue;
    const rn = e.ruleNumber >= 32767 ? '*' : String(e.ruleNumber);
    return {
      allow: e.action === 'allow',
      entry: `${naclId} ${egress ? 'egress' : 'ingress'} rule ${rn} ${e.action} ${e.protocol === '-1' ? 'all' : protoName(e.protocol)} ${e.cidr}`,
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

// ---------------------------------------------------------------- candidates

/**
 * Addresses that together meet every region the CIDRs carve out: each CIDR's first address, one past its last, and
 * its second address (a nicer example). Every predicate here is a union / first match / longest match of CIDR tests,
 * so it is constant between consecutive boundaries: checking the boundaries checks every address.
 */
export function candidateAddresses(family: Family, cidrs: string[], preferred: string[]): string[] {
  const out = new Set<string>(preferred.filter((a) => familyOf(a) === family));
  const max = family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
  const width = family === 4 ? 32 : 128;
  for (const cidr of cidrs) {
    const c = parseCidr(cidr);
    if (!c || c.family !== family) continue;
    const size = 1n << BigInt(width - c.prefix);
    if (c.prefix > 0 && c.prefix < width - 1) out.add(formatIp(family, c.base + 1n));
    out.add(formatIp(family, c.base));
    if (c.base + size <= max) out.add(formatIp(family, c.base + size));
  }
  out.add(family === 4 ? '0.0.0.0' : '::');
  return [...out];
}

/** TCP/UDP ports at every boundary of the given ranges (same argument as for addresses). */
export function candidatePorts(ranges: { from?: number; to?: number }[], extra: number[]): number[] {
  const out = new Set<number>(extra);
  for (const r of ranges) {
    if (r.from === undefined || r.from < 0) continue;
    out.add(r.from);
    const to = r.to ?? r.from;
    if (to + 1 <= 65535) out.add(to + 1);
  }
  return [...out].filter((p) => p >= 0 && p <= 65535);
}
