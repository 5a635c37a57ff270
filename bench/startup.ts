// `npm run bench -- startup [--runs 15] [--bin bin/cordon.js]`: how long the CLI takes to start, as ratios to
// `node -e 0` measured in the same run (the runs are interleaved, so a busy machine slows both alike). Prints one JSON
// line per figure — `node -e 0`, `--help`, `--version`, `status <id>` against a simulator started here on 127.0.0.1 —
// each with the median wall time of --runs runs and its ratio to node's; then the peak RSS of `--help` (from
// process.resourceUsage() at exit, through a preloaded hook); then one summary line against the targets
// (--help and --version ≤ 2×, status ≤ 5×, --help peak ≤ 80 MiB).
//
// --bin runs another checkout's bin (e.g. a build of an older commit) for a before/after comparison.

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulator } from '../src/sim/server.js';
import { ROOT } from './_sim-child.js';
import { options, quantile, round } from './_stats.js';

const INSTANCE = 'i-0c0ffee0000000001';
const TARGETS = { help: 2, version: 2, status: 5, helpPeakMiB: 80 };

interface Run {
  ms: number;
  code: number | null;
  stderr: string;
}

function run(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((done, fail) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ ms: Number(process.hrtime.bigint() - t0) / 1e6, code, stderr }));
  });
}

const median = (xs: number[]): number =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

export default async function startup(args: string[]): Promise<void> {
  const o = options(args, { runs: 15, bin: join(ROOT, 'bin', 'cordon.js') });
  const bin = resolve(o.bin);
  const sim = await startSimulator({ scenario: 'demo', port: 0 });
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NO_COLOR: '1',
    AWS_ACCESS_KEY_ID: 'AKIADEMORESPONDER01',
    AWS_SECRET_ACCESS_KEY: 'sim-secret',
    AWS_REGION: 'us-east-1',
  };
  delete env.CORDON_FROM_SOURCE;
  delete env.NODE_OPTIONS;
  const cases: [string, string[]][] = [
    ['node -e 0', ['-e', '0']],
    ['--help', [bin, '--help']],
    ['--version', [bin, '--version']],
    [`status ${INSTANCE}`, [bin, 'status', INSTANCE, '--endpoint-url', sim.endpoint]],
  ];
  const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  try {
    // One warm-up round (file-system cache), then the measured rounds, each round running every case once.
    for (let round = -1; round < o.runs; round++)
      for (const [name, argv] of cases) {
        const r = await run(argv, env);
        if (r.code !== 0) throw new Error(`${name} exited ${r.code}: ${r.stderr}`);
        if (round >= 0) times.get(name)!.push(r.ms);
      }
    const base = median(times.get('node -e 0')!);
    const ratios: Record<string, number> = {};
    for (const [name] of cases) {
      const ms = median(times.get(name)!);
      ratios[name] = round(ms / base);
      process.stdout.write(
        `${JSON.stringify({ figure: name, runs: o.runs, medianMs: round(ms, 1), ratio: ratios[name] })}\n`,
      );
    }
    // Peak memory: a preloaded hook reports process.resourceUsage().maxRSS (KiB) on stderr as the process exits.
    const hook = join(mkdtempSync(join(tmpdir(), 'cordon-bench-')), 'rss.cjs');
    writeFileSync(
      hook,
      "process.on('exit', () => require('node:fs').writeSync(2, `\\nmaxRSS=${process.resourceUsage().maxRSS}\\n`));\n",
    );
    const peaks: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await run(['--require', hook, bin, '--help'], env);
      const kib = Number(/maxRSS=(\d+)/.exec(r.stderr)?.[1]);
      if (!Number.isFinite(kib)) throw new Error(`no maxRSS from --help: ${r.stderr}`);
      peaks.push(kib / 1024);
    }
    const helpPeakMiB = round(Math.max(...peaks), 1);
    process.stdout.write(
      `${JSON.stringify({ figure: '--help peak RSS', runs: peaks.length, peakMiB: helpPeakMiB })}\n`,
    );
    const met = {
      help: ratios['--help']! <= TARGETS.help,
      version: ratios['--version']! <= TARGETS.version,
      status: ratios[`status ${INSTANCE}`]! <= TARGETS.status,
      helpPeak: helpPeakMiB <= TARGETS.helpPeakMiB,
    };
    process.stdout.write(
      `${JSON.stringify({
        summary: true,
        bin,
        node: process.version,
        nodeMs: round(base, 1),
        help: ratios['--help'],
        version: ratios['--version'],
        status: ratios[`status ${INSTANCE}`],
        helpPeakMiB,
        targets: TARGETS,
        met,
      })}\n`,
    );
  } finally {
    await sim.close();
  }
}
