// Reading the targets from AWS: the instances, their ENIs (with tags: the write-ahead record), the isolation groups,
// and what the extra gatherers read for the steps. Everything is normalised into src/core/facts.ts types
// (src/aws/normalize.ts). The fast path (contain) reads only what the swap needs, in one round trip — for a fleet
// too: ids go in chunks of 200, all chunks at once, pages followed.

import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeRegionsCommand,
  paginateDescribeInstances,
  paginateDescribeNetworkInterfaces,
  type Instance,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import type { AwsClients } from './clients.js';
import { awsErrorCode, createClients } from './clients.js';
import { CordonError, EXIT } from '../core/errors.js';
import type { InstanceFacts, SecurityGroupFacts } from '../core/facts.js';
import { TAG, joinTagValue } from '../core/tags.js';
import { LTAG, ROLE_ALLOW } from '../core/subnet-layers.js';
import { GATHERERS, type GatherOptions } from './gatherers.js';
import { classifyIsolationGroups, type TamperedGroup } from '../core/isolation-groups.js';
import { groupFacts, instanceFacts } from './normalize.js';

export { tagMap, instanceFacts, groupFacts } from './normalize.js';
export { gatherNetworkFacts } from './network-facts.js';

/** Id lists and filter values go in chunks of this size (EC2 answers FilterLimitExceeded past 200 values). */
const CHUNK = 200;

export const INSTANCE_ID_RE = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;

/** What describeTargets itself reads (the extra gatherers declare their own); DescribeRegions finds a wrong region. */
export const BASE_READ_PERMISSIONS = [
  'ec2:DescribeInstances',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeRegions',
];
/** What gatherNetworkFacts (plan details, `cordon verify`) reads on top. */
export const VERIFY_READ_PERMISSIONS = [
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeNetworkAcls',
  'ec2:DescribeRouteTables',
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeIamInstanceProfileAssociations',
];

/** Translates a describe failure on instance ids into a CordonError that says what to do. */
export async function explainInstanceLookupFailure(clients: AwsClients, ids: string[], e: unknown): Promise<never> {
  const code = awsErrorCode(e);
  if (code === 'InvalidInstanceID.Malformed') {
    throw new CordonError(
      'malformed-id',
      `malformed instance id in ${ids.join(', ')}`,
      EXIT.usage,
      'instance ids look like i-0123456789abcdef0',
    );
  }
  if (code === 'InvalidInstanceID.NotFound') {
    const missing = ids.filter((id) => String((e as Error).message).includes(id));
    const where = await findInOtherRegions(clients, missing.length ? missing : ids);
    const hint = where.length
      ? `found in ${where.map((w) => `${w.region} (${w.instanceId})`).join(', ')}: rerun with --region ${where[0]!.region}`
      : `check the id and the account; searched every enabled region`;
    throw new CordonError(
      'instance-not-found',
      `instance ${(missing.length ? missing : ids).join(', ')} not found in ${clients.region}`,
      EXIT.refused,
      hint,
    );
  }
  throw e;
}

async function findInOtherRegions(
  clients: AwsClients,
  ids: string[],
): Promise<{ region: string; instanceId: string }[]> {
  let regions: string[] = [];
  try {
    const r = await clients.ec2.send(new DescribeRegionsCommand({}));
    regions = (r.Regions ?? []).map((x) => x.RegionName!).filter((x) => x && x !== clients.region);
  } catch {
    return [];
  }
  const endpoint = await clients.ec2.config.endpoint?.().catch(() => undefined);
  const credentials = clients.ec2.config.credentials;
  const found: { region: string; instanceId: string }[] = [];
  await Promise.all(
    regions.map(async (region) => {
      const other = createClients({
        region,
        credentials,
        endpointUrl: endpoint
          ? `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}${endpoint.path}`
          : undefined,
        maxAttempts: 2,
      });
      try {
        const r = await other.ec2.send(
          new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ids }] }),
        );
        for (const res of r.Reservations ?? [])
          for (const i of res.Instances ?? []) found.push({ region, instanceId: i.InstanceId! });
      } catch {
        // a region we cannot read is simply not searched
      } finally {
        other.destroy();
      }
    }),
  );
  return found;
}

export interface TargetFacts {
  instances: InstanceFacts[];
  /**
   * Groups tagged with a cordon role whose tags or rules are not what cordon gives that role: never used, reported
   * as an indicator (src/core/isolation-groups.ts).
   */
  tampered: TamperedGroup[];
  /** Isolation groups by VPC: the groups cordon prepared or created, found by their cordon:role tag. */
  isolationGroups: Record<
    string,
    { open?: SecurityGroupFacts; empty?: SecurityGroupFacts; allow?: Record<string, SecurityGroupFacts> }
  >;
}

