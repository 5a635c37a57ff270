// Every containment step, in dependency order. An explicit list: a duplicate id is rejected at load.

import type { StepDef } from './types.js';
import { ensureIsolationGroups } from './ensure-isolation-groups.js';
import { recordOriginals } from './record-originals.js';
import { tagInstance } from './tag-instance.js';
import { untrackConnections } from './untrack-connections.js';
import { lowerConntrackTimeouts } from './lower-conntrack-timeouts.js';
import { isolateSecurityGroups } from './isolate-security-groups.js';
import { recordSubnetOriginals } from './record-subnet-originals.js';
import { ensureIsolationNacl } from './ensure-isolation-nacl.js';
import { renumberNaclEntries } from './renumber-nacl-entries.js';
import { insertNaclEntries } from './insert-nacl-entries.js';
import { associateIsolationNacl } from './associate-isolation-nacl.js';
import { ensureIsolationRouteTable } from './ensure-isolation-route-table.js';
import { ensureInternetCutTable } from './ensure-internet-cut-table.js';
import { associateRouteTableStep } from './associate-route-table.js';
import { asgDetach } from './asg-detach.js';
import { elbDeregister } from './elb-deregister.js';
import { iamDisassociateProfile } from './iam-disassociate-profile.js';
import { iamRevokeSessions } from './iam-revoke-sessions.js';
import { imdsDisable } from './imds-disable.js';
import { preserveTerminationProtection } from './preserve-termination-protection.js';
import { preserveShutdownBehaviour } from './preserve-shutdown-behaviour.js';
import { preserveVolumes } from './preserve-volumes.js';
import { evidenceSnapshots } from './evidence-snapshots.js';
import { evidenceImage } from './evidence-image.js';
import { evidenceConsole } from './evidence-console.js';
import { evidenceDescriptions } from './evidence-descriptions.js';

export const STEPS: readonly StepDef[] = [
  ensureIsolationGroups,
  recordOriginals,
  tagInstance,
  untrackConnections,
  lowerConntrackTimeouts,
  isolateSecurityGroups,
  // Subnet- and edge-level layers (--layers nacl, route, igw).
  recordSubnetOriginals,
  ensureIsolationNacl,
  renumberNaclEntries,
  insertNaclEntries,
  associateIsolationNacl,
  ensureIsolationRouteTable,
  ensureInternetCutTable,
  associateRouteTableStep,
  // The rest of the playbook: out of the Auto Scaling group (no dependency: alongside the first swap), then — once the
  // security-group isolation has finished — load balancers, credentials, IMDS, preservation and evidence capture.
  asgDetach,
  elbDeregister,
  iamDisassociateProfile,
  iamRevokeSessions,
  imdsDisable,
  preserveTerminationProtection,
  preserveShutdownBehaviour,
  preserveVolumes,
  evidenceSnapshots,
  evidenceImage,
  evidenceConsole,
  evidenceDescriptions,
];

const seen = new Set<string>();
for (const s of STEPS) {
  if (seen.has(s.id)) throw new Error(`duplicate step id ${s.id}`);
  for (const d of s.dependsOn)
    if (!seen.has(d)) throw new Error(`step ${s.id} depends on ${d}, which is not listed before it`);
  seen.add(s.id);
}

export function stepById(id: string): StepDef {
  const s = STEPS.find((x) => x.id === id);
  if (!s) throw new Error(`unknown step ${id}`);
  return s;
}
