// A headless Chromium driven over the DevTools protocol through a pipe (--remote-debugging-pipe: fd 3 to the browser,
// fd 4 from it, JSON messages ended by a NUL byte) — no port is opened and no library is needed. Enough to load a page,
// collect what it logs to the console (and any exception, CSP violation or network request), evaluate expressions
// and take a screenshot.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** The browser binary: $CORDON_CHROMIUM, else the first of these on PATH (Debian's package installs `chromium`). */
export function findChromium(): string | undefined {
  const candidates = process.env.CORDON_CHROMIUM
    ? [process.env.CORDON_CHROMIUM]
    : ['chromium', 'chromium-browser', 'google-chrome'];
  for (const c of candidates) {
    const r = spawnSync('sh', ['-c', `command -v "$1"`, 'sh', c], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

export interface ConsoleEntry {
  /** console.* type, 'exception', or the Log domain's level (CSP violations, failed loads, …). */
  level: string;
  source: string;
  text: string;
}

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
  method: string;
}

export class Browser {
  readonly console: ConsoleEntry[] = [];
  /** Every URL the page requested (the page itself included). */
  readonly requests: string[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly waiters: { method: string; resolve: () => void }[] = [];
  private nextId = 1;
  private buffer = '';
  private session = '';
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const out = child.stdio[4] as Readable;
    out.setEncoding('utf8');
    out.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\0')) >= 0) {
        const msg = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 1);
        this.receive(JSON.parse(msg) as Record<string, unknown>);
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      this.stderr = (this.stderr + s).slice(-4000);
    });
    child.on('exit', (code, signal) => {
      for (const p of this.pending.values())
        p.reject(new Error(`chromium exited (${code ?? signal}) during ${p.method}: ${this.stderr}`));
      this.pending.clear();
    });
  }

  /** Starts the browser with a fresh profile and one page of the given size, attached. */
  static async launch(binary: string, width = 1280, height = 900): Promise<Browser> {
    const profile = mkdtempSync(join(tmpdir(), 'cordon-chromium-'));
    const child = spawn(
      binary,
      [
        '--headless',
        '--disable-gpu',
        '--no-sandbox',
        '--disable-dev-shm-usage',
        '--remote-debugging-pipe',
        `--user-data-dir=${profile}`,
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-extensions',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-features=Translate,MediaRouter,OptimizationHints',
        '--hide-scrollbars',
        '--mute-audio',
        `--window-size=${width},${height}`,
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
    const b = new Browser(child, profile);
    try {
      const { targetId } = (await b.send('Target.createTarget', { url: 'about:blank' }, false)) as {
        targetId: string;
      };
      const { sessionId } = (await b.send('Target.attachToTarget', { targetId, flatten: true }, false)) as {
        sessionId: string;
      };
      b.session = sessionId;
      await Promise.all([
        b.send('Runtime.enable'),
        b.send('Log.enable'),
        b.send('Page.enable'),
        b.send('Network.enable'),
        b.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }),
      ]);
      return b;
    } catch (e) {
      await b.close();
      throw e;
    }
  }

  private receive(m: Record<string, unknown>): void {
    if (typeof m.id === 'number') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      const err = m.error as { message?: string } | undefined;
      if (err) p.reject(new Error(`${p.method}: ${err.message ?? JSON.stringify(err)}`));
      else p.resolve((m.result ?? {}) as Record<string, unknown>);
      return;
    }
    const method = String(m.method);
    const params = (m.params ?? {}) as Record<string, never>;
    if (method === 'Runtime.consoleAPICalled') {
      const args = (params.args as { value?: unknown; description?: string }[]) ?? [];
      this.console.push({
        level: String(params.type),
        source: 'console-api',
        text: args.map((a) => (a.value !== undefined ? String(a.value) : (a.description ?? ''))).join(' '),
      });
    } else if (method === 'Runtime.exceptionThrown') {
      const d = params.exceptionDetails as { text?: string; exception?: { description?: string } };
      this.console.push({ level: 'exception', source: 'javascript', text: d.exception?.description ?? d.text ?? '' });
    } else if (method === 'Log.entryAdded') {
      const e = params.entry as { level: string; source: string; text: string; url?: string };
      this.console.push({ level: e.level, source: e.source, text: `${e.text}${e.url ? ` (${e.url})` : ''}` });
    } else if (method === 'Network.requestWillBeSent') {
      this.requests.push(String((params.request as { url: string }).url));
    }
    for (const w of this.waiters.filter((x) => x.method === method)) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
  }

  send(method: string, params: Record<string, unknown> = {}, inSession = true): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const msg = { id, method, params, ...(inSession ? { sessionId: this.session } : {}) };
    return new Promise((resolve, reject) => {
      // A browser that stops answering fails the test with what it was asked, not at the runner's timeout.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`chromium did not answer ${method} within 60 s: ${this.stderr}`));
      }, 60_000);
      const done =
        <A extends unknown[]>(f: (...a: A) => void) =>
        (...a: A) => {
          clearTimeout(timer);
          f(...a);
        };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject), method });
      (this.child.stdio[3] as Writable).write(`${JSON.stringify(msg)}\0`);
    });
  }

  private next(method: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        method,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Navigates and waits for the load event. */
  async load(url: string, timeoutMs = 30_000): Promise<void> {
    const loaded = this.next('Page.loadEventFired', timeoutMs);
    const r = (await this.send('Page.navigate', { url })) as { errorText?: string };
    if (r.errorText) throw new Error(`cannot load ${url}: ${r.errorText}`);
    await loaded;
  }

  /** The value of an expression evaluated in the page (JSON-serialisable results only). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
      result: { value?: T };
      exceptionDetails?: { text?: string; exception?: { description?: string } };
    };
    if (r.exceptionDetails)
      throw new Error(
        `evaluate failed: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text ?? expression}`,
      );
    return r.result.value as T;
  }

  /** A PNG of the whole page (beyond the viewport). */
  async screenshot(): Promise<Buffer> {
    const r = (await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true })) as {
      data: string;
    };
    return Buffer.from(r.data, 'base64');
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    try {
      if (this.child.exitCode === null) await Promise.race([this.send('Browser.close', {}, false), exited]);
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    rmSync(this.profile, { recursive: true, force: true });
  }
}
