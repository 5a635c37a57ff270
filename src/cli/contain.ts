// `cordon plan`, `cordon contain`, `cordon restore`, `cordon prepare`.

import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { addAwsOptions, clientsFrom, instanceIdsArg, outputOf, type CommonOptions } from './common.js';
import { printJson } from './output.js';
import { confirmOrRefuse } from './prompt.js';
import { progressPrinter, renderContainResult, renderPlan, bold, green } from './render.js';
import { contain, planContainment, Aborted } from '../engine/contain.js';
import { restore } from '../engine/restore.js';
import { prepare } from '../engine/prepare.js';
import { CordonError, EXIT } from '../core/errors.js';
import { PLAN_VERSION, type Plan } from '../core/plan.js';
import { addLayerOptions, confirmBlastRadius, layerRequest, renderBlastRadius, type LayerFlags } from './layers.js';
import { addPlaybookOptions, playbookRequest, type PlaybookFlags } from './playbook-flags.js';

interface PlanCmdOptions extends CommonOptions, LayerFlags, PlaybookFlags {
  out?: string;
  conntrack: boolean;
}

/** The plan as text, with its blast radius (subnet-level layers) when it has one. */
function planText(plan: Plan, missing?: { step: string; action: string }[]): string {
  const blast = renderBlastRadius(plan);
  return renderPlan(plan, missing) + (blast ? `\n${blast}` : '');
}

function readPlanFile(path: string): Plan {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CordonError(
      'plan-unreadable',
      `cannot read plan file ${path}: ${(e as Error).message}`,
      EXIT.usage,
      'make one with `cordon plan <instance-id> --out plan.json`',
    );
  }
  let plan: Plan;
  try {
    plan = JSON.parse(raw) as Plan;
  } catch {
    throw new CordonError(
      'plan-unreadable',
      `plan file ${path} is not valid JSON`,
      EXIT.usage,
      'make a new one with `cordon plan <instance-id> --out plan.json`',
    );
  }
  if (plan?.version !== PLAN_VERSION || !Array.isArray(plan.changes) || !Array.isArray(plan.instances)) {
    throw new CordonError(
      'plan-unreadable',
      `plan file ${path} is not a cordon plan (version ${PLAN_VERSION})`,
      EXIT.usage,
      'make a new one with `cordon plan <instance-id> --out plan.json`',
    );
  }
  return plan;
}

