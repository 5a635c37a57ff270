// The fault configuration's format, validated when it is set (control API PUT /_sim/faults, `cordon sim --faults`,
// startSimulator({ faults })). Documented in docs/simulator.md, "Faults".

import { z } from 'zod';
import { validationMessage } from '../scenarios/messages.js';

const action = z.string().regex(/^(\*|[A-Za-z0-9]+)$/, 'must be an API action name such as DescribeInstances, or "*"');

/**
 * An error to answer with: an AWS error code (with an optional HTTP status), or one of the protocol-aware kinds:
 *   throttle    → EC2 RequestLimitExceeded (503) / awsQuery Throttling (400)
 *   internal    → EC2 InternalError (500) / awsQuery InternalFailure (500)
 *   unavailable → ServiceUnavailable (503)
 */
export const faultErrorSchema = z.strictObject({
  code: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9.]*$/,
      'must be an AWS error code such as RequestLimitExceeded, or throttle | internal | unavailable',
    ),
  status: z.number().int().min(400).max(599).optional(),
  message: z.string().optional(),
});

export const failNthSchema = z.strictObject({
  action,
  /** 1-based index of the call (counted per action from when the rule was set) that fails. */
  nth: z.number().int().min(1),
  /** Fail this many consecutive calls starting at nth (default 1). */
  times: z.number().int().min(1).default(1),
  /** The call takes effect first, then answers the error (a lost answer): retries meet their own change. */
  afterEffect: z.boolean().default(false),
  /**
   * Only calls whose request parameters have these values count (wire names; a list parameter matches when it
   * holds the value), e.g. { "NetworkInterfaceId": "eni-…", "SecurityGroupId": "sg-…" }.
   */
  match: z.record(z.string(), z.string()).optional(),
  code: faultErrorSchema.shape.code,
  status: faultErrorSchema.shape.status,
  message: z.string().optional(),
});

export const faultConfigSchema = z.strictObject({
  latency: z
    .strictObject({
      /** Added to every call, in ms. */
      fixedMs: z.number().min(0).max(60_000).default(0),
      /** Per-action latency in ms; replaces fixedMs for that action. */
      perAction: z.record(z.string(), z.number().min(0).max(60_000)).default({}),
      /** A uniformly random 0..jitterMs added to every call. */
      jitterMs: z.number().min(0).max(60_000).default(0),
      /** Fraction of calls (0..1) that get spikeMs more. */
      spikeProbability: z.number().min(0).max(1).default(0),
      spikeMs: z.number().min(0).max(60_000).default(1000),
    })
    .optional(),
  throttle: z
    .strictObject({
      enabled: z.boolean().default(true),
      scale: z.number().positive().max(1_000_000).default(1),
      overrides: z
        .record(z.string(), z.strictObject({ max: z.number().positive(), refill: z.number().min(0) }))
        .default({}),
      resourceBuckets: z.boolean().default(true),
    })
    .optional(),
  failNth: z.array(failNthSchema).default([]),
  failRate: z
    .strictObject({
      /** Fraction of calls (0..1) that fail. */
      rate: z.number().min(0).max(1),
      /** Errors picked uniformly at random; default throttle, internal, unavailable. */
      codes: z
        .array(faultErrorSchema)
        .min(1)
        .default([{ code: 'throttle' }, { code: 'internal' }, { code: 'unavailable' }]),
      /** Only these actions fail (default: all). */
      actions: z.array(action).optional(),
      /** Seed of the random sequence, so a run can be repeated. Default 1. */
      seed: z.number().int().default(1),
    })
    .optional(),
});

/** A fault configuration as given (defaults optional). */
export type FaultConfigInput = z.input<typeof faultConfigSchema>;
/** A validated fault configuration with defaults filled in. */
export type FaultConfig = z.output<typeof faultConfigSchema>;
export type FaultError = z.output<typeof faultErrorSchema>;

export class FaultConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultConfigError';
  }
}

/** Validates a fault configuration; the error names each bad field by its path. */
export function parseFaultConfig(raw: unknown): FaultConfig {
  const r = faultConfigSchema.safeParse(raw ?? {}, { error: validationMessage });
  if (r.success) return r.data;
  const lines = r.error.issues.map(
    (i) =>
      `  ${
        i.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '') || '(root)'
      }: ${i.message}`,
  );
  throw new FaultConfigError(`invalid fault configuration:\n${lines.join('\n')}`);
}
