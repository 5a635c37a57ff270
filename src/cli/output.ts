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

const AUTH_CODES = new Set([
  'AuthFailure',
  'RequestExpired',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
]);
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'TimeoutError',
]);

/** Turns SDK / network failures into CordonErrors with a next step. */
export function classifyError(e: unknown): unknown {
  if (e instanceof CordonError) return e;
  const err = e as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code ?? err?.name ?? '';
  if (AUTH_CODES.has(err?.name ?? '') || AUTH_CODES.has(code)) {
    return new CordonError(
      'credentials',
      `AWS rejected the credentials: ${err.name}: ${err.message}`,
      EXIT.unreachable,
      'refresh the credentials (aws sso login, new session token) or pick another --profile',
    );
  }
  if (err?.name === 'AwsErrorPage') {
    return new CordonError(
      'aws-error-page',
      err.message ?? 'AWS answered with a non-AWS error page',
      EXIT.unreachable,
      'something other than the AWS service answered (an outage or proxy page, a load balancer, a wrong --endpoint-url / AWS_ENDPOINT_URL / HTTPS_PROXY): check them, or retry later; cordon runs are resumable',
    );
  }
  if (NET_CODES.has(code) || NET_CODES.has(err?.name ?? '')) {
    return new CordonError(
      'unreachable',
      `cannot reach AWS: ${code} ${err.message ?? ''}`.trim(),
      EXIT.unreachable,
      'check the network, --region and --endpoint-url; nothing was changed by the failed call',
    );
  }
  return e;
}

/** Prints an error (as JSON on stdout when asked, always a line on stderr) and returns its exit code. */
export function reportError(raw: unknown, format: OutputFormat): number {
  const e = classifyError(raw);
  const ce = e instanceof CordonError ? e : undefined;
  const code = ce?.exitCode ?? EXIT.internal;
  const message = ce ? ce.message : `internal error: ${(e as Error)?.stack ?? String(e)}`;
  if (format === 'json') {
    printJson({
      error: {
        code: ce?.code ?? 'internal',
        message: ce?.message ?? String((e as Error)?.message ?? e),
        hint: ce?.hint,
        exitCode: code,
        ...(ce?.details ?? {}),
      },
    });
  }
  process.stderr.write(`cordon: ${message}\n`);
  const hint =
    ce?.hint ?? (code === EXIT.usage ? 'see `cordon <command> --help` for the flags and how they combine' : undefined);
  if (hint) process.stderr.write(`  → ${hint}\n`);
  return code;
}
