import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeInstancesCommand,
} from '@aws-sdk/client-ec2';
import { startHarness, tinyScenario, type SimHarness } from '../helpers/sim.js';
import { cordonClients, mutations, tempStateDir, withoutCordonTags } from '../helpers/cordon.js';
import { contain, planContainment } from '../../src/engine/contain.js';
import { restore } from '../../src/engine/restore.js';
import { prepare } from '../../src/engine/prepare.js';
import { CordonError, EXIT } from '../../src/core/errors.js';
import { TAG } from '../../src/core/tags.js';

const WEB1 = 'i-0c0ffee0000000001';
const ENI1 = 'eni-0c0ffee0000000001';
const ENI2 = 'eni-0c0ffee0000000002';

async function enis(h: SimHarness, ids: string[]) {
  const r = await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids }));
  return r.NetworkInterfaces!;
}

describe('contain + restore on the demo (multi-ENI, IPv6, cold)', () => {
  let h: SimHarness;
  const stateDir = tempStateDir();
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test('contains every ENI with the two-step swap and restores exactly', async () => {
    const beforeEnis = await enis(h, [ENI1, ENI2]);
    const beforeInst = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [WEB1] }));
    const clients = cordonClients(h.sim);
    const seq0 = h.sim.world.calls.length;
    const r = await contain({ clients, instanceIds: [WEB1], stateDir, incident: 'ir-test-1' });
    assert.equal(r.instances[0]!.status, 'contained');
    assert.equal(r.incident, 'ir-test-1');
    assert.ok(r.instances[0]!.enis.every((e) => e.isolated));

    // Isolation groups were created with their rules and markers.
    const groups = await h.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag-key', Values: [TAG.role] }] }),
    );
    const open = groups.SecurityGroups!.find((g) =>
      g.Tags!.some((t) => t.Key === TAG.role && t.Value === 'isolation-open'),
    )!;
    const empty = groups.SecurityGroups!.find((g) =>
      g.Tags!.some((t) => t.Key === TAG.role && t.Value === 'isolation-empty'),
    )!;
    assert.ok(
      open.IpPermissions!.some(
        (p) =>
          p.IpProtocol === '-1' &&
          p.IpRanges!.some((x) => x.CidrIp === '0.0.0.0/0') &&
          p.Ipv6Ranges!.some((x) => x.CidrIpv6 === '::/0'),
      ),
    );
    assert.ok(
      open.IpPermissionsEgress!.some((p) => p.IpProtocol === '-1' && p.IpRanges!.some((x) => x.CidrIp === '0.0.0.0/0')),
    );
    assert.ok(
      open.IpPermissionsEgress!.some((p) => p.IpProtocol === '-1' && p.Ipv6Ranges!.some((x) => x.CidrIpv6 === '::/0')),
    );
    assert.deepEqual(empty.IpPermissions, []);
    assert.deepEqual(empty.IpPermissionsEgress, []);
    assert.ok(empty.Tags!.some((t) => t.Key === TAG.doNotUse));

    // Per-ENI swaps: open first, then empty, never ModifyInstanceAttribute.
    const muts = mutations(h.sim, seq0);
    // (ModifyInstanceAttribute is used by evidence preservation, for termination protection etc. — never for groups.)
    assert.equal(
      muts.filter(
        (m) => m.action === 'ModifyInstanceAttribute' && (m.params as { GroupId?: unknown }).GroupId !== undefined,
      ).length,
      0,
    );
    for (const eni of [ENI1, ENI2]) {
      const swaps = muts.filter(
        (m) =>
          m.action === 'ModifyNetworkInterfaceAttribute' &&
          (m.params as { NetworkInterfaceId: string; SecurityGroupId?: string[] }).NetworkInterfaceId === eni &&
          (m.params as { SecurityGroupId?: string[] }).SecurityGroupId,
      );
      assert.deepEqual(
        swaps.map((m) => (m.params as { SecurityGroupId: string[] }).SecurityGroupId),
        [[open.GroupId], [empty.GroupId]],
      );
    }

    // Write-ahead record on each ENI; conntrack lowered.
    const contained = await enis(h, [ENI1, ENI2]);
    const tags1 = Object.fromEntries(contained[0]!.TagSet!.map((t) => [t.Key, t.Value]));
    assert.equal(tags1[TAG.originalGroups], 'sg-0a1b2c3d4e5f60001,sg-0a1b2c3d4e5f60002');
    assert.equal(tags1[TAG.originalConntrack], 'default');
    assert.deepEqual(contained[0]!.ConnectionTrackingConfiguration, {
      TcpEstablishedTimeout: 60,
      UdpStreamTimeout: 60,
      UdpTimeout: 30,
    });

    // Restore: every touched resource as before, apart from cordon's tags (and conntrack now explicit defaults).
    // web-1 left its Auto Scaling group: it stays Detaching while its target group drains (300 s of simulated time).
    h.sim.world.clock.advance(301_000);
    await restore({ clients, instanceIds: [WEB1], stateDir });
    const afterEnis = await enis(h, [ENI1, ENI2]);
    for (const e of afterEnis) {
      assert.deepEqual(e.ConnectionTrackingConfiguration, {
        TcpEstablishedTimeout: 432000,
        UdpStreamTimeout: 180,
        UdpTimeout: 30,
      });
      delete e.ConnectionTrackingConfiguration;
    }
    assert.deepEqual(withoutCordonTags(afterEnis), withoutCordonTags(beforeEnis));
    const afterInst = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [WEB1] }));
    const strip = (x: typeof afterInst) => {
      const i = withoutCordonTags(x.Reservations![0]!.Instances![0]!);
      for (const n of i.NetworkInterfaces ?? []) delete n.ConnectionTrackingConfiguration;
      return i;
    };
    assert.deepEqual(strip(afterInst), strip(beforeInst));
    const instTags = Object.fromEntries(afterInst.Reservations![0]!.Instances![0]!.Tags!.map((t) => [t.Key, t.Value]));
    assert.equal(instTags[TAG.status], 'released');
    clients.destroy();
  });
});

