// The Lambda entry points' input and output types (exported from cordon/lambda for the CDK construct and the state
// machine that call them).

import type { EventSource } from '../core/findings.js';
import type { Plan } from '../core/plan.js';
import type { ContainDocument } from '../engine/documents.js';
import type { Mode } from './config.js';
import type { Skipped, VerifyNow } from './run.js';

export type { Mode, Skipped, VerifyNow };

export interface ErrorResult {
  code: string;
  message: string;
  hint?: string;
  /** The exit code `cordon` would have ended with (docs/errors.md). */
  exitCode: number;
}

/** A finding the event carried, as the result and the notification show it. */
export interface FindingSummary {
  source: 'guardduty' | 'securityhub';
  id: string;
  type: string;
  severity: number;
  /** The instance's ARN. */
  instance: string;
  title?: string;
  count?: number;
}

interface PlanFields {
  plan: Plan;
  plans: Plan[];
  missingPermissions: { step: string; action: string; message: string }[];
  applyable: boolean;
}

/**
 * What `handler` returns: the fields of `cordon contain --output json` (contain mode) or of `cordon plan --output json`
 * (plan mode), when a run happened, plus the envelope below.
 */
export type HandlerResult = Partial<ContainDocument> &
  Partial<PlanFields> & {
    /** false: an error (see error), an incomplete containment, or a plan that lacks a permission. */
    ok: boolean;
    mode?: Mode;
    source?: EventSource;
    findings: FindingSummary[];
    /** Targets not acted on, and why (filtered, deduped, not an instance). */
    skipped: Skipped[];
    /** Plan mode: what reaches each instance now (verify's bottom line before containment). */
    verifyNow?: VerifyNow[];
    warnings: string[];
    error?: ErrorResult;
    notification?: { topicArn: string; messageId?: string; error?: string };
  };

/** One item of the fan-out Map: the targets of one account × region. */
export interface WorkerInput {
  accountId: string;
  region: string;
  /** Instance ids (in accountId and region) or instance ARNs (of that account and region). */
  targets: string[];
  /** The role assumed in accountId when it is not the function's own account (default: CORDON_ROLE_NAME). */
  roleName?: string;
  /** The handler's options (mode, layers, playbook …): docs/automation.md. */
  options?: Record<string, unknown>;
}

export interface WorkerInstanceResult {
  instanceId: string;
  /** planned (plan mode), contained, already-contained, incomplete (contain mode), deduped. */
  status: 'planned' | 'contained' | 'already-contained' | 'incomplete' | 'deduped';
  incident?: string;
  /** Plan mode: what reaches it now; contain mode: what still gets through. */
  bottomLine?: string;
  /** Plan mode: how many changes containment would make. */
  changes?: number;
  failedSteps?: { id: string; code?: string; message?: string }[];
  warnings: string[];
  detail?: string;
}

export interface WorkerOutput {
  ok: boolean;
  accountId: string;
  region: string;
  mode?: Mode;
  incident?: string;
  instances: WorkerInstanceResult[];
  missingPermissions?: { step: string; action: string }[];
  /** Tampered isolation groups found (docs/security.md). */
  indicators?: number;
  journal?: string;
  warnings: string[];
  error?: ErrorResult;
}
