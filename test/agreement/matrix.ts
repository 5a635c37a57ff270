// The agreement matrix's world: the demo account plus peering and VPN routes, management rules that admit SSH from
// those networks, GRE admitted from anywhere, an IPv4-only "step 1" group, and one flow (at least) in every class of
// verify's table on web-1.

import type { FlowKind, Side } from '../../src/core/verify/paths.js';
import { ENI1, ENI2, containmentScenario } from '../sim/dataplane-fixture.js';

export const SG_OPEN_V4 = 'sg-0c0ffee00000000f3';

type Json = Record<string, unknown>;

interface MatrixFlow {
  id: string;
  side: Side;
  kind: FlowKind;
  spec: Json;
}

const tcpIn = (eni: string, port: number, from: string, path: string, extra: Json = {}): Json => ({
  eni,
  protocol: 'tcp',
  localPort: port,
  remoteAddress: from,
  initiator: 'inbound',
  path,
  ...extra,
});
const tcpOut = (eni: string, port: number, to: string, path: string, extra: Json = {}): Json => ({
  eni,
  protocol: 'tcp',
  remotePort: port,
  remoteAddress: to,
  initiator: 'outbound',
  path,
  ...extra,
});
const icmp = (eni: string, initiator: string, remote: string, path: string, protocol = 'icmp'): Json => ({
  eni,
  protocol,
  remoteAddress: remote,
  initiator,
  path,
});
/** A tunnel: GRE (47) in, ESP (50) out — protocols with no ports, always tracked. */
const tunnel = (initiator: 'inbound' | 'outbound', remote: string, path: string): Json => ({
  eni: ENI1,
  protocol: initiator === 'inbound' ? 47 : 50,
  remoteAddress: remote,
  initiator,
  path,
});

/**
 * Open at the start. ENI1 = web-1 device 0 (web + admin-ssh, public subnet); ENI2 = device 1 (mgmt, private subnet).
 */
export const MATRIX_FLOWS: MatrixFlow[] = [
  { id: 'i-in-tr', side: 'internet', kind: 'tracked', spec: tcpIn(ENI1, 22, '203.0.113.50', 'igw') },
  { id: 'i-in-un', side: 'internet', kind: 'untracked', spec: tcpIn(ENI1, 443, '198.51.100.77', 'igw') },
  { id: 'i-in-icmp', side: 'internet', kind: 'icmp', spec: icmp(ENI1, 'inbound', '198.51.100.78', 'igw') },
  { id: 'i-in-auto', side: 'internet', kind: 'auto-tracked', spec: tcpIn(ENI1, 443, '198.51.100.79', 'nlb') },
  {
    id: 'i-in-ga',
    side: 'internet',
    kind: 'auto-tracked',
    spec: tcpIn(ENI1, 80, '198.51.100.80', 'global-accelerator'),
  },
  {
    id: 'i-out-tr',
    side: 'internet',
    kind: 'tracked',
    spec: tcpOut(ENI1, 4444, '45.33.32.156', 'igw', { active: true }),
  },
  {
    id: 'i-out-icmp',
    side: 'internet',
    kind: 'icmp',
    spec: { ...icmp(ENI1, 'outbound', '45.33.32.156', 'igw'), active: true },
  },
  {
    id: 'i-out-nat',
    side: 'internet',
    kind: 'auto-tracked',
    spec: tcpOut(ENI2, 443, '52.0.0.10', 'nat', { active: true }),
  },
  { id: 'o-in-tr', side: 'other-networks', kind: 'tracked', spec: tcpIn(ENI2, 22, '192.168.7.7', 'peering') },
  { id: 'o-in-vpn', side: 'other-networks', kind: 'tracked', spec: tcpIn(ENI2, 22, '10.200.1.1', 'vpn') },
  { id: 'o-in-icmp', side: 'other-networks', kind: 'icmp', spec: icmp(ENI1, 'inbound', '172.16.1.1', 'tgw') },
  { id: 'o-in-auto', side: 'other-networks', kind: 'auto-tracked', spec: tcpIn(ENI2, 5432, '172.16.8.8', 'tgw') },
  { id: 'o-out-tr', side: 'other-networks', kind: 'tracked', spec: tcpOut(ENI1, 22, '192.168.3.3', 'peering') },
  { id: 'o-out-icmp', side: 'other-networks', kind: 'icmp', spec: icmp(ENI1, 'outbound', '172.16.9.9', 'tgw') },
  { id: 'o-out-auto', side: 'other-networks', kind: 'auto-tracked', spec: tcpOut(ENI1, 443, '172.16.9.10', 'tgw') },
  { id: 'v-in-tr', side: 'same-vpc', kind: 'tracked', spec: tcpIn(ENI2, 22, '10.0.1.20', 'same-vpc') },
  { id: 'v-in-un', side: 'same-vpc', kind: 'untracked', spec: tcpIn(ENI1, 443, '10.0.2.10', 'same-vpc') },
  { id: 'v-in-icmp', side: 'same-vpc', kind: 'icmp', spec: icmp(ENI1, 'inbound', '10.0.2.10', 'same-vpc') },
  { id: 'v-in-auto', side: 'same-vpc', kind: 'auto-tracked', spec: tcpIn(ENI1, 443, '10.0.2.50', 'privatelink') },
  { id: 'v-out-tr', side: 'same-vpc', kind: 'tracked', spec: tcpOut(ENI1, 8080, '10.0.2.10', 'same-vpc') },
  { id: 'v-out-icmp', side: 'same-vpc', kind: 'icmp', spec: icmp(ENI1, 'outbound', '10.0.2.10', 'same-vpc') },
  { id: 'v-out-auto', side: 'same-vpc', kind: 'auto-tracked', spec: tcpOut(ENI1, 443, '10.0.2.200', 'privatelink') },
  { id: 's-in-tr', side: 'same-subnet', kind: 'tracked', spec: tcpIn(ENI2, 22, '10.0.10.30', 'same-subnet') },
  { id: 's-in-un', side: 'same-subnet', kind: 'untracked', spec: tcpIn(ENI1, 443, '10.0.1.20', 'same-subnet') },
  { id: 's-in-icmp', side: 'same-subnet', kind: 'icmp', spec: icmp(ENI1, 'inbound', '10.0.1.20', 'same-subnet') },
  { id: 's-in-auto', side: 'same-subnet', kind: 'auto-tracked', spec: tcpIn(ENI1, 443, '10.0.1.99', 'privatelink') },
  { id: 's-out-tr', side: 'same-subnet', kind: 'tracked', spec: tcpOut(ENI1, 22, '10.0.1.20', 'same-subnet') },
  { id: 's-out-icmp', side: 'same-subnet', kind: 'icmp', spec: icmp(ENI1, 'outbound', '10.0.1.20', 'same-subnet') },
  { id: 's-out-auto', side: 'same-subnet', kind: 'auto-tracked', spec: tcpOut(ENI1, 443, '10.0.1.200', 'privatelink') },
  { id: 'i-in-gre', side: 'internet', kind: 'other', spec: tunnel('inbound', '198.51.100.81', 'igw') },
  {
    id: 'i-out-esp',
    side: 'internet',
    kind: 'other',
    spec: { ...tunnel('outbound', '45.33.32.158', 'igw'), active: true },
  },
  { id: 'o-in-gre', side: 'other-networks', kind: 'other', spec: tunnel('inbound', '172.16.1.2', 'tgw') },
  { id: 'o-out-esp', side: 'other-networks', kind: 'other', spec: tunnel('outbound', '172.16.9.11', 'tgw') },
  { id: 'v-in-gre', side: 'same-vpc', kind: 'other', spec: tunnel('inbound', '10.0.2.12', 'same-vpc') },
  { id: 'v-out-esp', side: 'same-vpc', kind: 'other', spec: tunnel('outbound', '10.0.2.13', 'same-vpc') },
  { id: 's-in-gre', side: 'same-subnet', kind: 'other', spec: tunnel('inbound', '10.0.1.21', 'same-subnet') },
  { id: 's-out-esp', side: 'same-subnet', kind: 'other', spec: tunnel('outbound', '10.0.1.22', 'same-subnet') },
  { id: '6-in-un', side: 'internet', kind: 'untracked', spec: tcpIn(ENI1, 443, '2001:db8::77', 'igw') },
  {
    id: '6-out-tr',
    side: 'internet',
    kind: 'tracked',
    spec: tcpOut(ENI1, 4444, '2001:db8::66', 'igw', { active: true }),
  },
];

