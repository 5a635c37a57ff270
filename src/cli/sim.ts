// `cordon sim`: runs the simulated AWS until interrupted.

import type { Command } from 'commander';
import { startSimulator } from '../sim/server.js';
import { ScenarioError } from '../sim/scenarios/loader.js';
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

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('run the simulated AWS (EC2, Auto Scaling, ELB, IAM, STS) on 127.0.0.1 until interrupted')
    .option('--scenario <file|name>', 'scenario file or bundled name', 'demo')
    .option('--port <n>', 'port to listen on (0 = any free port)', '4566')
    .option('--output <format>', 'text or json', 'text')
    .action(async (opts: { scenario: string; port: string; output: string }) => {
      const format = parseOutput(opts.output);
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new CordonError('usage', `--port must be an integer from 0 to 65535, not "${opts.port}"`, EXIT.usage);
      }
      let sim;
      try {
        sim = await startSimulator({ scenario: opts.scenario, port });
      } catch (e) {
        if (e instanceof ScenarioError) throw new CordonError('scenario', e.message, EXIT.usage, 'fix the scenario file (see docs/simulator.md)');
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new CordonError('port-in-use', `port ${port} on 127.0.0.1 is already in use`, EXIT.usage, 'pick another with --port, or --port 0 for any free port');
        }
        throw e;
      }
      const world = sim.world;
      const key = [...world.principals.values()].find((p) => p.accountId === world.defaultAccountId && !p.allow)?.accessKeyId ?? 'AKIASIMULATOR000001';
      const env = simEnvironment(sim.endpoint, world.defaultRegion, key);
      if (format === 'json') {
        process.stdout.write(`${JSON.stringify({ endpoint: sim.endpoint, scenario: world.scenarioName, env })}\n`);
      } else {
        process.stdout.write(`cordon sim listening on ${sim.endpoint}\n`);
        process.stdout.write(`# scenario "${world.scenarioName}"; point the AWS SDK / CLI at it with:\n`);
        for (const [k, v] of Object.entries(env)) process.stdout.write(`export ${k}=${v}\n`);
      }
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          void sim.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
