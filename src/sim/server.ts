// The simulator's HTTP server: one endpoint for every service (routed by the SigV4 scope) plus the control
// API under /_sim/. Bound to 127.0.0.1 only.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dispatcher } from './dispatch.js';
import { allServices } from './services/index.js';
import { World } from './state/world.js';
import { loadScenario, type ScenarioInput } from './scenarios/loader.js';
import { ConfigurableFaults } from './faults/configurable.js';
import { handleControl } from './control.js';

export interface SimulatorOptions {
  /** A scenario name (`demo`), a file path, or a scenario object. Default: `demo`. */
  scenario?: ScenarioInput;
  port?: number;
  host?: string;
}

export interface Simulator {
  endpoint: string;
  port: number;
  /** The live world (replaced on reset / scenario load). */
  readonly world: World;
  faults: ConfigurableFaults;
  reset(scenario?: ScenarioInput): Promise<void>;
  close(): Promise<void>;
}

const MAX_BODY = 8 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  let current = opts.scenario ?? 'demo';
  let world = await loadScenario(current);
  const faults = new ConfigurableFaults(() => world);
  const dispatcher = new Dispatcher(() => world, allServices, faults);

  const sim: Simulator = {
    endpoint: '',
    port: 0,
    get world() {
      return world;
    },
    faults,
    async reset(scenario?: ScenarioInput) {
      if (scenario !== undefined) current = scenario;
      world = await loadScenario(current);
      faults.reset();
    },
    close: async () => undefined,
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      try {
        const body = await readBody(req);
        const url = req.url ?? '/';
        if (url.startsWith('/_sim/')) {
          const out = await handleControl(sim, req.method ?? 'GET', url, body);
          res.writeHead(out.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(out.body, null, out.pretty ? 2 : undefined));
          return;
        }
        const out = await dispatcher.handle({ method: req.method ?? 'POST', url, headers: req.headers, body });
        res.writeHead(out.status, { 'content-type': out.contentType, 'x-amzn-requestid': '' });
        res.end(out.body);
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/xml' });
        res.end(`<Response><Errors><Error><Code>InternalError</Code><Message>${String((e as Error).message).replace(/[<&>]/g, '')}</Message></Error></Errors><RequestID>none</RequestID></Response>`);
      }
    })();
  });
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  Object.assign(sim, {
    endpoint: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  });
  return sim;
}
