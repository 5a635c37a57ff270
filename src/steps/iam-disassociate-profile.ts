// Step: disassociate the IAM instance profile, so the instance's metadata service hands out no new role
// credentials. Credentials already handed out stay valid for hours (aws-api-semantics.md §5.3): iam-revoke-sessions
// (after this step) denies them. The association (profile ARN) is recorded on the instance and in the journal;
// restore associates the same profile again.

import { PB_TAG, encodeRecord, decodeRecord } from '../core/playbook.js';
import { EXTRA, extra, profileNameOf, type IamFacts } from '../core/playbook-facts.js';
import { awsErrorCode } from '../aws/clients.js';
import { associateProfile, disassociateProfile } from '../aws/instance.js';
import type { Change } from '../core/plan.js';
import type { RestoreItem, StepDef } from './types.js';
import { instanceChange, playbookOf, recordKeys, recordTag, restoreItem, writeRecordTag } from './playbook-common.js';

const ID = 'iam-disassociate-profile';

export const iamDisassociateProfile: StepDef = {
  id: ID,
  title: 'Disassociate the IAM instance profile',
  layer: 'audit',
  critical: false,
  permissions: [
    'ec2:DescribeIamInstanceProfileAssociations',
    'ec2:DisassociateIamInstanceProfile',
    'ec2:AssociateIamInstanceProfile',
    'iam:PassRole',
    'ec2:CreateTags',
    'ec2:DeleteTags',
  ],
  dependsOn: [],
  // Not on the critical path: it waits until the security-group isolation has finished (ok or not).
  after: ['isolate-security-groups'],
  enabled: (o) => playbookOf(o).disassociateProfile,
  plan(input) {
    if (!playbookOf(input).disassociateProfile) return [];
    const changes: Change[] = [];
    for (const inst of input.instances) {
      const a = extra<IamFacts>(inst, EXTRA.iam)?.association;
      if (!a) continue;
      changes.push(
        instanceChange(
          ID,
          inst,
          'instance-profile',
          { profileArn: a.profileArn, associationId: a.associationId },
          { associationId: a.associationId, profileArn: null },
          `${inst.instanceId}: disassociate instance profile ${profileNameOf(a.profileArn)} (no new role credentials)`,
        ),
      );
    }
    return changes;
  },
  notes(input) {
    const out: string[] = [];
    for (const inst of input.instances) {
      const f = extra<IamFacts>(inst, EXTRA.iam);
      if (f?.error) out.push(`${inst.instanceId}: ${f.error}`);
      else if (f?.association && !playbookOf(input).disassociateProfile)
        out.push(
          `${inst.instanceId} keeps instance profile ${profileNameOf(f.association.profileArn)} (--keep-profile): its metadata service keeps handing out role credentials`,
        );
    }
    return out;
  },
  async preflight() {
    // DisassociateIamInstanceProfile has no DryRun parameter.
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map(async (c) => {
        const { associationId, profileArn } = c.before as { associationId: string; profileArn: string };
        // The fsynced journal holds the original (the change's before) already; the record tag and the change go
        // out together, so a tag that cannot be written (an instance at its tag limit) does not keep the role's
        // credentials on a compromised instance.
        await Promise.all([
          writeRecordTag(ctx, c.resource, PB_TAG.profile, encodeRecord({ arn: profileArn })),
          disassociateProfile(ctx.gateway, associationId).catch((e) => {
            if (awsErrorCode(e) !== 'InvalidAssociationID.NotFound') throw e; // already disassociated
          }),
        ]);
      }),
    );
  },
  restoreOrder: 55,
  planRestore(input) {
    const inst = input.instance;
    const picked = input.pick(
      inst.instanceId,
      'instance-profile',
      decodeRecord(recordTag(inst, PB_TAG.profile))?.arn,
      (input.journalOriginal(inst.instanceId, 'instance-profile') as { profileArn?: string } | undefined)?.profileArn,
    );
    const arn = picked?.value;
    if (!arn) return [];
    const now = extra<IamFacts>(inst, EXTRA.iam)?.association;
    const keys = recordKeys(inst, PB_TAG.profile);
    const items: RestoreItem[] = [];
    const source = picked!.source;
    if (!now)
      items.push(
        restoreItem(
          ID,
          input,
          'instance-profile',
          null,
          { arn, associate: true, tagKeys: keys },
          source,
          `${inst.instanceId}: associate instance profile ${profileNameOf(arn)} again`,
        ),
      );
    else if (now.profileArn !== arn)
      items.push(
        restoreItem(
          ID,
          input,
          'instance-profile',
          now.profileArn,
          { arn, associate: false, tagKeys: keys },
          source,
          `${inst.instanceId}: instance profile ${profileNameOf(now.profileArn)} left as is`,
          `it now has another profile, ${profileNameOf(now.profileArn)}`,
        ),
      );
    else if (keys.length)
      items.push(
        restoreItem(
          ID,
          input,
          'instance-profile',
          now.profileArn,
          { arn, associate: false, tagKeys: keys },
          source,
          `${inst.instanceId}: instance profile ${profileNameOf(arn)} already back`,
        ),
      );
    return items;
  },
  async applyRestore(ctx, items) {
    await Promise.all(
      items.map(async (i) => {
        const o = i.original as { arn: string; associate: boolean; tagKeys: string[] };
        if (o.associate) await associateProfile(ctx.gateway, i.resource, o.arn);
        await ctx.gateway.deleteTags([i.resource], o.tagKeys);
      }),
    );
  },
};
