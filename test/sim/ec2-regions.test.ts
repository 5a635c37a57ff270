import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeAccountAttributesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeRegionsCommand,
} from '@aws-sdk/client-ec2';
import { awsError, clients, startHarness, tinyScenario } from '../helpers/sim.js';
import { DEFAULT_VPC, FULL_KEY, networkScenario } from '../helpers/ec2-network.js';
import { KNOWN_REGIONS } from '../../src/sim/state/world.js';

const NARROW_KEY = 'AKIANETNARROW000001';

/** The network scenario plus a key allowed only ec2:DescribeVpcs, and a subnet in a fourth zone of us-east-1. */
function scenario(): Record<string, unknown> {
  const s = networkScenario([
    { name: 'far', cidr: '10.200.0.0/16', subnets: [{ name: 'far-d', cidr: '10.200.0.0/24', az: 'us-east-1d' }] },
  ]);
  const account = (s.accounts as { credentials: Record<string, unknown>[] }[])[0]!;
  account.credentials.push({ accessKeyId: NARROW_KEY, user: 'narrow', allow: ['ec2:DescribeVpcs'] });
  return s;
}

test('DescribeRegions: enabled Regions with endpoints, AllRegions adds not-opted-in ones, RegionName.N, filters, unknown names', async () => {
  const h = await startHarness(scenario(), { accessKeyId: FULL_KEY });
  try {
    const out = (await h.ec2.send(new DescribeRegionsCommand({}))).Regions!;
    assert.deepEqual(out.map((r) => r.RegionName).sort(), [...KNOWN_REGIONS].sort());
    const use1 = out.find((r) => r.RegionName === 'us-east-1')!;
    assert.deepEqual(use1, {
      RegionName: 'us-east-1',
      Endpoint: 'ec2.us-east-1.amazonaws.com',
      OptInStatus: 'opt-in-not-required',
    });

    const all = (await h.ec2.send(new DescribeRegionsCommand({ AllRegions: true }))).Regions!;
    assert.ok(all.length > out.length);
    assert.equal(all.find((r) => r.RegionName === 'af-south-1')!.OptInStatus, 'not-opted-in');
    const optIn = (
      await h.ec2.send(
        new DescribeRegionsCommand({
          AllRegions: true,
          Filters: [{ Name: 'opt-in-status', Values: ['not-opted-in'] }],
        }),
      )
    ).Regions!;
    assert.ok(optIn.length > 0 && optIn.every((r) => r.OptInStatus === 'not-opted-in'));

    const named = (await h.ec2.send(new DescribeRegionsCommand({ RegionNames: ['eu-west-1', 'ap-south-1'] }))).Regions!;
    assert.deepEqual(
      named.map((r) => r.RegionName),
      ['ap-south-1', 'eu-west-1'],
    );
    const byFilter = (
      await h.ec2.send(new DescribeRegionsCommand({ Filters: [{ Name: 'region-name', Values: ['us-*'] }] }))
    ).Regions!;
    assert.deepEqual(
      byFilter.map((r) => r.RegionName),
      ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'],
    );
    const endpoint = (
      await h.ec2.send(
        new DescribeRegionsCommand({ Filters: [{ Name: 'endpoint', Values: ['ec2.sa-east-1.amazonaws.com'] }] }),
      )
    ).Regions!;
    assert.deepEqual(
      endpoint.map((r) => r.RegionName),
      ['sa-east-1'],
    );

    const e = await awsError(() =>
      h.ec2.send(new DescribeRegionsCommand({ RegionNames: ['us-east-1', 'mars-north-1'] })),
    );
    assert.deepEqual([e.name, e.status], ['InvalidParameterValue', 400]);
    assert.match(e.message, /mars-north-1/);
  } finally {
    await h.close();
  }
});

test('Describe calls with DryRun answer 412; a key without the action answers 403 UnauthorizedOperation', async () => {
  const h = await startHarness(scenario(), { accessKeyId: FULL_KEY });
  const narrow = clients(h.endpoint, { accessKeyId: NARROW_KEY });
  try {
    for (const cmd of [
      new DescribeRegionsCommand({ DryRun: true }),
      new DescribeAvailabilityZonesCommand({ DryRun: true }),
      new DescribeAccountAttributesCommand({ DryRun: true }),
    ]) {
      const e = await awsError(() => h.ec2.send(cmd as never));
      assert.deepEqual([e.name, e.status], ['DryRunOperation', 412], cmd.constructor.name);
    }
    for (const cmd of [
      new DescribeRegionsCommand({}),
      new DescribeAvailabilityZonesCommand({ DryRun: true }),
      new DescribeAccountAttributesCommand({}),
    ]) {
      const e = await awsError(() => narrow.ec2.send(cmd as never));
      assert.deepEqual([e.name, e.status], ['UnauthorizedOperation', 403], cmd.constructor.name);
      assert.match(e.message, /ec2:Describe(Regions|AvailabilityZones|AccountAttributes)/);
    }
  } finally {
    for (const c of Object.values(narrow)) c.destroy();
    await h.close();
  }
});