/**
 * Opened through the control API at the start: web allows ICMP from 0.0.0.0/0 only, so this ICMPv6 probe is never
 * admitted (and must stay dead).
 */
export const PROBE: Json = { id: '6-in-icmp', ...icmp(ENI1, 'inbound', '2001:db8::55', 'igw', 'icmpv6') };

/** Outbound-initiated and other-network TCP/UDP flows are untracked only under the all-open group: open them then. */
export const UNTRACKED_FLOWS: Json[] = [
  { id: 'u-i-out', ...tcpOut(ENI1, 8443, '45.33.32.157', 'igw') },
  { id: 'u-o-in', ...tcpIn(ENI2, 3389, '192.168.9.9', 'peering') },
  { id: 'u-o-out', ...tcpOut(ENI1, 8443, '192.168.9.10', 'peering') },
  { id: 'u-v-out', ...tcpOut(ENI1, 8443, '10.0.2.11', 'same-vpc') },
  { id: 'u-s-out', ...tcpOut(ENI1, 8443, '10.0.1.21', 'same-subnet') },
];

export function matrixScenario(o: { dataplane?: Json } = {}): Json {
  return containmentScenario({
    flows: MATRIX_FLOWS.map((f) => ({ id: f.id, ...f.spec })),
    dataplane: o.dataplane,
    mutate: (_region, vpc) => {
      for (const t of vpc.routeTables as Json[]) {
        if (t.name === 'public' || t.name === 'private') {
          (t.routes as Json[]).push(
            { destination: '192.168.0.0/16', target: 'pcx-0c0ffee0000000001' },
            { destination: '10.200.0.0/16', target: 'vgw-0c0ffee0000000001' },
          );
        }
      }
      const groups = vpc.securityGroups as Json[];
      // GRE tunnels in from anywhere (IPv4); ESP goes out under the all-open egress.
      (groups.find((g) => g.name === 'web')!.ingress as Json[]).push({ protocol: 47, cidr: '0.0.0.0/0' });
      // AWS's default egress is IPv4 only: give web IPv6 egress too, so IPv6 flows can be untracked.
      groups.find((g) => g.name === 'web')!.egress = [
        { protocol: 'all', cidr: '0.0.0.0/0' },
        { protocol: 'all', cidr: '::/0' },
      ];
      const mgmt = groups.find((g) => g.name === 'mgmt')!;
      (mgmt.ingress as Json[]).push(
        { protocol: 'tcp', ports: 22, cidr: '192.168.0.0/16' },
        { protocol: 'tcp', ports: 22, cidr: '10.200.0.0/16' },
      );
      groups.push({
        id: SG_OPEN_V4,
        name: 'cordon-step-01-ipv4-only',
        description: 'all IPv4 traffic in and out (a step 1 that forgot ::/0)',
        ingress: [{ protocol: 'all', cidr: '0.0.0.0/0' }],
        egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }],
      });
    },
  });
}
