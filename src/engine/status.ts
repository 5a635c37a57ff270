// `cordon status`: what cordon's tags say about an instance — contained or not, since when, by which incident, which
// layers — checked against what its ENIs are actually on now, and against the incident's journal (local or from the
// S3 store): tags are writable by anyone allowed ec2:CreateTags, so a disagreement is reported, never settled by them.

import type { AwsClients } from '../aws/clients.js';
import { describeTargets } from '../aws/facts.js';
import { TAG } from '../core/tags.js';
import { containableEnis } from '../steps/types.js';
import { RESTORE_STARTED, journalsMentioning, type JournalRecord } from './journal.js';

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
 * What one journal says of an instance, from its last run: a containment's or a restore's result; a restore started
 * (its start record) without a result yet; or a plan without a result (a run at work, or one that died). Restored
 * originals after a containment's result with no restore result are a restore that did not finish (journals from
 * before restores wrote their start record).
 */
export function journalView(incident: string, records: JournalRecord[], instanceId: string): JournalView | undefined {
  let planAt = -1;
  let resultAt = -1;
  let startAt = -1;
  let restoredAt = -1;
  const mine = new Set<string>();
  for (const r of records) if (r.type === 'original' && r.instanceId === instanceId) mine.add(r.resource);
  records.forEach((r, k) => {
    if (r.type === 'plan' && r.instances.includes(instanceId)) planAt = k;
    else if (r.type === 'result' && r.instanceId === instanceId) resultAt = k;
    else if (r.type === 'step' && r.stepId === RESTORE_STARTED && r.instanceId === instanceId) startAt = k;
    else if (r.type === 'restored' && mine.has(r.resource)) restoredAt = k;
  });
  const last = Math.max(planAt, resultAt, startAt);
  if (last < 0) return mine.size ? { incident, state: 'containing', at: records[0]!.time } : undefined;
  const at = records[last]!.time;
  if (last === planAt) return { incident, state: 'containing', at };
  if (last === startAt) return { incident, state: 'restoring', at };
  const status = (records[resultAt] as Extract<JournalRecord, { type: 'result' }>).status;
  if (status === 'restored') return { incident, state: 'restored', at };
  if (status === 'restore-failed') return { incident, state: 'restoring', at };
  if (restoredAt > resultAt) return { incident, state: 'restoring', at: records[restoredAt]!.time };
  return { incident, state: status === 'incomplete' ? 'incomplete' : 'contained', at };
}

/**
 * Where the tags and the journal disagree, each with what to do. The tags a journal state goes with: a containment
 * at work or done — `containing` / `contained` of the same incident; a restore under way or failed — `restoring`;
 * restored — `released`. Anything else is reported (the tags never settle it).
 */
export function crossCheck(
  instanceId: string,
  tagStatus: string,
  tagIncident: string | undefined,
  j: JournalView,
): string[] {
  const expected: Record<JournalView['state'], string[]> = {
    containing: ['containing', 'contained'],
    contained: ['contained'],
    incomplete: ['containing', 'contained'],
    restoring: ['restoring'],
    restored: ['released'],
  };
  const cloudTrail = 'check CloudTrail for who wrote them (CreateTags/DeleteTags on the instance)';
  if (tagIncident !== undefined && tagIncident !== j.incident)
    return [
      `the tags name incident ${tagIncident}, the newest journal of this instance here is ${j.incident} (${j.state}): ${cloudTrail}, or read the state incident ${tagIncident} was run with`,
    ];
  if (expected[j.state].includes(tagStatus)) return [];
  const tags = tagStatus === 'none' ? 'no cordon status' : tagStatus;
  const todo =
    j.state === 'restored'
      ? `compare its ENIs' groups above with the journal's originals; \`cordon restore ${instanceId}\` puts them back again`
      : j.state === 'restoring'
        ? `\`cordon restore ${instanceId}\` finishes the restore, \`cordon contain ${instanceId}\` keeps it contained`
        : `\`cordon contain ${instanceId}\` contains it again and rewrites the tags`;
  return [
    `the journal of incident ${j.incident} says ${j.state} (${j.at}), but the tags say ${tags}: ${cloudTrail}; ${todo}`,
  ];
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
