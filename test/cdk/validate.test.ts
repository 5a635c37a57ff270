// The synthesized templates checked by CloudFormation's own resource schemas — the validator aws-cdk-lib runs at
// synth (offline, WebAssembly; no Docker, no network), in strict mode so a warning fails too. Its own file: the
// validator's start-up costs a few seconds of CPU, and the other synth tests skip it.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CordonMemberRoleStack, CordonResponder } from '../../cdk/src/index.js';
import { cleanup, newApp, tinyBundle, type Json } from './synth.js';

after(cleanup);

test("the templates pass CloudFormation's own schema validation (the CDK's built-in validator, offline, strict)", () => {
  const app = newApp(true);
  const stack = new Stack(app, 'Responder');
  new CordonResponder(stack, 'Cordon', {
    codePath: tinyBundle(),
    mode: 'contain',
    objectLock: { mode: 'COMPLIANCE', days: 30 },
    notificationEmail: 'soc@example.com',
    encryptionKey: new kms.Key(stack, 'Key'),
    options: { layers: ['subnet'], playbook: { revokeSessions: true } },
  });
  new CordonMemberRoleStack(app, 'Member', { responderAccountId: '111122223333', options: { layers: ['subnet'] } });
  // strictCfnValidateErrors: any finding (even a warning) fails the synthesis.
  const assembly = app.synth();
  const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as Json;
  for (const r of report.pluginReports as Json[]) assert.deepEqual(r.violations, [], JSON.stringify(r.violations));
});
