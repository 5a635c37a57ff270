// Step: the write-ahead record of the subnet-level layers, on the resources themselves, before any of them changes:
// on each subnet its original NACL (dedicated mode) and route table (`main` when it used the main table implicitly),
// on a NACL changed in place the rule numbers cordon inserts and renumbers; and on both the instances that rely on
// them (holders), so restoring one instance never lifts an isolation another contained instance still needs.

import { withJournal } from './playbook-common.js';
import type { Change } from '../core/plan.js';
import { TAG, isCordonTag } from '../core/tags.js';
import { subnetLayers } from '../core/layers.js';
import { roleOf, subnetsOf } from '../core/layer-plan.js';
import {
  LTAG,
  ROLE_INTERNET_CUT,
  ROLE_NACL,
  ROLE_ROUTE_TABLE,
  encodeDirections,
  listTags,
  readList,
  splitKeys,
  subnetLayersOf,
} from '../core/subnet-layers.js';
import { naclRestoreRole, restoreRole, work } from './subnet-layer-support.js';
import type { RestoreItem, StepDef } from './types.js';

function mergeHolders(tags: Record<string, string>, key: string, ids: string[], out: Record<string, string>): void {
  const have = readList(tags, key);
  if (ids.every((i) => have.includes(i))) return;
  Object.assign(out, listTags(key, [...have, ...ids]));
}

