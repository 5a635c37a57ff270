// `npm run bench -- <name> [options]`: runs bench/<name>.ts, whose default export takes the remaining arguments.
// Each bench prints one JSON line per figure on stdout. Add a bench by adding a file here.

import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type Bench = (args: string[]) => Promise<void>;

const dir = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

const [name, ...rest] = process.argv.slice(2);
if (!name || name === '--help' || !available.includes(name)) {
  if (name && name !== '--help') console.error(`bench: no bench named "${name}"`);
  console.error(`usage: npm run bench -- <name> [options]\n  benches: ${available.join(', ')}`);
  process.exit(name && name !== '--help' ? 2 : 0);
}
const mod = (await import(pathToFileURL(join(dir, `${name}.ts`)).href)) as { default: Bench };
await mod.default(rest);
