// Every command reads alike: `--help` ends with examples of its three most common uses, and every command that runs
// takes --output text|json. Checked on the program itself (in process), so a new command without them fails here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram, sdkNodeWarningAsOneLine } from '../../src/cli/main.js';
import { commandPath } from '../../src/cli/examples.js';

function all(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(all)];
}

function helpOf(cmd: Command): string {
  let out = '';
  cmd.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  cmd.outputHelp();
  return out;
}

test('every command, and the program, shows at least three examples after its help', () => {
  const commands = all(buildProgram());
  assert.ok(commands.length >= 14, `found ${commands.length} commands`);
  for (const cmd of commands) {
    const help = helpOf(cmd);
    const section = help.split('\nExamples:\n')[1];
    assert.ok(section, `cordon ${commandPath(cmd)} --help has no Examples section`);
    const lines = section.split('\n').filter((l) => /^ {2}(cordon|npm run) /.test(l));
    assert.ok(lines.length >= 3, `cordon ${commandPath(cmd)} --help: ${lines.length} example(s)`);
    if (cmd.parent)
      for (const l of lines.filter((x) => x.startsWith('  cordon ')))
        assert.ok(
          l.startsWith(`  cordon ${commandPath(cmd)}`),
          `"${l.trim()}" is not an example of ${commandPath(cmd)}`,
        );
  }
});

test('every command that runs takes --output text|json', () => {
  const runnable = all(buildProgram()).filter((c) => c.parent && c.commands.length === 0);
  assert.ok(runnable.length >= 12);
  for (const cmd of runnable) {
    const output = cmd.options.find((o) => o.long === '--output');
    assert.ok(output, `cordon ${commandPath(cmd)} has no --output`);
    assert.equal(output.defaultValue, 'text', `cordon ${commandPath(cmd)} --output defaults to text`);
  }
});

test("the AWS SDK's Node-version block becomes one line from cordon; other warnings pass through", () => {
  const original = process.emitWarning;
  const lines: string[] = [];
  const passed: string[] = [];
  process.emitWarning = ((w: string | Error) => {
    passed.push(String(w));
  }) as typeof process.emitWarning;
  try {
    sdkNodeWarningAsOneLine((l) => lines.push(l));
    process.emitWarning(
      'NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\nversions published after the first week of January 2027\nwill require node >=22.',
    );
    process.emitWarning('SomethingElse: kept');
  } finally {
    process.emitWarning = original;
  }
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^cordon: warning: Node v\d+\.\d+\.\d+ .*Node >= 22.*\n$/);
  assert.equal(lines[0]!.trimEnd().includes('\n'), false, 'one line');
  assert.deepEqual(passed, ['SomethingElse: kept']);
});
