// `verify`: what can still reach an instance, per class of flow, reasoned from the configuration AWS describes
// (groups and rules, NACL entries, route tables, conntrack timeouts) — never from observed traffic. Pure.
//
// A class is (remote side × direction × kind). Its verdict:
//   open         new connections of the class can be made now;
//   may-survive  no new ones, but existing connections holding a conntrack entry are not cut by any layer: they
//                live until idle past their timeout. verify cannot know history (which connections exist, whether
//                the all-open step ran), so it says may-survive whenever the current configuration lets such an
//                entry carry traffic;
//   cut          nothing of the class gets through.
// The verdict is an upper bound over the class (some traffic of it passes); the reason names the rule or layer.

import { familyOf, type Family } from '../cidr.js';
import {
  CONNTRACK_DEFAULTS,
  type EniFacts,
  type NaclEntryFacts,
  type NetworkFacts,
  type RouteFacts,
} from '../facts.js';
import {
  DIRECTIONS,
  KINDS,
  article,
  NON_PUBLIC_CIDRS,
  OTHER_TIMEOUTS,
  PATHS,
  PATH_NAMES,
  SIDES,
  pathAddressProblem,
  pathCarries,
  sideOfPath,
  type Direction,
  type FlowKind,
  type PathName,
  type Side,
} from './paths.js';
import {
  allPorts,
  candidateAddresses,
  candidatePorts,
  cidrContains,
  coversPort,
  coversProtocol,
  describeSgRule,
  isAnyOfFamily,
  isTcpUdp,
  lookupRoute,
  mayMatchRemote,
  naclEvaluate,
  protoName,
  type Proto,
  type RuleScope,
  type SgRule,
} from './rules.js';
import { summarize } from './summary.js';
import type { ClassVerdict, EniVerdict, VerifyOptions, VerifyReport } from './types.js';

export type { ClassVerdict, EniVerdict, VerifyOptions, VerifyReport, Verdict, VerdictLayer } from './types.js';

interface EniContext {
  eni: EniFacts;
  subnetId: string;
  subnetCidrs: string[];
  vpcCidrs: string[];
  families: Family[];
  rules: SgRule[];
  nacl?: { id: string; entries: NaclEntryFacts[] };
  routes?: { tableId: string; routes: RouteFacts[] };
  scope: RuleScope;
  addresses: Record<Family, string[]>;
  ports: number[];
  ephemeral: number[];
  icmpTypes: number[];
  warnings: string[];
  /** Memo tables: the search asks the same questions for every class and path. */
  memo: Map<string, unknown>;
}

function memo<T>(ctx: EniContext, key: string, fn: () => T): T {
  if (ctx.memo.has(key)) return ctx.memo.get(key) as T;
  const v = fn();
  ctx.memo.set(key, v);
  return v;
}

interface Point {
  path: PathName;
  family: Family;
  addr: string;
  proto: Proto;
  /** TCP/UDP service port (destination of the initiating packet) or ICMP type. */
  svc: number;
}

export const ASSUMPTIONS = [
  "A tracked TCP/UDP connection that the current rules would make untracked has lost its conntrack entry (the seed's claim, aws-api-semantics.md §1.7; not documented by AWS). Pass untrackingDropsEntries: false to drop this assumption.",
  "The untracked test (§1.2) is applied to the union of the ENI's groups.",
  'verify cannot see history: "may-survive" means existing tracked connections of the class would survive if there are any.',
  'Group-referencing rules are taken to match any address in the VPC; prefix lists any address.',
  "Connections through Network Load Balancers and Global Accelerator need no route from the instance's subnet (the load balancer replies for it); transit gateway attachments are automatically tracked (§1.4, 2023 list).",
  "ICMP idle timeout: 600 s (undocumented). NACL ICMP type/code filters are not evaluated. The far end's own groups, NACLs and routes are not checked.",
];

