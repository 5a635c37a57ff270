// Step (--revoke-sessions): deny the role's credentials issued before now. Role credentials an attacker took from
// the metadata service stay valid for hours after the profile is gone (aws-api-semantics.md §5.3); an inline Deny
// on `aws:TokenIssueTime` makes every request signed with them fail (§5.1). By default the deny is scoped to this
// instance with `ec2:SourceInstanceARN` (§5.2), so other instances sharing the role keep working; `--revoke-scope
// role` denies every older session of the role, like the console's "Revoke active sessions" (same policy name).
// It runs after iam-disassociate-profile: revoking first would let the metadata service hand out fresh credentials
// that post-date the cut-off. The revocation is kept on restore unless `cordon restore --remove-revocation`.

import {
  PB_TAG,
  cutoffTime,
  decodeRecord,
  encodeRecord,
  instanceArn,
  revocationPolicy,
  revocationPolicyName,
  type RevokeScope,
} from '../core/playbook.js';
import { EXTRA, extra, profileNameOf, type IamFacts } from '../core/playbook-facts.js';
import { deleteRolePolicy, getRolePolicy, putRolePolicy, roleOfProfileWithGateway } from '../aws/iam.js';
import { CordonError, EXIT } from '../core/errors.js';
import type { Change } from '../core/plan.js';
import type { StepDef } from './types.js';
import {
  instanceChange,
  journalOriginal,
  playbookOf,
  recordKeys,
  recordTag,
  restoreItem,
  writeRecordTag,
} from './playbook-common.js';

const ID = 'iam-revoke-sessions';

interface RevokeAction {
  scope: RevokeScope;
  profileArn: string;
  roleName?: string;
  policyName: string;
  /** ec2:SourceInstanceARN for an instance-scoped deny. */
  sourceInstanceArn?: string;
}

/** The account id in an IAM ARN (arn:aws:iam::123456789012:instance-profile/…). */
function accountOf(arn: string): string | undefined {
  return arn.split(':')[4] || undefined;
}

