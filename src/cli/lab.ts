// `cordon lab`: the rehearsal. Starts the simulated AWS in-process with a scenario (default `demo`) whose attacker
// flows are live, contains the compromised instance through the real AWS SDK, and shows the plan, the timeline of AWS
// calls, and which attacker flows died and which survived — with what would cut the survivors.

import { layerRequest, renderBlastRadius } from './layers.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { ContainResult } from '../engine/contain.js';
import { CordonError, EXIT } from '../core/errors.js';
import { parseOutput, printJson } from './output.js';
import { writeLabRecord, type LabFlowRecord } from '../engine/records.js';
import { summaryLine, writeReport } from './report.js';
import { bold, dim, green, red, renderPlan, yellow, progressPrinter } from './render.js';

/** A flow as the simulator's /_sim/flows reports it: what the lab records, plus where it is decided. */
type FlowView = Omit<LabFlowRecord, 'remedy'> & { instanceId?: string; cutBy?: string; rule?: string; keptBy?: string };

async function flows(endpoint: string): Promise<FlowView[]> {
  const res = await fetch(`${endpoint}/_sim/flows`);
  if (!res.ok) throw new Error(`simulator flows: HTTP ${res.status}`);
  return ((await res.json()) as { flows: FlowView[] }).flows;
}

function remedy(f: FlowView): string {
  if (/icmp/i.test(f.protocol))
    return 'ICMP is always tracked: a NACL deny cuts it at once (--layers subnet), or it expires once idle';
  if (f.path !== 'igw' && f.path !== 'same-vpc' && f.path !== 'same-subnet')
    return `connections through ${f.path} are always tracked: a NACL deny on the subnet cuts them at once (--layers subnet)`;
  if (f.path === 'same-subnet')
    return "same-subnet traffic never crosses a NACL: only the instance's groups (or stopping it) can cut it";
  return 'it stays tracked until idle: a NACL deny cuts it at once (--layers subnet)';
}

function describeFlow(f: FlowView): string {
  const port = f.initiator === 'inbound' ? f.localPort : f.remotePort;
  return `${f.name ?? f.id}: ${f.protocol}${port !== undefined ? `/${port}` : ''} ${f.initiator === 'inbound' ? 'from' : 'to'} ${f.remoteAddress} via ${f.path}`;
}

export interface LabOptions {
  scenario: string;
  instance?: string;
  output: string;
  naive?: boolean;
  latencyMs?: string;
  stateDir?: string;
  layers?: string;
  naclMode?: string;
  /** true: the default path (<state-dir>/records/<incident>/report.html); a string: that file. */
  report?: boolean | string;
}

