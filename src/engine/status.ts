// `cordon status`: what cordon's tags say about an instance — contained or not, since when, by which incident, which
// layers — checked against what its ENIs are actually on now, and against the incident's journal (local or from the
// S3 store): tags are writable by anyone allowed ec2:CreateTags, so a disagreement is reported, never settled by them.

import type { AwsClients } from '../aws/clients.js';
import { describeTargets } from '../aws/facts.js';
import { TAG } from '../core/tags.js';
import { containableEnis } from '../steps/types.js';
import { journalsMentioning, type JournalRecord } from './journal.js';

/** What an instance's newest journal says of it. */
export interface JournalView {
  incident: string;
  /** containing: a plan without a result (a run in progress, or one that died); restoring: part of it put back. */
  state: 'containing' | 'contained' | 'incomplete' | 'restoring' | 'restored';
  /** The time of the record that says so. */
  at: string;
}

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
  /** The newest journal naming the instance in the state that was read (none: no journal there). */
  journal?: JournalView;
  /** Where the tags and the journal disagree (the tags may have been changed by someone else). */
  warnings: string[];
  /** One line a responder can read. */
  summary: string;
}

/**
 * What one journal says of an instance: the result of its last run (a containment's, or a restore's), or — with no
 * result after the last plan — a run in progress or one that died; restored originals after the last result without
 * a restore's own result are a restore that did not finish.
 */
export function journalView(incident: string, records: JournalRecord[], instanceId: string): JournalView | undefined {
  let planAt = -1;
  let resultAt = -1;
  let restoredAt = -1;
  const mine = new Set<string>();
  for (const r of records) if (r.type === 'original' && r.instanceId === instanceId) mine.add(r.resource);
  records.forEach((r, k) => {
    if (r.type === 'plan' && r.instances.includes(instanceId)) planAt = k;
    else if (r.type === 'result' && r.instanceId === instanceId) resultAt = k;
    else if (r.type === 'restored' && mine.has(r.resource)) restoredAt = k;
  });
  if (planAt < 0 && mine.size === 0) return undefined;
  const result = resultAt >= 0 ? (records[resultAt] as Extract<JournalRecord, { type: 'result' }>) : undefined;
  if (result && resultAt > planAt) {
    const state =
      result.status === 'restored'
        ? 'restored'
        : result.status === 'restore-failed'
          ? 'restoring'
          : result.status === 'incomplete'
            ? 'incomplete'
            : 'contained';
    // A containment's result, then some of its resources put back without a restore's result: a restore that died.
    if (state !== 'restored' && state !== 'restoring' && restoredAt > resultAt)
      return { incident, state: 'restoring', at: records[restoredAt]!.time };
    return { incident, state, at: result.time };
  }
  return { incident, state: 'containing', at: records[Math.max(planAt, 0)]!.time };
}

/** The disagreements between the tags and the journal, each with what to do. */
function crossCheck(instanceId: string, tagStatus: string, tagIncident: string | undefined, j: JournalView): string[] {
  const active = j.state === 'contained' || j.state === 'containing' || j.state === 'incomplete';
  const check = 'check CloudTrail for CreateTags/DeleteTags on the instance and its ENIs';
  if (active && (tagStatus === 'none' || tagStatus === 'released'))
    return [
      `the journal of incident ${j.incident} says ${j.state} (${j.at}) and never restored, but the tags say ${tagStatus === 'none' ? 'nothing' : 'released'}: ${check}; \`cordon restore ${instanceId} --trust journal\` restores from the journal`,
    ];
  if (active && tagIncident && tagIncident !== j.incident)
    return [
      `the tags name incident ${tagIncident}, the newest journal here ${j.incident} (${j.state}): ${check}, or read the state the other incident was run with`,
    ];
  if (j.state === 'restored' && (tagStatus === 'contained' || tagStatus === 'containing') && tagIncident === j.incident)
    return [
      `the journal of incident ${j.incident} says restored (${j.at}), but the tags still say ${tagStatus}: ${check}, and compare the ENIs' groups above with the journal's originals`,
    ];
  return [];
}

/** The instances' status from their tags and ENIs, cross-checked with the journals in `stateDir` when given. */
export async function status(clients: AwsClients, instanceIds: string[], stateDir?: string): Promise<InstanceStatus[]> {
  const t = await describeTargets(clients, instanceIds);
  const journals = stateDir ? journalsMentioning(stateDir, instanceIds) : new Map<string, never[]>();
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
    const newest = journals.get(i.instanceId)?.[0];
    const journal = newest && journalView(newest.incident, newest.records, i.instanceId);
    return {
      instanceId: i.instanceId,
      state: i.state,
      status: tagStatus,
      incident: i.tags[TAG.incident],
      since: i.tags[TAG.containedAt],
      layers,
      enis,
      journal,
      warnings: journal ? crossCheck(i.instanceId, tagStatus, i.tags[TAG.incident], journal) : [],
      summary,
    };
  });
}
