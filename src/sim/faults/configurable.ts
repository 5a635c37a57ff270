// The simulator's fault configuration, set through the control API (/_sim/faults), `cordon sim --faults`, or
// startSimulator({ faults }). Consulted before every AWS call, in this order:
//   latency:   fixed ms per call, per-action overrides, jitter, random spikes (real time: the caller waits)
//   failNth:   answer the Nth call of an action (or of all calls, action "*") with a given error
//   failRate:  answer a fraction of calls with one of the given errors (seeded, repeatable)
//   throttle:  EC2-style token buckets per account+region+action (see throttle.ts), on the simulated clock

import { AwsError } from '../errors.js';
import type { World } from '../state/world.js';
import type { CallInfo, Faults } from './faults.js';
import { parseFaultConfig, type FaultConfig, type FaultError } from './schema.js';
import { TokenBuckets, type BucketView } from './throttle.js';

export type { FaultConfig, FaultConfigInput } from './schema.js';

/** Turns a configured error (a code or a protocol-aware kind) into the AwsError the call answers with. */
export function faultError(e: FaultError, call: Pick<CallInfo, 'protocol' | 'service' | 'action'>): AwsError {
  const { protocol, action } = call;
  switch (e.code) {
    case 'throttle':
      return throttled(call, e.message, e.status);
    case 'internal':
      if (protocol === 'ec2')
        return new AwsError('InternalError', e.message ?? 'An internal error has occurred', e.status ?? 500);
      if (protocol === 'rest-xml')
        return new AwsError(
          'InternalError',
          e.message ?? 'We encountered an internal error. Please try again.',
          e.status ?? 500,
        );
      return new AwsError(
        'InternalFailure',
        e.message ?? 'The request processing has failed because of an unknown error, exception or failure.',
        e.status ?? 500,
      );
    case 'unavailable':
      return new AwsError(
        'ServiceUnavailable',
        e.message ??
          (protocol === 'rest-xml'
            ? 'Service is unable to handle request.'
            : 'The request has failed due to a temporary failure of the server.'),
        e.status ?? 503,
      );
    default: {
      const message =
        e.message ??
        (e.code === 'RequestLimitExceeded'
          ? 'Request limit exceeded.'
          : e.code === 'Throttling'
            ? 'Rate exceeded'
            : e.code === 'SlowDown'
              ? 'Please reduce your request rate.'
              : `Injected fault on ${action}: ${e.code}`);
      return new AwsError(e.code, message, e.status);
    }
  }
}

/**
 * The throttling answer of a call's service: EC2 503 RequestLimitExceeded, S3 503 SlowDown, SNS 429 Throttled,
 * other awsQuery services 400 Throttling.
 */
function throttled(call: Pick<CallInfo, 'protocol' | 'service'>, message?: string, status?: number): AwsError {
  if (call.protocol === 'ec2')
    return new AwsError('RequestLimitExceeded', message ?? 'Request limit exceeded.', status ?? 503);
  if (call.protocol === 'rest-xml')
    return new AwsError('SlowDown', message ?? 'Please reduce your request rate.', status ?? 503);
  if (call.service === 'sns') return new AwsError('Throttled', message ?? 'Rate exceeded', status ?? 429);
  return new AwsError('Throttling', message ?? 'Rate exceeded', status ?? 400);
}

const EMPTY: FaultConfig = parseFaultConfig({});

/** Whether a call's parameters hold every value of a rule's match (a list parameter: any of its items). */
function matches(params: Record<string, unknown>, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => {
    const p = params[k];
    if (Array.isArray(p)) return p.map(String).includes(v);
    if (p && typeof p === 'object') return Object.values(p).map(String).includes(v);
    return p !== undefined && String(p) === v;
  });
}

export class ConfigurableFaults implements Faults {
  private current: FaultConfig = EMPTY;
  private initial: FaultConfig = EMPTY;
  private counts = new Map<string, number>();
  private total = 0;
  private buckets: TokenBuckets;
  private rngState = 1;
  private active = false;

  constructor(private readonly getWorld: () => World) {
    this.buckets = new TokenBuckets(() => this.getWorld().clock.now());
  }

  /** The configuration in force (validated, defaults filled in). */
  get config(): FaultConfig {
    return this.current;
  }