export function verify(facts: NetworkFacts, opts: VerifyOptions = {}): VerifyReport {
  const drops = opts.untrackingDropsEntries ?? true;
  const swapped = drops && (opts.untrackStepApplied ?? false);
  const enis: EniVerdict[] = facts.instance.enis.map((eni) => {
    const ctx = context(facts, eni);
    const classes: ClassVerdict[] = [];
    for (const side of SIDES)
      for (const direction of DIRECTIONS)
        for (const kind of KINDS) classes.push(judge(ctx, side, direction, kind, drops, swapped));
    return {
      networkInterfaceId: eni.networkInterfaceId,
      deviceIndex: eni.deviceIndex,
      subnetId: eni.subnetId,
      groupIds: eni.groupIds,
      networkAclId: ctx.nacl?.id,
      routeTableId: ctx.routes?.tableId,
      conntrack: timeouts(eni),
      classes,
      warnings: ctx.warnings,
    };
  });
  return {
    instanceId: facts.instance.instanceId,
    region: facts.instance.region,
    options: { untrackingDropsEntries: drops, untrackStepApplied: opts.untrackStepApplied ?? false },
    enis,
    ...summarize(enis),
    assumptions: ASSUMPTIONS,
  };
}

function timeouts(eni: EniFacts): { tcpEstablishedTimeout: number; udpStreamTimeout: number; udpTimeout: number } {
  const ct = eni.connectionTracking;
  return {
    tcpEstablishedTimeout: ct.tcpEstablishedTimeout ?? CONNTRACK_DEFAULTS.tcpEstablishedTimeout,
    udpStreamTimeout: ct.udpStreamTimeout ?? CONNTRACK_DEFAULTS.udpStreamTimeout,
    udpTimeout: ct.udpTimeout ?? CONNTRACK_DEFAULTS.udpTimeout,
  };
}

function context(facts: NetworkFacts, eni: EniFacts): EniContext {
  const warnings: string[] = [];
  const subnet = facts.subnets[eni.subnetId];
  if (!subnet) warnings.push(`subnet ${eni.subnetId} was not described: NACL and routes assumed open`);
  const rules: SgRule[] = [];
  for (const gid of eni.groupIds) {
    const g = facts.groups[gid];
    if (!g) {
      warnings.push(`group ${gid} was not described: assumed to allow everything`);
      for (const egress of [false, true]) rules.push({ owner: gid, egress, protocol: '-1', unknown: true });
      continue;
    }
    for (const r of g.ingress) rules.push({ ...r, owner: gid, egress: false });
    for (const r of g.egress) rules.push({ ...r, owner: gid, egress: true });
  }
  const subnetCidrs = [subnet?.cidr, subnet?.ipv6Cidr].filter((c): c is string => !!c);
  const routes = subnet?.routeTable;
  if (subnet && !routes) warnings.push(`no route table found for ${eni.subnetId}: routes assumed present`);
  if (subnet && !subnet.nacl) warnings.push(`no network ACL found for ${eni.subnetId}: assumed to allow everything`);
  const localRoutes = (routes?.routes ?? []).filter((r) => r.targetKind === 'local').map((r) => r.destination);
  const vpcCidrs = [
    ...new Set(
      [facts.vpc?.cidr, facts.vpc?.ipv6Cidr, ...localRoutes, ...subnetCidrs].filter(
        (c): c is string => !!c && c.includes('/'),
      ),
    ),
  ];
  const families: Family[] = [];
  if (eni.privateIps.length) families.push(4);
  if (eni.ipv6Addresses.length) families.push(6);
  const cidrs = [
    ...rules.map((r) => r.cidr),
    ...(subnet?.nacl?.entries ?? []).map((e) => e.cidr),
    ...(routes?.routes ?? []).map((r) => r.destination),
    ...vpcCidrs,
    ...NON_PUBLIC_CIDRS,
    '0.0.0.0/0',
    '::/0',
  ].filter((c): c is string => !!c && c.includes('/'));
  const ranges = [
    ...rules.filter((r) => isTcpUdp(protoName(r.protocol))).map((r) => ({ from: r.fromPort, to: r.toPort })),
    ...(subnet?.nacl?.entries ?? []).map((e) => e.portRange ?? {}),
  ];
  const ports = candidatePorts(ranges, [0, 22, 443, 1024, 49152, 65535]);
  return {
    eni,
    subnetId: eni.subnetId,
    subnetCidrs,
    vpcCidrs,
    families,
    rules,
    nacl: subnet?.nacl ? { id: subnet.nacl.networkAclId, entries: subnet.nacl.entries } : undefined,
    routes: routes ? { tableId: routes.routeTableId, routes: routes.routes } : undefined,
    scope: { vpcCidrs },
    addresses: {
      4: candidateAddresses(4, cidrs, ['198.51.100.1', '203.0.113.1']),
      6: candidateAddresses(6, cidrs, ['2001:db8::1']),
    },
    ports,
    ephemeral: [...new Set([49152, ...ports.filter((p) => p >= 1024)])],
    memo: new Map(),
    icmpTypes: [
      ...new Set([
        8,
        ...rules
          .filter((r) => protoName(r.protocol).startsWith('icmp'))
          .map((r) => r.fromPort ?? -1)
          .filter((t) => t >= 0),
      ]),
    ],
    warnings,
  };
}

