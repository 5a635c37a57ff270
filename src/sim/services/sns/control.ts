// Control routes for SNS: what was published, since nothing subscribes.
//   GET    /_sim/sns/messages   ?topic=<arn> &account= &region= &since=<seq> &limit=<n> (the last n)
//   DELETE /_sim/sns/messages   forgets them (sequence numbers keep growing)

import { ControlError, registerControlRoute } from '../../control.js';
import type { SnsMessage } from '../../state/sns.js';

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new ControlError(400, `query parameter ${name} must be a non-negative integer, not "${v}"`);
  return n;
}

registerControlRoute('GET', '/_sim/sns/messages', (sim, _body, q) => {
  const topic = q.get('topic');
  const account = q.get('account');
  const region = q.get('region');
  const since = intParam(q, 'since') ?? 0;
  const limit = intParam(q, 'limit');
  const out: SnsMessage[] = [];
  for (const a of sim.world.accounts.values()) {
    if (account && a.accountId !== account) continue;
    for (const r of a.regions.values()) {
      if (region && r.name !== region) continue;
      for (const m of r.sns.messages) if (m.seq > since && (!topic || m.topicArn === topic)) out.push(m);
    }
  }
  out.sort((x, y) => x.seq - y.seq);
  return limit === undefined ? out : out.slice(-limit);
});

registerControlRoute('DELETE', '/_sim/sns/messages', (sim) => {
  let cleared = 0;
  for (const a of sim.world.accounts.values())
    for (const r of a.regions.values()) {
      cleared += r.sns.messages.length;
      r.sns.messages.length = 0;
    }
  return { ok: true, cleared };
});
