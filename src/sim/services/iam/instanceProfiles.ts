// IAM instance profiles: GetInstanceProfile, ListInstanceProfiles, ListInstanceProfilesForRole,
// CreateInstanceProfile, AddRoleToInstanceProfile. A profile holds at most one role.

import type { Handler } from '../framework.js';
import { AwsError } from '../../errors.js';
import type { IamInstanceProfile } from '../../state/types.js';
import { needStr, optStr, readTags } from '../queryParams.js';
import { checkName, findProfile, iamPage, profileByName, readPath, roleByName, uniqueId } from './common.js';
import { instanceProfileView } from './views.js';

const MAX_PROFILES = 1000;

function sorted(profiles: Iterable<IamInstanceProfile>): IamInstanceProfile[] {
  return [...profiles].sort((a, b) => a.instanceProfileName.localeCompare(b.instanceProfileName));
}

const getInstanceProfile: Handler = (ctx, p) => {
  const ip = profileByName(ctx.account, needStr(p, 'InstanceProfileName'));
  return { InstanceProfile: instanceProfileView(ctx.account, ip) };
};

const listInstanceProfiles: Handler = (ctx, p) => {
  const prefix = optStr(p, 'PathPrefix', 512) ?? '/';
  const items = sorted(ctx.account.iam.instanceProfiles.values()).filter((ip) => ip.path.startsWith(prefix));
  return iamPage(p, items, 'ips', 'InstanceProfiles', (ip) => instanceProfileView(ctx.account, ip));
};

const listInstanceProfilesForRole: Handler = (ctx, p) => {
  const role = roleByName(ctx.account, needStr(p, 'RoleName'));
  const items = sorted(ctx.account.iam.instanceProfiles.values()).filter((ip) => ip.roleNames.includes(role.roleName));
  return iamPage(p, items, `ipr:${role.roleName}`, 'InstanceProfiles', (ip) => instanceProfileView(ctx.account, ip));
};

const createInstanceProfile: Handler = (ctx, p) => {
  const name = needStr(p, 'InstanceProfileName');
  checkName('InstanceProfileName', name, 128);
  const path = readPath(p);
  const tags = readTags(p);
  if (findProfile(ctx.account, name))
    throw new AwsError('EntityAlreadyExists', `Instance Profile ${name} already exists.`, 409);
  if (ctx.account.iam.instanceProfiles.size >= MAX_PROFILES)
    throw new AwsError('LimitExceeded', `Cannot exceed quota for InstanceProfilesPerAccount: ${MAX_PROFILES}.`, 409);
  ctx.dryRunGate();
  const ip: IamInstanceProfile = {
    instanceProfileName: name,
    instanceProfileId: uniqueId('AIPA', ctx.world.ids.hex('ip', 17).slice(3)),
    arn: `arn:aws:iam::${ctx.accountId}:instance-profile${path}${name}`,
    path,
    createDate: ctx.world.clock.nowIso(),
    roleNames: [],
    tags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
  };
  ctx.account.iam.instanceProfiles.set(name, ip);
  return { InstanceProfile: instanceProfileView(ctx.account, ip) };
};

const addRoleToInstanceProfile: Handler = (ctx, p) => {
  const ip = profileByName(ctx.account, needStr(p, 'InstanceProfileName'));
  const role = roleByName(ctx.account, needStr(p, 'RoleName'));
  if (ip.roleNames.length >= 1)
    throw new AwsError('LimitExceeded', 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1.', 409);
  ctx.dryRunGate();
  ip.roleNames.push(role.roleName);
  return undefined;
};

export const instanceProfileActions: Record<string, Handler> = {
  GetInstanceProfile: getInstanceProfile,
  ListInstanceProfiles: listInstanceProfiles,
  ListInstanceProfilesForRole: listInstanceProfilesForRole,
  CreateInstanceProfile: createInstanceProfile,
  AddRoleToInstanceProfile: addRoleToInstanceProfile,
};
