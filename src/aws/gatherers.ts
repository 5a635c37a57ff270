// Extra fact gatherers: reads that some steps need beyond the instances and their ENIs. describeTargets starts
// every gatherer at once with the base describe calls, so a gatherer that needs only instance ids adds no round
// trip; one that needs the instances' details awaits them. Results land in InstanceFacts.extras[gatherer.id].

import type { AwsClients } from './clients.js';
import type { InstanceFacts } from '../core/facts.js';

export interface GatherOptions {
  /** Containment layers chosen (sg, nacl, route, igw): gatherers for unused layers can skip their reads. */
  layers?: string[];
}

export interface Gatherer {
  id: string;
  /** Returns facts per instance id. `instances` resolves once the base DescribeInstances has answered. */
  gather(clients: AwsClients, instanceIds: string[], instances: Promise<InstanceFacts[]>, options: GatherOptions): Promise<Record<string, unknown>>;
}

/** Registered gatherers (an explicit list; each lives in its own file). */
export const GATHERERS: Gatherer[] = [];
