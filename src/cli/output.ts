// Rendering helpers shared by commands: text vs JSON, and error reporting with exit codes.

import { CordonError, EXIT } from '../core/errors.js';

export type OutputFormat = 'text' | 'json';

export function parseOutput(v: string | undefined): OutputFormat {
  if (v === undefined || v === 'text') return 'text';
  if (v === 'json') return 'json';
  throw new CordonError('usage', `--output must be "text" or "json", not "${v}"`, EXIT.usage);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints an error (as JSON on stdout when asked, always a line on stderr) and returns its exit code. */
export function reportError(e: unknown, format: OutputFormat): number {
  const ce = e instanceof CordonError ? e : undefined;
  const code = ce?.exitCode ?? EXIT.internal;
  const message = ce ? ce.message : `internal error: ${(e as Error)?.stack ?? String(e)}`;
  if (format === 'json') {
    printJson({ error: { code: ce?.code ?? 'internal', message: ce?.message ?? String((e as Error)?.message ?? e), hint: ce?.hint, exitCode: code, ...(ce?.details ?? {}) } });
  }
  process.stderr.write(`cordon: ${message}\n`);
  if (ce?.hint) process.stderr.write(`  → ${ce.hint}\n`);
  return code;
}
