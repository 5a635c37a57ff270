// What verify knows about one ENI, read once from the facts: its rules, its subnet's NACL and route table, and the
// search space (address, port, ICMP and protocol cells, src/core/verify/space.ts) its questions range over. Pure.

import type { Family } from '../cidr.js';
import {
  CONNTRACK_DEFAULTS,
  type EniFacts,
  type NaclEntryFacts,
  type NetworkFacts,
  type RouteFacts,
} from '../facts.js';
import { NON_PUBLIC_CIDRS } from './paths.js';
import { isTcpUdp, protoName, type RuleScope, type SgRule } from './rules.js';
import { addressCells, icmpPairs, otherProtocols, portCells, REPLY_PORTS, SERVICE_PORTS, type Cell } from './space.js';

export interface EniContext {
  eni: EniFacts;
  subnetId: string;
  subnetCidrs: string[];
  vpcCidrs: string[];
  families: Family[];
  rules: SgRule[];
  nacl?: { id: string; entries: NaclEntryFacts[] };
  routes?: { tableId: string; routes: RouteFacts[] };
  scope: RuleScope;
  /** One address per cell of each family (preferred, documentation-range addresses first). */
  addresses: Record<Family, string[]>;
  /** Port cells for the port connected to (the SG and the forward NACL entry judge it). */
  servicePorts: Cell<number>[];
  /** Port cells for the port replies go to: the initiator's own source port, any of 0-65535. */
  replyPorts: Cell<number>[];
  /** ICMP (type, code) pairs per family (ICMP for IPv4, ICMPv6 for IPv6). */
  icmp: Record<Family, [number, number][]>;
  /** Protocol numbers standing for every protocol but TCP, UDP, ICMP, ICMPv6. */
  others: string[];
  warnings: string[];
  /** Memo tables: the search asks the same questions for every class and path. */
  memo: Map<string, unknown>;
}

export function memo<T>(ctx: EniContext, key: string, fn: () => T): T {
  if (ctx.memo.has(key)) return ctx.memo.get(key) as T;
  const v = fn();
  ctx.memo.set(key, v);
  return v;
}

export function timeouts(eni: EniFacts): {
  tcpEstablishedTimeout: number;
  udpStreamTimeout: number;
  udpTimeout: number;
} {
  const ct = eni.connectionTracking;
  return {
    tcpEstablishedTimeout: ct.tcpEstablishedTimeout ?? CONNTRACK_DEFAULTS.tcpEstablishedTimeout,
    udpStreamTimeout: ct.udpStreamTimeout ?? CONNTRACK_DEFAULTS.udpStreamTimeout,
    udpTimeout: ct.udpTimeout ?? CONNTRACK_DEFAULTS.udpTimeout,
  };
}

const PREFERRED: Record<Family, string[]> = {
  4: ['198.51.100.1', '203.0.113.1', '192.0.2.1', '172.16.0.1', '192.168.0.1'],
  6: ['2001:db8::1', 'fd00::1'],
};

export function context(facts: NetworkFacts, eni: EniFacts): EniContext {
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
  const entries = subnet?.nacl?.entries ?? [];
  const cidrs = [
    ...rules.map((r) => r.cidr),
    ...entries.map((e) => e.cidr),
    ...(routes?.routes ?? []).map((r) => r.destination),
    ...vpcCidrs,
    ...NON_PUBLIC_CIDRS,
    '0.0.0.0/0',
    '::/0',
  ].filter((c): c is string => !!c && c.includes('/'));
  const own = [...eni.privateIps, ...eni.ipv6Addresses];
  const ranges = [
    ...rules.filter((r) => isTcpUdp(protoName(r.protocol))).map((r) => ({ from: r.fromPort, to: r.toPort })),
    ...entries.filter((e) => isTcpUdp(e.protocol)).map((e) => e.portRange ?? {}),
  ];
  return {
    eni,
    subnetId: eni.subnetId,
    subnetCidrs,
    vpcCidrs,
    families,
    rules,
    nacl: subnet?.nacl ? { id: subnet.nacl.networkAclId, entries } : undefined,
    routes: routes ? { tableId: routes.routeTableId, routes: routes.routes } : undefined,
    scope: { vpcCidrs },
    addresses: {
      4: addressCells(4, cidrs, PREFERRED[4], own),
      6: addressCells(6, cidrs, PREFERRED[6], own),
    },
    servicePorts: portCells(ranges, SERVICE_PORTS),
    replyPorts: portCells(ranges, REPLY_PORTS),
    icmp: { 4: icmpPairs(rules, '1'), 6: icmpPairs(rules, '58') },
    others: otherProtocols([...rules.map((r) => r.protocol), ...entries.map((e) => e.protocol)]),
    memo: new Map(),
    warnings,
  };
}
