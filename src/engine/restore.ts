// Restore: puts every ENI back on its original groups and connection-tracking settings, from the write-ahead record
// on the ENI itself (tags) or, failing that, the local journal. Refuses when a resource drifted since containment
// (someone changed it after cordon did) unless forced.

import type { AwsClients } from '../aws/clients.js';
import { describeTargets } from '../aws/facts.js';
import { Gateway } from '../aws/gateway.js';
import { CordonError, EXIT } from '../core/errors.js';
import { CONNTRACK_DEFAULTS, type ConnTrackFacts } from '../core/facts.js';
import { TAG, joinTagValue, isCordonTag } from '../core/tags.js';
import { decodeConntrack } from '../steps/record-originals.js';
import { containableEnis } from '../steps/types.js';
import { Journal, defaultStateDir } from './journal.js';

export interface RestoreRequest {
  clients: AwsClients;
  instanceIds: string[];
  force?: boolean;
  stateDir?: string;
  /** Called with the restore plan before anything changes; return false to abort. */
  confirm?: (plan: RestorePlan) => Promise<boolean>;
}

export interface EniRestore {
  instanceId: string;
  networkInterfaceId: string;
  currentGroups: string[];
  originalGroups: string[];
  currentConntrack: ConnTrackFacts;
  originalConntrack: ConnTrackFacts;
  source: 'tags' | 'journal';
  drift?: string;
  cordonTagKeys: string[];
}

export interface RestorePlan {
  instances: { instanceId: string; incident: string; enis: EniRestore[] }[];
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

function effective(ct: ConnTrackFacts): Required<ConnTrackFacts> {
  return {
    tcpEstablishedTimeout: ct.tcpEstablishedTimeout ?? CONNTRACK_DEFAULTS.tcpEstablishedTimeout,
    udpStreamTimeout: ct.udpStreamTimeout ?? CONNTRACK_DEFAULTS.udpStreamTimeout,
    udpTimeout: ct.udpTimeout ?? CONNTRACK_DEFAULTS.udpTimeout,
  };
}

export async function planRestore(r: RestoreRequest): Promise<RestorePlan> {
  const targets = await describeTargets(r.clients, r.instanceIds);
  const stateDir = r.stateDir ?? defaultStateDir();
  const out: RestorePlan = { instances: [] };
  for (const inst of targets.instances) {
    const enis = containableEnis(inst);
    const incident = inst.tags[TAG.incident] ?? enis.map((e) => e.tags[TAG.incident]).find(Boolean);
    if (!incident) {
      throw new CordonError('not-contained', `instance ${inst.instanceId} carries no cordon containment record`, EXIT.refused, 'nothing to restore: `cordon status` shows what cordon knows about it');
    }
    const journal = new Journal(stateDir, incident);
    const iso = targets.isolationGroups[inst.vpcId ?? ''] ?? {};
    const isoIds = [iso.open?.groupId, iso.empty?.groupId].filter(Boolean) as string[];
    const rows: EniRestore[] = enis.map((e) => {
      const tagged = joinTagValue(e.tags, TAG.originalGroups);
      const fromJournal = journal.original(e.networkInterfaceId, 'eni-state') as { groups: string[]; connectionTracking: ConnTrackFacts } | undefined;
      const originalGroups = tagged !== undefined ? tagged.split(',').filter(Boolean) : fromJournal?.groups;
      if (!originalGroups || originalGroups.length === 0) {
        throw new CordonError('no-record', `no record of ${e.networkInterfaceId}'s original groups (no cordon tag on it, nothing in ${journal.path})`, EXIT.refused, 'restore it by hand, or run restore where the containment journal is (CORDON_HOME)');
      }
      const originalConntrack = decodeConntrack(e.tags[TAG.originalConntrack]) ?? fromJournal?.connectionTracking ?? {};
      let drift: string | undefined;
      const onIsolation = e.groupIds.length > 0 && e.groupIds.every((g) => isoIds.includes(g));
      if (!onIsolation && !sameSet(e.groupIds, originalGroups)) drift = `groups are ${e.groupIds.join(', ')} (cordon left it on its isolation group)`;
      return {
        instanceId: inst.instanceId,
        networkInterfaceId: e.networkInterfaceId,
        currentGroups: e.groupIds,
        originalGroups,
        currentConntrack: e.connectionTracking,
        originalConntrack,
        source: tagged !== undefined ? 'tags' : 'journal',
        drift,
        cordonTagKeys: Object.keys(e.tags).filter(isCordonTag),
      };
    });
    out.instances.push({ instanceId: inst.instanceId, incident, enis: rows });
  }
  const drifted = out.instances.flatMap((i) => i.enis.filter((e) => e.drift));
  if (drifted.length && !r.force) {
    throw new CordonError('drift', `refusing to restore: ${drifted.map((e) => `${e.networkInterfaceId} ${e.drift}`).join('; ')}`, EXIT.stale, 'someone changed it after containment; check with the team, then rerun with --force to restore the recorded originals anyway');
  }
  return out;
}

export interface RestoreResult {
  plan: RestorePlan;
  instances: { instanceId: string; incident: string; status: 'restored'; enis: { networkInterfaceId: string; groups: string[] }[] }[];
  calls: Gateway['calls'];
}

export async function restore(r: RestoreRequest): Promise<RestoreResult> {
  const plan = await planRestore(r);
  if (r.confirm && !(await r.confirm(plan))) throw new CordonError('aborted', 'restore aborted at the confirmation prompt; nothing was changed', EXIT.aborted);
  const gw = new Gateway(r.clients);
  const stateDir = r.stateDir ?? defaultStateDir();
  const now = (): string => new Date().toISOString();
  for (const inst of plan.instances) {
    const journal = new Journal(stateDir, inst.incident);
    await Promise.all(
      inst.enis.map(async (e) => {
        if (!sameSet(e.currentGroups, e.originalGroups)) await gw.setEniGroups(e.networkInterfaceId, e.originalGroups);
        const want = effective(e.originalConntrack);
        const have = effective(e.currentConntrack);
        if (want.tcpEstablishedTimeout !== have.tcpEstablishedTimeout || want.udpStreamTimeout !== have.udpStreamTimeout || want.udpTimeout !== have.udpTimeout) {
          // AWS has no "unset": an ENI that used the defaults gets the default values back explicitly.
          await gw.setEniConnectionTracking(e.networkInterfaceId, want);
        }
        await gw.deleteTags([e.networkInterfaceId], e.cordonTagKeys);
        journal.append({ type: 'restored', time: now(), incident: inst.incident, resource: e.networkInterfaceId, attribute: 'groups', value: e.originalGroups });
      }),
    );
    await gw.createTags([inst.instanceId], { [TAG.status]: 'released', [TAG.incident]: inst.incident });
  }
  return {
    plan,
    instances: plan.instances.map((i) => ({ instanceId: i.instanceId, incident: i.incident, status: 'restored' as const, enis: i.enis.map((e) => ({ networkInterfaceId: e.networkInterfaceId, groups: e.originalGroups })) })),
    calls: gw.calls,
  };
}
