// The simulated world: accounts × regions of resources, the access keys that map to them, a simulated clock,
// deterministic id generation and the call log. Everything here is in memory and JSON-dumpable.

import type { AccountState, Principal, RegionState, AutoScalingState, Ec2State, ElbState, IamState } from './types.js';
import { emptyS3, type S3State } from './s3.js';
import { emptySns } from './sns.js';

export interface CallRecord {
  seq: number;
  time: string;
  service: string;
  action: string;
  region: string;
  accountId: string;
  accessKeyId: string;
  params: unknown;
  dryRun: boolean;
  outcome: 'ok' | 'error';
  errorCode?: string;
  status: number;
  requestId: string;
  durationMs: number;
}

/** A simulated clock: real time plus an offset that tests can advance. */
export class SimClock {
  private offsetMs = 0;
  private frozenAt: number | undefined;
  now(): number {
    return (this.frozenAt ?? Date.now()) + this.offsetMs;
  }
  nowIso(): string {
    return new Date(this.now()).toISOString();
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  /** Stops the clock at its current value (tests that need exact times), or resumes it. */
  freeze(on: boolean): void {
    if (on && this.frozenAt === undefined) this.frozenAt = Date.now();
    if (!on && this.frozenAt !== undefined) {
      this.offsetMs -= Date.now() - this.frozenAt;
      this.frozenAt = undefined;
    }
  }
}

/** Deterministic ids: the same scenario gives the same ids run after run. */
export class IdGenerator {
  private counters = new Map<string, number>();
  constructor(private readonly seed = 0x5eed) {}
  /** `prefix-` followed by 17 hex digits, e.g. `i-0a1b2c3d4e5f60718`: a mixed part, then the counter. */
  hex(prefix: string, digits = 17): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    let x = (Math.imul(n, 0x9e3779b1) + this.seed) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    const mix = x.toString(16).padStart(8, '0');
    const counterDigits = Math.max(digits - 8, 4);
    const body = (mix + n.toString(16).padStart(counterDigits, '0')).slice(-digits);
    return `${prefix}-${body}`;
  }
  /** A request id in AWS's UUID form. */
  uuid(): string {
    const n = (this.counters.get('#req') ?? 0) + 1;
    this.counters.set('#req', n);
    const h = n.toString(16).padStart(12, '0');
    return `5e1d0000-0000-4000-8000-${h}`;
  }
}

export function emptyEc2(): Ec2State {
  return {
    vpcs: new Map(),
    subnets: new Map(),
    securityGroups: new Map(),
    networkInterfaces: new Map(),
    instances: new Map(),
    volumes: new Map(),
    snapshots: new Map(),
    images: new Map(),
    iamInstanceProfileAssociations: new Map(),
    networkAcls: new Map(),
    routeTables: new Map(),
    internetGateways: new Map(),
    natGateways: new Map(),
    addresses: new Map(),
  };
}

function emptyAsg(): AutoScalingState {
  return { groups: new Map(), activities: [] };
}
function emptyElb(): ElbState {
  return { targetGroups: new Map(), classicLoadBalancers: new Map() };
}
function emptyIam(): IamState {
  return { roles: new Map(), instanceProfiles: new Map() };
}

export const KNOWN_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-south-1',
  'sa-east-1',
  'ca-central-1',
];

export class World {
  readonly clock = new SimClock();
  readonly ids = new IdGenerator();
  readonly accounts = new Map<string, AccountState>();
  readonly principals = new Map<string, Principal>();
  readonly calls: CallRecord[] = [];
  defaultAccountId: string;
  defaultRegion: string;
  scenarioName: string;
  /**
   * Bumped on every mutation of the network and compute model; DryRun calls must leave it unchanged. S3 and SNS
   * writes leave it alone: they change no flow, so the data plane need not re-evaluate after each one.
   */
  version = 0;
  /** S3 buckets by name: bucket names are global within a partition (each bucket has its account and region). */
  readonly s3: S3State = emptyS3();
  /** Flows given by the scenario, opened by the data plane (see dataplane/). */
  scenarioFlows: { accountId: string; region: string; path: string; spec: Record<string, unknown> }[] = [];
  /**
   * Called after every successful AWS call that changed the world (the data plane re-evaluates flows here),
   * and after the clock advances through the control API.
   */
  readonly afterChange: ((reason: { action: string; accountId: string; region: string }) => void)[] = [];
  /** Called after every AWS call has been handled and logged, before its answer is sent (tests: crash injection). */
  readonly afterCall: ((call: CallRecord) => void)[] = [];
  /** Data-plane options given by the scenario. */
  scenarioDataplane: Record<string, unknown> | undefined;

  constructor(opts: { defaultAccountId?: string; defaultRegion?: string; scenarioName?: string } = {}) {
    this.defaultAccountId = opts.defaultAccountId ?? '111122223333';
    this.defaultRegion = opts.defaultRegion ?? 'us-east-1';
    this.scenarioName = opts.scenarioName ?? 'empty';
  }

  account(accountId: string): AccountState {
    let a = this.accounts.get(accountId);
    if (!a) {
      a = { accountId, iam: emptyIam(), regions: new Map() };
      this.accounts.set(accountId, a);
    }
    return a;
  }

  region(accountId: string, region: string): RegionState {
    const a = this.account(accountId);
    let r = a.regions.get(region);
    if (!r) {
      r = { name: region, ec2: emptyEc2(), autoscaling: emptyAsg(), elb: emptyElb(), sns: emptySns() };
      a.regions.set(region, r);
    }
    return r;
  }

  touch(): void {
    this.version++;
  }

  /** A JSON-able copy of the whole world (Maps become objects keyed by id). */
  dump(): unknown {
    return toPlain({
      scenario: this.scenarioName,
      time: this.clock.nowIso(),
      defaultAccountId: this.defaultAccountId,
      defaultRegion: this.defaultRegion,
      accounts: this.accounts,
      s3: this.s3,
    });
  }
}

export function toPlain(v: unknown): unknown {
  if (v instanceof Uint8Array) return `<${v.length} bytes>`; // S3 object bodies: sizes, not contents
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) o[String(k)] = toPlain(x);
    return o;
  }
  if (Array.isArray(v)) return v.map(toPlain);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = toPlain(x);
    return o;
  }
  return v;
}
