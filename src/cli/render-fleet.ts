// Text rendering for fleets: a plan summed up by step (the change-by-change list of 1,000 instances helps nobody), a
// result that leads with the counts and lists every instance that needs a look, and a restore's items.

import type { Plan } from '../core/plan.js';
import type { FleetContainResult } from '../engine/fleet.js';
import type { TamperedGroup } from '../core/isolation-groups.js';
import type { RestorePlan } from '../engine/restore.js';
import { renderBlastRadius } from './layers.js';
import { bold, dim, green, red, yellow } from './render.js';

/** Up to this many instances are listed by name; past it, counted. */
const LIST_MAX = 20;

export function renderPlans(plans: Plan[], missing: { step: string; action: string }[] = []): string {
  const out: string[] = [];
  const instances = plans.flatMap((p) => p.instances);
  const changes = plans.flatMap((p) => p.changes);
  const where = [...new Set(plans.map((p) => p.region))].join(', ');
  out.push(
    bold(
      `Plan for incident ${plans[0]?.incident ?? '?'} — ${instances.length} instance(s), ${changes.length} change(s), ${plans.length} account × region worker(s) (${where})`,
    ),
  );
  const already = instances.filter((i) => i.alreadyContained).length;
  const enis = instances.reduce((a, i) => a + i.facts.enis.length, 0);
  out.push(`  ${enis} ENI(s)${already ? green(`; ${already} instance(s) already contained`) : ''}`);
  const byStep = new Map<string, number>();
  for (const c of changes) byStep.set(c.stepId, (byStep.get(c.stepId) ?? 0) + 1);
  const critical = new Set(plans.flatMap((p) => p.criticalPath));
  for (const [step, n] of byStep) out.push(`  ${critical.has(step) ? yellow('▶') : ' '} ${bold(step)}: ${n} change(s)`);
  if (changes.length === 0) out.push('  nothing to change');
  const warnings = new Map<string, number>();
  for (const w of plans.flatMap((p) => p.warnings)) {
    const shape = w.replace(/\b(i|eni|sg|subnet|vol)-[0-9a-f]+\b/g, '$1-…');
    warnings.set(shape, (warnings.get(shape) ?? 0) + 1);
  }
  for (const [w, n] of warnings) out.push(yellow(`  ! ${w}${n > 1 ? ` (${n}×)` : ''}`));
  for (const p of plans) {
    const blast = renderBlastRadius(p);
    if (blast) out.push(blast);
  }
  if (missing.length)
    out.push(red(`  ✗ missing permissions (EC2 DryRun): ${[...new Set(missing.map((m) => m.action))].join(', ')}`));
  return out.join('\n');
}

/** One line for a tampered isolation group (an indicator that someone in the account works against containment). */
export function indicatorLine(t: TamperedGroup & { region?: string; accountId?: string }): string {
  return `INDICATOR: ${t.groupId} (${t.groupName}, ${t.role}) in ${t.vpcId}${t.region ? ` (${t.accountId ?? 'own account'} ${t.region})` : ''} is tagged as cordon's isolation group, but ${t.reason}: it was not used — find out who changed it`;
}

