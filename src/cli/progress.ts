// Progress while containment runs. On a terminal (stderr a TTY), a live display redrawn in place (listr2): one line
// per step for a single instance; for a fleet, one line per phase — isolation, playbook, evidence — with counts,
// the rate and an ETA from the account's bucket rates. Off a terminal, plain lines: each step for one instance;
// for a fleet a phase line every few seconds and at each phase's end, and every failure as it happens.
// Silent with --quiet and --output json (the caller passes no progress then).

import { Listr, ListrLogger, ProcessOutput, type ListrBaseClassOptions, type ListrTaskWrapper } from 'listr2';

type Display = Listr<unknown, 'default', 'default'>;
import type { EngineEvent, StepResult } from '../engine/engine.js';
import type { Worker } from '../engine/fleet.js';
import { STEPS } from '../steps/index.js';
import { dim, green, red, yellow } from './render.js';

export interface Progress {
  onEvent(e: EngineEvent): void;
  /** Called once the plan is confirmed: the display starts. */
  start(): void;
  /** Ends the display (resolves once its last frame is drawn). */
  stop(): Promise<void> | void;
}

type Phase = 'isolation' | 'playbook' | 'evidence';

function phaseOf(stepId: string): Phase {
  const s = STEPS.find((x) => x.id === stepId);
  if (!s) return 'playbook';
  if (s.critical) return 'isolation';
  return s.schedule === 'evidence' ? 'evidence' : 'playbook';
}

const PHASE_STEPS: Record<Phase, number> = { isolation: 0, playbook: 0, evidence: 0 };
for (const s of STEPS) PHASE_STEPS[phaseOf(s.id)]++;

const FINAL = new Set(['done', 'failed', 'skipped', 'nothing-to-do']);

/** Counts, per phase, the instances whose every step of that phase has ended (and those with a failure). */
class FleetCounter {
  private readonly ended = new Map<string, number>();
  private readonly failedIn = new Map<string, boolean>();
  readonly done: Record<Phase, number> = { isolation: 0, playbook: 0, evidence: 0 };
  readonly failed: Record<Phase, number> = { isolation: 0, playbook: 0, evidence: 0 };

  constructor(readonly total: number) {}

  /** Returns the phase an instance just finished, if this event finished one. */
  add(step: StepResult): Phase | undefined {
    if (!step.instanceId || !FINAL.has(step.status)) return undefined;
    const phase = phaseOf(step.id);
    const key = `${step.instanceId}/${phase}`;
    const n = (this.ended.get(key) ?? 0) + 1;
    this.ended.set(key, n);
    if (step.status === 'failed' || step.status === 'skipped') this.failedIn.set(key, true);
    if (n !== PHASE_STEPS[phase]) return undefined;
    this.done[phase]++;
    if (this.failedIn.get(key)) this.failed[phase]++;
    return phase;
  }
}

export function progressFor(workers: Worker[], quiet: boolean): Progress | undefined {
  if (quiet) return undefined;
  const instances = workers.reduce((a, w) => a + w.instanceIds.length, 0);
  const tty = Boolean(process.stderr.isTTY) && !process.env.CORDON_PLAIN_PROGRESS;
  if (instances <= 1) return tty ? new StepDisplay() : new StepLines();
  return tty ? new FleetDisplay(instances, workers) : new FleetLines(instances, workers);
}

/** Seconds the swaps still queued need at the account's rate (the slowest account × region). */
function etaSeconds(workers: Worker[]): number | undefined {
  let worst: number | undefined;
  for (const w of new Set(workers.map((x) => x.clients))) {
    const b = w.scheduler.view().find((v) => v.key === 'ec2/ModifyNetworkInterfaceAttribute');
    if (!b) continue;
    const s = Math.max(0, b.queued - b.tokens) / Math.max(b.refill * b.share, 0.01);
    worst = Math.max(worst ?? 0, s);
  }
  return worst;
}

function line(c: FleetCounter, phase: Phase, elapsedS: number): string {
  const n = c.done[phase];
  const rate = elapsedS > 0 ? n / elapsedS : 0;
  const failed = c.failed[phase] ? red(`, ${c.failed[phase]} with a failure`) : '';
  return `${phase}: ${n}/${c.total} instances${failed}${rate > 0 && n < c.total ? dim(` (${rate.toFixed(1)}/s)`) : ''}`;
}

