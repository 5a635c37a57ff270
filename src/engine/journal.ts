// The local write-ahead journal: one JSON-lines file per incident, each record fsynced before cordon makes the
// change it protects, each line chained to the one before by its SHA-256 (tamper-evident). Restore cross-checks the
// originals recorded here against the record tags on the resources.

import { checkIncidentId, isIncidentId } from '../core/incident-id.js';
import {
  mkdirSync,
  openSync,
  writeSync,
  fsyncSync,
  closeSync,
  readFileSync,
  readSync,
  fstatSync,
  existsSync,
  readdirSync,
  statSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type JournalRecord =
  | { type: 'plan'; time: string; incident: string; instances: string[]; planVersion: number }
  | {
      type: 'original';
      time: string;
      incident: string;
      instanceId?: string;
      resource: string;
      attribute: string;
      value: unknown;
    }
  | {
      type: 'applied';
      time: string;
      incident: string;
      changeId: string;
      resource: string;
      attribute: string;
      value: unknown;
    }
  | { type: 'created'; time: string; incident: string; placeholder: string; resource: string }
  | {
      type: 'step';
      time: string;
      incident: string;
      stepId: string;
      instanceId?: string;
      status: string;
      error?: string;
    }
  | { type: 'restored'; time: string; incident: string; resource: string; attribute: string; value: unknown }
  | { type: 'result'; time: string; incident: string; instanceId: string; status: string };

/** The stepId of the `step` record a restore writes for each instance before it changes anything. */
export const RESTORE_STARTED = 'restore';

export function defaultStateDir(): string {
  return process.env.CORDON_HOME ?? join(homedir(), '.cordon');
}

/** The journal record every record of a chain starts from: prev of the first line. */
export function genesis(incident: string): string {
  return sha256(`cordon-journal:${incident}`);
}

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** What every Journal object of one file shares in this process: the queue and the chain's last hash. */
interface FileState {
  queued: JournalRecord[];
  waiting: { resolve(): void; reject(e: unknown): void }[];
  flushTimer?: NodeJS.Timeout;
  commitScheduled: boolean;
  /** Hash of the line each written plan record became (the run's write-ahead batch), newest last. */
  planHashes: string[];
  /** Uploads to the remote store not yet confirmed, and the first that failed. */
  uploads: Set<Promise<void>>;
  uploadError?: unknown;
  /** The file as this process last wrote it: its size and last line (read again when the size differs). */
  tail?: { size: number; line: string; terminated: boolean; lineNumber: number };
}

const files = new Map<string, FileState>();

/**
 * A durable copy of the journal somewhere else (the S3 state store, src/engine/state-store.ts): every batch of lines
 * is sent as one segment, named by the line it starts at, after the local fsync. A record written with
 * appendDurable is confirmed only when its segment is stored there too.
 */
export interface JournalRemote {
  putJournalSegment(incident: string, firstLine: number, text: string): Promise<void>;
}

const remotes = new Map<string, JournalRemote>();

/** Every journal of this state dir (in this process) is also written to `remote`. */
export function attachJournalRemote(dir: string, remote: JournalRemote | undefined): void {
  if (remote) remotes.set(join(dir, 'journal'), remote);
  else remotes.delete(join(dir, 'journal'));
}

/**
 * The write-ahead journal of one incident. Each line is a JSON record carrying `prev`, the SHA-256 of the line
 * before it (the first: of "cordon-journal:<incident>"): a changed, removed or inserted line breaks the chain, and
 * `cordon journal verify` names where. The tags cordon writes carry the hash of the run's plan record
 * (`cordon:journal`), tying them to this journal.
 */
export class Journal {
  readonly path: string;
  private readonly state: FileState;
  constructor(
    readonly dir: string,
    readonly incident: string,
  ) {
    checkIncidentId(incident);
    this.path = join(dir, 'journal', `${incident}.jsonl`);
    let st = files.get(this.path);
    if (!st) {
      st = { queued: [], waiting: [], commitScheduled: false, planHashes: [], uploads: new Set() };
      files.set(this.path, st);
    }
    this.state = st;
  }

  /** Whether a remote store (S3) receives this journal's lines too. */
  get hasRemote(): boolean {
    return remotes.has(join(this.dir, 'journal'));
  }

  /** The hash of the plan record this process wrote last (what the run's tags carry), if any. */
  get planHash(): string | undefined {
    return this.state.planHashes.at(-1);
  }

  /** Appends records and fsyncs them: when this returns, they survive a crash (queued records go first). */
  append(...records: JournalRecord[]): void {
    const st = this.state;
    if (records.length === 0 && st.queued.length === 0) return;
    const batch = [...st.queued, ...records];
    const waiting = st.waiting;
    st.queued = [];
    st.waiting = [];
    if (st.flushTimer) clearTimeout(st.flushTimer);
    st.flushTimer = undefined;
    let upload: Promise<void> | undefined;
    try {
      upload = this.write(batch);
    } catch (e) {
      for (const w of waiting) w.reject(e);
      throw e;
    }
    if (!upload) for (const w of waiting) w.resolve();
    else
      upload.then(
        () => waiting.forEach((w) => w.resolve()),
        (e: unknown) => waiting.forEach((w) => w.reject(e)),
      );
  }

  /**
   * Waits until every line written so far is stored remotely too (when a remote store is attached); throws the
   * first upload failure.
   */
  async drain(): Promise<void> {
    this.flush();
    const st = this.state;
    while (st.uploads.size) await Promise.allSettled([...st.uploads]);
    if (st.uploadError) throw st.uploadError;
  }

  /**
   * Appends records durably, in a group commit: every record asked for in the same turn of the event loop shares one
   * write and fsync. Resolves once they survive a crash (and, with a remote store attached, once they are stored
   * there) — await it before the change the records protect.
   */
  appendDurable(...records: JournalRecord[]): Promise<void> {
    const st = this.state;
    st.queued.push(...records);
    const done = new Promise<void>((resolve, reject) => st.waiting.push({ resolve, reject }));
    if (!st.commitScheduled) {
      st.commitScheduled = true;
      setImmediate(() => {
        st.commitScheduled = false;
        try {
          this.append();
        } catch {
          // the waiters were told
        }
      });
    }
    return done;
  }

  /**
   * Records that protect nothing (a step's outcome, what was applied): written within a moment, in one write with
   * whatever else is queued, or at the latest with the next durable append or flush().
   */
  appendSoon(...records: JournalRecord[]): void {
    const st = this.state;
    st.queued.push(...records);
    st.flushTimer ??= setTimeout(() => {
      st.flushTimer = undefined;
      try {
        this.append();
      } catch {
        // written at the next append, which reports the error
      }
    }, 100);
  }

  /** Writes whatever is queued now. */
  flush(): void {
    this.append();
  }

  private write(records: JournalRecord[]): Promise<void> | undefined {
    if (records.length === 0) return undefined;
    mkdirSync(join(this.dir, 'journal'), { recursive: true, mode: 0o700 });
    const fd = openSync(this.path, 'a+', 0o600);
    let text: string;
    let firstLine: number;
    try {
      // The chain continues from the file's actual last line (another process may have appended since).
      const size = fstatSync(fd).size;
      const known = this.state.tail;
      const tail = known && known.size === size ? known : lastLine(fd);
      let prev = tail === undefined ? genesis(this.incident) : sha256(tail.line);
      const lines: string[] = [];
      for (const r of records) {
        const line = JSON.stringify({ ...r, prev });
        prev = sha256(line);
        lines.push(line);
        if (r.type === 'plan') this.state.planHashes.push(prev);
      }
      // A torn last line (a crash mid-write) is closed first, so the next record starts on a line of its own.
      text = lines.join('\n') + '\n';
      const bytes = Buffer.from((tail && !tail.terminated ? '\n' : '') + text);
      writeSync(fd, bytes);
      fsyncSync(fd);
      firstLine = tail === undefined ? 1 : tail.lineNumber + 1;
      this.state.tail = {
        size: size + bytes.length,
        line: lines.at(-1)!,
        terminated: true,
        lineNumber: firstLine + lines.length - 1,
      };
    } finally {
      closeSync(fd);
    }
    const remote = remotes.get(join(this.dir, 'journal'));
    if (!remote) return undefined;
    const st = this.state;
    const p = remote.putJournalSegment(this.incident, firstLine, text).catch((e: unknown) => {
      st.uploadError ??= e;
      throw e;
    });
    st.uploads.add(p);
    p.then(
      () => st.uploads.delete(p),
      () => st.uploads.delete(p),
    );
    return p;
  }

  read(): JournalRecord[] {
    this.flush();
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as JournalRecord];
        } catch {
          return []; // a torn last line after a crash is ignored
        }
      });
  }

  /** The hashes of every plan record in the file (each run's write-ahead batch), oldest first. */
  planHashes(): string[] {
    this.flush();
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{"type":"plan"'))
      .map(sha256);
  }

  /** The first recorded original of (resource, attribute): the value before cordon ever touched it. */
  original(resource: string, attribute: string): unknown {
    const r = this.read().find((x) => x.type === 'original' && x.resource === resource && x.attribute === attribute);
    return r && r.type === 'original' ? r.value : undefined;
  }
}