export function registerLab(program: Command): void {
  program
    .command('lab')
    .description(
      'rehearse a containment on the embedded simulated account: live attacker flows, contain through the real SDK, see what died and what survived',
    )
    .option('--scenario <file|name>', 'scenario file or bundled name', 'demo')
    .option('--instance <id>', "instance to contain (default: the one the scenario's flows run on)")
    .option('--naive', 'skip the all-open step (a one-step swap): watch the tracked SSH session survive')
    .option(
      '--layers <layers>',
      'containment layers or preset (sg, nacl, route, igw; targeted, subnet, edge, full)',
      'sg',
    )
    .option('--nacl-mode <mode>', 'NACL layer: dedicated (default) or top')
    .option('--latency-ms <n>', 'simulated AWS latency per call', '40')
    .option('--state-dir <dir>', 'journal and evidence folder (default: a new temporary folder)')
    .option('--output <format>', 'text or json', 'text')
    .option(
      '--report [file]',
      'also write the HTML incident report (default: <state-dir>/records/<incident>/report.html)',
    )
    .action(async (o: LabOptions) => {
      const format = parseOutput(o.output);
      const layers = layerRequest(o);
      const latency = Number(o.latencyMs ?? 40);
      if (!Number.isFinite(latency) || latency < 0 || latency > 5000)
        throw new CordonError('usage', '--latency-ms must be a number from 0 to 5000', EXIT.usage);
      const [{ startSimulator }, { ScenarioError }, { createClients }, { contain }] = await Promise.all([
        import('../sim/server.js'),
        import('../sim/scenarios/loader.js'),
        import('../aws/clients.js'),
        import('../engine/contain.js'),
      ]);
      let sim;
      try {
        sim = await startSimulator({ scenario: o.scenario, port: 0 });
      } catch (e) {
        if (e instanceof ScenarioError)
          throw new CordonError('scenario', e.message, EXIT.usage, 'fix the scenario (see docs/simulator.md)');
        throw e;
      }
      const stateDir = o.stateDir ?? mkdtempSync(join(tmpdir(), 'cordon-lab-'));
      const region = sim.world.defaultRegion;
      const clients = createClients({
        region,
        endpointUrl: sim.endpoint,
        credentials: { accessKeyId: 'AKIALABRESPONDER0001', secretAccessKey: 'lab-only' },
        maxAttempts: 3,
      });
      const say = (s = ''): void => {
        if (format === 'text') process.stdout.write(`${s}\n`);
      };
      try {
        const before = await flows(sim.endpoint);
        const target = o.instance ?? before.find((f) => f.instanceId)?.instanceId;
        if (!target)
          throw new CordonError(
            'usage',
            `scenario "${o.scenario}" has no flows on an instance: say which instance with --instance`,
            EXIT.usage,
          );
        const mine = (list: FlowView[]): FlowView[] => list.filter((f) => f.instanceId === target);
        say(
          bold(
            `cordon lab — scenario "${sim.world.scenarioName}", simulated AWS at ${sim.endpoint}, ${latency} ms per call`,
          ),
        );
        say(`Compromised instance ${bold(target)}. Attacker flows before containment:`);
        for (const f of mine(before)) say(`  ${f.alive ? red('● alive') : dim('○ dead ')}  ${describeFlow(f)}`);
        say();

        sim.faults.set({ latency: { fixedMs: latency } });
        const result: ContainResult = await contain({
          clients,
          instanceIds: [target],
          stateDir,
          skipUntrackStep: o.naive,
          ...layers,
          // A rehearsal on a simulated account: the blast radius is shown in the plan, and accepted.
          acceptBlastRadius: true,
          onEvent: format === 'text' ? progressPrinter(false) : undefined,
          confirm: async (plan) => {
            if (format === 'text') {
              say(renderPlan(plan));
              const blast = renderBlastRadius(plan);
              if (blast) say(blast);
              say();
              say(bold('Applying (live):'));
            }
            return true;
          },
        });
        sim.faults.set({});
        const after = await flows(sim.endpoint);
        const fate = mine(after).map((f) => ({ ...f, remedy: f.alive ? remedy(f) : undefined }));
        // The flows' fate is the lab's own record: `cordon report` shows it beside the run's.
        writeLabRecord(stateDir, result.incident, {
          scenario: sim.world.scenarioName,
          instanceId: target,
          naive: Boolean(o.naive),
          flowsBefore: mine(before),
          flowsAfter: fate,
        });
        const report = o.report
          ? writeReport(stateDir, result.incident, typeof o.report === 'string' ? o.report : undefined)
          : undefined;

        if (format === 'json') {
          printJson({
            scenario: sim.world.scenarioName,
            instanceId: target,
            naive: Boolean(o.naive),
            plan: result.plan,
            result: {
              incident: result.incident,
              isolatedAfterMs: result.isolatedAfterMs,
              roundTrips: result.roundTrips,
              instances: result.instances,
            },
            timeline: result.calls.map((c) => ({
              action: c.action,
              startMs: c.startedMs - result.calls[0]!.startedMs,
              endMs: c.endedMs - result.calls[0]!.startedMs,
              ok: c.ok,
              errorCode: c.errorCode,
            })),
            flowsBefore: mine(before),
            flowsAfter: fate,
            report: report?.path,
          });
          return;
        }
        say();
        say(bold('Timeline (AWS calls, ms from the first change):'));
        const t0 = result.calls[0]?.startedMs ?? 0;
        for (const c of result.calls)
          say(
            `  ${dim(String(c.startedMs - t0).padStart(5))} → ${String(c.endedMs - t0).padStart(5)}  ${c.action}${c.ok ? '' : red(` ${c.errorCode}`)}`,
          );
        say();
        const i = result.instances[0]!;
        say(
          `${bold(target)}: ${i.status === 'incomplete' ? red(i.status.toUpperCase()) : green(i.status.toUpperCase())} — network isolation ${result.isolatedAfterMs ?? '?'} ms after cordon started (reading and planning included), ${result.roundTrips} round trip(s)`,
        );
        say();
        say(bold('Attacker flows after containment:'));
        for (const f of fate) {
          if (!f.alive) say(`  ${green('✓ cut    ')} ${describeFlow(f)} ${dim(`— ${f.reason}`)}`);
          else
            say(
              `  ${red('✗ ALIVE  ')} ${describeFlow(f)} ${dim(`— ${f.reason}`)}\n             ${yellow(`→ ${f.remedy}`)}`,
            );
        }
        const alive = fate.filter((f) => f.alive).length;
        say();
        say(
          alive === 0
            ? green(bold('Every attacker flow is cut.'))
            : yellow(
                bold(
                  `${alive} of ${fate.length} attacker flows survive the security-group layer: see above for what cuts them.`,
                ),
              ),
        );
        if (o.naive)
          say(
            yellow(
              'This was the naive one-step swap (--naive): tracked connections survive it. Run without --naive to see the two-step swap cut them.',
            ),
          );
        say(dim(`journal: ${result.journal}`));
        if (report) say(summaryLine(report));
        say(
          dim(
            `rerun for real: cordon contain <instance-id> --region <region>   (cordon plan first to see the changes)`,
          ),
        );
      } finally {
        clients.destroy();
        await sim.close();
      }
    });
}
