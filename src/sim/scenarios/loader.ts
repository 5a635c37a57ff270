// Loads a scenario (a bundled name, a file path, or an object) into a fresh World. Validation errors name the
// bad field by its path, e.g. `accounts[0].regions[0].instances[1].subnet: unknown subnet "web-c"`.

import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { validationMessage } from './messages.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { World } from '../state/world.js';
import { RegionBuilder } from './region-builder.js';
import { FLEET_MAX, fleetScenario, fleetSize } from './fleet.js';
import { buildStorage, type BucketNames } from './storage-builder.js';
import type { AccountState } from '../state/types.js';

export type ScenarioInput = string | Scenario | Record<string, unknown>;

export { ScenarioError } from './errors.js';
import { ScenarioError } from './errors.js';

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the cordon package root');
    dir = up;
  }
  return dir;
}

export function bundledScenarioDir(): string {
  return join(packageRoot(), 'src', 'sim', 'scenarios');
}

export async function listBundledScenarios(): Promise<string[]> {
  return (await readdir(bundledScenarioDir()))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

export async function readScenario(input: ScenarioInput): Promise<Scenario> {
  let raw: unknown = input;
  const fleet = typeof input === 'string' && !existsSync(input) ? fleetSize(input) : undefined;
  if (fleet !== undefined) {
    if (fleet < 1 || fleet > FLEET_MAX)
      throw new ScenarioError(`scenario "${input}": a fleet has 1 to ${FLEET_MAX} instances (e.g. fleet-300)`);
    raw = fleetScenario(fleet);
  } else if (typeof input === 'string') {
    const isName = /^[a-z0-9-]+$/.test(input) && !existsSync(input);
    const path = isName ? join(bundledScenarioDir(), `${input}.json`) : resolve(input);
    if (!existsSync(path)) {
      const names = await listBundledScenarios();
      throw new ScenarioError(
        `scenario "${input}" not found: give a file path or one of: ${names.join(', ')}, fleet-N (N generated instances)`,
      );
    }
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
    } catch (e) {
      throw new ScenarioError(`scenario file ${path} is not valid JSON: ${(e as Error).message}`);
    }
  }
  return parseScenario(raw);
}

export function parseScenario(raw: unknown): Scenario {
  const r = scenarioSchema.safeParse(raw, { error: validationMessage });
  if (!r.success) throw new ScenarioError(`invalid scenario:\n${formatIssues(r.error)}`);
  return r.data;
}

const MAX_ISSUES = 20;

export function formatIssues(error: z.ZodError): string {
  const lines = error.issues.slice(0, MAX_ISSUES).map((i) => `  ${formatPath(i.path)}: ${i.message}`);
  if (error.issues.length > MAX_ISSUES) lines.push(`  … and ${error.issues.length - MAX_ISSUES} more`);
  return lines.join('\n');
}

function formatPath(path: PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || '(root)';
}

export async function loadScenario(input: ScenarioInput): Promise<World> {
  return buildWorld(await readScenario(input));
}

/** A data-plane flow given in a scenario, kept for the data plane to open once the world is built. */
export interface ScenarioFlowSpec {
  accountId: string;
  region: string;
  path: string;
  spec: Record<string, unknown>;
}

export function buildWorld(s: Scenario): World {
  const defaultAccount = s.accounts.find((a) => a.default) ?? s.accounts[0]!;
  const world = new World({
    defaultAccountId: defaultAccount.id,
    defaultRegion: s.defaultRegion,
    scenarioName: s.name,
  });
  if (s.startTime) {
    world.clock.advance(Date.parse(s.startTime) - Date.now());
  }
  const flows: ScenarioFlowSpec[] = [];
  const bucketNames: BucketNames = new Map();
  s.accounts.forEach((acct, ai) => {
    const account = world.account(acct.id);
    account.alias = acct.alias;
    for (const c of acct.credentials) {
      world.principals.set(c.accessKeyId, {
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        accountId: acct.id,
        arn: `arn:aws:iam::${acct.id}:user/${c.user}`,
        userId: `AIDA${world.ids.hex('uid', 16).slice(4).toUpperCase()}`,
        allow: c.allow,
        deny: c.deny,
      });
    }
    buildIam(world, account, acct.iam, `accounts[${ai}].iam`);
    acct.regions.forEach((reg, ri) => {
      const path = `accounts[${ai}].regions[${ri}]`;
      const region = world.region(acct.id, reg.name);
      new RegionBuilder(world, account, region, reg, path).build();
      buildStorage(world, acct.id, region, reg, path, bucketNames);
      reg.flows.forEach((f, fi) =>
        flows.push({ accountId: acct.id, region: reg.name, path: `${path}.flows[${fi}]`, spec: f }),
      );
    });
  });
  world.scenarioFlows = flows;
  world.scenarioDataplane = s.dataplane;
  return world;
}

function buildIam(world: World, account: AccountState, iam: Scenario['accounts'][number]['iam'], path: string): void {
  const now = world.clock.nowIso();
  for (const r of iam.roles) {
    const trust =
      typeof r.trust === 'string'
        ? {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: r.trust }, Action: 'sts:AssumeRole' }],
          }
        : r.trust;
    account.iam.roles.set(r.name, {
      roleName: r.name,
      roleId: `AROA${world.ids.hex('role', 17).slice(5).toUpperCase()}`,
      arn: `arn:aws:iam::${account.accountId}:role${r.path}${r.name}`,
      path: r.path,
      createDate: now,
      assumeRolePolicyDocument: JSON.stringify(trust),
      maxSessionDuration: 3600,
      inlinePolicies: Object.fromEntries(Object.entries(r.inlinePolicies).map(([k, v]) => [k, JSON.stringify(v)])),
      attachedPolicyArns: [...r.attachedPolicies],
      tags: { ...(r.tags ?? {}) },
    });
  }
  iam.instanceProfiles.forEach((p, i) => {
    if (p.role && !account.iam.roles.has(p.role))
      throw new ScenarioError(`${path}.instanceProfiles[${i}].role: unknown role "${p.role}"`);
    account.iam.instanceProfiles.set(p.name, {
      instanceProfileName: p.name,
      instanceProfileId: `AIPA${world.ids.hex('ip', 17).slice(3).toUpperCase()}`,
      arn: `arn:aws:iam::${account.accountId}:instance-profile${p.path}${p.name}`,
      path: p.path,
      createDate: now,
      roleNames: p.role ? [p.role] : [],
      tags: {},
    });
  });
}
