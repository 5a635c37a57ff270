// A fleet: targets across accounts and regions, one worker per account × region (each with its own clients, so its
// own copy of that account's buckets), all in parallel. Every worker reads and plans first; the plans are shown and
// confirmed once, together; a refusal or a bad target anywhere changes nothing anywhere. Then each worker applies
// its plan and the results are merged, per instance, with a summary.

import type { AwsClients } from '../aws/clients.js';
import { resolveSelectors, callerAccount } from '../aws/targets.js';
import { CordonError, EXIT } from '../core/errors.js';
import type { Plan } from '../core/plan.js';
import { groupTargets, type Selectors, type Target, type TargetGroup } from '../core/targets.js';
import { openStateStore } from './state-store.js';
import { storeOptionsFromClients } from '../aws/s3-state.js';
import {
  Aborted,
  contain,
  newIncidentId,
  type Indicator,
  type ContainRequest,
  type ContainResult,
  type InstanceResult,
} from './contain.js';
import { restore, type RestoreRequest, type RestoreResult, type RestorePlan } from './restore.js';

export interface FleetTargets {
  targets: Target[];
  selectors?: Selectors;
  /** The run's region: for plain ids and selectors. */
  region?: string;
  /** Clients for an account × region (accountId undefined: the run's own credentials). */
  clientsFor(accountId: string | undefined, region: string): AwsClients;
}

export interface Worker {
  accountId?: string;
  region: string;
  instanceIds: string[];
  clients: AwsClients;
}

/** Resolves selectors, groups every target by account × region and makes each group's clients. */
export async function planWorkers(t: FleetTargets): Promise<Worker[]> {
  const targets = [...t.targets];
  const home = t.region ? t.clientsFor(undefined, t.region) : undefined;
  if (t.selectors && (t.selectors.tags.length || t.selectors.asgs.length)) {
    if (!home)
      throw new CordonError(
        'no-region',
        '--tag and --asg need a region',
        EXIT.usage,
        'pass --region or set AWS_REGION',
      );
    const found = await resolveSelectors(home, t.selectors);
    if (found.length === 0)
      throw new CordonError(
        'no-targets',
        `no instance matches ${describeSelectors(t.selectors)} in ${t.region}`,
        EXIT.refused,
        'check the tag or group name and the region; nothing was changed',
      );
    targets.push(...found);
  }
  if (targets.length === 0)
    throw new CordonError(
      'usage',
      'give at least one target: instance ids, instance ARNs, --targets FILE, --tag KEY=VALUE or --asg NAME',
      EXIT.usage,
      'e.g. cordon contain i-0123456789abcdef0',
    );
  const own = targets.some((x) => x.accountId) && home ? await callerAccount(home) : undefined;
  const groups: TargetGroup[] = groupTargets(targets, t.region, own);
  return groups.map((g) => ({
    accountId: g.accountId,
    region: g.region,
    instanceIds: g.instanceIds,
    clients: g.accountId === undefined && g.region === t.region && home ? home : t.clientsFor(g.accountId, g.region),
  }));
}

function describeSelectors(s: Selectors): string {
  return [...s.tags.map((x) => `--tag ${x.key}=${x.value}`), ...s.asgs.map((a) => `--asg ${a}`)].join(' ');
}

/**
 * Waits until every worker has reached the same point (or failed before it), then decides once for all.
 * A worker that failed makes the decision "no" for the others.
 */
class Barrier<T> {
  private readonly arrived: T[] = [];
  private pending: number;
  private failed = false;
  private decision?: Promise<boolean>;
  private release!: () => void;
  private readonly all = new Promise<void>((r) => (this.release = r));

  constructor(
    count: number,
    private readonly decide: (items: T[]) => Promise<boolean>,
  ) {
    this.pending = count;
  }

  async arrive(item: T): Promise<boolean> {
    this.arrived.push(item);
    this.done();
    await this.all;
    if (this.failed) return false;
    this.decision ??= this.decide(this.arrived);
    return this.decision;
  }

  /** This worker failed before it got here: the decision is "no" for everyone. */
  fail(): void {
    this.failed = true;
    this.done();
  }

  /** This worker will not come here (nothing to decide for it): the others do not wait for it. */
  leave(): void {
    this.done();
  }

  private done(): void {
    if (--this.pending <= 0) this.release();
  }
}

export interface FleetContainRequest extends Omit<ContainRequest, 'clients' | 'instanceIds' | 'confirm'> {
  /** Called once with every worker's plan before anything changes; return false to abort. */
  confirm?: (plans: Plan[]) => Promise<boolean>;
}

export interface WorkerResult {
  accountId?: string;
  region: string;
  instanceIds: string[];
  result?: ContainResult;
}

export interface FleetSummary {
  instances: number;
  contained: number;
  alreadyContained: number;
  incomplete: number;
  enis: number;
  /** When the last instance of the fleet reached isolation (undefined: not all did). */
  isolatedAfterMs?: number;
  completedAfterMs: number;
  calls: number;
  throttled: number;
  workers: { accountId?: string; region: string; instances: number; isolatedAfterMs?: number }[];
}

export interface FleetContainResult {
  incident: string;
  workers: WorkerResult[];
  /** Every worker's indicators (tampered isolation groups …), with where they were found. */
  indicators: (Indicator & { region: string; accountId?: string })[];
  instances: (InstanceResult & { region: string; accountId?: string })[];
  summary: FleetSummary;
}

