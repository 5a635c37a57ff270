// Confirmation on a TTY. Off a TTY, commands that change things need --yes (automation must say so explicitly).

import { createInterface } from 'node:readline/promises';
import { CordonError, EXIT } from '../core/errors.js';

export async function confirmOrRefuse(question: string, yes: boolean | undefined, expected = 'yes'): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) {
    throw new CordonError(
      'needs-yes',
      'refusing to change anything without confirmation: stdin is not a terminal',
      EXIT.usage,
      'pass --yes to proceed without a prompt',
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} Type "${expected}" to proceed: `)).trim();
    return answer === expected;
  } finally {
    rl.close();
  }
}
