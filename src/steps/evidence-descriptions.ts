// Step: the instance, its network interfaces and its volumes as AWS describes them after isolation (raw JSON), and
// the facts cordon read before it changed anything, into the evidence folder with their SHA-256.

import { describeForEvidence } from '../aws/evidence.js';
import type { InstanceFacts } from '../core/facts.js';
import type { StepDef } from './types.js';
import { evidenceFolder } from './playbook-common.js';
import { EVIDENCE_STEP, markCaptured, planCapture } from './evidence-common.js';

const ID = 'evidence-descriptions';
const KIND = 'descriptions';

export const evidenceDescriptions: StepDef = {
  ...EVIDENCE_STEP,
  id: ID,
  title: 'Keep the instance, ENI and volume descriptions',
  permissions: ['ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVolumes', 'ec2:CreateTags'],
  plan(input) {
    return planCapture(
      ID,
      KIND,
      input,
      () => true,
      (i) => ({ factsBefore: i, planCreatedAt: input.now }),
      (i) =>
        `${i.instanceId}: save the instance, ENI and volume descriptions (after isolation) and the facts before it, as JSON`,
    );
  },
  async preflight() {
    // Describe calls only (ec2:Describe*): the plan's own reads already needed them.
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map(async (c) => {
        const id = c.resource;
        const { factsBefore, planCreatedAt } = c.after as { factsBefore: InstanceFacts; planCreatedAt: string };
        const d = await describeForEvidence(ctx.gateway, id);
        const folder = evidenceFolder(ctx, id, factsBefore.accountId);
        folder.addJson('facts-before.json', factsBefore, {
          source: 'cordon:describeTargets',
          time: planCreatedAt,
          description: 'what cordon read before changing anything (normalised)',
        });
        folder.addJson('instance.json', d.instance.value, {
          source: 'ec2:DescribeInstances',
          requestId: d.instance.requestId,
          time: d.instance.time,
        });
        folder.addJson('network-interfaces.json', d.networkInterfaces.value, {
          source: 'ec2:DescribeNetworkInterfaces',
          requestId: d.networkInterfaces.requestId,
          time: d.networkInterfaces.time,
        });
        folder.addJson('volumes.json', d.volumes.value, {
          source: 'ec2:DescribeVolumes',
          requestId: d.volumes.requestId,
          time: d.volumes.time,
        });
        await markCaptured(ctx, id, KIND);
      }),
    );
  },
};