/**
 * The fast path: instances with their ENIs (and ENI tags), every isolation group in the region, and whatever the
 * registered extra gatherers read — all started at once (one round trip for everything keyed by instance id).
 */
export async function describeTargets(
  clients: AwsClients,
  ids: string[],
  options: GatherOptions = {},
): Promise<TargetFacts> {
  for (const id of ids) {
    if (!INSTANCE_ID_RE.test(id)) {
      throw new CordonError(
        'malformed-id',
        `"${id}" is not an instance id`,
        EXIT.usage,
        'instance ids look like i-0123456789abcdef0',
      );
    }
  }
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += CHUNK) chunks.push(ids.slice(i, i + CHUNK));
  const pages = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
    const out: T[] = [];
    for await (const p of it) out.push(p);
    return out;
  };
  const base = Promise.all([
    Promise.all(
      chunks.map((part) =>
        part.length === 1
          ? clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: part })).then((r) => [r])
          : pages(paginateDescribeInstances({ client: clients.ec2 }, { InstanceIds: part })),
      ),
    )
      .then((x) => ({ Reservations: x.flat().flatMap((p) => p.Reservations ?? []) }))
      .catch((e) => explainInstanceLookupFailure(clients, ids, e)),
    Promise.all(
      chunks.map((part) =>
        pages(
          paginateDescribeNetworkInterfaces(
            { client: clients.ec2 },
            { Filters: [{ Name: 'attachment.instance-id', Values: part }] },
          ),
        ),
      ),
    ).then((x) => ({ NetworkInterfaces: x.flat().flatMap((p) => p.NetworkInterfaces ?? []) as NetworkInterface[] })),
    clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag-key', Values: [TAG.role] }] })),
  ]);
  const instancesP = base.then(([inst, enis]) => {
    const all = new Map<string, Instance>();
    for (const r of inst.Reservations ?? []) for (const i of r.Instances ?? []) all.set(i.InstanceId!, i);
    const byInstance = new Map<string, NetworkInterface[]>();
    for (const e of enis.NetworkInterfaces ?? []) {
      const owner = e.Attachment?.InstanceId;
      if (owner) byInstance.set(owner, [...(byInstance.get(owner) ?? []), e]);
    }
    return ids.map((id) => {
      const i = all.get(id);
      if (!i)
        throw new CordonError('instance-not-found', `instance ${id} not found in ${clients.region}`, EXIT.refused);
      return instanceFacts(i, byInstance.get(id) ?? [], clients.region);
    });
  });
  const extrasP = Promise.all(
    GATHERERS.filter((g) => !options.only || options.only.includes(g.id)).map(
      async (g) => [g.id, await g.gather(clients, ids, instancesP, options)] as const,
    ),
  );
  extrasP.catch(() => undefined); // observed below; avoids an unhandled rejection when the base read fails first
  // A failed base read surfaces first (it explains bad ids); gatherer failures are real failures too.
  const [[, , groups], instances] = await Promise.all([base, instancesP]);
  const extras = await extrasP;
  for (const i of instances) {
    i.extras = {};
    for (const [id, perInstance] of extras)
      if (perInstance[i.instanceId] !== undefined) i.extras[id] = perInstance[i.instanceId];
  }
  const { trusted, tampered } = classifyIsolationGroups((groups.SecurityGroups ?? []).map(groupFacts));
  return { instances, isolationGroups: indexIsolationGroups(trusted), tampered };
}

/** Isolation groups by VPC and role. Give it trusted groups only (classifyIsolationGroups). */
export function indexIsolationGroups(groups: SecurityGroupFacts[]): TargetFacts['isolationGroups'] {
  const out: TargetFacts['isolationGroups'] = {};
  for (const g of groups) {
    const role = g.tags[TAG.role];
    const slot = (out[g.vpcId] ??= {});
    if (role === 'isolation-open' && !slot.open) slot.open = g;
    if (role === 'isolation-empty' && !slot.empty) slot.empty = g;
    // Step-2 groups with an allow-list (--allow-cidr), by their canonical allow-list: used only by that allow-list.
    if (role === ROLE_ALLOW) (slot.allow ??= {})[joinTagValue(g.tags, LTAG.allowList) ?? ''] ??= g;
  }
  return out;
}
