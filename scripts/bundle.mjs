// Bundles the published CLI (`npm run build` runs it after tsc): dist/bundle/cordon.mjs and the chunks it imports
// on demand — one per command's engine, one for the simulator — so `cordon --help` reads one small file and
// `cordon status` reads the AWS SDK code it uses and nothing else. Measured with `npm run bench -- startup`.
//
// The AWS SDK's schema files (one per service; EC2's is 1.3 MB) key their traits by computed property names
// (`{ [_xN]: _II }` with `const _xN = "xmlName"`), which esbuild must assume have side effects, so it keeps every
// shape of the service. The plugin below rewrites those keys to the string literals they are (same object, same
// semantics) and the shapes no command uses are dropped: EC2's schemas go from 552 kB to 22 kB minified.
//
// Usage: node scripts/bundle.mjs [--outdir DIR] [--metafile FILE]

import { build } from 'esbuild';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `{ [_xN]: v }` → `{ "xmlName": v }` where `_xN` is a top-level string constant of the schema file. */
export const schemaLiteralKeys = {
  name: 'aws-sdk-schema-literal-keys',
  setup(b) {
    b.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ },
      async (args) => {
        const text = await readFile(args.path, 'utf8');
        const consts = new Map();
        for (const m of text.matchAll(/^const (_[A-Za-z0-9_$]+) = ("(?:[^"\\\n]|\\.)*");$/gm)) consts.set(m[1], m[2]);
        const contents = text.replace(/\[(_[A-Za-z0-9_$]+)\]:/g, (all, name) =>
          consts.has(name) ? `${consts.get(name)}:` : all,
        );
        return { contents, loader: 'js' };
      },
    );
  },
};

export async function bundle({ outdir = join(root, 'dist', 'bundle'), metafile } = {}) {
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { cordon: 'src/cli/main.ts' },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The SDK's ES modules (tree-shakable); its CommonJS builds are one file per package.
    mainFields: ['module', 'main'],
    minify: true,
    // Stack traces of an internal error still name cordon's functions.
    keepNames: true,
    legalComments: 'linked',
    // CommonJS dependencies call require() for node's built-ins.
    banner: {
      js: "import { createRequire as __cordonRequire } from 'node:module'; const require = __cordonRequire(import.meta.url);",
    },
    plugins: [schemaLiteralKeys],
    metafile: Boolean(metafile),
    logLevel: 'warning',
  });
  if (metafile) await writeFile(metafile, JSON.stringify(result.metafile));
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i < 0 ? undefined : process.argv[i + 1];
  };
  await bundle({ outdir: arg('--outdir'), metafile: arg('--metafile') });
}
