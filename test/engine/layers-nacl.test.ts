// The NACL layer end to end on the simulator (real SDK): dedicated mode, top mode, renumbering when no rule number
// is free, the rule-limit fallback, the allow-list, the blast-radius refusal, idempotence, and exact restore.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
} from '@aws-sdk/client-ec2';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { cordonClients, mutations, tempStateDir } from '../helpers/cordon.js';
import {
  NETWORK_ONLY,
  instanceId,
  layersScenario,
  region,
  subnetId,
  tagsOf,
  userNetworkSnapshot,
} from '../helpers/layers.js';
import { contain, planContainment, type ContainRequest } from '../../src/engine/contain.js';
import { restore } from '../../src/engine/restore.js';
import { CordonError, EXIT } from '../../src/core/errors.js';
import type { AwsClients } from '../../src/aws/clients.js';

type Extra = Partial<Omit<ContainRequest, 'clients' | 'instanceIds'>>;

async function naclOf(h: SimHarness, subnet: string) {
  const r = await h.ec2.send(
    new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnet] }] }),
  );
  return r.NetworkAcls![0]!;
}

const userEntries = (a: Awaited<ReturnType<typeof naclOf>>, egress: boolean) =>
  a
    .Entries!.filter((e) => e.Egress === egress && e.RuleNumber! < 32767)
    .sort((x, y) => x.RuleNumber! - y.RuleNumber!)
    .map((e) => `${e.RuleNumber} ${e.RuleAction} ${e.CidrBlock ?? e.Ipv6CidrBlock}`);

