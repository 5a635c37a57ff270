// Step (NACL layer, top mode): make room below a NACL's lowest rules when no rule number is free there. The lowest
// entries move up to the numbers just below the first entry that stays, highest first, each as a copy created before
// its original is deleted: order and meaning never change, not even for a moment. The moves are in the NACL's
// cordon:nacl-renumbered tag (and the journal); restore moves them back after cordon's own entries are gone.

import type { Change } from '../core/plan.js';
import { hasLayer, naclModeOf } from '../core/layers.js';
import type { NaclMove } from '../core/nacl-top.js';
import {
  LTAG,
  decodeDirections,
  readList,
  subnetLayersOf,
  type LayerNacl,
  type LayerNaclEntry,
} from '../core/subnet-layers.js';
import { createNaclEntry, deleteNaclEntry } from '../aws/layer-calls.js';
import { naclRestoreRole, work } from './subnet-layer-support.js';
import type { RestoreItem, StepDef, StepContext } from './types.js';

async function move(ctx: StepContext, aclId: string, entry: LayerNaclEntry, to: number): Promise<void> {
  await createNaclEntry(ctx.gateway, aclId, { ...entry, ruleNumber: to });
  await deleteNaclEntry(ctx.gateway, aclId, entry.ruleNumber, entry.egress);
}

/** Moves recorded as `from>to`, checked against the NACL now: the copy at `to` must exist and `from` be free. */
function recordedMoves(nacl: LayerNacl): { moves: NaclMove[]; drift?: string } {
  const rec = decodeDirections(nacl.tags[LTAG.renumbered]);
  const moves: NaclMove[] = [];
  const problems: string[] = [];
  for (const [dir, egress] of [
    ['in', false],
    ['out', true],
  ] as const) {
    for (const m of rec[dir]) {
      const [from, to] = m.split('>').map(Number);
      if (!from || !to) continue;
      const at = nacl.entries.find((e) => e.egress === egress && e.ruleNumber === to);
      if (!at) problems.push(`${dir} rule ${to} (was ${from}) is gone`);
      else moves.push({ egress, entry: at, to: from });
    }
  }
  return { moves, drift: problems.length ? problems.join('; ') : undefined };
}

export const renumberNaclEntries: StepDef = {
  id: 'renumber-nacl-entries',
  title: 'Make room at the top of the subnet NACL (renumber)',
  layer: 'network',
  critical: true,
  schedule: 'first',
  permissions: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAclEntry'],
  dependsOn: ['record-subnet-originals'],
  enabled: (o) => hasLayer(o, 'nacl') && naclModeOf(o) === 'top',
  plan(input) {
    if (!hasLayer(input.options, 'nacl')) return [];
    const changes: Change[] = [];
    for (const t of work(input).top) {
      if (t.already) continue;
      for (const egress of [false, true]) {
        const moves = t.moves.filter((m) => m.egress === egress);
        if (moves.length === 0) continue;
        const dir = egress ? 'egress' : 'ingress';
        changes.push({
          id: `renumber-nacl-entries:${t.nacl.networkAclId}:${dir}`,
          stepId: 'renumber-nacl-entries',
          resource: t.nacl.networkAclId,
          resourceType: 'network-acl',
          attribute: `renumber-${dir}`,
          before: moves.map((m) => m.entry),
          after: moves.map((m) => ({ ...m.entry, ruleNumber: m.to })),
          critical: true,
          instanceId: t.instanceIds[0],
          summary: `${t.nacl.networkAclId} ${dir}: renumber rule${moves.length > 1 ? 's' : ''} ${moves.map((m) => `${m.entry.ruleNumber} → ${m.to}`).join(', ')} to free the top (same order, same meaning)`,
        });
      }
    }
    return changes;
  },
  async preflight(ctx, changes) {
    const c = changes[0];
    if (!c) return;
    const [first] = c.after as LayerNaclEntry[];
    const [orig] = c.before as LayerNaclEntry[];
    await createNaclEntry(ctx.gateway, c.resource, first!, true);
    await deleteNaclEntry(ctx.gateway, c.resource, orig!.ruleNumber, orig!.egress, true);
  },
  async apply(ctx, changes) {
    // Per NACL and direction one move after another (highest first, as planned); the directions in parallel.
    await Promise.all(
      changes.map(async (c) => {
        const before = c.before as LayerNaclEntry[];
        const after = c.after as LayerNaclEntry[];
        for (let i = 0; i < before.length; i++) await move(ctx, c.resource, before[i]!, after[i]!.ruleNumber);
      }),
    );
  },
  // After insert-nacl-entries' restore (60) has freed the numbers at the top.
  restoreOrder: 65,
  planRestore(input) {
    const f = subnetLayersOf(input.instance);
    if (!f) return [];
    const items: RestoreItem[] = [];
    for (const nacl of new Map(f.subnets.filter((s) => s.nacl).map((s) => [s.nacl!.networkAclId, s.nacl!])).values()) {
      if (nacl.tags[LTAG.renumbered] === undefined) continue;
      if (!naclRestoreRole(input, readList(nacl.tags, LTAG.holders)).owner) continue;
      const { moves, drift } = recordedMoves(nacl);
      if (moves.length === 0 && !drift) continue;
      items.push({
        stepId: 'renumber-nacl-entries',
        instanceId: input.instance.instanceId,
        resource: nacl.networkAclId,
        attribute: 'renumbered',
        current: moves.map((m) => m.entry),
        original: moves.map((m) => ({ ...m.entry, ruleNumber: m.to })),
        source: 'tags',
        drift,
        summary: `${nacl.networkAclId}: rule numbers back ${moves.map((m) => `${m.entry.ruleNumber} → ${m.to}`).join(', ')}`,
      });
    }
    return items;
  },
  async applyRestore(ctx, items) {
    // Back down, lowest first: each original number is free (cordon's entries are gone, lower moves are done).
    await Promise.all(
      items.map(async (i) => {
        const cur = i.current as LayerNaclEntry[];
        const orig = i.original as LayerNaclEntry[];
        const order = cur
          .map((e, k) => ({ e, to: orig[k]!.ruleNumber }))
          .sort((a, b) => Number(a.e.egress) - Number(b.e.egress) || a.to - b.to);
        for (const { e, to } of order) await move(ctx, i.resource, e, to);
      }),
    );
  },
};
