// IAM roles: GetRole, ListRoles, CreateRole.

import type { Handler } from '../framework.js';
import { AwsError } from '../../errors.js';
import type { IamRole } from '../../state/types.js';
import { needStr, optInt, optStr, readTags } from '../queryParams.js';
import { checkName, findRole, iamPage, readPath, roleByName, uniqueId } from './common.js';
import { checkPolicyDocument } from './policy.js';
import { roleView } from './views.js';

const MAX_ROLES = 1000;

const getRole: Handler = (ctx, p) => {
  const role = roleByName(ctx.account, needStr(p, 'RoleName'));
  return { Role: roleView(role, true) };
};

const listRoles: Handler = (ctx, p) => {
  const prefix = optStr(p, 'PathPrefix', 512) ?? '/';
  const roles = [...ctx.account.iam.roles.values()]
    .filter((r) => r.path.startsWith(prefix))
    .sort((a, b) => a.roleName.localeCompare(b.roleName));
  return iamPage(p, roles, 'roles', 'Roles', (r) => roleView(r, false));
};

const createRole: Handler = (ctx, p) => {
  const name = needStr(p, 'RoleName');
  checkName('RoleName', name, 64);
  const path = readPath(p);
  const trust = needStr(p, 'AssumeRolePolicyDocument', 131072);
  checkPolicyDocument(trust, 'trust');
  const description = optStr(p, 'Description', 1000);
  const maxSession = optInt(p, 'MaxSessionDuration', 3600, 43200) ?? 3600;
  const tags = readTags(p);
  if (tags.length > 50) throw new AwsError('LimitExceeded', 'Cannot exceed quota for TagsPerRole: 50.', 409);
  if (findRole(ctx.account, name))
    throw new AwsError('EntityAlreadyExists', `Role with name ${name} already exists.`, 409);
  if (ctx.account.iam.roles.size >= MAX_ROLES)
    throw new AwsError('LimitExceeded', `Cannot exceed quota for RolesPerAccount: ${MAX_ROLES}.`, 409);
  ctx.dryRunGate();
  const role: IamRole = {
    roleName: name,
    roleId: uniqueId('AROA', ctx.world.ids.hex('role', 17).slice(5)),
    arn: `arn:aws:iam::${ctx.accountId}:role${path}${name}`,
    path,
    createDate: ctx.world.clock.nowIso(),
    assumeRolePolicyDocument: trust,
    description,
    maxSessionDuration: maxSession,
    inlinePolicies: {},
    attachedPolicyArns: [],
    tags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
  };
  ctx.account.iam.roles.set(name, role);
  return { Role: roleView(role, true) };
};

export const roleActions: Record<string, Handler> = {
  GetRole: getRole,
  ListRoles: listRoles,
  CreateRole: createRole,
};