describe('NACL layer, dedicated mode (the default)', () => {
  let h: SimHarness;
  let clients: AwsClients;
  const stateDir = tempStateDir();
  const run = (ids: string[], extra: Extra = {}) =>
    contain({ clients, instanceIds: ids, stateDir, playbook: NETWORK_ONLY, layers: ['sg', 'nacl'], ...extra });
  before(async () => {
    h = await startHarness(layersScenario());
    clients = cordonClients(h.sim);
  });
  after(async () => {
    clients.destroy();
    await h.close();
  });

  test('the plan lists every other ENI of the subnet; contain refuses without consent and changes nothing', async () => {
    const box = instanceId(h, 'box');
    const p = await planContainment({
      clients,
      instanceIds: [box],
      stateDir,
      playbook: NETWORK_ONLY,
      layers: ['sg', 'nacl'],
    });
    const blast = p.plan.blastRadius!;
    const neighbour = region(h).ec2.instances.get(instanceId(h, 'neighbour'))!.networkInterfaceIds[0]!;
    assert.deepEqual(blast.enis.map((e) => e.kind).sort(), [
      'instance',
      'lambda',
      'load-balancer',
      'rds',
      'vpc-endpoint',
    ]);
    assert.ok(
      blast.enis.some((e) => e.networkInterfaceId === neighbour && e.instanceId === instanceId(h, 'neighbour')),
    );
    assert.ok(blast.enis.every((e) => e.subnetId === subnetId(h, '10.1.1.0/24') && e.layers.join() === 'nacl'));
    assert.ok(
      blast.enis.some(
        (e) => e.kind === 'lambda' && e.interfaceType === 'lambda' && e.description.startsWith('AWS Lambda'),
      ),
    );
    assert.deepEqual(blast.scopes, [
      { layer: 'nacl', resource: subnetId(h, '10.1.1.0/24'), subnets: [subnetId(h, '10.1.1.0/24')], otherEnis: 5 },
    ]);
    assert.deepEqual(p.missingPermissions, []);
    assert.ok(p.plan.criticalPath.includes('associate-isolation-nacl'));
    assert.ok(JSON.parse(JSON.stringify(p.plan)).blastRadius.enis.length === 5, 'the blast radius is in the plan JSON');

    const seq0 = h.sim.world.calls.length;
    await assert.rejects(
      run([box]),
      (e: unknown) =>
        e instanceof CordonError &&
        e.code === 'blast-radius' &&
        e.exitCode === EXIT.refused &&
        /5 other network interface/.test(e.message),
    );
    assert.deepEqual(mutations(h.sim, seq0), []);
    // A declined typed confirmation is a refusal too.
    await assert.rejects(
      run([box], { confirmBlastRadius: async () => false }),
      (e: unknown) => e instanceof CordonError && e.code === 'blast-radius',
    );
    assert.deepEqual(mutations(h.sim, seq0), []);
  });

  test('contains with an isolation NACL, records the original, restores exactly (subnet layers before groups)', async () => {
    const box = instanceId(h, 'box');
    const app = subnetId(h, '10.1.1.0/24');
    const db = subnetId(h, '10.1.2.0/24');
    const original = await naclOf(h, app);
    const snapshot = await userNetworkSnapshot(h);
    const seq0 = h.sim.world.calls.length;
    const r = await run([box], { confirmBlastRadius: async () => true, incident: 'ir-nacl-1' });
    assert.equal(r.instances[0]!.status, 'contained');
    assert.deepEqual(
      r.instances[0]!.layers!.map((l) => [l.layer, l.subnetId, l.isolated]),
      [['nacl', app, true]],
    );

    const iso = await naclOf(h, app);
    assert.notEqual(iso.NetworkAclId, original.NetworkAclId);
    const tags = tagsOf(iso.Tags);
    assert.equal(tags['cordon:role'], 'isolation-nacl');
    assert.equal(tags['cordon:do-not-use'], 'true');
    assert.equal(tags['cordon:incident'], 'ir-nacl-1');
    assert.deepEqual(
      iso
        .Entries!.map(
          (e) => `${e.Egress ? 'out' : 'in'} ${e.RuleNumber} ${e.RuleAction} ${e.CidrBlock ?? e.Ipv6CidrBlock}`,
        )
        .sort(),
      ['in 32767 deny 0.0.0.0/0', 'in 32768 deny ::/0', 'out 32767 deny 0.0.0.0/0', 'out 32768 deny ::/0'],
    );
    // Only the subnet moved: the shared NACL still serves the db subnet, unchanged.
    assert.equal((await naclOf(h, db)).NetworkAclId, original.NetworkAclId);
    assert.deepEqual(userEntries(await naclOf(h, db), false), userEntries(original, false));
    const sub = (await h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [app] }))).Subnets![0]!;
    assert.equal(tagsOf(sub.Tags)['cordon:original-nacl'], original.NetworkAclId);
    assert.equal(tagsOf(sub.Tags)['cordon:holders:nacl'], box);
    // The record reached AWS before the association changed.
    const muts = mutations(h.sim, seq0);
    const tagAt = muts.findIndex((m) => m.action === 'CreateTags' && JSON.stringify(m.params).includes(app));
    const replaceAt = muts.findIndex((m) => m.action === 'ReplaceNetworkAclAssociation');
    assert.ok(tagAt >= 0 && replaceAt > tagAt);

    // A second run changes nothing at the NACL layer.
    const seq1 = h.sim.world.calls.length;
    const again = await run([box], { incident: 'ir-nacl-1' });
    assert.equal(again.instances[0]!.status, 'already-contained');
    assert.deepEqual(
      mutations(h.sim, seq1).filter((m) => /NetworkAcl/.test(m.action)),
      [],
    );
    assert.equal(again.plan.blastRadius, undefined, 'no subnet-level change: no consent needed');

    const seq2 = h.sim.world.calls.length;
    const rr = await restore({ clients, instanceIds: [box], stateDir });
    assert.ok(
      rr.instances[0]!.restored.some((x) => /revive/.test(x.summary)),
      'the restore plan warns about conntrack revival',
    );
    assert.deepEqual(await userNetworkSnapshot(h), snapshot);
    const restoreMuts = mutations(h.sim, seq2);
    const naclBack = restoreMuts.findIndex((m) => m.action === 'ReplaceNetworkAclAssociation');
    const groupsBack = restoreMuts.findIndex(
      (m) => m.action === 'ModifyNetworkInterfaceAttribute' && JSON.stringify(m.params).includes('SecurityGroupId'),
    );
    assert.ok(naclBack >= 0 && groupsBack > naclBack, 'the NACL comes back before the security groups');
    // The isolation NACL stays for reuse (tagged do-not-use), associated with nothing.
    const kept = await h.ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [iso.NetworkAclId!] }));
    assert.deepEqual(kept.NetworkAcls![0]!.Associations, []);
  });

  test('the nacl layer alone leaves the groups alone; a prepared isolation NACL is reused (one call)', async () => {
    const box = instanceId(h, 'box');
    const eni = region(h).ec2.instances.get(box)!.networkInterfaceIds[0]!;
    const groups = [...region(h).ec2.networkInterfaces.get(eni)!.groupIds];
    const seq0 = h.sim.world.calls.length;
    const r = await run([box], { layers: ['nacl'], acceptBlastRadius: true, lowerConntrack: false });
    assert.equal(r.instances[0]!.status, 'contained');
    const muts = mutations(h.sim, seq0);
    assert.deepEqual(
      muts.filter((m) => /SecurityGroup|ModifyNetworkInterfaceAttribute/.test(m.action)),
      [],
    );
    assert.deepEqual(
      muts.filter((m) => m.action !== 'CreateTags').map((m) => m.action),
      ['ReplaceNetworkAclAssociation'],
      'the isolation NACL of the first test is reused',
    );
    const now = (await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] })))
      .NetworkInterfaces![0]!;
    assert.deepEqual(
      now.Groups!.map((g) => g.GroupId),
      groups,
    );
    await restore({ clients, instanceIds: [box], stateDir });
  });
});

