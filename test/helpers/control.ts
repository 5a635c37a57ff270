// Calls the simulator's control API (/_sim/…) over HTTP with fetch; starts a simulator with any option.

import { clients, type ClientOptions, type SimHarness } from './sim.js';
import { startSimulator, type SimulatorOptions } from '../../src/sim/server.js';

export interface ControlAnswer<T = unknown> {
  status: number;
  body: T;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function control<T = any>(
  endpoint: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ControlAnswer<T>> {
  const res = await fetch(`${endpoint}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (!(res.headers.get('content-type') ?? '').includes('application/json')) {
    throw new Error(
      `control API ${method} ${path} answered ${res.status} with ${res.headers.get('content-type')}: ${text.slice(0, 200)}`,
    );
  }
  return { status: res.status, body: JSON.parse(text) as T };
}

/** Like startHarness, with every startSimulator option (start-up faults, extra services). */
export async function startSimulatorHarness(opts: SimulatorOptions, o: ClientOptions = {}): Promise<SimHarness> {
  const sim = await startSimulator(opts);
  const c = clients(sim.endpoint, o);
  return {
    sim,
    endpoint: sim.endpoint,
    ...c,
    async close() {
      for (const client of Object.values(c)) client.destroy();
      await sim.close();
    },
  };
}
