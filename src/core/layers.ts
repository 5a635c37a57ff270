// Containment layers (the seed's isolation spectrum): `sg` swaps the security groups (targeted), `nacl` denies all at
// the subnet boundary (stateless, immediate, subnet-wide), `route` gives the subnet a table with only the local routes
// (cuts every external network, keeps the VPC), `igw` removes the subnet's internet routes (keeps VPN, peering and
// transit gateway paths). Presets name the usual combinations. Pure: parsing and validation of the options.

import { canonicalCidr, isAnyCidr, parseCidr } from './cidr.js';
import { CordonError, EXIT } from './errors.js';

export type Layer = 'sg' | 'nacl' | 'route' | 'igw';
export const LAYERS: readonly Layer[] = ['sg', 'nacl', 'route', 'igw'];
export type NaclMode = 'top' | 'dedicated';
export const NACL_MODES: readonly NaclMode[] = ['dedicated', 'top'];

export const LAYER_PRESETS: Record<string, readonly Layer[]> = {
  targeted: ['sg'],
  subnet: ['sg', 'nacl'],
  edge: ['sg', 'nacl', 'route'],
  full: ['sg', 'nacl', 'route', 'igw'],
};

export const LAYER_LABELS: Record<Layer, string> = {
  sg: 'security groups (targeted: only this instance)',
  nacl: 'network ACL (stateless, immediate: the whole subnet boundary)',
  route: 'route table (only the local routes: no internet, VPN, peering or transit gateway; the VPC stays reachable)',
  igw: 'internet routes removed (internet gateway, egress-only gateway, NAT gateway; VPN, peering and TGW kept)',
};

/** The layer options cordon reads from ContainOptions (all optional: the default is the sg layer alone). */
export interface LayerOptions {
  layers?: Layer[];
  naclMode?: NaclMode;
  allowCidrs?: string[];
}

/** "sg,nacl", "subnet", "edge,igw" … → the layers, in canonical order. Throws a usage CordonError. */
export function parseLayers(spec: string): Layer[] {
  const out = new Set<Layer>();
  const words = spec
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  if (words.length === 0) throw badLayers(spec);
  for (const w of words) {
    const preset = LAYER_PRESETS[w];
    if (preset) preset.forEach((l) => out.add(l));
    else if ((LAYERS as readonly string[]).includes(w)) out.add(w as Layer);
    else throw badLayers(spec, w);
  }
  return LAYERS.filter((l) => out.has(l));
}

function badLayers(spec: string, word?: string): CordonError {
  return new CordonError(
    'bad-layers',
    word ? `unknown layer "${word}" in --layers ${spec}` : '--layers needs at least one layer',
    EXIT.usage,
    `layers: ${LAYERS.join(', ')}; presets: ${Object.entries(LAYER_PRESETS)
      .map(([k, v]) => `${k} (${v.join('+')})`)
      .join(', ')}`,
  );
}

export function layersOf(o: LayerOptions): Layer[] {
  return o.layers && o.layers.length ? LAYERS.filter((l) => o.layers!.includes(l)) : ['sg'];
}

export function hasLayer(o: LayerOptions, l: Layer): boolean {
  return layersOf(o).includes(l);
}

/** Layers that act on the subnet or its edge (they need the subnet facts and the blast radius). */
export function subnetLayers(o: LayerOptions): Layer[] {
  return layersOf(o).filter((l) => l !== 'sg');
}

export function naclModeOf(o: LayerOptions): NaclMode {
  return o.naclMode ?? 'dedicated';
}

/** Canonical, sorted, de-duplicated allow-list; '' when none. The key of a per-allow-list isolation entity. */
export function allowListKey(cidrs: string[] | undefined): string {
  return [...new Set((cidrs ?? []).map((c) => canonicalCidr(c) ?? c))].sort().join(',');
}

export function allowList(o: LayerOptions): string[] {
  const k = allowListKey(o.allowCidrs);
  return k ? k.split(',') : [];
}

/** Validates the layer options (library and CLI alike). Throws a usage CordonError; changes nothing. */
export function validateLayerOptions(o: LayerOptions): void {
  for (const l of o.layers ?? [])
    if (!(LAYERS as readonly string[]).includes(l)) throw badLayers((o.layers ?? []).join(','), l);
  if (o.naclMode !== undefined && !NACL_MODES.includes(o.naclMode)) {
    throw new CordonError(
      'bad-nacl-mode',
      `--nacl-mode must be top or dedicated, not "${o.naclMode}"`,
      EXIT.usage,
      "dedicated (default) associates an isolation NACL with the subnet; top inserts deny rules before the subnet NACL's own",
    );
  }
  for (const c of o.allowCidrs ?? []) {
    const parsed = parseCidr(c);
    if (!parsed || canonicalCidr(c) === undefined) {
      throw new CordonError(
        'bad-allow-cidr',
        `--allow-cidr "${c}" is not a CIDR`,
        EXIT.usage,
        'give the forensics network as a CIDR, e.g. --allow-cidr 10.99.0.0/24',
      );
    }
    if (isAnyCidr(canonicalCidr(c)) || parsed.prefix === 0) {
      throw new CordonError(
        'bad-allow-cidr',
        `--allow-cidr ${c} would let everything through`,
        EXIT.usage,
        'allow only the forensics network, e.g. --allow-cidr 10.99.0.0/24',
      );
    }
  }
  if ((o.allowCidrs?.length ?? 0) > 8) {
    throw new CordonError(
      'bad-allow-cidr',
      `at most 8 --allow-cidr networks (got ${o.allowCidrs!.length})`,
      EXIT.usage,
      'a NACL holds 20 rules per direction and family; summarise the forensics networks into fewer CIDRs',
    );
  }
}
