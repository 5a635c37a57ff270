// The rate-aware scheduler: every AWS call of a run (each attempt) waits here for a token of a client-side copy of
// the account's bucket for that action (src/core/rate-limits.ts), so a fleet goes through EC2's limits at the rate
// they allow instead of being answered RequestLimitExceeded. One scheduler per account × region (the buckets are
// per account and region). Calls queue per bucket in priority order (the isolation swaps of every instance first,
// then the rest of the critical path, the conntrack timeouts, the playbook, the evidence), and:
//
// - An ENI's first swap (onto the all-open group) is admitted only when a token for its second swap can be reserved
//   at once: the second swap then never waits behind other work, so no ENI sits on the all-open group for longer
//   than one round trip.
// - AWS's own answer wins: a RequestLimitExceeded (other tools spend the same buckets) empties the local bucket,
//   moves its refill phase and lowers the share of the refill rate cordon assumes it has; successes win it back.
// - A call carries a deadline: it waits for a token until then, and is not retried past it.
//
// The calls themselves reach here through an SDK middleware that runs inside the SDK's retry loop (src/aws/clients.ts);
// the context (priority, deadline, swap class) travels with AsyncLocalStorage from the step that makes the call.

import { AsyncLocalStorage } from 'node:async_hooks';
import { bucketOf, type BucketSize } from '../core/rate-limits.js';
import { CordonError, EXIT } from '../core/errors.js';

/** Lower runs first. */
export const PRIORITY = {
  swapClose: 0,
  swapOpen: 1,
  critical: 2,
  conntrack: 3,
  playbook: 4,
  evidence: 5,
} as const;

export interface ScheduleContext {
  priority: number;
  /**
   * 'open': an ENI's first swap (admitted only when the follow-up swap's token can be reserved with it); 'close':
   * its follow-up (or any move off the all-open group), which uses that reservation.
   */
  swap?: 'open' | 'close';
  /** Absolute time (ms since the epoch) after which the call is not sent, nor retried. */
  deadline?: number;
  /** What the call is for (a step id), for the call log. */
  label?: string;
}

export interface RateLimitOptions {
  /** Pace calls on the client side (default true). Off: every call goes at once, as the SDK alone would. */
  enabled?: boolean;
  /** Calls in flight at once, across every bucket (default 128): the rest wait here, in priority order. */
  maxInFlight?: number;
  /** Multiplies every bucket's size and refill rate (an account with raised limits; a simulator run with a scale). */
  scale?: number;
  /** Per action (EC2) or per service (autoscaling, iam, sts, elasticloadbalancing): { max, refill }. */
  overrides?: Record<string, BucketSize>;
}

/** One attempt of one AWS call, as the scheduler saw it. */
export interface CallRecord {
  /** IAM-style action name, e.g. ec2:ModifyNetworkInterfaceAttribute. */
  action: string;
  requestId?: string;
  /** When the request went on the wire (after any wait for a token). */
  startedMs: number;
  endedMs: number;
  ok: boolean;
  errorCode?: string;
  /** Time spent waiting for a token before it was sent. */
  waitedMs: number;
  priority: number;
  label?: string;
  /** The parameters that identify the resource (e.g. the ENI of a swap), for timelines. */
  resource?: string;
}

export class DeadlineExceeded extends CordonError {
  constructor(action: string, deadline: number) {
    super(
      'deadline',
      `${action} could not be sent before the deadline (${new Date(deadline).toISOString()}): the account's request rate for it is exhausted`,
      EXIT.incomplete,
      'rerun the same command to finish (it continues where this run stopped), or give a longer --deadline',
    );
  }
}

interface Waiter {
  seq: number;
  priority: number;
  swap?: 'open' | 'close';
  resource?: string;
  deadline: number;
  resolve(): void;
  reject(e: Error): void;
}

/** A client-side copy of one AWS bucket. Refills in whole-second quanta, like EC2. */
class Bucket {
  tokens: number;
  /**
   * Time of the next refill quantum; 0 until the first answer: the account's bucket refills on its own clock, and
   * the moment it first answered is the earliest its phase can be (it never runs ahead of ours).
   */
  nextRefill = 0;
  /** When the share was last lowered (one lowering per refill period, however many throttles it brought). */
  lastLowered = 0;
  /** Share of the refill rate cordon assumes it gets (1: all of it; lowered when AWS throttles anyway). */
  share = 1;
  readonly reserved = new Set<string>();
  readonly queue: Waiter[] = [];
  timer?: NodeJS.Timeout;
  /** A dispatch is due at the end of this turn of the event loop. */
  pending = false;
  throttled = 0;

  constructor(
    readonly key: string,
    readonly size: BucketSize,
  ) {
    this.tokens = size.max;
  }

