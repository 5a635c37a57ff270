// What the subnet- and edge-level layers will do (pure): for each subnet of the targets, which NACL and route table
// it ends on, which isolation entities must be created, which NACLs get entries in place (top mode, with fallback to
// a dedicated NACL), and the warnings a responder must read. Every layer step plans from this one computation, so
// they agree with each other and with the blast radius.

import type { InstanceFacts } from './facts.js';
import { TAG, joinTagValue } from './tags.js';
import { allowList, allowListKey, hasLayer, naclModeOf, type LayerOptions, type NaclMode } from './layers.js';
import { isolationNaclEntries, planTop, recordedInserts, hasEntry, sameEntries, type NaclMove } from './nacl-top.js';
import {
  INTERNET_TARGETS,
  LTAG,
  ROLE_INTERNET_CUT,
  ROLE_NACL,
  ROLE_ROUTE_TABLE,
  decodeDirections,
  subnetLayersOf,
  type LayerNacl,
  type LayerNaclEntry,
  type LayerRoute,
  type LayerRouteTable,
  type SubnetLayerFacts,
  type SubnetLayersFacts,
} from './subnet-layers.js';

export interface LayerInput {
  instances: InstanceFacts[];
  options: LayerOptions & { incident: string };
}

export interface NaclSubnetWork {
  subnetId: string;
  vpcId: string;
  instanceIds: string[];
  current: LayerNacl;
  associationId: string;
  mode: NaclMode;
  /** Already isolated at the NACL layer (on an isolation NACL, or behind cordon's entries). */
  already: boolean;
  /** Dedicated mode: the isolation NACL (an id, or a placeholder created by ensure-isolation-nacl). */
  target?: string;
}

export interface NaclTopWork {
  nacl: LayerNacl;
  vpcId: string;
  subnetIds: string[];
  instanceIds: string[];
  inserts: LayerNaclEntry[];
  moves: NaclMove[];
  already: boolean;
  allow: string[];
}

export interface IsolationNaclWork {
  vpcId: string;
  placeholder: string;
  allow: string[];
  instanceId: string;
}
export interface IsolationRtbWork {
  vpcId: string;
  placeholder: string;
  instanceId: string;
}
export interface CopyWork {
  vpcId: string;
  source: LayerRouteTable;
  placeholder: string;
  routes: LayerRoute[];
  propagating: string[];
  instanceId: string;
}

export interface RouteWork {
  subnetId: string;
  vpcId: string;
  instanceIds: string[];
  current: LayerRouteTable;
  associationId?: string;
  implicitMain: boolean;
  layer: 'route' | 'igw';
  /** The table the subnet ends on: an id, or a placeholder. */
  target: string;
  already: boolean;
  /** The internet gateways whose routes the igw layer takes away (they stay attached). */
  igws: string[];
}

export interface LayerWork {
  nacl: NaclSubnetWork[];
  top: NaclTopWork[];
  createNacls: IsolationNaclWork[];
  routes: RouteWork[];
  createRtbs: IsolationRtbWork[];
  copies: CopyWork[];
  warnings: string[];
}

export const naclPlaceholder = (vpcId: string): string => `new:isolation-nacl:${vpcId}`;
export const rtbPlaceholder = (vpcId: string): string => `new:isolation-route-table:${vpcId}`;
export const copyPlaceholder = (rtbId: string): string => `new:internet-cut:${rtbId}`;

interface SubnetRef {
  s: SubnetLayerFacts;
  f: SubnetLayersFacts;
  instanceIds: string[];
}

/** Every subnet of the targets, once, with the request's instances in it. */
export function subnetsOf(instances: InstanceFacts[]): SubnetRef[] {
  const out = new Map<string, SubnetRef>();
  for (const i of instances) {
    const f = subnetLayersOf(i);
    if (!f) continue;
    for (const s of f.subnets) {
      const ref = out.get(s.subnetId) ?? { s, f, instanceIds: [] };
      if (!ref.instanceIds.includes(i.instanceId)) ref.instanceIds.push(i.instanceId);
      out.set(s.subnetId, ref);
    }
  }
  return [...out.values()];
}

export const roleOf = (tags: Record<string, string>): string | undefined => tags[TAG.role];

/** A usable isolation NACL for the allow-list: cordon's, unchanged since it was made. */
export function validIsolationNacl(f: SubnetLayersFacts, allow: string[]): LayerNacl | undefined {
  const key = allowListKey(allow);
  return f.isolationNacls
    .filter(
      (a) =>
        roleOf(a.tags) === ROLE_NACL &&
        (joinTagValue(a.tags, LTAG.allowList) ?? '') === key &&
        !a.isDefault &&
        sameEntries(a.entries, isolationNaclEntries(allow)),
    )
    .sort((a, b) => a.networkAclId.localeCompare(b.networkAclId))[0];
}

/** Whether a route table is a usable isolation table: cordon's, local routes only, no propagation, not main. */
export function isIsolationRtb(t: LayerRouteTable): boolean {
  return (
    roleOf(t.tags) === ROLE_ROUTE_TABLE &&
    t.routes.every((r) => r.targetKind === 'local') &&
    t.propagatingVgws.length === 0 &&
    !t.main
  );
}

