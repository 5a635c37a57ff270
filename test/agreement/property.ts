// The property-based agreement run: for a random case (generators.ts) it builds the world on the simulator, opens the
// flows on its data plane, applies the containment steps through the real SDK, and after each step compares
// `verify` (from what the SDK describes) with the data plane, flow by flow:
//   soundness     no alive flow is in a class, or a path entry, that verify calls cut; a flow opened now and admitted
//                 is in a class and path entry verify calls open;
//   completeness  every example opens: an open one as it stands; a may-survive one once a probe group has admitted
//                 it (an existing connection) and the ENI's groups are put back.
// Used by test/agreement/property.test.ts (a few fixed seeds) and bench/agreement.ts (many).

import fc from 'fast-check';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { familyOf } from '../../src/core/cidr.js';
import { createClients } from '../../src/aws/clients.js';
import { gatherNetworkFacts } from '../../src/aws/facts.js';
import { verify, type ClassVerdict, type FlowExample, type VerifyReport } from '../../src/core/verify/verify.js';
import { dataplaneOf, FlowSpecError, type DataPlane, type FlowView } from '../../src/sim/dataplane/index.js';
import { startSimulator, type Simulator } from '../../src/sim/server.js';
import { setGroups } from '../sim/dataplane-fixture.js';
import { IDS, type Case, type WorldSpec } from './cases.js';
import { caseArb } from './generators.js';
import { apply, range } from './steps.js';
import { flowSpec, scenarioOf } from './world.js';

export interface Outcome {
  /** Flows opened on the data plane (random ones and examples). */
  flows: number;
  /** Alive flows held to verify's verdicts (each check counts each). */
  alive: number;
  /** Examples opened (open and may-survive). */
  examples: number;
  soundness: string[];
  completeness: string[];
}

export interface Env {
  sim: Simulator;
  ec2: EC2Client;
  clients: ReturnType<typeof createClients>;
}

export function env(sim: Simulator, ec2: EC2Client): Env {
  const clients = createClients({
    region: 'us-east-1',
    endpointUrl: sim.endpoint,
    credentials: { accessKeyId: 'AKIADEMORESPONDER01', secretAccessKey: 'sim-secret' },
    maxAttempts: 1,
  });
  return { sim, ec2, clients };
}

const AT = { accountId: '111122223333', region: 'us-east-1' };

/** Runs one case; never throws for a disagreement (it is reported), only for a broken harness. */
export async function checkCase(e: Env, c: Case): Promise<Outcome> {
  const out: Outcome = { flows: 0, alive: 0, examples: 0, soundness: [], completeness: [] };
  await e.sim.reset(scenarioOf(c.world));
  e.sim.world.clock.freeze(true);
  const dp = dataplaneOf(e.sim.world);
  for (const rule of c.world.icmpRules) await apply(e.ec2, c.world, { kind: 'authorize-icmp', rule });
  let seq = 0;
  const open = (flows: Case['flows']): Set<string> => {
    const ids = new Set<string>();
    for (const f of flows) {
      const id = `f${++seq}`;
      try {
        dp.open(flowSpec(c.world, f, id), AT);
        ids.add(id);
        out.flows++;
      } catch (err) {
        if (!(err instanceof FlowSpecError)) throw err;
      }
    }
    return ids;
  };
  // `swapped`: the two-step swap ran and nothing since could have admitted a TCP/UDP connection (verify's
  // untrackStepApplied premise). A probe that gave an old flow a new conntrack entry ends it too.
  let swapped = false;
  if (await check(e, dp, c.world, 'initial', open(c.flows), swapped, out)) swapped = false;
  for (const [i, step] of c.steps.entries()) {
    const applied = await apply(e.ec2, c.world, step.op);
    if (step.op.kind === 'swap' && applied) swapped = true;
    if (step.op.kind === 'regroup' || step.op.kind.startsWith('authorize')) swapped = false;
    if (await check(e, dp, c.world, `step ${i + 1} (${step.op.kind})`, open(step.flows), swapped, out)) swapped = false;
  }
  return out;
}

