// The control API under /_sim/ (JSON in, JSON out), for tests, benchmarks and `cordon lab`.
// Documented in docs/simulator.md.

import type { Simulator } from './server.js';
import { ScenarioError } from './scenarios/loader.js';
import type { FaultConfig } from './faults/configurable.js';

export interface ControlResponse {
  status: number;
  body: unknown;
  pretty?: boolean;
}

export type ControlRoute = (sim: Simulator, body: unknown, query: URLSearchParams) => Promise<unknown> | unknown;

/** Routes keyed by `METHOD /path`. Other modules (the data plane) add theirs with registerControlRoute. */
const routes = new Map<string, ControlRoute>();

export function registerControlRoute(method: string, path: string, route: ControlRoute): void {
  routes.set(`${method.toUpperCase()} ${path}`, route);
}

registerControlRoute('GET', '/_sim/health', (sim) => ({ ok: true, scenario: sim.world.scenarioName, time: sim.world.clock.nowIso() }));
registerControlRoute('GET', '/_sim/state', (sim) => sim.world.dump());
registerControlRoute('GET', '/_sim/calls', (sim, _b, q) => {
  const since = Number(q.get('since') ?? 0);
  const action = q.get('action');
  return sim.world.calls.filter((c) => c.seq > since && (!action || c.action === action));
});
registerControlRoute('DELETE', '/_sim/calls', (sim) => {
  sim.world.calls.length = 0;
  return { ok: true };
});
registerControlRoute('POST', '/_sim/reset', async (sim, body) => {
  const scenario = (body as { scenario?: unknown } | undefined)?.scenario;
  await sim.reset(scenario as Parameters<Simulator['reset']>[0]);
  return { ok: true, scenario: sim.world.scenarioName };
});
registerControlRoute('GET', '/_sim/faults', (sim) => sim.faults.config);
registerControlRoute('PUT', '/_sim/faults', (sim, body) => {
  sim.faults.set((body ?? {}) as FaultConfig);
  return sim.faults.config;
});
registerControlRoute('DELETE', '/_sim/faults', (sim) => {
  sim.faults.reset();
  return { ok: true };
});
registerControlRoute('GET', '/_sim/clock', (sim) => ({ now: sim.world.clock.nowIso() }));
registerControlRoute('POST', '/_sim/clock/advance', (sim, body) => {
  const seconds = Number((body as { seconds?: unknown } | undefined)?.seconds);
  if (!Number.isFinite(seconds) || seconds < 0) throw new ControlError(400, 'body must be {"seconds": <non-negative number>}');
  sim.world.clock.advance(seconds * 1000);
  for (const hook of sim.world.afterChange) hook({ action: '_sim/clock/advance', accountId: sim.world.defaultAccountId, region: sim.world.defaultRegion });
  return { now: sim.world.clock.nowIso() };
});

export class ControlError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function handleControl(sim: Simulator, method: string, rawUrl: string, body: string): Promise<ControlResponse> {
  const url = new URL(rawUrl, 'http://127.0.0.1');
  const route = routes.get(`${method.toUpperCase()} ${url.pathname}`);
  if (!route) {
    const known = [...routes.keys()].sort().join(', ');
    return { status: 404, body: { error: `no control route ${method} ${url.pathname}; known: ${known}` } };
  }
  let parsed: unknown;
  if (body.trim()) {
    try {
      parsed = JSON.parse(body);
    } catch {
      return { status: 400, body: { error: 'body is not valid JSON' } };
    }
  }
  try {
    return { status: 200, body: await route(sim, parsed, url.searchParams), pretty: url.searchParams.has('pretty') };
  } catch (e) {
    if (e instanceof ControlError) return { status: e.status, body: { error: e.message } };
    if (e instanceof ScenarioError) return { status: 400, body: { error: e.message } };
    throw e;
  }
}
