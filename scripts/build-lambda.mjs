// Bundles the Lambda entry points (src/lambda/index.ts) into dist/lambda/index.mjs: ESM for Node 20, the AWS SDK
// bundled in (the runtime's copy is not relied on), minified, with an external source map. The CDK construct uses
// dist/lambda as the code asset, handlers index.handler, index.workerHandler and index.groupHandler.
// Usage: npm run build:lambda  (or node scripts/build-lambda.mjs OUTFILE: elsewhere, as the bundle test does)
import { build } from 'esbuild';
import { rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = process.argv[2] ?? join(root, 'dist', 'lambda', 'index.mjs');
// dist/lambda is the function's code asset: only the bundle and its map belong there (tsc leaves src/lambda alone;
// its types go to dist/types).
if (process.argv[2] === undefined) rmSync(dirname(outfile), { recursive: true, force: true });

const result = await build({
  entryPoints: [join(root, 'src', 'lambda', 'index.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // ESM builds of the SDK first: smaller, and nothing of it runs through a CommonJS shim.
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: 'external',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  // CommonJS dependencies that call require() for Node built-ins need a require in an ES module.
  banner: {
    js: "import { createRequire as __cordonCreateRequire } from 'node:module'; const require = __cordonCreateRequire(import.meta.url);",
  },
});

const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
const size = statSync(outfile).size;
const inputs = Object.keys(result.metafile.inputs).length;
console.log(
  `${relative(process.cwd(), outfile)}: ${kib(size)} (${inputs} modules; source map ${kib(statSync(`${outfile}.map`).size)}, not needed at run time)`,
);