describe('NACL layer, top mode', () => {
  let h: SimHarness;
  let clients: AwsClients;
  const stateDir = tempStateDir();
  after(async () => {
    clients.destroy();
    await h.close();
  });

  test("deny entries before the NACL's own; the blast radius covers every subnet on the shared NACL; exact restore", async () => {
    h = await startHarness(layersScenario());
    clients = cordonClients(h.sim);
    const box = instanceId(h, 'box');
    const app = subnetId(h, '10.1.1.0/24');
    const db = subnetId(h, '10.1.2.0/24');
    const snapshot = await userNetworkSnapshot(h);
    const before = await naclOf(h, app);
    const r = await contain({
      clients,
      instanceIds: [box],
      stateDir,
      playbook: NETWORK_ONLY,
      layers: ['sg', 'nacl'],
      naclMode: 'top',
      acceptBlastRadius: true,
    });
    assert.equal(r.instances[0]!.status, 'contained');
    const blast = r.plan.blastRadius!;
    assert.ok(
      blast.enis.some((e) => e.instanceId === instanceId(h, 'dbhost') && e.subnetId === db),
      'the db subnet shares the NACL',
    );
    assert.deepEqual(
      blast.scopes.map((s) => [s.layer, s.resource, s.subnets.sort()]),
      [['nacl', before.NetworkAclId, [app, db].sort()]],
    );
    const now = await naclOf(h, app);
    assert.equal(now.NetworkAclId, before.NetworkAclId, 'same NACL, changed in place');
    assert.deepEqual(userEntries(now, false), [
      '1 deny 0.0.0.0/0',
      '2 deny ::/0',
      '100 allow 0.0.0.0/0',
      '110 allow ::/0',
    ]);
    assert.deepEqual(userEntries(now, true), [
      '1 deny 0.0.0.0/0',
      '2 deny ::/0',
      '100 allow 0.0.0.0/0',
      '110 allow ::/0',
    ]);
    assert.equal(tagsOf(now.Tags)['cordon:nacl-top-entries'], 'in:1,2;out:1,2');
    await restore({ clients, instanceIds: [box], stateDir });
    assert.deepEqual(await userNetworkSnapshot(h), snapshot);
  });
});

