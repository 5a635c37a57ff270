// EC2 tags: CreateTags, DeleteTags, DescribeTags, and TagSpecifications on create calls.
// Limits (AWS): 50 user tags per resource, key ≤ 128 chars, value ≤ 256, `aws:` prefix reserved.

import type { CallContext, Handler } from '../framework.js';
import { objList, str, strList, int, paginate } from '../framework.js';
import type { FormObject } from '../../protocol/form.js';
import { AwsError } from '../../errors.js';
import { applyFilters, readFilters } from './filters.js';
import type { Ec2State, RegionState, Tags } from '../../state/types.js';

export const MAX_TAGS = 50;

/** Which map a resource id lives in, by its prefix, and the EC2 resource-type name DescribeTags reports. */
const BY_PREFIX: [string, keyof Ec2State, string][] = [
  ['i-', 'instances', 'instance'],
  ['eni-attach-', 'networkInterfaces', 'network-interface'],
  ['eni-', 'networkInterfaces', 'network-interface'],
  ['sg-', 'securityGroups', 'security-group'],
  ['vpc-', 'vpcs', 'vpc'],
  ['subnet-', 'subnets', 'subnet'],
  ['vol-', 'volumes', 'volume'],
  ['snap-', 'snapshots', 'snapshot'],
  ['ami-', 'images', 'image'],
  ['acl-', 'networkAcls', 'network-acl'],
  ['rtb-', 'routeTables', 'route-table'],
  ['igw-', 'internetGateways', 'internet-gateway'],
  ['nat-', 'natGateways', 'natgateway'],
  ['eipalloc-', 'addresses', 'elastic-ip'],
];

export function findTaggable(region: RegionState, id: string): { tags: Tags; type: string } | undefined {
  if (id.startsWith('sgr-')) {
    for (const g of region.ec2.securityGroups.values()) {
      const r = g.rules.find((x) => x.securityGroupRuleId === id);
      if (r) return { tags: r.tags, type: 'security-group-rule' };
    }
    return undefined;
  }
  for (const [prefix, key, type] of BY_PREFIX) {
    if (id.startsWith(prefix)) {
      const rec = (region.ec2[key] as Map<string, { tags: Tags }>).get(id);
      return rec ? { tags: rec.tags, type } : undefined;
    }
  }
  return undefined;
}

export function validateTags(tags: { key: string; value: string }[]): void {
  for (const t of tags) {
    if (!t.key) throw new AwsError('InvalidParameterValue', 'Tag keys must not be empty.');
    if (t.key.length > 128)
      throw new AwsError(
        'InvalidParameterValue',
        `Tag key exceeds the maximum length of 128 characters: ${t.key.slice(0, 20)}…`,
      );
    if (t.value.length > 256)
      throw new AwsError(
        'InvalidParameterValue',
        `Tag value exceeds the maximum length of 256 characters for key ${t.key}`,
      );
    if (t.key.toLowerCase().startsWith('aws:'))
      throw new AwsError('InvalidParameterValue', "Tag keys starting with 'aws:' are reserved for internal use");
  }
}

function userTagCount(tags: Tags): number {
  return Object.keys(tags).filter((k) => !k.startsWith('aws:')).length;
}

/** Checks that adding these tags keeps the resource within the limit; call before mutating. */
export function checkTagLimit(existing: Tags, adding: { key: string }[]): void {
  const keys = new Set(Object.keys(existing).filter((k) => !k.startsWith('aws:')));
  for (const t of adding) keys.add(t.key);
  if (keys.size > MAX_TAGS)
    throw new AwsError('TagLimitExceeded', `The maximum number of tags per resource (${MAX_TAGS}) has been exceeded.`);
}

function readTagList(p: FormObject, key = 'Tag'): { key: string; value: string }[] {
  return objList(p, key).map((t) => ({ key: str(t, 'Key') ?? '', value: str(t, 'Value') ?? '' }));
}

/**
 * Reads `TagSpecification.N.ResourceType` / `.Tag.M.Key|Value` for the given resource type and validates them.
 * Returns the tags to put on the new resource (apply them after ctx.dryRunGate()).
 */