export const iamRevokeSessions: StepDef = {
  id: ID,
  title: 'Revoke the role credentials already handed out',
  layer: 'audit',
  critical: false,
  permissions: [
    'iam:GetInstanceProfile',
    'iam:GetRolePolicy',
    'iam:PutRolePolicy',
    'iam:DeleteRolePolicy',
    'ec2:CreateTags',
  ],
  // After the disassociation whatever its outcome (otherwise IMDS hands out fresh credentials past the cut-off), and
  // still when that step reports a failure: revoking the stolen sessions is never less safe.
  dependsOn: [],
  after: ['iam-disassociate-profile'],
  enabled: (o) => playbookOf(o).revokeSessions,
  plan(input) {
    const pb = playbookOf(input);
    if (!pb.revokeSessions) return [];
    const changes: Change[] = [];
    for (const inst of input.instances) {
      if (recordTag(inst, PB_TAG.revoked) !== undefined) continue; // revoked by an earlier run
      const f = extra<IamFacts>(inst, EXTRA.iam);
      const arn = f?.association?.profileArn ?? decodeRecord(recordTag(inst, PB_TAG.profile))?.arn;
      if (!arn) continue;
      const account = accountOf(arn) ?? inst.accountId;
      const a: RevokeAction = {
        scope: pb.revokeScope,
        profileArn: arn,
        roleName: f?.roleName,
        policyName: revocationPolicyName(pb.revokeScope, inst.instanceId),
        sourceInstanceArn:
          pb.revokeScope === 'instance' && account ? instanceArn(inst.region, account, inst.instanceId) : undefined,
      };
      const role = a.roleName ?? `the role of ${profileNameOf(arn)}`;
      const scope = a.sourceInstanceArn
        ? `credentials delivered to ${inst.instanceId} (ec2:SourceInstanceARN)`
        : 'EVERY session of the role, on every instance sharing it';
      changes.push(
        instanceChange(
          ID,
          inst,
          'revocation',
          null,
          a,
          `${inst.instanceId}: inline policy ${a.policyName} on ${role}: deny ${scope} issued before now`,
        ),
      );
    }
    return changes;
  },
  notes(input) {
    const pb = playbookOf(input);
    const out: string[] = [];
    if (!pb.revokeSessions) return out;
    for (const inst of input.instances) {
      const f = extra<IamFacts>(inst, EXTRA.iam);
      if (f && !f.error && !f.association && !recordTag(inst, PB_TAG.profile))
        out.push(`${inst.instanceId} has no instance profile: no role sessions to revoke`);
      if (!pb.disassociateProfile && f?.association)
        out.push(
          `${inst.instanceId}: --revoke-sessions with --keep-profile: the metadata service keeps handing out fresh credentials that the revocation does not cover`,
        );
      const role = `--revoke-scope role: every instance and service using ${f?.roleName ?? 'the role'} loses its current credentials until it fetches new ones`;
      if (pb.revokeScope === 'role' && !out.includes(role)) out.push(role);
    }
    return out;
  },
  async preflight() {
    // IAM has no DryRun.
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map(async (c) => {
        const a = c.after as RevokeAction;
        const roleName = a.roleName ?? (await roleOfProfileWithGateway(ctx.gateway, profileNameOf(a.profileArn)));
        if (!roleName)
          throw new CordonError(
            'no-role',
            `instance profile ${profileNameOf(a.profileArn)} has no role: nothing to revoke`,
            EXIT.refused,
          );
        // What the role had under that name before (restore with --remove-revocation puts it back).
        const prior = await getRolePolicy(ctx.gateway, roleName, a.policyName);
        // The cut-off is taken now, after the disassociation (this step's dependency) has finished.
        const cutoff = cutoffTime(Date.now());
        await journalOriginal(ctx, c.resource, 'revocation', {
          roleName,
          policyName: a.policyName,
          prior: prior ?? null,
        });
        const record = encodeRecord({
          role: roleName,
          policy: a.policyName,
          scope: a.scope,
          cutoff,
          prior: prior === undefined ? '0' : '1',
        });
        await Promise.all([
          writeRecordTag(ctx, c.resource, PB_TAG.revoked, record),
          putRolePolicy(ctx.gateway, roleName, a.policyName, revocationPolicy(cutoff, a.sourceInstanceArn)),
        ]);
      }),
    );
  },
  restoreOrder: 50,
  planRestore(input) {
    const inst = input.instance;
    const rec = decodeRecord(recordTag(inst, PB_TAG.revoked));
    const journaled = input.journalOriginal(inst.instanceId, 'revocation') as
      { roleName: string; policyName: string; prior: string | null } | undefined;
    const picked = input.pick(
      inst.instanceId,
      'revocation',
      rec?.role ? { role: rec.role, policy: rec.policy } : undefined,
      journaled ? { role: journaled.roleName, policy: journaled.policyName } : undefined,
    );
    const role = picked?.value.role;
    const policy = picked?.value.policy;
    if (!role || !policy) return [];
    const keys = recordKeys(inst, PB_TAG.revoked);
    if (!input.removeRevocation) {
      return [
        restoreItem(
          ID,
          input,
          'revocation',
          policy,
          { keep: true, role, policy },
          'step',
          `${inst.instanceId}: revocation ${policy} on role ${role} kept (sessions issued before ${rec?.cutoff ?? 'containment'} stay denied; --remove-revocation removes it)`,
        ),
      ];
    }
    const prior = journaled?.prior ?? null;
    return [
      restoreItem(
        ID,
        input,
        'revocation',
        policy,
        { keep: false, role, policy, prior, tagKeys: keys },
        rec ? 'tags' : 'journal',
        prior
          ? `${inst.instanceId}: put role ${role}'s earlier ${policy} back`
          : `${inst.instanceId}: delete inline policy ${policy} from role ${role}`,
      ),
    ];
  },
  async applyRestore(ctx, items) {
    for (const i of items) {
      const o = i.original as {
        keep: boolean;
        role: string;
        policy: string;
        prior?: string | null;
        tagKeys?: string[];
      };
      if (o.keep) continue;
      if (o.prior) await putRolePolicy(ctx.gateway, o.role, o.policy, o.prior);
      else await deleteRolePolicy(ctx.gateway, o.role, o.policy);
      await ctx.gateway.deleteTags([i.resource], o.tagKeys ?? []);
    }
  },
};