describe('prepared groups, idempotency, plan, stale plans, drift', () => {
  let h: SimHarness;
  const stateDir = tempStateDir();
  before(async () => {
    h = await startHarness(tinyScenario());
  });
  after(async () => h.close());

  test('prepare is idempotent; contain reuses prepared groups; a second contain changes nothing', async () => {
    const clients = cordonClients(h.sim);
    const p1 = await prepare(clients, 'all');
    const p2 = await prepare(clients, 'all');
    assert.equal(p1.vpcs.length, 1);
    assert.ok(p1.vpcs[0]!.open.created && p1.vpcs[0]!.empty.created);
    assert.ok(!p2.vpcs[0]!.open.created && !p2.vpcs[0]!.empty.created);
    assert.equal(p2.vpcs[0]!.empty.groupId, p1.vpcs[0]!.empty.groupId);

    const inst = [...h.sim.world.region('111122223333', 'us-east-1').ec2.instances.keys()][0]!;
    const eniId = h.sim.world.region('111122223333', 'us-east-1').ec2.instances.get(inst)!.networkInterfaceIds[0]!;
    const originalGroups = [
      ...h.sim.world.region('111122223333', 'us-east-1').ec2.networkInterfaces.get(eniId)!.groupIds,
    ];
    const seq0 = h.sim.world.calls.length;
    const r = await contain({ clients, instanceIds: [inst], stateDir, incident: 'ir-prep' });
    assert.equal(r.instances[0]!.status, 'contained');
    assert.equal(mutations(h.sim, seq0).filter((m) => m.action === 'CreateSecurityGroup').length, 0);
    assert.equal(r.apply.steps.find((s) => s.id === 'ensure-isolation-groups')!.status, 'nothing-to-do');

    const seq1 = h.sim.world.calls.length;
    const again = await contain({ clients, instanceIds: [inst], stateDir, incident: 'ir-prep-2' });
    assert.equal(again.instances[0]!.status, 'already-contained');
    assert.equal(again.plan.changes.length, 0);
    assert.deepEqual(
      mutations(h.sim, seq1).filter((m) => m.action !== 'CreateTags'),
      [],
    );
    const eni = (await enis(h, [eniId]))[0]!;
    const tag = eni.TagSet!.find((t) => t.Key === TAG.originalGroups)!.Value;
    assert.equal(tag, originalGroups.join(','), 'the isolation group is never recorded as original');

    await restore({ clients, instanceIds: [inst], stateDir });
    assert.deepEqual(
      (await enis(h, [eniId]))[0]!.Groups!.map((g) => g.GroupId),
      originalGroups,
    );
    clients.destroy();
  });

  test('plan changes nothing, runs DryRun, and names a missing permission', async () => {
    await h.sim.reset({
      ...tinyScenario(),
      accounts: [
        {
          ...(tinyScenario().accounts as object[])[0],
          credentials: [{ accessKeyId: 'AKIANOMODIFY0000001', deny: ['ec2:ModifyNetworkInterfaceAttribute'] }],
        },
      ],
    } as Record<string, unknown>);
    const inst = [...h.sim.world.region('111122223333', 'us-east-1').ec2.instances.keys()][0]!;
    const seq0 = h.sim.world.calls.length;
    const ok = await planContainment({ clients: cordonClients(h.sim), instanceIds: [inst], stateDir });
    assert.deepEqual(ok.missingPermissions, []);
    assert.ok(h.sim.world.calls.slice(seq0).some((c) => c.dryRun && c.errorCode === 'DryRunOperation'));
    const denied = await planContainment({
      clients: cordonClients(h.sim, { accessKeyId: 'AKIANOMODIFY0000001' }),
      instanceIds: [inst],
      stateDir,
    });
    assert.deepEqual(
      [...new Set(denied.missingPermissions.map((m) => m.action))],
      ['ec2:ModifyNetworkInterfaceAttribute'],
    );
    assert.deepEqual(mutations(h.sim, seq0), []);
  });

  test('a saved plan whose facts changed is refused as stale; drift blocks restore without --force', async () => {
    await h.sim.reset(tinyScenario());
    const clients = cordonClients(h.sim);
    const region = h.sim.world.region('111122223333', 'us-east-1');
    const inst = [...region.ec2.instances.keys()][0]!;
    const eniId = region.ec2.instances.get(inst)!.networkInterfaceIds[0]!;
    const { plan } = await planContainment({ clients, instanceIds: [inst], stateDir });
    const vpcDefault = [...region.ec2.securityGroups.values()].find((g) => g.groupName === 'default')!.groupId;
    region.ec2.networkInterfaces.get(eniId)!.groupIds.push(vpcDefault);
    const seq0 = h.sim.world.calls.length;
    await assert.rejects(
      contain({ clients, instanceIds: [inst], stateDir, plan }),
      (e: unknown) => e instanceof CordonError && e.exitCode === EXIT.stale,
    );
    assert.deepEqual(mutations(h.sim, seq0), []);

    await contain({ clients, instanceIds: [inst], stateDir });
    region.ec2.networkInterfaces.get(eniId)!.groupIds = [vpcDefault]; // someone changed it by hand
    await assert.rejects(
      restore({ clients, instanceIds: [inst], stateDir }),
      (e: unknown) => e instanceof CordonError && e.code === 'drift',
    );
    await restore({ clients, instanceIds: [inst], stateDir, force: true });
    assert.equal(region.ec2.networkInterfaces.get(eniId)!.groupIds.length, 2);
    clients.destroy();
  });
});

