// Coalescing: many small requests of the same kind made by a fleet's steps (tag these 1,000 ENIs with the same
// record, detach these 20 instances from the same group, read the registrations of these instances) become one AWS
// call per key, up to the API's own limit. Requests made in the same turn of the event loop go together; while a
// call for a key is waiting for a token or in flight, new requests for that key gather for the next call — so the
// more the account's buckets hold calls back, the bigger the batches get.
//
// A batch that fails (after the SDK's retries) is retried item by item, so one bad resource fails only itself.

import { currentSchedule, withSchedule, type ScheduleContext } from './scheduler.js';

interface Pending<T, R> {
  item: T;
  ctx?: ScheduleContext;
  resolve(r: R): void;
  reject(e: unknown): void;
}

export class Coalescer<T, R> {
  private readonly queues = new Map<string, Pending<T, R>[]>();
  private readonly busy = new Set<string>();
  private readonly scheduled = new Set<string>();

  constructor(
    /** Sends one call for these items (all of the same key); returns one result per item, in order. */
    private readonly send: (key: string, items: T[]) => Promise<R[]>,
    /** Most items one call may carry. */
    private readonly max: number,
  ) {}

  add(key: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const q = this.queues.get(key) ?? [];
      q.push({ item, ctx: currentSchedule(), resolve, reject });
      this.queues.set(key, q);
      this.kick(key);
    });
  }

  private kick(key: string): void {
    if (this.busy.has(key) || this.scheduled.has(key)) return;
    this.scheduled.add(key);
    setImmediate(() => {
      this.scheduled.delete(key);
      void this.flush(key);
    });
  }

  private async flush(key: string): Promise<void> {
    const q = this.queues.get(key);
    if (!q?.length || this.busy.has(key)) return;
    const batch = q.splice(0, this.max);
    if (q.length === 0) this.queues.delete(key);
    this.busy.add(key);
    // The batch goes with the most urgent of its requests, and lives as long as the most patient one.
    const ctx = merge(batch.map((p) => p.ctx));
    try {
      const results = await (ctx
        ? withSchedule(ctx, () =>
            this.send(
              key,
              batch.map((p) => p.item),
            ),
          )
        : this.send(
            key,
            batch.map((p) => p.item),
          ));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (e) {
      if (batch.length === 1) batch[0]!.reject(e);
      else {
        // One bad item must not fail the others: each on its own.
        await Promise.all(
          batch.map(async (p) => {
            try {
              const one = await (p.ctx
                ? withSchedule(p.ctx, () => this.send(key, [p.item]))
                : this.send(key, [p.item]));
              p.resolve(one[0]!);
            } catch (e1) {
              p.reject(e1);
            }
          }),
        );
      }
    } finally {
      this.busy.delete(key);
      if (this.queues.get(key)?.length) this.kick(key);
    }
  }
}

function merge(ctxs: (ScheduleContext | undefined)[]): ScheduleContext | undefined {
  const set = ctxs.filter((c): c is ScheduleContext => !!c);
  if (set.length === 0) return undefined;
  const deadlines = set.map((c) => c.deadline);
  return {
    priority: Math.min(...set.map((c) => c.priority)),
    deadline: deadlines.some((d) => d === undefined) ? undefined : Math.max(...(deadlines as number[])),
    label: set[0]!.label,
  };
}
