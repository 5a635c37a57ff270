// Reading what an incident left in the state dir, for the report: the journal, the run records (calls, verify
// results, the lab's flows) and the evidence manifests. Pure reading — nothing here writes. Every file is treated as
// untrusted input: lines that do not parse are counted and skipped, and unreadable files become a CordonError that
// says what to do.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CordonError, EXIT } from '../../core/errors.js';
import { checkIncidentId } from '../../core/incident-id.js';
import type { JournalRecord } from '../journal.js';
import { recordsDir, type CallsRecord, type LabRecord, type VerifyRecord } from '../records.js';
import { evidenceRoot, type Manifest } from '../evidence.js';

export interface IncidentFiles {
  stateDir: string;
  incident: string;
  journalPath: string;
  journal: JournalRecord[];
  calls: CallsRecord[];
  /** The verify records file, read line by line by forEachVerifyRecord (it holds full reports: large for fleets). */
  verifyPath?: string;
  lab?: LabRecord;
  recordsPath?: string;
  notes: string[];
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new CordonError(
      'report-unreadable',
      `cannot read ${path}: ${code}`,
      EXIT.usage,
      'check the file and its permissions (run as the user who ran cordon), or give the right --state-dir',
    );
  }
}

/** JSON lines that parse to objects; the others are counted (a torn last line after a crash, or tampering). */
function jsonLines<T>(text: string, what: string, notes: string[]): T[] {
  const out: T[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as T);
      else bad++;
    } catch {
      bad++;
    }
  }
  if (bad) notes.push(`${bad} line(s) of ${what} could not be read and were left out (a torn line after a crash?)`);
  return out;
}

function knownIncidents(stateDir: string): string[] {
  const dir = join(stateDir, 'journal');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => ({ id: f.slice(0, -'.jsonl'.length), mtime: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime)
    .map((x) => x.id);
}

/** Opens an incident's files, or says why it cannot. */
export function openIncident(stateDir: string, incident: string): IncidentFiles {
  checkIncidentId(incident);
  if (!existsSync(stateDir) || !statSync(stateDir).isDirectory())
    throw new CordonError(
      'report-no-state',
      `no cordon state folder at ${stateDir}`,
      EXIT.refused,
      'pass --state-dir DIR (or set CORDON_HOME) to the folder cordon wrote the journal to',
    );
  const journalPath = join(stateDir, 'journal', `${incident}.jsonl`);
  if (!existsSync(journalPath)) {
    const known = knownIncidents(stateDir);
    throw new CordonError(
      'report-unknown-incident',
      `no journal for incident ${incident} in ${join(stateDir, 'journal')}`,
      EXIT.refused,
      known.length
        ? `incidents recorded there (newest first): ${known.slice(0, 5).join(', ')}${known.length > 5 ? ' …' : ''}`
        : 'no incident is recorded there: give the --state-dir (or CORDON_HOME) that `cordon contain` used',
    );
  }
  const notes: string[] = [];
  const journal = jsonLines<JournalRecord>(readText(journalPath), 'the journal', notes).filter(
    (r) => typeof r.type === 'string' && typeof r.time === 'string',
  );
  if (!journal.some((r) => r.type === 'plan' || r.type === 'restored'))
    throw new CordonError(
      'report-empty',
      `the journal of incident ${incident} (${journalPath}) records no containment and no restore`,
      EXIT.refused,
      'the run stopped before its plan was recorded: rerun `cordon contain` for the incident, then the report',
    );
  const dir = recordsDir(stateDir, incident);
  const has = (f: string): boolean => existsSync(join(dir, f));
  const calls = has('calls.jsonl')
    ? jsonLines<CallsRecord>(readText(join(dir, 'calls.jsonl')), 'calls.jsonl', notes).filter((c) =>
        Array.isArray(c.calls),
      )
    : [];
  if (!has('calls.jsonl') && !has('verify.jsonl'))
    notes.push(
      `no run records in ${dir}: the AWS calls and the verify results are written when a containment run ends (a run that crashed, or a restore, leaves none)`,
    );
  let lab: LabRecord | undefined;
  if (has('lab.json')) {
    try {
      lab = JSON.parse(readText(join(dir, 'lab.json'))) as LabRecord;
    } catch (e) {
      if (e instanceof CordonError) throw e;
      notes.push(`lab.json could not be read (${(e as Error).message}): the attacker flows are left out`);
    }
  }
  return {
    stateDir,
    incident,
    journalPath,
    journal,
    calls,
    verifyPath: has('verify.jsonl') ? join(dir, 'verify.jsonl') : undefined,
    lab,
    recordsPath: existsSync(dir) ? dir : undefined,
    notes,
  };
}

/**
 * Calls fn with each verify record, one line at a time (each holds a full report of ~50 KB: a 1,000-instance run's
 * file is ~100 MB, which is never held parsed all at once).
 */
export function forEachVerifyRecord(files: IncidentFiles, fn: (r: VerifyRecord) => void): void {
  if (!files.verifyPath) return;
  const buf = readText(files.verifyPath);
  let bad = 0;
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf('\n', start);
    if (end < 0) end = buf.length;
    const line = buf.slice(start, end);
    start = end + 1;
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as VerifyRecord;
      if (r && (r.when === 'before' || r.when === 'after') && Array.isArray(r.report?.enis)) fn(r);
      else bad++;
    } catch {
      bad++;
    }
  }
  if (bad) files.notes.push(`${bad} line(s) of verify.jsonl could not be read and were left out`);
}

export interface ManifestRead {
  instanceId: string;
  manifest?: Manifest;
  error?: string;
}

/** The evidence manifests of the incident, one per instance folder (none: the folder does not exist). */
export function readManifests(stateDir: string, incident: string): { root: string; manifests: ManifestRead[] } {
  const root = evidenceRoot(stateDir, incident);
  if (!existsSync(root)) return { root, manifests: [] };
  const manifests: ManifestRead[] = [];
  for (const instanceId of readdirSync(root).sort()) {
    const path = join(root, instanceId, 'manifest.json');
    if (!existsSync(path)) continue;
    try {
      const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
      if (!Array.isArray(m.artefacts)) throw new Error('no artefacts list');
      manifests.push({ instanceId, manifest: m });
    } catch (e) {
      manifests.push({ instanceId, error: (e as Error).message });
    }
  }
  return { root, manifests };
}
