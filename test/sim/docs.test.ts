import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { actionsBlock, DOC, BEGIN, END } from '../../scripts/sim-doc.js';
import { allServices } from '../../src/sim/services/index.js';
import { CORE_CONTROL_ROUTES } from '../../src/sim/control.js';

const doc = readFileSync(DOC, 'utf8');

test('docs/simulator.md lists every simulated action (regenerate with: node --import tsx scripts/sim-doc.ts)', () => {
  const block = doc.slice(doc.indexOf(BEGIN), doc.indexOf(END) + END.length);
  const missing = allServices.flatMap((s) =>
    Object.keys(s.actions)
      .filter((a) => !block.includes(`\`${a}\``))
      .map((a) => `${s.iamPrefix}:${a}`),
  );
  assert.deepEqual(missing, [], 'actions missing from docs/simulator.md; run node --import tsx scripts/sim-doc.ts');
  assert.equal(block, actionsBlock(), 'the generated list is stale; run node --import tsx scripts/sim-doc.ts');
});

test('docs/simulator.md documents every control route and keeps the data-plane section', () => {
  assert.ok(CORE_CONTROL_ROUTES.length >= 12);
  const undocumented = CORE_CONTROL_ROUTES.filter((r) => !doc.includes(`\`${r}\``));
  assert.deepEqual(undocumented, []);
  for (const heading of [
    '## Starting it',
    '## Routing: services, regions, accounts',
    '## Scenarios',
    '## Supported actions',
    '## Control API',
    '## Faults',
    '## Data plane (flows)',
    '## Limits and known gaps',
  ]) {
    assert.ok(doc.includes(`\n${heading}\n`), heading);
  }
});
