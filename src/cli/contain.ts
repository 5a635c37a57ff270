// `cordon plan`, `cordon contain`, `cordon restore`, `cordon prepare`. The engine (and with it the AWS SDK) is
// imported when a command runs, not when the command line is parsed (`cordon --help` stays fast).

import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { addAwsOptions, clientsFrom, outputOf, stateFrom, type CommonOptions } from './common.js';
import { printJson } from './output.js';
import { confirmOrRefuse } from './prompt.js';
import { renderContainResult, renderPlan, bold, green, red, yellow } from './render.js';
import { parseDuration } from '../core/targets.js';
import { addTargetOptions, destroyWorkers, workersFrom, type TargetFlags } from './targets.js';
import { indicatorLine, renderFleetResult, renderPlans, restoreLines } from './render-fleet.js';
import { containDocument, planDocument } from '../engine/documents.js';
import { CordonError, EXIT } from '../core/errors.js';
import { checkIncidentId } from '../core/incident-id.js';
import { PLAN_VERSION, type Plan } from '../core/plan.js';
import { addLayerOptions, confirmBlastRadius, layerRequest, renderBlastRadius, type LayerFlags } from './layers.js';
import { addPlaybookOptions, playbookRequest, type PlaybookFlags } from './playbook-flags.js';

interface PlanCmdOptions extends CommonOptions, LayerFlags, PlaybookFlags, TargetFlags {
  out?: string;
  conntrack: boolean;
  deadline?: string;
}

/** The plan as text, with its blast radius (subnet-level layers) when it has one. */
function planText(plan: Plan, missing?: { step: string; action: string }[]): string {
  const blast = renderBlastRadius(plan);
  return renderPlan(plan, missing) + (blast ? `\n${blast}` : '');
}