describe('NACL layer, top mode without a free rule number, and at the rule limit', () => {
  test('renumbers the lowest rules (recorded, shown in the plan), and restores the original numbers', async () => {
    const h = await startHarness(
      layersScenario({
        appAclEntries: [
          { rule: 1, action: 'deny', cidr: '203.0.113.0/24' },
          { rule: 2, action: 'allow', cidr: '10.0.0.0/8' },
          { rule: 50, action: 'allow', cidr: '0.0.0.0/0' },
          { rule: 1, egress: true, action: 'allow', cidr: '0.0.0.0/0' },
          { rule: 3, egress: true, action: 'allow', cidr: '::/0' },
        ],
      }),
    );
    const clients = cordonClients(h.sim);
    const stateDir = tempStateDir();
    try {
      const box = instanceId(h, 'box');
      const app = subnetId(h, '10.1.1.0/24');
      const snapshot = await userNetworkSnapshot(h);
      const r = await contain({
        clients,
        instanceIds: [box],
        stateDir,
        playbook: NETWORK_ONLY,
        layers: ['nacl'],
        naclMode: 'top',
        acceptBlastRadius: true,
      });
      assert.equal(r.instances[0]!.status, 'contained');
      const renumber = r.plan.changes.filter((c) => c.stepId === 'renumber-nacl-entries').map((c) => c.summary);
      assert.equal(renumber.length, 2);
      assert.match(renumber[0]!, /ingress: renumber rules 2 → 49, 1 → 48/);
      assert.match(renumber[1]!, /egress: renumber rules 3 → 32766, 1 → 32765/);
      const now = await naclOf(h, app);
      assert.deepEqual(userEntries(now, false), [
        '1 deny 0.0.0.0/0',
        '2 deny ::/0',
        '48 deny 203.0.113.0/24',
        '49 allow 10.0.0.0/8',
        '50 allow 0.0.0.0/0',
      ]);
      assert.deepEqual(userEntries(now, true), [
        '1 deny 0.0.0.0/0',
        '2 deny ::/0',
        '32765 allow 0.0.0.0/0',
        '32766 allow ::/0',
      ]);
      assert.equal(tagsOf(now.Tags)['cordon:nacl-renumbered'], 'in:2>49,1>48;out:3>32766,1>32765');
      await restore({ clients, instanceIds: [box], stateDir });
      assert.deepEqual(await userNetworkSnapshot(h), snapshot);
    } finally {
      clients.destroy();
      await h.close();
    }
  });

  test('a full NACL falls back to a dedicated isolation NACL, with a warning', async () => {
    const entries = Array.from({ length: 19 }, (_, i) => ({ rule: 100 + i, action: 'allow', cidr: `10.${i}.0.0/16` }));
    const h = await startHarness(
      layersScenario({ appAclEntries: [...entries, { rule: 100, egress: true, action: 'allow', cidr: '0.0.0.0/0' }] }),
    );
    const clients = cordonClients(h.sim);
    const stateDir = tempStateDir();
    try {
      const box = instanceId(h, 'box');
      const app = subnetId(h, '10.1.1.0/24');
      const snapshot = await userNetworkSnapshot(h);
      const before = await naclOf(h, app);
      const r = await contain({
        clients,
        instanceIds: [box],
        stateDir,
        playbook: NETWORK_ONLY,
        layers: ['sg', 'nacl'],
        naclMode: 'top',
        acceptBlastRadius: true,
      });
      assert.equal(r.instances[0]!.status, 'contained');
      assert.ok(
        r.plan.warnings.some((w) => /rule limit/.test(w) && /falling back to a dedicated isolation NACL/.test(w)),
      );
      const now = await naclOf(h, app);
      assert.notEqual(now.NetworkAclId, before.NetworkAclId);
      assert.equal(tagsOf(now.Tags)['cordon:role'], 'isolation-nacl');
      assert.deepEqual(
        userEntries(
          await h.ec2
            .send(new DescribeNetworkAclsCommand({ NetworkAclIds: [before.NetworkAclId!] }))
            .then((x) => x.NetworkAcls![0]!),
          false,
        ),
        userEntries(before, false),
        'the full NACL is untouched',
      );
      await restore({ clients, instanceIds: [box], stateDir });
      assert.deepEqual(await userNetworkSnapshot(h), snapshot);
    } finally {
      clients.destroy();
      await h.close();
    }
  });
});

