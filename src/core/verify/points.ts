// The traffic of a class that gets past the layers outside the ENI — the route, the public address, the NACL in both
// directions — searched over the whole space a sender controls: every address cell of the side, every protocol of
// the kind, every port it may connect to and every port it may reply to (both ends choose: a compromised host picks
// its own source port, and so does the far side). The security groups are judged afterwards (judge.ts). Pure.

import { familyOf, type Family } from '../cidr.js';
import { memo, type EniContext } from './context.js';
import {
  article,
  PATHS,
  pathAddressProblem,
  pathCarries,
  sideOfPath,
  type Direction,
  type FlowKind,
  type PathName,
  type Side,
} from './paths.js';
import { cidrContains, isTcpUdp, lookupRoute, naclEvaluate, type NaclHit, type Proto } from './rules.js';
import { coversRange, describeRuns, type Cell } from './space.js';

/** One concrete flow that the route and the NACL let through (both directions). */
export interface Point {
  path: PathName;
  family: Family;
  addr: string;
  /** Protocol number ('6', '17', '1', '58', '47' …). */
  proto: Proto;
  /** TCP/UDP: the port connected to; ICMP: the type; other protocols: -1. */
  svc: number;
  /** ICMP: the code; else -1. */
  code: number;
  /** TCP/UDP: the port replies go to (the initiator's source port); else -1. */
  reply: number;
  /** TCP/UDP across a NACL that passes replies to some ports only: which, and through which NACL. */
  narrow?: string;
}

export interface Reach {
  points: Point[];
  /** Addresses of the side the paths could reach at all. */
  candidates: number;
  naclFails: Set<string>;
  routeFails: Set<string>;
  /** Paths whose target no route of the table gives for any candidate address. */
  noRoute: Set<PathName>;
}

/** The ephemeral range ordinary clients use: replies that reach all of it are not a narrow opening. */
const EPHEMERAL = [1024, 65535] as const;

export function noRouteText(ctx: EniContext, paths: Iterable<PathName>): string {
  return `${ctx.routes?.tableId} has no route to ${[...paths].map((p) => article(PATHS[p].label)).join(' or ')}`;
}

/** The protocols of a kind on a path and family, by number. */
export function protocolsOf(ctx: EniContext, kind: FlowKind, path: PathName, family: Family): Proto[] {
  const protos =
    kind === 'icmp' ? [family === 4 ? '1' : '58'] : kind === 'other' ? ctx.others : (['6', '17'] as Proto[]);
  return protos.filter((p) => pathCarries(path, p));
}

/** (port connected to or ICMP type, ICMP code) pairs to try for a protocol. */
function servicesOf(ctx: EniContext, proto: Proto, family: Family): [number, number][] {
  if (isTcpUdp(proto)) return ctx.servicePorts.map((c) => [c.rep, -1]);
  if (proto === '1' || proto === '58') return ctx.icmp[family];
  return [[-1, -1]];
}

function addrSide(ctx: EniContext, addr: string): 'same-subnet' | 'same-vpc' | 'outside' {
  return memo(ctx, `side|${addr}`, () => {
    const contains = (cs: string[]): boolean => cs.some((c) => familyOf(c) === familyOf(addr) && cidrContains(c, addr));
    if (contains(ctx.subnetCidrs)) return 'same-subnet';
    if (contains(ctx.vpcCidrs)) return 'same-vpc';
    return 'outside';
  });
}

function inSide(ctx: EniContext, side: Side, path: PathName, addr: string): boolean {
  return memo(
    ctx,
    `in|${side}|${path}|${addr}`,
    () =>
      sideOfPath(path, addr, ctx.subnetCidrs, ctx.vpcCidrs) === side &&
      !pathAddressProblem(path, addr, ctx.subnetCidrs, ctx.vpcCidrs),
  );
}

function nacl(ctx: EniContext, egress: boolean, proto: Proto, addr: string, port: number): NaclHit {
  const p = isTcpUdp(proto) ? port : 0;
  return memo(ctx, `nacl|${egress}|${proto}|${addr}|${p}`, () =>
    naclEvaluate(ctx.nacl!.entries, ctx.nacl!.id, egress, proto, addr, p),
  );
}

