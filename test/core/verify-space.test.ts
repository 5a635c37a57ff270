// verify's search space (src/core/verify/space.ts) and its port and protocol model on hand-made facts: cells whose
// representatives are concrete values, replies to any source port, protocols by number, ICMP by type and code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addressCells,
  coversRange,
  describeRuns,
  icmpPairs,
  otherProtocols,
  portCells,
} from '../../src/core/verify/space.js';
import { verify, type VerifyReport } from '../../src/core/verify/verify.js';
import type { NaclEntryFacts, NetworkFacts, RuleFacts } from '../../src/core/facts.js';
import type { Direction, FlowKind, Side } from '../../src/core/verify/paths.js';

test('address cells: one concrete address per cell, preferred ones first, never 0.0.0.0 or the ENI itself', () => {
  const cells = addressCells(4, ['10.0.0.0/16', '10.0.1.0/24', '0.0.0.0/0'], ['198.51.100.1'], ['10.0.1.4']);
  assert.equal(cells[0], '198.51.100.1');
  assert.ok(cells.includes('10.0.0.4'), 'past the first addresses of the VPC cell');
  assert.ok(cells.includes('10.0.1.1'), 'the ENI (10.0.1.4) is avoided in its own cell');
  assert.ok(!cells.includes('0.0.0.0'));
  assert.equal(cells[cells.length - 1], '0.0.0.4', 'the cell starting at 0.0.0.0 comes last');
  // A /32 is a cell of its own; the cell after it starts one past it.
  assert.deepEqual(addressCells(4, ['10.9.9.9/32'], [], []), ['10.9.9.9', '10.9.9.14', '0.0.0.4']);
});

test('port cells cover 0-65535 with preferred representatives; runs and coverage read back', () => {
  const cells = portCells(
    [
      { from: 53, to: 53 },
      { from: 1024, to: 65535 },
    ],
    [443, 49152],
  );
  assert.deepEqual(
    cells.map((c) => [c.from, c.to, c.rep]),
    [
      [54, 1023, 443],
      [1024, 65535, 49152],
      [0, 52, 1],
      [53, 53, 53],
    ],
  );
  assert.equal(describeRuns(cells.filter((c) => c.from === 53 || c.from === 0)), '0-53');
  assert.equal(coversRange(cells, 0, 65535), true);
  assert.equal(
    coversRange(
      cells.filter((c) => c.from !== 54),
      0,
      65535,
    ),
    false,
  );
});

test('ICMP pairs and other protocol numbers stand for every type and every protocol', () => {
  const rules: RuleFacts[] = [
    { protocol: 'icmp', fromPort: 3, toPort: -1, cidr: '0.0.0.0/0' },
    { protocol: '1', fromPort: 11, toPort: 0, cidr: '0.0.0.0/0' },
    { protocol: 'icmpv6', fromPort: 128, toPort: -1, cidr: '::/0' },
  ];
  assert.deepEqual(icmpPairs(rules, '1'), [
    [8, 0],
    [3, 0],
    [11, 0],
  ]);
  assert.deepEqual(icmpPairs(rules, '58'), [
    [8, 0],
    [128, 0],
  ]);
  assert.deepEqual(otherProtocols(['tcp', '6', '-1', '1']), ['47']);
  assert.deepEqual(otherProtocols(['47', '99', '17']), ['47', '50', '99']);
});

// ---------------------------------------------------------------- verify on facts

function facts(ingress: RuleFacts[], egress: RuleFacts[], nacl: NaclEntryFacts[]): NetworkFacts {
  return {
    instance: {
      instanceId: 'i-0123456789abcdef0',
      region: 'eu-west-1',
      state: 'running',
      instanceType: 'm6i.large',
      tags: {},
      volumes: [],
      enis: [
        {
          networkInterfaceId: 'eni-0123456789abcdef0',
          deviceIndex: 0,
          subnetId: 'subnet-1',
          vpcId: 'vpc-1',
          interfaceType: 'interface',
          description: '',
          groupIds: ['sg-1'],
          privateIps: ['10.9.1.10'],
          ipv6Addresses: [],
          publicIps: ['54.0.0.1'],
          connectionTracking: {},
          tags: {},
        },
      ],
    },
    vpc: { vpcId: 'vpc-1', cidr: '10.9.0.0/16' },
    groups: { 'sg-1': { groupId: 'sg-1', groupName: 'g', description: '', vpcId: 'vpc-1', tags: {}, ingress, egress } },
    subnets: {
      'subnet-1': {
        subnetId: 'subnet-1',
        vpcId: 'vpc-1',
        cidr: '10.9.1.0/24',
        availabilityZone: 'eu-west-1a',
        nacl: { networkAclId: 'acl-1', isDefault: false, entries: nacl, tags: {} },
        routeTable: {
          routeTableId: 'rtb-1',
          implicitMain: false,
          routes: [
            { destination: '10.9.0.0/16', target: 'local', targetKind: 'local', state: 'active' },
            { destination: '0.0.0.0/0', target: 'igw-0123456789abcdef0', targetKind: 'igw', state: 'active' },
          ],
          tags: {},
        },
      },
    },
  };
}

