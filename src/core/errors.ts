// Typed errors with an exit code and a hint that says what to do next. Every command maps failures to these.

export const EXIT = {
  ok: 0,
  /** cordon itself failed unexpectedly (a bug): report it. */
  internal: 1,
  /** Bad command line or bad input file. Nothing was changed. */
  usage: 2,
  /** The target cannot be acted on: unknown / terminated instance, wrong region, at a quota. Nothing was changed. */
  refused: 3,
  /** A permission is missing (found by DryRun or by an AccessDenied). Nothing was changed by the failing step. */
  permission: 4,
  /** Containment ran but is incomplete: some step failed or verification found what still gets through. */
  incomplete: 5,
  /** A saved plan is stale, or a resource drifted since containment: refused to act on out-of-date facts. */
  stale: 6,
  /** AWS could not be reached or the credentials are invalid / expired. */
  unreachable: 7,
  /** The operator declined the confirmation prompt. */
  aborted: 8,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CordonError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CordonError';
  }
}

export const usageError = (message: string, hint?: string): CordonError =>
  new CordonError('usage', message, EXIT.usage, hint);
