// The search space of `verify`: every address, port, ICMP type/code and IP protocol a flow could use, cut into
// cells on which every rule, NACL entry and route answers the same. One representative per cell stands for all of it,
// so checking the representatives checks everything — and each representative is a concrete value a flow can use
// (never 0.0.0.0, port 0 or an address of the ENI itself where the cell has anything else). Pure.

import { familyOf, formatIp, parseCidr, parseIp, type Family } from '../cidr.js';
import type { RuleFacts } from '../facts.js';
import { protocolNumber } from './paths.js';
import { isIcmp, isTcpUdp } from './rules.js';

/** A run of consecutive values [from, to] on which every predicate of the search is constant. */
export interface Cell<T> {
  from: T;
  to: T;
  /** The value that stands for the cell (and goes into examples). */
  rep: T;
}

const MAX: Record<Family, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };
const WIDTH: Record<Family, number> = { 4: 32, 6: 128 };

/**
 * The address cells of a family cut by the CIDRs' boundaries (every predicate is a union / first match / longest
 * match of CIDR tests, so it is constant inside a cell). Cells holding a preferred address come first, with it as
 * their representative; the others in address order, represented by their first address past the boundary that is
 * not one of `avoid` (the ENI's own addresses).
 */
export function addressCells(family: Family, cidrs: string[], preferred: string[], avoid: string[]): string[] {
  const bounds = new Set<bigint>([0n]);
  for (const cidr of cidrs) {
    const c = parseCidr(cidr);
    if (!c || c.family !== family) continue;
    bounds.add(c.base);
    const end = c.base + (1n << BigInt(WIDTH[family] - c.prefix));
    if (end <= MAX[family]) bounds.add(end);
  }
  const sorted = [...bounds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const own = new Set(avoid);
  const pref = preferred.filter((a) => familyOf(a) === family && !own.has(a));
  const first: string[] = [];
  const rest: string[] = [];
  const last: string[] = [];
  const prefValue = pref.map((a) => ({ a, v: parseIp(a)!.value }));
  sorted.forEach((from, i) => {
    const to = i + 1 < sorted.length ? sorted[i + 1]! - 1n : MAX[family];
    const p = prefValue.find((x) => x.v >= from && x.v <= to);
    if (p) first.push(p.a);
    else (from === 0n ? last : rest).push(formatIp(family, pick(family, from, to, own)));
  });
  first.sort((a, b) => pref.indexOf(a) - pref.indexOf(b));
  return [...first, ...rest, ...last];
}

/** A concrete address of the cell: past the network's first addresses where the cell allows, never one to avoid. */
function pick(family: Family, from: bigint, to: bigint, avoid: Set<string>): bigint {
  for (const k of [4n, 1n, 2n, 3n, 0n]) {
    const v = from + k;
    if (v > to) continue;
    if (!avoid.has(formatIp(family, v))) return v;
  }
  return from;
}

/**
 * Port cells over 0-65535 cut by every range of the rules and NACL entries. Representatives: the first `preferred`
 * port inside the cell, else its first port (1 rather than 0). Cells with a preferred port come first, in that order.
 */
export function portCells(ranges: { from?: number; to?: number }[], preferred: number[]): Cell<number>[] {
  const bounds = new Set<number>([0]);
  for (const r of ranges) {
    if (r.from === undefined || r.from < 0) continue;
    bounds.add(Math.min(r.from, 65535));
    const to = r.to ?? r.from;
    if (to >= r.from && to + 1 <= 65535) bounds.add(to + 1);
  }
  const sorted = [...bounds].sort((a, b) => a - b);
  const cells = sorted.map((from, i) => {
    const to = i + 1 < sorted.length ? sorted[i + 1]! - 1 : 65535;
    const p = preferred.find((x) => x >= from && x <= to);
    return {
      from,
      to,
      rep: p ?? (from === 0 && to >= 1 ? 1 : from),
      rank: p === undefined ? Infinity : preferred.indexOf(p),
    };
  });
  return cells.sort((a, b) => a.rank - b.rank).map(({ from, to, rep }) => ({ from, to, rep }));
}

/** Service ports an example prefers (the port the initiator connects to). */
export const SERVICE_PORTS = [443, 22, 80, 53, 3389, 8080, 4444, 1024, 49152];
/** Reply ports an example prefers (the initiator's own source port): the usual ephemeral range first. */
export const REPLY_PORTS = [49152, 50000, 32768, 1024, 65535, 443, 53, 22];

/**
 * ICMP (type, code) pairs that meet every rule of the protocol: echo request (8, 0), and for each rule naming a type
 * that type with the rule's code (0 when it allows every code). A rule matches (t, c) only when it names t (or no
 * type), so the union of the rules is true somewhere exactly when it is true at one of these pairs.
 */
export function icmpPairs(rules: RuleFacts[], proto: string): [number, number][] {
  const out: [number, number][] = [[8, 0]];
  for (const r of rules) {
    if (protocolNumber(r.protocol) !== proto) continue;
    const t = r.fromPort ?? -1;
    if (t < 0) continue;
    const c = (r.toPort ?? -1) >= 0 ? r.toPort! : 0;
    if (!out.some(([a, b]) => a === t && b === c)) out.push([t, c]);
  }
  return out;
}

/** Protocols an example prefers when nothing names one: GRE, ESP, AH, IP-in-IP, SCTP. */
const OTHER_PREFERRED = ['47', '50', '51', '4', '132', '41', '253'];

/**
 * Protocol numbers standing for every protocol but TCP, UDP, ICMP and ICMPv6: each number a rule or NACL entry names,
 * and one that none names (rules match a protocol by equality, so one unnamed number stands for all the others).
 */
export function otherProtocols(named: string[]): string[] {
  const mentioned = [...new Set(named.filter((p) => /^\d+$/.test(p) && !isTcpUdp(p) && !isIcmp(p)))];
  const unnamed = [...OTHER_PREFERRED, ...Array.from({ length: 256 }, (_, i) => String(i))].find(
    (p) => !mentioned.includes(p) && !isTcpUdp(p) && !isIcmp(p),
  )!;
  const out = [...OTHER_PREFERRED.filter((p) => mentioned.includes(p) || p === unnamed), ...mentioned, unnamed];
  return [...new Set(out)];
}

/** "53", "53, 3389", "0-1023, 8080" (at most `max` runs, then "…"). */
export function describeRuns(cells: Cell<number>[], max = 3): string {
  const sorted = [...cells].sort((a, b) => a.from - b.from);
  const runs: { from: number; to: number }[] = [];
  for (const c of sorted) {
    const last = runs[runs.length - 1];
    if (last && last.to + 1 === c.from) last.to = c.to;
    else runs.push({ from: c.from, to: c.to });
  }
  const text = runs.slice(0, max).map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`));
  return `${text.join(', ')}${runs.length > max ? ', …' : ''}`;
}

/** Whether the cells cover every port of [from, to]. */
export function coversRange(cells: Cell<number>[], from: number, to: number): boolean {
  const sorted = [...cells].sort((a, b) => a.from - b.from);
  let next = from;
  for (const c of sorted) {
    if (c.to < next) continue;
    if (c.from > next) return false;
    next = c.to + 1;
    if (next > to) return true;
  }
  return next > to;
}