export function renderFleetResult(r: FleetContainResult): string {
  const s = r.summary;
  const out: string[] = [];
  for (const t of r.indicators) out.push(red(indicatorLine(t)));
  const status = s.incomplete
    ? red(`${s.incomplete} INCOMPLETE`)
    : green(`ALL ${s.instances} ${s.alreadyContained === s.instances ? 'ALREADY CONTAINED' : 'CONTAINED'}`);
  out.push(bold(`Incident ${r.incident}: ${status}`));
  out.push(
    `  ${s.contained} contained, ${s.alreadyContained} already contained, ${s.incomplete} incomplete — ${s.instances} instance(s), ${s.enis} ENI(s), ${s.workers.length} account × region worker(s)`,
  );
  for (const w of s.workers)
    out.push(
      dim(
        `  ${w.accountId ?? 'own account'} ${w.region}: ${w.instances} instance(s)${w.isolatedAfterMs !== undefined ? `, isolated after ${w.isolatedAfterMs} ms` : ''}`,
      ),
    );
  const bad = r.instances.filter((i) => i.status === 'incomplete');
  for (const i of bad.slice(0, LIST_MAX)) {
    out.push(red(`  ✗ ${i.instanceId} (${i.region}): INCOMPLETE`));
    for (const st of i.steps.filter((x) => x.status === 'failed'))
      out.push(red(`      ${st.id}: ${st.error?.message ?? 'failed'}`));
    for (const e of i.enis.filter((x) => !x.isolated))
      out.push(red(`      ${e.networkInterfaceId}: ${e.groups.join(', ')} — NOT isolated`));
    for (const w of i.warnings) out.push(yellow(`      ! ${w}`));
  }
  if (bad.length > LIST_MAX)
    out.push(red(`  … and ${bad.length - LIST_MAX} more incomplete (all of them: --output json)`));
  const open = r.instances.filter((i) => (i.survivors?.open ?? 0) > 0).length;
  const lines = new Map<string, number>();
  for (const i of r.instances)
    if (i.survivors) lines.set(i.survivors.bottomLine, (lines.get(i.survivors.bottomLine) ?? 0) + 1);
  out.push(
    `  what still gets through${open ? yellow(` (${open} instance(s) not contained as far as the network allows)`) : ''}:`,
  );
  for (const [l, n] of [...lines].sort((a, b) => b[1] - a[1]).slice(0, 5)) out.push(`    ${n}× ${l}`);
  if (s.isolatedAfterMs !== undefined)
    out.push(
      `network isolation of the whole fleet reached after ${s.isolatedAfterMs} ms; everything done after ${s.completedAfterMs} ms`,
    );
  out.push(`${s.calls} AWS calls${s.throttled ? `, ${s.throttled} answered "throttled" and retried` : ''}`);
  const first = r.workers.find((w) => w.result)?.result;
  if (first) out.push(`journal: ${first.journal}`);
  const ev = r.workers.find((w) => w.result?.evidence)?.result?.evidence;
  if (ev) out.push(`evidence: ${ev} (check it with: cordon evidence verify ${r.incident})`);
  out.push(`restore with: ${restoreHint(r)}`);
  return out.join('\n');
}

/** The restore command(s) for these instances: one per account × region (ARNs for other accounts). */
function restoreHint(r: FleetContainResult): string {
  if (r.instances.length > 10)
    return 'cordon restore --targets <the same targets> (plus --role-name for other accounts)';
  const byWorker = new Map<string, string[]>();
  for (const i of r.instances) {
    const key = i.accountId ? 'arn' : i.region;
    const name = i.accountId ? `arn:aws:ec2:${i.region}:${i.accountId}:instance/${i.instanceId}` : i.instanceId;
    byWorker.set(key, [...(byWorker.get(key) ?? []), name]);
  }
  return [...byWorker]
    .map(
      ([k, names]) =>
        `cordon restore ${names.join(' ')} ${k === 'arn' ? '--role-name <the same role>' : `--region ${k}`}`,
    )
    .join(' ; ');
}

export function restoreLines(plans: RestorePlan[]): string {
  const items = plans.flatMap((p) => p.instances.flatMap((i) => i.items));
  if (items.length > 60) {
    const byStep = new Map<string, number>();
    for (const x of items) byStep.set(x.stepId, (byStep.get(x.stepId) ?? 0) + 1);
    return `${[...byStep].map(([k, n]) => `  ${k}: ${n} item(s)`).join('\n')}\n`;
  }
  return items
    .map(
      (x) =>
        `  ${x.summary}${x.source !== 'step' ? ` (from ${x.source})` : ''}${x.drift ? ` — DRIFT: ${x.drift}` : ''}\n`,
    )
    .join('');
}
