#!/usr/bin/env node
// Runs the bundled CLI when present (npm ci runs `prepare`, which builds dist/bundle/ with scripts/bundle.mjs: one
// small file for the command line, the engine, the AWS SDK and the simulator in chunks loaded when a command needs
// them); else the tsc output; else the TypeScript sources through tsx (a development checkout that has not been
// built, or CORDON_FROM_SOURCE=1 as the tests set).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = [join(root, 'dist', 'bundle', 'cordon.mjs'), join(root, 'dist', 'cli', 'main.js')].find((f) =>
  existsSync(f),
);
if (built && !process.env.CORDON_FROM_SOURCE) {
  const { main } = await import(pathToFileURL(built).href);
  await main(process.argv);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
  await main(process.argv);
}
