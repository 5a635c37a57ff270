// What a containment step is (DESIGN.md §3): an id, its IAM permissions, what it depends on, and four functions —
// plan (pure: facts → changes), preflight (EC2 DryRun of each call it will make), apply, and restore.

import type { Change, ContainOptions } from '../core/plan.js';
import type { ConnTrackFacts, EniFacts, InstanceFacts, SecurityGroupFacts } from '../core/facts.js';
import { allowListKey } from '../core/layers.js';
import type { Gateway } from '../aws/gateway.js';
import type { Journal } from '../engine/journal.js';

/** A VPC's isolation groups: step 1 (open), step 2 (empty), and step-2 groups with an allow-list (by its key). */
export interface IsolationGroups {
  open?: SecurityGroupFacts;
  empty?: SecurityGroupFacts;
  allow?: Record<string, SecurityGroupFacts>;
}

export interface PlanInput {
  instances: InstanceFacts[];
  /** Isolation groups found in each VPC (by cordon:role tag). */
  isolationGroups: Record<string, IsolationGroups>;
  options: ContainOptions;
  now: string;
  /**
   * Originals of ENIs from the local journal of an earlier, interrupted run of the same incident (by ENI id). Used
   * when an ENI is already on an isolation group but its record tags never reached AWS.
   */
  knownOriginals?: Record<string, { groups: string[]; connectionTracking: ConnTrackFacts }>;
  /**
   * Groups tagged as cordon's isolation groups whose tags or rules are not cordon's (tampered): never used, never an
   * original either.
   */
  tamperedGroupIds?: string[];
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
  /** Reports progress of a long-running part of a step (e.g. waiting for snapshots); optional. */
  progress?(stepId: string, instanceId: string | undefined, message: string): void;
  /** How a change of this run ended, once its step has run (steps that settle changes one by one say so). */
  outcome?(changeId: string): 'done' | 'failed' | undefined;
  /** Resolves once a change of this run has ended (at once, undefined, for a change the plan does not make). */
  whenSettled?(changeId: string): Promise<'done' | 'failed' | undefined>;
  /** Records how one change ended (a step whose changes can succeed or fail one by one). */
  settle?(changeId: string, ok: boolean): void;
  /** The run's deadline (ms since the epoch), if any. */
  deadline?: number;
  /** The SHA-256 of this run's plan record in the journal: every record tag cordon writes carries it. */
  journalSha?: string;
}

/** What restore knows about one instance: its current facts and the write-ahead records. */
export interface RestoreInput {
  instance: InstanceFacts;
  incident: string;
  /** Isolation groups of the instance's VPC. */
  isolation: IsolationGroups;
  /** Groups tagged as cordon's isolation groups but tampered with (see PlanInput): isolation, never an original. */
  tamperedGroupIds: string[];
  /** The first recorded original of (resource, attribute) in the local journal. */
  journalOriginal(resource: string, attribute: string): unknown;
  /**
   * The original of (resource, attribute), cross-checked: `fromTags` is what the resource's record tags say,
   * `fromJournal` what the local journal says, in the same comparable form (undefined: not recorded there). They
   * agree → that value; they differ → restore refuses (unless told which to trust); only tags → used, with a warning
   * (anyone able to tag the resource could have written them).
   */
  pick<T>(
    resource: string,
    attribute: string,
    fromTags: T | undefined,
    fromJournal: T | undefined,
  ): { value: T; source: RestoreItem['source'] } | undefined;
  /** Also remove the session-revocation policy cordon added (`cordon restore --remove-revocation`). */
  removeRevocation?: boolean;
}

export interface RestoreItem {
  stepId: string;
  instanceId: string;
  resource: string;
  attribute: string;
  current: unknown;
  original: unknown;
  /** Where the original came from ('tags+journal': both, and they agree). */
  source: 'tags' | 'journal' | 'tags+journal' | 'step';
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
  /**
   * How its calls queue at the scheduler: 'swap-open' / 'swap-close' (the two security-group swaps of an ENI: the
   * second's token is reserved with the first), 'first' (before everything but the swaps: subnet boundaries),
   * 'critical', 'conntrack', 'playbook', 'evidence'. Default: 'critical' for critical steps, else 'playbook'.
   */
  schedule?: 'swap-open' | 'swap-close' | 'first' | 'critical' | 'conntrack' | 'playbook' | 'evidence';
  /**
   * Ordering without dependency: start only once these steps have finished, whatever their outcome. For work that
   * must not compete with the network isolation but is still wanted when isolation fails.
   */
  after?: string[];
  /** Whether the step is in play for these options (default: always). `cordon iam-policy` uses it. */
  enabled?(options: ContainOptions): boolean;
  plan(input: PlanInput): Change[];
  /** Pure: what the plan should say about this step beyond its changes (e.g. a read that failed, a size it lowers). */
  notes?(input: PlanInput): string[];
  /** Runs each call as an EC2 DryRun; throws PermissionMissing for a denied one. */
  preflight(ctx: StepContext, changes: Change[]): Promise<void>;
  apply(ctx: StepContext, changes: Change[]): Promise<void>;
  /** Restores run in ascending order of this number (security groups last: see docs). */
  restoreOrder?: number;
  /**
   * Restore every instance's items in one applyRestore call (the step orders them itself), instead of one call per
   * instance in parallel.
   */
  restoreTogether?: boolean;
  /** Pure: what to put back for one instance. */
  planRestore?(input: RestoreInput): RestoreItem[];
  applyRestore?(ctx: StepContext, items: RestoreItem[]): Promise<void>;
}

export function groupIdsOf(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

/** Isolation group ids for a VPC, existing or to be created (placeholder). */
export function isolationIds(
  input: Pick<PlanInput, 'isolationGroups' | 'options'>,
  vpcId: string,
): { open: string; empty: string } {
  const g = input.isolationGroups[vpcId];
  // With --allow-cidr, step 2 is that allow-list's own group (src/steps/allow-list-group.ts).
  const allow = allowListKey(input.options.allowCidrs);
  const empty = allow
    ? (g?.allow?.[allow]?.groupId ?? `new:isolation-allow:${vpcId}`)
    : (g?.empty?.groupId ?? `new:isolation-empty:${vpcId}`);
  return { open: g?.open?.groupId ?? `new:isolation-open:${vpcId}`, empty };
}

export function isIsolationGroup(input: Pick<PlanInput, 'isolationGroups' | 'tamperedGroupIds'>, id: string): boolean {
  if (input.tamperedGroupIds?.includes(id)) return true;
  return Object.values(input.isolationGroups).some(
    (g) =>
      g.open?.groupId === id || g.empty?.groupId === id || Object.values(g.allow ?? {}).some((a) => a.groupId === id),
  );
}

/** The ENIs a containment acts on: those cordon can modify (not requester-managed interface types). */
export function containableEnis(i: InstanceFacts): EniFacts[] {
  return i.enis.filter((e) => e.interfaceType === 'interface' || e.interfaceType === 'efa' || e.interfaceType === '');
}
