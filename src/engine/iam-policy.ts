// `cordon iam-policy`: the least-privilege IAM policy for the chosen options, derived from what the code declares —
// each step's `permissions` (for the steps these options enable) and each fact gatherer's read permissions —
// never from a hand-kept list.

import type { ContainOptions } from '../core/plan.js';
import { resolvePlaybook } from '../core/playbook.js';
import { GATHERERS } from '../aws/gatherers.js';
import { BASE_READ_PERMISSIONS, VERIFY_READ_PERMISSIONS } from '../aws/facts.js';
import { STEPS } from '../steps/index.js';

export interface PolicyRequest {
  options: ContainOptions;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: '*';
  Condition?: Record<string, Record<string, string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/**
 * The tag keys cordon writes and removes. With them as an `aws:TagKeys` condition, the role cannot be used to write
 * (or remove) any other tag — e.g. an application's tags that drive IAM ABAC decisions.
 */
export const OWN_TAG_KEYS = ['cordon:*', 'Name'];

/** Actions that create a resource with tags in the same call (TagSpecifications); CreateSnapshots copies volume tags. */
const TAG_ON_CREATE = ['CreateSecurityGroup', 'CreateNetworkAcl', 'CreateRouteTable', 'CreateSnapshots', 'CreateImage'];

const sortUnique = (xs: string[]): string[] => [...new Set(xs)].sort();

/** The actions cordon needs for these options: read (facts) and change (steps, including their restore). */
export function requiredActions(r: PolicyRequest): { read: string[]; change: string[] } {
  const o = r.options;
  const gatherOptions = { layers: o.layers ?? ['sg'], naclMode: o.naclMode, playbook: resolvePlaybook(o.playbook) };
  // contain ends by reasoning about what still gets through (the reads `cordon verify` makes).
  const read = [
    ...BASE_READ_PERMISSIONS,
    ...GATHERERS.flatMap((g) => g.permissions(gatherOptions)),
    ...VERIFY_READ_PERMISSIONS,
  ];
  const change: string[] = [];
  for (const s of STEPS) {
    if (s.enabled && !s.enabled(o)) continue;
    for (const p of s.permissions) (/:(Describe|Get|List)/.test(p) ? read : change).push(p);
  }
  return { read: sortUnique(read), change: sortUnique(change) };
}

export function leastPrivilegePolicy(r: PolicyRequest): PolicyDocument {
  const { read, change } = requiredActions(r);
  const tagActions = ['ec2:CreateTags', 'ec2:DeleteTags'];
  const statements: PolicyStatement[] = [
    { Sid: 'CordonRead', Effect: 'Allow', Action: read, Resource: '*' },
    {
      Sid: 'CordonContainAndRestore',
      Effect: 'Allow',
      Action: change.filter((a) => !tagActions.includes(a)),
      Resource: '*',
    },
  ];
  const tagging = change.filter((a) => tagActions.includes(a));
  if (tagging.length)
    statements.push({
      Sid: 'CordonOwnTagsOnly',
      Effect: 'Allow',
      Action: tagging,
      Resource: '*',
      Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': OWN_TAG_KEYS } },
    });
  const creates = TAG_ON_CREATE.filter((a) => change.includes(`ec2:${a}`));
  if (tagging.includes('ec2:CreateTags') && creates.includes('CreateSnapshots'))
    // CopyTagsFromSource copies the volumes' own tags onto the evidence snapshots: any key, but only on creation.
    statements.push({
      Sid: 'CordonTagOnCreate',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: '*',
      Condition: { StringEquals: { 'ec2:CreateAction': creates } },
    });
  return { Version: '2012-10-17', Statement: statements };
}
