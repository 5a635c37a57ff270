// The simulator's HTTP server: one endpoint for every service (routed by the SigV4 scope) plus the control
// API under /_sim/. Bound to 127.0.0.1 only.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dispatcher, QUERY_MAX_BODY } from './dispatch.js';
import { allServices } from './services/index.js';
import type { AnyServiceDef } from './services/framework.js';
import { World } from './state/world.js';
// the scenario loader + each world's data plane
import { loadScenario, type ScenarioInput } from './dataplane/index.js';
import { ConfigurableFaults, type FaultConfigInput } from './faults/configurable.js';
import { handleControl } from './control.js';

export interface SimulatorOptions {
  /** A scenario name (`demo`), a file path, or a scenario object. Default: `demo`. */
  scenario?: ScenarioInput;
  port?: number;
  host?: string;
  /** Faults in force from the start, and again after every reset (see docs/simulator.md, "Faults"). */
  faults?: FaultConfigInput;
  /** The services to serve (default: every simulated service). Tests use this to add a service of their own. */
  services?: AnyServiceDef[];
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

/** Reads a request body, refusing more than `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  let current = opts.scenario ?? 'demo';
  let world = await loadScenario(current);
  const faults = new ConfigurableFaults(() => world);
  if (opts.faults) faults.setInitial(opts.faults);
  const dispatcher = new Dispatcher(() => world, opts.services ?? allServices, faults);

  const sim: Simulator = {
    endpoint: '',
    port: 0,
    get world() {
      return world;
    },
    faults,
    async reset(scenario?: ScenarioInput) {
      // A scenario that fails to load changes nothing: the current world and scenario stay.
      const next = await loadScenario(scenario ?? current);
      if (scenario !== undefined) current = scenario;
      world = next;
      faults.reset();
    },
    close: async () => undefined,
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = req.url ?? '/';
      const control = url.startsWith('/_sim/') || url === '/_sim';
      try {
        const body = await readBody(req, control ? QUERY_MAX_BODY : dispatcher.maxBody(url, req.headers));
        if (control) {
          const out = await handleControl(sim, req.method ?? 'GET', url, body.toString('utf8'));
          res.writeHead(out.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(out.body, null, out.pretty ? 2 : undefined));
          return;
        }
        const out = await dispatcher.handle({ method: req.method ?? 'POST', url, headers: req.headers, body });
        res.writeHead(out.status, {
          'content-type': out.contentType,
          'x-amzn-requestid': out.requestId,
          ...out.headers,
        });
        res.end(out.body);
      } catch (e) {
        // Never an HTML page: JSON for the control API, the EC2 error envelope for AWS calls.
        const message = e instanceof Error ? e.message : String(e);
        const tooLarge = message === 'request body too large';
        const status = tooLarge ? 413 : 500;
        if (!tooLarge) console.error('cordon sim: request failure', e);
        if (res.headersSent) {
          res.end();
        } else if (control) {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: tooLarge ? 'request body too large' : `internal error: ${message}` }));
        } else {
          const code = tooLarge ? 'RequestEntityTooLarge' : 'InternalError';
          res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' });
          res.end(
            `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${tooLarge ? 'Request body too large' : 'An internal error has occurred'}</Message></Error></Errors><RequestID>none</RequestID></Response>`,
          );
        }
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