const entry = (
  ruleNumber: number,
  egress: boolean,
  protocol: string,
  action: 'allow' | 'deny',
  ports?: [number, number],
): NaclEntryFacts => ({
  ruleNumber,
  egress,
  protocol,
  action,
  cidr: '0.0.0.0/0',
  ...(ports ? { portRange: { from: ports[0], to: ports[1] } } : {}),
});

const cls = (r: VerifyReport, side: Side, d: Direction, k: FlowKind) =>
  r.enis[0]!.classes.find((c) => c.side === side && c.direction === d && c.kind === k)!;

test('replies may go to any port the initiator picks: cut only when none passes, and the narrow opening is named', () => {
  const out: RuleFacts[] = [{ protocol: '-1', cidr: '0.0.0.0/0' }];
  const dns = [entry(10, true, '6', 'allow', [53, 53]), entry(10, false, '6', 'allow', [53, 53])];
  const c = cls(verify(facts([], out, dns)), 'internet', 'outbound', 'tracked');
  assert.equal(c.verdict, 'open');
  assert.match(c.reason, /only replies to port 53 pass acl-1/);
  assert.deepEqual([c.example!.localPort, c.example!.remotePort, c.example!.port], [53, 53, 53]);
  // Nothing comes back on TCP: cut, and the reason says it is the replies.
  const none = cls(
    verify(facts([], out, [entry(10, true, '6', 'allow', [53, 53])])),
    'internet',
    'outbound',
    'tracked',
  );
  assert.equal(none.verdict, 'cut');
  assert.match(none.reason, /ingress rule \* deny all 0\.0\.0\.0\/0 \(replies\)/);
  // All of the ephemeral range back: no narrow-opening note.
  const wide = [entry(10, true, '6', 'allow', [443, 443]), entry(10, false, '6', 'allow', [1024, 65535])];
  assert.doesNotMatch(cls(verify(facts([], out, wide)), 'internet', 'outbound', 'tracked').reason, /only replies/);
});

test('protocols by number: an ESP rule and NACL entry admit ESP as "other"; a GRE entry does not admit ESP', () => {
  const esp: RuleFacts[] = [{ protocol: '50', cidr: '0.0.0.0/0' }];
  const nacl50 = [entry(10, true, '50', 'allow'), entry(10, false, '50', 'allow')];
  const r = verify(facts([], esp, nacl50));
  const o = cls(r, 'internet', 'outbound', 'other');
  assert.equal(o.verdict, 'open');
  assert.equal(o.reason, 'admitted by sg-1 egress 50 to 0.0.0.0/0 (always tracked)');
  assert.deepEqual(o.example, { protocol: '50', path: 'igw', remote: '198.51.100.1' });
  assert.equal(o.idleTimeoutSeconds, 600);
  assert.equal(
    cls(r, 'internet', 'outbound', 'icmp').verdict,
    'cut',
    'ICMP is its own kind, judged on its own entries',
  );
  const gre = verify(facts([], esp, [entry(10, true, '47', 'allow'), entry(10, false, '47', 'allow')]));
  const g = cls(gre, 'internet', 'outbound', 'other');
  assert.equal(g.verdict, 'may-survive', 'GRE passes the NACL but no rule admits new GRE');
  assert.equal(g.example!.protocol, '47');
  assert.equal(
    cls(gre, 'internet', 'outbound', 'other').paths!.some((p) => p.path === 'nat'),
    false,
    'a NAT gateway carries TCP, UDP and ICMP only',
  );
});

test('ICMP rules are matched on type and code: the example carries the type the rule allows', () => {
  const icmp3: RuleFacts[] = [{ protocol: 'icmp', fromPort: 3, toPort: 4, cidr: '0.0.0.0/0' }];
  const all = [entry(100, true, '-1', 'allow'), entry(100, false, '-1', 'allow')];
  const c = cls(verify(facts(icmp3, [], all)), 'internet', 'inbound', 'icmp');
  assert.equal(c.verdict, 'open');
  assert.equal(c.reason, 'admitted by sg-1 ingress icmp type 3 code 4 from 0.0.0.0/0 (always tracked)');
  assert.deepEqual([c.example!.icmpType, c.example!.icmpCode], [3, 4]);
  assert.equal(c.example!.port, undefined);
});
