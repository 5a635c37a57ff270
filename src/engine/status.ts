// `cordon status`: what cordon's tags say about an instance — contained or not, since when, by which incident, which
// layers — checked against what its ENIs are actually on now.

import type { AwsClients } from '../aws/clients.js';
import { describeTargets } from '../aws/facts.js';
import { TAG } from '../core/tags.js';
import { containableEnis } from '../steps/types.js';

export interface InstanceStatus {
  instanceId: string;
  state: string;
  /** From the cordon:status tag: containing | contained | released | (none). */
  status: string;
  incident?: string;
  since?: string;
  layers: string[];
  enis: {
    networkInterfaceId: string;
    groups: string[];
    /** 'tampered': on a group tagged as cordon's whose tags or rules are not cordon's — not contained. */
    onIsolationGroup: 'empty' | 'open' | 'tampered' | 'no';
  }[];
  /** One line a responder can read. */
  summary: string;
}

export async function status(clients: AwsClients, instanceIds: string[]): Promise<InstanceStatus[]> {
  const t = await describeTargets(clients, instanceIds);
  return t.instances.map((i) => {
    const iso = t.isolationGroups[i.vpcId ?? ''] ?? {};
    const tampered = (g: string) => t.tampered.find((x) => x.groupId === g);
    const enis = containableEnis(i).map((e) => ({
      networkInterfaceId: e.networkInterfaceId,
      groups: e.groupIds,
      onIsolationGroup: (e.groupIds.some((g) => tampered(g))
        ? 'tampered'
        : e.groupIds.length === 1 && e.groupIds[0] === iso.empty?.groupId
          ? 'empty'
          : e.groupIds.length === 1 && e.groupIds[0] === iso.open?.groupId
            ? 'open'
            : 'no') as 'empty' | 'open' | 'tampered' | 'no',
    }));
    const onTampered = enis.filter((e) => e.onIsolationGroup === 'tampered');
    const tagStatus = i.tags[TAG.status] ?? 'none';
    const layers = (i.tags[TAG.layers] ?? '').split(',').filter(Boolean);
    const allIsolated = enis.length > 0 && enis.every((e) => e.onIsolationGroup === 'empty');
    let summary: string;
    if (onTampered.length) {
      const g = tampered(onTampered[0]!.groups.find((x) => tampered(x))!)!;
      summary = `NOT contained: ${onTampered.map((e) => e.networkInterfaceId).join(', ')} on ${g.groupId}, tagged as cordon's ${g.role} group, but ${g.reason} — rerun \`cordon contain ${i.instanceId}\` (it makes a fresh group) and find out who changed it`;
    } else if (tagStatus === 'contained' && allIsolated)
      summary = `contained since ${i.tags[TAG.containedAt] ?? '?'} by incident ${i.tags[TAG.incident]} (layers: ${layers.join(', ') || 'sg'})`;
    else if (tagStatus === 'contained')
      summary = `tagged contained by incident ${i.tags[TAG.incident]}, but ${enis
        .filter((e) => e.onIsolationGroup !== 'empty')
        .map((e) => e.networkInterfaceId)
        .join(', ')} not on the empty isolation group: rerun contain`;
    else if (tagStatus === 'containing')
      summary = `containment by incident ${i.tags[TAG.incident]} started ${i.tags[TAG.containedAt] ?? '?'} and did not finish: rerun \`cordon contain ${i.instanceId}\``;
    else if (tagStatus === 'restoring')
      summary = `being restored (incident ${i.tags[TAG.incident]}); if no restore is running, it was interrupted: rerun \`cordon restore ${i.instanceId}\` to finish it`;
    else if (tagStatus === 'released') summary = `released (was contained by incident ${i.tags[TAG.incident]})`;
    else
      summary = allIsolated
        ? 'on the empty isolation group, but without cordon status tags'
        : 'not contained by cordon';
    return {
      instanceId: i.instanceId,
      state: i.state,
      status: tagStatus,
      incident: i.tags[TAG.incident],
      since: i.tags[TAG.containedAt],
      layers,
      enis,
      summary,
    };
  });
}
