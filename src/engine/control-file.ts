/**
 * A person's control of a running paper or live run (RELIABILITY.md rule 9, "and by command"):
 *
 *  - `tradeflow halt RUN_ID [--reduce | --resume]` writes a request to `<state>/control/<RUN_ID>.json`
 *    (temp file + rename, so a reader never sees half a request);
 *  - the run polls that file (every 500 ms) and applies each request once, by its id;
 *  - process signals — SIGUSR1 halts, SIGUSR2 reduces — and driver-reported errors come in here too.
 *
 * Everything that arrives before the run's core exists (start-up waits for prices and reconciles) is
 * kept and applied when the core is attached, in order.
 *
 * @example
 *   const controls = new RunControls(clock, io.err);
 *   const poller = new ControlFilePoller({ file: controlFilePath(stateDir, runId), onRequest: (r) => controls.request(r), onProblem: io.err });
 *   poller.start(); runLive({ ..., onCore: (core) => controls.attach(core) }); poller.stop();
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../core/clock.ts';
import { ConfigError } from '../core/errors.ts';
import { ControlActions, type ControlAction } from '../domain/types.ts';

/** What `tradeflow halt` writes: one request, applied once per `id`. */
export interface ControlRequest {
  readonly action: ControlAction;
  /** Unique per request: a run applies an id once, however often it reads the file. */
  readonly id: string;
  /** Wall time of the request, ISO 8601. */
  readonly requestedAt: string;
}

export const CONTROL_POLL_MS = 500;

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** `<stateDir>/control/<runId>.json`; the run id must be a plain name (no path). */
export function controlFilePath(stateDir: string, runId: string): string {
  if (!RUN_ID.test(runId) || runId.includes('..')) {
    throw new ConfigError(`run id "${runId}": expected the id a paper or live run printed (letters, digits, dot, dash, underscore)`, { field: 'run' });
  }
  return path.join(stateDir, 'control', `${runId}.json`);
}

/** Writes a request atomically (temp file in the same folder, then rename). Returns the file and the request. */
export async function writeControlRequest(
  stateDir: string,
  runId: string,
  action: ControlAction,
  now: Date = new Date(),
): Promise<{ file: string; request: ControlRequest }> {
  const file = controlFilePath(stateDir, runId);
  const request: ControlRequest = { action, id: randomUUID(), requestedAt: now.toISOString() };
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${request.id.slice(0, 8)}.tmp`;
  await writeFile(tmp, `${JSON.stringify(request)}\n`, { mode: 0o600 });
  await rename(tmp, file);
  return { file, request };
}

/** Parses a request file's text; throws an Error saying what is wrong. */
export function parseControlRequest(text: string): ControlRequest {
  const v = JSON.parse(text) as Partial<Record<keyof ControlRequest, unknown>> | null;
  if (typeof v !== 'object' || v === null) throw new Error('expected a JSON object');
  if (typeof v.action !== 'string' || !(ControlActions as readonly string[]).includes(v.action)) {
    throw new Error(`field "action": expected ${ControlActions.join(', ')}, got ${JSON.stringify(v.action)}`);
  }
  if (typeof v.id !== 'string' || v.id === '') throw new Error('field "id": expected a non-empty string');
  return { action: v.action as ControlAction, id: v.id, requestedAt: typeof v.requestedAt === 'string' ? v.requestedAt : '' };
}

export interface ControlFilePollerOptions {
  readonly file: string;
  readonly onRequest: (r: ControlRequest) => void;
  /** A file that cannot be read or parsed (reported once per distinct content). */
  readonly onProblem?: (message: string) => void;
  readonly intervalMs?: number;
}

/** Polls one control file and hands each new request (by id) to `onRequest`, once. */
export class ControlFilePoller {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly applied = new Set<string>();
  private lastBad: string | undefined;

  constructor(private readonly opts: ControlFilePollerOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Reads the file once, now; resolves after a new request (if any) was handed over. */
  async pollOnce(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.opts.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.problem(`${this.opts.file}: ${(err as Error).message}`, String(err));
      return;
    }
    let req: ControlRequest;
    try {
      req = parseControlRequest(text);
    } catch (err) {
      this.problem(`${this.opts.file}: ignored, ${(err as Error).message}`, text);
      return;
    }
    if (this.applied.has(req.id)) return;
    this.applied.add(req.id);
    this.opts.onRequest(req);
  }

  private problem(message: string, key: string): void {
    if (this.lastBad === key) return;
    this.lastBad = key;
    this.opts.onProblem?.(message);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.pollOnce().finally(() => {
        if (!this.stopped) this.schedule();
      });
    }, this.opts.intervalMs ?? CONTROL_POLL_MS);
    this.timer.unref?.();
  }
}

/** The part of the trading core a person's controls act on. */
export interface ControlTarget {
  control(action: ControlAction, reason: string, ts: number): void;
  noteError(ts: number, what: string): void;
}

type Pending = { readonly kind: 'control'; readonly action: ControlAction; readonly reason: string; readonly ts: number } | { readonly kind: 'error'; readonly what: string; readonly ts: number };

/**
 * Commands and error reports for a run's core, from whichever source (control file, process signal,
 * driver callbacks); kept in order until the core is attached.
 */
export class RunControls {
  private target: ControlTarget | undefined;
  private pending: Pending[] = [];

  constructor(private readonly clock: Clock) {}

  attach(target: ControlTarget): void {
    this.target = target;
    const queued = this.pending;
    this.pending = [];
    for (const p of queued) {
      if (p.kind === 'control') target.control(p.action, p.reason, p.ts);
      else target.noteError(p.ts, p.what);
    }
  }

  /** A person's command; `reason` says how it came (e.g. `SIGUSR1`). */
  command(action: ControlAction, reason: string): void {
    const ts = this.clock.now();
    if (this.target) this.target.control(action, reason, ts);
    else this.pending.push({ kind: 'control', action, reason, ts });
  }

  /** A request read from the control file. */
  request(r: ControlRequest): void {
    this.command(r.action, `tradeflow halt request ${r.id}${r.requestedAt ? ` of ${r.requestedAt}` : ''}`);
  }

  /** A driver-reported problem, for the error-rate trigger. */
  noteError(what: string): void {
    const ts = this.clock.now();
    if (this.target) this.target.noteError(ts, what);
    else this.pending.push({ kind: 'error', what, ts });
  }
}
