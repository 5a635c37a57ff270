// Live progress through a real pseudo-terminal (util-linux `script`): on a terminal the display redraws in place
// (cursor movement and line erasure, listr2), off a terminal the same run prints plain lines without any escape.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { tempStateDir } from '../helpers/cordon.js';
import { runCli } from '../helpers/cli.js';
import { WEB1 } from '../helpers/playbook.js';

const BIN = fileURLToPath(new URL('../../bin/cordon.js', import.meta.url));
const hasScript = spawnSync('script', ['--version']).status === 0;
/** Cursor up, or erase line: what redrawing in place writes. */
const ESC = String.fromCharCode(27);
const REDRAW = new RegExp(`${ESC}\\[\\d*A|${ESC}\\[\\d*K`);

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

describe('live progress', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test(
    'on a pseudo-terminal: redrawn in place, per step',
    { skip: hasScript ? false : 'util-linux `script` is not installed' },
    async () => {
      const args = ['contain', WEB1, '--yes', '--endpoint-url', h.endpoint, '--region', 'us-east-1'];
      const cmd = [process.execPath, BIN, ...args, '--state-dir', tempStateDir(), '--no-asg-detach']
        .map(quote)
        .join(' ');
      // `script` runs the command on a new pty and copies everything it writes to our stdout.
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        // A new pty has no size: give it one, as a terminal window would.
        const child = spawn('script', ['-qefc', `stty cols 120 rows 40; ${cmd}`, '/dev/null'], {
          env: {
            ...process.env,
            CORDON_FROM_SOURCE: '1',
            AWS_ACCESS_KEY_ID: 'AKIADEMORESPONDER01',
            AWS_SECRET_ACCESS_KEY: 'sim-secret',
            TERM: 'xterm-256color',
            COLUMNS: '120',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => resolve({ code, out }));
      });
      assert.equal(r.code, 0, r.out.slice(-2000));
      assert.match(r.out, REDRAW, 'the display moves the cursor / erases lines to redraw');
      assert.match(r.out, /isolate-security-groups|Isolate|isolat/i, 'the steps are shown');
      assert.match(r.out, /CONTAINED/);
    },
  );

  test('off a terminal: plain lines, no escape sequence', async () => {
    const r = await runCli([
      'contain',
      WEB1,
      '--yes',
      '--endpoint-url',
      h.endpoint,
      '--region',
      'us-east-1',
      '--state-dir',
      tempStateDir(),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, REDRAW);
    assert.ok(r.stderr.split('\n').filter(Boolean).length >= 3, 'progress lines on stderr');
  });
});
