// The incident report in a real browser: headless Chromium (Debian's `chromium` package) loads the report of a
// `cordon lab` run and of a 24-instance fleet run from file://, with nothing logged to its console (no script error,
// no Content-Security-Policy violation), no request but the page itself, the timeline and the verdict grids laid out
// and styled, the page's script working, and a screenshot of each page taken.
//
// Without chromium the tests are skipped with the reason — unless CI or CORDON_REQUIRE_CHROMIUM is set (.ci/run sets
// it after installing the package), where a missing browser fails them. $CORDON_CHROMIUM picks another binary;
// screenshots go to $CORDON_TEST_ARTIFACTS (default: <tmp>/cordon-test-artifacts).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { Browser, findChromium } from './chromium.js';
import { fleetRun, labRun } from './fixtures.js';

const chromium = findChromium();
const required = !!(process.env.CI || process.env.CORDON_REQUIRE_CHROMIUM);
const skip =
  !chromium && !required
    ? 'chromium is not installed (apt-get install chromium, or set CORDON_CHROMIUM): the report is not checked in a browser'
    : false;
const artefacts = process.env.CORDON_TEST_ARTIFACTS ?? join(tmpdir(), 'cordon-test-artifacts');

interface Layout {
  width: number;
  height: number;
}

/** Loads the page; checks the console and the requests; saves a full-page screenshot. */
async function open(b: Browser, file: string, name: string): Promise<string> {
  const url = pathToFileURL(file).href;
  await b.load(url);
  const bad = b.console.filter((e) => ['error', 'exception', 'assert', 'warning'].includes(e.level));
  assert.deepEqual(bad, [], `the console of ${name}`);
  assert.deepEqual(b.requests, [url], 'nothing loaded but the page itself');
  const png = await b.screenshot();
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  assert.equal(width, 1280);
  assert.ok(height > 1500, `a full-page screenshot (${width}×${height})`);
  mkdirSync(artefacts, { recursive: true });
  const path = join(artefacts, `report-${name}.png`);
  writeFileSync(path, png);
  return path;
}

const box = (sel: string): string =>
  `(() => { const e = document.querySelector(${JSON.stringify(sel)}); if (!e) return null; const r = e.getBoundingClientRect(); return { width: r.width, height: r.height }; })()`;

const count = (sel: string): string => `document.querySelectorAll(${JSON.stringify(sel)}).length`;

const background = (sel: string): string =>
  `getComputedStyle(document.querySelector(${JSON.stringify(sel)})).backgroundColor`;

/** The timeline and both fleet grids are there, laid out (not collapsed to nothing) and styled by the inline CSS. */
async function checkTimelineAndGrids(b: Browser): Promise<void> {
  const svg = await b.evaluate<Layout | null>(box('svg#timeline'));
  assert.ok(svg && svg.width > 800 && svg.height > 100, `the timeline is drawn: ${JSON.stringify(svg)}`);
  for (const when of ['before', 'after']) {
    const grid = await b.evaluate<Layout | null>(box(`table[data-grid="fleet-${when}"]`));
    assert.ok(grid && grid.width > 300 && grid.height > 100, `the ${when} grid is laid out: ${JSON.stringify(grid)}`);
    assert.equal(await b.evaluate<number>(count(`table[data-grid="fleet-${when}"] td[data-class]`)), 40); // 4 sides × 2 directions × 5 kinds
  }
  // The colours come from the inline style sheet: the Content-Security-Policy's hash of it matches.
  assert.equal(await b.evaluate<string>(background('td.v-cut')), 'rgb(218, 251, 225)');
}

describe('the report in headless Chromium', { skip }, () => {
  let browser: Browser;
  before(async () => {
    assert.ok(chromium, 'chromium is required here (CI or CORDON_REQUIRE_CHROMIUM is set) but was not found on PATH');
    browser = await Browser.launch(chromium);
  });
  after(async () => {
    await browser?.close();
  });

  test('a lab report: no console error, the timeline with the moment of isolation, the grids, a screenshot', async (t) => {
    const lab = await labRun();
    const shot = await open(browser, lab.report, 'lab');
    t.diagnostic(`screenshot: ${shot}`);
    await checkTimelineAndGrids(browser);
    assert.ok((await browser.evaluate<number>(count('svg#timeline rect[data-call]'))) > 10, 'a bar per call');
    const marker = await browser.evaluate<Layout | null>(box('svg#timeline [data-marker="isolated"]'));
    assert.ok(marker && marker.height > 50, `the isolation line is drawn: ${JSON.stringify(marker)}`);
    assert.equal(await browser.evaluate<string>(background('#headline')), 'rgb(26, 127, 55)', 'green: contained');
    assert.ok((await browser.evaluate<number>(count('#lab-flows tr[data-flow="alive"]'))) > 0);
  });

  test('a fleet report: the aggregated timeline, the grids, the expand-all button working, a screenshot', async (t) => {
    const run = await fleetRun(24);
    const r = await runCli(['report', run.incident, '--state-dir', run.stateDir]);
    assert.equal(r.code, 0, r.stderr);
    browser.console.length = 0;
    browser.requests.length = 0;
    const shot = await open(browser, join(run.stateDir, 'records', run.incident, 'report.html'), 'fleet');
    t.diagnostic(`screenshot: ${shot}`);
    await checkTimelineAndGrids(browser);
    assert.ok((await browser.evaluate<number>(count('svg#timeline g[data-lane] path'))) > 5, 'a histogram per lane');
    assert.equal(await browser.evaluate<string>(background('#headline')), 'rgb(179, 38, 30)', 'red: one incomplete');
    // The page's own script runs (its hash is in the policy): "expand all" opens every <details>.
    const closed = count('details:not([open])');
    assert.ok((await browser.evaluate<number>(closed)) > 0, 'some details start closed');
    await browser.evaluate(`document.querySelector('button[data-details="open"]').click()`);
    assert.equal(await browser.evaluate<number>(closed), 0);
    const bad = browser.console.filter((e) => ['error', 'exception', 'assert', 'warning'].includes(e.level));
    assert.deepEqual(bad, [], 'nothing logged after the click');
  });
});
