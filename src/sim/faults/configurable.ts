// The simulator's fault configuration, set through the control API (/_sim/faults) or in-process.
//   latency:   fixed ms per call, per-action overrides, random spikes
//   throttle:  EC2-style token buckets per account+region (see throttle.ts)
//   failNth:   answer the Nth call of an action with a given error
//   failRate:  answer a fraction of calls with one of the given errors (seeded, repeatable)

import { AwsError } from '../errors.js';
import type { World } from '../state/world.js';
import type { CallInfo, Faults } from './faults.js';
import { TokenBuckets, type ThrottleConfig } from './throttle.js';

export interface FailNthRule {
  action: string;
  /** 1-based index of the call (counted per action from when the rule was set) that fails. */
  nth: number;
  code: string;
  status?: number;
  message?: string;
  /** Fail this many consecutive calls starting at nth (default 1). */
  times?: number;
}

export interface FaultConfig {
  latency?: { fixedMs?: number; perAction?: Record<string, number>; spikeProbability?: number; spikeMs?: number };
  throttle?: ThrottleConfig;
  failNth?: FailNthRule[];
  failRate?: { rate: number; codes: { code: string; status?: number }[]; actions?: string[]; seed?: number };
}

export class ConfigurableFaults implements Faults {
  config: FaultConfig = {};
  private counts = new Map<string, number>();
  private buckets = new TokenBuckets(() => this.getWorld().clock.now());
  private rngState = 1;

  constructor(private readonly getWorld: () => World) {}

  set(config: FaultConfig): void {
    this.config = config;
    this.counts.clear();
    this.buckets = new TokenBuckets(() => this.getWorld().clock.now(), config.throttle);
    this.rngState = config.failRate?.seed ?? 1;
  }

  reset(): void {
    this.set({});
  }

  private random(): number {
    // mulberry32: repeatable fault sequences for a given seed
    let t = (this.rngState += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  async before(call: CallInfo): Promise<AwsError | undefined> {
    const c = this.config;
    const lat = c.latency;
    if (lat) {
      let ms = lat.perAction?.[call.action] ?? lat.fixedMs ?? 0;
      if (lat.spikeProbability && this.random() < lat.spikeProbability) ms += lat.spikeMs ?? 1000;
      if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    }
    const n = (this.counts.get(call.action) ?? 0) + 1;
    this.counts.set(call.action, n);
    for (const rule of c.failNth ?? []) {
      if (rule.action === call.action && n >= rule.nth && n < rule.nth + (rule.times ?? 1)) {
        return new AwsError(rule.code, rule.message ?? `Injected fault: ${rule.code}`, rule.status);
      }
    }
    if (c.failRate && c.failRate.rate > 0 && (!c.failRate.actions || c.failRate.actions.includes(call.action))) {
      if (this.random() < c.failRate.rate) {
        const pick = c.failRate.codes[Math.floor(this.random() * c.failRate.codes.length)] ?? { code: 'RequestLimitExceeded' };
        return new AwsError(pick.code, pick.code === 'RequestLimitExceeded' ? 'Request limit exceeded.' : pick.code === 'Throttling' ? 'Rate exceeded' : `Injected fault: ${pick.code}`, pick.status);
      }
    }
    if (c.throttle?.enabled) {
      if (!this.buckets.take(call)) {
        return call.protocol === 'ec2'
          ? new AwsError('RequestLimitExceeded', 'Request limit exceeded.', 503)
          : new AwsError('Throttling', 'Rate exceeded', 400);
      }
    }
    return undefined;
  }
}