export function validIsolationRtb(f: SubnetLayersFacts): LayerRouteTable | undefined {
  return f.cordonRouteTables.filter(isIsolationRtb).sort((a, b) => a.routeTableId.localeCompare(b.routeTableId))[0];
}

/** Routes of `source` an internet-cut copy keeps, and the ones it cannot carry over (with why). */
export function copyRoutes(source: LayerRouteTable): {
  keep: LayerRoute[];
  cut: LayerRoute[];
  skipped: { route: LayerRoute; why: string }[];
} {
  const keep: LayerRoute[] = [];
  const cut: LayerRoute[] = [];
  const skipped: { route: LayerRoute; why: string }[] = [];
  for (const r of source.routes) {
    if (r.targetKind === 'local') continue;
    if (INTERNET_TARGETS.includes(r.targetKind)) cut.push(r);
    else if (r.origin === 'EnableVgwRoutePropagation')
      continue; // comes back through propagation on the copy
    else if (r.state === 'blackhole') skipped.push({ route: r, why: 'a blackhole route (its target is gone)' });
    else if (r.targetKind === 'vpce' || r.targetKind === 'other' || r.targetField === 'unknown')
      skipped.push({
        route: r,
        why: `a ${r.target || 'gateway'} route cordon cannot recreate with CreateRoute (gateway endpoints are managed by the endpoint)`,
      });
    else keep.push(r);
  }
  return { keep, cut, skipped };
}

const routeKey = (r: LayerRoute): string => `${r.destination}>${r.target}`;

function validCopy(
  f: SubnetLayersFacts,
  source: LayerRouteTable,
  keep: LayerRoute[],
  incident: string,
): LayerRouteTable | undefined {
  const want = keep.map(routeKey).sort().join('|');
  return f.cordonRouteTables.find(
    (t) =>
      roleOf(t.tags) === ROLE_INTERNET_CUT &&
      t.tags[LTAG.sourceRouteTable] === source.routeTableId &&
      t.tags[TAG.incident] === incident &&
      t.routes
        .filter((r) => r.targetKind !== 'local' && r.origin !== 'EnableVgwRoutePropagation')
        .map(routeKey)
        .sort()
        .join('|') === want,
  );
}

export function topAlready(nacl: LayerNacl): 'yes' | 'no' | 'broken' {
  const rec = nacl.tags[LTAG.topEntries];
  if (rec === undefined) return 'no';
  const allow = (joinTagValue(nacl.tags, LTAG.allowList) ?? '').split(',').filter(Boolean);
  const entries = recordedInserts(decodeDirections(rec), allow);
  return entries.length > 0 && entries.every((e) => hasEntry(nacl, e)) ? 'yes' : 'broken';
}

