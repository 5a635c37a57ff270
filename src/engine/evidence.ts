// The evidence folder: <state-dir>/evidence/<incident>/<instance>/ holds every local artefact (console output,
// screenshot, descriptions …) and manifest.json listing each with its SHA-256, size, the API call and request id
// it came from, and the time; remote artefacts (snapshots, the AMI) are listed with their ids and states. A
// SHA256SUMS file beside it lets `sha256sum -c SHA256SUMS` check the folder without cordon; `cordon evidence
// verify` re-hashes everything. Files are written once (never overwritten) and the manifest is replaced atomically.
// Every write is synchronous, so steps writing to the same folder at once cannot interleave a manifest update.

import { checkIncidentId } from '../core/incident-id.js';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { CordonError, EXIT } from '../core/errors.js';
import { Journal } from './journal.js';

export const MANIFEST_VERSION = 1;

/** The journal attribute under which each manifest hash is recorded ('applied' record, resource = instance id). */
export const EVIDENCE_MANIFEST_ATTRIBUTE = 'evidence-manifest';

export interface ArtefactEntry {
  file: string;
  sha256: string;
  size: number;
  /** The AWS action (service:Action) or cordon source it came from. */
  source: string;
  requestId?: string;
  /** When it was captured (ISO 8601). */
  time: string;
  description?: string;
}

export interface RemoteArtefact {
  type: 'snapshot' | 'image';
  id: string;
  source: string;
  requestId?: string;
  time: string;
  state: string;
  stateAt: string;
  volumeId?: string;
  name?: string;
  tags: Record<string, string>;
}

