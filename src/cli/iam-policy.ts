// `cordon iam-policy [containment flags]`: prints the least-privilege IAM policy for those options.

import type { Command } from 'commander';
import { addLayerOptions, layerRequest, type LayerFlags } from './layers.js';
import { addPlaybookOptions, playbookRequest, type PlaybookFlags } from './playbook-flags.js';

export function registerIamPolicy(program: Command): void {
  addPlaybookOptions(
    addLayerOptions(
      program
        .command('iam-policy')
        .description(
          "print the least-privilege IAM policy cordon needs for these containment options (derived from the steps' declared permissions)",
        )
        .option('--no-conntrack', 'without lowering connection-tracking timeouts'),
      false,
    ),
  ).action(async (o: LayerFlags & PlaybookFlags & { conntrack: boolean }) => {
    const layers = layerRequest(o);
    const { leastPrivilegePolicy } = await import('../engine/iam-policy.js');
    const policy = leastPrivilegePolicy({
      options: { incident: 'policy', lowerConntrack: o.conntrack, playbook: playbookRequest(o) as never, ...layers },
    });
    process.stdout.write(`${JSON.stringify(policy, null, 2)}\n`);
  });
}
