// Pure parts of the subnet- and edge-level layers: option parsing, the top-mode numbering (renumbering keeps the
// order and moves only up), the rule-limit fallback, and the blast-radius classification.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseLayers, validateLayerOptions, allowListKey } from '../../src/core/layers.js';
import { planTop, isolationNaclEntries, recordedInserts } from '../../src/core/nacl-top.js';
import { eniKind, blastRadiusRefusal } from '../../src/core/blast-radius.js';
import { CordonError, EXIT } from '../../src/core/errors.js';
import type { LayerNacl, LayerNaclEntry } from '../../src/core/subnet-layers.js';

const entry = (
  ruleNumber: number,
  egress = false,
  cidr = '0.0.0.0/0',
  action: 'allow' | 'deny' = 'allow',
): LayerNaclEntry =>
  cidr.includes(':')
    ? { ruleNumber, egress, protocol: '-1', action, ipv6Cidr: cidr }
    : { ruleNumber, egress, protocol: '-1', action, cidr };
const nacl = (entries: LayerNaclEntry[]): LayerNacl => ({
  networkAclId: 'acl-0123456789abcdef0',
  vpcId: 'vpc-1',
  isDefault: false,
  entries,
  associations: [],
  tags: {},
});

/** Applies a top plan to a NACL the way the steps do (moves highest first: copy, then delete; then inserts). */
function apply(n: LayerNacl, p: Extract<ReturnType<typeof planTop>, { ok: true }>): LayerNaclEntry[] {
  let entries = [...n.entries];
  for (const m of p.moves) {
    assert.ok(
      !entries.some((e) => e.egress === m.egress && e.ruleNumber === m.to),
      `move to ${m.to} meets an occupied number`,
    );
    entries.push({ ...m.entry, ruleNumber: m.to });
    entries = entries.filter((e) => !(e.egress === m.egress && e.ruleNumber === m.entry.ruleNumber));
  }
  for (const e of p.inserts) {
    assert.ok(
      !entries.some((x) => x.egress === e.egress && x.ruleNumber === e.ruleNumber),
      `insert at ${e.ruleNumber} meets an occupied number`,
    );
    entries.push(e);
  }
  return entries;
}

const order = (entries: LayerNaclEntry[], egress: boolean): string[] =>
  entries
    .filter((e) => e.egress === egress)
    .sort((a, b) => a.ruleNumber - b.ruleNumber)
    .map((e) => `${e.action} ${e.cidr ?? e.ipv6Cidr}`);

describe('layer options', () => {
  test('layers and presets parse into canonical order; unknown words are usage errors', () => {
    assert.deepEqual(parseLayers('sg'), ['sg']);
    assert.deepEqual(parseLayers('targeted'), ['sg']);
    assert.deepEqual(parseLayers('subnet'), ['sg', 'nacl']);
    assert.deepEqual(parseLayers('edge'), ['sg', 'nacl', 'route']);
    assert.deepEqual(parseLayers('full'), ['sg', 'nacl', 'route', 'igw']);
    assert.deepEqual(parseLayers('igw,sg'), ['sg', 'igw']);
    assert.deepEqual(parseLayers('subnet, igw'), ['sg', 'nacl', 'igw']);
    for (const bad of ['', 'sg,firewall', ',']) {
      assert.throws(
        () => parseLayers(bad),
        (e: unknown) => e instanceof CordonError && e.exitCode === EXIT.usage && !!e.hint,
      );
    }
  });

  test('allow-lists must be real, narrow CIDRs; the key is canonical', () => {
    assert.equal(allowListKey(['10.99.0.7/24', '2001:db8::1/64', '10.99.0.0/24']), '10.99.0.0/24,2001:db8::/64');
    assert.doesNotThrow(() =>
      validateLayerOptions({ allowCidrs: ['10.99.0.0/24'], naclMode: 'top', layers: ['nacl'] }),
    );
    for (const bad of [['nonsense'], ['0.0.0.0/0'], ['::/0'], ['10.0.0.0/33']]) {
      assert.throws(
        () => validateLayerOptions({ allowCidrs: bad }),
        (e: unknown) => e instanceof CordonError && e.code === 'bad-allow-cidr',
      );
    }
    assert.throws(
      () => validateLayerOptions({ naclMode: 'middle' as never }),
      (e: unknown) => e instanceof CordonError && e.code === 'bad-nacl-mode',
    );
    assert.throws(
      () => validateLayerOptions({ layers: ['sg', 'dns' as never] }),
      (e: unknown) => e instanceof CordonError && e.code === 'bad-layers',
    );
  });
});

