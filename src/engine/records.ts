// What a containment run leaves besides the journal, for the incident report (`cordon report`) and for anyone
// reviewing it later: verify's verdicts per instance before and after containment, and every AWS call of the run
// (each attempt: action, times, outcome, request id, the wait for the rate limit). One JSON-lines file each, under
// <state-dir>/records/<incident>/. Not write-ahead records: written once the run has ended, never read by restore.

import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VerifyReport } from '../core/verify/types.js';
import type { CallRecord } from '../aws/scheduler.js';

export interface VerifyRecord {
  when: 'before' | 'after';
  instanceId: string;
  region: string;
  /** ms since the epoch. */
  at: number;
  report: VerifyReport;
}

export interface CallsRecord {
  region: string;
  accountId?: string;
  /** When isolation was reached (ms since the epoch), if it was. */
  isolatedAt?: number;
  /** When apply started (after the confirmation). */
  appliedAt: number;
  calls: CallRecord[];
}

export function recordsDir(stateDir: string, incident: string): string {
  return join(stateDir, 'records', incident);
}

function append(stateDir: string, incident: string, file: string, rows: unknown[]): void {
  if (rows.length === 0) return;
  const dir = recordsDir(stateDir, incident);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  appendFileSync(join(dir, file), rows.map((r) => JSON.stringify(r)).join('\n') + '\n', { mode: 0o600 });
}

export function writeVerifyRecords(stateDir: string, incident: string, rows: VerifyRecord[]): void {
  append(stateDir, incident, 'verify.jsonl', rows);
}

export function writeCallsRecord(stateDir: string, incident: string, row: CallsRecord): void {
  append(stateDir, incident, 'calls.jsonl', [row]);
}

function read<T>(stateDir: string, incident: string, file: string): T[] {
  const path = join(recordsDir(stateDir, incident), file);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as T];
      } catch {
        return []; // a torn last line after a crash
      }
    });
}

export function readVerifyRecords(stateDir: string, incident: string): VerifyRecord[] {
  return read<VerifyRecord>(stateDir, incident, 'verify.jsonl');
}

export function readCallsRecords(stateDir: string, incident: string): CallsRecord[] {
  return read<CallsRecord>(stateDir, incident, 'calls.jsonl');
}

/** An attacker flow of a `cordon lab` run (the simulator's view), before or after containment. */
export interface LabFlowRecord {
  id: string;
  name?: string;
  eni: string;
  protocol: string;
  remoteAddress: string;
  remotePort?: number;
  localPort?: number;
  initiator: string;
  path: string;
  alive: boolean;
  reason: string;
  /** What would cut it (flows alive after containment). */
  remedy?: string;
}

/** What `cordon lab` saw of the attacker's flows, for the report: lab.json beside the other records. */
export interface LabRecord {
  scenario: string;
  instanceId: string;
  naive: boolean;
  flowsBefore: LabFlowRecord[];
  flowsAfter: LabFlowRecord[];
}

export function writeLabRecord(stateDir: string, incident: string, lab: LabRecord): void {
  const dir = recordsDir(stateDir, incident);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'lab.json'), JSON.stringify(lab) + '\n', { mode: 0o600 });
}

export function readLabRecord(stateDir: string, incident: string): LabRecord | undefined {
  const path = join(recordsDir(stateDir, incident), 'lab.json');
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as LabRecord;
}
