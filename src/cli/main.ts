// The cordon command line.

import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
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

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The SDK warns that future releases need Node 22; the lock file pins a release that supports Node 20. */
function quietSdkNodeWarning(): void {
  const original = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith('NodeVersionSupportWarning')) return;
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
  quietSdkNodeWarning();
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
