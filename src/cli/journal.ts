// `cordon journal verify <incident>`: checks an incident's journal offline (no AWS call): every line chained to the
// one before by its SHA-256, so a changed, removed or inserted line is found and named by its line number. Exit 0
// when the chain holds (a torn last line, left by a crash, is reported but not a failure), 5 otherwise, 3 when there
// is no journal.

import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CordonError, EXIT } from '../core/errors.js';
import { parseOutput, printJson } from './output.js';
import { addStateOptions, localStateFor, type CommonOptions } from './common.js';
import { bold, green, red, yellow } from './render.js';

export function registerJournal(program: Command): void {
  const journal = program
    .command('journal')
    .description("cordon's write-ahead journal of an incident (local, hash-chained)");
  const cmd = journal
    .command('verify')
    .description("check an incident's journal: every line chained to the one before by its SHA-256 (offline)")
    .argument('<incident>');
  addStateOptions(cmd).action(async (incident: string, o: CommonOptions) => {
    const format = parseOutput(o.output);
    const { Journal, verifyChain } = await import('../engine/journal.js');
    // The id is checked before anything is read; a store that cannot be read keeps its own error and exit code.
    const path = new Journal(await localStateFor(o, incident, false), incident).path;
    if (!existsSync(path))
      throw new CordonError(
        'no-journal',
        `no journal for incident ${incident} at ${path}`,
        EXIT.refused,
        'give the state dir the containment ran with (--state-dir or CORDON_HOME)',
      );
    const r = verifyChain(readFileSync(path, 'utf8'), incident);
    const failures = r.problems.filter((p) => !p.torn);
    if (format === 'json')
      printJson({ incident, path, lines: r.lines, ok: failures.length === 0, problems: r.problems });
    else {
      const out = [`${bold(`journal of ${incident}`)} (${path}): ${r.lines} line(s)`];
      for (const p of r.problems)
        out.push((p.torn ? yellow : red)(`  ${p.torn ? '!' : '✗'} line ${p.line}: ${p.problem}`));
      out.push(
        failures.length === 0
          ? green('  ✓ every line is chained to the one before it')
          : red(`  ${failures.length} problem(s)`),
      );
      process.stdout.write(out.join('\n') + '\n');
    }
    if (failures.length) process.exitCode = EXIT.incomplete;
  });
}
