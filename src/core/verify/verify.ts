// `verify`: what can still reach an instance, per class of flow, reasoned from the configuration AWS describes
// (groups and rules, NACL entries, route tables, conntrack timeouts) — never from observed traffic. Pure.
//
// A class is (remote side × direction × kind). Its verdict:
//   open         new connections of the class can be made now;
//   may-survive  no new ones, but existing connections holding a conntrack entry are not cut by any layer: they
//                live until idle past their timeout. verify cannot know history (which connections exist, whether
//                the all-open step ran), so it says may-survive whenever the current configuration lets such an
//                entry carry traffic;
//   cut          nothing of the class gets through — for no address of the side, no protocol of the kind, and no
//                choice of ports at either end (both are the sender's to choose).
// The verdict is an upper bound over the class (some traffic of it passes); the reason names the rule or layer.
//
// The files: context.ts (what is known about an ENI, and the search space), space.ts (cells of addresses, ports,
// ICMP types and protocols), points.ts (past route and NACL), judge.ts (security groups, conntrack, verdicts),
// summary.ts (counts and the bottom line).

import type { NetworkFacts } from '../facts.js';
import { context, timeouts } from './context.js';
import { judgeClass } from './judge.js';
import { DIRECTIONS, KINDS, SIDES } from './paths.js';
import { summarize } from './summary.js';
import type { ClassVerdict, EniVerdict, VerifyOptions, VerifyReport } from './types.js';

export type {
  ClassVerdict,
  EniVerdict,
  FlowExample,
  VerifyOptions,
  VerifyReport,
  Verdict,
  VerdictLayer,
} from './types.js';

export const ASSUMPTIONS = [
  "A tracked TCP/UDP connection that the current rules would make untracked has lost its conntrack entry (the seed's claim, aws-api-semantics.md §1.7; not documented by AWS). Pass untrackingDropsEntries: false to drop this assumption.",
  "The untracked test (§1.2) is applied to the union of the ENI's groups.",
  'verify cannot see history: "may-survive" means existing tracked connections of the class would survive if there are any.',
  'Both ends choose their ports: any port 0-65535 may be connected to, and any may be the source port replies go back to.',
  'Group-referencing rules are taken to match any address in the VPC; prefix lists any address.',
  "Connections through Network Load Balancers and Global Accelerator need no route from the instance's subnet (the load balancer replies for it); transit gateway attachments are automatically tracked (§1.4, 2023 list).",
  "ICMP idle timeout: 600 s (undocumented); other IP protocols: 600 s (§1.1). NACL ICMP type/code filters are not evaluated. The far end's own groups, NACLs and routes are not checked.",
];

export function verify(facts: NetworkFacts, opts: VerifyOptions = {}): VerifyReport {
  const drops = opts.untrackingDropsEntries ?? true;
  const swapped = drops && (opts.untrackStepApplied ?? false);
  const enis: EniVerdict[] = facts.instance.enis.map((eni) => {
    const ctx = context(facts, eni);
    const classes: ClassVerdict[] = [];
    for (const side of SIDES)
      for (const direction of DIRECTIONS)
        for (const kind of KINDS) classes.push(judgeClass(ctx, side, direction, kind, { drops, swapped }));
    return {
      networkInterfaceId: eni.networkInterfaceId,
      deviceIndex: eni.deviceIndex,
      subnetId: eni.subnetId,
      groupIds: eni.groupIds,
      networkAclId: ctx.nacl?.id,
      routeTableId: ctx.routes?.tableId,
      conntrack: timeouts(eni),
      classes,
      warnings: ctx.warnings,
    };
  });
  return {
    instanceId: facts.instance.instanceId,
    region: facts.instance.region,
    options: { untrackingDropsEntries: drops, untrackStepApplied: opts.untrackStepApplied ?? false },
    enis,
    ...summarize(enis),
    assumptions: ASSUMPTIONS,
  };
}
