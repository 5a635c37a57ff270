// `cordon iam-policy [containment flags]`: prints the least-privilege IAM policy for those options.

import type { Command } from 'commander';
import { parseOutput } from './output.js';
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
        .option('--no-conntrack', 'without lowering connection-tracking timeouts')
        .option('--output <format>', 'text or json (the policy document is JSON either way)', 'text'),
      false,
    ),
  ).action(async (o: LayerFlags & PlaybookFlags & { conntrack: boolean; output: string }) => {
    parseOutput(o.output);
    const layers = layerRequest(o);
    const { leastPrivilegePolicy } = await import('../engine/iam-policy.js');
    const policy = leastPrivilegePolicy({
      options: { incident: 'policy', lowerConntrack: o.conntrack, playbook: playbookRequest(o) as never, ...layers },
    });
    process.stdout.write(`${JSON.stringify(policy, null, 2)}\n`);
  });
}
