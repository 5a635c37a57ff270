// Gatherer: the instance attributes evidence preservation changes — termination protection and shutdown
// behaviour (DescribeInstanceAttribute, one attribute per call, all in parallel). Only for complete reads (`cordon
// plan`, restore): EC2 has no batch read for them, so a fleet's containment reads them in the preservation steps,
// at apply time and off the critical path. The volumes' DeleteOnTermination comes with DescribeInstances.

import type { Gatherer } from './gatherers.js';
import { readAttribute } from './instance.js';
import { awsErrorCode } from './clients.js';
import { resolvePlaybook } from '../core/playbook.js';
import { EXTRA, type AttributeFacts } from '../core/playbook-facts.js';

export const instanceAttributesGatherer: Gatherer = {
  id: EXTRA.attributes,
  permissions: (o) => (o.playbook?.preserve === false ? [] : ['ec2:DescribeInstanceAttribute']),
  async gather(clients, ids, _instances, options) {
    if (!options.complete || (options.playbook && !resolvePlaybook(options.playbook).preserve)) return {};
    const out: Record<string, AttributeFacts> = {};
    await Promise.all(
      ids.map(async (id) => {
        try {
          const [t, s] = await Promise.all([
            readAttribute(clients, id, 'disableApiTermination'),
            readAttribute(clients, id, 'instanceInitiatedShutdownBehavior'),
          ]);
          out[id] = { disableApiTermination: t.bool ?? false, shutdownBehavior: s.value };
        } catch (e) {
          // A bad id is explained by the base DescribeInstances; here it only leaves the attributes unknown.
          out[id] = {
            error: `cannot read instance attributes: ${awsErrorCode(e) ?? 'error'}: ${(e as Error).message}`,
          };
        }
      }),
    );
    return out;
  },
};
