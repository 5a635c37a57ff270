// `cordon sim`: runs the simulated AWS until interrupted (SIGINT / SIGTERM → exit 0).

import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import type { FaultConfigInput } from '../sim/faults/schema.js';
import { CordonError, EXIT } from '../core/errors.js';
import { parseOutput } from './output.js';

export function simEnvironment(endpoint: string, region: string, accessKeyId: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'sim-secret',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
  };
}

export function parsePort(v: string): number {
  const port = /^\d{1,5}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(port) || port > 65535) {
    throw new CordonError(
      'usage',
      `--port must be an integer from 0 to 65535, not "${v}"`,
      EXIT.usage,
      'use --port 0 for any free port',
    );
  }
  return port;
}

/** `--faults` takes inline JSON or a JSON file. */
export function readFaults(v: string | undefined): unknown {
  if (v === undefined) return undefined;
  const inline = v.trim().startsWith('{');
  let text = v;
  if (!inline) {
    if (!existsSync(v))
      throw new CordonError(
        'usage',
        `--faults: no such file "${v}"`,
        EXIT.usage,
        'give a JSON file or inline JSON such as \'{"latency":{"fixedMs":50}}\'',
      );
    text = readFileSync(v, 'utf8');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CordonError(
      'usage',
      `--faults: ${inline ? 'the value' : v} is not valid JSON: ${(e as Error).message}`,
      EXIT.usage,
    );
  }
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('run the simulated AWS (EC2, Auto Scaling, ELB, IAM, STS) on 127.0.0.1 until interrupted')
    .option('--scenario <file|name>', 'scenario file or bundled name (demo, minimal, multi-account)', 'demo')
    .option('--port <n>', 'port to listen on (0 = any free port)', '4566')
    .option('--faults <file|json>', 'faults in force from the start and after every reset (see docs/simulator.md)')
    .option('--output <format>', 'text or json', 'text')
    .addHelpText('after', '\nThe control API is served under /_sim/ on the same port (docs/simulator.md).')
    .action(async (opts: { scenario: string; port: string; output: string; faults?: string }) => {
      const format = parseOutput(opts.output);
      const port = parsePort(opts.port);
      const faults = readFaults(opts.faults);
      // The simulator is loaded only by `sim` and `lab`.
      const [{ startSimulator }, { ScenarioError }, { FaultConfigError }] = await Promise.all([
        import('../sim/server.js'),
        import('../sim/scenarios/loader.js'),
        import('../sim/faults/schema.js'),
      ]);
      let sim;
      try {
        sim = await startSimulator({ scenario: opts.scenario, port, faults: faults as FaultConfigInput | undefined });
      } catch (e) {
        if (e instanceof ScenarioError)
          throw new CordonError(
            'scenario',
            e.message,
            EXIT.usage,
            'fix the scenario (see docs/simulator.md, "Scenarios")',
          );
        if (e instanceof FaultConfigError)
          throw new CordonError('faults', e.message, EXIT.usage, 'fix --faults (see docs/simulator.md, "Faults")');
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new CordonError(
            'port-in-use',
            `port ${port} on 127.0.0.1 is already in use`,
            EXIT.usage,
            'pick another with --port, or --port 0 for any free port',
          );
        }
        throw e;
      }
      const world = sim.world;
      const key =
        [...world.principals.values()].find((p) => p.accountId === world.defaultAccountId && !p.allow)?.accessKeyId ??
        'AKIASIMULATOR000001';
      const env = simEnvironment(sim.endpoint, world.defaultRegion, key);
      if (format === 'json') {
        process.stdout.write(
          `${JSON.stringify({ endpoint: sim.endpoint, scenario: world.scenarioName, control: `${sim.endpoint}/_sim/`, env })}\n`,
        );
      } else {
        process.stdout.write(`cordon sim listening on ${sim.endpoint}\n`);
        process.stdout.write(
          `# scenario "${world.scenarioName}"; control API at ${sim.endpoint}/_sim/; point the AWS SDK / CLI at it with:\n`,
        );
        for (const [k, v] of Object.entries(env)) process.stdout.write(`export ${k}=${v}\n`);
      }
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void sim.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
