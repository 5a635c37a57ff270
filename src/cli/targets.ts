// The target options every fleet-capable command shares: ids and ARNs as arguments, --targets FILE, --tag KEY=VALUE,
// --asg NAME, --role-name NAME (assumed in each target account other than the credentials' own), and the clients
// for each account × region.

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { AwsClients } from '../aws/clients.js';
import { resolveRegion } from '../aws/region.js';
import { CordonError, EXIT } from '../core/errors.js';
import { parseTarget, parseTargetsFile, parseTagSelector, type Selectors, type Target } from '../core/targets.js';
import type { Worker } from '../engine/fleet.js';
import { clientOptions, type CommonOptions } from './common.js';

export interface TargetFlags {
  targets?: string;
  tag?: string[];
  asg?: string[];
  roleName?: string;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option('--targets <file>', 'instance ids or ARNs, one a line (# comments), or a JSON array')
    .option('--tag <key=value>', 'every instance carrying this tag in --region (repeat: all of them)', collect)
    .option('--asg <name>', 'the instances of this Auto Scaling group in --region (repeat for more)', collect)
    .option('--role-name <name>', "role to assume in each target account other than your credentials' own (ARNs)");
}

export function targetsFrom(args: string[], o: TargetFlags): { targets: Target[]; selectors: Selectors } {
  const targets = args.map((a) => parseTarget(a));
  if (o.targets) {
    let text: string;
    try {
      text = readFileSync(o.targets, 'utf8');
    } catch (e) {
      throw new CordonError(
        'usage',
        `cannot read --targets ${o.targets}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        EXIT.usage,
        'give a file with one instance id or ARN a line',
      );
    }
    targets.push(...parseTargetsFile(text, o.targets));
  }
  if (o.roleName !== undefined && !/^[\w+=,.@/-]{1,64}$/.test(o.roleName))
    throw new CordonError('usage', `--role-name "${o.roleName}" is not an IAM role name`, EXIT.usage);
  return { targets, selectors: { tags: (o.tag ?? []).map(parseTagSelector), asgs: o.asg ?? [] } };
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Every account × region the targets name, each with its clients (selectors resolved first). */
export async function workersFrom(args: string[], o: CommonOptions & TargetFlags): Promise<Worker[]> {
  const { targets, selectors } = targetsFrom(args, o);
  const region = resolveRegion({ region: o.region });
  const base = clientOptions(o);
  const [{ createClients }, { planWorkers }] = await Promise.all([
    import('../aws/clients.js'),
    import('../engine/fleet.js'),
  ]);
  const made: AwsClients[] = [];
  try {
    return await planWorkers({
      targets,
      selectors,
      region,
      clientsFor: (accountId, r) => {
        if (accountId && !o.roleName)
          throw new CordonError(
            'no-role',
            `a target is in account ${accountId}, not the account of your credentials: cordon needs a role to assume there`,
            EXIT.usage,
            'pass --role-name NAME: a role in each target account that your identity may assume (see docs/fleet.md)',
          );
        const c = createClients({
          ...base,
          region: r,
          ...(accountId
            ? { sourceRoleArn: base.roleArn, roleArn: `arn:${partitionOf(r)}:iam::${accountId}:role/${o.roleName}` }
            : {}),
        });
        made.push(c);
        return c;
      },
    });
  } catch (e) {
    for (const c of made) c.destroy();
    throw e;
  }
}

export function destroyWorkers(workers: Worker[]): void {
  for (const c of new Set(workers.map((w) => w.clients))) c.destroy();
}
