// `cordon report <incident> [--out FILE]`: the responder's view of an incident as one self-contained HTML file, built
// from the journal, the run records and the evidence manifests (src/engine/report/). Offline: no AWS call.
// `--output json` prints the report model instead of a summary line (the file is written either way).

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { CordonError, EXIT } from '../core/errors.js';
import { recordsDir } from '../engine/records.js';
import { buildReport } from '../engine/report/build.js';
import type { ReportModel, ReportOptions } from '../engine/report/model.js';
import { addStateOptions, localStateFor, type CommonOptions } from './common.js';
import { parseOutput, printJson } from './output.js';
import { renderReport } from './report/render.js';
import { headline } from './report/sections.js';
import { bold, dim } from './render.js';

export interface WrittenReport {
  path: string;
  bytes: number;
  model: ReportModel;
}

/** Builds the incident's report and writes it (atomically) to `out`, default <state>/records/<incident>/report.html. */
export function writeReport(stateDir: string, incident: string, out?: string, o: ReportOptions = {}): WrittenReport {
  const model = buildReport(stateDir, incident, o);
  const text = renderReport(model);
  const path = resolve(out ?? join(recordsDir(stateDir, incident), 'report.html'));
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(`${path}.tmp`, text, { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  } catch (e) {
    throw new CordonError(
      'report-unwritable',
      `cannot write the report to ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      EXIT.usage,
      'give --out a path in a folder you can write to',
    );
  }
  return { path, bytes: Buffer.byteLength(text), model };
}

export function summaryLine(w: WrittenReport): string {
  return `${bold(`report: ${w.path}`)} (${Math.round(w.bytes / 1024)} KB)\n  ${headline(w.model).title.replace(/^cordon report — /, '')}\n  ${dim(`open it in a browser: ${pathToFileURL(w.path).href}`)}`;
}

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description(
      "one self-contained HTML file with the incident's timeline of AWS calls, verdicts before and after, changes and evidence",
    )
    .argument('<incident>', 'the incident id (the journal is <state-dir>/journal/<incident>.jsonl)')
    .option(
      '--out <file>',
      'where to write the HTML (default: <state-dir>/records/<incident>/report.html, in the working copy with --state s3://)',
    );
  addStateOptions(cmd).action(async (incident: string, o: CommonOptions & { out?: string }) => {
    const format = parseOutput(o.output);
    // With an S3 store, the incident's journal, run records and evidence are pulled into a working copy first.
    const dir = o.state === undefined ? undefined : await localStateFor(o, incident, true);
    const { defaultStateDir } = await import('../engine/journal.js');
    const w = writeReport(dir ?? o.stateDir ?? defaultStateDir(), incident, o.out);
    if (format === 'json') printJson({ out: w.path, bytes: w.bytes, ...w.model });
    else process.stdout.write(`${summaryLine(w)}\n`);
  });
}
