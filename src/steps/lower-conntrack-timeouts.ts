// Step: lower each ENI's connection-tracking idle timeouts (TCP established 60 s, UDP stream 60 s, UDP 30 s) so
// tracked flows the swap cannot cut (ICMP, auto-tracked paths) expire quickly once idle. Originals are in the ENI's
// cordon:original-conntrack tag. Only Nitro instances support it: elsewhere the step warns and moves on.

import type { Change } from '../core/plan.js';
import { LOWERED_CONNTRACK } from '../core/plan.js';
import { awsErrorCode } from '../aws/clients.js';
import { CONNTRACK_DEFAULTS, type ConnTrackFacts } from '../core/facts.js';
import { TAG } from '../core/tags.js';
import { decodeConntrack } from './record-originals.js';
import { containableEnis, type RestoreItem, type StepDef } from './types.js';

function effective(ct: ConnTrackFacts): Required<ConnTrackFacts> {
  return {
    tcpEstablishedTimeout: ct.tcpEstablishedTimeout ?? CONNTRACK_DEFAULTS.tcpEstablishedTimeout,
    udpStreamTimeout: ct.udpStreamTimeout ?? CONNTRACK_DEFAULTS.udpStreamTimeout,
    udpTimeout: ct.udpTimeout ?? CONNTRACK_DEFAULTS.udpTimeout,
  };
}

export const lowerConntrackTimeouts: StepDef = {
  id: 'lower-conntrack-timeouts',
  title: 'Lower connection-tracking idle timeouts',
  layer: 'network',
  critical: false,
  schedule: 'conntrack',
  permissions: ['ec2:ModifyNetworkInterfaceAttribute'],
  dependsOn: ['record-originals'],
  // After the swaps: they share ModifyNetworkInterfaceAttribute's bucket, whose burst belongs to the isolation.
  after: ['isolate-security-groups'],
  plan(input) {
    if (!input.options.lowerConntrack) return [];
    const changes: Change[] = [];
    for (const inst of input.instances) {
      for (const eni of containableEnis(inst)) {
        const ct = eni.connectionTracking;
        if (
          ct.tcpEstablishedTimeout === LOWERED_CONNTRACK.tcpEstablishedTimeout &&
          ct.udpStreamTimeout === LOWERED_CONNTRACK.udpStreamTimeout &&
          ct.udpTimeout === LOWERED_CONNTRACK.udpTimeout
        )
          continue;
        changes.push({
          id: `lower-conntrack-timeouts:${eni.networkInterfaceId}`,
          stepId: 'lower-conntrack-timeouts',
          resource: eni.networkInterfaceId,
          resourceType: 'network-interface',
          attribute: 'connection-tracking',
          before: ct,
          after: { ...LOWERED_CONNTRACK },
          critical: false,
          instanceId: inst.instanceId,
          summary: `${eni.networkInterfaceId}: conntrack idle timeouts → tcp 60 s, udp-stream 60 s, udp 30 s`,
        });
      }
    }
    return changes;
  },
  async preflight(ctx, changes) {
    if (changes.length)
      await ctx.gateway.setEniConnectionTracking(changes[0]!.resource, { ...LOWERED_CONNTRACK }, true);
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map(async (c) => {
        try {
          await ctx.gateway.setEniConnectionTracking(c.resource, c.after as typeof LOWERED_CONNTRACK);
        } catch (e) {
          if (awsErrorCode(e) !== 'UnsupportedOperation') throw e;
          ctx.warn(
            c.instanceId,
            `${c.resource}: connection-tracking timeouts are not configurable on this instance type (not Nitro); tracked flows keep AWS's default idle timeouts`,
          );
        }
      }),
    );
  },
  restoreOrder: 90,
  planRestore(input) {
    const items: RestoreItem[] = [];
    for (const e of containableEnis(input.instance)) {
      const fromJournal = input.journalOriginal(e.networkInterfaceId, 'eni-state') as
        { connectionTracking?: ConnTrackFacts } | undefined;
      const tagged = decodeConntrack(e.tags[TAG.originalConntrack]);
      const picked = input.pick(
        e.networkInterfaceId,
        'connection-tracking',
        tagged && effective(tagged),
        fromJournal?.connectionTracking && effective(fromJournal.connectionTracking),
      );
      if (!picked) continue;
      const want = picked.value;
      const have = effective(e.connectionTracking);
      if (
        want.tcpEstablishedTimeout === have.tcpEstablishedTimeout &&
        want.udpStreamTimeout === have.udpStreamTimeout &&
        want.udpTimeout === have.udpTimeout
      )
        continue;
      items.push({
        stepId: 'lower-conntrack-timeouts',
        instanceId: input.instance.instanceId,
        resource: e.networkInterfaceId,
        attribute: 'connection-tracking',
        current: e.connectionTracking,
        original: want,
        source: picked.source,
        summary: `${e.networkInterfaceId}: conntrack timeouts → tcp ${want.tcpEstablishedTimeout} s, udp-stream ${want.udpStreamTimeout} s, udp ${want.udpTimeout} s`,
      });
    }
    return items;
  },
  async applyRestore(ctx, items) {
    // AWS has no "unset": an ENI that used the defaults gets the default values back, explicitly.
    await Promise.all(items.map((i) => ctx.gateway.setEniConnectionTracking(i.resource, i.original as ConnTrackFacts)));
  },
};
