// Resolving selectors into instances (in one account and region): `--tag KEY=VALUE` (every instance carrying all the
// given tags, terminated ones left out) and `--asg NAME` (the group's members). And the account the credentials
// belong to, to tell which ARNs are the run's own.

import { paginateDescribeInstances } from '@aws-sdk/client-ec2';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClients } from './clients.js';
import { CordonError, EXIT } from '../core/errors.js';
import type { Selectors, Target } from '../core/targets.js';

const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

export async function resolveSelectors(clients: AwsClients, sel: Selectors): Promise<Target[]> {
  const out: Target[] = [];
  const [byTag, byAsg] = await Promise.all([
    sel.tags.length ? instancesWithTags(clients, sel.tags) : Promise.resolve([]),
    sel.asgs.length ? membersOf(clients, sel.asgs) : Promise.resolve([]),
  ]);
  for (const id of byTag)
    out.push({ instanceId: id, source: `--tag ${sel.tags.map((t) => `${t.key}=${t.value}`).join(' --tag ')}` });
  for (const m of byAsg) out.push({ instanceId: m.id, source: `--asg ${m.group}` });
  return out;
}

async function instancesWithTags(clients: AwsClients, tags: Selectors['tags']): Promise<string[]> {
  const ids: string[] = [];
  const pages = paginateDescribeInstances(
    { client: clients.ec2 },
    {
      Filters: [
        ...tags.map((t) => ({ Name: `tag:${t.key}`, Values: [t.value] })),
        { Name: 'instance-state-name', Values: LIVE_STATES },
      ],
    },
  );
  for await (const p of pages)
    for (const r of p.Reservations ?? []) for (const i of r.Instances ?? []) ids.push(i.InstanceId!);
  return ids;
}

async function membersOf(clients: AwsClients, names: string[]): Promise<{ id: string; group: string }[]> {
  const out: { id: string; group: string }[] = [];
  const found = new Set<string>();
  for (let i = 0; i < names.length; i += 50) {
    let token: string | undefined;
    do {
      const r = await clients.autoscaling.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names.slice(i, i + 50), NextToken: token }),
      );
      for (const g of r.AutoScalingGroups ?? []) {
        found.add(g.AutoScalingGroupName!);
        for (const m of g.Instances ?? []) out.push({ id: m.InstanceId!, group: g.AutoScalingGroupName! });
      }
      token = r.NextToken;
    } while (token);
  }
  const missing = names.filter((n) => !found.has(n));
  if (missing.length)
    throw new CordonError(
      'asg-not-found',
      `no Auto Scaling group named ${missing.join(', ')} in ${clients.region}`,
      EXIT.refused,
      'check the name (case matters) and the region; `aws autoscaling describe-auto-scaling-groups` lists them',
    );
  return out;
}

/** The account of the credentials the clients use. */
export async function callerAccount(clients: AwsClients): Promise<string> {
  const r = await clients.sts.send(new GetCallerIdentityCommand({}));
  return r.Account!;
}
