// Blast radius (pure): before any subnet- or VPC-level change, every other network interface the change hits —
// instances, Lambda, RDS, load balancers, endpoints, NAT and transit gateway attachments — by interface type,
// requester and description. `contain` refuses a plan with a blast radius unless the responder accepts it.

import { CordonError, EXIT } from './errors.js';
import type { Layer } from './layers.js';
import type { LayerWork } from './layer-plan.js';
import type { LayerEni } from './subnet-layers.js';
import { subnetsOf } from './layer-plan.js';
import type { InstanceFacts } from './facts.js';

export type EniKind =
  | 'instance'
  | 'lambda'
  | 'rds'
  | 'load-balancer'
  | 'vpc-endpoint'
  | 'nat-gateway'
  | 'transit-gateway'
  | 'efs'
  | 'unattached'
  | 'other';

export interface BlastEni extends LayerEni {
  kind: EniKind;
  /** The layers of this plan that hit it. */
  layers: Layer[];
  /** What else breaks through it (a NAT gateway serves other subnets …). */
  note?: string;
}

export interface BlastScope {
  layer: Layer;
  /** What the layer changes: a subnet's association, or a NACL shared by the listed subnets. */
  resource: string;
  subnets: string[];
  otherEnis: number;
}

export interface BlastRadius {
  scopes: BlastScope[];
  /** Every other ENI hit, once, with the layers hitting it. */
  enis: BlastEni[];
}

export function eniKind(e: LayerEni): EniKind {
  const t = e.interfaceType;
  const d = e.description;
  if (t === 'lambda' || d.startsWith('AWS Lambda VPC ENI')) return 'lambda';
  if (e.requesterId === 'amazon-rds' || d.startsWith('RDSNetworkInterface')) return 'rds';
  if (t === 'nat_gateway' || t === 'natGateway' || d.startsWith('Interface for NAT Gateway')) return 'nat-gateway';
  if (t === 'transit_gateway' || d.startsWith('Network Interface for Transit Gateway Attachment'))
    return 'transit-gateway';
  if (t === 'vpc_endpoint' || t === 'gateway_load_balancer_endpoint' || d.startsWith('VPC Endpoint Interface'))
    return 'vpc-endpoint';
  if (t === 'network_load_balancer' || t === 'gateway_load_balancer' || t === 'load_balancer' || d.startsWith('ELB '))
    return 'load-balancer';
  if (d.startsWith('EFS mount target')) return 'efs';
  if (e.instanceId) return 'instance';
  if (t === 'interface' && !e.requesterManaged && (e.status === 'available' || !e.status)) return 'unattached';
  return 'other';
}

const NOTES: Partial<Record<EniKind, string>> = {
  'nat-gateway': 'a NAT gateway: every subnet that routes through it loses that path too',
  'transit-gateway':
    'a transit gateway attachment: traffic of other subnets through it in this Availability Zone is cut too',
  'vpc-endpoint': 'an interface endpoint: clients elsewhere in the VPC reaching it here lose it',
  'load-balancer': 'a load balancer node: its traffic in this Availability Zone is cut',
  lambda: "a Lambda function's interface (shared by its invocations)",
  rds: 'a database instance',
};

/** The ENIs each layer of the plan hits, other than the targets' own. Only layers that change something count. */
export function blastRadius(instances: InstanceFacts[], work: LayerWork): BlastRadius {
  const own = new Set(instances.flatMap((i) => i.enis.map((e) => e.networkInterfaceId)));
  const bySubnet = new Map(subnetsOf(instances).map((r) => [r.s.subnetId, r.s.enis]));
  const hit = new Map<string, BlastEni>();
  const scopes: BlastScope[] = [];
  const add = (layer: Layer, resource: string, subnets: string[], enis: LayerEni[]): void => {
    const others = enis.filter((e) => !own.has(e.networkInterfaceId));
    scopes.push({ layer, resource, subnets, otherEnis: others.length });
    for (const e of others) {
      const x = hit.get(e.networkInterfaceId);
      if (x) {
        if (!x.layers.includes(layer)) x.layers.push(layer);
        continue;
      }
      const kind = eniKind(e);
      hit.set(e.networkInterfaceId, { ...e, kind, layers: [layer], note: NOTES[kind] });
    }
  };
  for (const n of work.nacl) {
    if (n.already || n.mode !== 'dedicated') continue;
    add('nacl', n.subnetId, [n.subnetId], bySubnet.get(n.subnetId) ?? []);
  }
  for (const t of work.top) {
    if (t.already) continue;
    const f = instances
      .map(
        (i) =>
          i.extras?.['subnet-layers'] as
            { naclPeers?: Record<string, { subnetId: string; enis: LayerEni[] }[]> } | undefined,
      )
      .find((x) => x?.naclPeers?.[t.nacl.networkAclId]);
    const peers = f?.naclPeers?.[t.nacl.networkAclId] ?? [];
    const enis = [...t.subnetIds.flatMap((s) => bySubnet.get(s) ?? []), ...peers.flatMap((p) => p.enis)];
    add('nacl', t.nacl.networkAclId, [...t.subnetIds, ...peers.map((p) => p.subnetId)], enis);
  }
  for (const r of work.routes) {
    if (r.already) continue;
    add(r.layer, r.subnetId, [r.subnetId], bySubnet.get(r.subnetId) ?? []);
  }
  const enis = [...hit.values()].sort(
    (a, b) =>
      a.subnetId.localeCompare(b.subnetId) ||
      a.kind.localeCompare(b.kind) ||
      a.networkInterfaceId.localeCompare(b.networkInterfaceId),
  );
  return { scopes, enis };
}

/**
 * The refusal `contain` raises for a plan that hits other ENIs, unless accepted. Undefined when nothing else is hit.
 */
export function blastRadiusRefusal(b: BlastRadius | undefined): CordonError | undefined {
  if (!b || b.enis.length === 0) return undefined;
  const kinds = new Map<string, number>();
  for (const e of b.enis) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
  const list = [...kinds.entries()].map(([k, n]) => `${n} ${k}`).join(', ');
  return new CordonError(
    'blast-radius',
    `the ${[...new Set(b.scopes.filter((s) => s.otherEnis > 0).map((s) => s.layer))].join(', ')} layer(s) would also cut ${b.enis.length} other network interface(s) (${list}); nothing was changed`,
    EXIT.refused,
    'review them with `cordon plan … --layers …`, then rerun with --accept-blast-radius (or answer the typed confirmation on a terminal); --layers sg alone touches only the instance',
    { enis: b.enis.map((e) => e.networkInterfaceId) },
  );
}
