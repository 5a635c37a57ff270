// The retry policy cordon gives the SDK's retry loop (a RetryStrategyV2: the SDK's own retry middleware still runs
// every attempt). It differs from the SDK's standard strategy in two ways, both measured on a throttled fleet:
//
// - Throttling is retried until the call's deadline, with no delay of its own: the scheduler (src/aws/scheduler.ts)
//   holds the next attempt until the account's bucket has a token again. The standard strategy gives up after
//   maxAttempts, or as soon as its client-wide retry quota (500 tokens, 5 per throttled retry) is spent — after
//   ~100 throttled retries across the whole client, every further throttle surfaces as a failure. A 60-instance
//   containment spends that in seconds and left most ENIs half-swapped.
// - Transient errors (5xx, timeouts, connection resets) are retried with capped exponential backoff and full
//   jitter, up to maxAttempts, and not past the deadline; no client-wide quota either (one failing call must not
//   starve the critical path of the others).

import { AsyncLocalStorage } from 'node:async_hooks';
import { currentSchedule } from './scheduler.js';

const noTransientRetry = new AsyncLocalStorage<true>();

/**
 * Runs fn with the SDK's retry of transient errors (5xx, timeouts, resets) switched off — throttling is still
 * retried (a throttled call had no effect). For calls without an idempotency token, whose lost answer must be looked
 * up before anything is sent again (CreateSnapshots: a blind retry takes a second full snapshot set).
 */
export function withoutTransientRetry<T>(fn: () => Promise<T>): Promise<T> {
  return noTransientRetry.run(true, fn);
}

interface RetryErrorInfo {
  errorType: 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR';
}

class Token {
  constructor(
    readonly retries: number,
    readonly delay: number,
    readonly started: number,
    /** Retries after a transient error (throttled ones are not counted against maxAttempts). */
    readonly transient = 0,
  ) {}
  getRetryCount(): number {
    return this.retries;
  }
  getRetryDelay(): number {
    return this.delay;
  }
  getRetryCost(): number | undefined {
    return undefined;
  }
}

const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 20_000;
/** Throttled retries of a call that has no deadline of its own stop after this long. */
const THROTTLE_BUDGET_MS = 120_000;

export class DeadlineRetryStrategy {
  readonly mode = 'standard';
  constructor(private readonly maxAttempts: number) {}

  async acquireInitialRetryToken(_scope: string): Promise<Token> {
    return new Token(0, 0, Date.now());
  }

  async refreshRetryTokenForRetry(token: Token, info: RetryErrorInfo): Promise<Token> {
    const deadline = currentSchedule()?.deadline ?? token.started + THROTTLE_BUDGET_MS;
    const now = Date.now();
    if (now >= deadline) throw new Error('deadline reached');
    if (info.errorType === 'THROTTLING') return new Token(token.retries + 1, 0, token.started, token.transient);
    // As the SDK: only transient errors (500/502/503/504, timeouts, resets) are worth another attempt.
    if (info.errorType !== 'TRANSIENT') throw new Error('not retryable');
    if (noTransientRetry.getStore()) throw new Error('the caller looks up a lost answer itself');
    if (token.transient + 1 >= this.maxAttempts) throw new Error('attempts exhausted');
    const delay = Math.floor(Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** token.transient));
    if (now + delay >= deadline) throw new Error('deadline reached');
    return new Token(token.retries + 1, delay, token.started, token.transient + 1);
  }

  recordSuccess(_token: Token): void {}

  async maxAttemptsProvider(): Promise<number> {
    return this.maxAttempts;
  }
}