export const recordSubnetOriginals: StepDef = {
  id: 'record-subnet-originals',
  title: 'Record original NACL and route table on each subnet',
  layer: 'audit',
  critical: true,
  schedule: 'first',
  permissions: ['ec2:CreateTags', 'ec2:DeleteTags'],
  dependsOn: [],
  enabled: (o) => subnetLayers(o).length > 0,
  plan(input) {
    if (subnetLayers(input.options).length === 0) return [];
    const w = work(input);
    const incident = input.options.incident;
    const changes: Change[] = [];
    for (const { s, instanceIds } of subnetsOf(input.instances)) {
      const tags: Record<string, string> = {};
      const n = w.nacl.find((x) => x.subnetId === s.subnetId && x.mode === 'dedicated');
      if (n) {
        if (roleOf(n.current.tags) !== ROLE_NACL && s.tags[LTAG.originalNacl] !== n.current.networkAclId)
          tags[LTAG.originalNacl] = n.current.networkAclId;
        mergeHolders(s.tags, LTAG.holdersNacl, instanceIds, tags);
      }
      const r = w.routes.find((x) => x.subnetId === s.subnetId);
      if (r) {
        const role = roleOf(r.current.tags);
        const original = r.implicitMain ? 'main' : r.current.routeTableId;
        if (role !== ROLE_ROUTE_TABLE && role !== ROLE_INTERNET_CUT && s.tags[LTAG.originalRouteTable] !== original)
          tags[LTAG.originalRouteTable] = original;
        mergeHolders(s.tags, LTAG.holdersRtb, instanceIds, tags);
      }
      if (Object.keys(tags).length === 0) continue;
      if (!s.tags[TAG.incident]) tags[TAG.incident] = incident;
      changes.push({
        id: `record-subnet-originals:${s.subnetId}`,
        stepId: 'record-subnet-originals',
        resource: s.subnetId,
        resourceType: 'subnet',
        attribute: 'tags',
        before: null,
        after: tags,
        critical: true,
        instanceId: instanceIds[0],
        summary: `${s.subnetId}: tag ${[tags[LTAG.originalNacl] && `original NACL ${tags[LTAG.originalNacl]}`, tags[LTAG.originalRouteTable] && `original route table ${tags[LTAG.originalRouteTable]}`, 'holders'].filter(Boolean).join(', ')}`,
      });
    }
    for (const t of w.top) {
      const tags: Record<string, string> = {};
      if (!t.already) {
        const numbers = (egress: boolean): string[] =>
          t.inserts.filter((e) => e.egress === egress).map((e) => String(e.ruleNumber));
        const moved = (egress: boolean): string[] =>
          t.moves.filter((m) => m.egress === egress).map((m) => `${m.entry.ruleNumber}>${m.to}`);
        tags[LTAG.topEntries] = encodeDirections({ in: numbers(false), out: numbers(true) });
        if (t.moves.length) tags[LTAG.renumbered] = encodeDirections({ in: moved(false), out: moved(true) });
        if (t.allow.length) Object.assign(tags, listTags(LTAG.allowList, t.allow));
      }
      mergeHolders(t.nacl.tags, LTAG.holders, t.instanceIds, tags);
      if (Object.keys(tags).length === 0) continue;
      if (!t.nacl.tags[TAG.incident]) tags[TAG.incident] = incident;
      changes.push({
        id: `record-subnet-originals:${t.nacl.networkAclId}`,
        stepId: 'record-subnet-originals',
        resource: t.nacl.networkAclId,
        resourceType: 'network-acl',
        attribute: 'tags',
        before: null,
        after: tags,
        critical: true,
        instanceId: t.instanceIds[0],
        summary: `${t.nacl.networkAclId}: tag the rule numbers cordon inserts${t.moves.length ? ' and renumbers' : ''}, and holders`,
      });
    }
    return changes;
  },
  async preflight(ctx, changes) {
    if (changes.length) await ctx.gateway.createTags([changes[0]!.resource], { [TAG.incident]: ctx.incident }, true);
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map((c) => ctx.gateway.createTags([c.resource], withJournal(ctx, c.after as Record<string, string>))),
    );
  },
  // After every layer is back: drop this restore's instances from the holders; with none left, remove the record.
  restoreOrder: 990,
  planRestore(input) {
    const f = subnetLayersOf(input.instance);
    if (!f) return [];
    const items: RestoreItem[] = [];
    const seen = new Set<string>();
    const plan = (
      resource: string,
      tags: Record<string, string>,
      holderKeys: string[],
      role: { owner: boolean; others: string[] },
    ): void => {
      if (seen.has(resource) || !Object.keys(tags).some(isCordonTag)) return;
      seen.add(resource);
      const keep: Record<string, string> = {};
      for (const k of holderKeys) {
        const left = readList(tags, k).filter((h) => !f.requestInstanceIds.includes(h));
        if (left.length) Object.assign(keep, listTags(k, left));
      }
      const remove = Object.keys(keep).length
        ? holderKeys.flatMap((k) => splitKeys(tags, k)).filter((k) => !(k in keep))
        : Object.keys(tags).filter(isCordonTag);
      if (!role.owner && !role.others.length) return;
      // nothing of ours to drop
      if (remove.length === 0 && Object.entries(keep).every(([k, v]) => tags[k] === v)) return;
      items.push({
        stepId: 'record-subnet-originals',
        instanceId: input.instance.instanceId,
        resource,
        attribute: 'tags',
        current: remove,
        original: keep,
        source: 'step',
        summary: Object.keys(keep).length
          ? `${resource}: keep cordon's record for ${role.others.join(', ')}`
          : `${resource}: remove cordon's record tags`,
      });
    };
    for (const s of f.subnets) {
      const holders = [LTAG.holdersNacl, LTAG.holdersRtb];
      const roles = holders.map((k) => restoreRole(input, s, k));
      plan(s.subnetId, s.tags, holders, {
        owner: roles.some((r) => r.owner),
        others: [...new Set(roles.flatMap((r) => r.others))],
      });
      if (s.nacl && s.nacl.tags[LTAG.topEntries] !== undefined)
        plan(
          s.nacl.networkAclId,
          s.nacl.tags,
          [LTAG.holders],
          naclRestoreRole(input, readList(s.nacl.tags, LTAG.holders)),
        );
    }
    return items;
  },
  async applyRestore(ctx, items) {
    await Promise.all(
      items.map(async (i) => {
        const keep = i.original as Record<string, string>;
        if (Object.keys(keep).length) await ctx.gateway.createTags([i.resource], keep);
        await ctx.gateway.deleteTags([i.resource], i.current as string[]);
      }),
    );
  },
};
