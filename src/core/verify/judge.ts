// The verdict of a class (side × direction × kind), per path and address family and overall: the points that get
// past the route and the NACL (points.ts) judged by the security groups and conntrack. Pure.
//   open         some point is admitted as a new connection of the kind;
//   may-survive  none is, but an existing connection holding a conntrack entry passes at some point;
//   cut          no point passes (the reason names the layer).

import type { Family } from '../cidr.js';
import { memo, timeouts, type EniContext } from './context.js';
import {
  OTHER_TIMEOUTS,
  PATHS,
  PATH_NAMES,
  protocolName,
  type Direction,
  type FlowKind,
  type PathName,
  type Side,
} from './paths.js';
import { noRouteText, reach, type Point } from './points.js';
import {
  allPorts,
  coversPort,
  coversProtocol,
  describeSgRule,
  isAnyOfFamily,
  isTcpUdp,
  mayMatchRemote,
  type SgRule,
} from './rules.js';
import type { ClassVerdict, FlowExample } from './types.js';

export interface JudgeOptions {
  drops: boolean;
  swapped: boolean;
}

const SIDE_TEXT: Record<Side, string> = {
  internet: 'the internet',
  'other-networks': 'other networks (TGW, peering, VPN)',
  'same-vpc': 'the rest of the VPC',
  'same-subnet': 'the same subnet',
};

const RANK = { cut: 0, 'may-survive': 1, open: 2 } as const;

/** The paths a class covers: the side and direction, and the protocols the kind needs. */
export function pathsFor(side: Side, direction: Direction, kind: FlowKind): PathName[] {
  return PATH_NAMES.filter((name) => {
    const p = PATHS[name];
    if (!p.initiators.includes(direction)) return false;
    if (p.side !== side && p.side !== 'by-address') return false;
    if (kind === 'icmp') return p.protocols !== 'tcp-udp';
    if (kind === 'other') return p.protocols === 'any';
    return kind === 'auto-tracked' ? p.autoTracked : !p.autoTracked;
  });
}

const rulesIn = (ctx: EniContext, egress: boolean): SgRule[] => ctx.rules.filter((r) => r.egress === egress);

function admits(ctx: EniContext, d: Direction, pt: Point): SgRule | undefined {
  return memo(ctx, `adm|${d}|${pt.proto}|${pt.svc}|${pt.code}|${pt.addr}`, () =>
    rulesIn(ctx, d === 'outbound').find(
      (r) =>
        coversProtocol(r, pt.proto) &&
        coversPort(r, pt.proto, pt.svc, pt.code) &&
        mayMatchRemote(r, pt.addr, ctx.scope),
    ),
  );
}

/** §1.2: the rule pair making the point untracked, if any (TCP/UDP off the always-tracked paths only). */
function untracks(ctx: EniContext, d: Direction, pt: Point): [SgRule, SgRule] | undefined {
  if (!isTcpUdp(pt.proto) || PATHS[pt.path].autoTracked) return undefined;
  return memo(ctx, `unt|${d}|${pt.proto}|${pt.svc}|${pt.family}`, () => {
    const fwd = rulesIn(ctx, d === 'outbound').find(
      (r) => isAnyOfFamily(r, pt.family) && coversProtocol(r, pt.proto) && coversPort(r, pt.proto, pt.svc),
    );
    const rev =
      fwd &&
      rulesIn(ctx, d !== 'outbound').find(
        (r) => isAnyOfFamily(r, pt.family) && coversProtocol(r, pt.proto) && allPorts(r),
      );
    return fwd && rev ? ([fwd, rev] as [SgRule, SgRule]) : undefined;
  });
}

/** Everything a flow needs to be opened as it stands (docs/verify.md, "Examples"). */
export function exampleOf(pt: Point, direction: Direction): FlowExample {
  const protocol = protocolName(pt.proto);
  const ex: FlowExample = { protocol, path: pt.path, remote: pt.addr };
  if (isTcpUdp(pt.proto)) {
    ex.port = pt.svc;
    ex.localPort = direction === 'inbound' ? pt.svc : pt.reply;
    ex.remotePort = direction === 'inbound' ? pt.reply : pt.svc;
  } else if (pt.code >= 0) {
    ex.icmpType = pt.svc;
    ex.icmpCode = pt.code;
  }
  return ex;
}

const withNarrow = (reason: string, pt: Point): string => (pt.narrow ? `${reason}; ${pt.narrow}` : reason);

function timeoutFor(ctx: EniContext, points: Point[], kind: FlowKind): number {
  const t = timeouts(ctx.eni);
  if (kind === 'icmp') return OTHER_TIMEOUTS.icmp;
  if (kind === 'other') return OTHER_TIMEOUTS.otherProtocols;
  const tcp = points.some((p) => p.proto === '6');
  if (kind === 'auto-tracked' && points.every((p) => p.path === 'nlb'))
    return tcp ? OTHER_TIMEOUTS.nlbTcp : OTHER_TIMEOUTS.nlbUdp;
  return tcp ? t.tcpEstablishedTimeout : t.udpStreamTimeout;
}

