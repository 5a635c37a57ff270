// `cordon status <targets>…`

import type { Command } from 'commander';
import { addAwsOptions, outputOf, type CommonOptions } from './common.js';
import { printJson } from './output.js';
import { bold } from './render.js';
import { addTargetOptions, destroyWorkers, workersFrom, type TargetFlags } from './targets.js';

export function registerStatus(program: Command): void {
  addAwsOptions(
    addTargetOptions(
      program
        .command('status')
        .description("read cordon's tags: is the instance contained, since when, by which incident, which layers")
        .argument('[targets...]', 'instance ids, or instance ARNs (any account and region)'),
    ),
  ).action(async (args: string[], o: CommonOptions & TargetFlags) => {
    const format = outputOf(o);
    const { status } = await import('../engine/status.js');
    const workers = await workersFrom(args, o);
    try {
      const per = await Promise.all(
        workers.map(async (w) =>
          (await status(w.clients, w.instanceIds)).map((s) => ({ ...s, region: w.region, accountId: w.accountId })),
        ),
      );
      const r = per.flat();
      if (format === 'json') printJson({ instances: r });
      else
        for (const s of r)
          process.stdout.write(
            `${bold(s.instanceId)} (${s.state}${workers.length > 1 ? `, ${s.accountId ?? 'own account'} ${s.region}` : ''}): ${s.summary}\n${s.enis.map((e) => `  ${e.networkInterfaceId}: ${e.groups.join(', ')}${e.onIsolationGroup === 'empty' ? ' (isolated)' : e.onIsolationGroup === 'open' ? ' (ALL-OPEN step-1 group!)' : e.onIsolationGroup === 'tampered' ? ' (TAMPERED isolation group: not contained)' : ''}`).join('\n')}\n`,
          );
    } finally {
      destroyWorkers(workers);
    }
  });
}
