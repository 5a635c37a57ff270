// Step: an AMI of the instance with NoReboot=true (a reboot would destroy memory and volatile evidence; the image is
// crash-consistent, not file-system consistent — aws-api-semantics.md §3.5), its snapshots and itself tagged with the
// incident and cordon:do-not-use. After network isolation, never delaying it. `--no-image` skips it (it snapshots
// every volume a second time).

import { createImage, waitForImage } from '../aws/evidence.js';
import type { StepDef } from './types.js';
import { evidenceFolder, messageOf, playbookOf } from './playbook-common.js';
import { EVIDENCE_STEP, artefactTags, markCaptured, planCapture } from './evidence-common.js';

const ID = 'evidence-image';
const KIND = 'image';

interface ImagePlan {
  name: string;
  accountId?: string;
  wait: boolean;
  pollSeconds: number;
  timeoutSeconds: number;
}

/** AMI names: 3–128 characters of letters, digits and ()[] ./-'@_ (the incident id is already that). */
export function imageName(incident: string, instanceId: string): string {
  return `cordon-${incident.slice(0, 128 - 8 - instanceId.length - 1)}-${instanceId}`;
}

export const evidenceImage: StepDef = {
  ...EVIDENCE_STEP,
  id: ID,
  title: 'Create an AMI without rebooting',
  permissions: ['ec2:CreateImage', 'ec2:CreateTags', 'ec2:DescribeImages'],
  enabled: (o) => playbookOf(o).evidence && playbookOf(o).image,
  plan(input) {
    const pb = playbookOf(input);
    if (!pb.image) return [];
    return planCapture(
      ID,
      KIND,
      input,
      (i) => i.volumes.length > 0,
      (i): ImagePlan => ({
        name: imageName(input.options.incident, i.instanceId),
        accountId: i.accountId,
        wait: pb.wait,
        pollSeconds: pb.waitPollSeconds,
        timeoutSeconds: pb.waitTimeoutSeconds,
      }),
      (i) =>
        `${i.instanceId}: CreateImage ${imageName(input.options.incident, i.instanceId)} with NoReboot (no reboot: memory is kept), tagged do-not-use${pb.wait ? ', then wait until available' : ''}`,
    );
  },
  async preflight(ctx, changes) {
    if (changes.length)
      await createImage(
        ctx.gateway,
        changes[0]!.resource,
        (changes[0]!.after as ImagePlan).name,
        'cordon dry run',
        {},
        true,
      );
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map(async (c) => {
        const id = c.resource;
        const p = c.after as ImagePlan;
        const tags = artefactTags(ctx.incident, id);
        const r = (await createImage(
          ctx.gateway,
          id,
          p.name,
          `cordon evidence ${ctx.incident}: ${id} (NoReboot)`.slice(0, 255),
          tags,
        ))!;
        const folder = evidenceFolder(ctx, id, p.accountId);
        folder.addJson(
          'image.json',
          { imageId: r.value, name: p.name, sourceInstanceId: id, noReboot: true },
          {
            source: 'ec2:CreateImage',
            requestId: r.requestId,
            time: r.time,
            description: 'the AMI created without reboot',
          },
        );
        folder.putRemote([
          {
            type: 'image',
            id: r.value,
            name: p.name,
            source: 'ec2:CreateImage',
            requestId: r.requestId,
            time: r.time,
            state: 'pending',
            stateAt: r.time,
            tags,
          },
        ]);
        await markCaptured(ctx, id, KIND);
        if (!p.wait) return;
        ctx.progress?.(ID, id, `waiting for AMI ${r.value} to become available`);
        try {
          const state = await waitForImage(ctx.gateway, r.value, {
            pollSeconds: p.pollSeconds,
            timeoutSeconds: p.timeoutSeconds,
          });
          folder.setRemoteStates({ [r.value]: state }, new Date().toISOString());
          ctx.progress?.(ID, id, `AMI ${r.value} ${state}`);
        } catch (e) {
          ctx.warn(id, `stopped waiting for AMI ${r.value}: ${messageOf(e)} — it keeps completing on AWS's side`);
        }
      }),
    );
  },
};
