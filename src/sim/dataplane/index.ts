// The simulated data plane: flows, connection tracking, NACLs and routes (docs/simulator.md, "Data plane (flows)").
// Importing this module registers its control routes. The simulator loads scenarios through `loadScenario` below,
// so every world it builds has its data plane — with the scenario's flows open — before the first AWS call.

import './routes.js';
import { loadScenario as loadWorld, ScenarioError, type ScenarioInput } from '../scenarios/loader.js';
import type { World } from '../state/world.js';
import { attachDataplane } from './dataplane.js';
import { FlowSpecError } from './spec.js';

export {
  attachDataplane,
  dataplaneOf,
  DataPlane,
  type FlowRecord,
  type FlowView,
  type FlowEvent,
} from './dataplane.js';
export { CASES, evaluate, type FlowFacts, type Evaluation } from './model.js';
export { FlowSpecError, flowSpecSchema, type FlowSpec, type DataplaneOptions } from './spec.js';
export type { ScenarioInput };

/** The scenario loader, plus the data plane attached to the new world (bad flows are scenario errors). */
export async function loadScenario(input: ScenarioInput): Promise<World> {
  const world = await loadWorld(input);
  try {
    attachDataplane(world);
  } catch (e) {
    if (e instanceof FlowSpecError) throw new ScenarioError(`invalid scenario flows:\n  ${e.message}`);
    throw e;
  }
  return world;
}
