// IAM role policies: PutRolePolicy, GetRolePolicy, DeleteRolePolicy, ListRolePolicies, ListAttachedRolePolicies.
// Inline documents are stored as sent; GetRolePolicy returns them URL-encoded. A role's inline policies may total
// 10,240 characters (whitespace not counted): LimitExceeded beyond that. Changes reach the role's live STS sessions
// (see sessions.ts): an AWSRevokeOlderSessions policy denies sessions issued before its cut-off.

import type { Handler } from '../framework.js';
import { AwsError } from '../../errors.js';
import type { IamRole } from '../../state/types.js';
import { needStr, optStr } from '../queryParams.js';
import { checkName, iamPage, roleByName } from './common.js';
import { ROLE_INLINE_POLICY_QUOTA, checkPolicyDocument, policySize, urlEncode } from './policy.js';
import { refreshSessions } from './sessions.js';

function policyName(role: IamRole, name: string): string | undefined {
  if (name in role.inlinePolicies) return name;
  const lower = name.toLowerCase();
  return Object.keys(role.inlinePolicies).find((k) => k.toLowerCase() === lower);
}

function noSuchPolicy(name: string): AwsError {
  return new AwsError('NoSuchEntity', `The role policy with name ${name} cannot be found.`, 404);
}

const putRolePolicy: Handler = (ctx, p) => {
  const role = roleByName(ctx.account, needStr(p, 'RoleName'));
  const name = needStr(p, 'PolicyName');
  checkName('PolicyName', name, 128);
  const doc = needStr(p, 'PolicyDocument', 131072);
  checkPolicyDocument(doc, 'identity');
  const existing = policyName(role, name);
  const others = Object.entries(role.inlinePolicies).filter(([k]) => k !== existing);
  const total = others.reduce((n, [, d]) => n + policySize(d), 0) + policySize(doc);
  if (total > ROLE_INLINE_POLICY_QUOTA) {
    throw new AwsError(
      'LimitExceeded',
      `Maximum policy size of ${ROLE_INLINE_POLICY_QUOTA} bytes exceeded for role ${role.roleName}`,
      409,
    );
  }
  ctx.dryRunGate();
  if (existing !== undefined && existing !== name) delete role.inlinePolicies[existing];
  role.inlinePolicies[name] = doc;
  refreshSessions(ctx.world, ctx.accountId, role);
  return undefined;
};

const getRolePolicy: Handler = (ctx, p) => {
  const role = roleByName(ctx.account, needStr(p, 'RoleName'));
  const asked = needStr(p, 'PolicyName');
  const name = policyName(role, asked);
  if (name === undefined) throw noSuchPolicy(asked);
  return { RoleName: role.roleName, PolicyName: name, PolicyDocument: urlEncode(role.inlinePolicies[name]!) };
};

const deleteRolePolicy: Handler = (ctx, p) => {
  const role = roleByName(ctx.account, needStr(p, 'RoleName'));
  const asked = needStr(p, 'PolicyName');
  const name = policyName(role, asked);
  if (name === undefined) throw noSuchPolicy(asked);
  ctx.dryRunGate();
  delete role.inlinePolicies[name];
  refreshSessions(ctx.world, ctx.accountId, role);
  return undefined;
};

const listRolePolicies: Handler = (ctx, p) => {
  const role = roleByName(ctx.account, needStr(p, 'RoleName'));
  const names = Object.keys(role.inlinePolicies).sort();
  return iamPage(p, names, `rp:${role.roleName}`, 'PolicyNames', (n) => n);
};

const listAttachedRolePolicies: Handler = (ctx, p) => {
  const role = roleByName(ctx.account, needStr(p, 'RoleName'));
  const prefix = optStr(p, 'PathPrefix', 512) ?? '/';
  const attached = role.attachedPolicyArns
    .map((arn) => {
      const resource = arn.split(':').slice(5).join(':'); // policy/path/name
      const rest = resource.replace(/^policy/, '');
      const cut = rest.lastIndexOf('/');
      return { arn, path: rest.slice(0, cut + 1) || '/', name: rest.slice(cut + 1) };
    })
    .filter((a) => a.path.startsWith(prefix))
    .sort((a, b) => a.name.localeCompare(b.name));
  return iamPage(p, attached, `arp:${role.roleName}`, 'AttachedPolicies', (a) => ({
    PolicyName: a.name,
    PolicyArn: a.arn,
  }));
};

export const rolePolicyActions: Record<string, Handler> = {
  PutRolePolicy: putRolePolicy,
  GetRolePolicy: getRolePolicy,
  DeleteRolePolicy: deleteRolePolicy,
  ListRolePolicies: listRolePolicies,
  ListAttachedRolePolicies: listAttachedRolePolicies,
};