  /**
   * Validates and applies a configuration (throws FaultConfigError); counters, buckets and the random sequence restart.
   */
  set(config: unknown): FaultConfig {
    this.current = parseFaultConfig(config);
    this.restart();
    return this.current;
  }

  /** Also makes this configuration the one reset() returns to. */
  setInitial(config: unknown): FaultConfig {
    this.initial = this.set(config);
    return this.initial;
  }

  /** Back to the configuration given at start (none unless startSimulator / `cordon sim --faults` gave one). */
  reset(): void {
    this.current = this.initial;
    this.restart();
  }

  /** Throttle bucket levels (only buckets that have been used). */
  bucketLevels(): BucketView[] {
    return this.buckets.view();
  }

  private restart(): void {
    const c = this.current;
    this.counts.clear();
    this.total = 0;
    this.buckets = new TokenBuckets(() => this.getWorld().clock.now(), c.throttle);
    this.rngState = c.failRate?.seed ?? 1;
    const lat = c.latency;
    const latencyOn =
      !!lat &&
      (lat.fixedMs > 0 || lat.jitterMs > 0 || lat.spikeProbability > 0 || Object.keys(lat.perAction).length > 0);
    this.active = latencyOn || c.failNth.length > 0 || (c.failRate?.rate ?? 0) > 0 || !!c.throttle?.enabled;
  }

  private random(): number {
    // mulberry32: repeatable fault sequences for a given seed
    let t = (this.rngState = (this.rngState + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  before(call: CallInfo): Promise<AwsError | undefined> | undefined {
    if (!this.active) return undefined;
    const c = this.current;
    const verdict = this.decide(call);
    const lat = c.latency;
    let ms = 0;
    if (lat) {
      ms = lat.perAction[call.action] ?? lat.fixedMs;
      if (lat.jitterMs > 0) ms += this.random() * lat.jitterMs;
      if (lat.spikeProbability > 0 && this.random() < lat.spikeProbability) ms += lat.spikeMs;
    }
    if (ms <= 0) return verdict ? Promise.resolve(verdict) : undefined;
    return new Promise((resolve) => setTimeout(() => resolve(verdict), ms));
  }

  /** Calls that take effect and then answer an error (failNth with afterEffect). */
  private lostAnswers = new WeakMap<CallInfo, AwsError>();

  afterEffect(call: CallInfo): AwsError | undefined {
    const e = this.lostAnswers.get(call);
    this.lostAnswers.delete(call);
    return e;
  }

  private decide(call: CallInfo): AwsError | undefined {
    const c = this.current;
    const n = (this.counts.get(call.action) ?? 0) + 1;
    this.counts.set(call.action, n);
    const all = ++this.total;
    for (const [r, rule] of c.failNth.entries()) {
      if (rule.match && (rule.action === '*' || rule.action === call.action)) {
        // A matching rule counts only the calls it matches.
        if (!matches(call.params, rule.match)) continue;
        const m = (this.counts.get(`#rule${r}`) ?? 0) + 1;
        this.counts.set(`#rule${r}`, m);
        if (m >= rule.nth && m < rule.nth + rule.times) {
          if (!rule.afterEffect) return faultError(rule, call);
          this.lostAnswers.set(call, faultError(rule, call));
        }
        continue;
      }
      const i = rule.action === '*' ? all : rule.action === call.action ? n : 0;
      if (i >= rule.nth && i < rule.nth + rule.times) {
        if (!rule.afterEffect) return faultError(rule, call);
        this.lostAnswers.set(call, faultError(rule, call));
      }
    }
    const fr = c.failRate;
    if (fr && fr.rate > 0 && (!fr.actions || fr.actions.includes('*') || fr.actions.includes(call.action))) {
      if (this.random() < fr.rate) {
        const pick = fr.codes[Math.floor(this.random() * fr.codes.length)]!;
        return faultError(pick, call);
      }
    }
    if (c.throttle?.enabled) {
      const v = this.buckets.take(call);
      if (!v.ok) {
        if (call.protocol !== 'ec2') return throttled(call);
        const why = v.kind === 'resource' ? 'resource rate limit' : 'request rate limit';
        return new AwsError(
          'RequestLimitExceeded',
          `Request limit exceeded. Account ${call.accountId} has been throttled on ec2:${call.action} because it exceeded its ${why}.`,
          503,
        );
      }
    }
    return undefined;
  }
}