/** Up to this many instances a plan or result is shown change by change; past it, as a summary. */
const FULL_PLAN_MAX = 10;

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
    addTargetOptions(
      addPlaybookOptions(
        addLayerOptions(
          program
            .command('plan')
            .description(
              'read the facts and print every change containment would make, in order; runs EC2 DryRun for each mutating call; changes nothing',
            )
            .argument('[targets...]', 'instance ids, or instance ARNs (any account and region)')
            .option('--out <file>', 'save the plan as JSON (apply it with `cordon contain --plan`)')
            .option('--incident <id>', 'incident id (default: generated)')
            .option('--no-conntrack', "do not lower the ENIs' connection-tracking timeouts"),
          false,
        ),
      ),
    ),
  ).action(async (args: string[], o: PlanCmdOptions) => {
    const format = outputOf(o);
    const layers = layerRequest(o);
    const playbook = playbookRequest(o);
    const { planContainment } = await import('../engine/contain.js');
    const workers = await workersFrom(args, o);
    const state = await stateFrom(o);
    try {
      if (o.out && workers.length > 1)
        throw new CordonError(
          'usage',
          `--out saves one plan, for one account and region; these targets span ${workers.length}`,
          EXIT.usage,
          'plan each account and region on its own (ids with --region), or contain without a saved plan',
        );
      const outcomes = await Promise.all(
        workers.map((w) =>
          planContainment({
            clients: w.clients,
            instanceIds: w.instanceIds,
            incident: incidentOption(o.incident),
            lowerConntrack: o.conntrack,
            ...state,
            ...layers,
            playbook,
          }),
        ),
      );
      const missing = outcomes.flatMap((r) => r.missingPermissions);
      if (o.out) writeFileSync(o.out, JSON.stringify(outcomes[0]!.plan, null, 2) + '\n');
      if (format === 'json') printJson(planDocument(outcomes));
      else {
        process.stdout.write(
          (outcomes.length === 1 && outcomes[0]!.plan.instances.length <= FULL_PLAN_MAX
            ? planText(outcomes[0]!.plan, missing)
            : renderPlans(
                outcomes.map((r) => r.plan),
                missing,
              )) + '\n',
        );
        if (o.out) process.stdout.write(`plan saved to ${o.out}\n`);
      }
      if (missing.length) process.exitCode = EXIT.permission;
    } finally {
      state.stateStore?.destroy();
      destroyWorkers(workers);
    }
  });

  addAwsOptions(
    addTargetOptions(
      addPlaybookOptions(
        addLayerOptions(
          program
            .command('contain')
            .description(
              'contain instances: swap every ENI to the all-open group then the empty group (kills tracked connections), tag, record originals, verify',
            )
            .argument('[targets...]', 'instance ids, or instance ARNs (any account and region)')
            .option('--plan <file>', 'apply a saved plan (refused if its facts changed)')
            .option('--incident <id>', 'incident id (default: generated, printed)')
            .option('--yes', 'do not ask for confirmation')
            .option('--no-conntrack', "do not lower the ENIs' connection-tracking timeouts")
            .option(
              '--deadline <duration>',
              "stop sending calls the account's request rate holds back after this long, e.g. 10m (default: from the fleet's size)",
            )
            .option('--quiet', 'print only the result')
            .option('--verbose', 'also print every AWS call made, with its timing and outcome'),
          true,
        ),
      ),
    ),
  ).action(async (args: string[], o: PlanCmdOptions & { plan?: string }) => {
    const format = outputOf(o);
    const saved = o.plan ? readPlanFile(o.plan) : undefined;
    // A saved plan carries its layers; the flags choose them for a new plan.
    const layers = saved ? {} : layerRequest(o);
    const playbook = saved ? undefined : playbookRequest(o);
    const deadlineMs = o.deadline === undefined ? undefined : parseDuration(o.deadline, '--deadline');
    const [{ Aborted }, { containFleet }, { progressFor }] = await Promise.all([
      import('../engine/contain.js'),
      import('../engine/fleet.js'),
      import('./progress.js'),
    ]);
    const workers = await workersFrom(
      saved && args.length === 0 && !o.targets ? saved.instances.map((i) => i.instanceId) : args,
      o,
    );
    const state = await stateFrom(o);
    try {
      if (saved) {
        const named = workers
          .flatMap((w) => w.instanceIds)
          .sort()
          .join(',');
        const planned = saved.instances
          .map((i) => i.instanceId)
          .sort()
          .join(',');
        if (workers.length > 1 || planned !== named)
          throw new CordonError('plan-mismatch', `the plan is for ${planned}, not ${named}`, EXIT.usage);
      }
      const progress = format === 'json' ? undefined : progressFor(workers, Boolean(o.quiet));
      const result = await containFleet(workers, {
        incident: saved?.incident ?? incidentOption(o.incident),
        lowerConntrack: o.conntrack,
        ...state,
        plan: saved,
        ...layers,
        playbook,
        deadlineMs,
        acceptBlastRadius: o.acceptBlastRadius,
        confirmBlastRadius,
        onEvent: progress?.onEvent,
        confirm: async (plans) => {
          const changes = plans.reduce((a, p) => a + p.changes.length, 0);
          if (format === 'text' && !o.quiet) {
            const instances = plans.reduce((a, p) => a + p.instances.length, 0);
            process.stderr.write(
              (plans.length === 1 && instances <= FULL_PLAN_MAX ? planText(plans[0]!) : renderPlans(plans)) + '\n',
            );
          }
          if (changes === 0) return true;
          const ids = plans.flatMap((p) => p.instances.map((i) => i.instanceId));
          const ok = await confirmOrRefuse(
            `Contain ${ids.length <= 5 ? ids.join(', ') : `${ids.length} instances`}?`,
            o.yes,
            'contain',
          );
          if (ok) progress?.start();
          return ok;
        },
      }).finally(() => progress?.stop());
      if (format === 'json') printJson(containDocument(result));
      else {
        if (o.verbose) {
          const calls = result.workers.flatMap((w) => w.result?.calls ?? []).sort((a, b) => a.startedMs - b.startedMs);
          const t0 = calls[0]?.startedMs ?? 0;
          for (const c of calls)
            process.stderr.write(
              `  ${String(c.startedMs - t0).padStart(6)} → ${String(c.endedMs - t0).padStart(6)} ms  ${c.action}${c.ok ? '' : ` ${c.errorCode ?? 'error'}`}${c.waitedMs > 0 ? `  (waited ${c.waitedMs} ms for the rate limit)` : ''}${c.requestId ? `  (request ${c.requestId})` : ''}\n`,
            );
        }
        process.stdout.write(
          (result.workers.length === 1 && result.instances.length <= FULL_PLAN_MAX
            ? renderContainResult(result.workers[0]!.result!)
            : renderFleetResult(result)) + '\n',
        );
      }
      if (result.instances.some((i) => i.status === 'incomplete')) process.exitCode = EXIT.incomplete;
    } catch (e) {
      if (e instanceof Aborted) throw new CordonError('aborted', e.message, EXIT.aborted);
      throw e;
    } finally {
      state.stateStore?.destroy();
      destroyWorkers(workers);
    }
  });

  addAwsOptions(
    addTargetOptions(
      program
        .command('restore')
        .description(
          'put every ENI back on its original groups and connection-tracking settings, from the write-ahead record',
        )
        .argument('[targets...]', 'instance ids, or instance ARNs (any account and region)')
        .option('--yes', 'do not ask for confirmation')
        .option('--force', 'restore even if a resource drifted since containment')
        .option(
          '--remove-revocation',
          'also remove the session-revocation policy --revoke-sessions put on the role (kept by default)',
        )
        .option(
          '--trust <journal|tags>',
          "when a resource's record tags and the local journal disagree about an original (restore refuses), use this one",
        ),
    ),
  ).action(
    async (
      args: string[],
      o: CommonOptions & TargetFlags & { force?: boolean; removeRevocation?: boolean; trust?: string },
    ) => {
      if (o.trust !== undefined && o.trust !== 'journal' && o.trust !== 'tags')
        throw new CordonError(
          'usage',
          `--trust "${o.trust}": give journal or tags`,
          EXIT.usage,
          'see `cordon restore --help`',
        );
      const format = outputOf(o);
      const { restoreFleet } = await import('../engine/fleet.js');
      const workers = await workersFrom(args, o);
      const state = await stateFrom(o);
      try {
        const r = await restoreFleet(workers, {
          trust: o.trust as 'journal' | 'tags' | undefined,
          force: o.force,
          removeRevocation: o.removeRevocation,
          ...state,
          confirm: async (plans) => {
            if (format === 'text') {
              process.stderr.write(restoreLines(plans));
              for (const w of new Set(plans.flatMap((p) => p.warnings))) process.stderr.write(yellow(`  ! ${w}\n`));
            }
            const ids = plans.flatMap((p) => p.instances.map((i) => i.instanceId));
            return confirmOrRefuse(
              `Restore ${ids.length <= 5 ? ids.join(', ') : `${ids.length} instances`}?`,
              o.yes,
              'restore',
            );
          },
        });
        if (format === 'json') printJson({ instances: r.instances });
        else
          for (const i of r.instances)
            process.stdout.write(
              i.status === 'restored'
                ? `${bold(i.instanceId)}: ${green('RESTORED')} (incident ${i.incident})\n${i.restored.map((x) => `  ${x.summary}`).join('\n')}\n`
                : `${bold(i.instanceId)}: ${red('RESTORE FAILED')} at ${i.error!.stepId}: ${i.error!.message} (incident ${i.incident}) — rerun \`cordon restore\` to finish it\n${i.restored.map((x) => `  ${x.summary}`).join('\n')}\n`,
            );
        if (r.instances.some((i) => i.status === 'failed')) process.exitCode = EXIT.incomplete;
      } finally {
        state.stateStore?.destroy();
        destroyWorkers(workers);
      }
    },
  );

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
    const { prepare } = await import('../engine/prepare.js');
    const clients = await clientsFrom(o);
    try {
      const r = await prepare(clients, o.allVpcs ? 'all' : o.vpc!);
      if (format === 'json') printJson(r);
      else {
        for (const v of r.vpcs)
          process.stdout.write(
            `${v.vpcId}: step 1 ${v.open.groupId}${v.open.created ? ' (created)' : ''}, step 2 ${v.empty.groupId}${v.empty.created ? ' (created)' : ''}\n`,
          );
        for (const t of r.tampered) process.stdout.write(red(`${indicatorLine(t)}\n`));
      }
    } finally {
      clients.destroy();
    }
  });
}

/** `--incident`: checked before anything is read or asked (it names the journal file). */
function incidentOption(v: string | undefined): string | undefined {
  if (v !== undefined) checkIncidentId(v);
  return v;
}
