// Step: turn the instance metadata service off (ModifyInstanceMetadataOptions HttpEndpoint=disabled), so nothing on
// the instance can read role credentials, user data or instance identity from it. It does not revoke credentials
// already fetched (iam-revoke-sessions does). The original setting is recorded and restored.

import { PB_TAG } from '../core/playbook.js';
import { setMetadataEndpoint } from '../aws/instance.js';
import type { Change } from '../core/plan.js';
import type { StepDef } from './types.js';
import { instanceChange, playbookOf, recordKeys, recordTag, restoreItem, writeRecordTag } from './playbook-common.js';

const ID = 'imds-disable';

export const imdsDisable: StepDef = {
  id: ID,
  title: 'Disable the instance metadata service',
  layer: 'audit',
  critical: false,
  permissions: ['ec2:ModifyInstanceMetadataOptions', 'ec2:CreateTags', 'ec2:DeleteTags'],
  dependsOn: [],
  // Not on the critical path: it waits until the security-group isolation has finished (ok or not).
  after: ['isolate-security-groups'],
  enabled: (o) => playbookOf(o).disableImds,
  plan(input) {
    if (!playbookOf(input).disableImds) return [];
    const changes: Change[] = [];
    for (const inst of input.instances) {
      if (inst.metadataHttpEndpoint !== 'enabled') continue;
      changes.push(
        instanceChange(
          ID,
          inst,
          'metadata-http-endpoint',
          'enabled',
          'disabled',
          `${inst.instanceId}: metadata service (IMDS) HttpEndpoint enabled → disabled`,
        ),
      );
    }
    return changes;
  },
  async preflight(ctx, changes) {
    if (changes.length) await setMetadataEndpoint(ctx.gateway, changes[0]!.resource, 'disabled', true);
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map((c) =>
        Promise.all([
          writeRecordTag(ctx, c.resource, PB_TAG.imds, String(c.before)),
          setMetadataEndpoint(ctx.gateway, c.resource, 'disabled'),
        ]),
      ),
    );
  },
  restoreOrder: 60,
  planRestore(input) {
    const inst = input.instance;
    const picked = input.pick(
      inst.instanceId,
      'metadata-http-endpoint',
      recordTag(inst, PB_TAG.imds),
      input.journalOriginal(inst.instanceId, 'metadata-http-endpoint') as string | undefined,
    );
    const original = picked?.value;
    if (original !== 'enabled' && original !== 'disabled') return [];
    const keys = recordKeys(inst, PB_TAG.imds);
    if (inst.metadataHttpEndpoint === original && keys.length === 0) return [];
    return [
      restoreItem(
        ID,
        input,
        'metadata-http-endpoint',
        inst.metadataHttpEndpoint,
        { value: original, set: inst.metadataHttpEndpoint !== original, tagKeys: keys },
        picked!.source,
        `${inst.instanceId}: metadata service HttpEndpoint ${inst.metadataHttpEndpoint} → ${original}`,
      ),
    ];
  },
  async applyRestore(ctx, items) {
    await Promise.all(
      items.map(async (i) => {
        const o = i.original as { value: 'enabled' | 'disabled'; set: boolean; tagKeys: string[] };
        if (o.set) await setMetadataEndpoint(ctx.gateway, i.resource, o.value);
        await ctx.gateway.deleteTags([i.resource], o.tagKeys);
      }),
    );
  },
};
