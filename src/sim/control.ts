// The control API under /_sim/ (JSON in, JSON out), for tests, benchmarks and `cordon lab`.
// Documented in docs/simulator.md, "Control API". Add `?pretty` to any route for indented JSON.

import type { Simulator } from './server.js';
import { ScenarioError, listBundledScenarios } from './scenarios/loader.js';
import { FaultConfigError } from './faults/schema.js';
import type { CallRecord } from './state/world.js';

export interface ControlResponse {
  status: number;
  body: unknown;
  pretty?: boolean;
}

export type ControlRoute = (sim: Simulator, body: unknown, query: URLSearchParams) => Promise<unknown> | unknown;

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Routes keyed by `METHOD /path`. Other modules (the data plane) add theirs with registerControlRoute. */
const routes = new Map<string, ControlRoute>();

export function registerControlRoute(method: string, path: string, route: ControlRoute): void {
  routes.set(`${method.toUpperCase()} ${path}`, route);
}

/** Actions that only read (the rest are counted as mutating in the call summary). */
const READ_ONLY = /^(Describe|List|Get|Head|Search|Lookup|Decode|Simulate)/;

export function isMutatingAction(action: string): boolean {
  return !READ_ONLY.test(action);
}

function objectBody(body: unknown, route: string): Record<string, unknown> {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ControlError(400, `${route}: the body must be a JSON object`);
  return body as Record<string, unknown>;
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new ControlError(400, `query parameter ${name} must be a non-negative integer, not "${v}"`);
  return n;
}

/** The call log filtered by ?since=<seq>&action=&accessKeyId=&service=&account=&region=&outcome=. */
function filterCalls(sim: Simulator, q: URLSearchParams): CallRecord[] {
  const since = intParam(q, 'since') ?? 0;
  const eq: [keyof CallRecord, string | null][] = [
    ['action', q.get('action')],
    ['accessKeyId', q.get('accessKeyId')],
    ['service', q.get('service')],
    ['accountId', q.get('account')],
    ['region', q.get('region')],
    ['outcome', q.get('outcome')],
  ];
  const active = eq.filter(([, v]) => v !== null && v !== '');
  return sim.world.calls.filter((c) => c.seq > since && active.every(([k, v]) => c[k] === v));
}

registerControlRoute('GET', '/_sim/health', (sim) => ({
  ok: true,
  scenario: sim.world.scenarioName,
  time: sim.world.clock.nowIso(),
  endpoint: sim.endpoint,
  calls: sim.world.calls.at(-1)?.seq ?? 0,
}));

registerControlRoute('GET', '/_sim/state', (sim) => sim.world.dump());

registerControlRoute('GET', '/_sim/scenarios', async () => ({ bundled: await listBundledScenarios() }));

registerControlRoute('GET', '/_sim/calls', (sim, _b, q) => {
  const calls = filterCalls(sim, q);
  const limit = intParam(q, 'limit');
  return limit === undefined ? calls : calls.slice(-limit);
});

registerControlRoute('GET', '/_sim/calls/summary', (sim, _b, q) => {
  const calls = filterCalls(sim, q);
  const byAction: Record<
    string,
    { calls: number; errors: number; dryRun: number; mutating: boolean; errorCodes: Record<string, number> }
  > = {};
  let mutating = 0;
  let errors = 0;
  let dryRun = 0;
  for (const c of calls) {
    const key = `${c.service}:${c.action}`;
    const m = isMutatingAction(c.action);
    const a = (byAction[key] ??= { calls: 0, errors: 0, dryRun: 0, mutating: m, errorCodes: {} });
    a.calls++;
    if (c.dryRun) {
      a.dryRun++;
      dryRun++;
    }
    if (c.outcome === 'error') {
      a.errors++;
      errors++;
      if (c.errorCode) a.errorCodes[c.errorCode] = (a.errorCodes[c.errorCode] ?? 0) + 1;
    }
    if (m && !c.dryRun) mutating++;
  }
  return {
    total: calls.length,
    /** Calls to mutating actions, DryRun calls excluded (whether they succeeded or not). */
    mutating,
    nonMutating: calls.length - mutating - dryRun,
    dryRun,
    errors,
    firstSeq: calls[0]?.seq,
    lastSeq: calls.at(-1)?.seq,
    byAction,
  };
});

registerControlRoute('DELETE', '/_sim/calls', (sim) => {
  const cleared = sim.world.calls.length;
  sim.world.calls.length = 0;
  return { ok: true, cleared };
});

