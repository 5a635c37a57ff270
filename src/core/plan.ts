// A containment plan is data: JSON, versioned, printable, saved with --out and re-checked before apply.

import type { InstanceFacts } from './facts.js';
import type { PlaybookOptions } from './playbook.js';
import type { Layer, NaclMode } from './layers.js';
import type { BlastRadius } from './blast-radius.js';

export const PLAN_VERSION = 1;

export interface ContainOptions {
  incident: string;
  /** Lower the ENIs' connection-tracking idle timeouts (TCP established 60 s, UDP stream 60 s, UDP 30 s). */
  lowerConntrack: boolean;
  /** Skip the all-open step (a naive one-step swap: tracked connections survive). For demonstrations only. */
  skipUntrackStep?: boolean;
  /** The rest of the playbook (Auto Scaling, load balancers, IAM, IMDS, evidence); absent = the defaults. */
  playbook?: PlaybookOptions;
  /** Containment layers (src/core/layers.ts): absent = ['sg']. */
  layers?: Layer[];
  /** NACL layer: a dedicated isolation NACL (default) or deny entries on top of the subnet's own NACL. */
  naclMode?: NaclMode;
  /** Forensics networks let through the isolation group and the NACL layer. */
  allowCidrs?: string[];
}

export const LOWERED_CONNTRACK = { tcpEstablishedTimeout: 60, udpStreamTimeout: 60, udpTimeout: 30 } as const;

export interface Change {
  /** Unique within the plan: `<step>:<resource>`. */
  id: string;
  stepId: string;
  resource: string;
  resourceType: 'instance' | 'network-interface' | 'security-group' | 'subnet' | 'network-acl' | 'route-table';
  attribute: string;
  before: unknown;
  after: unknown;
  /** On the network-isolation critical path. */
  critical: boolean;
  /** The instance the change is for (shared changes: the first instance that needs it). */
  instanceId?: string;
  /**
   * Shared changes (a VPC's isolation group, a subnet's NACL): every instance that needs it. Absent: the change
   * serves its own instance if it is on the instance or one of its ENIs, else every instance of the plan.
   */
  serves?: string[];
  /** Where to put the resource back if this change cannot be made (an ENI's original groups, for its second swap). */
  fallback?: unknown;
  /** Human summary, e.g. "eni-1: sg-a, sg-b → cordon-isolation-open". */
  summary: string;
}

export interface InstancePlan {
  instanceId: string;
  vpcId?: string;
  /** Hash of the facts the plan was made from: apply refuses a plan whose facts changed (stale). */
  fingerprint: string;
  facts: InstanceFacts;
  alreadyContained: boolean;
  warnings: string[];
}

export interface Plan {
  version: typeof PLAN_VERSION;
  incident: string;
  createdAt: string;
  region: string;
  options: ContainOptions;
  instances: InstancePlan[];
  /** Every change in execution order (steps in dependency order; per-ENI changes of one step run in parallel). */
  changes: Change[];
  /** Step ids on the critical path to network isolation, in order. */
  criticalPath: string[];
  warnings: string[];
  /** Other network interfaces the subnet- and edge-level layers hit (absent or empty: none). */
  blastRadius?: BlastRadius;
  /** Placeholder → description for resources the plan creates (resolved to real ids at apply). */
  creates: Record<string, string>;
}

/** A placeholder for an isolation group that does not exist yet. */
export function newGroupRef(role: string, vpcId: string): string {
  return `new:${role}:${vpcId}`;
}

export function isPlaceholder(id: string): boolean {
  return id.startsWith('new:');
}

/** A stable fingerprint of what containment depends on: state, ENIs and their groups, conntrack settings. */
export function fingerprint(f: InstanceFacts): string {
  const essence = {
    id: f.instanceId,
    state: f.state,
    enis: f.enis.map((e) => ({ id: e.networkInterfaceId, groups: [...e.groupIds].sort(), ct: e.connectionTracking })),
    // The subnet layers' NACLs, route tables and neighbours (src/aws/subnet-layers.ts); absent for the sg layer alone.
    subnetLayers: (f.extras?.['subnet-layers'] as { fingerprint?: string } | undefined)?.fingerprint,
  };
  return fnv1a(JSON.stringify(essence));
}

/** FNV-1a 32-bit, hex: enough to detect a changed fact set (not a security boundary). */
export function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
