// The AWS client factory: the only place clients are configured. Credentials come from the SDK's own chain
// (env, shared config/--profile, SSO, IMDS …), optionally through an assumed role (--role-arn). Every client of a
// set shares one rate scheduler (src/aws/scheduler.ts), installed as a middleware inside the SDK's retry loop so
// each attempt waits for a token of the account's bucket; the SDK's retry loop runs with a deadline-bounded policy
// (src/aws/retry.ts) — never a hand-written sleep loop.

import { EC2Client } from '@aws-sdk/client-ec2';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { RateScheduler, currentSchedule, type RateLimitOptions } from './scheduler.js';
import { DeadlineRetryStrategy } from './retry.js';

export interface AwsOptions {
  region?: string;
  profile?: string;
  /** One endpoint for every service (like the AWS CLI's --endpoint-url); AWS_ENDPOINT_URL* also work. */
  endpointUrl?: string;
  roleArn?: string;
  /** A role assumed before roleArn (role chaining: the responder's hub role, then the target account's role). */
  sourceRoleArn?: string;
  /** Static credentials (tests, lab); otherwise the SDK's default chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Attempts per call for transient errors (5xx, timeouts); throttled calls are retried until their deadline. */
  maxAttempts?: number;
  /** Client-side pacing by the account's token buckets (default: on, AWS's published sizes). */
  rateLimits?: RateLimitOptions;
  /** Share a scheduler with another client set of the same account and region. */
  scheduler?: RateScheduler;
  /** Session name used with --role-arn. */
  sessionName?: string;
}

export interface AwsClients {
  region: string;
  ec2: EC2Client;
  autoscaling: AutoScalingClient;
  iam: IAMClient;
  sts: STSClient;
  elbv2: ElasticLoadBalancingV2Client;
  elb: ElasticLoadBalancingClient;
  /** Paces every call of this account × region and logs every attempt. */
  scheduler: RateScheduler;
  destroy(): void;
}

/** How long a connection may take to open, and how long an open one may stay silent, before the attempt fails. */
const CONNECT_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 30_000;

/** Connections per client (per service endpoint). */
const MAX_SOCKETS = 256;

export { resolveRegion } from './region.js';

export function createClients(o: AwsOptions & { region: string }): AwsClients {
  const endpoint = o.endpointUrl;
  const maxAttempts = o.maxAttempts ?? 8;
  const base = {
    region: o.region,
    ...(endpoint ? { endpoint } : {}),
    maxAttempts,
    retryStrategy: new DeadlineRetryStrategy(maxAttempts),
    // The scheduler decides how many calls are in flight (a bucket's burst at once); the connection pool must not
    // queue them again behind the SDK's default of 50 sockets.
    requestHandler: {
      httpAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
      httpsAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
      // A stalled connection (no byte for this long) fails the attempt — a transient error, retried — instead of
      // holding a containment forever.
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: IDLE_TIMEOUT_MS,
    },
  };
  const scheduler = o.scheduler ?? new RateScheduler(o.rateLimits);
  let credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider =
    o.credentials ?? fromNodeProviderChain(o.profile ? { profile: o.profile } : {});
  // A chain: the hub role first (--role-arn), then the role in the target account (--role-name) from there.
  for (const roleArn of [o.sourceRoleArn, o.roleArn]) {
    if (!roleArn) continue;
    credentials = fromTemporaryCredentials({
      masterCredentials: credentials,
      params: { RoleArn: roleArn, RoleSessionName: o.sessionName ?? `cordon-${Date.now()}`, DurationSeconds: 3600 },
      clientConfig: { region: base.region, ...(endpoint ? { endpoint } : {}), maxAttempts },
    });
  }
  const config = { ...base, credentials };
  const clients = {
    region: o.region,
    ec2: new EC2Client(config),
    autoscaling: new AutoScalingClient(config),
    iam: new IAMClient({ ...config, region: endpoint ? o.region : 'us-east-1' }),
    sts: new STSClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    elb: new ElasticLoadBalancingClient(config),
  };
  scheduled(clients.ec2, 'ec2', scheduler);
  scheduled(clients.autoscaling, 'autoscaling', scheduler);
  scheduled(clients.iam, 'iam', scheduler);
  scheduled(clients.sts, 'sts', scheduler);
  scheduled(clients.elbv2, 'elasticloadbalancing', scheduler);
  scheduled(clients.elb, 'elasticloadbalancing', scheduler);
  return {
    ...clients,
    scheduler,
    destroy() {
      for (const c of [clients.ec2, clients.autoscaling, clients.iam, clients.sts, clients.elbv2, clients.elb])
        c.destroy();
    },
  };
}

interface StackClient {
  middlewareStack: {
    addRelativeTo(mw: unknown, o: { name: string; relation: 'after'; toMiddleware: string; override?: boolean }): void;
  };
}