describe('top mode numbering', () => {
  test('free numbers below the lowest rule: inserts at 1..k, nothing moves', () => {
    const n = nacl([entry(100), entry(100, true), entry(110, false, '::/0'), entry(110, true, '::/0')]);
    const p = planTop(n, [], true);
    assert.ok(p.ok);
    assert.deepEqual(p.moves, []);
    assert.deepEqual(
      p.inserts.map((e) => `${e.egress ? 'out' : 'in'} ${e.ruleNumber} ${e.action} ${e.cidr ?? e.ipv6Cidr}`),
      ['in 1 deny 0.0.0.0/0', 'in 2 deny ::/0', 'out 1 deny 0.0.0.0/0', 'out 2 deny ::/0'],
    );
    assert.deepEqual(order(apply(n, p), false), ['deny 0.0.0.0/0', 'deny ::/0', 'allow 0.0.0.0/0', 'allow ::/0']);
  });

  test('no free number: the lowest rules move up just below the first that stays, keeping their order', () => {
    const n = nacl([
      entry(1, false, '10.0.0.0/8', 'deny'),
      entry(2, false, '10.0.0.0/8'),
      entry(3, false, '192.168.0.0/16'),
      entry(5, false, '172.16.0.0/12', 'deny'),
      entry(100),
    ]);
    const p = planTop(n, [], true);
    assert.ok(p.ok);
    assert.deepEqual(
      p.moves.map((m) => `${m.entry.ruleNumber}>${m.to}`),
      ['5>99', '3>98', '2>97', '1>96'],
    );
    assert.ok(
      p.moves.every((m) => m.to > m.entry.ruleNumber),
      'every move goes up',
    );
    const after = apply(n, p);
    assert.deepEqual(order(after, false), [
      'deny 0.0.0.0/0',
      'deny ::/0',
      'deny 10.0.0.0/8',
      'allow 10.0.0.0/8',
      'allow 192.168.0.0/16',
      'deny 172.16.0.0/12',
      'allow 0.0.0.0/0',
    ]);
  });

  test('a dense run up to a gap: the entries in the way move up into the gap, the rest stay', () => {
    const n = nacl([entry(1, false, '10.0.0.0/8'), entry(2, false, '10.1.0.0/16'), entry(4, false, '10.2.0.0/16')]);
    const p = planTop(n, [], false);
    assert.ok(p.ok);
    // 1 and 2 must both move (moving 1 alone past 2 would change the order); 4 stays.
    assert.deepEqual(
      p.moves.map((m) => `${m.entry.ruleNumber}>${m.to}`),
      ['2>3', '1>2'],
    );
    assert.deepEqual(order(apply(n, p), false), [
      'deny 0.0.0.0/0',
      'allow 10.0.0.0/8',
      'allow 10.1.0.0/16',
      'allow 10.2.0.0/16',
    ]);
  });

  test('allow-list entries go before the denies', () => {
    const p = planTop(nacl([entry(100)]), ['10.99.0.0/24'], false);
    assert.ok(p.ok);
    assert.deepEqual(
      p.inserts.filter((e) => !e.egress).map((e) => `${e.ruleNumber} ${e.action} ${e.cidr}`),
      ['1 allow 10.99.0.0/24', '2 deny 0.0.0.0/0'],
    );
  });

  test('at the rule limit (20 per direction and family, catch-all included) top mode gives up', () => {
    const full = nacl(Array.from({ length: 19 }, (_, i) => entry(100 + i, false, `10.${i}.0.0/16`)));
    const p = planTop(full, [], false);
    assert.equal(p.ok, false);
    assert.match((p as { reason: string }).reason, /ingress IPv4 rule limit/);
    // 18 IPv4 rules leave room for exactly one deny — but not when an allow-list needs a second slot.
    const nearly = nacl(Array.from({ length: 18 }, (_, i) => entry(100 + i, false, `10.${i}.0.0/16`)));
    assert.equal(planTop(nearly, [], false).ok, true);
    assert.equal(planTop(nearly, ['10.99.0.0/24'], false).ok, false);
  });

  test('the record of inserted numbers gives back exactly the inserted entries', () => {
    const p = planTop(nacl([entry(100)]), ['10.99.0.0/24'], true);
    assert.ok(p.ok);
    const rec = {
      in: p.inserts.filter((e) => !e.egress).map((e) => String(e.ruleNumber)),
      out: p.inserts.filter((e) => e.egress).map((e) => String(e.ruleNumber)),
    };
    assert.deepEqual(recordedInserts(rec, ['10.99.0.0/24']), p.inserts);
    assert.deepEqual(isolationNaclEntries([]), []);
  });
});

