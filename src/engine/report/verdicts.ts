// verify's verdicts before and after a run, for the report: the fleet counted per class of flow (side × direction ×
// kind: how many ENIs are cut, open, may survive), the per-ENI grids of the detail instances, and the survivors
// after containment grouped by what cuts them. Reads one record at a time and keeps only compact verdicts.

import { DIRECTIONS, KINDS, SIDES } from '../../core/verify/paths.js';
import type { ClassVerdict, Verdict } from '../../core/verify/types.js';
import { isResidual } from '../../core/verify/summary.js';
import type { VerifyRecord } from '../records.js';
import type { AggregateGrid, CellView, EniGrids, InstanceView, SurvivorGroup, VerdictsView } from './model.js';

export const CELLS = SIDES.length * DIRECTIONS.length * KINDS.length;

export function cellIndex(c: Pick<ClassVerdict, 'side' | 'direction' | 'kind'>): number {
  const s = SIDES.indexOf(c.side);
  const d = DIRECTIONS.indexOf(c.direction);
  const k = KINDS.indexOf(c.kind);
  return s < 0 || d < 0 || k < 0 ? -1 : (s * DIRECTIONS.length + d) * KINDS.length + k;
}

export function cellAt(i: number): Pick<ClassVerdict, 'side' | 'direction' | 'kind'> {
  const k = i % KINDS.length;
  const d = Math.floor(i / KINDS.length) % DIRECTIONS.length;
  const s = Math.floor(i / KINDS.length / DIRECTIONS.length);
  return { side: SIDES[s]!, direction: DIRECTIONS[d]!, kind: KINDS[k]! };
}

const VERDICTS: readonly Verdict[] = ['cut', 'open', 'may-survive'];

interface Compact {
  /** Per ENI: verdict per cell (-1 when the class is missing). */
  enis: { id: string; v: Int8Array; cells?: CellView[] }[];
  survivors: (Pick<ClassVerdict, 'side' | 'direction' | 'kind' | 'verdict' | 'reason' | 'remedy'> & { eni: string })[];
  summary: VerifyRecord['report']['summary'];
  bottomLine: string;
}

export class VerdictCollector {
  private readonly seen: Record<'before' | 'after', Map<string, Compact>> = { before: new Map(), after: new Map() };
  /** Each ENI's groups as read after the run. */
  readonly observed = new Map<string, string[]>();

  constructor(private readonly detail: Set<string>) {}

  add(r: VerifyRecord): void {
    const keep = this.detail.has(r.instanceId);
    const c: Compact = {
      enis: [],
      survivors: [],
      summary: r.report.summary ?? { classes: 0, open: 0, maySurvive: 0, cut: 0, residual: 0, contained: false },
      bottomLine: String(r.report.bottomLine ?? ''),
    };
    for (const e of r.report.enis) {
      if (r.when === 'after' && Array.isArray(e.groupIds))
        this.observed.set(String(e.networkInterfaceId), e.groupIds.map(String));
      const v = new Int8Array(CELLS).fill(-1);
      const cells: CellView[] = [];
      for (const cl of Array.isArray(e.classes) ? e.classes : []) {
        const i = cellIndex(cl);
        const code = VERDICTS.indexOf(cl.verdict);
        if (i < 0 || code < 0) continue;
        v[i] = code;
        if (keep)
          cells[i] = {
            side: cl.side,
            direction: cl.direction,
            kind: cl.kind,
            verdict: cl.verdict,
            layer: cl.layer,
            reason: String(cl.reason ?? ''),
            remedy: cl.remedy === undefined ? undefined : String(cl.remedy),
          };
        if (cl.verdict !== 'cut')
          c.survivors.push({
            side: cl.side,
            direction: cl.direction,
            kind: cl.kind,
            verdict: cl.verdict,
            reason: String(cl.reason ?? ''),
            remedy: cl.remedy === undefined ? undefined : String(cl.remedy),
            eni: String(e.networkInterfaceId),
          });
      }
      c.enis.push({ id: String(e.networkInterfaceId), v, cells: keep ? cells : undefined });
    }
    this.seen[r.when].set(r.instanceId, c);
  }

  get empty(): boolean {
    return this.seen.before.size === 0 && this.seen.after.size === 0;
  }

