// `cordon evidence verify <incident>`: re-hash every file of an incident's evidence folder against its manifest
// (and the manifest against the hash the journal recorded). Works offline: no AWS call. Exit 0 when everything
// matches, 5 on any mismatch, missing or unlisted file.

import type { Command } from 'commander';
import { EXIT } from '../core/errors.js';
import { parseOutput, printJson } from './output.js';
import { addStateOptions, localStateFor, type CommonOptions } from './common.js';
import { bold, green, red } from './render.js';

export function registerEvidence(program: Command): void {
  const evidence = program
    .command('evidence')
    .description('the evidence cordon captured (folder per incident, hashed manifest)');
  const cmd = evidence
    .command('verify')
    .description(
      're-hash every evidence file of an incident and compare with manifest.json; exits non-zero on any mismatch',
    )
    .argument('<incident>');
  addStateOptions(cmd).action(async (incident: string, o: CommonOptions) => {
    const format = parseOutput(o.output);
    const { verifyEvidence } = await import('../engine/evidence.js');
    const r = verifyEvidence(await localStateFor(o, incident, true), incident);
    if (format === 'json') printJson(r);
    else {
      const out: string[] = [`${bold(`evidence for ${incident}`)} (${r.root})`];
      for (const i of r.instances)
        out.push(
          `  ${i.instanceId}: ${i.files} file(s), ${i.remote} snapshot/AMI record(s); manifest sha256 ${i.manifestSha256}`,
        );
      for (const p of r.problems) out.push(red(`  ✗ ${p.instanceId}/${p.file}: ${p.problem} — ${p.detail}`));
      out.push(r.ok ? green('  ✓ every file matches its SHA-256') : red(`  ${r.problems.length} problem(s)`));
      process.stdout.write(out.join('\n') + '\n');
    }
    if (!r.ok) process.exitCode = EXIT.incomplete;
  });
}