async function loadRoute(sim: Simulator, body: unknown, route: string, required: boolean): Promise<unknown> {
  const b = objectBody(body, route);
  const extra = Object.keys(b).filter((k) => k !== 'scenario');
  if (extra.length)
    throw new ControlError(
      400,
      `${route}: unknown field(s) ${extra.join(', ')}; the body is {"scenario": <bundled name | file path | scenario object>}`,
    );
  const scenario = b.scenario;
  if (scenario === undefined && required)
    throw new ControlError(400, `${route}: give {"scenario": <bundled name | file path | scenario object>}`);
  if (
    scenario !== undefined &&
    (scenario === null || (typeof scenario !== 'string' && typeof scenario !== 'object') || Array.isArray(scenario))
  ) {
    throw new ControlError(400, `${route}: "scenario" must be a bundled name, a file path or a scenario object`);
  }
  await sim.reset(scenario as Parameters<Simulator['reset']>[0]);
  return { ok: true, scenario: sim.world.scenarioName, time: sim.world.clock.nowIso() };
}

/** Reloads the current scenario (or the one given): a fresh world, an empty call log, the start-up faults. */
registerControlRoute('POST', '/_sim/reset', (sim, body) => loadRoute(sim, body, 'POST /_sim/reset', false));
registerControlRoute('POST', '/_sim/scenario', (sim, body) => loadRoute(sim, body, 'POST /_sim/scenario', true));

registerControlRoute('GET', '/_sim/faults', (sim) => sim.faults.config);
registerControlRoute('PUT', '/_sim/faults', (sim, body) => sim.faults.set(objectBody(body, 'PUT /_sim/faults')));
registerControlRoute('DELETE', '/_sim/faults', (sim) => {
  sim.faults.set({});
  return { ok: true };
});
registerControlRoute('GET', '/_sim/faults/buckets', (sim) => sim.faults.bucketLevels());

registerControlRoute('GET', '/_sim/clock', (sim) => ({
  now: sim.world.clock.nowIso(),
  epochMs: sim.world.clock.now(),
}));
/** {"frozen": true} stops the simulated clock (exact times in tests); {"frozen": false} lets it run again. */
registerControlRoute('PUT', '/_sim/clock', (sim, body) => {
  const b = objectBody(body, 'PUT /_sim/clock');
  if (typeof b.frozen !== 'boolean')
    throw new ControlError(400, 'PUT /_sim/clock: the body must be {"frozen": true | false}');
  sim.world.clock.freeze(b.frozen);
  return { now: sim.world.clock.nowIso(), epochMs: sim.world.clock.now(), frozen: b.frozen };
});
registerControlRoute('POST', '/_sim/clock/advance', (sim, body) => {
  const b = objectBody(body, 'POST /_sim/clock/advance');
  const seconds = b.seconds !== undefined ? Number(b.seconds) : b.ms !== undefined ? Number(b.ms) / 1000 : NaN;
  if (typeof (b.seconds ?? b.ms) !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new ControlError(
      400,
      'POST /_sim/clock/advance: the body must be {"seconds": <non-negative number>} or {"ms": <non-negative number>}',
    );
  }
  sim.world.clock.advance(seconds * 1000);
  for (const hook of sim.world.afterChange)
    hook({ action: '_sim/clock/advance', accountId: sim.world.defaultAccountId, region: sim.world.defaultRegion });
  return { now: sim.world.clock.nowIso(), epochMs: sim.world.clock.now() };
});

/** The routes this module defines (others register theirs later); docs/simulator.md documents each. */
export const CORE_CONTROL_ROUTES: readonly string[] = [...routes.keys()];

/** Every registered route, `METHOD /path`. */
export function controlRoutes(): string[] {
  return [...routes.keys()].sort();
}

export async function handleControl(
  sim: Simulator,
  method: string,
  rawUrl: string,
  body: string,
): Promise<ControlResponse> {
  const url = new URL(rawUrl, 'http://127.0.0.1');
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  const route = routes.get(`${method.toUpperCase()} ${path}`);
  if (!route) {
    const known = [...routes.keys()].sort();
    const samePath = known.filter((k) => k.endsWith(` ${path}`)).map((k) => k.split(' ')[0]);
    const error = samePath.length
      ? `${method} is not supported on ${path}; use ${samePath.join(' or ')}`
      : `no control route ${method} ${path}; known: ${known.join(', ')}`;
    return { status: samePath.length ? 405 : 404, body: { error } };
  }
  let parsed: unknown;
  if (body.trim()) {
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      return { status: 400, body: { error: `the body is not valid JSON: ${(e as Error).message}` } };
    }
  }
  try {
    return { status: 200, body: await route(sim, parsed, url.searchParams), pretty: url.searchParams.has('pretty') };
  } catch (e) {
    if (e instanceof ControlError) return { status: e.status, body: { error: e.message } };
    if (e instanceof ScenarioError || e instanceof FaultConfigError) return { status: 400, body: { error: e.message } };
    throw e;
  }
}
