// Step: snapshot every attached EBS volume as one crash-consistent set (CreateSnapshots: one instant for all
// volumes — the seed's root-volume snapshot, extended), tagged with the incident and cordon:do-not-use. Runs after
// network isolation and never delays it. The answer goes into the evidence folder and the snapshots into its
// manifest; with --wait it waits (SDK waiter) until they are completed and records their final state.

import { createSnapshotSet, waitForSnapshots } from '../aws/evidence.js';
import type { StepDef } from './types.js';
import { evidenceFolder, messageOf, playbookOf } from './playbook-common.js';
import { EVIDENCE_STEP, artefactTags, markCaptured, planCapture } from './evidence-common.js';

const ID = 'evidence-snapshots';
const KIND = 'snapshots';

interface SnapshotPlan {
  volumes: string[];
  accountId?: string;
  wait: boolean;
  pollSeconds: number;
  timeoutSeconds: number;
}

export const evidenceSnapshots: StepDef = {
  ...EVIDENCE_STEP,
  id: ID,
  title: 'Snapshot every volume (one crash-consistent set)',
  permissions: ['ec2:CreateSnapshots', 'ec2:CreateTags', 'ec2:DescribeSnapshots'],
  plan(input) {
    const pb = playbookOf(input);
    return planCapture(
      ID,
      KIND,
      input,
      (i) => i.volumes.length > 0,
      (i): SnapshotPlan => ({
        volumes: i.volumes.map((v) => v.volumeId),
        accountId: i.accountId,
        wait: pb.wait,
        pollSeconds: pb.waitPollSeconds,
        timeoutSeconds: pb.waitTimeoutSeconds,
      }),
      (i) =>
        `${i.instanceId}: CreateSnapshots of ${i.volumes.map((v) => `${v.volumeId} (${v.deviceName})`).join(', ')} as one crash-consistent set, tagged do-not-use${pb.wait ? ', then wait for completion' : ''}`,
    );
  },
  async preflight(ctx, changes) {
    if (changes.length) await createSnapshotSet(ctx.gateway, changes[0]!.resource, 'cordon dry run', {}, true);
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map(async (c) => {
        const id = c.resource;
        const p = c.after as SnapshotPlan;
        const tags = artefactTags(ctx.incident, id);
        const r = (await createSnapshotSet(
          ctx.gateway,
          id,
          `cordon evidence ${ctx.incident}: ${id}, crash-consistent set`.slice(0, 255),
          tags,
        ))!;
        const folder = evidenceFolder(ctx, id, p.accountId);
        folder.addJson('snapshots.json', r.value.raw, {
          source: 'ec2:CreateSnapshots',
          requestId: r.requestId,
          time: r.time,
          description: 'CreateSnapshots answer (crash-consistent set of every attached volume)',
        });
        folder.putRemote(
          r.value.snapshots.map((s) => ({
            type: 'snapshot' as const,
            id: s.snapshotId,
            volumeId: s.volumeId,
            source: 'ec2:CreateSnapshots',
            requestId: r.requestId,
            time: r.time,
            state: s.state,
            stateAt: r.time,
            tags,
          })),
        );
        await markCaptured(ctx, id, KIND);
        if (!p.wait) return;
        const ids = r.value.snapshots.map((s) => s.snapshotId);
        ctx.progress?.(ID, id, `waiting for ${ids.length} snapshot(s) to complete: ${ids.join(', ')}`);
        try {
          const states = await waitForSnapshots(ctx.gateway, ids, {
            pollSeconds: p.pollSeconds,
            timeoutSeconds: p.timeoutSeconds,
          });
          folder.setRemoteStates(states, new Date().toISOString());
          ctx.progress?.(
            ID,
            id,
            `snapshots ${Object.entries(states)
              .map(([s, st]) => `${s} ${st}`)
              .join(', ')}`,
          );
        } catch (e) {
          ctx.warn(
            id,
            `stopped waiting for snapshots ${ids.join(', ')}: ${messageOf(e)} — they keep completing on AWS's side`,
          );
        }
      }),
    );
  },
};