/** What would cut the existing connections of a class that is not cut (short: the CLI prints it per class). */
function remainsCutBy(ctx: EniContext, side: Side, kind: FlowKind): string {
  const nacl = `a NACL deny on ${ctx.subnetId}`;
  const route = side === 'internet' || side === 'other-networks' ? ' or removing the route' : '';
  if (kind === 'tracked') {
    return side === 'same-subnet'
      ? 'the all-open step then the empty group (§1.7) — no NACL or route applies inside the subnet'
      : `the all-open step then the empty group (§1.7), or ${nacl}${route}`;
  }
  return side === 'same-subnet'
    ? 'nothing but the idle timeout or stopping the instance: always tracked, and no NACL or route applies inside the subnet'
    : `only ${nacl}${route} (always tracked: the group swap cannot)`;
}

function first(xs: string[], n: number): string {
  return xs.length <= n ? xs.join('; ') : `${xs.slice(0, n).join('; ')} (+${xs.length - n} more)`;
}

interface Judged {
  v: ClassVerdict;
  naclFails: Set<string>;
  routeFails: Set<string>;
  noRoute: Set<PathName>;
}

/** The verdict for some paths of a class (all families, or `only` one). */
export function judgePaths(
  ctx: EniContext,
  side: Side,
  direction: Direction,
  kind: FlowKind,
  paths: PathName[],
  o: JudgeOptions,
  only?: Family,
): Judged {
  const r = reach(ctx, side, direction, kind, paths, only);
  const v = verdictOf(ctx, side, direction, kind, paths, o, r);
  return { v, naclFails: r.naclFails, routeFails: r.routeFails, noRoute: r.noRoute };
}

function verdictOf(
  ctx: EniContext,
  side: Side,
  direction: Direction,
  kind: FlowKind,
  paths: PathName[],
  o: JudgeOptions,
  r: ReturnType<typeof reach>,
): ClassVerdict {
  const base = { side, direction, kind };
  const { points, naclFails, routeFails } = r;
  if (paths.length === 0 || r.candidates === 0) {
    const why =
      paths.length === 0
        ? `no ${kind === 'other' ? 'other-protocol' : kind} path reaches ${SIDE_TEXT[side]} ${direction}`
        : `the ENI has no address family served by ${paths.map((p) => PATHS[p].label).join(', ')}`;
    return { ...base, verdict: 'cut', layer: 'route', reason: why };
  }
  if (points.length === 0 && routeFails.size && !naclFails.size) {
    return {
      ...base,
      verdict: 'cut',
      layer: [...routeFails].every((x) => x.includes('public IPv4')) ? 'address' : 'route',
      reason: first([...routeFails], 2),
    };
  }
  if (points.length === 0) {
    return {
      ...base,
      verdict: 'cut',
      layer: 'nacl',
      reason: `NACL denies it: ${first([...naclFails], 2)}`,
      remedy: 'note: removing this NACL deny revives tracked connections still within their idle timeout',
    };
  }

  const t = timeoutFor(ctx, points, kind);
  const remains = remainsCutBy(ctx, side, kind);
  const example = (pt: Point): FlowExample => exampleOf(pt, direction);

  if (kind === 'untracked') {
    const pt = points.find((p) => untracks(ctx, direction, p));
    if (pt) {
      const u = untracks(ctx, direction, pt)!;
      return {
        ...base,
        verdict: 'open',
        layer: 'security-group',
        reason: withNarrow(`untracked: ${describeSgRule(u[0])} and ${describeSgRule(u[1])}`, pt),
        example: example(pt),
        remedy: 'the empty group cuts them at once (untracked flows are judged per packet)',
      };
    }
    const narrow = points.find((p) => admits(ctx, direction, p));
    return {
      ...base,
      verdict: 'cut',
      layer: 'security-group',
      reason: narrow
        ? `the rules that allow it (${describeSgRule(admits(ctx, direction, narrow)!)}) are narrower than all traffic both ways: it is tracked, not untracked`
        : 'no rule allows it, and untracked flows are judged per packet: none outlives the rules',
    };
  }

  if (kind === 'tracked') {
    const open = preferCidr(
      ctx,
      direction,
      points.filter((p) => !untracks(ctx, direction, p) && admits(ctx, direction, p)),
    );
    if (open)
      return {
        ...base,
        verdict: 'open',
        layer: 'security-group',
        reason: withNarrow(`admitted by ${describeSgRule(admits(ctx, direction, open)!)}`, open),
        example: example(open),
        idleTimeoutSeconds: t,
        remedy: `the empty group stops new ones; existing ones: ${remains}`,
      };
    const survivor = points.find((p) => !o.drops || !untracks(ctx, direction, p));
    if (survivor && o.swapped)
      return {
        ...base,
        verdict: 'cut',
        layer: 'security-group',
        reason:
          'the all-open step dropped the entries of connections tracked before it (assumption, §1.7) and no rule admits new ones',
      };
    if (survivor)
      return {
        ...base,
        verdict: 'may-survive',
        layer: 'conntrack',
        reason: withNarrow(
          'no rule admits new connections; existing ones live on their conntrack entries until idle',
          survivor,
        ),
        example: example(survivor),
        idleTimeoutSeconds: t,
        remedy: remains,
      };
    const u = untracks(ctx, direction, points[0]!)!;
    return {
      ...base,
      verdict: 'cut',
      layer: 'security-group',
      reason: `the rules make all of it untracked (${describeSgRule(u[0])}; ${describeSgRule(u[1])}): conntrack entries are dropped (assumption, §1.7) — see the untracked class`,
    };
  }

  // icmp, other protocols, auto-tracked: always tracked.
  const open = preferCidr(
    ctx,
    direction,
    points.filter((p) => admits(ctx, direction, p)),
  );
  if (open)
    return {
      ...base,
      verdict: 'open',
      layer: 'security-group',
      reason: withNarrow(`admitted by ${describeSgRule(admits(ctx, direction, open)!)} (always tracked)`, open),
      example: example(open),
      idleTimeoutSeconds: t,
      remedy: `the empty group stops new ones; existing ones: ${remains}`,
    };
  return {
    ...base,
    verdict: 'may-survive',
    layer: 'conntrack',
    reason: withNarrow(
      'no rule admits new connections; existing ones are always tracked and live on until idle',
      points[0]!,
    ),
    example: example(points[0]!),
    idleTimeoutSeconds: t,
    remedy: remains,
  };
}

