// The data plane's control routes (docs/simulator.md, "Data plane (flows)"):
//   GET    /_sim/flows[?id=…][&alive=true|false][&eni=…]   list flows with their status (or one, by id)
//   POST   /_sim/flows                                      open a flow (a flow spec, or {"flows": [spec, …]})
//   POST   /_sim/flows/traffic                              traffic on flows: {"id": …} | {"ids": […]} | {} (all)
//   DELETE /_sim/flows[?id=…]                               forget one flow, or all
//   GET    /_sim/dataplane                                  the model's options and its table of cases
//   PUT    /_sim/dataplane                                  set options: {"untrackingDropsEntries": false}

import { ControlError, registerControlRoute } from '../control.js';
import type { Simulator } from '../server.js';
import { CASES } from './model.js';
import { dataplaneOf, type DataPlane, type FlowRecord } from './dataplane.js';
import { FlowSpecError } from './spec.js';

function plane(sim: Simulator): DataPlane {
  return dataplaneOf(sim.world);
}

function asObject(body: unknown, route: string): Record<string, unknown> {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ControlError(400, `${route}: the body must be a JSON object`);
  return body as Record<string, unknown>;
}

function known(dp: DataPlane, id: string): FlowRecord {
  const rec = dp.get(id);
  if (!rec)
    throw new ControlError(
      404,
      `no flow "${id}"; known: ${
        dp
          .all()
          .map((r) => r.id)
          .join(', ') || '(none)'
      }`,
    );
  return rec;
}

function translate<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FlowSpecError) throw new ControlError(400, e.message);
    throw e;
  }
}

registerControlRoute('GET', '/_sim/flows', (sim, _b, q) => {
  const dp = plane(sim);
  dp.reevaluate('_sim/flows/query');
  const id = q.get('id');
  if (id !== null) return dp.view(known(dp, id));
  const alive = q.get('alive');
  if (alive !== null && alive !== 'true' && alive !== 'false')
    throw new ControlError(400, 'query parameter alive must be true or false');
  const eni = q.get('eni');
  const flows = dp
    .all()
    .filter((r) => (alive === null || r.last.alive === (alive === 'true')) && (eni === null || r.eniId === eni))
    .map((r) => dp.view(r));
  return { flows, options: dp.options };
});

registerControlRoute('POST', '/_sim/flows', (sim, body) => {
  const b = asObject(body, 'POST /_sim/flows');
  const dp = plane(sim);
  const open = (raw: Record<string, unknown>, where: string): FlowRecord => {
    const { accountId, region, ...spec } = raw;
    if (accountId !== undefined && (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId)))
      throw new ControlError(400, `${where}accountId: must be a 12-digit account id`);
    if (region !== undefined && typeof region !== 'string')
      throw new ControlError(400, `${where}region: must be a region name`);
    return translate(() =>
      dp.open(
        spec,
        {
          accountId: (accountId as string | undefined) ?? sim.world.defaultAccountId,
          region: (region as string | undefined) ?? sim.world.defaultRegion,
        },
        where.replace(/\.$/, ''),
      ),
    );
  };
  if ('flows' in b) {
    if (!Array.isArray(b.flows) || Object.keys(b).length !== 1)
      throw new ControlError(400, 'POST /_sim/flows: give one flow spec, or {"flows": [spec, …]} alone');
    // Validate every spec before opening any: a bad batch changes nothing.
    const opened: FlowRecord[] = [];
    try {
      b.flows.forEach((f, i) => opened.push(open(asObject(f, `flows[${i}]`), `flows[${i}].`)));
    } catch (e) {
      for (const r of opened) dp.remove(r.id);
      throw e;
    }
    return { flows: opened.map((r) => dp.view(r)) };
  }
  return dp.view(open(b, ''));
});

registerControlRoute('POST', '/_sim/flows/traffic', (sim, body) => {
  const b = asObject(body, 'POST /_sim/flows/traffic');
  const dp = plane(sim);
  const extra = Object.keys(b).filter((k) => k !== 'id' && k !== 'ids');
  if (extra.length)
    throw new ControlError(
      400,
      `POST /_sim/flows/traffic: unknown field(s) ${extra.join(', ')}; give {"id": …}, {"ids": […]} or {} for all`,
    );
  let ids: string[] | undefined;
  if (typeof b.id === 'string') ids = [b.id];
  else if (b.id !== undefined) throw new ControlError(400, 'POST /_sim/flows/traffic: id must be a string');
  if (b.ids !== undefined) {
    if (!Array.isArray(b.ids) || !b.ids.every((x) => typeof x === 'string'))
      throw new ControlError(400, 'POST /_sim/flows/traffic: ids must be an array of strings');
    ids = [...(ids ?? []), ...(b.ids as string[])];
  }
  for (const id of ids ?? []) known(dp, id);
  return { flows: dp.traffic(ids).map((r) => dp.view(r)) };
});

registerControlRoute('DELETE', '/_sim/flows', (sim, _b, q) => {
  const dp = plane(sim);
  const id = q.get('id');
  if (id !== null) {
    known(dp, id);
    return { ok: true, removed: dp.remove(id) };
  }
  return { ok: true, removed: dp.remove() };
});

registerControlRoute('GET', '/_sim/dataplane', (sim) => ({ options: plane(sim).options, cases: CASES }));

registerControlRoute('PUT', '/_sim/dataplane', (sim, body) => {
  const dp = plane(sim);
  return { options: translate(() => dp.setOptions(asObject(body, 'PUT /_sim/dataplane'), 'PUT /_sim/dataplane')) };
});
