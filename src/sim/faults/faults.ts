// Fault injection, consulted before every AWS call: added latency, throttling, failing the Nth call.
// (Token buckets and rates live in their own files; this is the contract the dispatcher relies on.)

import type { AwsError } from '../errors.js';
import type { FormObject } from '../protocol/form.js';

export interface CallInfo {
  service: string;
  action: string;
  accountId: string;
  regionName: string;
  params: FormObject;
  protocol: 'ec2' | 'query' | 'rest-xml';
}

export interface Faults {
  /**
   * Waits for any configured latency, then returns an error to answer instead of running the call, if any.
   * Returns undefined synchronously when no fault applies and there is nothing to wait for (the hot path).
   */
  before(call: CallInfo): Promise<AwsError | undefined> | AwsError | undefined;
  /**
   * Consulted after a call took effect (same CallInfo object as before()): an error to answer instead of the success,
   * as when AWS committed a change but the answer was lost (a 5xx or a dropped connection). Clients that retry must
   * then cope with their change already being there.
   */
  afterEffect?(call: CallInfo): AwsError | undefined;
}

export const noFaults: Faults = { before: () => undefined };