test('DescribeAvailabilityZones: a, b, c (and zones in use) with zone ids, per Region; ZoneName.N, ZoneId.N, filters, unknown zones', async () => {
  const h = await startHarness(scenario(), { accessKeyId: FULL_KEY });
  const euw1 = clients(h.endpoint, { accessKeyId: FULL_KEY, region: 'eu-west-1' });
  try {
    const zones = (await h.ec2.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
    assert.deepEqual(
      zones.map((z) => [z.ZoneName, z.ZoneId]),
      [
        ['us-east-1a', 'use1-az1'],
        ['us-east-1b', 'use1-az2'],
        ['us-east-1c', 'use1-az3'],
        ['us-east-1d', 'use1-az4'],
      ],
    );
    const a = zones[0]!;
    assert.equal(a.State, 'available');
    assert.equal(a.RegionName, 'us-east-1');
    assert.equal(a.ZoneType, 'availability-zone');
    assert.equal(a.OptInStatus, 'opt-in-not-required');
    assert.equal(a.GroupName, 'us-east-1');
    assert.equal(a.NetworkBorderGroup, 'us-east-1');

    const eu = (await euw1.ec2.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
    assert.deepEqual(
      eu.map((z) => [z.ZoneName, z.ZoneId, z.RegionName]),
      [
        ['eu-west-1a', 'euw1-az1', 'eu-west-1'],
        ['eu-west-1b', 'euw1-az2', 'eu-west-1'],
        ['eu-west-1c', 'euw1-az3', 'eu-west-1'],
      ],
    );

    const byName = (await h.ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1b'] })))
      .AvailabilityZones!;
    assert.deepEqual(
      byName.map((z) => z.ZoneId),
      ['use1-az2'],
    );
    const byId = (await h.ec2.send(new DescribeAvailabilityZonesCommand({ ZoneIds: ['use1-az3'] }))).AvailabilityZones!;
    assert.deepEqual(
      byId.map((z) => z.ZoneName),
      ['us-east-1c'],
    );
    const filtered = (
      await h.ec2.send(
        new DescribeAvailabilityZonesCommand({
          Filters: [{ Name: 'zone-name', Values: ['us-east-1a', 'us-east-1c'] }],
        }),
      )
    ).AvailabilityZones!;
    assert.deepEqual(
      filtered.map((z) => z.ZoneName),
      ['us-east-1a', 'us-east-1c'],
    );

    const e = await awsError(() => h.ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1z'] })));
    assert.deepEqual([e.name, e.status], ['InvalidParameterValue', 400]);
    assert.match(e.message, /us-east-1z/);
    assert.equal(
      (
        await awsError(() =>
          h.ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'size', Values: ['x'] }] })),
        )
      ).name,
      'InvalidParameterValue',
    );
  } finally {
    for (const c of Object.values(euw1)) c.destroy();
    await h.close();
  }
});

test('DescribeAccountAttributes: default-vpc (or none), supported-platforms, the ENI group quota; AttributeName.N and unknown names', async () => {
  const h = await startHarness(scenario(), { accessKeyId: FULL_KEY });
  try {
    const all = (await h.ec2.send(new DescribeAccountAttributesCommand({}))).AccountAttributes!;
    const value = (n: string) => all.find((a) => a.AttributeName === n)!.AttributeValues!.map((v) => v.AttributeValue);
    assert.deepEqual(value('default-vpc'), [DEFAULT_VPC]);
    assert.deepEqual(value('supported-platforms'), ['VPC']);
    assert.deepEqual(value('vpc-max-security-groups-per-interface'), ['5']);
    const one = (await h.ec2.send(new DescribeAccountAttributesCommand({ AttributeNames: ['default-vpc'] })))
      .AccountAttributes!;
    assert.deepEqual(
      one.map((a) => a.AttributeName),
      ['default-vpc'],
    );
    const e = await awsError(() =>
      h.ec2.send(new DescribeAccountAttributesCommand({ AttributeNames: ['favourite-colour' as never] })),
    );
    assert.deepEqual([e.name, e.status], ['InvalidParameterValue', 400]);
  } finally {
    await h.close();
  }
  const t = await startHarness(tinyScenario());
  try {
    const out = (await t.ec2.send(new DescribeAccountAttributesCommand({ AttributeNames: ['default-vpc'] })))
      .AccountAttributes!;
    assert.deepEqual(out[0]!.AttributeValues, [{ AttributeValue: 'none' }]);
  } finally {
    await t.close();
  }
});
