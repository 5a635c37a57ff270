// Extra fact gatherers: reads that some steps need beyond the instances and their ENIs. describeTargets starts
// every gatherer at once with the base describe calls, so a gatherer that needs only instance ids adds no round
// trip; one that needs the instances' details awaits them. Results land in InstanceFacts.extras[gatherer.id].

import type { AwsClients } from './clients.js';
import type { InstanceFacts } from '../core/facts.js';
import type { PlaybookOptions } from '../core/playbook.js';
import { subnetLayersGatherer } from './subnet-layers.js';
import { asgGatherer } from './gather-asg.js';
import { elbGatherer } from './gather-elb.js';
import { iamGatherer } from './gather-iam.js';
import { instanceAttributesGatherer } from './gather-instance-attributes.js';

export interface GatherOptions {
  /** Containment layers chosen (sg, nacl, route, igw): gatherers for unused layers can skip their reads. */
  layers?: string[];
  /** NACL layer mode (top changes a NACL other subnets may share: their ENIs are read for the blast radius). */
  naclMode?: string;
  /**
   * Read everything a plan can show, even reads that cost extra round trips (`cordon plan`, restore). Containment's
   * fast path leaves those to apply time, off the critical path.
   */
  complete?: boolean;
  /** The playbook chosen (default when absent): gatherers skip reads for steps that are switched off. */
  playbook?: PlaybookOptions;
  /** Run only these gatherers (by id); default: all. */
  only?: string[];
  /**
   * Restore: the Auto Scaling group each instance was taken out of, from the local journal — for when the record
   * tag never reached the instance (the group must still be read).
   */
  asgGroupOf?: Record<string, string>;
}

export interface Gatherer {
  id: string;
  /** The read actions this gatherer may call for these options (the source of `cordon iam-policy`). */
  permissions(options: GatherOptions): string[];
  /** Returns facts per instance id. `instances` resolves once the base DescribeInstances has answered. */
  gather(
    clients: AwsClients,
    instanceIds: string[],
    instances: Promise<InstanceFacts[]>,
    options: GatherOptions,
  ): Promise<Record<string, unknown>>;
}

/** Registered gatherers (an explicit list; each lives in its own file). */
export const GATHERERS: Gatherer[] = [
  subnetLayersGatherer,
  asgGatherer,
  elbGatherer,
  iamGatherer,
  instanceAttributesGatherer,
];
