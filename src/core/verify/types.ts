// The shapes `verify` returns (also `cordon verify --output json`).

import type { Direction, FlowKind, PathName, Side } from './paths.js';

export type Verdict = 'cut' | 'open' | 'may-survive';

/** The layer that decides a verdict: what cuts it, what admits it, or (may-survive) the conntrack entry. */
export type VerdictLayer = 'route' | 'address' | 'nacl' | 'security-group' | 'conntrack';

export interface VerifyOptions {
  /** See ASSUMPTIONS[0]. Default true. */
  untrackingDropsEntries?: boolean;
  /**
   * The caller knows the all-open → empty swap ran on every ENI (cordon contain does): with the assumption above,
   * no TCP/UDP connection tracked before it kept its entry, so a class whose rules admit no new tracked connection is
   * cut rather than may-survive. ICMP and auto-tracked connections are not affected (always tracked).
   */
  untrackStepApplied?: boolean;
}

export interface ClassVerdict {
  side: Side;
  direction: Direction;
  kind: FlowKind;
  verdict: Verdict;
  layer: VerdictLayer;
  /** Why: the rule, NACL entry or route that decides. */
  reason: string;
  /** What would cut what remains (open / may-survive), or what undoing the cut would revive. */
  remedy?: string;
  /** Traffic of the class that gets through (open / may-survive): a flow that can be opened as it stands. */
  example?: FlowExample;
  /** Idle timeout of the class's existing tracked connections (seconds). */
  idleTimeoutSeconds?: number;
  /**
   * The verdict for each path and address family of the class (e.g. auto-tracked inbound: open through an NLB, cut
   * through a TGW; IPv4 untracked but IPv6 tracked). The class verdict is the most open of them.
   */
  paths?: {
    path: PathName;
    family: 4 | 6;
    verdict: Verdict;
    reason: string;
    idleTimeoutSeconds?: number;
    example?: FlowExample;
  }[];
}

/**
 * One concrete flow of a class: with the class's direction, everything needed to open it (e.g. on the simulator's
 * data plane, `POST /_sim/flows`). Ports are both ends' — either may be chosen by the attacker.
 */
export interface FlowExample {
  /** 'tcp' | 'udp' | 'icmp' | 'icmpv6', or another IP protocol's number ('47' GRE, '50' ESP …). */
  protocol: string;
  path: PathName;
  /** A concrete address of the side (never 0.0.0.0 or a network's first address when the cell has others). */
  remote: string;
  /** TCP/UDP: the port connected to (the instance's inbound, the far side's outbound). */
  port?: number;
  /** TCP/UDP: the instance's port and the far side's port. */
  localPort?: number;
  remotePort?: number;
  /** ICMP: the type and code the initiator sends. */
  icmpType?: number;
  icmpCode?: number;
}

export interface EniVerdict {
  networkInterfaceId: string;
  deviceIndex: number;
  subnetId: string;
  groupIds: string[];
  networkAclId?: string;
  routeTableId?: string;
  conntrack: { tcpEstablishedTimeout: number; udpStreamTimeout: number; udpTimeout: number };
  classes: ClassVerdict[];
  warnings: string[];
}

export interface VerifySummary {
  classes: number;
  open: number;
  maySurvive: number;
  cut: number;
  /** May-survive classes no network layer can cut (always-tracked connections inside the subnet). */
  residual: number;
  /** Nothing is open, and every may-survive class is residual: all a network change can do is done. */
  contained: boolean;
}

export interface VerifyReport {
  instanceId: string;
  region: string;
  options: { untrackingDropsEntries: boolean; untrackStepApplied: boolean };
  enis: EniVerdict[];
  summary: VerifySummary;
  /** One line a responder reads first. */
  bottomLine: string;
  assumptions: string[];
}