export function readTagSpecifications(p: FormObject, resourceType: string): Tags {
  const out: Tags = {};
  for (const spec of objList(p, 'TagSpecification')) {
    const type = str(spec, 'ResourceType');
    const tags = readTagList(spec, 'Tag');
    validateTags(tags);
    if (type !== resourceType) continue;
    for (const t of tags) out[t.key] = t.value;
  }
  if (userTagCount(out) > MAX_TAGS)
    throw new AwsError('TagLimitExceeded', `The maximum number of tags per resource (${MAX_TAGS}) has been exceeded.`);
  return out;
}

const createTags: Handler = (ctx: CallContext, p) => {
  const ids = strList(p, 'ResourceId');
  if (ids.length === 0) throw new AwsError('MissingParameter', 'The request must contain the parameter resourceIdSet');
  const tags = readTagList(p);
  if (tags.length === 0) throw new AwsError('MissingParameter', 'The request must contain the parameter tagSet');
  validateTags(tags);
  const targets = ids.map((id) => {
    const t = findTaggable(ctx.region, id);
    if (!t) {
      const kind = id.split('-')[0];
      const codes: Record<string, string> = {
        i: 'InvalidInstanceID.NotFound',
        sg: 'InvalidGroup.NotFound',
        eni: 'InvalidNetworkInterfaceID.NotFound',
        vol: 'InvalidVolume.NotFound',
        snap: 'InvalidSnapshot.NotFound',
        ami: 'InvalidAMIID.NotFound',
        vpc: 'InvalidVpcID.NotFound',
        subnet: 'InvalidSubnetID.NotFound',
        acl: 'InvalidNetworkAclID.NotFound',
        rtb: 'InvalidRouteTableID.NotFound',
      };
      throw new AwsError(codes[kind ?? ''] ?? 'InvalidID', `The ID '${id}' is not valid`);
    }
    checkTagLimit(t.tags, tags);
    return t;
  });
  ctx.dryRunGate();
  for (const t of targets) for (const tag of tags) t.tags[tag.key] = tag.value;
  return { return: true };
};

const deleteTags: Handler = (ctx, p) => {
  const ids = strList(p, 'ResourceId');
  if (ids.length === 0) throw new AwsError('MissingParameter', 'The request must contain the parameter resourceIdSet');
  const tags = objList(p, 'Tag').map((t) => ({ key: str(t, 'Key') ?? '', value: str(t, 'Value') }));
  const targets = ids.map(
    (id) =>
      findTaggable(ctx.region, id) ??
      (() => {
        throw new AwsError('InvalidID', `The ID '${id}' is not valid`);
      })(),
  );
  ctx.dryRunGate();
  for (const t of targets) {
    if (tags.length === 0) {
      for (const k of Object.keys(t.tags)) if (!k.startsWith('aws:')) delete t.tags[k];
      continue;
    }
    // A tag given with a value is deleted only when the value matches (AWS semantics).
    for (const tag of tags) if (tag.value === undefined || t.tags[tag.key] === tag.value) delete t.tags[tag.key];
  }
  return { return: true };
};

interface TagRow {
  resourceId: string;
  resourceType: string;
  key: string;
  value: string;
  tags: Tags;
}

const describeTags: Handler = (ctx, p) => {
  const rows: TagRow[] = [];
  for (const [, key] of BY_PREFIX) {
    for (const rec of (ctx.region.ec2[key] as Map<string, { tags: Tags }>).entries()) {
      const [id, r] = rec;
      const type = findTaggable(ctx.region, id)?.type ?? '';
      for (const [k, v] of Object.entries(r.tags))
        rows.push({ resourceId: id, resourceType: type, key: k, value: v, tags: {} });
    }
  }
  const filtered = applyFilters(rows, readFilters(p), (r, name) => {
    switch (name) {
      case 'resource-id':
        return [r.resourceId];
      case 'resource-type':
        return [r.resourceType];
      case 'key':
        return [r.key];
      case 'value':
        return [r.value];
      default:
        return undefined;
    }
  });
  const { page, nextToken } = paginate(filtered, int(p, 'MaxResults'), str(p, 'NextToken'), 5, 1000);
  return {
    tagSet: page.map((r) => ({ resourceId: r.resourceId, resourceType: r.resourceType, key: r.key, value: r.value })),
    nextToken,
  };
};

export const tagActions: Record<string, Handler> = {
  CreateTags: createTags,
  DeleteTags: deleteTags,
  DescribeTags: describeTags,
};
