// Step: the console output (latest, on Nitro) and a console screenshot, into the evidence folder with their
// SHA-256, the API call and its request id. After network isolation. A screenshot needs a running instance: a
// stopped one gets a warning, not a failure.

import { consoleOutput, consoleScreenshot } from '../aws/evidence.js';
import type { StepDef } from './types.js';
import { evidenceFolder, messageOf } from './playbook-common.js';
import { EVIDENCE_STEP, markCaptured, planCapture } from './evidence-common.js';

const ID = 'evidence-console';
const KIND = 'console';

export const evidenceConsole: StepDef = {
  ...EVIDENCE_STEP,
  id: ID,
  title: 'Keep the console output and a screenshot',
  permissions: ['ec2:GetConsoleOutput', 'ec2:GetConsoleScreenshot', 'ec2:CreateTags'],
  plan(input) {
    return planCapture(
      ID,
      KIND,
      input,
      () => true,
      (i) => ({ accountId: i.accountId, screenshot: i.state === 'running' }),
      (i) =>
        `${i.instanceId}: save the console output${i.state === 'running' ? ' and a console screenshot' : ''} (SHA-256 in the manifest)`,
    );
  },
  async preflight(ctx, changes) {
    if (changes.length) await consoleOutput(ctx.gateway, changes[0]!.resource, true);
  },
  async apply(ctx, changes) {
    await Promise.all(
      changes.map(async (c) => {
        const id = c.resource;
        const p = c.after as { accountId?: string; screenshot: boolean };
        const folder = evidenceFolder(ctx, id, p.accountId);
        const failures: string[] = [];
        await Promise.all([
          consoleOutput(ctx.gateway, id).then(
            (r) =>
              void folder.add('console-output.txt', r!.value, {
                source: 'ec2:GetConsoleOutput',
                requestId: r!.requestId,
                time: r!.time,
                description: 'console output (base64-decoded)',
              }),
            (e) => void failures.push(`console output: ${messageOf(e)}`),
          ),
          p.screenshot
            ? consoleScreenshot(ctx.gateway, id).then(
                (r) =>
                  void folder.add('console-screenshot.png', r!.value, {
                    source: 'ec2:GetConsoleScreenshot',
                    requestId: r!.requestId,
                    time: r!.time,
                    description: 'console screenshot (PNG)',
                  }),
                (e) => void failures.push(`console screenshot: ${messageOf(e)}`),
              )
            : Promise.resolve(ctx.warn(id, `${id} is not running: no console screenshot`)),
        ]);
        if (failures.length === (p.screenshot ? 2 : 1)) throw new Error(failures.join('; '));
        for (const f of failures) ctx.warn(id, `evidence: ${f}`);
        await markCaptured(ctx, id, KIND);
      }),
    );
  },
};
