// The layer flags of `cordon plan` / `cordon contain` (--layers, --nacl-mode, --allow-cidr, --accept-blast-radius),
// the blast-radius section of a plan, the typed consent on a terminal, and the layer lines of a result.

import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { CordonError, EXIT } from '../core/errors.js';
import {
  LAYER_PRESETS,
  hasLayer,
  parseLayers,
  validateLayerOptions,
  type Layer,
  type NaclMode,
} from '../core/layers.js';
import type { Plan } from '../core/plan.js';
import { bold, green, yellow } from './render.js';

export interface LayerFlags {
  layers?: string;
  naclMode?: string;
  allowCidr?: string[];
  acceptBlastRadius?: boolean;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function addLayerOptions(cmd: Command, contain: boolean): Command {
  cmd
    .option(
      '--layers <layers>',
      `containment layers, comma-separated: sg, nacl, route, igw, or a preset: ${Object.entries(LAYER_PRESETS)
        .map(([k, v]) => `${k} (${v.join('+')})`)
        .join(', ')}`,
      'sg',
    )
    .option(
      '--nacl-mode <mode>',
      "NACL layer: dedicated (an isolation NACL for the subnet; default) or top (deny rules before the subnet NACL's own)",
    )
    .option(
      '--allow-cidr <cidr>',
      'let a forensics network through the isolation group and the NACL (repeatable)',
      collect,
    );
  if (contain)
    cmd.option(
      '--accept-blast-radius',
      'accept that the subnet-level layers also cut the other network interfaces the plan lists',
    );
  return cmd;
}

/** The layer fields of a plan/contain request, validated (usage errors change nothing). */
export function layerRequest(o: LayerFlags): { layers: Layer[]; naclMode?: NaclMode; allowCidrs?: string[] } {
  const layers = parseLayers(o.layers ?? 'sg');
  const req = { layers, naclMode: o.naclMode as NaclMode | undefined, allowCidrs: o.allowCidr };
  validateLayerOptions(req);
  if (o.naclMode !== undefined && !hasLayer(req, 'nacl')) {
    throw new CordonError(
      'usage',
      '--nacl-mode needs the nacl layer',
      EXIT.usage,
      'add it: --layers subnet (sg+nacl), or --layers sg,nacl',
    );
  }
  if (o.allowCidr?.length && !hasLayer(req, 'sg') && !hasLayer(req, 'nacl')) {
    throw new CordonError(
      'usage',
      '--allow-cidr applies to the sg and nacl layers, and neither is chosen',
      EXIT.usage,
      'e.g. --layers subnet --allow-cidr 10.99.0.0/24',
    );
  }
  return req;
}

export function renderBlastRadius(plan: Plan): string {
  const b = plan.blastRadius;
  if (!b) return '';
  const out: string[] = [];
  if (b.enis.length === 0) {
    out.push(
      green(
        `  blast radius: no other network interface is hit (${b.scopes.map((s) => `${s.layer} on ${s.resource}`).join(', ') || 'no subnet-level change'})`,
      ),
    );
    return out.join('\n');
  }
  out.push(bold(yellow(`  blast radius: ${b.enis.length} other network interface(s) lose connectivity too`)));
  for (const s of b.scopes)
    out.push(
      `    ${s.layer} on ${s.resource}${s.subnets.length > 1 || s.subnets[0] !== s.resource ? ` (subnets ${s.subnets.join(', ')})` : ''}: ${s.otherEnis} other ENI(s)`,
    );
  for (const e of b.enis) {
    const who = e.instanceId ? `instance ${e.instanceId}` : e.requesterId ? `managed by ${e.requesterId}` : e.kind;
    out.push(
      `    ${e.networkInterfaceId}  ${e.subnetId}  ${e.kind.padEnd(15)} ${who}; type ${e.interfaceType}${e.description ? `, "${e.description}"` : ''}${e.privateIp ? `, ${e.privateIp}` : ''}  [${e.layers.join(', ')}]`,
    );
    if (e.note) out.push(`        ${e.note}`);
  }
  return out.join('\n');
}

/** Typed consent on a terminal: the responder types how many other interfaces they accept to cut. */
export async function confirmBlastRadius(plan: Plan): Promise<boolean> {
  const n = plan.blastRadius?.enis.length ?? 0;
  if (!process.stdin.isTTY) return false;
  process.stderr.write(renderBlastRadius(plan) + '\n');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (
      await rl.question(`These ${n} interface(s) are cut too. Type "cut ${n}" to accept the blast radius: `)
    ).trim();
    return answer === `cut ${n}`;
  } finally {
    rl.close();
  }
}