export function registerContainment(program: Command): void {
  addAwsOptions(
    addPlaybookOptions(
      addLayerOptions(
        program
          .command('plan')
          .description(
            'read the facts and print every change containment would make, in order; runs EC2 DryRun for each mutating call; changes nothing',
          )
          .argument('<instance-ids...>')
          .option('--out <file>', 'save the plan as JSON (apply it with `cordon contain --plan`)')
          .option('--incident <id>', 'incident id (default: generated)')
          .option('--no-conntrack', "do not lower the ENIs' connection-tracking timeouts"),
        false,
      ),
    ),
  ).action(async (ids: string[], o: PlanCmdOptions) => {
    const format = outputOf(o);
    const layers = layerRequest(o);
    const playbook = playbookRequest(o);
    const clients = clientsFrom(o);
    try {
      const r = await planContainment({
        clients,
        instanceIds: instanceIdsArg(ids),
        incident: o.incident,
        lowerConntrack: o.conntrack,
        stateDir: o.stateDir,
        ...layers,
        playbook,
      });
      if (o.out) writeFileSync(o.out, JSON.stringify(r.plan, null, 2) + '\n');
      if (format === 'json')
        printJson({
          plan: r.plan,
          missingPermissions: r.missingPermissions,
          applyable: r.missingPermissions.length === 0,
        });
      else {
        process.stdout.write(planText(r.plan, r.missingPermissions) + '\n');
        if (o.out) process.stdout.write(`plan saved to ${o.out}\n`);
      }
      if (r.missingPermissions.length) process.exitCode = EXIT.permission;
    } finally {
      clients.destroy();
    }
  });

  addAwsOptions(
    addPlaybookOptions(
      addLayerOptions(
        program
          .command('contain')
          .description(
            'contain instances: swap every ENI to the all-open group then the empty group (kills tracked connections), tag, record originals, verify',
          )
          .argument('<instance-ids...>')
          .option('--plan <file>', 'apply a saved plan (refused if its facts changed)')
          .option('--incident <id>', 'incident id (default: generated, printed)')
          .option('--yes', 'do not ask for confirmation')
          .option('--no-conntrack', "do not lower the ENIs' connection-tracking timeouts")
          .option('--quiet', 'print only the result')
          .option('--verbose', 'also print every AWS call made, with its timing and outcome'),
        true,
      ),
    ),
  ).action(async (ids: string[], o: PlanCmdOptions & { plan?: string }) => {
    const format = outputOf(o);
    const saved = o.plan ? readPlanFile(o.plan) : undefined;
    // A saved plan carries its layers; the flags choose them for a new plan.
    const layers = saved ? {} : layerRequest(o);
    const playbook = saved ? undefined : playbookRequest(o);
    const instanceIds = instanceIdsArg(ids);
    if (saved) {
      const planned = saved.instances
        .map((i) => i.instanceId)
        .sort()
        .join(',');
      if (planned !== [...instanceIds].sort().join(','))
        throw new CordonError('plan-mismatch', `the plan is for ${planned}, not ${instanceIds.join(',')}`, EXIT.usage);
    }
    const clients = clientsFrom(o);
    try {
      const result = await contain({
        clients,
        instanceIds,
        incident: saved?.incident ?? o.incident,
        lowerConntrack: o.conntrack,
        stateDir: o.stateDir,
        plan: saved,
        ...layers,
        playbook,
        acceptBlastRadius: o.acceptBlastRadius,
        confirmBlastRadius,
        onEvent: format === 'json' ? undefined : progressPrinter(Boolean(o.quiet)),
        confirm: async (plan) => {
          if (format === 'text' && !o.quiet) process.stderr.write(planText(plan) + '\n');
          if (plan.changes.length === 0) return true;
          return confirmOrRefuse(`Contain ${plan.instances.map((i) => i.instanceId).join(', ')}?`, o.yes, 'contain');
        },
      });
      if (format === 'json') {
        printJson({
          incident: result.incident,
          region: result.region,
          journal: result.journal,
          evidence: result.evidence,
          roundTrips: result.roundTrips,
          isolatedAfterMs: result.isolatedAfterMs,
          instances: result.instances,
        });
      } else {
        if (o.verbose) {
          const t0 = result.calls[0]?.startedMs ?? 0;
          for (const c of result.calls)
            process.stderr.write(
              `  ${String(c.startedMs - t0).padStart(6)} → ${String(c.endedMs - t0).padStart(6)} ms  ${c.action}${c.ok ? '' : ` ${c.errorCode ?? 'error'}`}${c.requestId ? `  (request ${c.requestId})` : ''}\n`,
            );
        }
        process.stdout.write(renderContainResult(result) + '\n');
      }
      if (result.instances.some((i) => i.status === 'incomplete')) process.exitCode = EXIT.incomplete;
    } catch (e) {
      if (e instanceof Aborted) throw new CordonError('aborted', e.message, EXIT.aborted);
      throw e;
    } finally {
      clients.destroy();
    }
  });

  addAwsOptions(
    program
      .command('restore')
      .description(
        'put every ENI back on its original groups and connection-tracking settings, from the write-ahead record',
      )
      .argument('<instance-ids...>')
      .option('--yes', 'do not ask for confirmation')
      .option('--force', 'restore even if a resource drifted since containment')
      .option(
        '--remove-revocation',
        'also remove the session-revocation policy --revoke-sessions put on the role (kept by default)',
      ),
  ).action(async (ids: string[], o: CommonOptions & { force?: boolean; removeRevocation?: boolean }) => {
    const format = outputOf(o);
    const clients = clientsFrom(o);
    try {
      const r = await restore({
        clients,
        instanceIds: instanceIdsArg(ids),
        force: o.force,
        removeRevocation: o.removeRevocation,
        stateDir: o.stateDir,
        confirm: async (plan) => {
          if (format === 'text') {
            for (const i of plan.instances)
              for (const x of i.items)
                process.stderr.write(
                  `  ${x.summary}${x.source !== 'step' ? ` (from ${x.source})` : ''}${x.drift ? ` — DRIFT: ${x.drift}` : ''}\n`,
                );
          }
          return confirmOrRefuse(`Restore ${plan.instances.map((i) => i.instanceId).join(', ')}?`, o.yes, 'restore');
        },
      });
      if (format === 'json') printJson({ instances: r.instances });
      else
        for (const i of r.instances)
          process.stdout.write(
            `${bold(i.instanceId)}: ${green('RESTORED')} (incident ${i.incident})\n${i.restored.map((x) => `  ${x.summary}`).join('\n')}\n`,
          );
    } finally {
      clients.destroy();
    }
  });

  addAwsOptions(
    program
      .command('prepare')
      .description(
        'pre-create the two isolation groups in each VPC (step 1 all-open, step 2 empty) so containment is two swaps; idempotent',
      )
      .option('--vpc <vpc-id...>', 'VPCs to prepare')
      .option('--all-vpcs', 'prepare every VPC in the region'),
  ).action(async (o: CommonOptions & { vpc?: string[]; allVpcs?: boolean }) => {
    const format = outputOf(o);
    if (!o.vpc?.length && !o.allVpcs)
      throw new CordonError('usage', 'say which VPCs: --vpc <vpc-id>… or --all-vpcs', EXIT.usage);
    if (o.vpc?.length && o.allVpcs)
      throw new CordonError('usage', '--vpc and --all-vpcs exclude each other', EXIT.usage);
    const clients = clientsFrom(o);
    try {
      const r = await prepare(clients, o.allVpcs ? 'all' : o.vpc!);
      if (format === 'json') printJson(r);
      else
        for (const v of r.vpcs)
          process.stdout.write(
            `${v.vpcId}: step 1 ${v.open.groupId}${v.open.created ? ' (created)' : ''}, step 2 ${v.empty.groupId}${v.empty.created ? ' (created)' : ''}\n`,
          );
    } finally {
      clients.destroy();
    }
  });
}
