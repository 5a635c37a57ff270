// What a containment step is (DESIGN.md §3): an id, its IAM permissions, what it depends on, and four functions —
// plan (pure: facts → changes), preflight (EC2 DryRun of each call it will make), apply, and restore.

import type { Change, ContainOptions } from '../core/plan.js';
import type { EniFacts, InstanceFacts, SecurityGroupFacts } from '../core/facts.js';
import type { Gateway } from '../aws/gateway.js';
import type { Journal } from '../engine/journal.js';

export interface PlanInput {
  instances: InstanceFacts[];
  /** Isolation groups found in each VPC (by cordon:role tag). */
  isolationGroups: Record<string, { open?: SecurityGroupFacts; empty?: SecurityGroupFacts }>;
  options: ContainOptions;
  now: string;
}

export interface StepContext {
  gateway: Gateway;
  journal: Journal;
  incident: string;
  now(): string;
  /** Real id for a placeholder created earlier in this run (or the id itself). */
  resolve(id: string): string;
  setResolved(placeholder: string, id: string): void;
  /** Adds a warning to the result (e.g. a setting the instance type does not support). */
  warn(instanceId: string | undefined, message: string): void;
}

/** What restore knows about one instance: its current facts and the write-ahead records. */
export interface RestoreInput {
  instance: InstanceFacts;
  incident: string;
  /** Isolation groups of the instance's VPC. */
  isolation: { open?: SecurityGroupFacts; empty?: SecurityGroupFacts };
  /** The first recorded original of (resource, attribute) in the local journal. */
  journalOriginal(resource: string, attribute: string): unknown;
}

export interface RestoreItem {
  stepId: string;
  instanceId: string;
  resource: string;
  attribute: string;
  current: unknown;
  original: unknown;
  /** Where the original came from. */
  source: 'tags' | 'journal' | 'step';
  /** Set when the resource changed since containment (restore refuses unless forced). */
  drift?: string;
  summary: string;
}

export interface StepDef {
  id: string;
  title: string;
  layer: 'network' | 'audit';
  /** On the critical path to network isolation: nothing else may delay it. */
  critical: boolean;
  /** IAM actions this step's apply and restore need (the source of `cordon iam-policy`). */
  permissions: string[];
  dependsOn: string[];
  plan(input: PlanInput): Change[];
  /** Runs each call as an EC2 DryRun; throws PermissionMissing for a denied one. */
  preflight(ctx: StepContext, changes: Change[]): Promise<void>;
  apply(ctx: StepContext, changes: Change[]): Promise<void>;
  /** Restores run in ascending order of this number (security groups last: see docs). */
  restoreOrder?: number;
  /** Pure: what to put back for one instance. */
  planRestore?(input: RestoreInput): RestoreItem[];
  applyRestore?(ctx: StepContext, items: RestoreItem[]): Promise<void>;
}

export function groupIdsOf(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

/** Isolation group ids for a VPC, existing or to be created (placeholder). */
export function isolationIds(input: PlanInput, vpcId: string): { open: string; empty: string } {
  const g = input.isolationGroups[vpcId];
  return { open: g?.open?.groupId ?? `new:isolation-open:${vpcId}`, empty: g?.empty?.groupId ?? `new:isolation-empty:${vpcId}` };
}

export function isIsolationGroup(input: PlanInput, id: string): boolean {
  return Object.values(input.isolationGroups).some((g) => g.open?.groupId === id || g.empty?.groupId === id);
}

/** The ENIs a containment acts on: those cordon can modify (not requester-managed interface types). */
export function containableEnis(i: InstanceFacts): EniFacts[] {
  return i.enis.filter((e) => e.interfaceType === 'interface' || e.interfaceType === 'efa' || e.interfaceType === '');
}