export async function containFleet(workers: Worker[], r: FleetContainRequest): Promise<FleetContainResult> {
  // One store for every worker (opened with the first worker's credentials when given as a URL: for a fleet across
  // accounts, pass a store opened with the responder's own credentials — the workers' are the member accounts').
  if (typeof r.stateStore === 'string' && workers[0]) {
    const store = openStateStore(r.stateStore, await storeOptionsFromClients(workers[0].clients));
    try {
      return await containFleet(workers, { ...r, stateStore: store });
    } finally {
      store.destroy();
    }
  }
  const incident = r.incident ?? r.defaultIncident ?? newIncidentId();
  const gate = new Barrier<Plan>(workers.length, async (plans) => (r.confirm ? r.confirm(plans) : true));
  const blast = new Barrier<Plan>(workers.length, async (plans) =>
    r.confirmBlastRadius ? (await Promise.all(plans.map((p) => r.confirmBlastRadius!(p)))).every(Boolean) : false,
  );
  const results = await Promise.allSettled(
    workers.map(async (w) => {
      let asked = false;
      let passed = false;
      try {
        const result = await contain({
          ...r,
          clients: w.clients,
          instanceIds: w.instanceIds,
          incident: r.incident,
          defaultIncident: incident,
          confirmBlastRadius: (plan) => {
            asked = true;
            return blast.arrive(plan);
          },
          confirm: async (plan) => {
            passed = true;
            if (!asked) blast.leave();
            return gate.arrive(plan);
          },
        });
        return { accountId: w.accountId, region: w.region, instanceIds: w.instanceIds, result };
      } catch (e) {
        if (!passed) {
          if (!asked) blast.fail();
          gate.fail();
        }
        throw e;
      }
    }),
  );
  const failure = results.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  // A worker that refused before anything changed makes the whole run refuse: report the first real reason.
  if (failure) {
    const real = results
      .filter((x): x is PromiseRejectedResult => x.status === 'rejected')
      .map((x) => x.reason as Error)
      .find((e) => !(e instanceof Aborted));
    throw real ?? failure.reason;
  }
  const done = results.map((x) => (x as PromiseFulfilledResult<WorkerResult>).value);
  return mergeResults(done, incident);
}

function mergeResults(workers: WorkerResult[], incident: string): FleetContainResult {
  const instances = workers.flatMap((w) =>
    (w.result?.instances ?? []).map((i) => ({ ...i, region: w.region, accountId: w.accountId })),
  );
  const isolated = workers.map((w) => w.result?.isolatedAfterMs);
  const calls = workers.flatMap((w) => w.result?.calls ?? []);
  return {
    incident: workers[0]?.result?.incident ?? incident,
    workers,
    indicators: workers.flatMap((w) =>
      (w.result?.indicators ?? []).map((x) => ({ ...x, region: w.region, accountId: w.accountId })),
    ),
    instances,
    summary: {
      instances: instances.length,
      contained: instances.filter((i) => i.status === 'contained').length,
      alreadyContained: instances.filter((i) => i.status === 'already-contained').length,
      incomplete: instances.filter((i) => i.status === 'incomplete').length,
      enis: instances.reduce((a, i) => a + i.enis.length, 0),
      isolatedAfterMs: isolated.every((x) => x !== undefined) ? Math.max(0, ...(isolated as number[])) : undefined,
      completedAfterMs: Math.max(0, ...workers.map((w) => w.result?.completedAfterMs ?? 0)),
      calls: calls.length,
      throttled: calls.filter((c) => c.errorCode === 'RequestLimitExceeded' || c.errorCode === 'Throttling').length,
      workers: workers.map((w) => ({
        accountId: w.accountId,
        region: w.region,
        instances: w.instanceIds.length,
        isolatedAfterMs: w.result?.isolatedAfterMs,
      })),
    },
  };
}

export interface FleetRestoreResult {
  workers: { accountId?: string; region: string; result: RestoreResult }[];
  instances: (RestoreResult['instances'][number] & { region: string; accountId?: string })[];
}

/** Restores every worker's instances (each through its own scheduler), after one confirmation for all. */
export async function restoreFleet(
  workers: Worker[],
  r: Omit<RestoreRequest, 'clients' | 'instanceIds' | 'confirm'> & {
    confirm?: (plans: RestorePlan[]) => Promise<boolean>;
  },
): Promise<FleetRestoreResult> {
  if (typeof r.stateStore === 'string' && workers[0]) {
    const store = openStateStore(r.stateStore, await storeOptionsFromClients(workers[0].clients));
    try {
      return await restoreFleet(workers, { ...r, stateStore: store });
    } finally {
      store.destroy();
    }
  }
  const gate = new Barrier<RestorePlan>(workers.length, async (plans) => (r.confirm ? r.confirm(plans) : true));
  const results = await Promise.allSettled(
    workers.map(async (w) => {
      let passed = false;
      try {
        const result = await restore({
          ...r,
          clients: w.clients,
          instanceIds: w.instanceIds,
          confirm: (plan) => {
            passed = true;
            return gate.arrive(plan);
          },
        });
        return { accountId: w.accountId, region: w.region, result };
      } catch (e) {
        if (!passed) gate.fail();
        throw e;
      }
    }),
  );
  const rejected = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (rejected.length) {
    const real = rejected
      .map((x) => x.reason as CordonError)
      .find((e) => !(e instanceof CordonError && e.code === 'aborted'));
    throw real ?? rejected[0]!.reason;
  }
  const done = results.map((x) => (x as PromiseFulfilledResult<FleetRestoreResult['workers'][number]>).value);
  return {
    workers: done,
    instances: done.flatMap((w) => w.result.instances.map((i) => ({ ...i, region: w.region, accountId: w.accountId }))),
  };
}
