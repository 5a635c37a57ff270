// The fan-out's first step: the inline Lambda source (exactly what the template carries) run in a VM context.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { GROUP_TARGETS_SOURCE } from '../../cdk/src/group-targets.js';

type Handler = (
  event: unknown,
) => Promise<{ groups: { accountId: string; region: string; targets: string[] }[]; options: unknown }>;

function load(): Handler {
  const module = { exports: {} as { handler?: Handler } };
  runInNewContext(GROUP_TARGETS_SOURCE, { module, exports: module.exports, Map, JSON, Error, Array });
  assert.equal(typeof module.exports.handler, 'function');
  return module.exports.handler!;
}

const arn = (region: string, account: string, id: string): string => `arn:aws:ec2:${region}:${account}:instance/${id}`;

test('groups instance ARNs by account × region, in first-seen order, without duplicates', async () => {
  const a = arn('eu-west-1', '111111111111', 'i-0123456789abcdef0');
  const b = arn('eu-west-1', '111111111111', 'i-0aaaaaaaaaaaaaaaa');
  const c = arn('us-east-1', '111111111111', 'i-12345678');
  const d = arn('eu-west-1', '222222222222', 'i-0bbbbbbbbbbbbbbbb');
  const gov = 'arn:aws-us-gov:ec2:us-gov-west-1:333333333333:instance/i-0cccccccccccccccc';
  const out = await load()({ targets: [a, c, ` ${b} `, d, a, gov], options: { layers: ['subnet'] } });
  assert.deepEqual(JSON.parse(JSON.stringify(out)), {
    groups: [
      { accountId: '111111111111', region: 'eu-west-1', targets: [a, b] },
      { accountId: '111111111111', region: 'us-east-1', targets: [c] },
      { accountId: '222222222222', region: 'eu-west-1', targets: [d] },
      { accountId: '333333333333', region: 'us-gov-west-1', targets: [gov] },
    ],
    options: { layers: ['subnet'] },
  });
});

test('options default to {} so the Map can always select $.options', async () => {
  const out = await load()({ targets: [arn('eu-west-1', '111111111111', 'i-12345678')] });
  assert.deepEqual(JSON.parse(JSON.stringify(out.options)), {});
});

test('refuses input that is not a non-empty list of instance ARNs, naming the bad entries', async () => {
  const h = load();
  await assert.rejects(h({}), { name: 'CordonBadInput', message: /non-empty array/ });
  await assert.rejects(h({ targets: [] }), { name: 'CordonBadInput' });
  await assert.rejects(h({ targets: [arn('eu-west-1', '111111111111', 'i-12345678'), 'i-0123456789abcdef0', 42] }), {
    name: 'CordonBadInput',
    message: /"i-0123456789abcdef0",42/,
  });
  await assert.rejects(h({ targets: ['arn:aws:ec2:eu-west-1:111111111111:volume/vol-12345678'] }), {
    name: 'CordonBadInput',
  });
  await assert.rejects(h({ targets: ['arn:aws:ec2:eu-west-1:11111111111:instance/i-12345678'] }), {
    name: 'CordonBadInput',
  });
});
