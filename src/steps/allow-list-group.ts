// The per-allow-list isolation group (--allow-cidr): like the empty step-2 group, but allowing all traffic from and
// to the forensics networks. It carries its allow-list in a tag and has its own role and name, so an incident
// without that allow-list never picks it up (not a step: ensure-isolation-groups creates it).

import { fnv1a } from '../core/plan.js';
import { TAG, DO_NOT_USE } from '../core/tags.js';
import { allowListKey } from '../core/layers.js';
import { LTAG, ROLE_ALLOW, listTags } from '../core/subnet-layers.js';
import type { Gateway } from '../aws/gateway.js';
import { authorizeIngressCidrs } from '../aws/layer-calls.js';

export function allowGroupName(allow: string[]): string {
  return `cordon-isolation-step2-allow-${fnv1a(allowListKey(allow))}`;
}

export async function createAllowGroup(
  gw: Gateway,
  vpcId: string,
  allow: string[],
  incident?: string,
): Promise<string> {
  const name = allowGroupName(allow);
  const tags: Record<string, string> = {
    [TAG.role]: ROLE_ALLOW,
    [TAG.doNotUse]: DO_NOT_USE,
    Name: name,
    ...listTags(LTAG.allowList, allow),
  };
  if (incident) tags[TAG.incident] = incident;
  const description =
    `cordon isolation step 2 with allow-list ${allowListKey(allow)} - DO NOT USE for anything else`.slice(0, 255);
  const id = (await gw.createSecurityGroup(vpcId, name, description, tags))!;
  const v4 = allow.filter((c) => !c.includes(':'));
  const v6 = allow.filter((c) => c.includes(':'));
  // A new group allows all IPv4 egress: take that away, and allow the forensics networks both ways.
  await Promise.all([
    gw.revokeEgress(id, { v4: ['0.0.0.0/0'] }),
    gw.authorizeEgress(id, { v4, v6 }),
    authorizeIngressCidrs(gw, id, allow, 'cordon allow-list (forensics)'),
  ]);
  return id;
}