function pathsFor(side: Side, direction: Direction, kind: FlowKind): PathName[] {
  return PATH_NAMES.filter((name) => {
    const p = PATHS[name];
    if (!p.initiators.includes(direction)) return false;
    if (p.side !== side && p.side !== 'by-address') return false;
    if (kind === 'icmp') return p.protocols === 'any';
    return kind === 'auto-tracked' ? p.autoTracked : !p.autoTracked;
  });
}

function addrSide(ctx: EniContext, addr: string): 'same-subnet' | 'same-vpc' | 'outside' {
  return memo(ctx, `side|${addr}`, () => addrSideOf(ctx, addr));
}

function addrSideOf(ctx: EniContext, addr: string): 'same-subnet' | 'same-vpc' | 'outside' {
  const contains = (cs: string[]): boolean => cs.some((c) => familyOf(c) === familyOf(addr) && cidrContains(c, addr));
  if (contains(ctx.subnetCidrs)) return 'same-subnet';
  if (contains(ctx.vpcCidrs)) return 'same-vpc';
  return 'outside';
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

const rulesIn = (ctx: EniContext, egress: boolean): SgRule[] => ctx.rules.filter((r) => r.egress === egress);

function admits(ctx: EniContext, d: Direction, pt: Point): SgRule | undefined {
  return memo(ctx, `adm|${d}|${pt.proto}|${pt.svc}|${pt.addr}`, () =>
    rulesIn(ctx, d === 'outbound').find(
      (r) => coversProtocol(r, pt.proto) && coversPort(r, pt.proto, pt.svc) && mayMatchRemote(r, pt.addr, ctx.scope),
    ),
  );
}

/** §1.2: the rule pair making the point untracked, if any. */
function untracks(ctx: EniContext, d: Direction, pt: Point): [SgRule, SgRule] | undefined {
  if (!isTcpUdp(pt.proto) || PATHS[pt.path].autoTracked) return undefined;
  return memo(ctx, `unt|${d}|${pt.proto}|${pt.svc}|${pt.family}`, () => untracksUncached(ctx, d, pt));
}

function untracksUncached(ctx: EniContext, d: Direction, pt: Point): [SgRule, SgRule] | undefined {
  const fwd = rulesIn(ctx, d === 'outbound').find(
    (r) => isAnyOfFamily(r, pt.family) && coversProtocol(r, pt.proto) && coversPort(r, pt.proto, pt.svc),
  );
  const rev =
    fwd &&
    rulesIn(ctx, d !== 'outbound').find(
      (r) => isAnyOfFamily(r, pt.family) && coversProtocol(r, pt.proto) && allPorts(r),
    );
  return fwd && rev ? [fwd, rev] : undefined;
}

const SIDE_TEXT: Record<Side, string> = {
  internet: 'the internet',
  'other-networks': 'other networks (TGW, peering, VPN)',
  'same-vpc': 'the rest of the VPC',
  'same-subnet': 'the same subnet',
};

const RANK = { cut: 0, 'may-survive': 1, open: 2 } as const;

/** A class's verdict: the most open of its paths' (per address family) verdicts, with theirs. */
function judge(
  ctx: EniContext,
  side: Side,
  direction: Direction,
  kind: FlowKind,
  drops: boolean,
  swapped: boolean,
): ClassVerdict {
  const all = pathsFor(side, direction, kind);
  const entries = all.flatMap((path) =>
    ctx.families
      .filter((f) => PATHS[path].families.includes(f))
      .map((family) => ({ path, family, j: judgePaths(ctx, side, direction, kind, [path], drops, swapped, family) })),
  );
  const paths = entries.map((e) => ({
    path: e.path,
    family: e.family,
    verdict: e.j.v.verdict,
    reason: e.j.v.reason,
    idleTimeoutSeconds: e.j.v.idleTimeoutSeconds,
  }));
  if (entries.length === 0) return { ...judgePaths(ctx, side, direction, kind, all, drops, swapped).v, paths };
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

interface Judged {
  v: ClassVerdict;
  naclFails: Set<string>;
  routeFails: Set<string>;
  /** Paths whose target no route of the table gives for any candidate address. */
  noRoute: Set<PathName>;
}

function judgePaths(
  ctx: EniContext,
  side: Side,
  direction: Direction,
  kind: FlowKind,
  paths: PathName[],
  drops: boolean,
  swapped: boolean,
  only?: Family,
): Judged {
  const routeFails = new Set<string>();
  const naclFails = new Set<string>();
  const noRoute = new Set<PathName>();
  const v = judgePathsInner(ctx, side, direction, kind, paths, drops, swapped, only, routeFails, naclFails, noRoute);
  return { v, naclFails, routeFails, noRoute };
}

function noRouteText(ctx: EniContext, paths: Iterable<PathName>): string {
  return `${ctx.routes?.tableId} has no route to ${[...paths].map((p) => article(PATHS[p].label)).join(' or ')}`;
}

function judgePathsInner(
  ctx: EniContext,
  side: Side,
  direction: Direction,
  kind: FlowKind,
  paths: PathName[],
  drops: boolean,
  swapped: boolean,
  only: Family | undefined,
  routeFails: Set<string>,
  naclFails: Set<string>,
  noRoute: Set<PathName>,
): ClassVerdict {
  const base = { side, direction, kind };
  const crosses = (addr: string): boolean => side !== 'same-subnet' && addrSide(ctx, addr) !== 'same-subnet';
  const unrouted = new Set<PathName>();
  const routed = new Set<PathName>();
  const points: Point[] = [];
  let candidates = 0;
  for (const path of paths) {
    const spec = PATHS[path];
    for (const family of ctx.families.filter((f) => spec.families.includes(f) && (only === undefined || f === only))) {
      const protos: Proto[] =
        kind === 'icmp'
          ? [family === 4 ? 'icmp' : 'icmpv6']
          : (['tcp', 'udp'] as Proto[]).filter((p) => pathCarries(path, p));
      for (const addr of ctx.addresses[family]) {
        if (!inSide(ctx, side, path, addr)) continue;
        candidates++;
        if (crosses(addr) && spec.route && ctx.routes) {
          const hit = memo(ctx, `rt|${addr}`, () => lookupRoute(ctx.routes!.routes, addr));
          if (!hit.route || !hit.kind || !spec.route.includes(hit.kind)) {
            unrouted.add(path);
            continue;
          }
          routed.add(path);
          if (hit.route.state !== 'active') {
            routeFails.add(`${ctx.routes.tableId} route ${hit.route.destination} → ${hit.route.target} is a blackhole`);
            continue;
          }
        }
        if (spec.needsPublicIpv4 && family === 4 && ctx.eni.publicIps.length === 0) {
          routeFails.add(`${ctx.eni.networkInterfaceId} has no public IPv4 address (an internet gateway needs one)`);
          continue;
        }
        for (const proto of protos) {
          const svcs = isTcpUdp(proto) ? ctx.ports : ctx.icmpTypes;
          if (crosses(addr) && ctx.nacl) {
            const fwdEgress = direction === 'outbound';
            const fwd = svcs.map((svc) => {
              const port = isTcpUdp(proto) ? svc : 0;
              return memo(ctx, `nacl|${fwdEgress}|${proto}|${addr}|${port}`, () =>
                naclEvaluate(ctx.nacl!.entries, ctx.nacl!.id, fwdEgress, proto, addr, port),
              );
            });
            const ok = svcs.filter((_, i) => fwd[i]!.allow);
            if (ok.length === 0) {
              for (const h of fwd) naclFails.add(h.entry);
              continue;
            }
            const eph = isTcpUdp(proto) ? ctx.ephemeral : [0];
            const rev = eph.map((p) =>
              memo(ctx, `nacl|${!fwdEgress}|${proto}|${addr}|${p}`, () =>
                naclEvaluate(ctx.nacl!.entries, ctx.nacl!.id, !fwdEgress, proto, addr, p),
              ),
            );
            if (!rev.some((h) => h.allow)) {
              for (const h of rev) naclFails.add(`${h.entry} (replies)`);
              continue;
            }
            for (const svc of ok) points.push({ path, family, addr, proto, svc });
          } else {
            for (const svc of svcs) points.push({ path, family, addr, proto, svc });
          }
        }
      }
    }
  }

  if (paths.length === 0 || candidates === 0) {
    const why =
      paths.length === 0
        ? `no ${kind} path reaches ${SIDE_TEXT[side]} ${direction}`
        : `the ENI has no address family served by ${paths.map((p) => PATHS[p].label).join(', ')}`;
    return { ...base, verdict: 'cut', layer: 'route', reason: why };
  }
  const never = [...unrouted].filter((p) => !routed.has(p));
  for (const p of never) noRoute.add(p);
  if (never.length && ctx.routes) routeFails.add(noRouteText(ctx, never));
  const cutRemedyNacl = naclFails.size
    ? 'note: removing this NACL deny revives tracked connections still within their idle timeout'
    : undefined;
  if (points.length === 0 && routeFails.size && !naclFails.size) {
    return {
      ...base,
      verdict: 'cut',
      layer: [...routeFails].every((r) => r.includes('public IPv4')) ? 'address' : 'route',
      reason: first([...routeFails], 2),
    };
  }
  if (points.length === 0) {
    return {
      ...base,
      verdict: 'cut',
      layer: 'nacl',
      reason: `NACL denies it: ${first([...naclFails], 2)}`,
      remedy: cutRemedyNacl,
    };
  }

  const t = timeoutFor(ctx, points, kind);
  const remains = remainsCutBy(ctx, side, kind);
  const example = (pt: Point): ClassVerdict['example'] => ({
    protocol: pt.proto,
    remote: pt.addr,
    port: isTcpUdp(pt.proto) ? pt.svc : undefined,
    path: pt.path,
  });

  if (kind === 'untracked') {
    for (const pt of points) {
      const u = untracks(ctx, direction, pt);
      if (u)
        return {
          ...base,
          verdict: 'open',
          layer: 'security-group',
          reason: `untracked: ${describeSgRule(u[0])} and ${describeSgRule(u[1])}`,
          example: example(pt),
          remedy: 'the empty group cuts them at once (untracked flows are judged per packet)',
        };
    }
    const narrow = points.find((pt) => admits(ctx, direction, pt));
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
    const open = points.find((pt) => !untracks(ctx, direction, pt) && admits(ctx, direction, pt));
    if (open)
      return {
        ...base,
        verdict: 'open',
        layer: 'security-group',
        reason: `admitted by ${describeSgRule(admits(ctx, direction, open)!)}`,
        example: example(open),
        idleTimeoutSeconds: t,
        remedy: `the empty group stops new ones; existing ones: ${remains}`,
      };
    const survivor = points.find((pt) => !drops || !untracks(ctx, direction, pt));
    if (survivor && swapped)
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
        reason: 'no rule admits new connections; existing ones live on their conntrack entries until idle',
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

  // icmp, auto-tracked: always tracked.
  const open = points.find((pt) => admits(ctx, direction, pt));
  if (open)
    return {
      ...base,
      verdict: 'open',
      layer: 'security-group',
      reason: `admitted by ${describeSgRule(admits(ctx, direction, open)!)} (always tracked)`,
      example: example(open),
      idleTimeoutSeconds: t,
      remedy: `the empty group stops new ones; existing ones: ${remains}`,
    };
  return {
    ...base,
    verdict: 'may-survive',
    layer: 'conntrack',
    reason: 'no rule admits new connections; existing ones are always tracked and live on until idle',
    example: example(points[0]!),
    idleTimeoutSeconds: t,
    remedy: remains,
  };
}

function first(xs: string[], n: number): string {
  return xs.length <= n ? xs.join('; ') : `${xs.slice(0, n).join('; ')} (+${xs.length - n} more)`;
}

function timeoutFor(ctx: EniContext, points: Point[], kind: FlowKind): number {
  const t = timeouts(ctx.eni);
  if (kind === 'icmp') return OTHER_TIMEOUTS.icmp;
  const tcp = points.some((p) => p.proto === 'tcp');
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