export function layerWork(input: LayerInput): LayerWork {
  const o = input.options;
  const w: LayerWork = { nacl: [], top: [], createNacls: [], routes: [], createRtbs: [], copies: [], warnings: [] };
  const subnets = subnetsOf(input.instances);
  const allow = allowList(o);
  const needNacl = new Map<string, IsolationNaclWork>();
  const warn = (m: string): void => {
    if (!w.warnings.includes(m)) w.warnings.push(m);
  };

  if (hasLayer(o, 'nacl')) {
    const tops = new Map<string, NaclTopWork | { failed: string }>();
    for (const { s, f, instanceIds } of subnets) {
      if (!s.nacl || !s.naclAssociationId) {
        warn(`${s.subnetId}: no network ACL association found; the NACL layer cannot act on it`);
        continue;
      }
      const base = {
        subnetId: s.subnetId,
        vpcId: s.vpcId,
        instanceIds,
        current: s.nacl,
        associationId: s.naclAssociationId,
      };
      if (roleOf(s.nacl.tags) === ROLE_NACL) {
        w.nacl.push({ ...base, mode: 'dedicated', already: true, target: s.nacl.networkAclId });
        continue;
      }
      let mode = naclModeOf(o);
      if (mode === 'top') {
        let t = tops.get(s.nacl.networkAclId);
        if (!t) {
          const state = topAlready(s.nacl);
          const p = state === 'yes' ? { ok: true as const, inserts: [], moves: [] } : planTop(s.nacl, allow, f.vpcIpv6);
          if (state === 'broken')
            t = {
              failed: `${s.nacl.networkAclId} carries cordon's record of entries that are no longer there (someone changed it)`,
            };
          else if (!p.ok) t = { failed: p.reason };
          else
            t = {
              nacl: s.nacl,
              vpcId: s.vpcId,
              subnetIds: [],
              instanceIds: [],
              inserts: p.inserts,
              moves: p.moves,
              already: state === 'yes',
              allow,
            };
          tops.set(s.nacl.networkAclId, t);
        }
        if ('failed' in t) {
          warn(
            `top mode cannot use ${s.nacl.networkAclId}: ${t.failed}; falling back to a dedicated isolation NACL for ${s.subnetId}`,
          );
          mode = 'dedicated';
        } else {
          t.subnetIds.push(s.subnetId);
          for (const id of instanceIds) if (!t.instanceIds.includes(id)) t.instanceIds.push(id);
          w.nacl.push({ ...base, mode: 'top', already: t.already });
          continue;
        }
      }
      const existing = validIsolationNacl(f, allow);
      const stale = f.isolationNacls.filter(
        (a) =>
          a !== existing &&
          (joinTagValue(a.tags, LTAG.allowList) ?? '') === allowListKey(allow) &&
          !sameEntries(a.entries, isolationNaclEntries(allow)),
      );
      for (const a of stale)
        warn(
          `isolation NACL ${a.networkAclId} was changed since cordon made it (its entries are not the isolation entries): not reused`,
        );
      let target = existing?.networkAclId;
      if (!target) {
        target = naclPlaceholder(s.vpcId);
        if (!needNacl.has(s.vpcId))
          needNacl.set(s.vpcId, { vpcId: s.vpcId, placeholder: target, allow, instanceId: instanceIds[0]! });
      }
      w.nacl.push({ ...base, mode: 'dedicated', already: false, target });
    }
    for (const t of tops.values()) if (!('failed' in t) && t.subnetIds.length) w.top.push(t);
    w.createNacls = [...needNacl.values()];
  }

  if (hasLayer(o, 'route') || hasLayer(o, 'igw')) {
    const layer = hasLayer(o, 'route') ? 'route' : 'igw';
    if (layer === 'route' && hasLayer(o, 'igw'))
      warn('the igw layer is covered by the route layer: the isolation route table has no internet route at all');
    const needRtb = new Map<string, IsolationRtbWork>();
    const copies = new Map<string, CopyWork>();
    for (const { s, f, instanceIds } of subnets) {
      const t = s.routeTable;
      if (!t) {
        warn(`${s.subnetId}: no route table found; the ${layer} layer cannot act on it`);
        continue;
      }
      const base = {
        subnetId: s.subnetId,
        vpcId: s.vpcId,
        instanceIds,
        current: t,
        associationId: s.routeAssociationId,
        implicitMain: !s.routeAssociationId,
        layer,
      } as const;
      const igws = [...new Set(t.routes.filter((r) => r.targetKind === 'igw').map((r) => r.target))];
      const role = roleOf(t.tags);
      if (role === ROLE_ROUTE_TABLE || (role === ROLE_INTERNET_CUT && layer === 'igw')) {
        w.routes.push({ ...base, target: t.routeTableId, already: true, igws });
        continue;
      }
      if (layer === 'route') {
        let target = validIsolationRtb(f)?.routeTableId;
        if (!target) {
          target = rtbPlaceholder(s.vpcId);
          if (!needRtb.has(s.vpcId))
            needRtb.set(s.vpcId, { vpcId: s.vpcId, placeholder: target, instanceId: instanceIds[0]! });
        }
        w.routes.push({ ...base, target, already: false, igws });
        continue;
      }
      const { keep, cut, skipped } = copyRoutes(t);
      if (cut.length === 0) {
        warn(
          `${s.subnetId}: its route table ${t.routeTableId} has no internet route (internet gateway, egress-only gateway or NAT gateway): the igw layer has nothing to cut there`,
        );
        continue;
      }
      for (const x of skipped)
        warn(
          `${s.subnetId}: the internet-cut copy of ${t.routeTableId} leaves out ${x.route.destination} → ${x.route.target || '?'}: ${x.why}`,
        );
      for (const r of keep) {
        if (
          (r.destination === '0.0.0.0/0' || r.destination === '::/0') &&
          (r.targetKind === 'eni' || r.targetKind === 'instance')
        ) {
          warn(
            `${s.subnetId}: ${r.destination} → ${r.target} is kept by the igw layer, but it may be a NAT instance or an appliance that reaches the internet; choose --layers route to cut it too`,
          );
        }
      }
      let target = validCopy(f, t, keep, o.incident)?.routeTableId;
      if (!target) {
        target = copyPlaceholder(t.routeTableId);
        if (!copies.has(t.routeTableId))
          copies.set(t.routeTableId, {
            vpcId: s.vpcId,
            source: t,
            placeholder: target,
            routes: keep,
            propagating: t.propagatingVgws,
            instanceId: instanceIds[0]!,
          });
      }
      w.routes.push({ ...base, target, already: false, igws });
    }
    w.createRtbs = [...needRtb.values()];
    w.copies = [...copies.values()];
    if (hasLayer(o, 'igw')) {
      const igws = [...new Set(w.routes.flatMap((r) => r.igws))];
      if (igws.length) {
        warn(
          `${igws.join(', ')} stays attached: DetachInternetGateway fails with DependencyViolation while any public address in the VPC is mapped, and detaching would cut every subnet of the VPC; cordon takes the internet routes away from the contained subnet instead`,
        );
      }
    }
  }
  return w;
}
