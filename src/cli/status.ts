// `cordon status <instance-id>…`

import type { Command } from 'commander';
import { addAwsOptions, clientsFrom, instanceIdsArg, outputOf, type CommonOptions } from './common.js';
import { printJson } from './output.js';
import { bold } from './render.js';
import { status } from '../engine/status.js';

export function registerStatus(program: Command): void {
  addAwsOptions(
    program
      .command('status')
      .description("read cordon's tags: is the instance contained, since when, by which incident, which layers")
      .argument('<instance-ids...>'),
  ).action(async (ids: string[], o: CommonOptions) => {
    const format = outputOf(o);
    const clients = clientsFrom(o);
    try {
      const r = await status(clients, instanceIdsArg(ids));
      if (format === 'json') printJson({ instances: r });
      else
        for (const s of r)
          process.stdout.write(
            `${bold(s.instanceId)} (${s.state}): ${s.summary}\n${s.enis.map((e) => `  ${e.networkInterfaceId}: ${e.groups.join(', ')}${e.onIsolationGroup === 'empty' ? ' (isolated)' : ''}`).join('\n')}\n`,
          );
    } finally {
      clients.destroy();
    }
  });
}