describe('--allow-cidr: a forensics network through the group and the NACL', () => {
  test('per-allow-list group and NACL, never reused by an incident without that allow-list', async () => {
    const h = await startHarness(layersScenario());
    const clients = cordonClients(h.sim);
    const stateDir = tempStateDir();
    try {
      const box = instanceId(h, 'box');
      const mainbox = instanceId(h, 'mainbox');
      const r = await contain({
        clients,
        instanceIds: [box],
        stateDir,
        playbook: NETWORK_ONLY,
        layers: ['sg', 'nacl'],
        allowCidrs: ['10.99.0.0/24'],
        acceptBlastRadius: true,
      });
      assert.equal(r.instances[0]!.status, 'contained');
      const eni = region(h).ec2.instances.get(box)!.networkInterfaceIds[0]!;
      const onGroup = (
        await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] }))
      ).NetworkInterfaces![0]!.Groups!.map((g) => g.GroupId!);
      const g = (await h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: onGroup }))).SecurityGroups![0]!;
      assert.equal(tagsOf(g.Tags)['cordon:role'], 'isolation-allow');
      assert.equal(tagsOf(g.Tags)['cordon:allow-list'], '10.99.0.0/24');
      assert.deepEqual(
        g.IpPermissions!.map((p) => [p.IpProtocol, p.IpRanges!.map((x) => x.CidrIp)]),
        [['-1', ['10.99.0.0/24']]],
      );
      assert.deepEqual(
        g.IpPermissionsEgress!.map((p) => [p.IpProtocol, p.IpRanges!.map((x) => x.CidrIp)]),
        [['-1', ['10.99.0.0/24']]],
      );
      const nacl = await naclOf(h, subnetId(h, '10.1.1.0/24'));
      assert.equal(tagsOf(nacl.Tags)['cordon:allow-list'], '10.99.0.0/24');
      assert.deepEqual(userEntries(nacl, false), ['100 allow 10.99.0.0/24']);
      assert.deepEqual(userEntries(nacl, true), ['100 allow 10.99.0.0/24']);

      // Another incident without the allow-list gets the plain empty group and a deny-all NACL.
      const r2 = await contain({
        clients,
        instanceIds: [mainbox],
        stateDir,
        playbook: NETWORK_ONLY,
        layers: ['sg', 'nacl'],
        acceptBlastRadius: true,
      });
      assert.equal(r2.instances[0]!.status, 'contained');
      const eni2 = region(h).ec2.instances.get(mainbox)!.networkInterfaceIds[0]!;
      const g2 = (
        await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni2] }))
      ).NetworkInterfaces![0]!.Groups!.map((x) => x.GroupId!);
      assert.notDeepEqual(g2, onGroup);
      const nacl2 = await naclOf(h, subnetId(h, '10.1.3.0/24'));
      assert.notEqual(nacl2.NetworkAclId, nacl.NetworkAclId);
      assert.deepEqual(userEntries(nacl2, false), []);
      const emptyGroup = (await h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: g2 }))).SecurityGroups![0]!;
      assert.equal(tagsOf(emptyGroup.Tags)['cordon:role'], 'isolation-empty');
    } finally {
      clients.destroy();
      await h.close();
    }
  });
});

describe('saved plans and permissions', () => {
  test('a saved top-mode plan is refused once the NACL changed (its rule numbers could collide)', async () => {
    const h = await startHarness(layersScenario());
    const clients = cordonClients(h.sim);
    const stateDir = tempStateDir();
    try {
      const box = instanceId(h, 'box');
      const p = await planContainment({
        clients,
        instanceIds: [box],
        stateDir,
        playbook: NETWORK_ONLY,
        layers: ['nacl'],
        naclMode: 'top',
      });
      assert.deepEqual(p.plan.options.layers, ['nacl']);
      const acl = await naclOf(h, subnetId(h, '10.1.1.0/24'));
      await h.ec2.send(
        new CreateNetworkAclEntryCommand({
          NetworkAclId: acl.NetworkAclId,
          RuleNumber: 1,
          Egress: false,
          Protocol: '-1',
          RuleAction: 'allow',
          CidrBlock: '192.0.2.0/24',
        }),
      );
      const seq0 = h.sim.world.calls.length;
      await assert.rejects(
        contain({ clients, instanceIds: [box], stateDir, plan: p.plan, acceptBlastRadius: true }),
        (e: unknown) => e instanceof CordonError && e.code === 'stale-plan',
      );
      assert.deepEqual(mutations(h.sim, seq0), []);
    } finally {
      clients.destroy();
      await h.close();
    }
  });

  test('DryRun preflight names the layer permissions a responder lacks', async () => {
    const h = await startHarness(
      layersScenario({
        credentials: [
          { accessKeyId: 'AKIADEMORESPONDER01' },
          { accessKeyId: 'AKIANONACLRESPONDER', deny: ['ec2:ReplaceNetworkAclAssociation', 'ec2:CreateRouteTable'] },
        ],
      }),
    );
    const clients = cordonClients(h.sim, { accessKeyId: 'AKIANONACLRESPONDER' });
    try {
      const seq0 = h.sim.world.calls.length;
      const p = await planContainment({
        clients,
        instanceIds: [instanceId(h, 'box')],
        stateDir: tempStateDir(),
        playbook: NETWORK_ONLY,
        layers: ['sg', 'nacl', 'route'],
      });
      assert.deepEqual(p.missingPermissions.map((m) => m.action).sort(), [
        'ec2:CreateRouteTable',
        'ec2:ReplaceNetworkAclAssociation',
      ]);
      assert.deepEqual(mutations(h.sim, seq0), [], 'DryRun changes nothing');
    } finally {
      clients.destroy();
      await h.close();
    }
  });
});