/**
 * The last line of an open file, whether it ends in a newline, and its line number (undefined: empty). Reads the
 * whole file: done once per process and file (then whenever another process appended to it).
 */
function lastLine(fd: number): { size: number; line: string; terminated: boolean; lineNumber: number } | undefined {
  const size = fstatSync(fd).size;
  if (size === 0) return undefined;
  const buf = Buffer.alloc(size);
  readSync(fd, buf, 0, size, 0);
  const text = buf.toString('utf8');
  const terminated = text.endsWith('\n');
  const body = terminated ? text.slice(0, -1) : text;
  const nl = body.lastIndexOf('\n');
  let lineNumber = 1;
  for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) lineNumber++;
  return { size, line: nl >= 0 ? body.slice(nl + 1) : body, terminated, lineNumber };
}

export interface ChainProblem {
  /** 1-based line number. */
  line: number;
  problem: string;
  /** A line torn by a crash while writing (not JSON, and the chain continues from it): reported, not tampering. */
  torn?: true;
}

/**
 * Checks a journal's hash chain. Every problem is named by its line: a changed line (the next line's prev does not
 * match it), a removed or inserted line (a prev that matches no line before), a line that is not JSON.
 */
export function verifyChain(text: string, incident: string): { lines: number; problems: ChainProblem[] } {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const problems: ChainProblem[] = [];
  let prev = genesis(incident);
  lines.forEach((line, i) => {
    let rec: { prev?: string; incident?: string };
    try {
      rec = JSON.parse(line) as { prev?: string; incident?: string };
    } catch {
      // A crash mid-write leaves a torn line; cordon's next write closes it and chains on from it.
      const next = lines[i + 1];
      const chainedOn = next !== undefined && next.includes(`"prev":"${sha256(line)}"`);
      if (i === lines.length - 1 || chainedOn)
        problems.push({ line: i + 1, problem: 'torn line (a crash while writing): ignored by cordon', torn: true });
      else problems.push({ line: i + 1, problem: 'not a JSON record' });
      prev = sha256(line);
      return;
    }
    if (rec.prev === undefined)
      problems.push({ line: i + 1, problem: 'no prev hash (not written by this cordon, or edited)' });
    else if (rec.prev !== prev)
      problems.push({
        line: i + 1,
        problem:
          i === 0
            ? "the first line does not start this incident's chain (lines removed before it, or a different incident)"
            : `line ${i} was changed, or lines were removed or inserted before line ${i + 1}`,
      });
    if (rec.incident !== undefined && rec.incident !== incident)
      problems.push({ line: i + 1, problem: `belongs to incident ${rec.incident}` });
    prev = sha256(line);
  });
  return { lines: lines.length, problems };
}

