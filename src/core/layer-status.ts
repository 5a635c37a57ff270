// Whether each subnet-level layer is in place on an instance's subnets, from freshly described facts (pure): contain
// reports it after applying, and counts a missing layer as incomplete containment.

import type { InstanceFacts } from './facts.js';
import { hasLayer, type Layer, type LayerOptions } from './layers.js';
import { copyRoutes, roleOf, topAlready } from './layer-plan.js';
import { ROLE_INTERNET_CUT, ROLE_NACL, ROLE_ROUTE_TABLE, subnetLayersOf } from './subnet-layers.js';

export interface LayerStatus {
  layer: Layer;
  subnetId: string;
  /** The NACL or route table the subnet is on now. */
  resource?: string;
  isolated: boolean;
  detail: string;
}

export function subnetLayerStatus(i: InstanceFacts, o: LayerOptions): LayerStatus[] {
  const f = subnetLayersOf(i);
  if (!f) return [];
  const out: LayerStatus[] = [];
  for (const s of f.subnets) {
    if (hasLayer(o, 'nacl')) {
      const n = s.nacl;
      const dedicated = !!n && roleOf(n.tags) === ROLE_NACL;
      const top = !!n && topAlready(n) === 'yes';
      out.push({
        layer: 'nacl',
        subnetId: s.subnetId,
        resource: n?.networkAclId,
        isolated: dedicated || top,
        detail: dedicated
          ? 'on the isolation NACL'
          : top
            ? 'deny-all entries at the top of its NACL'
            : `on ${n?.networkAclId ?? 'no NACL'}, without cordon's deny entries`,
      });
    }
    const rtLayer = hasLayer(o, 'route') ? 'route' : hasLayer(o, 'igw') ? 'igw' : undefined;
    if (rtLayer) {
      const t = s.routeTable;
      const role = t ? roleOf(t.tags) : undefined;
      const noInternet = !!t && copyRoutes(t).cut.length === 0;
      const isolated = role === ROLE_ROUTE_TABLE || (rtLayer === 'igw' && (role === ROLE_INTERNET_CUT || noInternet));
      out.push({
        layer: rtLayer,
        subnetId: s.subnetId,
        resource: t?.routeTableId,
        isolated,
        detail:
          role === ROLE_ROUTE_TABLE
            ? 'on the isolation route table (local routes only)'
            : role === ROLE_INTERNET_CUT
              ? 'on a copy without internet routes'
              : noInternet && rtLayer === 'igw'
                ? 'its route table has no internet route'
                : `on ${t?.routeTableId ?? 'no route table'}, which still has external routes`,
      });
    }
  }
  return out;
}