/** The attempt-level middleware: wait for a token, send, log the attempt, learn from a throttle. */
function scheduled(client: StackClient, service: string, scheduler: RateScheduler): void {
  type Args = { input?: Record<string, unknown>; request?: unknown };
  type Next = (args: Args) => Promise<{ output?: { $metadata?: { requestId?: string } } }>;
  const mw =
    (next: Next, context: { commandName?: string }) =>
    async (args: Args): Promise<unknown> => {
      const action = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const input = args.input ?? {};
      const ctx = currentSchedule();
      const asked = Date.now();
      const release = await scheduler.acquire(service, action, input, ctx);
      const startedMs = Date.now();
      const base = {
        action: `${service}:${action}`,
        startedMs,
        waitedMs: startedMs - asked,
        priority: ctx?.priority ?? 2,
        label: ctx?.label,
        resource: resourceOf(input),
      };
      try {
        const out = await next(args);
        scheduler.succeeded(service, action, input);
        scheduler.record({ ...base, endedMs: Date.now(), ok: true, requestId: out.output?.$metadata?.requestId });
        return out;
      } catch (e) {
        explainErrorPage(e, `${service}:${action}`, args.request);
        const code = awsErrorCode(e) ?? (e as { code?: string; name?: string }).code ?? (e as Error).name;
        if (isThrottling(e)) scheduler.throttled(service, action, input);
        scheduler.record({
          ...base,
          endedMs: Date.now(),
          ok: code === 'DryRunOperation',
          errorCode: code,
          requestId: awsRequestId(e),
        });
        throw e;
      } finally {
        release();
      }
    };
  client.middlewareStack.addRelativeTo(mw, {
    name: 'cordonScheduler',
    relation: 'after',
    toMiddleware: 'retryMiddleware',
    override: true,
  });
}

/** The error name of a call answered by something that is not the AWS service (see explainErrorPage). */
export const ERROR_PAGE = 'AwsErrorPage';

/**
 * A call answered with a page that is not an AWS answer — an HTML 5xx from a proxy, a load balancer, an outage page
 * or a wrong --endpoint-url — fails in the SDK as "XML parse error: mismatched tags" (its body did not parse), or as
 * an unknown error. Rewritten in place (same object, so the retry loop still sees its HTTP status) to say which call
 * failed, its HTTP status, and who answered; named AwsErrorPage.
 */
export function explainErrorPage(e: unknown, action: string, request: unknown): void {
  const err = e as {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { statusCode?: number; headers?: Record<string, string>; body?: unknown };
    $responseBodyText?: string;
  };
  if (!err || typeof err !== 'object' || err.name === ERROR_PAGE || !err.$response) return;
  const headers = err.$response.headers ?? {};
  const type = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  const body = typeof err.$responseBodyText === 'string' ? err.$responseBodyText : undefined;
  // The body did not parse as the protocol's XML / JSON, or the answer says it is a web page.
  if (body === undefined && !/html/i.test(type)) return;
  const status = err.$metadata?.httpStatusCode ?? err.$response.statusCode;
  const title = body && /<title[^>]*>([^<]{1,120})<\/title>/i.exec(body)?.[1]?.trim();
  const r = request as { protocol?: string; hostname?: string; port?: number } | undefined;
  const endpoint = r?.hostname ? `${r.protocol ?? 'https:'}//${r.hostname}${r.port ? `:${r.port}` : ''}` : undefined;
  err.name = ERROR_PAGE;
  err.message =
    `${action} failed with HTTP ${status ?? '(no status)'}: ${endpoint ? `the endpoint ${endpoint}` : 'AWS (or the endpoint)'} ` +
    `answered with a non-AWS error page (${type || 'no content type'}${title ? `, "${title}"` : ''}), not an AWS error`;
}

function resourceOf(input: Record<string, unknown>): string | undefined {
  for (const k of ['NetworkInterfaceId', 'InstanceId', 'GroupId', 'NetworkAclId', 'SubnetId', 'AutoScalingGroupName']) {
    const v = input[k];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

const THROTTLING_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
]);

/** A throttling answer (matched on the error code, or HTTP 429). */
export function isThrottling(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return THROTTLING_CODES.has(err?.name ?? '') || err?.$metadata?.httpStatusCode === 429;
}

/** The AWS error code of an SDK error (matched on code, never on message text). */
export function awsErrorCode(e: unknown): string | undefined {
  if (e && typeof e === 'object' && 'name' in e && '$metadata' in e) return String((e as { name: string }).name);
  return undefined;
}

export function awsRequestId(e: unknown): string | undefined {
  return (e as { $metadata?: { requestId?: string } })?.$metadata?.requestId;
}
