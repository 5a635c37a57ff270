// Network ACL entry arithmetic (pure): the entries of an isolation NACL, and — for the *top* mode — where to insert
// deny-all entries before every existing entry of a NACL, renumbering the lowest entries when no rule number is free
// below them, within the rule limit (20 per direction per address family, the catch-all deny included).

import { NACL_RULE_LIMIT, type LayerNacl, type LayerNaclEntry } from './subnet-layers.js';

export const CATCH_ALL = 32767;

export const familyOfEntry = (e: LayerNaclEntry): 4 | 6 => (e.ipv6Cidr ? 6 : 4);

function cidrEntry(ruleNumber: number, egress: boolean, action: 'allow' | 'deny', cidr: string): LayerNaclEntry {
  return cidr.includes(':')
    ? { ruleNumber, egress, protocol: '-1', action, ipv6Cidr: cidr }
    : { ruleNumber, egress, protocol: '-1', action, cidr };
}

/** A dedicated isolation NACL: its catch-all entries deny everything; an allow-list adds allow-all entries per CIDR. */
export function isolationNaclEntries(allow: string[]): LayerNaclEntry[] {
  return [false, true].flatMap((egress) => allow.map((c, i) => cidrEntry(100 + 10 * i, egress, 'allow', c)));
}

export function sameEntries(a: LayerNaclEntry[], b: LayerNaclEntry[]): boolean {
  const key = (e: LayerNaclEntry): string =>
    JSON.stringify([
      e.ruleNumber,
      e.egress,
      e.protocol,
      e.action,
      e.cidr ?? null,
      e.ipv6Cidr ?? null,
      e.portRange ?? null,
      e.icmp ?? null,
    ]);
  return a.length === b.length && a.map(key).sort().join('|') === b.map(key).sort().join('|');
}

/** The entries top mode inserts per direction, in evaluation order: allow-list first, then deny all (IPv4, IPv6). */
export function topEntryTemplates(allow: string[], ipv6: boolean): { action: 'allow' | 'deny'; cidr: string }[] {
  return [
    ...allow.map((cidr) => ({ action: 'allow' as const, cidr })),
    { action: 'deny' as const, cidr: '0.0.0.0/0' },
    ...(ipv6 ? [{ action: 'deny' as const, cidr: '::/0' }] : []),
  ];
}

export interface NaclMove {
  egress: boolean;
  entry: LayerNaclEntry;
  to: number;
}

export type TopPlan = { ok: true; inserts: LayerNaclEntry[]; moves: NaclMove[] } | { ok: false; reason: string };

/**
 * Where top mode puts its entries in `nacl`. Per direction, k entries take rule numbers 1..k; when the lowest existing
 * entries sit there, they move up — to the numbers just below the first entry that stays — keeping their order. Every
 * move goes up, so doing them highest first never meets an occupied number, and a copy made before its original is
 * deleted sits between the same neighbours: the NACL means the same thing at every moment.
 */
export function planTop(nacl: LayerNacl, allow: string[], ipv6: boolean): TopPlan {
  const templates = topEntryTemplates(allow, ipv6);
  const k = templates.length;
  const inserts: LayerNaclEntry[] = [];
  const moves: NaclMove[] = [];
  for (const egress of [false, true]) {
    const dir = egress ? 'egress' : 'ingress';
    const existing = nacl.entries.filter((e) => e.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
    const n = (i: number): number => (i < existing.length ? existing[i]!.ruleNumber : CATCH_ALL);
    let j = 0;
    while (j <= existing.length && n(j) - k - 1 < j) j++;
    if (j > existing.length)
      return { ok: false, reason: `${nacl.networkAclId} has no room for ${k} ${dir} rules before its own` };
    const boundary = n(j);
    const mine: NaclMove[] = [];
    for (let i = j - 1; i >= 0; i--) {
      const to = boundary - (j - i);
      if (to !== existing[i]!.ruleNumber) mine.push({ egress, entry: existing[i]!, to });
    }
    for (const fam of [4, 6] as const) {
      const have = existing.filter((e) => familyOfEntry(e) === fam).length;
      const add = templates.filter((t) => (t.cidr.includes(':') ? 6 : 4) === fam).length;
      // The final count, and the transient copy each renumbering makes, must both stay within the limit.
      const renumbers = mine.some((m) => familyOfEntry(m.entry) === fam);
      if (have + add + 1 > NACL_RULE_LIMIT || (renumbers && have + 2 > NACL_RULE_LIMIT)) {
        return {
          ok: false,
          reason: `${nacl.networkAclId} is at its ${dir} IPv${fam} rule limit (${have} rules besides the catch-all, at most ${NACL_RULE_LIMIT - 1}; top mode needs ${add} more)`,
        };
      }
    }
    moves.push(...mine);
    templates.forEach((t, i) => inserts.push(cidrEntry(i + 1, egress, t.action, t.cidr)));
  }
  return { ok: true, inserts, moves };
}

/** Whether `nacl` holds `e` exactly (same number, direction, action, protocol, CIDR). */
export function hasEntry(nacl: LayerNacl, e: LayerNaclEntry): boolean {
  return nacl.entries.some(
    (x) =>
      x.ruleNumber === e.ruleNumber &&
      x.egress === e.egress &&
      x.action === e.action &&
      x.protocol === e.protocol &&
      (x.cidr ?? x.ipv6Cidr) === (e.cidr ?? e.ipv6Cidr),
  );
}

/** The entries top mode put in, from the NACL's record (rule numbers per direction, in template order). */
export function recordedInserts(numbers: { in: string[]; out: string[] }, allow: string[]): LayerNaclEntry[] {
  const out: LayerNaclEntry[] = [];
  for (const [dir, egress] of [
    ['in', false],
    ['out', true],
  ] as const) {
    const list = numbers[dir].map(Number).filter((x) => Number.isInteger(x) && x > 0);
    const templates = topEntryTemplates(allow, list.length > allow.length + 1);
    list.forEach((num, i) => {
      const t = templates[i];
      if (t) out.push(cidrEntry(num, egress, t.action, t.cidr));
    });
  }
  return out;
}