async function check(
  e: Env,
  dp: DataPlane,
  w: WorldSpec,
  phase: string,
  fresh: Set<string>,
  swapped: boolean,
  out: Outcome,
): Promise<boolean> {
  const report = verify(await gatherNetworkFacts(e.clients, IDS.box), {
    untrackingDropsEntries: w.drops,
    untrackStepApplied: swapped,
  });
  dp.reevaluate('agreement/check');
  for (const rec of dp.all()) {
    const f = dp.view(rec);
    if (!f.alive) continue;
    out.alive++;
    const what = `${phase}: flow ${describe(f)} is alive (${f.reason})`;
    const found = find(report, f);
    if (typeof found === 'string') {
      out.soundness.push(`${what}, but ${found}`);
      continue;
    }
    const { cls, pv } = found;
    if (pv.verdict === 'cut' || cls.verdict === 'cut')
      out.soundness.push(`${what}, but verify says ${pv.verdict} (class ${cls.verdict}): ${pv.reason}`);
    else if (fresh.has(f.id) && (pv.verdict !== 'open' || cls.verdict !== 'open'))
      out.soundness.push(
        `${what} as a new connection, but verify says ${pv.verdict} (class ${cls.verdict}): ${pv.reason}`,
      );
  }
  return examples(e, dp, report, phase, out);
}

function describe(f: FlowView): string {
  const ports = f.localPort !== undefined ? ` local ${f.localPort} remote ${f.remotePort}` : '';
  const icmp = f.icmpType !== undefined ? ` type ${f.icmpType} code ${f.icmpCode}` : '';
  return `${f.id} ${f.eni} ${f.protocol} ${f.initiator} ${f.remoteAddress}${ports}${icmp} via ${f.path} (${f.side}/${f.kind})`;
}

type Found = { cls: ClassVerdict; pv: NonNullable<ClassVerdict['paths']>[number] } | string;

function find(report: VerifyReport, f: FlowView): Found {
  const eni = report.enis.find((x) => x.networkInterfaceId === f.eni);
  if (!eni) return `verify has no ENI ${f.eni}`;
  const cls = eni.classes.find((c) => c.side === f.side && c.direction === f.initiator && c.kind === f.kind);
  if (!cls) return `verify has no class ${f.side}/${f.initiator}/${f.kind}`;
  const pv = cls.paths?.find((p) => p.path === f.path && p.family === familyOf(f.remoteAddress));
  if (!pv) return `verify has no path entry ${f.path}/IPv${familyOf(f.remoteAddress)} in ${cls.side}/${cls.kind}`;
  return { cls, pv };
}

interface Example {
  eni: string;
  cls: ClassVerdict;
  family: 4 | 6;
  verdict: 'open' | 'may-survive';
  x: FlowExample;
}

function specOf(ex: Example, id: string): Record<string, unknown> {
  const { x } = ex;
  return {
    id,
    eni: ex.eni,
    protocol: /^\d+$/.test(x.protocol) ? Number(x.protocol) : x.protocol,
    remoteAddress: x.remote,
    initiator: ex.cls.direction,
    path: x.path,
    ...(x.localPort !== undefined ? { localPort: x.localPort, remotePort: x.remotePort } : {}),
    ...(x.icmpType !== undefined ? { icmpType: x.icmpType, icmpCode: x.icmpCode } : {}),
  };
}

/**
 * Opens every example of the report (path entries and classes) and checks each is alive in its own class. Returns
 * true when probing gave another flow a new conntrack entry (history verify's options may not allow for).
 */