export interface Manifest {
  version: typeof MANIFEST_VERSION;
  incident: string;
  instanceId: string;
  region: string;
  accountId?: string;
  createdAt: string;
  updatedAt: string;
  artefacts: ArtefactEntry[];
  remote: RemoteArtefact[];
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const SAFE = /^[A-Za-z0-9._-]{1,128}$/;

function writeDurable(path: string, data: Buffer | string, flag: 'wx' | 'w'): void {
  const fd = openSync(path, flag, 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function evidenceRoot(stateDir: string, incident: string): string {
  checkIncidentId(incident);
  return join(stateDir, 'evidence', incident);
}

export class EvidenceFolder {
  readonly dir: string;
  readonly manifestPath: string;

  /** `onChange` gets the manifest's new SHA-256 after every update, synchronously (the journal records it). */
  constructor(
    stateDir: string,
    readonly incident: string,
    readonly instanceId: string,
    private readonly meta: { region: string; accountId?: string; onChange?: (sha256: string) => void },
  ) {
    if (!SAFE.test(instanceId)) throw new Error(`bad instance id ${instanceId}`);
    this.dir = join(evidenceRoot(stateDir, incident), instanceId);
    this.manifestPath = join(this.dir, 'manifest.json');
  }

  read(): Manifest {
    if (existsSync(this.manifestPath)) return JSON.parse(readFileSync(this.manifestPath, 'utf8')) as Manifest;
    const now = new Date().toISOString();
    return {
      version: MANIFEST_VERSION,
      incident: this.incident,
      instanceId: this.instanceId,
      region: this.meta.region,
      accountId: this.meta.accountId,
      createdAt: now,
      updatedAt: now,
      artefacts: [],
      remote: [],
    };
  }

  /** Writes a new artefact file (a name already taken gets a numbered suffix) and lists it. Returns its entry. */
  add(name: string, data: Buffer | string, e: Omit<ArtefactEntry, 'file' | 'sha256' | 'size'>): ArtefactEntry {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const dot = name.lastIndexOf('.');
    let file = name;
    for (let n = 2; existsSync(join(this.dir, file)); n++)
      file = dot > 0 ? `${name.slice(0, dot)}-${n}${name.slice(dot)}` : `${name}-${n}`;
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    writeDurable(join(this.dir, file), bytes, 'wx');
    const entry: ArtefactEntry = { file, sha256: sha256(bytes), size: bytes.length, ...e };
    this.update((m) => m.artefacts.push(entry));
    return entry;
  }

  addJson(name: string, value: unknown, e: Omit<ArtefactEntry, 'file' | 'sha256' | 'size'>): ArtefactEntry {
    return this.add(name, JSON.stringify(value, null, 2) + '\n', e);
  }

  /** Lists (or updates, by id) remote artefacts. */
  putRemote(items: RemoteArtefact[]): void {
    this.update((m) => {
      for (const it of items) {
        const i = m.remote.findIndex((r) => r.id === it.id);
        if (i >= 0) m.remote[i] = { ...m.remote[i]!, ...it };
        else m.remote.push(it);
      }
    });
  }

  setRemoteStates(states: Record<string, string>, at: string): void {
    this.update((m) => {
      for (const r of m.remote) if (states[r.id] !== undefined) Object.assign(r, { state: states[r.id], stateAt: at });
    });
  }

  /** The manifest's own hash (recorded in the journal, so a rewritten manifest is noticed). */
  manifestHash(): string | undefined {
    return existsSync(this.manifestPath) ? sha256(readFileSync(this.manifestPath)) : undefined;
  }

  private update(fn: (m: Manifest) => void): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const m = this.read();
    fn(m);
    m.updatedAt = new Date().toISOString();
    const tmp = `${this.manifestPath}.tmp`;
    const text = JSON.stringify(m, null, 2) + '\n';
    writeDurable(tmp, text, 'w');
    renameSync(tmp, this.manifestPath);
    const sums = m.artefacts.map((a) => `${a.sha256}  ${a.file}`).join('\n') + '\n';
    writeDurable(`${join(this.dir, 'SHA256SUMS')}.tmp`, sums, 'w');
    renameSync(`${join(this.dir, 'SHA256SUMS')}.tmp`, join(this.dir, 'SHA256SUMS'));
    this.meta.onChange?.(sha256(text));
  }
}

export interface VerifyProblem {
  instanceId: string;
  file: string;
  problem: 'missing' | 'hash-mismatch' | 'size-mismatch' | 'unlisted' | 'manifest-unreadable' | 'manifest-changed';
  detail: string;
}

export interface VerifyReport {
  incident: string;
  root: string;
  instances: { instanceId: string; files: number; remote: number; manifestSha256?: string }[];
  problems: VerifyProblem[];
  ok: boolean;
}

const OWN_FILES = new Set(['manifest.json', 'SHA256SUMS']);

/** Re-hashes every listed file of every instance folder of an incident; reports missing, changed and unlisted files. */
export function verifyEvidence(stateDir: string, incident: string): VerifyReport {
  const root = evidenceRoot(stateDir, incident);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new CordonError(
      'no-evidence',
      `no evidence folder for incident ${incident} at ${root}`,
      EXIT.refused,
      'check the incident id and --state-dir (or CORDON_HOME)',
    );
  }
  const report: VerifyReport = { incident, root, instances: [], problems: [], ok: true };
  // The journal holds the manifest's hash after each update cordon made: the last one must match the file.
  const journaled = new Map<string, string>();
  for (const r of new Journal(stateDir, incident).read()) {
    if (r.type === 'applied' && r.attribute === EVIDENCE_MANIFEST_ATTRIBUTE && typeof r.value === 'string')
      journaled.set(r.resource, r.value);
  }
  for (const instanceId of readdirSync(root).sort()) {
    const dir = join(root, instanceId);
    if (!statSync(dir).isDirectory()) continue;
    const manifestPath = join(dir, 'manifest.json');
    let m: Manifest;
    try {
      m = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
      if (!Array.isArray(m.artefacts)) throw new Error('no artefacts list');
    } catch (e) {
      report.problems.push({
        instanceId,
        file: 'manifest.json',
        problem: 'manifest-unreadable',
        detail: (e as Error).message,
      });
      continue;
    }
    const listed = new Set<string>();
    for (const a of m.artefacts) {
      listed.add(a.file);
      const path = join(dir, a.file);
      if (!existsSync(path)) {
        report.problems.push({
          instanceId,
          file: a.file,
          problem: 'missing',
          detail: `listed with sha256 ${a.sha256}`,
        });
        continue;
      }
      const bytes = readFileSync(path);
      const h = sha256(bytes);
      if (h !== a.sha256)
        report.problems.push({
          instanceId,
          file: a.file,
          problem: 'hash-mismatch',
          detail: `manifest ${a.sha256}, file now ${h}`,
        });
      else if (bytes.length !== a.size)
        report.problems.push({
          instanceId,
          file: a.file,
          problem: 'size-mismatch',
          detail: `manifest ${a.size} bytes, file now ${bytes.length}`,
        });
    }
    for (const f of readdirSync(dir)) {
      if (!listed.has(f) && !OWN_FILES.has(f) && !f.endsWith('.tmp'))
        report.problems.push({ instanceId, file: f, problem: 'unlisted', detail: 'not in manifest.json' });
    }
    const manifestSha256 = sha256(readFileSync(manifestPath));
    const expected = journaled.get(instanceId);
    if (expected !== undefined && expected !== manifestSha256) {
      report.problems.push({
        instanceId,
        file: 'manifest.json',
        problem: 'manifest-changed',
        detail: `the journal recorded sha256 ${expected} when cordon last wrote it; it is now ${manifestSha256}`,
      });
    }
    report.instances.push({ instanceId, files: m.artefacts.length, remote: (m.remote ?? []).length, manifestSha256 });
  }
  report.ok = report.problems.length === 0;
  return report;
}
