// The containment options a deployment is configured with, turned into the CLI's flags — which is exactly the form
// the Lambda handler reads them in (a variable CORDON_<FLAG> per flag, src/lambda/config.ts) — and from those flags,
// through the CLI's own functions (layerRequest, playbookRequest), into the ContainOptions the IAM policy is computed
// for. So the policy is derived from the very values the handler will run with, and a deployment cannot be
// configured with options the CLI would refuse.

import { layerRequest } from '../../src/cli/layers.js';
import { playbookRequest } from '../../src/cli/playbook-flags.js';
import { parseLayers, type NaclMode } from '../../src/core/layers.js';
import type { PlaybookOptions } from '../../src/core/playbook.js';
import type { ContainOptions } from '../../src/core/plan.js';

/** The playbook fields a deployment can set (waiting for snapshots is not possible within a Lambda's 15 minutes). */
export type DeployablePlaybook = Partial<Omit<PlaybookOptions, 'wait' | 'waitPollSeconds' | 'waitTimeoutSeconds'>>;

/** Containment options, as the CLI's flags. Everything is optional: absent = the CLI's default. */
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
   * `--accept-blast-radius`: let the subnet-level layers cut the other interfaces of the subnet. Without it, an
   * unattended containment whose plan cuts other interfaces is refused (there is nobody to ask).
   */
  readonly acceptBlastRadius?: boolean;
  /** The playbook: PlaybookOptions fields (`asg`, `elb`, `disassociateProfile`, `revokeSessions`, …); unset = default. */
  readonly playbook?: DeployablePlaybook;
}

/** The CLI flags these options stand for (camelCase, as a direct invoke's or a worker's `options` takes them). */
export interface OptionFlags {
  layers: string;
  naclMode?: string;
  allowCidr?: string[];
  noConntrack?: boolean;
  acceptBlastRadius?: boolean;
  noAsg?: boolean;
  asgDecrement?: boolean;
  asgStandby?: boolean;
  noElb?: boolean;
  keepProfile?: boolean;
  revokeSessions?: boolean;
  revokeScope?: string;
  keepImds?: boolean;
  noPreserve?: boolean;
  noEvidence?: boolean;
  noImage?: boolean;
}

const PLAYBOOK_KEYS = [
  'asg',
  'asgDecrement',
  'elb',
  'disassociateProfile',
  'revokeSessions',
  'revokeScope',
  'disableImds',
  'preserve',
  'evidence',
  'image',
];

/** Only the flags that differ from the defaults are set. Throws on a playbook field a deployment cannot set. */
export function optionFlags(o: CordonOptions = {}): OptionFlags {
  const p = (o.playbook ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(p))
    if (!PLAYBOOK_KEYS.includes(k))
      throw new Error(
        k.startsWith('wait')
          ? `playbook.${k} cannot be used from Lambda (snapshots can take hours)`
          : `playbook.${k} is not a playbook option (${PLAYBOOK_KEYS.join(', ')})`,
      );
  const pb = o.playbook ?? {};
  if (pb.asg !== undefined && !['detach', 'standby', 'skip'].includes(pb.asg))
    throw new Error(`playbook.asg must be detach, standby or skip, not "${String(pb.asg)}"`);
  // Canonical: presets expanded, in the order cordon applies them.
  const flags: OptionFlags = { layers: parseLayers((o.layers ?? ['sg']).join(',')).join(',') };
  const set = <K extends keyof OptionFlags>(k: K, v: OptionFlags[K] | undefined | false): void => {
    if (v !== undefined && v !== false) flags[k] = v;
  };
  set('naclMode', o.naclMode);
  set('allowCidr', o.allowCidrs?.length ? [...o.allowCidrs] : undefined);
  set('noConntrack', o.lowerConntrack === false);
  set('acceptBlastRadius', o.acceptBlastRadius === true);
  set('noAsg', pb.asg === 'skip');
  set('asgStandby', pb.asg === 'standby');
  set('asgDecrement', pb.asgDecrement === true);
  set('noElb', pb.elb === false);
  set('keepProfile', pb.disassociateProfile === false);
  set('revokeSessions', pb.revokeSessions === true);
  set('revokeScope', pb.revokeScope);
  set('keepImds', pb.disableImds === false);
  set('noPreserve', pb.preserve === false);
  set('noEvidence', pb.evidence === false);
  set('noImage', pb.image === false);
  return flags;
}

/** `CORDON_<FLAG>` (SNAKE_CASE) for each flag, as the handler reads them: booleans `true`, lists comma-separated. */
export function flagEnvironment(flags: OptionFlags): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined) continue;
    const name = `CORDON_${k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    if (Array.isArray(v) && v.some((x: string) => x.includes(',')))
      throw new Error(`${k}: a value may not contain a comma`);
    env[name] = Array.isArray(v) ? v.join(',') : String(v);
  }
  return env;
}

/**
 * The ContainOptions these options stand for: the flags through the CLI's own parsing, as `cordon iam-policy`
 * (src/cli/iam-policy.ts) and the Lambda handler do. Throws cordon's usage errors for what the CLI would refuse.
 */
export function containOptions(o: CordonOptions = {}): ContainOptions {
  const f = optionFlags(o);
  const layers = layerRequest({ layers: f.layers, naclMode: f.naclMode, allowCidr: f.allowCidr });
  const playbook = playbookRequest({
    asgDetach: f.noAsg !== true,
    asgDecrement: f.asgDecrement,
    asgStandby: f.asgStandby,
    elb: f.noElb !== true,
    keepProfile: f.keepProfile,
    revokeSessions: f.revokeSessions,
    revokeScope: f.revokeScope,
    keepImds: f.keepImds,
    preserve: f.noPreserve !== true,
    evidence: f.noEvidence !== true,
    image: f.noImage !== true,
  });
  return {
    incident: 'policy',
    lowerConntrack: f.noConntrack !== true,
    playbook: playbook as PlaybookOptions,
    ...layers,
  };
}
