// STS: GetCallerIdentity and AssumeRole. AssumeRole issues temporary credentials (ASIA… key, secret, session
// token) for a role in the role ARN's account and registers them as a principal of that account, expiring on the
// simulated clock, so calls signed with them act in the target account until they expire. The role's inline Deny
// statements apply to the session (iam/sessions.ts), so revoking older sessions takes effect.

import { createHash } from 'node:crypto';
import type { CallContext, Handler } from '../framework.js';
import { AwsError } from '../../errors.js';
import type { IamRole, Principal } from '../../state/types.js';
import { needStr, optInt, validation } from '../queryParams.js';
import { trustAllows } from './trust.js';
import { startSession } from '../iam/sessions.js';

const getCallerIdentity: Handler = (ctx) => ({
  UserId: ctx.principal.userId,
  Account: ctx.principal.accountId,
  Arn: ctx.principal.arn,
});

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role(\/(?:[\u0021-\u007E]+\/)?)([\w+=,.@-]{1,64})$/;

function denied(ctx: CallContext, roleArn: string): AwsError {
  return new AwsError(
    'AccessDenied',
    `User: ${ctx.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    403,
  );
}

/** The role of an assumed-role caller (so a trust policy naming that role matches its sessions). */
function callerRoleArns(ctx: CallContext): string[] {
  const m = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(ctx.principal.arn);
  const role = m ? ctx.world.accounts.get(m[1]!)?.iam.roles.get(m[2]!) : undefined;
  return role ? [role.arn] : [];
}

function token(seed: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += createHash('sha256').update(`${seed}:${i}`).digest('base64');
  return out.slice(0, length);
}

const assumeRole: Handler = (ctx, p) => {
  const roleArn = needStr(p, 'RoleArn', 2048);
  if (roleArn.length < 20) throw validation('RoleArn', roleArn, 'Member must have length greater than or equal to 20');
  const session = needStr(p, 'RoleSessionName', 64);
  if (session.length < 2)
    throw validation('RoleSessionName', session, 'Member must have length greater than or equal to 2');
  if (!/^[\w+=,.@-]*$/.test(session))
    throw validation('RoleSessionName', session, 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
  const duration = optInt(p, 'DurationSeconds', 900, 43200);
  const m = ROLE_ARN.exec(roleArn);
  if (!m) throw new AwsError('ValidationError', `${roleArn} is invalid`, 400);
  const [, accountId, path, roleName] = m;
  const account = ctx.world.accounts.get(accountId!);
  const role: IamRole | undefined = account?.iam.roles.get(roleName!);
  if (!account || !role || role.path !== path || !trustAllows(role, ctx.principal, callerRoleArns(ctx)))
    throw denied(ctx, roleArn);
  const chained = ctx.principal.arn.includes(':assumed-role/');
  if (chained && duration !== undefined && duration > 3600) {
    throw new AwsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      400,
    );
  }
  if (duration !== undefined && duration > role.maxSessionDuration) {
    throw new AwsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      400,
    );
  }

  ctx.dryRunGate();
  const seconds = duration ?? 3600;
  const now = ctx.world.clock.now();
  const expiresAt = Math.floor(now / 1000) * 1000 + seconds * 1000;
  const accessKeyId = `ASIA${ctx.world.ids.hex('asia', 16).slice(5).toUpperCase()}`;
  const assumedRoleId = `${role.roleId}:${session}`;
  const arn = `arn:aws:sts::${accountId}:assumed-role/${role.roleName}/${session}`;
  const principal: Principal = {
    accessKeyId,
    secretAccessKey: token(`secret:${accessKeyId}`, 40),
    sessionToken: `IQoJb3JpZ2luX2VjE${token(`session:${accessKeyId}`, 340)}`,
    accountId: accountId!,
    arn,
    userId: assumedRoleId,
    expiresAt,
  };
  startSession(principal, role, now);
  ctx.world.principals.set(accessKeyId, principal);
  return {
    Credentials: {
      AccessKeyId: accessKeyId,
      SecretAccessKey: principal.secretAccessKey,
      SessionToken: principal.sessionToken,
      Expiration: new Date(expiresAt).toISOString().replace(/\.\d+Z$/, 'Z'),
    },
    AssumedRoleUser: { AssumedRoleId: assumedRoleId, Arn: arn },
  };
};

export const stsActions: Record<string, Handler> = {
  GetCallerIdentity: getCallerIdentity,
  AssumeRole: assumeRole,
};
