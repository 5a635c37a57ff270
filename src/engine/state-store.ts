// Where an incident's journal and evidence live. Local (a state dir: ~/.cordon by default) or S3
// (`s3://bucket/prefix`, src/aws/s3-state.ts). With S3, the local state dir is a working copy: journals are pulled
// from S3 before anything reads them, every journal line written there is also stored in S3 (a record written ahead
// of a change is confirmed only once S3 has it), and the evidence files and run records are uploaded when the run
// ends. S3 is the copy that counts: restore on another machine (or in the next Lambda invocation) reads it.

import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { S3StateStore, parseStateUrl, storeOptionsFromClients, type S3StateOptions } from '../aws/s3-state.js';
import type { AwsClients } from '../aws/clients.js';
import { CordonError, EXIT } from '../core/errors.js';
import { attachJournalRemote, defaultStateDir, type JournalRemote } from './journal.js';

export interface StateStore extends JournalRemote {
  readonly url: string;
  listIncidents(): Promise<string[]>;
  readJournal(incident: string): Promise<string | undefined>;
  putFile(incident: string, rel: string, path: string, size: number): Promise<void>;
  listFiles(incident: string, relPrefix: string): Promise<string[]>;
  getFile(incident: string, rel: string): Promise<Buffer>;
  destroy(): void;
}

export function isStoreUrl(v: string | undefined): v is string {
  return v !== undefined && v.startsWith('s3://');
}

/** The store at an s3:// URL (throws a usage error for a malformed one). */
export function openStateStore(url: string, o: S3StateOptions): StateStore {
  return new S3StateStore(parseStateUrl(url), o);
}

/** The local working copy of a store: under the state dir, one folder per bucket and prefix. */
export function workingCopyDir(url: string, base = defaultStateDir()): string {
  const { bucket, prefix } = parseStateUrl(url);
  return join(base, 's3', bucket, ...prefix.split('/').filter(Boolean));
}

/** Files already uploaded from a working copy in this process (path → sha256), so a second push skips them. */
const pushed = new Map<string, string>();

/** Working copies bound to a store in this process, with how many runs use each (a fleet's workers share one). */
const bound = new Map<string, { store: StateStore; users: number; ready: Promise<void> }>();

/**
 * Binds a store to a working copy: every journal written there goes to the store too. The first run to bind it
 * pulls the journals of `incidents` (every one the store holds when 'all') first, so the hash chain continues from
 * the store's copy; runs that share the binding do not pull again (it would overwrite lines not yet confirmed).
 */
export async function acquireStore(store: StateStore, stateDir: string, incidents: string[] | 'all'): Promise<void> {
  const b = bound.get(stateDir);
  if (b) {
    b.users++;
    try {
      await b.ready;
    } catch (e) {
      b.users--;
      throw e;
    }
    return;
  }
  const ready = pull(store, stateDir, incidents);
  bound.set(stateDir, { store, users: 1, ready });
  try {
    await ready;
  } catch (e) {
    bound.delete(stateDir);
    throw e;
  }
  attachJournalRemote(stateDir, store);
}

async function pull(store: StateStore, stateDir: string, incidents: string[] | 'all'): Promise<void> {
  try {
    const list = incidents === 'all' ? await store.listIncidents() : incidents;
    await Promise.all(
      list.map(async (incident) => {
        const text = await store.readJournal(incident);
        if (text === undefined) return;
        mkdirSync(join(stateDir, 'journal'), { recursive: true, mode: 0o700 });
        writeFileSync(join(stateDir, 'journal', `${incident}.jsonl`), text, { mode: 0o600 });
      }),
    );
  } catch (e) {
    throw new CordonError(
      'state-unreachable',
      `cannot read the state store ${store.url}: ${(e as Error).message}`,
      EXIT.unreachable,
      'check the bucket name, its region and your s3:ListBucket / s3:GetObject permissions; nothing was changed',
    );
  }
}

/** Unbinds the store from the working copy once its last user is done (the journals stay local only). */
export function releaseStore(stateDir: string): void {
  const b = bound.get(stateDir);
  if (!b || --b.users > 0) return;
  bound.delete(stateDir);
  attachJournalRemote(stateDir, undefined);
}

export interface StateRequest {
  clients: AwsClients;
  /** The local state dir; with a store, its working copy (default: under ~/.cordon/s3/). */
  stateDir?: string;
  /** `s3://bucket/prefix` (credentials and endpoint of `clients`), or an open store. */
  stateStore?: string | StateStore;
}

/**
 * Runs `run` with the request's state: the local state dir, or a store's working copy bound to the store (journals
 * pulled first, every journal line written also stored there; at the end, `finish` — e.g. uploading the evidence —
 * and every journal line confirmed in the store).
 */
export async function withState<T>(
  r: StateRequest,
  incidents: string[] | 'all',
  run: (stateDir: string, store?: StateStore) => Promise<T>,
  finish?: (stateDir: string, store: StateStore, result: T) => Promise<void>,
): Promise<T> {
  if (!r.stateStore) return run(r.stateDir ?? defaultStateDir());
  const own = typeof r.stateStore === 'string';
  const store =
    typeof r.stateStore === 'string'
      ? openStateStore(r.stateStore, await storeOptionsFromClients(r.clients))
      : r.stateStore;
  const stateDir = r.stateDir ?? workingCopyDir(store.url);
  try {
    await acquireStore(store, stateDir, incidents);
    try {
      const t = await run(stateDir, store);
      await finish?.(stateDir, store, t);
      return t;
    } finally {
      releaseStore(stateDir);
    }
  } finally {
    if (own) store.destroy();
  }
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Uploads the incident's evidence folder and run records (only files not yet uploaded as they are). */
export async function pushIncidentFiles(store: StateStore, stateDir: string, incident: string): Promise<number> {
  const base = stateDir;
  const files = [...walk(join(base, 'evidence', incident)), ...walk(join(base, 'records', incident))];
  let n = 0;
  await Promise.all(
    files.map(async (path) => {
      const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
      if (pushed.get(path) === sha) return;
      // <incident>/evidence/<instance>/<file>, <incident>/records/<file>
      const [kind, , ...rest] = relative(base, path).split(sep);
      await store.putFile(incident, [kind, ...rest].join('/'), path, statSync(path).size);
      pushed.set(path, sha);
      n++;
    }),
  );
  return n;
}

/** Downloads the incident's evidence folder and run records into the working copy (for evidence verify, report). */
export async function pullIncidentFiles(store: StateStore, stateDir: string, incident: string): Promise<number> {
  const rels = [...(await store.listFiles(incident, 'evidence/')), ...(await store.listFiles(incident, 'records/'))];
  await Promise.all(
    rels.map(async (rel) => {
      const [kind, ...rest] = rel.split('/');
      if (rest.some((p) => p === '..' || p === '.' || p === '')) return; // never outside the working copy
      const path = join(stateDir, kind!, incident, ...rest);
      mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
      writeFileSync(path, await store.getFile(incident, rel), { mode: 0o600 });
    }),
  );
  return rels.length;
}
