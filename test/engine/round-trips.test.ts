import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countRoundTrips } from '../../src/engine/contain.js';

test('round trips count the sequential chain, parallel calls once', () => {
  assert.equal(countRoundTrips([]), 0);
  // two parallel calls, then one that waited for both
  assert.equal(
    countRoundTrips([
      { startedMs: 0, endedMs: 100 },
      { startedMs: 1, endedMs: 101 },
      { startedMs: 101, endedMs: 200 },
    ]),
    2,
  );
  // a straggler overlapping the next wave does not add a trip
  assert.equal(
    countRoundTrips([
      { startedMs: 0, endedMs: 100 },
      { startedMs: 100, endedMs: 200 },
      { startedMs: 150, endedMs: 250 },
      { startedMs: 200, endedMs: 300 },
    ]),
    3,
  );
});