interface Replies {
  /** Reply-port cells the NACL passes, in preference order ([-1] stands for "no ports" protocols). */
  open: Cell<number>[];
  denied: string[];
  narrow?: string;
}

/** Which reply ports (the initiator's source port) the NACL lets back, for one protocol and remote address. */
function replies(ctx: EniContext, egress: boolean, proto: Proto, addr: string): Replies {
  return memo(ctx, `replies|${egress}|${proto}|${addr}`, () => {
    const cells: Cell<number>[] = isTcpUdp(proto) ? ctx.replyPorts : [{ from: -1, to: -1, rep: -1 }];
    const hits = cells.map((c) => nacl(ctx, egress, proto, addr, c.rep));
    const open = cells.filter((_, i) => hits[i]!.allow);
    const denied = [...new Set(hits.filter((h) => !h.allow).map((h) => h.entry))];
    const narrow =
      isTcpUdp(proto) && open.length && !coversRange(open, EPHEMERAL[0], EPHEMERAL[1])
        ? `only replies to port${open.length === 1 && open[0]!.from === open[0]!.to ? '' : 's'} ${describeRuns(open)} pass ${ctx.nacl!.id} (the initiator must use one as its source port)`
        : undefined;
    return { open, denied, narrow };
  });
}

export function reach(
  ctx: EniContext,
  side: Side,
  direction: Direction,
  kind: FlowKind,
  paths: PathName[],
  only?: Family,
): Reach {
  const out: Reach = { points: [], candidates: 0, naclFails: new Set(), routeFails: new Set(), noRoute: new Set() };
  const crosses = (addr: string): boolean => side !== 'same-subnet' && addrSide(ctx, addr) !== 'same-subnet';
  const unrouted = new Set<PathName>();
  const routed = new Set<PathName>();
  const fwdEgress = direction === 'outbound';
  for (const path of paths) {
    const spec = PATHS[path];
    for (const family of ctx.families.filter((f) => spec.families.includes(f) && (only === undefined || f === only))) {
      const protos = protocolsOf(ctx, kind, path, family);
      for (const addr of ctx.addresses[family]) {
        if (!inSide(ctx, side, path, addr)) continue;
        out.candidates++;
        const across = crosses(addr);
        if (across && spec.route && ctx.routes) {
          const hit = memo(ctx, `rt|${addr}`, () => lookupRoute(ctx.routes!.routes, addr));
          if (!hit.route || !hit.kind || !spec.route.includes(hit.kind)) {
            unrouted.add(path);
            continue;
          }
          routed.add(path);
          if (hit.route.state !== 'active') {
            out.routeFails.add(
              `${ctx.routes.tableId} route ${hit.route.destination} → ${hit.route.target} is a blackhole`,
            );
            continue;
          }
        }
        if (spec.needsPublicIpv4 && family === 4 && ctx.eni.publicIps.length === 0) {
          out.routeFails.add(
            `${ctx.eni.networkInterfaceId} has no public IPv4 address (an internet gateway needs one)`,
          );
          continue;
        }
        for (const proto of protos) {
          const svcs = servicesOf(ctx, proto, family);
          if (!across || !ctx.nacl) {
            const reply = isTcpUdp(proto) ? ctx.replyPorts[0]!.rep : -1;
            for (const [svc, code] of svcs) out.points.push({ path, family, addr, proto, svc, code, reply });
            continue;
          }
          const fwd = svcs.map(([svc]) => nacl(ctx, fwdEgress, proto, addr, svc));
          const ok = svcs.filter((_, i) => fwd[i]!.allow);
          if (ok.length === 0) {
            for (const h of fwd) out.naclFails.add(h.entry);
            continue;
          }
          const back = replies(ctx, !fwdEgress, proto, addr);
          if (back.open.length === 0) {
            for (const e of back.denied) out.naclFails.add(`${e} (replies)`);
            continue;
          }
          const reply = back.open[0]!.rep;
          for (const [svc, code] of ok)
            out.points.push({ path, family, addr, proto, svc, code, reply, narrow: back.narrow });
        }
      }
    }
  }
  const never = [...unrouted].filter((p) => !routed.has(p));
  for (const p of never) out.noRoute.add(p);
  if (never.length && ctx.routes) out.routeFails.add(noRouteText(ctx, never));
  return out;
}