  /** The first answer from the account: our refill quanta follow from now. */
  anchor(now: number): void {
    if (this.nextRefill === 0) this.nextRefill = now + REFILL_MS + PHASE_MARGIN_MS;
  }

  refill(now: number): void {
    if (this.nextRefill === 0 || now < this.nextRefill) return;
    const quanta = Math.floor((now - this.nextRefill) / REFILL_MS) + 1;
    this.tokens = Math.min(this.size.max, this.tokens + quanta * this.size.refill * this.share);
    this.nextRefill += quanta * REFILL_MS;
  }
}

const REFILL_MS = 1000;
/** Sent this long after a refill quantum: the account's bucket refills on its own clock, ours must not run ahead. */
const PHASE_MARGIN_MS = 30;
/** Calls without a deadline of their own (reads before containment starts, status, verify). */
const DEFAULT_CALL_BUDGET_MS = 120_000;

export class RateScheduler {
  private readonly buckets = new Map<string, Bucket>();
  private seq = 0;
  /** Every attempt of every call, in the order they ended. */
  readonly calls: CallRecord[] = [];
  private readonly scale: number;

  constructor(
    private readonly options: RateLimitOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.scale = options.scale ?? 1;
    if (!(this.scale > 0)) throw new RangeError('rate limit scale must be a positive number');
  }

  get enabled(): boolean {
    return this.options.enabled !== false;
  }

  private bucket(service: string, action: string, input: Record<string, unknown>): Bucket {
    const { key, size } = bucketOf(service, action, input);
    let b = this.buckets.get(key);
    if (!b) {
      const o = this.options.overrides?.[service === 'ec2' ? action : service];
      const s = o ?? { max: size.max * this.scale, refill: size.refill * this.scale };
      b = new Bucket(key, s);
      this.buckets.set(key, b);
    }
    return b;
  }

  private inFlight = 0;
  private readonly slotQueue: { priority: number; seq: number; resolve(): void }[] = [];

