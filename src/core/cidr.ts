// IPv4 / IPv6 address and CIDR arithmetic (pure). Addresses are BigInts so both families share one code path.

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  base: bigint;
  prefix: number;
}

export function familyOf(addrOrCidr: string): Family {
  return addrOrCidr.includes(':') ? 6 : 4;
}

export function parseIp(ip: string): { family: Family; value: bigint } | undefined {
  if (ip.includes(':')) return parseIpv6(ip);
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return { family: 4, value: v };
}

function parseIpv6(ip: string): { family: 6; value: bigint } | undefined {
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.length !== 8) return undefined;
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return { family: 6, value: v };
}

const bits = (f: Family): number => (f === 4 ? 32 : 128);

export function parseCidr(cidr: string): Cidr | undefined {
  const [addr, pfx] = cidr.split('/');
  if (!addr || pfx === undefined || !/^\d{1,3}$/.test(pfx)) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const prefix = Number(pfx);
  if (prefix > bits(ip.family)) return undefined;
  return { family: ip.family, base: ip.value & mask(ip.family, prefix), prefix };
}

function mask(f: Family, prefix: number): bigint {
  const total = BigInt(bits(f));
  const all = (1n << total) - 1n;
  return prefix === 0 ? 0n : (all >> (total - BigInt(prefix))) << (total - BigInt(prefix));
}

export function formatIp(family: Family, v: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  // compress the longest run of zero groups
  let best = -1,
    bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Canonical form, e.g. 100.68.0.18/18 -> 100.68.0.0/18 (as AWS stores NACL and SG CIDRs). */
export function canonicalCidr(cidr: string): string | undefined {
  const c = parseCidr(cidr);
  return c ? `${formatIp(c.family, c.base)}/${c.prefix}` : undefined;
}

export function cidrContains(cidr: string | Cidr, ip: string): boolean {
  const c = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  const a = parseIp(ip);
  if (!c || !a || c.family !== a.family) return false;
  return (a.value & mask(c.family, c.prefix)) === c.base;
}

/** Whether `inner` lies wholly inside `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
  const i = parseCidr(inner),
    o = parseCidr(outer);
  if (!i || !o || i.family !== o.family || i.prefix < o.prefix) return false;
  return (i.base & mask(o.family, o.prefix)) === o.base;
}

export function cidrOverlaps(a: string, b: string): boolean {
  return cidrWithin(a, b) || cidrWithin(b, a);
}

/** The n-th address of a CIDR (0 = network address). */
export function nthAddress(cidr: string, n: bigint | number): string {
  const c = parseCidr(cidr);
  if (!c) throw new Error(`bad CIDR ${cidr}`);
  return formatIp(c.family, c.base + BigInt(n));
}

export function isAnyCidr(cidr: string | undefined): boolean {
  return cidr === '0.0.0.0/0' || cidr === '::/0';
}
