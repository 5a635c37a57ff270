// The containment options a deployment is configured with — the same ones `cordon plan` / `cordon contain` /
// `cordon iam-policy` take as flags — turned into cordon's ContainOptions (for the IAM policy) and into the Lambda's
// environment (for the handler). Validation is the CLI's own (parseLayers, validateLayerOptions), so a deployment
// cannot be configured with options the CLI would refuse.

import { parseLayers, validateLayerOptions, type Layer, type NaclMode } from '../../src/core/layers.js';
import { DEFAULT_PLAYBOOK, type PlaybookOptions } from '../../src/core/playbook.js';
import type { ContainOptions } from '../../src/core/plan.js';

/** Containment options, as the CLI flags of the same names. Everything is optional: absent = the CLI's default. */
export interface CordonOptions {
  /** Layers or presets, as `--layers` takes them: `sg`, `nacl`, `route`, `igw`, `targeted`, `subnet`, `edge`, `full`. Default `['sg']`. */
  readonly layers?: string[];
  /** `--nacl-mode`: `dedicated` (default) or `top`; needs the nacl layer. */
  readonly naclMode?: NaclMode;
  /** `--allow-cidr`: forensics networks let through the isolation group and the NACL. */
  readonly allowCidrs?: string[];
  /** `--no-conntrack` is `false`. Default `true`. */
  readonly lowerConntrack?: boolean;
  /**
   * The playbook flags (`--no-asg`, `--no-elb`, `--keep-profile`, `--revoke-sessions`, `--no-evidence`, …) as
   * PlaybookOptions fields; unset fields keep the defaults. `wait` is refused: a Lambda cannot wait hours for
   * snapshots.
   */
  readonly playbook?: Partial<PlaybookOptions>;
}

/** The layers the options name, in canonical order (presets expanded). Throws cordon's usage error. */
export function resolveLayers(o: CordonOptions): Layer[] {
  return parseLayers((o.layers ?? ['sg']).join(','));
}

/**
 * The ContainOptions these options stand for — what `cordon iam-policy` builds from the same flags
 * (src/cli/iam-policy.ts): the layer request validated like `layerRequest`, the playbook as given.
 */
export function containOptions(o: CordonOptions = {}): ContainOptions {
  const layers = resolveLayers(o);
  const req = { layers, naclMode: o.naclMode, allowCidrs: o.allowCidrs };
  validateLayerOptions(req);
  if (o.naclMode !== undefined && !layers.includes('nacl'))
    throw new Error(`naclMode "${o.naclMode}" needs the nacl layer (layers: ['subnet'] or ['sg', 'nacl'])`);
  if (o.playbook?.wait) throw new Error('playbook.wait cannot be used from Lambda (snapshots can take hours)');
  for (const [k, v] of Object.entries(o.playbook ?? {})) {
    if (!(k in DEFAULT_PLAYBOOK)) throw new Error(`playbook.${k} is not a playbook option`);
    if (v !== undefined && typeof v !== typeof DEFAULT_PLAYBOOK[k as keyof PlaybookOptions])
      throw new Error(`playbook.${k} must be a ${typeof DEFAULT_PLAYBOOK[k as keyof PlaybookOptions]}`);
  }
  return {
    incident: 'policy',
    lowerConntrack: o.lowerConntrack ?? true,
    playbook: o.playbook as PlaybookOptions | undefined,
    ...req,
  };
}

/** The playbook fields that were set (the handler resolves the rest against the defaults, like the CLI). */
export function playbookJson(o: CordonOptions): string {
  const set = Object.fromEntries(Object.entries(o.playbook ?? {}).filter(([, v]) => v !== undefined));
  return JSON.stringify(set);
}
