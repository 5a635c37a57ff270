// The role the responder assumes in every member account, as a stack that is StackSet-ready: no assets, no
// bootstrap resources or version check (BootstraplessSynthesizer), nothing account-specific but the responder's
// account id, so one template deploys to every account of an organizational unit.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aws, BootstraplessSynthesizer, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { CordonOptions } from './options.js';
import { containmentPolicyDocument } from './policy.js';
import { DEFAULT_EXECUTION_ROLE_PREFIX, DEFAULT_MEMBER_ROLE_NAME } from './responder.js';

export interface CordonMemberRoleProps {
  /** The account the CordonResponder runs in (12 digits). */
  readonly responderAccountId: string;
  /** The role's name; the responder's `memberRoleName`. Default `CordonResponder`. */
  readonly roleName?: string;
  /** The responder's `executionRoleNamePrefix`: only roles `<prefix>-*` of the responder account may assume this one. */
  readonly executionRoleNamePrefix?: string;
  /** The same containment options the responder is deployed with. */
  readonly options?: CordonOptions;
  /** Also require the caller to be in this AWS Organization (`aws:PrincipalOrgID`). */
  readonly organizationId?: string;
}

export interface CordonMemberRoleStackProps extends StackProps, CordonMemberRoleProps {}

export class CordonMemberRoleStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: CordonMemberRoleStackProps) {
    super(scope, id, { synthesizer: new BootstraplessSynthesizer(), ...props });
    if (!/^\d{12}$/.test(props.responderAccountId))
      throw new Error(`responderAccountId must be a 12-digit account id, not "${props.responderAccountId}"`);
    const prefix = props.executionRoleNamePrefix ?? DEFAULT_EXECUTION_ROLE_PREFIX;
    const conditions: Record<string, Record<string, string>> = {
      ArnLike: { 'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::${props.responderAccountId}:role/${prefix}-*` },
    };
    if (props.organizationId) conditions.StringEquals = { 'aws:PrincipalOrgID': props.organizationId };
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName ?? DEFAULT_MEMBER_ROLE_NAME,
      assumedBy: new iam.AccountPrincipal(props.responderAccountId).withConditions(conditions),
      description: 'cordon: contain compromised EC2 instances (assumed by the responder account)',
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: { CordonContainment: containmentPolicyDocument(props.options) },
    });
    new CfnOutput(this, 'RoleArn', { value: this.role.roleArn });
  }
}

/** The member-role template as JSON (for a CfnStackSet's templateBody or `aws cloudformation create-stack-set`). */
export function memberRoleTemplate(props: CordonMemberRoleProps): Record<string, unknown> {
  const outdir = mkdtempSync(join(tmpdir(), 'cordon-member-role-'));
  try {
    const app = new App({ outdir, builtinCloudFormationValidation: false, analyticsReporting: false });
    const stack = new CordonMemberRoleStack(app, 'CordonMemberRole', props);
    return app.synth().getStackArtifact(stack.artifactId).template as Record<string, unknown>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
