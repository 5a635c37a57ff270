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

test('calls answered within the same millisecond end the count (no call precedes itself)', () => {
  // A zero-length call used to be its own predecessor: the walk never ended and blocked the event loop.
  assert.equal(
    countRoundTrips([
      { startedMs: 5, endedMs: 5 },
      { startedMs: 0, endedMs: 5 },
      { startedMs: 6, endedMs: 9 },
    ]),
    3,
  );
  assert.equal(
    countRoundTrips([
      { startedMs: 5, endedMs: 5 },
      { startedMs: 5, endedMs: 5 },
    ]),
    1,
  );
  // ties on the end time: the later start is the longer chain, whatever the order of the calls
  const tied = [
    { startedMs: 3, endedMs: 5 },
    { startedMs: 5, endedMs: 5 },
    { startedMs: 5, endedMs: 9 },
  ];
  assert.equal(countRoundTrips(tied), 3);
  assert.equal(countRoundTrips([...tied].reverse()), 3);
  // a clock that stepped back (end before start) neither loops nor counts a trip twice
  assert.equal(
    countRoundTrips([
      { startedMs: 10, endedMs: 8 },
      { startedMs: 8, endedMs: 12 },
    ]),
    1,
  );
});
