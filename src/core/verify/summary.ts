// The counts and the one-line bottom line of a verify report. Pure.

import type { Direction, FlowKind, Side } from './paths.js';
import type { ClassVerdict, EniVerdict, VerifySummary } from './types.js';

export const KIND_LABEL: Record<FlowKind, string> = {
  tracked: 'TCP/UDP tracked',
  untracked: 'TCP/UDP untracked',
  icmp: 'ICMP',
  other: 'other IP protocols (GRE, ESP…)',
  'auto-tracked': 'auto-tracked (NAT/NLB/TGW…)',
};

export const SIDE_LABEL: Record<Side, string> = {
  internet: 'internet',
  'other-networks': 'other networks',
  'same-vpc': 'same VPC',
  'same-subnet': 'same subnet',
};

export const DIRECTION_LABEL: Record<Direction, string> = { inbound: 'inbound', outbound: 'outbound' };

/** May-survive classes that no network layer can cut: always-tracked connections inside the subnet. */
export function isResidual(c: ClassVerdict): boolean {
  return c.verdict === 'may-survive' && c.side === 'same-subnet' && c.kind !== 'tracked' && c.kind !== 'untracked';
}

/** "a", "a and b", "a, b and c". */
function and(xs: string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

export function summarize(enis: EniVerdict[]): { summary: VerifySummary; bottomLine: string } {
  const all = enis.flatMap((e) => e.classes);
  const open = all.filter((c) => c.verdict === 'open').length;
  const maySurvive = all.filter((c) => c.verdict === 'may-survive').length;
  const residual = all.filter(isResidual).length;
  const summary: VerifySummary = {
    classes: all.length,
    open,
    maySurvive,
    residual,
    cut: all.length - open - maySurvive,
    contained: open === 0 && maySurvive === residual,
  };
  const live = enis.flatMap((e) =>
    e.classes.filter((c) => c.verdict !== 'cut').map((c) => ({ eni: e.networkInterfaceId, c })),
  );
  const item = ({ eni, c }: (typeof live)[number]): string =>
    `${eni} ${SIDE_LABEL[c.side]} ${DIRECTION_LABEL[c.direction]} ${KIND_LABEL[c.kind]} (${c.verdict === 'open' ? 'open' : `existing connections, up to ${c.idleTimeoutSeconds ?? '?'} s idle`})`;
  if (summary.contained) {
    if (residual === 0)
      return {
        summary,
        bottomLine: `Contained: all ${all.length} flow classes are cut on ${enis.length} network interface${enis.length === 1 ? '' : 's'}.`,
      };
    const kinds = and([...new Set(live.map((x) => KIND_LABEL[x.c.kind]))]);
    return {
      summary,
      bottomLine: `Contained as far as the network allows: nothing new gets in or out. Left: existing ${kinds} connections inside the subnet (${residual} class${residual === 1 ? '' : 'es'}) — no network layer cuts them; they end when idle or when the instance stops.`,
    };
  }
  const n = open + maySurvive;
  if (n <= 6)
    return {
      summary,
      bottomLine: `${n} class${n === 1 ? '' : 'es'} may still reach this instance: ${live.map(item).join('; ')}`,
    };
  const openSides = [...new Set(live.filter((x) => x.c.verdict === 'open').map((x) => SIDE_LABEL[x.c.side]))];
  if (open) {
    return {
      summary,
      bottomLine: `${n} of ${all.length} classes may still reach this instance: ${open} open to new connections (${openSides.join(', ')})${maySurvive ? `, ${maySurvive} through existing connections only` : ''}.`,
    };
  }
  const kinds = [...new Set(live.map((x) => KIND_LABEL[x.c.kind]))];
  const sides = [...new Set(live.map((x) => SIDE_LABEL[x.c.side]))];
  const nacl = live.some((x) => x.c.side !== 'same-subnet')
    ? ' A NACL deny on the subnet cuts those from outside it at once.'
    : '';
  return {
    summary,
    bottomLine: `${n} of ${all.length} classes may still reach this instance through existing connections only (nothing new gets in or out): ${kinds.join(', ')} — ${sides.join(', ')}.${nacl}`,
  };
}
