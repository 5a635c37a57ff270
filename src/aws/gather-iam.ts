// Gatherer: each instance's IAM instance profile association (DescribeIamInstanceProfileAssociations, keyed by
// instance id: the first round trip). Complete reads (`cordon plan`, restore) also name the profile's role
// (GetInstanceProfile), which the session revocation needs; containment reads it at apply time instead.

import type { Gatherer } from './gatherers.js';
import { readAssociations } from './instance.js';
import { roleOfProfile } from './iam.js';
import { awsErrorCode } from './clients.js';
import { resolvePlaybook, PB_TAG, decodeRecord } from '../core/playbook.js';
import { EXTRA, profileNameOf, type IamFacts } from '../core/playbook-facts.js';
import { joinTagValue } from '../core/tags.js';

function why(e: unknown): string {
  return `${awsErrorCode(e) ?? 'error'}: ${(e as Error).message}`;
}

export const iamGatherer: Gatherer = {
  id: EXTRA.iam,
  permissions: () => ['ec2:DescribeIamInstanceProfileAssociations', 'iam:GetInstanceProfile'],
  async gather(clients, ids, instancesP, options) {
    const pb = resolvePlaybook(options.playbook);
    if (!options.complete && options.playbook && !pb.disassociateProfile && !pb.revokeSessions) return {};
    const out: Record<string, IamFacts> = {};
    let assoc: Awaited<ReturnType<typeof readAssociations>>;
    try {
      assoc = await readAssociations(clients, ids);
    } catch (e) {
      for (const id of ids) out[id] = { error: `cannot read the instance profile association: ${why(e)}` };
      return out;
    }
    for (const id of ids) out[id] = { association: assoc[id] };
    if (!options.complete) return out;
    // The role: of the current profile, or (restore) of the profile cordon took away, from its record tag.
    const instances = await instancesP.catch(() => []);
    await Promise.all(
      ids.map(async (id) => {
        const tags = instances.find((i) => i.instanceId === id)?.tags ?? {};
        const arn = assoc[id]?.profileArn ?? decodeRecord(joinTagValue(tags, PB_TAG.profile))?.arn;
        if (!arn) return;
        try {
          out[id]!.roleName = await roleOfProfile(clients, profileNameOf(arn));
        } catch (e) {
          out[id]!.error = `cannot read instance profile ${profileNameOf(arn)}: ${why(e)}`;
        }
      }),
    );
    return out;
  },
};
