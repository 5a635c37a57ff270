// `cordon audit`: the reads of every region asked for, at once, and the findings (src/core/audit.ts). Read only.

import type { AwsClients } from '../aws/clients.js';
import { readAuditFacts } from '../aws/audit.js';
import { auditFindings, type Finding } from '../core/audit.js';

export interface AuditResult {
  regions: { region: string; error?: string }[];
  findings: Finding[];
}

/** Audits each region with its own clients; a region that cannot be read is reported, the others still are. */
export async function audit(perRegion: AwsClients[]): Promise<AuditResult> {
  const results = await Promise.all(
    perRegion.map(async (clients) => {
      try {
        return { region: clients.region, findings: auditFindings(await readAuditFacts(clients)) };
      } catch (e) {
        return { region: clients.region, error: (e as Error).message, findings: [] as Finding[] };
      }
    }),
  );
  return {
    regions: results.map((r) => ({ region: r.region, ...(r.error ? { error: r.error } : {}) })),
    findings: results.flatMap((r) => r.findings),
  };
}
