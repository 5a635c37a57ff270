// Options shared by every AWS-touching command, and turning them into clients.

import type { Command } from 'commander';
import { createClients, resolveRegion, type AwsClients } from '../aws/clients.js';
import { CordonError, EXIT } from '../core/errors.js';
import { parseOutput, type OutputFormat } from './output.js';

export interface CommonOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  roleArn?: string;
  output: string;
  incident?: string;
  stateDir?: string;
  yes?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export function addAwsOptions(cmd: Command): Command {
  return cmd
    .option('--region <region>', 'AWS region (default: AWS_REGION / AWS_DEFAULT_REGION / profile)')
    .option('--profile <name>', 'shared-config profile for credentials')
    .option(
      '--endpoint-url <url>',
      'send every AWS call to this endpoint (e.g. a `cordon sim`); AWS_ENDPOINT_URL* also work',
    )
    .option('--role-arn <arn>', 'assume this role first (cross-account response)')
    .option('--output <format>', 'text or json', 'text')
    .option('--state-dir <dir>', 'where the journal and evidence live (default: $CORDON_HOME or ~/.cordon)');
}

export function outputOf(o: { output?: string }): OutputFormat {
  return parseOutput(o.output);
}

export function clientsFrom(o: CommonOptions): AwsClients {
  const region = resolveRegion(o);
  if (!region) throw new CordonError('no-region', 'no AWS region given', EXIT.usage, 'pass --region or set AWS_REGION');
  if (o.roleArn && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(o.roleArn)) {
    throw new CordonError(
      'bad-role-arn',
      `"${o.roleArn}" is not an IAM role ARN`,
      EXIT.usage,
      'role ARNs look like arn:aws:iam::123456789012:role/Responder',
    );
  }
  let endpointUrl = o.endpointUrl;
  if (endpointUrl !== undefined) {
    try {
      const u = new URL(endpointUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    } catch {
      throw new CordonError('bad-endpoint', `--endpoint-url "${endpointUrl}" is not an http(s) URL`, EXIT.usage);
    }
  } else if (process.env.AWS_ENDPOINT_URL && process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS !== 'true') {
    // Passed explicitly: some SDK releases ignored the variable (aws-api-semantics.md §7.3).
    endpointUrl = process.env.AWS_ENDPOINT_URL;
  }
  return createClients({ region, profile: o.profile, endpointUrl, roleArn: o.roleArn });
}

export function instanceIdsArg(ids: string[]): string[] {
  const unique = [...new Set(ids)];
  if (unique.length === 0)
    throw new CordonError(
      'usage',
      'give at least one instance id',
      EXIT.usage,
      'e.g. cordon contain i-0123456789abcdef0',
    );
  return unique;
}
