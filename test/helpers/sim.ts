// Test harness: an in-process simulator and real AWS SDK v3 clients pointed at it.

import { EC2Client } from '@aws-sdk/client-ec2';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { startSimulator, type Simulator } from '../../src/sim/server.js';
import type { ScenarioInput } from '../../src/sim/scenarios/loader.js';

// The SDK's Node 22 notice is noise in test output.
const originalEmit = process.emitWarning.bind(process);
process.emitWarning = ((w: string | Error, ...rest: unknown[]) => {
  if (String(typeof w === 'string' ? w : w.message).startsWith('NodeVersionSupportWarning')) return;
  (originalEmit as (...a: unknown[]) => void)(w, ...rest);
}) as typeof process.emitWarning;

export interface ClientOptions {
  accessKeyId?: string;
  region?: string;
  /** Default 1: tests see AWS's answer, not the SDK's retries, unless they ask for retries. */
  maxAttempts?: number;
}

export function clients(endpoint: string, o: ClientOptions = {}) {
  const config = {
    endpoint,
    region: o.region ?? 'us-east-1',
    credentials: { accessKeyId: o.accessKeyId ?? 'AKIADEMORESPONDER01', secretAccessKey: 'sim-secret' },
    maxAttempts: o.maxAttempts ?? 1,
  };
  return {
    ec2: new EC2Client(config),
    asg: new AutoScalingClient(config),
    iam: new IAMClient(config),
    sts: new STSClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    elb: new ElasticLoadBalancingClient(config),
  };
}

export type Clients = ReturnType<typeof clients>;

export interface SimHarness extends Clients {
  sim: Simulator;
  endpoint: string;
  close(): Promise<void>;
}

export async function startHarness(scenario: ScenarioInput = 'demo', o: ClientOptions = {}): Promise<SimHarness> {
  const sim = await startSimulator({ scenario });
  const c = clients(sim.endpoint, o);
  return {
    sim,
    endpoint: sim.endpoint,
    ...c,
    async close() {
      for (const client of Object.values(c)) client.destroy();
      await sim.close();
    },
  };
}

/** Runs fn and returns the AWS error it throws (fails the test if it does not throw). */
export async function awsError(
  fn: () => Promise<unknown>,
): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await fn();
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error('expected an AWS error, but the call succeeded');
}

/** A minimal scenario with one VPC, one subnet and one instance, for focused tests. */
export function tinyScenario(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'tiny',
    accounts: [
      {
        id: '111122223333',
        regions: [
          {
            name: 'us-east-1',
            vpcs: [
              {
                name: 'v',
                cidr: '10.1.0.0/16',
                ipv6Cidr: '2600:1f18:aaaa:bb00::/56',
                internetGateway: true,
                subnets: [{ name: 's', cidr: '10.1.1.0/24', ipv6Cidr: '2600:1f18:aaaa:bb01::/64' }],
                routeTables: [{ name: 'main', main: true, routes: [{ destination: '0.0.0.0/0', target: 'igw' }] }],
                securityGroups: [{ name: 'app', ingress: [{ protocol: 'tcp', ports: 22, cidr: '198.51.100.7/32' }] }],
              },
            ],
            instances: [{ name: 'box', subnet: 's', securityGroups: ['app'], publicIp: '54.1.2.3' }],
            ...extra,
          },
        ],
      },
    ],
  };
}

/**
 * A one-account scenario in us-east-1 with a full-access key and a read-only (`ec2:Describe*`) key: the shape the
 * EC2 service tests share. `region` holds the region's resources (vpcs, instances …).
 */
export function fullAndReadOnly(
  name: string,
  accountId: string,
  fullKey: string,
  readOnlyKey: string,
  region: Record<string, unknown>,
): Record<string, unknown> {
  return {
    name,
    accounts: [
      {
        id: accountId,
        credentials: [
          { accessKeyId: fullKey, user: 'responder' },
          { accessKeyId: readOnlyKey, user: 'auditor', allow: ['ec2:Describe*'] },
        ],
        regions: [{ name: 'us-east-1', ...region }],
      },
    ],
  };
}
