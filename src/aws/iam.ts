// IAM calls for credential revocation: the instance profile's role, and the inline deny policy on it. IAM has no
// DryRun; its errors are matched by code (NoSuchEntity).

import {
  GetInstanceProfileCommand,
  PutRolePolicyCommand,
  GetRolePolicyCommand,
  DeleteRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { AwsClients } from './clients.js';
import { awsErrorCode } from './clients.js';
import type { Gateway } from './gateway.js';

type Reader = <T>(action: string, fn: () => Promise<T>) => Promise<T>;

/** The role in an instance profile (a profile holds at most one role); undefined when it has none. */
export async function roleOfProfile(
  clients: AwsClients,
  profileName: string,
  read: Reader = (_a, fn) => fn(),
): Promise<string | undefined> {
  const r = await read('iam:GetInstanceProfile', () =>
    clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName })),
  );
  return r.InstanceProfile?.Roles?.[0]?.RoleName;
}

export function roleOfProfileWithGateway(gw: Gateway, profileName: string): Promise<string | undefined> {
  // Once per run: a fleet's instances usually share a profile.
  return gw.once(`iam-profile:${profileName}`, () =>
    roleOfProfile(gw.clients, profileName, (action, fn) => gw.call(action, false, fn)),
  );
}

/** The inline policy's document (decoded), or undefined when the role has no policy of that name. */
export async function getRolePolicy(gw: Gateway, roleName: string, policyName: string): Promise<string | undefined> {
  try {
    const r = await gw.call('iam:GetRolePolicy', false, () =>
      gw.clients.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
    );
    return r.PolicyDocument === undefined ? undefined : decodeURIComponent(r.PolicyDocument);
  } catch (e) {
    if (awsErrorCode(e) === 'NoSuchEntity' || awsErrorCode(e) === 'NoSuchEntityException') return undefined;
    throw e;
  }
}

export async function putRolePolicy(
  gw: Gateway,
  roleName: string,
  policyName: string,
  document: string,
): Promise<string | undefined> {
  const r = await gw.call('iam:PutRolePolicy', false, () =>
    gw.clients.iam.send(
      new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: document }),
    ),
  );
  return r.$metadata.requestId;
}

export async function deleteRolePolicy(gw: Gateway, roleName: string, policyName: string): Promise<void> {
  try {
    await gw.call('iam:DeleteRolePolicy', false, () =>
      gw.clients.iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
    );
  } catch (e) {
    if (awsErrorCode(e) !== 'NoSuchEntity' && awsErrorCode(e) !== 'NoSuchEntityException') throw e;
  }
}
