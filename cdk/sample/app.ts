// Sample app: the responder in one account and region, the member-account role for the other accounts.
//
//   npm run build:lambda                      # the handler bundle: dist/lambda/index.mjs
//   cd cdk && npm run cdk -- deploy CordonResponder -c mode=plan [-c email=soc@example.com]
//   cd cdk && npm run cdk -- synth CordonMemberRole -c responderAccount=111122223333 > member-role.yaml
//
// Context (`-c key=value`): mode (plan|contain), email, layers (e.g. sg,nacl or subnet), acceptBlastRadius,
// revokeSessions, minSeverity, objectLock (true), responderAccount (default: the deploying account), memberOus and memberRegion (both set:
// a service-managed StackSet rolling the member role out to those OUs, deployed from the management account
// or a delegated administrator), securityHub (false when Security Hub is not enabled).

import { App, Stack, aws_cloudformation as cfn } from 'aws-cdk-lib';
import { CordonMemberRoleStack, CordonResponder, memberRoleTemplate, type CordonOptions } from '../src/index.js';

const app = new App();
const ctx = (k: string): string | undefined => {
  const v: unknown = app.node.tryGetContext(k);
  return v === undefined || v === null || v === '' ? undefined : String(v);
};

const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
const options: CordonOptions = {
  layers: (ctx('layers') ?? 'sg').split(','),
  acceptBlastRadius: ctx('acceptBlastRadius') === 'true',
  playbook: { revokeSessions: ctx('revokeSessions') === 'true' },
};
const mode = ctx('mode') === 'contain' ? 'contain' : 'plan';

const responderStack = new Stack(app, 'CordonResponder', { env, description: 'cordon: automatic EC2 containment' });
new CordonResponder(responderStack, 'Responder', {
  mode,
  options,
  minSeverity: ctx('minSeverity') === undefined ? undefined : Number(ctx('minSeverity')),
  objectLock: ctx('objectLock') === 'true',
  notificationEmail: ctx('email'),
  securityHubAction: ctx('securityHub') !== 'false',
});

const responderAccountId = ctx('responderAccount') ?? env.account;
if (responderAccountId) {
  const memberProps = { responderAccountId, options };
  // Deploy directly into one account, or synthesize the template for a StackSet.
  new CordonMemberRoleStack(app, 'CordonMemberRole', {
    ...memberProps,
    description: 'cordon: the role the responder assumes in this account',
  });
  const ous = ctx('memberOus');
  const memberRegion = ctx('memberRegion');
  if (ous && memberRegion) {
    const admin = new Stack(app, 'CordonMemberRoleStackSet', { env });
    new cfn.CfnStackSet(admin, 'MemberRoles', {
      stackSetName: 'cordon-member-role',
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      callAs: ctx('callAs') === 'DELEGATED_ADMIN' ? 'DELEGATED_ADMIN' : 'SELF',
      templateBody: JSON.stringify(memberRoleTemplate(memberProps)),
      // IAM is global: one region per account, or the second stack instance fails on the role's name.
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: ous.split(',') }, regions: [memberRegion] }],
      operationPreferences: { maxConcurrentPercentage: 100, failureTolerancePercentage: 10 },
    });
  }
}