describe('bad input changes nothing', () => {
  let h: SimHarness;
  const stateDir = tempStateDir();
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  const cases: [string, string[], string, number][] = [
    ['malformed id', ['i-xyz'], 'malformed-id', EXIT.usage],
    ['unknown id', ['i-0123456789abcdef0'], 'instance-not-found', EXIT.refused],
  ];
  for (const [name, ids, code, exit] of cases) {
    test(name, async () => {
      const seq0 = h.sim.world.calls.length;
      await assert.rejects(
        contain({ clients: cordonClients(h.sim), instanceIds: ids, stateDir }),
        (e: unknown) => e instanceof CordonError && e.code === code && e.exitCode === exit,
      );
      assert.deepEqual(mutations(h.sim, seq0), []);
    });
  }

  test('terminated or shutting-down instance is refused', async () => {
    const inst = h.sim.world.region('111122223333', 'us-east-1').ec2.instances.get('i-0c0ffee0000000003')!;
    for (const state of ['terminated', 'shutting-down'] as const) {
      inst.state = state;
      const seq0 = h.sim.world.calls.length;
      await assert.rejects(
        contain({ clients: cordonClients(h.sim), instanceIds: [inst.instanceId], stateDir }),
        (e: unknown) => e instanceof CordonError && e.code === 'instance-gone',
      );
      assert.deepEqual(mutations(h.sim, seq0), []);
    }
    inst.state = 'running';
  });

  test('an instance in another region is found and named', async () => {
    const err = await contain({
      clients: cordonClients(h.sim, { region: 'eu-west-1' }),
      instanceIds: [WEB1],
      stateDir,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof CordonError);
    assert.equal(err.code, 'instance-not-found');
    assert.match(err.hint ?? '', /us-east-1/);
  });
});
