// `cordon prepare`: pre-create the two isolation groups in each VPC (the seed's "Step 01" and "Step 02"), so a
// containment needs only the two swaps. Idempotent: existing groups (found by their cordon:role tag) are kept.

import type { AwsClients } from '../aws/clients.js';
import { Gateway } from '../aws/gateway.js';
import { indexIsolationGroups } from '../aws/facts.js';
import { CordonError, EXIT } from '../core/errors.js';
import { TAG, ROLE_OPEN, ROLE_EMPTY } from '../core/tags.js';
import { createIsolationGroup } from '../steps/ensure-isolation-groups.js';
import { classifyIsolationGroups, type TamperedGroup } from '../core/isolation-groups.js';

export interface PrepareResult {
  vpcs: { vpcId: string; open: { groupId: string; created: boolean }; empty: { groupId: string; created: boolean } }[];
  /** Groups tagged as cordon's whose tags or rules are not cordon's: not used (fresh ones were made), reported. */
  tampered: TamperedGroup[];
}

export async function prepare(clients: AwsClients, vpcIds: string[] | 'all'): Promise<PrepareResult> {
  const gw = new Gateway(clients);
  const known = await gw.vpcs();
  const targets = vpcIds === 'all' ? known.map((v) => v.vpcId) : vpcIds;
  for (const v of targets) {
    if (!/^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/.test(v))
      throw new CordonError(
        'malformed-id',
        `"${v}" is not a VPC id`,
        EXIT.usage,
        'VPC ids look like vpc-0123456789abcdef0',
      );
    if (!known.some((k) => k.vpcId === v))
      throw new CordonError(
        'vpc-not-found',
        `VPC ${v} not found in ${clients.region}`,
        EXIT.refused,
        'check the id and --region; `aws ec2 describe-vpcs` lists them',
      );
  }
  if (targets.length === 0) return { vpcs: [], tampered: [] };
  const { trusted, tampered } = classifyIsolationGroups(
    await gw.findGroupsByTag([
      { name: 'vpc-id', values: targets },
      { name: 'tag-key', values: [TAG.role] },
    ]),
  );
  const existing = indexIsolationGroups(trusted);
  const vpcs = await Promise.all(
    targets.map(async (vpcId) => {
      const have = existing[vpcId] ?? {};
      const [open, empty] = await Promise.all([
        have.open
          ? { groupId: have.open.groupId, created: false }
          : createIsolationGroup(gw, vpcId, ROLE_OPEN).then((groupId) => ({ groupId, created: true })),
        have.empty
          ? { groupId: have.empty.groupId, created: false }
          : createIsolationGroup(gw, vpcId, ROLE_EMPTY).then((groupId) => ({ groupId, created: true })),
      ]);
      return { vpcId, open, empty };
    }),
  );
  return { vpcs, tampered };
}
