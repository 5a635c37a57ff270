// The playbook's flags on `cordon plan` / `cordon contain` (Auto Scaling, load balancers, IAM, IMDS, preservation,
// evidence) and turning them into PlaybookOptions. Bad combinations are refused before anything is read.

import type { Command } from 'commander';
import { CordonError, EXIT } from '../core/errors.js';
import type { PlaybookOptions } from '../core/playbook.js';

export interface PlaybookFlags {
  /** `--no-asg` (spelled --no-asg-detach for commander: --asg NAME selects a group's instances). */
  asgDetach: boolean;
  asgDecrement?: boolean;
  asgStandby?: boolean;
  elb: boolean;
  keepProfile?: boolean;
  revokeSessions?: boolean;
  revokeScope?: string;
  keepImds?: boolean;
  preserve: boolean;
  evidence: boolean;
  image: boolean;
  wait?: boolean;
  waitTimeout?: string;
}

export function addPlaybookOptions(cmd: Command): Command {
  return cmd
    .option(
      '--no-asg-detach',
      'leave the instance in its Auto Scaling group (its health checks may then replace and terminate it); also --no-asg',
    )
    .option(
      '--asg-decrement',
      "lower the group's desired capacity instead of launching a replacement (lowers MinSize first when the group is at its minimum)",
    )
    .option('--asg-standby', 'put the instance in Standby instead of detaching it')
    .option('--no-elb', 'leave it registered with its target groups and classic load balancers')
    .option('--keep-profile', 'keep the IAM instance profile associated')
    .option(
      '--revoke-sessions',
      "deny the role's credentials issued before now (inline policy on aws:TokenIssueTime), after disassociating the profile",
    )
    .option(
      '--revoke-scope <scope>',
      'instance (default: only credentials delivered to this instance) or role (every session of the role)',
    )
    .option('--keep-imds', 'leave the instance metadata service enabled')
    .option('--no-preserve', 'leave termination protection, shutdown behaviour and DeleteOnTermination as they are')
    .option('--no-evidence', 'capture no evidence (snapshots, AMI, console, descriptions)')
    .option('--no-image', 'no AMI (the crash-consistent snapshot set is still taken)')
    .option('--wait', 'wait until the snapshots and the AMI are completed, showing progress')
    .option('--no-wait', 'do not wait for snapshots and the AMI (the default)')
    .option('--wait-timeout <seconds>', 'stop waiting after this long (default 7200)');
}

/** The playbook options the flags ask for (unset ones keep the defaults). Throws a usage error for bad input. */
export function playbookRequest(o: PlaybookFlags): Partial<PlaybookOptions> {
  if (o.asgStandby && o.asgDetach === false)
    throw new CordonError('usage', '--asg-standby and --no-asg exclude each other', EXIT.usage);
  if (o.asgDecrement && o.asgDetach === false)
    throw new CordonError('usage', '--asg-decrement and --no-asg exclude each other', EXIT.usage);
  if (o.revokeScope !== undefined && o.revokeScope !== 'instance' && o.revokeScope !== 'role') {
    throw new CordonError(
      'usage',
      `--revoke-scope must be "instance" or "role", not "${o.revokeScope}"`,
      EXIT.usage,
      'instance denies only credentials delivered to the contained instance; role denies every session of the role',
    );
  }
  if (o.revokeScope !== undefined && !o.revokeSessions) {
    throw new CordonError(
      'usage',
      '--revoke-scope needs --revoke-sessions',
      EXIT.usage,
      "add --revoke-sessions to revoke the role's sessions",
    );
  }
  if (o.waitTimeout !== undefined && o.wait !== true) {
    throw new CordonError('usage', '--wait-timeout needs --wait', EXIT.usage);
  }
  let timeout: number | undefined;
  if (o.waitTimeout !== undefined) {
    timeout = Number(o.waitTimeout);
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 86400)
      throw new CordonError(
        'usage',
        `--wait-timeout must be a whole number of seconds from 1 to 86400, not "${o.waitTimeout}"`,
        EXIT.usage,
      );
  }
  if (o.evidence === false && o.wait === true)
    throw new CordonError(
      'usage',
      '--wait and --no-evidence exclude each other: there is nothing to wait for',
      EXIT.usage,
    );
  return {
    asg: o.asgDetach === false ? 'skip' : o.asgStandby ? 'standby' : 'detach',
    asgDecrement: o.asgDecrement ?? false,
    elb: o.elb !== false,
    disassociateProfile: !o.keepProfile,
    revokeSessions: o.revokeSessions ?? false,
    revokeScope: o.revokeScope === 'role' ? 'role' : 'instance',
    disableImds: !o.keepImds,
    preserve: o.preserve !== false,
    evidence: o.evidence !== false,
    image: o.image !== false,
    wait: o.wait === true,
    waitTimeoutSeconds: timeout,
  };
}
