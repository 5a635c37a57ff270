// Gatherer: load balancer registrations (ELBv2 target groups of type instance, classic load balancers). Finding
// them takes two sequential reads, so only complete reads (`cordon plan`, restore) do it here; containment's fast
// path leaves it to the elb-deregister step at apply time, off the critical path.

import type { Gatherer } from './gatherers.js';
import { discoverRegistrations } from './elb.js';
import { awsErrorCode } from './clients.js';
import { EXTRA, type ElbFacts } from '../core/playbook-facts.js';

export const elbGatherer: Gatherer = {
  id: EXTRA.elb,
  permissions: (o) =>
    o.playbook?.elb === false
      ? []
      : [
          'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTargetHealth',
          'elasticloadbalancing:DescribeLoadBalancers',
        ],
  async gather(clients, ids, _instances, options) {
    if (!options.complete || options.playbook?.elb === false) return {};
    try {
      return await discoverRegistrations(clients, ids);
    } catch (e) {
      const out: Record<string, ElbFacts> = {};
      for (const id of ids)
        out[id] = {
          error: `cannot read load balancer registrations: ${awsErrorCode(e) ?? 'error'}: ${(e as Error).message}`,
        };
      return out;
    }
  },
};
