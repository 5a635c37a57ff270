// The local write-ahead journal: one JSON-lines file per incident, each record fsynced before cordon makes the
// change it protects. Restore reads originals from the resources' own tags first and from here second.

import {
  mkdirSync,
  openSync,
  writeSync,
  fsyncSync,
  closeSync,
  readFileSync,
  existsSync,
  readdirSync,
  statSync,
} from 'node:fs';
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

export function defaultStateDir(): string {
  return process.env.CORDON_HOME ?? join(homedir(), '.cordon');
}

export class Journal {
  readonly path: string;
  constructor(
    readonly dir: string,
    readonly incident: string,
  ) {
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(incident))
      throw new Error(`incident id "${incident}" may use only letters, digits, . _ -`);
    this.path = join(dir, 'journal', `${incident}.jsonl`);
  }

  private queued: JournalRecord[] = [];
  private waiting: { resolve(): void; reject(e: unknown): void }[] = [];
  private flushTimer?: NodeJS.Timeout;
  private commitScheduled = false;

  /** Appends records and fsyncs them: when this returns, they survive a crash (queued records go first). */
  append(...records: JournalRecord[]): void {
    if (records.length === 0 && this.queued.length === 0) return;
    const batch = [...this.queued, ...records];
    const waiting = this.waiting;
    this.queued = [];
    this.waiting = [];
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    try {
      this.write(batch);
    } catch (e) {
      for (const w of waiting) w.reject(e);
      throw e;
    }
    for (const w of waiting) w.resolve();
  }

  /**
   * Appends records durably, in a group commit: every record asked for in the same turn of the event loop shares one
   * write and fsync. Resolves once they survive a crash — await it before the change the records protect.
   */
  appendDurable(...records: JournalRecord[]): Promise<void> {
    this.queued.push(...records);
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    if (!this.commitScheduled) {
      this.commitScheduled = true;
      setImmediate(() => {
        this.commitScheduled = false;
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
    this.queued.push(...records);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
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

  private write(records: JournalRecord[]): void {
    if (records.length === 0) return;
    mkdirSync(join(this.dir, 'journal'), { recursive: true, mode: 0o700 });
    const fd = openSync(this.path, 'a', 0o600);
    try {
      writeSync(fd, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
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

  /** The first recorded original of (resource, attribute): the value before cordon ever touched it. */
  original(resource: string, attribute: string): unknown {
    const r = this.read().find((x) => x.type === 'original' && x.resource === resource && x.attribute === attribute);
    return r && r.type === 'original' ? r.value : undefined;
  }
}

export interface JournalSummary {
  incident: string;
  path: string;
  mtimeMs: number;
  records: JournalRecord[];
}

/**
 * The local journals that mention an instance, newest first. Used when a run crashed before its tags reached AWS:
 * a rerun continues the same incident and restore still finds the originals.
 */
export function journalsFor(dir: string, instanceId: string): JournalSummary[] {
  const jdir = join(dir, 'journal');
  if (!existsSync(jdir)) return [];
  const out: JournalSummary[] = [];
  for (const f of readdirSync(jdir)) {
    if (!f.endsWith('.jsonl')) continue;
    const incident = f.slice(0, -'.jsonl'.length);
    let j: Journal;
    try {
      j = new Journal(dir, incident);
    } catch {
      continue;
    }
    const records = j.read();
    if (
      !records.some(
        (r) =>
          (r.type === 'plan' && r.instances.includes(instanceId)) ||
          (r.type === 'original' && r.instanceId === instanceId),
      )
    )
      continue;
    out.push({ incident, path: j.path, mtimeMs: statSync(j.path).mtimeMs, records });
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs);
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
