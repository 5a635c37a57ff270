// `cordon verify <instance-id>`: what can still reach the instance, per class of flow — cut, open, or may survive
// (existing tracked connections) — with the rule or layer that decides. Reads the configuration through the real
// SDK (src/aws/facts.ts) and reasons with src/core/verify; never needs the simulator. docs/verify.md.

import type { Command } from 'commander';
import { INSTANCE_ID } from '../core/targets.js';
import { CordonError, EXIT } from '../core/errors.js';
import {
  verify,
  type ClassVerdict,
  type EniVerdict,
  type FlowExample,
  type VerifyReport,
} from '../core/verify/verify.js';
import { DIRECTIONS, KINDS, SIDES, type Direction, type FlowKind } from '../core/verify/paths.js';
import { SIDE_LABEL } from '../core/verify/summary.js';
import { addAwsOptions, clientsFrom, outputOf, type CommonOptions } from './common.js';
import { printJson } from './output.js';
import { bold, dim, green, red, yellow } from './render.js';

/** The reads gatherNetworkFacts makes. */
const READS = [
  'DescribeInstances',
  'DescribeNetworkInterfaces',
  'DescribeSecurityGroups',
  'DescribeNetworkAcls',
  'DescribeRouteTables',
  'DescribeSubnets',
  'DescribeVpcs',
].map((a) => `ec2:${a}`);

interface VerifyCliOptions extends CommonOptions {
  afterSwap?: boolean;
  untrackingAssumption?: boolean;
}

export function registerVerify(program: Command): void {
  addAwsOptions(
    program
      .command('verify')
      .argument('<instance-id>', 'the instance to check')
      .description(
        'what can still reach an instance: per class of flow (side × direction × kind) cut, open or may survive, and why',
      )
      .option(
        '--after-swap',
        'the all-open → empty group swap ran on every ENI (as `cordon contain` does): connections tracked before it are gone',
      )
      .option(
        '--no-untracking-assumption',
        'do not assume the all-open step drops existing conntrack entries (AWS does not document it)',
      ),
  ).action(async (instanceId: string, o: VerifyCliOptions) => {
    const format = outputOf(o);
    if (!INSTANCE_ID.test(instanceId)) {
      throw new CordonError(
        'malformed-id',
        `"${instanceId}" is not an instance id`,
        EXIT.usage,
        'instance ids look like i-0123456789abcdef0',
      );
    }
    const [{ gatherNetworkFacts }, { awsErrorCode }] = await Promise.all([
      import('../aws/facts.js'),
      import('../aws/clients.js'),
    ]);
    const clients = await clientsFrom(o);
    try {
      const facts = await gatherNetworkFacts(clients, instanceId).catch((e: unknown) => {
        const code = awsErrorCode(e);
        if (code === 'UnauthorizedOperation' || code === 'AccessDenied' || code === 'AccessDeniedException') {
          throw new CordonError(
            'permission-missing',
            `AWS refused a read verify needs (${code}): ${(e as Error).message}`,
            EXIT.permission,
            `verify only reads: grant ${READS.join(', ')}`,
          );
        }
        throw e;
      });
      const report = verify(facts, {
        untrackStepApplied: o.afterSwap ?? false,
        untrackingDropsEntries: o.untrackingAssumption ?? true,
      });
      if (format === 'json') printJson(report);
      else process.stdout.write(`${renderVerify(report, new Date().toISOString())}\n`);
      process.exitCode = report.summary.contained ? EXIT.ok : EXIT.incomplete;
    } finally {
      clients.destroy();
    }
  });
}

const CELL: Record<ClassVerdict['verdict'], (s: string) => string> = {
  open: (s) => red(bold(s)),
  'may-survive': yellow,
  cut: (s) => green(s),
};
const WORD: Record<ClassVerdict['verdict'], string> = { open: 'OPEN', 'may-survive': 'may survive', cut: 'cut' };
const SHORT_KIND: Record<FlowKind, string> = {
  tracked: 'TCP/UDP tracked',
  untracked: 'TCP/UDP untracked',
  icmp: 'ICMP',
  other: 'other IP (GRE…)',
  'auto-tracked': 'auto-tracked',
};

/** "tcp 203.0.113.1:49152 → instance:22 (igw)", "icmp type 8 code 0 to 198.51.100.1 (nat)", "47 (GRE…) …". */
export function describeExample(x: FlowExample, d: Direction): string {
  const proto = /^\d+$/.test(x.protocol) ? `protocol ${x.protocol}` : x.protocol;
  if (x.localPort !== undefined && x.remotePort !== undefined) {
    const far = `${x.remote.includes(':') ? `[${x.remote}]` : x.remote}:${x.remotePort}`;
    const near = `instance:${x.localPort}`;
    return `${proto} ${d === 'inbound' ? `${far} → ${near}` : `${near} → ${far}`} (${x.path})`;
  }
  const icmp = x.icmpType !== undefined ? ` type ${x.icmpType} code ${x.icmpCode ?? 0}` : '';
  return `${proto}${icmp} ${d === 'inbound' ? 'from' : 'to'} ${x.remote} (${x.path})`;
}
const COL = 19;