  /**
   * Waits for a token of the call's bucket, then for a free connection slot (both in priority order), and takes
   * them. Returns the function that frees the slot when the attempt has ended. Rejects with DeadlineExceeded when
   * the call cannot be sent before its deadline.
   */
  async acquire(
    service: string,
    action: string,
    input: Record<string, unknown>,
    ctx: ScheduleContext | undefined,
  ): Promise<() => void> {
    await this.token(service, action, input, ctx);
    const priority = ctx?.priority ?? PRIORITY.critical;
    const max = this.options.maxInFlight ?? 128;
    if (this.inFlight >= max) {
      await new Promise<void>((resolve) => {
        const w = { priority, seq: this.seq++, resolve };
        let i = this.slotQueue.length;
        while (
          i > 0 &&
          (this.slotQueue[i - 1]!.priority > w.priority ||
            (this.slotQueue[i - 1]!.priority === w.priority && this.slotQueue[i - 1]!.seq > w.seq))
        )
          i--;
        this.slotQueue.splice(i, 0, w);
      });
    } else this.inFlight++;
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      const next = this.slotQueue.shift();
      // The slot passes straight to the next waiter (inFlight unchanged), or is given back.
      if (next) next.resolve();
      else this.inFlight--;
    };
  }

  /** Waits for a token of the call's bucket (in priority order), then takes it. */
  private token(
    service: string,
    action: string,
    input: Record<string, unknown>,
    ctx: ScheduleContext | undefined,
  ): Promise<void> {
    const deadline = ctx?.deadline ?? this.now() + DEFAULT_CALL_BUDGET_MS;
    if (!this.enabled) {
      return this.now() > deadline
        ? Promise.reject(new DeadlineExceeded(`${service}:${action}`, deadline))
        : Promise.resolve();
    }
    const b = this.bucket(service, action, input);
    const resource = typeof input.NetworkInterfaceId === 'string' ? input.NetworkInterfaceId : undefined;
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        seq: this.seq++,
        priority: ctx?.priority ?? PRIORITY.critical,
        swap: ctx?.swap,
        resource,
        deadline,
        resolve,
        reject: (e) => reject(e),
      };
      // Sorted insert: priority, then arrival.
      let i = b.queue.length;
      while (
        i > 0 &&
        (b.queue[i - 1]!.priority > w.priority ||
          (b.queue[i - 1]!.priority === w.priority && b.queue[i - 1]!.seq > w.seq))
      )
        i--;
      b.queue.splice(i, 0, w);
      (w as Waiter & { action: string }).action = `${service}:${action}`;
      this.soon(b);
    });
  }

  /**
   * Dispatches once the calls made in this turn of the event loop have all queued: priority decides among them,
   * not which step happened to ask first (a fleet's steps all start in the same turn).
   */
  private soon(b: Bucket): void {
    if (b.pending) return;
    b.pending = true;
    setImmediate(() => {
      b.pending = false;
      this.dispatch(b);
    });
  }

  private dispatch(b: Bucket): void {
    if (b.timer) {
      clearTimeout(b.timer);
      b.timer = undefined;
    }
    const now = this.now();
    b.refill(now);
    // Waiters past their deadline give up, wherever they are in the queue.
    for (let i = b.queue.length - 1; i >= 0; i--) {
      const w = b.queue[i]!;
      if (w.deadline < now) {
        b.queue.splice(i, 1);
        if (w.swap === 'open' && w.resource) b.reserved.delete(w.resource);
        w.reject(new DeadlineExceeded((w as Waiter & { action: string }).action, w.deadline));
      }
    }
    while (b.queue.length) {
      const w = b.queue[0]!;
      const holdsReservation = w.swap === 'close' && !!w.resource && b.reserved.has(w.resource);
      // A close may spend reserved tokens (its own, or — for an ENI found on the all-open group — anyone's: closes
      // come first). Everything else leaves the reserved ones alone; an open needs a second token to reserve.
      const free = w.swap === 'close' ? b.tokens : b.tokens - b.reserved.size;
      const need = w.swap === 'open' ? 2 : 1;
      if (free < need && !(holdsReservation && b.tokens >= 1)) break;
      b.queue.shift();
      b.tokens -= 1;
      if (w.swap === 'open' && w.resource) b.reserved.add(w.resource);
      if (w.swap === 'close' && w.resource) b.reserved.delete(w.resource);
      w.resolve();
    }
    if (b.queue.length) {
      const earliestDeadline = Math.min(...b.queue.map((w) => w.deadline));
      // Not anchored yet: the first answer will anchor it (and dispatch); until then, look again shortly.
      const wake = b.nextRefill === 0 ? now + 50 : Math.max(b.nextRefill, now + 1);
      b.timer = setTimeout(() => this.dispatch(b), Math.max(1, Math.min(wake, earliestDeadline + 1) - now));
    }
  }

  /** AWS answered RequestLimitExceeded / Throttling: its bucket is empty now, and others may be spending it too. */
  throttled(service: string, action: string, input: Record<string, unknown>): void {
    if (!this.enabled) return;
    const b = this.bucket(service, action, input);
    const now = this.now();
    b.throttled++;
    b.anchor(now);
    b.refill(now);
    b.tokens = Math.min(b.tokens, 0);
    // Once per refill period, however many calls it throttled: our phase may run ahead of the account's (look a
    // little later from now on), and others may be spending the same bucket (assume a smaller share of its refill).
    if (now - b.lastLowered >= REFILL_MS) {
      b.lastLowered = now;
      b.nextRefill += 100;
      b.share = Math.max(0.25, b.share * 0.85);
    }
  }

  succeeded(service: string, action: string, input: Record<string, unknown>): void {
    if (!this.enabled) return;
    const b = this.bucket(service, action, input);
    const first = b.nextRefill === 0;
    b.anchor(this.now());
    if (b.share < 1) b.share = Math.min(1, b.share + 0.02);
    if (first && b.queue.length) this.dispatch(b);
  }

  /** An ENI's first swap failed for good: its reserved follow-up token goes back. */
  release(resource: string): void {
    for (const b of this.buckets.values()) if (b.reserved.delete(resource)) this.dispatch(b);
  }

  record(c: CallRecord): void {
    this.calls.push(c);
  }

  /** Buckets as cordon sees them (for progress and the bench). */
  view(): {
    key: string;
    tokens: number;
    max: number;
    refill: number;
    share: number;
    queued: number;
    throttled: number;
  }[] {
    return [...this.buckets.values()].map((b) => ({
      key: b.key,
      tokens: Math.round(b.tokens * 100) / 100,
      max: b.size.max,
      refill: b.size.refill,
      share: Math.round(b.share * 100) / 100,
      queued: b.queue.length,
      throttled: b.throttled,
    }));
  }

  /** The nominal size of the bucket a call would draw on (for bounds and ETAs). */
  sizeOf(service: string, action: string, input: Record<string, unknown> = { Filters: [] }): BucketSize {
    return this.bucket(service, action, input).size;
  }
}

const scheduleStore = new AsyncLocalStorage<ScheduleContext>();

/** Runs fn with this schedule context: every AWS call it makes (at any depth) is queued with it. */
export function withSchedule<T>(ctx: ScheduleContext, fn: () => Promise<T>): Promise<T> {
  const outer = scheduleStore.getStore();
  // An inner context keeps the outer deadline unless it sets its own.
  return scheduleStore.run({ ...ctx, deadline: ctx.deadline ?? outer?.deadline }, fn);
}

export function currentSchedule(): ScheduleContext | undefined {
  return scheduleStore.getStore();
}
