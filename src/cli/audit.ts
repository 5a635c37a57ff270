// `cordon audit [--region R[,R…]] [--all-regions]`: read-only sweep of an account for what undermines containment —
// ENIs on the all-open group, isolation groups / NACLs / route tables someone changed, instances tagged contained that
// are not, ENIs on isolation groups with no open incident, runs left half-way. Exit 5 when anything is found (for a
// scheduled job), 0 when clean.

import type { Command } from 'commander';
import type { AwsClients } from '../aws/clients.js';
import { resolveRegion } from '../aws/region.js';
import { CordonError, EXIT } from '../core/errors.js';
import { addAwsOptions, clientOptions, outputOf, type CommonOptions } from './common.js';
import { printJson } from './output.js';
import { bold, green, red, yellow } from './render.js';

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;

export function registerAudit(program: Command): void {
  addAwsOptions(
    program
      .command('audit')
      .description(
        "sweep the account for what undermines containment: ENIs on the all-open group, tampered isolation groups / NACLs / route tables, 'contained' instances that are not, runs left half-way (read only)",
      )
      .option('--all-regions', 'every region enabled for the account (DescribeRegions)')
      .addHelpText(
        'after',
        `
Exit codes: 0 nothing found, 5 findings (each with what to do), 2 bad input, 4 a read permission is missing.`,
      ),
  ).action(async (o: CommonOptions & { allRegions?: boolean }) => {
    const format = outputOf(o);
    const base = clientOptions(o);
    const [{ createClients }, { enabledRegions }, { audit }] = await Promise.all([
      import('../aws/clients.js'),
      import('../aws/audit.js'),
      import('../engine/audit.js'),
    ]);
    let regions = (o.region ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    for (const r of regions)
      if (!REGION_RE.test(r))
        throw new CordonError('usage', `"${r}" is not a region name`, EXIT.usage, 'regions look like eu-west-1');
    if (o.allRegions) {
      const home = regions[0] ?? resolveRegion({});
      if (!home)
        throw new CordonError(
          'no-region',
          '--all-regions needs a region to ask which regions are enabled',
          EXIT.usage,
          'set AWS_REGION or pass --region',
        );
      const c = createClients({ ...base, region: home });
      try {
        regions = await enabledRegions(c);
      } finally {
        c.destroy();
      }
    } else if (regions.length === 0) {
      const r = resolveRegion({});
      if (!r) throw new CordonError('no-region', 'no AWS region given', EXIT.usage, 'pass --region or --all-regions');
      regions = [r];
    }
    const clients: AwsClients[] = regions.map((region) => createClients({ ...base, region }));
    let result;
    try {
      result = await audit(clients);
    } finally {
      for (const c of clients) c.destroy();
    }
    const failed = result.regions.filter((r) => r.error);
    if (failed.length === result.regions.length && failed.length > 0)
      throw new CordonError(
        'audit-failed',
        `could not read ${failed.map((r) => `${r.region}: ${r.error}`).join('; ')}`,
        EXIT.unreachable,
        'check the credentials, --region and --endpoint-url; `cordon iam-policy` lists the read permissions',
      );
    if (format === 'json')
      printJson({
        ok: result.findings.length === 0 && failed.length === 0,
        regions: result.regions,
        findings: result.findings,
      });
    else {
      const out: string[] = [];
      for (const f of result.findings)
        out.push(
          `${(f.kind === 'half-way' || f.kind === 'isolated-without-incident' ? yellow : red)(`✗ ${f.kind}`)} ${bold(f.resource)} (${f.region}${f.incident ? `, ${f.incident}` : ''}): ${f.detail}\n    → ${f.remedy}`,
        );
      for (const r of failed) out.push(red(`✗ ${r.region}: could not be read: ${r.error}`));
      out.push(
        result.findings.length === 0 && failed.length === 0
          ? green(`✓ nothing found in ${regions.join(', ')}`)
          : `${result.findings.length} finding(s) in ${regions.length} region(s)`,
      );
      process.stdout.write(out.join('\n') + '\n');
    }
    if (result.findings.length || failed.length) process.exitCode = EXIT.incomplete;
  });
}
