// The AWS client factory: the only place clients are configured. Credentials come from the SDK's own chain
// (env, shared config/--profile, SSO, IMDS …), optionally through an assumed role (--role-arn); retries use the
// SDK's retry strategy (standard by default, adaptive on request) — never a hand-written sleep loop.

import { EC2Client } from '@aws-sdk/client-ec2';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface AwsOptions {
  region?: string;
  profile?: string;
  /** One endpoint for every service (like the AWS CLI's --endpoint-url); AWS_ENDPOINT_URL* also work. */
  endpointUrl?: string;
  roleArn?: string;
  /** Static credentials (tests, lab); otherwise the SDK's default chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  retryMode?: 'standard' | 'adaptive';
  maxAttempts?: number;
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
  destroy(): void;
}

export function resolveRegion(o: AwsOptions): string | undefined {
  return o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
}

export function createClients(o: AwsOptions & { region: string }): AwsClients {
  const endpoint = o.endpointUrl;
  const base = {
    region: o.region,
    ...(endpoint ? { endpoint } : {}),
    retryMode: o.retryMode ?? 'standard',
    maxAttempts: o.maxAttempts ?? 8,
  };
  let credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider =
    o.credentials ?? fromNodeProviderChain(o.profile ? { profile: o.profile } : {});
  if (o.roleArn) {
    credentials = fromTemporaryCredentials({
      masterCredentials: credentials,
      params: { RoleArn: o.roleArn, RoleSessionName: o.sessionName ?? `cordon-${Date.now()}`, DurationSeconds: 3600 },
      clientConfig: { ...base },
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
  return {
    ...clients,
    destroy() {
      for (const c of [clients.ec2, clients.autoscaling, clients.iam, clients.sts, clients.elbv2, clients.elb])
        c.destroy();
    },
  };
}

/** The AWS error code of an SDK error (matched on code, never on message text). */
export function awsErrorCode(e: unknown): string | undefined {
  if (e && typeof e === 'object' && 'name' in e && '$metadata' in e) return String((e as { name: string }).name);
  return undefined;
}

export function awsRequestId(e: unknown): string | undefined {
  return (e as { $metadata?: { requestId?: string } })?.$metadata?.requestId;
}
