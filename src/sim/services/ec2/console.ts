// EC2 console evidence: GetConsoleOutput and GetConsoleScreenshot.
// Console output is the instance's `consoleOutput`, base64-encoded, the last 64 KiB (as AWS keeps). The screenshot
// is a real PNG generated here: a background colour derived from the instance id (deterministic per instance)
// with a light bar where a login prompt would be, so evidence hashing has stable, instance-specific bytes.

import { createHash } from 'node:crypto';
import type { Handler } from '../framework.js';
import { bool, str } from '../framework.js';
import { AwsError } from '../../errors.js';
import { lookup } from './ids.js';
import { encodePng, type Rgb } from './png.js';

export const CONSOLE_OUTPUT_MAX_BYTES = 64 * 1024;
export const SCREENSHOT_WIDTH = 320;
export const SCREENSHOT_HEIGHT = 200;

const getConsoleOutput: Handler = (ctx, p) => {
  const inst = lookup('instance', ctx.region.ec2.instances, str(p, 'InstanceId'), 'InstanceId');
  const latest = bool(p, 'Latest') ?? false;
  if (latest && !inst.nitro) {
    throw new AwsError(
      'UnsupportedOperation',
      `Retrieving the latest console output is supported only on Nitro-based instances; '${inst.instanceId}' is not.`,
    );
  }
  const bytes = Buffer.from(inst.consoleOutput, 'utf8');
  const tail =
    bytes.length > CONSOLE_OUTPUT_MAX_BYTES ? bytes.subarray(bytes.length - CONSOLE_OUTPUT_MAX_BYTES) : bytes;
  return {
    instanceId: inst.instanceId,
    timestamp: ctx.nowIso(),
    output: tail.length ? tail.toString('base64') : undefined,
  };
};

/** The screenshot of an instance: the same PNG bytes every time for the same instance id. */
export function screenshotPng(instanceId: string): Buffer {
  const h = createHash('sha256').update(instanceId).digest();
  const bg: Rgb = [h[0]! & 0x7f, h[1]! & 0x7f, h[2]! & 0x7f];
  const fg: Rgb = [0xd0, 0xd0, 0xd0];
  const promptWidth = 60 + (h[3]! % 100);
  return encodePng(SCREENSHOT_WIDTH, SCREENSHOT_HEIGHT, (x, y) =>
    y >= 10 && y < 18 && x >= 10 && x < 10 + promptWidth ? fg : bg,
  );
}

const getConsoleScreenshot: Handler = (ctx, p) => {
  const inst = lookup('instance', ctx.region.ec2.instances, str(p, 'InstanceId'), 'InstanceId');
  bool(p, 'WakeUp'); // validated; a simulated instance never sleeps
  if (inst.state !== 'running') {
    throw new AwsError('IncorrectInstanceState', `The instance '${inst.instanceId}' is not in the 'running' state.`);
  }
  return { instanceId: inst.instanceId, imageData: screenshotPng(inst.instanceId).toString('base64') };
};

export const consoleActions: Record<string, Handler> = {
  GetConsoleOutput: getConsoleOutput,
  GetConsoleScreenshot: getConsoleScreenshot,
};