/** Plain lines for a fleet off a terminal. */
class FleetLines implements Progress {
  private readonly c: FleetCounter;
  private timer?: NodeJS.Timeout;
  private t0 = Date.now();
  constructor(
    total: number,
    private readonly workers: Worker[],
  ) {
    this.c = new FleetCounter(total);
  }
  start(): void {
    this.t0 = Date.now();
    this.timer = setInterval(() => this.print(), 5000);
    this.timer.unref();
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
  private print(): void {
    const s = (Date.now() - this.t0) / 1000;
    const eta = this.c.done.isolation < this.c.total ? etaSeconds(this.workers) : undefined;
    process.stderr.write(
      `  [${s.toFixed(0)} s] ${(['isolation', 'playbook', 'evidence'] as Phase[]).map((p) => line(this.c, p, s)).join('; ')}${eta !== undefined ? ` — isolation ~${Math.ceil(eta)} s to go` : ''}\n`,
    );
  }
  onEvent = (e: EngineEvent): void => {
    if (e.type === 'step') {
      if (e.step.status === 'failed')
        process.stderr.write(red(`  ✗ ${e.step.instanceId}: ${e.step.id}: ${e.step.error?.message ?? 'failed'}\n`));
      const finished = this.c.add(e.step);
      if (finished && this.c.done[finished] === this.c.total) this.print();
    }
  };
}

/** A live display for a fleet on a terminal: one line per phase, redrawn in place. */
class FleetDisplay implements Progress {
  private readonly c: FleetCounter;
  private listr?: Display;
  private running?: Promise<unknown>;
  private readonly wake = new Set<() => void>();
  private t0 = Date.now();
  private stopped = false;
  constructor(
    total: number,
    private readonly workers: Worker[],
  ) {
    this.c = new FleetCounter(total);
  }
  start(): void {
    this.t0 = Date.now();
    const phaseTask = (phase: Phase) => ({
      title: phase,
      task: (_: unknown, task: ListrTaskWrapper<unknown, never, never>) =>
        new Promise<void>((resolve) => {
          const update = (): void => {
            const s = (Date.now() - this.t0) / 1000;
            const eta = phase === 'isolation' ? etaSeconds(this.workers) : undefined;
            task.title = `${line(this.c, phase, s)}${eta !== undefined && this.c.done[phase] < this.c.total ? ` — ~${Math.ceil(eta)} s to go` : ''}`;
            if (this.c.done[phase] >= this.c.total || this.stopped) {
              this.wake.delete(update);
              resolve();
            }
          };
          this.wake.add(update);
          update();
        }),
    });
    const listr: Display = new Listr(
      [phaseTask('isolation'), phaseTask('playbook'), phaseTask('evidence')] as never,
      stderrListrOptions(true),
    );
    this.listr = listr;
    this.running = listr.run().catch(() => undefined);
    const tick = setInterval(() => {
      for (const w of [...this.wake]) w();
      if (this.wake.size === 0) clearInterval(tick);
    }, 500);
    tick.unref();
  }
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of [...this.wake]) w();
    await this.running;
  }
  onEvent = (e: EngineEvent): void => {
    if (e.type === 'step' && this.c.add(e.step)) for (const w of [...this.wake]) w();
  };
}

/** One line per step for a single instance, off a terminal (the log of a run in automation). */
class StepLines implements Progress {
  start(): void {}
  stop(): void {}
  onEvent = (e: EngineEvent): void => {
    if (e.type === 'warning') {
      process.stderr.write(yellow(`  ! ${e.message}\n`));
      return;
    }
    if (e.type === 'progress') {
      process.stderr.write(dim(`    ${e.stepId}: ${e.message}\n`));
      return;
    }
    const s = e.step;
    if (s.status === 'nothing-to-do') return;
    const mark =
      s.status === 'done' ? green('✓') : s.status === 'failed' ? red('✗') : s.status === 'running' ? '…' : dim('·');
    const when =
      s.endedMs !== undefined ? dim(` +${s.endedMs} ms`) : s.startedMs !== undefined ? dim(` +${s.startedMs} ms`) : '';
    const err = s.error ? red(` ${s.error.code}: ${s.error.message}`) : '';
    process.stderr.write(`  ${mark} ${s.id} ${dim(s.status)}${when}${err}\n`);
  };
}

/** A live display of one instance's steps on a terminal: each step's line redrawn as it runs and ends. */
class StepDisplay implements Progress {
  private readonly steps = new Map<string, { r: StepResult; wake?: () => void; detail?: string }>();
  private listr?: Display;
  private running?: Promise<unknown>;
  private stopped = false;
  start(): void {
    const tasks = STEPS.map((s) => ({
      title: s.title,
      task: (_: unknown, task: ListrTaskWrapper<unknown, never, never>) =>
        new Promise<void>((resolve, reject) => {
          const entry = this.steps.get(s.id) ?? {
            r: { id: s.id, title: s.title, status: 'pending', critical: s.critical, changes: 0 },
          };
          this.steps.set(s.id, entry);
          entry.wake = () => {
            const r = entry.r;
            if (entry.detail) task.output = entry.detail;
            if (r.status === 'running') task.title = `${s.title} ${dim('…')}`;
            if (r.status === 'done') {
              task.title = `${s.title} ${dim(`+${r.endedMs} ms`)}`;
              resolve();
            } else if (r.status === 'nothing-to-do') {
              task.skip(`${s.title} ${dim('(nothing to do)')}`);
              resolve();
            } else if (r.status === 'failed' || r.status === 'skipped') {
              reject(new Error(`${s.title}: ${r.error?.message ?? r.status}`));
            } else if (this.stopped) resolve();
          };
          entry.wake();
        }),
    }));
    const listr: Display = new Listr(tasks as never, { ...stderrListrOptions(true), exitOnError: false });
    this.listr = listr;
    this.running = listr.run().catch(() => undefined);
  }
  async stop(): Promise<void> {
    this.stopped = true;
    for (const e of this.steps.values()) e.wake?.();
    await this.running;
  }
  onEvent = (e: EngineEvent): void => {
    if (e.type === 'step') {
      const entry = this.steps.get(e.step.id) ?? { r: e.step };
      entry.r = e.step;
      this.steps.set(e.step.id, entry);
      entry.wake?.();
    } else if (e.type === 'progress') {
      const entry = this.steps.get(e.stepId);
      if (entry) {
        entry.detail = e.message;
        entry.wake?.();
      }
    } else if (e.type === 'warning') {
      const entry = [...this.steps.values()].find((x) => x.r.status === 'running');
      if (entry) {
        entry.detail = yellow(`! ${e.message}`);
        entry.wake?.();
      }
    }
  };
}

/** listr2 drawing on stderr (stdout carries the result), never touching stdin or signals. */
function stderrListrOptions(concurrent: boolean): ListrBaseClassOptions<unknown, 'default', 'default'> {
  return {
    concurrent,
    exitOnError: false,
    registerSignalListeners: false,
    renderer: 'default',
    fallbackRenderer: 'default',
    rendererOptions: {
      logger: new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) }),
      collapseErrors: false,
      showErrorMessage: true,
    },
  };
}
