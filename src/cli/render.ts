// Text rendering of plans, progress and results. Only the CLI prints; the engine emits events.

import type { Plan } from '../core/plan.js';
import type { ContainResult } from '../engine/contain.js';
import type { EngineEvent } from '../engine/engine.js';

const isTty = (): boolean => Boolean(process.stderr.isTTY);
const c = (code: string, s: string): string => (isTty() && !process.env.NO_COLOR ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = (s: string): string => c('1', s);
export const red = (s: string): string => c('31', s);
export const green = (s: string): string => c('32', s);
export const yellow = (s: string): string => c('33', s);
export const dim = (s: string): string => c('2', s);

export function renderPlan(plan: Plan, missing: { step: string; action: string }[] = []): string {
  const out: string[] = [];
  out.push(bold(`Plan for incident ${plan.incident} (${plan.region}) — ${plan.changes.length} change(s)`));
  for (const i of plan.instances) {
    out.push(
      `  ${i.instanceId} in ${i.vpcId}: ${i.facts.enis.length} ENI(s)${i.alreadyContained ? green(' — already contained') : ''}`,
    );
  }
  let n = 0;
  let lastStep = '';
  for (const ch of plan.changes) {
    if (ch.stepId !== lastStep) {
      out.push(`  ${plan.criticalPath.includes(ch.stepId) ? yellow('▶') : ' '} ${bold(ch.stepId)}`);
      lastStep = ch.stepId;
    }
    out.push(`      ${String(++n).padStart(2)}. ${ch.summary}`);
  }
  if (plan.changes.length === 0) out.push('  nothing to change');
  out.push(`  critical path: describe → ${plan.criticalPath.join(' → ') || '(none)'}`);
  for (const w of plan.warnings) out.push(yellow(`  ! ${w}`));
  if (missing.length) {
    out.push(red(`  ✗ missing permissions (EC2 DryRun): ${missing.map((m) => m.action).join(', ')}`));
  }
  return out.join('\n');
}

/** Progress: live lines on a TTY, plain log lines otherwise; silent when quiet. */
export function progressPrinter(quiet: boolean): (e: EngineEvent) => void {
  return (e) => {
    if (quiet) return;
    if (e.type === 'warning') {
      process.stderr.write(yellow(`  ! ${e.message}\n`));
      return;
    }
    if (e.type === 'progress') {
      process.stderr.write(dim(`    ${e.stepId}: ${e.message}\n`));
      return;
    }
    const s = e.step;
    const mark =
      s.status === 'done' ? green('✓') : s.status === 'failed' ? red('✗') : s.status === 'running' ? '…' : dim('·');
    const when =
      s.endedMs !== undefined ? dim(` +${s.endedMs} ms`) : s.startedMs !== undefined ? dim(` +${s.startedMs} ms`) : '';
    const err = s.error ? red(` ${s.error.code}: ${s.error.message}`) : '';
    if (s.status === 'nothing-to-do') return;
    process.stderr.write(`  ${mark} ${s.id} ${dim(s.status)}${when}${err}\n`);
  };
}

export function renderContainResult(r: ContainResult): string {
  const out: string[] = [];
  for (const t of r.indicators)
    out.push(
      red(
        `INDICATOR: ${t.groupId} (${t.groupName}, ${t.role}) in ${t.vpcId} is tagged as cordon's isolation group, but ${t.reason}: it was not used — find out who changed it`,
      ),
    );
  for (const i of r.instances) {
    const status = i.status === 'incomplete' ? red('INCOMPLETE') : green(i.status.toUpperCase());
    out.push(`${bold(i.instanceId)}: ${status} (incident ${i.incident})`);
    const sgLayer = !r.plan.options.layers || r.plan.options.layers.includes('sg');
    for (const e of i.enis)
      out.push(
        `  ${e.networkInterfaceId}: ${e.groups.join(', ')}${e.isolated ? green(' ✓ isolated') : sgLayer ? red(' ✗ NOT isolated') : dim(' (groups unchanged: the sg layer was not chosen)')}`,
      );
    for (const l of i.layers ?? [])
      out.push(
        `  ${l.layer} ${l.subnetId}: ${l.resource ?? '-'} — ${l.detail}${l.isolated ? green(' ✓') : red(' ✗ NOT in place')}`,
      );
    for (const s of i.steps.filter((x) => x.status === 'failed' || x.status === 'skipped'))
      out.push(red(`  ✗ ${s.id} ${s.status}${s.error ? `: ${s.error.message}` : ''}`));
    for (const w of i.warnings) out.push(yellow(`  ! ${w}`));
    if (i.survivors)
      out.push(
        `  what still gets through: ${i.survivors.contained ? green(i.survivors.bottomLine) : yellow(i.survivors.bottomLine)}`,
      );
  }
  if (r.isolatedAfterMs !== undefined)
    out.push(
      `network isolation reached ${r.isolatedAfterMs} ms after cordon started (reading and planning included), ${r.roundTrips} round trip(s)`,
    );
  out.push(`journal: ${r.journal}`);
  if (r.evidence) out.push(`evidence: ${r.evidence} (check it with: cordon evidence verify ${r.incident})`);
  out.push(`restore with: cordon restore ${r.instances.map((i) => i.instanceId).join(' ')} --region ${r.region}`);
  return out.join('\n');
}
