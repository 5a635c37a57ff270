// IAM instance profile associations: Associate, Describe, Disassociate, Replace. One association per instance;
// the instance must be running or stopped to associate (running to replace). Answers show `associating` /
// `disassociating`; the record is `associated` at once (the next Describe shows it), and a disassociated
// association is gone. `instance.iamInstanceProfile` follows every change.

import type { CallContext, Handler } from '../framework.js';
import { int, obj, str, strList, paginate, reqStr } from '../framework.js';
import type { FormObject } from '../../protocol/form.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import { lookup } from './ids.js';
import { shownState } from './lifecycle.js';
import type { IamInstanceProfile, IamInstanceProfileAssociation, Instance } from '../../state/types.js';

/** `IamInstanceProfile.Arn` or `.Name` → the account's instance profile (InvalidParameterValue when unknown). */
export function resolveProfile(ctx: CallContext, spec: FormObject | undefined): IamInstanceProfile {
  const arn = spec ? str(spec, 'Arn') : undefined;
  const name = spec ? str(spec, 'Name') : undefined;
  if (!arn && !name)
    throw new AwsError('MissingParameter', 'The request must contain the parameter IamInstanceProfile');
  const profiles = ctx.account.iam.instanceProfiles;
  if (arn) {
    const found = [...profiles.values()].find((x) => x.arn === arn);
    if (!found)
      throw new AwsError(
        'InvalidParameterValue',
        `Value (${arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
      );
    if (name && name !== found.instanceProfileName) {
      throw new AwsError(
        'InvalidParameterCombination',
        `The instance profile name '${name}' does not match the instance profile ARN '${arn}'.`,
      );
    }
    return found;
  }
  const found = profiles.get(name!) ?? [...profiles.values()].find((x) => x.instanceProfileName === name);
  if (!found)
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`,
    );
  return found;
}

/** Records an association (state `associated`) and mirrors it on the instance. */
export function associateProfile(
  ctx: CallContext,
  inst: Instance,
  profile: IamInstanceProfile,
): IamInstanceProfileAssociation {
  const association: IamInstanceProfileAssociation = {
    associationId: ctx.world.ids.hex('iip-assoc'),
    instanceId: inst.instanceId,
    iamInstanceProfile: { arn: profile.arn, id: profile.instanceProfileId },
    state: 'associated',
    timestamp: ctx.nowIso(),
  };
  ctx.region.ec2.iamInstanceProfileAssociations.set(association.associationId, association);
  inst.iamInstanceProfile = { ...association.iamInstanceProfile };
  return association;
}

function view(a: IamInstanceProfileAssociation, state: IamInstanceProfileAssociation['state'] = a.state) {
  return {
    associationId: a.associationId,
    instanceId: a.instanceId,
    iamInstanceProfile: { arn: a.iamInstanceProfile.arn, id: a.iamInstanceProfile.id },
    state,
    timestamp: a.timestamp,
  };
}

function findAssociation(ctx: CallContext, id: string): IamInstanceProfileAssociation {
  if (!/^iip-assoc-[0-9a-f]{8}([0-9a-f]{9})?$/.test(id))
    throw new AwsError('InvalidParameterValue', `Invalid value '${id}' for associationId.`);
  const a = ctx.region.ec2.iamInstanceProfileAssociations.get(id);
  if (!a) throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${id}' does not exist`);
  return a;
}

function associationOf(ctx: CallContext, instanceId: string): IamInstanceProfileAssociation | undefined {
  for (const a of ctx.region.ec2.iamInstanceProfileAssociations.values()) if (a.instanceId === instanceId) return a;
  return undefined;
}

const associateIamInstanceProfile: Handler = (ctx, p) => {
  const inst = lookup('instance', ctx.region.ec2.instances, str(p, 'InstanceId'), 'InstanceId');
  const profile = resolveProfile(ctx, obj(p, 'IamInstanceProfile'));
  const state = shownState(ctx.world, inst);
  if (state !== 'running' && state !== 'stopped') {
    throw new AwsError(
      'IncorrectInstanceState',
      `The instance '${inst.instanceId}' is not in the 'running' or 'stopped' states.`,
    );
  }
  if (associationOf(ctx, inst.instanceId)) {
    throw new AwsError('IncorrectState', `There is an existing association for instance ${inst.instanceId}`);
  }
  ctx.dryRunGate();
  const a = associateProfile(ctx, inst, profile);
  return { iamInstanceProfileAssociation: view(a, 'associating') };
};

const describeIamInstanceProfileAssociations: Handler = (ctx, p) => {
  const ids = strList(p, 'AssociationId');
  const maxResults = int(p, 'MaxResults');
  if (ids.length && maxResults !== undefined) {
    throw new AwsError(
      'InvalidParameterCombination',
      'The parameter AssociationIds cannot be used with the parameter MaxResults',
    );
  }
  let items = ids.length
    ? [...new Set(ids)].map((id) => findAssociation(ctx, id))
    : [...ctx.region.ec2.iamInstanceProfileAssociations.values()];
  items = applyFilters(
    items.map((a) => ({ a, tags: {} })),
    readFilters(p),
    ({ a }, name) => {
      switch (name) {
        case 'instance-id':
          return [a.instanceId];
        case 'state':
          return [a.state];
        default:
          return undefined;
      }
    },
  ).map((x) => x.a);
  const { page, nextToken } = paginate(items, maxResults, str(p, 'NextToken'));
  return { iamInstanceProfileAssociationSet: page.map((a) => view(a)), nextToken };
};

const disassociateIamInstanceProfile: Handler = (ctx, p) => {
  const a = findAssociation(ctx, reqStr(p, 'AssociationId'));
  ctx.dryRunGate();
  ctx.region.ec2.iamInstanceProfileAssociations.delete(a.associationId);
  const inst = ctx.region.ec2.instances.get(a.instanceId);
  if (inst) inst.iamInstanceProfile = undefined;
  return { iamInstanceProfileAssociation: view(a, 'disassociating') };
};

const replaceIamInstanceProfileAssociation: Handler = (ctx, p) => {
  const old = findAssociation(ctx, reqStr(p, 'AssociationId'));
  const profile = resolveProfile(ctx, obj(p, 'IamInstanceProfile'));
  const inst = ctx.region.ec2.instances.get(old.instanceId);
  // Observed: replacing on a stopped instance fails this way; disassociate and associate instead.
  if (!inst || shownState(ctx.world, inst) !== 'running') {
    throw new AwsError('IncorrectState', `The association ${old.associationId} is not the active association`);
  }
  ctx.dryRunGate();
  ctx.region.ec2.iamInstanceProfileAssociations.delete(old.associationId);
  const a = associateProfile(ctx, inst, profile);
  return { iamInstanceProfileAssociation: view(a, 'associating') };
};

export const iamAssociationsActions: Record<string, Handler> = {
  AssociateIamInstanceProfile: associateIamInstanceProfile,
  DescribeIamInstanceProfileAssociations: describeIamInstanceProfileAssociations,
  DisassociateIamInstanceProfile: disassociateIamInstanceProfile,
  ReplaceIamInstanceProfileAssociation: replaceIamInstanceProfileAssociation,
};
