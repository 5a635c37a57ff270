// The containment playbook beyond network isolation: Auto Scaling, load balancers, IAM credentials, IMDS, evidence
// preservation and capture. Pure: options and their defaults, the write-ahead record tags these steps put on the
// instance, and their encoding. No SDK, no fs, no clock.

export type AsgMode = 'detach' | 'standby' | 'skip';
export type RevokeScope = 'instance' | 'role';

export interface PlaybookOptions {
  /** Take the instance out of its Auto Scaling group so health checks cannot replace (terminate) it. */
  asg: AsgMode;
  /** Lower the group's desired capacity instead of launching a replacement (lowering MinSize first if needed). */
  asgDecrement: boolean;
  /** Deregister from every ELBv2 target group and classic load balancer the instance is registered in. */
  elb: boolean;
  /** Disassociate the IAM instance profile (no new role credentials through IMDS). */
  disassociateProfile: boolean;
  /** Deny the role's credentials issued before now (aws:TokenIssueTime); runs after the disassociation. */
  revokeSessions: boolean;
  /** instance: only credentials delivered to this instance (ec2:SourceInstanceARN); role: every holder of the role. */
  revokeScope: RevokeScope;
  /** ModifyInstanceMetadataOptions HttpEndpoint=disabled. */
  disableImds: boolean;
  /** Termination protection on, shutdown behaviour stop, DeleteOnTermination=false on every volume. */
  preserve: boolean;
  /** Snapshots, console output and screenshot, descriptions, with a hashed manifest. */
  evidence: boolean;
  /** Also create an AMI (NoReboot) — it snapshots every volume a second time. */
  image: boolean;
  /** Wait for snapshots and the AMI to complete (can take hours on AWS). */
  wait: boolean;
  /** Seconds between polls while waiting (SDK waiter minimum delay). */
  waitPollSeconds: number;
  /** Give up waiting after this many seconds (the artefacts keep completing on AWS's side). */
  waitTimeoutSeconds: number;
}

export const DEFAULT_PLAYBOOK: PlaybookOptions = {
  asg: 'detach',
  asgDecrement: false,
  elb: true,
  disassociateProfile: true,
  revokeSessions: false,
  revokeScope: 'instance',
  disableImds: true,
  preserve: true,
  evidence: true,
  image: true,
  wait: false,
  waitPollSeconds: 15,
  waitTimeoutSeconds: 7200,
};

export function resolvePlaybook(p: Partial<PlaybookOptions> | undefined): PlaybookOptions {
  const out = { ...DEFAULT_PLAYBOOK };
  for (const [k, v] of Object.entries(p ?? {})) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** Tags the playbook steps write on the instance: the write-ahead record of what each changed. */
export const PB_TAG = {
  asg: 'cordon:original-asg',
  lb: 'cordon:original-lb',
  profile: 'cordon:original-profile',
  revoked: 'cordon:revoked-sessions',
  imds: 'cordon:original-imds',
  termination: 'cordon:original-termination-protection',
  shutdown: 'cordon:original-shutdown-behaviour',
  deleteOnTermination: 'cordon:original-delete-on-termination',
  /** Per kind of evidence captured (value: the incident), so a re-run does not capture it twice. */
  evidence: (kind: string): string => `cordon:evidence-${kind}`,
} as const;

/** Marks an evidence artefact (snapshot, AMI). */
export const ROLE_EVIDENCE = 'evidence';

/** `k=v;k=v` with URI-encoded values: a flat record in one tag value. */
export function encodeRecord(r: Record<string, string | number | boolean | undefined>): string {
  return Object.entries(r)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join(';');
}

export function decodeRecord(s: string | undefined): Record<string, string> | undefined {
  if (s === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const part of s.split(';')) {
    if (!part) continue;
    const i = part.indexOf('=');
    if (i < 0) continue;
    try {
      out[part.slice(0, i)] = decodeURIComponent(part.slice(i + 1));
    } catch {
      out[part.slice(0, i)] = part.slice(i + 1);
    }
  }
  return out;
}

/** The AWS partition of a region (arn:<partition>:…). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

/** arn:aws:ec2:REGION:ACCOUNT:instance/ID — the value of ec2:SourceInstanceARN for credentials delivered to it. */
export function instanceArn(region: string, accountId: string, instanceId: string): string {
  return `arn:${partitionOf(region)}:ec2:${region}:${accountId}:instance/${instanceId}`;
}

/** The inline policy name cordon puts on a role. Role-wide revocation uses the console's own name. */
export function revocationPolicyName(scope: RevokeScope, instanceId: string): string {
  return scope === 'role' ? 'AWSRevokeOlderSessions' : `cordon-revoke-sessions-${instanceId}`;
}

/**
 * The deny policy for credentials issued before `cutoff`, exactly as the IAM user guide's "Revoke active sessions"
 * gives it (aws-api-semantics.md §5.1): one Deny statement on every action and resource, conditioned on
 * `DateLessThan aws:TokenIssueTime`. Scoped to one instance, it adds `ArnEquals ec2:SourceInstanceARN` (§5.2) so
 * other instances sharing the role keep working.
 */
export function revocationPolicy(cutoff: string, sourceInstanceArn?: string): string {
  const condition: Record<string, Record<string, string>> = { DateLessThan: { 'aws:TokenIssueTime': cutoff } };
  if (sourceInstanceArn) condition.ArnEquals = { 'ec2:SourceInstanceARN': sourceInstanceArn };
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: { Effect: 'Deny', Action: '*', Resource: '*', Condition: condition },
  });
}

/**
 * An ISO time rounded up to the whole second (IAM's form, e.g. 2014-05-07T23:47:00Z): nothing issued before escapes.
 */
export function cutoffTime(nowMs: number): string {
  return new Date(Math.ceil(nowMs / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