describe('blast radius', () => {
  test('interfaces are classified by type, requester and description', () => {
    const base = { networkInterfaceId: 'eni-1', subnetId: 'subnet-1', requesterManaged: false };
    assert.equal(eniKind({ ...base, interfaceType: 'lambda', description: 'AWS Lambda VPC ENI-fn' }), 'lambda');
    assert.equal(eniKind({ ...base, interfaceType: 'interface', description: 'RDSNetworkInterface' }), 'rds');
    assert.equal(eniKind({ ...base, interfaceType: 'interface', description: 'x', requesterId: 'amazon-rds' }), 'rds');
    assert.equal(
      eniKind({ ...base, interfaceType: 'network_load_balancer', description: 'ELB net/x/1' }),
      'load-balancer',
    );
    assert.equal(eniKind({ ...base, interfaceType: 'interface', description: 'ELB app/web/1' }), 'load-balancer');
    assert.equal(eniKind({ ...base, interfaceType: 'vpc_endpoint', description: '' }), 'vpc-endpoint');
    assert.equal(eniKind({ ...base, interfaceType: 'nat_gateway', description: '' }), 'nat-gateway');
    assert.equal(eniKind({ ...base, interfaceType: 'transit_gateway', description: '' }), 'transit-gateway');
    assert.equal(eniKind({ ...base, interfaceType: 'interface', description: '', instanceId: 'i-1' }), 'instance');
    assert.equal(eniKind({ ...base, interfaceType: 'interface', description: '', status: 'available' }), 'unattached');
  });

  test('a plan hitting nothing else needs no consent; one hitting others is refused with a hint', () => {
    assert.equal(blastRadiusRefusal(undefined), undefined);
    assert.equal(blastRadiusRefusal({ scopes: [], enis: [] }), undefined);
    const e = blastRadiusRefusal({
      scopes: [{ layer: 'nacl', resource: 'subnet-1', subnets: ['subnet-1'], otherEnis: 1 }],
      enis: [
        {
          networkInterfaceId: 'eni-9',
          subnetId: 'subnet-1',
          interfaceType: 'lambda',
          description: '',
          requesterManaged: true,
          kind: 'lambda',
          layers: ['nacl'],
        },
      ],
    });
    assert.ok(e instanceof CordonError);
    assert.equal(e.exitCode, EXIT.refused);
    assert.match(e.message, /1 lambda/);
    assert.match(e.hint!, /--accept-blast-radius/);
  });
});