export interface JournalSummary {
  incident: string;
  path: string;
  mtimeMs: number;
  records: JournalRecord[];
}

/** Every journal file in a state dir (valid incident names only), newest first. */
export function journalFiles(dir: string): { incident: string; path: string; mtimeMs: number }[] {
  const jdir = join(dir, 'journal');
  if (!existsSync(jdir)) return [];
  return readdirSync(jdir)
    .filter((f) => f.endsWith('.jsonl') && isIncidentId(f.slice(0, -'.jsonl'.length)))
    .map((f) => {
      const path = join(jdir, f);
      return { incident: f.slice(0, -'.jsonl'.length), path, mtimeMs: statSync(path).mtimeMs };
    })
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
}

/**
 * The local journals that mention each instance, newest first. Used when a run crashed before its tags reached AWS:
 * a rerun continues the same incident and restore still finds the originals. Each journal is read once, however
 * many instances are asked about (a fleet's plan asks for all of them).
 */
export function journalsMentioning(dir: string, instanceIds: Iterable<string>): Map<string, JournalSummary[]> {
  const wanted = new Set(instanceIds);
  const out = new Map<string, JournalSummary[]>();
  if (wanted.size === 0) return out;
  const lastOf = new Map<JournalSummary, string>();
  for (const f of journalFiles(dir)) {
    const j = new Journal(dir, f.incident);
    const records = j.read();
    const named = new Set<string>();
    let last = '';
    for (const r of records) {
      if (typeof r.time === 'string' && r.time > last) last = r.time;
      if (r.type === 'plan') for (const id of r.instances) if (wanted.has(id)) named.add(id);
      // An original, a step or a result of the instance names it too (a restore may write into an incident whose
      // plan named other instances only).
      if ('instanceId' in r && r.instanceId !== undefined && wanted.has(r.instanceId)) named.add(r.instanceId);
    }
    if (named.size === 0) continue;
    const summary: JournalSummary = { incident: f.incident, path: j.path, mtimeMs: f.mtimeMs, records };
    lastOf.set(summary, last);
    for (const id of named) out.set(id, [...(out.get(id) ?? []), summary]);
  }
  // Newest by the journal's own last record, not the file's mtime: a working copy pulled from S3 is written in
  // whatever order the downloads finished.
  for (const list of out.values())
    list.sort((x, y) => lastOf.get(y)!.localeCompare(lastOf.get(x)!) || y.mtimeMs - x.mtimeMs);
  return out;
}

/** The first recorded original state of each ENI of an instance in a journal: {groups, connectionTracking}. */
export function eniOriginals(
  records: JournalRecord[],
): Record<string, { groups: string[]; connectionTracking: Record<string, number | undefined> }> {
  const out: Record<string, { groups: string[]; connectionTracking: Record<string, number | undefined> }> = {};
  for (const r of records) {
    if (r.type === 'original' && r.attribute === 'eni-state' && !(r.resource in out))
      out[r.resource] = r.value as { groups: string[]; connectionTracking: Record<string, number | undefined> };
  }
  return out;
}
