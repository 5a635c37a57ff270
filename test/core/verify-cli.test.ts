// `cordon verify` as a child process against the simulator: what a responder reads, and the exit codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { startHarness } from '../helpers/sim.js';
import {
  ACL_ISOLATION,
  ENI1,
  ENI2,
  MGMT_A,
  RTB_ISOLATION,
  SG_EMPTY,
  SG_OPEN,
  WEB1,
  WEB_A,
  containmentScenario,
  setGroups,
  setNacl,
  setRouteTable,
} from '../sim/dataplane-fixture.js';
import type { VerifyReport } from '../../src/core/verify/verify.js';

test('cordon verify: a table per ENI and a bottom line; exit 5 while anything can still get through; JSON gives the same as data', async () => {
  const h = await startHarness(containmentScenario());
  try {
    const text = await runCli(['verify', WEB1, '--endpoint-url', h.endpoint]);
    assert.equal(text.code, 5, text.stderr);
    assert.match(text.stdout, /^cordon verify i-0c0ffee0000000001 \(us-east-1\)/);
    assert.match(
      text.stdout,
      /eni-0c0ffee0000000001 {2}device 0 · subnet-0a1b2c3d4e5f60001 · sg-0a1b2c3d4e5f60001, sg-0a1b2c3d4e5f60002/,
    );
    // Columns: TCP/UDP tracked, untracked, ICMP, other IP protocols, auto-tracked. No group admits GRE or ESP.
    assert.match(text.stdout, /\n {2}internet {7}in {7}OPEN {15}OPEN {15}OPEN {15}may survive {8}OPEN/);
    assert.match(text.stdout, /What still gets through, and what would cut it:/);
    assert.match(text.stdout, /admitted by sg-0a1b2c3d4e5f60002 ingress tcp 22 from 203\.0\.113\.0\/24/);
    assert.match(text.stdout, /e\.g\. tcp 203\.0\.113\.1:49152 → instance:22 \(igw\)/, 'the example names both ports');
    assert.match(
      text.stdout,
      /\nBottom line: \d+ of 80 classes may still reach this instance: \d+ open to new connections \(internet, other networks, same VPC, same subnet\)/,
    );

    const json = await runCli([
      'verify',
      WEB1,
      '--endpoint-url',
      h.endpoint,
      '--output',
      'json',
      '--no-untracking-assumption',
    ]);
    assert.equal(json.code, 5);
    const r = JSON.parse(json.stdout) as VerifyReport;
    assert.equal(r.instanceId, WEB1);
    assert.deepEqual(
      r.enis.map((e) => e.networkInterfaceId),
      [ENI1, ENI2],
    );
    assert.equal(r.summary.classes, 80);
    assert.deepEqual(r.options, { untrackingDropsEntries: false, untrackStepApplied: false });
    const ssh = r.enis[0]!.classes.find(
      (c) => c.side === 'internet' && c.direction === 'inbound' && c.kind === 'tracked',
    )!;
    assert.equal(ssh.verdict, 'open');
    assert.equal(ssh.paths!.find((p) => p.path === 'igw' && p.family === 4)!.verdict, 'open');
  } finally {
    await h.close();
  }
});

test('cordon verify after swap + NACL + route isolation (--after-swap): contained as far as the network allows, exit 0', async () => {
  const h = await startHarness(containmentScenario());
  try {
    for (const eni of [ENI1, ENI2]) await setGroups(h.ec2, eni, [SG_OPEN]);
    for (const eni of [ENI1, ENI2]) await setGroups(h.ec2, eni, [SG_EMPTY]);
    for (const s of [WEB_A, MGMT_A]) await setNacl(h.ec2, s, ACL_ISOLATION);
    for (const s of [WEB_A, MGMT_A]) await setRouteTable(h.ec2, s, RTB_ISOLATION);
    const r = await runCli(['verify', WEB1, '--endpoint-url', h.endpoint, '--after-swap']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\n {2}same subnet {4}in {7}cut {16}cut {16}may survive {8}may survive {8}may survive/);
    assert.match(
      r.stdout,
      /Bottom line: Contained as far as the network allows: nothing new gets in or out\. Left: existing ICMP, other IP protocols \(GRE, ESP…\) and auto-tracked/,
    );
    const without = await runCli(['verify', WEB1, '--endpoint-url', h.endpoint]);
    assert.equal(without.code, 5, 'without --after-swap, tracked connections inside the subnet may survive');
    assert.match(without.stdout, /same subnet in TCP\/UDP tracked \(5 d idle\)/);
  } finally {
    await h.close();
  }
});

test('cordon verify refuses bad input and says what to do; it needs only Describe permissions', async () => {
  const scenario = containmentScenario();
  ((scenario.accounts as Record<string, unknown>[])[0]!.credentials as unknown[]).push({
    accessKeyId: 'AKIANOSGREAD0000001',
    allow: ['ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces'],
  });
  const h = await startHarness(scenario);
  try {
    const auditor = await runCli(['verify', WEB1, '--endpoint-url', h.endpoint, '--output', 'json'], {
      AWS_ACCESS_KEY_ID: 'AKIADEMOREADONLY001',
    });
    assert.equal(auditor.code, 5, auditor.stderr);
    assert.equal((JSON.parse(auditor.stdout) as VerifyReport).summary.classes, 80);
    const denied = await runCli(['verify', WEB1, '--endpoint-url', h.endpoint], {
      AWS_ACCESS_KEY_ID: 'AKIANOSGREAD0000001',
    });
    assert.equal(denied.code, 4, denied.stderr);
    assert.match(denied.stderr, /AWS refused a read verify needs \(UnauthorizedOperation\)/);
    assert.match(denied.stderr, /verify only reads: grant ec2:DescribeInstances, .*ec2:DescribeSecurityGroups/);
    const bad = await runCli(['verify', 'web-1', '--endpoint-url', h.endpoint]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"web-1" is not an instance id/);
    const missing = await runCli(['verify', 'i-0000000000000dead', '--endpoint-url', h.endpoint]);
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, /instance i-0000000000000dead not found/);
    const noRegion = await runCli(['verify', WEB1, '--endpoint-url', h.endpoint], {
      AWS_REGION: '',
      AWS_DEFAULT_REGION: '',
    });
    assert.equal(noRegion.code, 2);
    assert.match(noRegion.stderr, /no AWS region given/);
    const fmt = await runCli(['verify', WEB1, '--endpoint-url', h.endpoint, '--output', 'yaml']);
    assert.equal(fmt.code, 2);
    assert.match(fmt.stderr, /--output must be "text" or "json"/);
  } finally {
    await h.close();
  }
});