async function examples(e: Env, dp: DataPlane, report: VerifyReport, phase: string, out: Outcome): Promise<boolean> {
  let history = false;
  const all: Example[] = [];
  for (const eni of report.enis)
    for (const cls of eni.classes) {
      for (const p of cls.paths ?? [])
        if (p.example && p.verdict !== 'cut')
          all.push({ eni: eni.networkInterfaceId, cls, family: p.family, verdict: p.verdict, x: p.example });
      if (cls.example && cls.verdict !== 'cut')
        all.push({
          eni: eni.networkInterfaceId,
          cls,
          family: familyOf(cls.example.remote),
          verdict: cls.verdict,
          x: cls.example,
        });
    }
  let n = 0;
  const judge = (ex: Example, id: string, opened: boolean | string): void => {
    const what = `${phase}: ${ex.verdict} example of ${ex.eni} ${ex.cls.side}/${ex.cls.direction}/${ex.cls.kind} ${JSON.stringify(ex.x)}`;
    out.examples++;
    if (typeof opened === 'string') return void out.completeness.push(`${what} cannot be opened: ${opened}`);
    const f = dp.view(dp.get(id)!);
    if (!f.alive) out.completeness.push(`${what} is dead: ${f.reason}`);
    else if (f.side !== ex.cls.side || f.kind !== ex.cls.kind || familyOf(f.remoteAddress) !== ex.family)
      out.completeness.push(`${what} opened as ${f.side}/${f.kind}/IPv${familyOf(f.remoteAddress)}`);
  };
  const tryOpen = (ex: Example, id: string): true | string => {
    try {
      dp.open(specOf(ex, id), AT);
      out.flows++;
      return true;
    } catch (err) {
      if (err instanceof FlowSpecError) return err.message;
      throw err;
    }
  };
  // Open examples: new connections now.
  for (const ex of all.filter((x) => x.verdict === 'open')) {
    const id = `x${++n}`;
    const r = tryOpen(ex, id);
    judge(ex, id, r);
    dp.remove(id);
  }
  // May-survive examples: an existing connection. Admit each through the probe group alone (a rule for exactly that
  // flow: tracked, never untracked), then put the ENI's groups back; it must live on.
  const bySurvivor = new Map<string, Example[]>();
  for (const ex of all.filter((x) => x.verdict === 'may-survive'))
    bySurvivor.set(ex.eni, [...(bySurvivor.get(ex.eni) ?? []), ex]);
  for (const [eniId, list] of bySurvivor) {
    const groups = report.enis.find((x) => x.networkInterfaceId === eniId)!.groupIds;
    const ingress = dedupe(list.filter((x) => x.cls.direction === 'inbound').map(probePermission));
    const egress = dedupe(list.filter((x) => x.cls.direction === 'outbound').map(probePermission));
    if (ingress.length)
      await e.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: IDS.probe, IpPermissions: ingress }));
    if (egress.length)
      await e.ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: IDS.probe, IpPermissions: egress }));
    const before = new Map(dp.all().map((r) => [r.id, r.state.entry]));
    await setGroups(e.ec2, eniId, [IDS.probe]);
    const ids = list.map((ex) => {
      const id = `x${++n}`;
      return { ex, id, r: tryOpen(ex, id) };
    });
    await setGroups(e.ec2, eniId, groups);
    if (dp.all().some((r) => before.has(r.id) && !before.get(r.id) && r.state.entry)) history = true;
    for (const { ex, id, r } of ids) judge(ex, id, r);
    for (const { id } of ids) dp.remove(id);
    if (ingress.length)
      await e.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: IDS.probe, IpPermissions: ingress }));
    if (egress.length)
      await e.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: IDS.probe, IpPermissions: egress }));
  }
  return history;
}

function dedupe(ps: IpPermission[]): IpPermission[] {
  const seen = new Map<string, IpPermission>();
  for (const p of ps) seen.set(JSON.stringify(p), p);
  return [...seen.values()];
}
function probePermission(ex: Example): IpPermission {
  const x = ex.x;
  const cidr = `${x.remote}/${x.remote.includes(':') ? 128 : 32}`;
  if (x.port !== undefined) return { IpProtocol: x.protocol, FromPort: x.port, ToPort: x.port, ...range(cidr) };
  if (x.icmpType !== undefined)
    return { IpProtocol: x.protocol, FromPort: x.icmpType, ToPort: x.icmpCode ?? -1, ...range(cidr) };
  return { IpProtocol: x.protocol, ...range(cidr) };
}
export function caseOf(seed: number): Case {
  return fc.sample(caseArb, { seed, numRuns: 1 })[0]!;
}

export interface RunTotals {
  seeds: number;
  flows: number;
  alive: number;
  examples: number;
  soundness: number;
  completeness: number;
  /** The first few disagreements, with the seed that replays each. */
  failures: string[];
}

/** Runs seeds from, from + 1, … on one in-process simulator. */
export async function runSeeds(o: {
  seeds: number;
  from?: number;
  onSeed?: (seed: number) => void;
}): Promise<RunTotals> {
  const sim = await startSimulator({ scenario: 'minimal' });
  const ec2 = new EC2Client({
    endpoint: sim.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIADEMORESPONDER01', secretAccessKey: 'sim-secret' },
    maxAttempts: 1,
  });
  const e = env(sim, ec2);
  const totals: RunTotals = { seeds: 0, flows: 0, alive: 0, examples: 0, soundness: 0, completeness: 0, failures: [] };
  try {
    for (let seed = o.from ?? 1; seed < (o.from ?? 1) + o.seeds; seed++) {
      const r = await checkCase(e, caseOf(seed));
      totals.seeds++;
      totals.flows += r.flows;
      totals.alive += r.alive;
      totals.examples += r.examples;
      totals.soundness += r.soundness.length;
      totals.completeness += r.completeness.length;
      for (const f of [...r.soundness, ...r.completeness])
        if (totals.failures.length < 20) totals.failures.push(`seed ${seed}: ${f}`);
      o.onSeed?.(seed);
    }
  } finally {
    ec2.destroy();
    e.clients.destroy();
    await sim.close();
  }
  return totals;
}