  /** Each instance's counts before and after (onto the run's instance views). */
  annotate(instances: InstanceView[]): void {
    for (const i of instances) {
      const a = this.seen.after.get(i.instanceId);
      const b = this.seen.before.get(i.instanceId);
      if (a)
        i.after = {
          contained: !!a.summary.contained,
          open: a.summary.open,
          maySurvive: a.summary.maySurvive,
          cut: a.summary.cut,
          bottomLine: a.bottomLine,
        };
      if (b) i.before = { open: b.summary.open, maySurvive: b.summary.maySurvive, cut: b.summary.cut };
      if (i.enis.length === 0) i.enis = (a ?? b)?.enis.map((e) => e.id) ?? [];
    }
  }

  view(order: string[]): VerdictsView | undefined {
    if (this.empty) return undefined;
    const grids: VerdictsView['grids'] = [];
    for (const id of order) {
      if (!this.detail.has(id)) continue;
      const b = this.seen.before.get(id);
      const a = this.seen.after.get(id);
      if (!a && !b) continue;
      const ids = [...new Set([...(b?.enis ?? []), ...(a?.enis ?? [])].map((e) => e.id))];
      const enis: EniGrids[] = ids.map((eni) => ({
        networkInterfaceId: eni,
        before: b?.enis.find((e) => e.id === eni)?.cells,
        after: a?.enis.find((e) => e.id === eni)?.cells,
      }));
      grids.push({ instanceId: id, enis });
    }
    return {
      before: aggregate(this.seen.before),
      after: aggregate(this.seen.after),
      grids,
      survivors: survivors(this.seen.after),
    };
  }
}

function aggregate(m: Map<string, Compact>): AggregateGrid | undefined {
  if (m.size === 0) return undefined;
  const cells = Array.from({ length: CELLS }, (_, i) => ({ ...cellAt(i), cut: 0, open: 0, maySurvive: 0 }));
  let enis = 0;
  for (const c of m.values())
    for (const e of c.enis) {
      enis++;
      e.v.forEach((code, i) => {
        if (code === 0) cells[i]!.cut++;
        else if (code === 1) cells[i]!.open++;
        else if (code === 2) cells[i]!.maySurvive++;
      });
    }
  return { instances: m.size, enis, cells };
}

/** Open first, then what a network layer can still cut, then what only the idle timeout ends. */
const rank = (g: SurvivorGroup): number => (g.verdict === 'open' ? 0 : g.residual ? 2 : 1);

/** Resource ids differ from instance to instance; what cuts a class does not. */
const shape = (s: string): string =>
  s.replace(/\b(subnet|rtb|acl|sg|eni|vpc|i|nat|tgw|igw|pcx)-[0-9a-f]{4,}\b/g, '$1-…');

/**
 * After containment: what still gets through, grouped by verdict and by what cuts it (the classes it applies to
 * listed), most ENIs first.
 */
function survivors(m: Map<string, Compact>, max = 100): SurvivorGroup[] {
  const groups = new Map<string, SurvivorGroup & { ids: Set<string>; eniIds: Set<string>; keys: Set<number> }>();
  for (const [instanceId, c] of m)
    for (const s of c.survivors) {
      const key = `${s.verdict}|${shape(s.remedy ?? '')}`;
      let g = groups.get(key);
      if (!g) {
        g = {
          verdict: s.verdict,
          remedy: s.remedy,
          residual: true,
          classes: [],
          reason: s.reason,
          enis: 0,
          instances: 0,
          examples: [],
          ids: new Set(),
          eniIds: new Set(),
          keys: new Set(),
        };
        groups.set(key, g);
      }
      const i = cellIndex(s);
      if (!g.keys.has(i)) {
        g.keys.add(i);
        g.classes.push({ side: s.side, direction: s.direction, kind: s.kind });
      }
      g.residual &&= isResidual(s as unknown as ClassVerdict);
      g.eniIds.add(`${instanceId}/${s.eni}`);
      g.ids.add(instanceId);
      if (g.examples.length < 5 && !g.examples.includes(instanceId)) g.examples.push(instanceId);
    }
  return [...groups.values()]
    .map(({ ids, eniIds, keys, ...g }) => ({
      ...g,
      classes: [...keys].sort((a, b) => a - b).map(cellAt),
      enis: eniIds.size,
      instances: ids.size,
    }))
    .sort((a, b) => rank(a) - rank(b) || b.enis - a.enis)
    .slice(0, max);
}
