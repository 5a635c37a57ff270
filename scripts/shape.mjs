// Dev aid: prints the wire (XML) member names of an AWS SDK v3 model shape, from the SDK's own schemas.
//   node scripts/shape.mjs ec2 NetworkInterface
//   node scripts/shape.mjs auto-scaling AutoScalingGroup
// Output: one line per member: <ModelName> -> <xmlName> [list|struct:<Shape>]
import { readdirSync } from 'node:fs';
const [svc, shape] = process.argv.slice(2);
if (!svc || !shape) {
  console.error(
    'usage: node scripts/shape.mjs <client-suffix e.g. ec2|auto-scaling|iam|sts|elastic-load-balancing-v2> <ShapeName>',
  );
  process.exit(2);
}
const dir = new URL(`../node_modules/@aws-sdk/client-${svc}/dist-es/schemas/`, import.meta.url);
const mods = {};
for (const f of readdirSync(dir)) if (f.endsWith('.js')) Object.assign(mods, await import(new URL(f, dir).href));
const s = mods[`${shape}$`];
if (!s) {
  console.error(
    `no shape ${shape}; similar: ${Object.keys(mods)
      .filter((k) => k.toLowerCase().includes(shape.toLowerCase()))
      .slice(0, 20)
      .join(' ')}`,
  );
  process.exit(1);
}
const [, , , , names, members] = s;
const describe = (m) => {
  const t = Array.isArray(m) ? m[0] : m;
  const r = typeof t === 'function' ? t() : t;
  if (Array.isArray(r)) {
    const kind = r[0];
    if (kind === 3) return `struct:${r[2]}`;
    if (kind === 1 || kind === 64) return `list<${describe([r[4] ?? r[3]])}>`;
    return `kind${kind}:${r[2] ?? ''}`;
  }
  return typeof r === 'number' ? `scalar(${r})` : '';
};
names.forEach((n, i) => {
  const m = members[i];
  const traits = Array.isArray(m) ? (m[1] ?? {}) : {};
  const xml =
    traits.xmlName ??
    traits.xN ??
    Object.values(traits).find((v) => typeof v === 'string' && v !== n && !/^[A-Z]/.test(v));
  const q = Object.values(traits).find((v) => typeof v === 'string' && /^[A-Z]/.test(v));
  console.log(`${n.padEnd(40)} xml=${xml ?? n}${q ? ` query=${q}` : ''} ${describe(m)}`);
});
