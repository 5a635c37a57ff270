// Shared by the Lambda tests: the demo account with an SNS topic, the messages published to it (read through the
// simulator's control API), and an instance's ENIs as the simulated world has them.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SimHarness } from '../helpers/sim.js';
import type { SnsMessage } from '../../src/sim/state/sns.js';
import { TAG } from '../../src/core/tags.js';
import { ACCOUNT, REGION } from './events.js';

export const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:cordon-alerts`;

/** The demo scenario with an SNS topic for the notifications. */
export function demoWithTopic(): Record<string, unknown> {
  const path = fileURLToPath(new URL('../../src/sim/scenarios/demo.json', import.meta.url));
  const s = JSON.parse(readFileSync(path, 'utf8')) as { accounts: { regions: Record<string, unknown>[] }[] };
  s.accounts[0]!.regions.find((r) => r.name === REGION)!.snsTopics = [{ name: 'cordon-alerts' }];
  return s;
}

export async function published(h: SimHarness, since = 0): Promise<SnsMessage[]> {
  const r = await fetch(`${h.endpoint}/_sim/sns/messages?topic=${encodeURIComponent(TOPIC)}&since=${since}`);
  return (await r.json()) as SnsMessage[];
}

/** A published message's parts: subject, the text (email) and the JSON (SQS / Lambda subscribers). */
export function parts(m: SnsMessage): {
  subject?: string;
  text: string;
  json: Record<string, unknown>;
  outcome?: string;
} {
  const body = JSON.parse(m.message) as Record<string, string>;
  return {
    subject: m.subject,
    text: body.email!,
    json: JSON.parse(body.sqs!),
    outcome: m.messageAttributes.outcome?.stringValue,
  };
}

export function enis(h: SimHarness, instanceId: string) {
  const r = h.sim.world.region(ACCOUNT, REGION);
  return r.ec2.instances.get(instanceId)!.networkInterfaceIds.map((id) => {
    const e = r.ec2.networkInterfaces.get(id)!;
    return { id, groups: [...e.groupIds], roles: e.groupIds.map((g) => r.ec2.securityGroups.get(g)?.tags[TAG.role]) };
  });
}
