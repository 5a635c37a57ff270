import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';

interface LabFlow {
  name?: string;
  protocol: string;
  path: string;
  initiator: string;
  localPort?: number;
  alive: boolean;
  reason: string;
  remedy?: string;
}
interface LabOut {
  instanceId: string;
  result: { instances: { status: string }[]; roundTrips: number };
  flowsBefore: LabFlow[];
  flowsAfter: LabFlow[];
}

function sshOf(flows: LabFlow[]): LabFlow {
  return flows.find((f) => f.protocol === 'tcp' && f.initiator === 'inbound' && f.localPort === 22)!;
}

test('cordon lab: the two-step swap cuts the tracked SSH session; ICMP and the NAT path survive with a remedy', async () => {
  const r = await runCli(['lab', '--output', 'json', '--latency-ms', '0']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as LabOut;
  assert.equal(out.result.instances[0]!.status, 'contained');
  assert.ok(out.flowsBefore.length >= 5 && out.flowsBefore.every((f) => f.alive));
  assert.equal(sshOf(out.flowsAfter).alive, false, 'tracked SSH session cut');
  const icmp = out.flowsAfter.find((f) => f.protocol === 'icmp')!;
  assert.equal(icmp.alive, true);
  assert.match(icmp.remedy ?? '', /NACL/);
  const nat = out.flowsAfter.find((f) => f.path === 'nat')!;
  assert.equal(nat.alive, true);
  assert.equal(out.flowsAfter.find((f) => f.path === 'same-subnet')!.alive, false);
});

test('cordon lab --naive: a one-step swap leaves the tracked SSH session alive', async () => {
  const r = await runCli(['lab', '--output', 'json', '--latency-ms', '0', '--naive']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as LabOut;
  assert.equal(sshOf(out.flowsAfter).alive, true);
  assert.match(sshOf(out.flowsAfter).reason, /track/i);
});

test('cordon lab (text) reads as a report', async () => {
  const r = await runCli(['lab', '--latency-ms', '0']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Attacker flows before containment/);
  assert.match(r.stdout, /Timeline/);
  assert.match(r.stdout, /✓ cut/);
  assert.match(r.stdout, /ALIVE/);
  // The time basis is said (the report counts from the start of apply and says how long planning took).
  assert.match(
    r.stdout,
    /CONTAINED — network isolation \d+ ms after cordon started \(reading and planning included\), \d+ round trip/,
  );
});
