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
  | { type: 'step'; time: string; incident: string; stepId: string; status: string; error?: string }
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

  /** Appends records and fsyncs them: when this returns, they survive a crash. */
  append(...records: JournalRecord[]): void {
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