/**
 * The point to show: one a CIDR rule admits when there is one (a group reference or a prefix list is assumed to
 * match, which a real address may not), else the first.
 */
function preferCidr(ctx: EniContext, d: Direction, points: Point[]): Point | undefined {
  return points.find((p) => !!admits(ctx, d, p)?.cidr) ?? points[0];
}

/** A class's verdict: the most open of its paths' (per address family) verdicts, with theirs. */
export function judgeClass(
  ctx: EniContext,
  side: Side,
  direction: Direction,
  kind: FlowKind,
  o: JudgeOptions,
): ClassVerdict {
  const all = pathsFor(side, direction, kind);
  const entries = all.flatMap((path) =>
    ctx.families
      .filter((f) => PATHS[path].families.includes(f))
      .map((family) => ({ path, family, j: judgePaths(ctx, side, direction, kind, [path], o, family) })),
  );
  const paths = entries.map((e) => ({
    path: e.path,
    family: e.family,
    verdict: e.j.v.verdict,
    reason: e.j.v.reason,
    idleTimeoutSeconds: e.j.v.idleTimeoutSeconds,
    example: e.j.v.example,
  }));
  if (entries.length === 0) return { ...judgePaths(ctx, side, direction, kind, all, o).v, paths };
  const best = Math.max(...entries.map((e) => RANK[e.j.v.verdict]));
  const top = entries.filter((e) => RANK[e.j.v.verdict] === best);
  if (best > 0) {
    const timeout = Math.max(...top.map((e) => e.j.v.idleTimeoutSeconds ?? 0));
    return { ...top[0]!.j.v, idleTimeoutSeconds: timeout || undefined, paths };
  }
  // Everything is cut: say why, outermost layer first.
  const nacl = new Set(entries.flatMap((e) => [...e.j.naclFails]));
  const noRoute = new Set(entries.flatMap((e) => [...e.j.noRoute]));
  const routes = new Set(entries.flatMap((e) => [...e.j.routeFails].filter((r) => !r.includes(' has no route to '))));
  if (noRoute.size) routes.add(noRouteText(ctx, noRoute));
  const base = { side, direction, kind, verdict: 'cut' as const, paths };
  const layers = new Set(entries.map((e) => e.j.v.layer));
  if (nacl.size)
    return {
      ...base,
      layer: 'nacl',
      reason: `NACL denies it: ${first([...nacl], 2)}`,
      remedy: entries.find((e) => e.j.v.remedy)?.j.v.remedy,
    };
  if (routes.size && [...layers].every((l) => l === 'route' || l === 'address'))
    return { ...base, layer: layers.size === 1 ? [...layers][0]! : 'route', reason: first([...routes], 2) };
  const reasons = [...new Set(entries.map((e) => e.j.v.reason))];
  return {
    ...base,
    layer: layers.has('security-group') ? 'security-group' : entries[0]!.j.v.layer,
    reason: first(reasons, 2),
  };
}
