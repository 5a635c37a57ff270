// `cordon status <targets>…`

import type { Command } from 'commander';
import { addAwsOptions, outputOf, stateFrom, type CommonOptions } from './common.js';
import { printJson } from './output.js';
import { bold, yellow } from './render.js';
import { addTargetOptions, destroyWorkers, workersFrom, type TargetFlags } from './targets.js';

export function registerStatus(program: Command): void {
  addAwsOptions(
    addTargetOptions(
      program
        .command('status')
        .description(
          "read cordon's tags: is the instance contained, since when, by which incident, which layers — cross-checked with the incident's journal",
        )
        .argument('[targets...]', 'instance ids, or instance ARNs (any account and region)'),
    ),
  ).action(async (args: string[], o: CommonOptions & TargetFlags) => {
    const format = outputOf(o);
    const { status } = await import('../engine/status.js');
    const state = await stateFrom(o);
    let workers: Awaited<ReturnType<typeof workersFrom>> = [];
    try {
      workers = await workersFrom(args, o);
      const read = async (stateDir: string) =>
        (
          await Promise.all(
            workers.map(async (w) =>
              (await status(w.clients, w.instanceIds, stateDir)).map((s) => ({
                ...s,
                region: w.region,
                accountId: w.accountId,
              })),
            ),
          )
        ).flat();
      // The journals the tags are checked against: the state dir's, or every incident's from the S3 store (the S3
      // client is loaded only then).
      const { defaultStateDir } = await import('../engine/journal.js');
      const r = state.stateStore
        ? await (
            await import('../engine/state-store.js')
          ).withState({ clients: workers[0]!.clients, ...state }, 'all', read)
        : await read(state.stateDir ?? defaultStateDir());
      if (format === 'json') printJson({ instances: r });
      else
        for (const s of r)
          process.stdout.write(
            `${bold(s.instanceId)} (${s.state}${workers.length > 1 ? `, ${s.accountId ?? 'own account'} ${s.region}` : ''}): ${s.summary}\n${s.enis.map((e) => `  ${e.networkInterfaceId}: ${e.groups.join(', ')}${e.onIsolationGroup === 'empty' ? ' (isolated)' : e.onIsolationGroup === 'open' ? ' (ALL-OPEN step-1 group!)' : e.onIsolationGroup === 'tampered' ? ' (TAMPERED isolation group: not contained)' : ''}`).join('\n')}\n${s.warnings.map((w) => yellow(`  ! ${w}\n`)).join('')}`,
          );
    } finally {
      state.stateStore?.destroy();
      destroyWorkers(workers);
    }
  });
}
