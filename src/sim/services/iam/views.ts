// Wire views of IAM records. Element names checked with `node --import tsx scripts/shape.mjs iam Role` (and
// InstanceProfile). Policy documents go out URL-encoded, as IAM sends them.

import type { XmlData } from '../../protocol/xml.js';
import type { AccountState, IamInstanceProfile, IamRole } from '../../state/types.js';
import { urlEncode } from './policy.js';

function tagList(tags: Record<string, string>): XmlData {
  const entries = Object.entries(tags);
  return entries.length ? entries.map(([Key, Value]) => ({ Key, Value })) : undefined;
}

/** GetRole's full view; ListRoles and instance profiles leave out Tags and RoleLastUsed (as IAM does). */
export function roleView(r: IamRole, full: boolean): XmlData {
  return {
    Path: r.path,
    RoleName: r.roleName,
    RoleId: r.roleId,
    Arn: r.arn,
    CreateDate: r.createDate,
    AssumeRolePolicyDocument: urlEncode(r.assumeRolePolicyDocument),
    Description: r.description,
    MaxSessionDuration: r.maxSessionDuration,
    Tags: full ? tagList(r.tags) : undefined,
    RoleLastUsed: full ? {} : undefined,
  };
}

export function instanceProfileView(account: AccountState, ip: IamInstanceProfile): XmlData {
  return {
    Path: ip.path,
    InstanceProfileName: ip.instanceProfileName,
    InstanceProfileId: ip.instanceProfileId,
    Arn: ip.arn,
    CreateDate: ip.createDate,
    Roles: ip.roleNames
      .map((n) => account.iam.roles.get(n))
      .filter((r): r is IamRole => !!r)
      .map((r) => roleView(r, false)),
    Tags: tagList(ip.tags),
  };
}
