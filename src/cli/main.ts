// The cordon command line.

import { Command, CommanderError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportError, type OutputFormat } from './output.js';
import { registerSim } from './sim.js';
import { registerContainment } from './contain.js';
import { registerStatus } from './status.js';
import { registerLab } from './lab.js';
import { registerIamPolicy } from './iam-policy.js';
import { registerVerify } from './verify.js';
import { registerEvidence } from './evidence.js';
import { registerJournal } from './journal.js';
import { registerAudit } from './audit.js';
import { registerReport } from './report.js';
import { addExamples } from './examples.js';

/** cordon's package.json, found upwards from this module (dist/cli/main.js, dist/bundle/cordon.mjs or src/cli). */
function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The AWS SDK's own warning on Node < 22 is a 9-line block (NodeVersionSupportWarning, from the first client made):
 * cordon prints one line of its own in its place. AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true (the SDK's
 * switch) silences both.
 */
export function sdkNodeWarningAsOneLine(write: (line: string) => void = (l) => process.stderr.write(l)): void {
  const original = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith('NodeVersionSupportWarning')) {
      write(
        `cordon: warning: Node ${process.version} — AWS SDK releases after the first week of January 2027 need Node >= 22; cordon works on this Node, but upgrade to keep getting SDK fixes\n`,
      );
      return;
    }
    (original as (...a: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('cordon')
    .description(
      'Contain a compromised EC2 instance in seconds, prove what can still reach it, keep the evidence, and restore exactly.',
    )
    .version(version(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerSim(program);
  registerContainment(program);
  registerStatus(program);
  registerLab(program);
  registerIamPolicy(program);
  registerVerify(program);
  registerEvidence(program);
  registerJournal(program);
  registerAudit(program);
  registerReport(program);
  addExamples(program);
  return program;
}

/**
 * `--no-asg` (leave the instance in its Auto Scaling group) and `--asg NAME` (a group's instances as targets) share a
 * name commander cannot tell apart: the first is read as its long form, --no-asg-detach.
 */
export function normaliseArgv(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((a, i) => (a === '--no-asg' && (end < 0 || i < end) ? '--no-asg-detach' : a));
}

export async function main(argv: string[]): Promise<void> {
  sdkNodeWarningAsOneLine();
  const program = buildProgram();
  try {
    await program.parseAsync(normaliseArgv(argv));
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    const i = argv.indexOf('--output');
    const format: OutputFormat = argv[i + 1] === 'json' || argv.includes('--output=json') ? 'json' : 'text';
    process.exitCode = reportError(e, format);
  }
}
