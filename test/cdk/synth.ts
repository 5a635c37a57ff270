// Synthesizing the CDK construct in-process for the tests: a throwaway Lambda bundle (the real one is built by
// `npm run build:lambda`), apps without the built-in CloudFormation validation unless a test asks for it (it
// costs seconds), and helpers to read what was synthesized.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CordonResponder, type CordonResponderProps } from '../../cdk/src/index.js';

export const TINY_BUNDLE = `export const handler = async (event) => ({ ok: true, event });
export const workerHandler = async (event) => ({ ok: true, event });
`;

// Synthesized CloudFormation is untyped JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

const dirs: string[] = [];

/** A temporary directory holding a tiny index.mjs, passed as `codePath`. */
export function tinyBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-cdk-code-'));
  writeFileSync(join(dir, 'index.mjs'), TINY_BUNDLE);
  dirs.push(dir);
  return dir;
}

/** A temporary cloud assembly directory (the App's outdir). */
export function outdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-cdk-out-'));
  dirs.push(dir);
  return dir;
}

export function cleanup(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function newApp(validate = false): App {
  return new App({
    outdir: outdir(),
    builtinCloudFormationValidation: validate,
    context: validate ? { '@aws-cdk/core:strictCfnValidateErrors': true } : {},
  });
}

export interface Synth {
  app: App;
  template: Template;
  json: Json;
  responder: CordonResponder;
  stack: Stack;
  /** The logical id of a construct. */
  id(c: { node: { defaultChild?: unknown } } | unknown): string;
}

export function synthResponder(props: Partial<CordonResponderProps> = {}): Synth {
  const app = newApp();
  const stack = new Stack(app, 'Responder');
  const responder = new CordonResponder(stack, 'Cordon', { codePath: tinyBundle(), ...props });
  const template = Template.fromStack(stack);
  return {
    app,
    template,
    json: template.toJSON(),
    responder,
    stack,
    id: (c) => {
      const node = (c as { node: { defaultChild?: unknown } }).node;
      const cfn = (node.defaultChild ?? c) as Parameters<Stack['getLogicalId']>[0];
      return stack.resolve(stack.getLogicalId(cfn)) as string;
    },
  };
}

/** Resources of one type: logical id → resource. */
export function resourcesOf(json: Json, type: string): Record<string, Json> {
  return Object.fromEntries(Object.entries(json.Resources as Record<string, Json>).filter(([, r]) => r.Type === type));
}

/** A policy statement as cordon's iam-policy prints it: CDK renders a single action as a string. */
export function asCordonStatement(s: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Sid: s.Sid,
    Effect: s.Effect,
    Action: [s.Action].flat(),
    Resource: s.Resource,
  };
  if (s.Condition !== undefined) out.Condition = s.Condition;
  return out;
}