/** 432000 → "5 d", 600 → "10 min", 45 → "45 s". */
export function duration(seconds: number): string {
  if (seconds >= 86400 && seconds % 3600 === 0)
    return seconds % 86400 === 0 ? `${seconds / 86400} d` : `${seconds / 3600} h`;
  if (seconds >= 3600 && seconds % 60 === 0)
    return seconds % 3600 === 0 ? `${seconds / 3600} h` : `${seconds / 60} min`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(1, n - s.length));
}

function eniTable(e: EniVerdict): string[] {
  const out: string[] = [];
  const where = [`device ${e.deviceIndex}`, e.subnetId, e.groupIds.join(', '), e.networkAclId, e.routeTableId]
    .filter(Boolean)
    .join(' · ');
  out.push(`${bold(e.networkInterfaceId)}  ${dim(where)}`);
  out.push(`  ${pad('', 24)}${KINDS.map((k) => pad(SHORT_KIND[k], COL)).join('')}`);
  for (const side of SIDES) {
    for (const d of DIRECTIONS) {
      const label = `${pad(d === 'inbound' ? SIDE_LABEL[side] : '', 15)}${pad(d === 'inbound' ? 'in' : 'out', 9)}`;
      const cells = KINDS.map((k) => {
        const c = e.classes.find((x) => x.side === side && x.direction === d && x.kind === k)!;
        return CELL[c.verdict](pad(WORD[c.verdict], COL));
      });
      out.push(`  ${label}${cells.join('')}`);
    }
  }
  for (const w of e.warnings) out.push(yellow(`  ! ${w}`));
  return out;
}

/** Classes that are not cut, per ENI, grouped by the same reason, most urgent first. */
function reasons(r: VerifyReport, max: number): string[] {
  const out: string[] = [];
  let shown = 0;
  let hidden = 0;
  for (const e of r.enis) {
    const groups = new Map<
      string,
      { verdict: ClassVerdict['verdict']; reason: string; remedy?: string; where: string[]; example?: string }
    >();
    for (const c of e.classes) {
      if (c.verdict === 'cut') continue;
      const key = `${c.verdict}|${c.reason}|${c.remedy ?? ''}`;
      const g = groups.get(key) ?? {
        verdict: c.verdict,
        reason: c.reason,
        remedy: c.remedy,
        where: [],
        example: c.example && describeExample(c.example, c.direction),
      };
      const idle =
        c.verdict === 'may-survive' && c.idleTimeoutSeconds ? ` (${duration(c.idleTimeoutSeconds)} idle)` : '';
      g.where.push(`${SIDE_LABEL[c.side]} ${c.direction === 'inbound' ? 'in' : 'out'} ${SHORT_KIND[c.kind]}${idle}`);
      groups.set(key, g);
    }
    if (groups.size === 0) continue;
    const sorted = [...groups.values()].sort((a, b) => (a.verdict === b.verdict ? 0 : a.verdict === 'open' ? -1 : 1));
    if (shown < max) out.push(` ${e.networkInterfaceId}`);
    for (const g of sorted) {
      if (shown >= max) {
        hidden++;
        continue;
      }
      shown++;
      out.push(`  ${CELL[g.verdict](pad(WORD[g.verdict], 12))}${g.where.join(', ')}`);
      out.push(`  ${pad('', 12)}${g.reason}`);
      if (g.example) out.push(dim(`  ${pad('', 12)}e.g. ${g.example}`));
      if (g.remedy) out.push(dim(`  ${pad('', 12)}→ ${g.remedy}`));
    }
  }
  if (hidden) out.push(dim(`  (+${hidden} more: --output json lists every class with its reason)`));
  return out;
}

export function renderVerify(r: VerifyReport, checkedAt: string): string {
  const out: string[] = [];
  out.push(
    bold(`cordon verify ${r.instanceId} (${r.region})`) + dim(`  ${checkedAt}, from the configuration AWS describes`),
  );
  out.push('');
  for (const e of r.enis) {
    out.push(...eniTable(e));
    out.push('');
  }
  out.push(
    dim(
      'auto-tracked: through a NAT gateway, NLB, GWLB, Network Firewall, transit gateway, Global Accelerator, PrivateLink or egress-only IGW — always tracked, so a group swap cannot cut existing ones.',
    ),
  );
  out.push(
    dim(
      'other IP: every protocol but TCP, UDP and ICMP (GRE, ESP, AH, SCTP…) — always tracked, like ICMP. Ports are judged over 0-65535 at both ends: either side may pick its own.',
    ),
  );
  out.push(dim('may survive: no new connections, but existing tracked ones live until idle past their timeout.'));
  out.push('');
  if (!r.summary.contained) {
    out.push(bold('What still gets through, and what would cut it:'));
    out.push(...reasons(r, 10));
    out.push('');
  }
  const notes: string[] = [];
  if (!r.options.untrackingDropsEntries) notes.push('without the untracking assumption');
  if (r.options.untrackStepApplied) notes.push('after the all-open → empty swap');
  if (notes.length) out.push(dim(`(${notes.join('; ')})`));
  const headline = r.summary.contained
    ? green(bold(r.bottomLine))
    : r.summary.open
      ? red(bold(r.bottomLine))
      : yellow(bold(r.bottomLine));
  out.push(`${bold('Bottom line:')} ${headline}`);
  return out.join('\n');
}
