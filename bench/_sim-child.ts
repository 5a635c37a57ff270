// Runs `cordon sim` in a child process (so the simulator does not share the bench's event loop or core) and hands
// back its endpoint. Shared by the benches that need a simulator.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface SimChild {
  endpoint: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startSimChild(
  scenario: string,
  o: { faults?: unknown; nodeArgs?: string[]; killAfterMs?: number } = {},
): Promise<SimChild> {
  const args = [...(o.nodeArgs ?? []), join(ROOT, 'bin', 'cordon.js'), 'sim', '--port', '0', '--output', 'json'];
  args.push('--scenario', scenario);
  if (o.faults) args.push('--faults', JSON.stringify(o.faults));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, CORDON_FROM_SOURCE: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), o.killAfterMs ?? 3_600_000);
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line'),
    once(child, 'exit').then(() => {
      throw new Error('cordon sim exited before it was ready');
    }),
  ])) as [string];
  const { endpoint } = JSON.parse(line) as { endpoint: string };
  return {
    endpoint,
    child,
    async stop() {
      clearTimeout(killer);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
