/**
 * A reader run in a `worker_threads` worker, seen from the main thread as an ordinary batched source:
 * parsing (csv-parse, number conversion, validation) happens on another core, and the main thread
 * gets columnar batches (see columns.ts) that it applies as they are or rebuilds light events from.
 *
 * Workers form a pool (`ParsePool`): one per core at most, started on demand, each serving one or
 * more files, and ended when they have none left. A worker runs at a lower scheduling priority than
 * the main thread, which is the one a run waits for. Each file is a task with its own MessageChannel.
 *
 * Protocol. A worker requires `task.module` (a TypeScript module, through tsx's CommonJS hook, so it
 * works under the CLI, `node --import tsx` and vitest alike) and calls its `runInWorker(task, port)`,
 * which reads the file and posts on the task's port, in order: `{ t: 'batch', cols, bad }`…, then
 * `{ t: 'end', bad }` or `{ t: 'error', error, bad }`. `bad` lists rows skipped under `skipBadRows`
 * since the last message. Flow control: the worker keeps at most `MAX_IN_FLIGHT` batches
 * unacknowledged and the main thread acknowledges each one as it hands it on, so a fast reader never
 * buffers a file in memory ahead of a slow engine.
 *
 * Errors cross the thread boundary as data: a DataError is rebuilt with the same message and info
 * (file, line, field, reason), so the run fails with exactly the message the in-thread reader gives.
 * Stopping early (the consumer calls `return()`, as mergeByTime, fromBatches and forEachByTime do)
 * ends the task in the worker, which closes the file.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { DataError, describeError } from '../core/errors.ts';
import type { ColumnBuilder } from './columns.ts';

/** Batches a worker may post ahead of the main thread's consumption. */
export const MAX_IN_FLIGHT = 8;

/**
 * Rows per batch the reader in a worker hands over (they go straight into columns). Small: raw rows
 * waiting in a paused stream are what a worker's GC has to move, and several files may share a worker.
 */
export const READER_BATCH_SIZE = 512;

/** Rows per columnar batch a worker posts: bigger than a reader's batch, since each is a message. */
export const WORKER_BATCH_SIZE = 8192;

/**
 * Files at least this big are read in a worker under `threads: 'auto'`: starting one (a thread, tsx,
 * the reader's modules) costs ~0.1 s of CPU, which a smaller file does not pay back.
 */
export const WORKER_MIN_BYTES = 8 << 20;

/** Heap limits of a parse worker (MB); its live data is a few thousand rows. */
const WORKER_YOUNG_MB = 16;
const WORKER_OLD_MB = 48;

/** Where a reader runs: `auto` picks a worker for big files, `main` never, `worker` always. */
export type ThreadMode = 'auto' | 'main' | 'worker';

/**
 * The mode from `TRADEFLOW_PARSE_THREADS` (`auto` | `main` | `worker`), default `auto`; tests use it to
 * run the same backtest through both paths.
 */
export function threadModeFromEnv(): ThreadMode {
  const v = process.env.TRADEFLOW_PARSE_THREADS;
  return v === 'main' || v === 'worker' ? v : 'auto';
}

/** A file's size as the weight of its task (1 when it cannot be stat'ed; the reader then reports it). */
export function fileWeight(file: string): number {
  try {
    return Math.max(1, statSync(file).size);
  } catch {
    return 1;
  }
}

/** Whether `file` is read in a worker under `mode`. A file that cannot be stat'ed stays in-thread (and fails there). */
export function useWorker(file: string, mode: ThreadMode = threadModeFromEnv()): boolean {
  if (mode !== 'auto') return mode === 'worker';
  try {
    return statSync(file).size >= WORKER_MIN_BYTES;
  } catch {
    return false;
  }
}

/** A skipped row, as the worker reports it. */
export interface BadRowMessage {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  readonly field?: string;
  /** Signals only: the row named a venue with no market; `alt` is the error if that venue is a ccxt id. */
  readonly venue?: string;
  readonly alt?: { readonly reason: string; readonly field?: string };
}

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly data: boolean;
  readonly info?: Record<string, unknown>;
  /** See BadRowMessage.alt; for a fail-fast signal error. */
  readonly venue?: string;
  readonly alt?: SerializedError;
}

export type WorkerMessage<C> =
  | { readonly t: 'batch'; readonly cols: C; readonly bad: readonly BadRowMessage[] }
  | { readonly t: 'end'; readonly bad: readonly BadRowMessage[] }
  | { readonly t: 'error'; readonly error: SerializedError; readonly bad: readonly BadRowMessage[] };

/** What every task carries: the module whose `runInWorker` serves it. */
export interface WorkerTask {
  readonly module: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof DataError) {
    return { name: err.name, message: err.message, stack: err.stack, data: true, info: { ...err.info } };
  }
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack, data: false };
  return { name: 'Error', message: describeError(err), data: false };
}

/** The error the main thread throws for a worker's error: a DataError stays a DataError. */
export function rebuildError(e: SerializedError): Error {
  if (e.data) return new DataError(e.message, e.info ?? {});
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack !== undefined) err.stack = `${e.stack}\n    (in a parse worker)`;
  return err;
}

const TSX_CJS = createRequire(import.meta.url).resolve('tsx/cjs/api');

/**
 * Scheduling priority of a parse worker (a nice increment). Parsing runs ahead of the engine by up to
 * MAX_IN_FLIGHT batches, so when there are more busy threads than cores the engine thread should get
 * the core: it is the one the whole run waits for. Linux only (a thread's own nice value, set through
 * its id); elsewhere the workers keep the default priority.
 */
const WORKER_NICE = 5;

// CommonJS code run as a pool worker's script: lowers its own priority, registers tsx, then serves
// each task it is sent on the task's own port, through the task's module.
const BOOT = `
const { parentPort } = require('node:worker_threads');
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  const os = require('node:os');
  if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, Math.min(19, os.getPriority(tid) + ${WORKER_NICE}));
} catch {
  // Not Linux, or not allowed: run at the default priority.
}
require(${JSON.stringify(TSX_CJS)}).register();
parentPort.on('message', ({ task, port }) => {
  require(task.module).runInWorker(task, port);
});
`;

/**
 * Worker side: runs a reader that hands its events one by one to `each` (see `decodeEach`), copies them
 * into `builder`, and posts each full batch of columns (then the rest) with flow control; then `end`,
 * or the error that stopped it. `takeBad` returns (and forgets) the rows skipped since it was last
 * called; `describe` may turn an error into its serialized form (signals add the venue alternative).
 * A `'stop'` message from the main thread ends the task early (closing its file); every other message
 * acknowledges a batch.
 */
export async function serveBatches<T, C extends { readonly n: number }>(
  port: MessagePort,
  read: (each: (ev: T) => void) => AsyncGenerator<void>,
  builder: ColumnBuilder<T, C>,
  transfer: (cols: C) => ArrayBuffer[],
  takeBad: () => BadRowMessage[] = () => [],
  describe: (err: unknown) => SerializedError = serializeError,
): Promise<void> {
  let credits = MAX_IN_FLIGHT;
  let stopped = false;
  let wake: (() => void) | undefined;
  const onMessage = (m: unknown): void => {
    if (m === 'stop') stopped = true;
    else credits++;
    const w = wake;
    wake = undefined;
    w?.();
  };
  // Full batches wait here until the reader's current batch of rows is done.
  const full: C[] = [];
  const each = (ev: T): void => {
    if (builder.add(ev)) full.push(builder.take());
  };
  const post = async (cols: C): Promise<void> => {
    while (credits === 0 && !stopped) await new Promise<void>((r) => (wake = r));
    if (stopped) return;
    credits--;
    const msg: WorkerMessage<C> = { t: 'batch', cols, bad: takeBad() };
    port.postMessage(msg, transfer(cols));
  };
  port.on('message', onMessage);
  // The main thread closed its end (it stopped without a word, or is gone): stop too.
  const onClose = (): void => onMessage('stop');
  port.once('close', onClose);
  try {
    for await (const _ of read(each)) {
      while (full.length > 0 && !stopped) await post(full.shift()!);
      // Leaving the loop ends the reader (its file is closed by its generator's finally).
      if (stopped) break;
    }
    if (!stopped) {
      if (builder.size > 0) await post(builder.take());
      port.postMessage({ t: 'end', bad: takeBad() } satisfies WorkerMessage<C>);
    }
  } catch (err) {
    if (!stopped) port.postMessage({ t: 'error', error: describe(err), bad: takeBad() } satisfies WorkerMessage<C>);
  } finally {
    port.off('message', onMessage);
    port.off('close', onClose);
    // The task is over: its port no longer keeps the worker alive.
    port.close();
  }
}

export interface WorkerBatchOptions {
  /** Skipped rows, in file order. */
  readonly onBadRow?: (r: BadRowMessage) => void;
  /** Turns the worker's error into the one to throw (signals resolve the venue alternative here). */
  readonly error?: (e: SerializedError) => Error;
  /** Relative cost of the task (its file size), for spreading tasks over the pool. */
  readonly weight?: number;
}

export interface WorkerSourceOptions<C, T> extends WorkerBatchOptions {
  /** Rebuilds the events of one batch. */
  readonly unpack: (cols: C) => T[];
}

/** Main side: runs `task` on a parse worker and yields its batches as event arrays. Starts on iteration. */
export async function* workerSource<C, T>(task: WorkerTask, opts: WorkerSourceOptions<C, T>): AsyncGenerator<T[]> {
  for await (const cols of workerBatches<C>(task, opts)) yield opts.unpack(cols);
}

/**
 * The parse workers: as many as the machine has cores, started on demand and ended when they have no
 * task left, each serving several files when there are more files than cores (every worker is a V8
 * heap of its own, ~60 MB when busy: on two cores a third worker cost that much and, measured, saved
 * under half a second of a 15 s run). A task goes to the worker with the least work (bytes of file)
 * assigned.
 */
class ParsePool {
  private readonly workers: PoolWorker[] = [];

  constructor(private readonly size: number) {}

  /** Sends `task` to a worker; returns its end of the task's channel and the worker serving it. */
  open(task: WorkerTask, weight: number): { port: MessagePort; slot: PoolWorker } {
    let slot: PoolWorker | undefined;
    if (this.workers.length < this.size) slot = this.spawn();
    else for (const w of this.workers) if (slot === undefined || w.load < slot.load) slot = w;
    slot!.load += weight;
    slot!.tasks++;
    const { port1, port2 } = new MessageChannel();
    slot!.worker.postMessage({ task, port: port2 }, [port2]);
    return { port: port1, slot: slot! };
  }

  /** The task on `slot` is over (ended, failed or stopped); an idle worker is ended. */
  close(slot: PoolWorker, weight: number): void {
    slot.load -= weight;
    if (--slot.tasks > 0) return;
    const i = this.workers.indexOf(slot);
    if (i >= 0) this.workers.splice(i, 1);
    void slot.worker.terminate();
  }

  private spawn(): PoolWorker {
    const worker = new Worker(BOOT, {
      eval: true,
      // Not the parent's flags (heap size, --import tsx): the boot script registers tsx itself.
      execArgv: [],
      // A reader's live data is a few small batches: bounded generations keep its garbage, and the
      // process's RSS, small. (A process-wide --max-old-space-size overrides these, so the bench and
      // the CLI run without it.)
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB, maxOldGenerationSizeMb: WORKER_OLD_MB },
      stdout: false,
      stderr: false,
    });
    // The task ports, not the worker, keep the process alive (and only while a consumer waits).
    worker.unref();
    const slot: PoolWorker = { worker, load: 0, tasks: 0, failure: undefined, exited: false, listeners: new Set() };
    worker.on('error', (err) => {
      slot.failure ??= err;
      for (const l of slot.listeners) l();
    });
    worker.on('exit', () => {
      slot.exited = true;
      const i = this.workers.indexOf(slot);
      if (i >= 0) this.workers.splice(i, 1);
      for (const l of slot.listeners) l();
    });
    this.workers.push(slot);
    return slot;
  }
}

interface PoolWorker {
  readonly worker: Worker;
  load: number;
  tasks: number;
  failure: unknown;
  exited: boolean;
  /** Wakes the tasks' consumers when the worker fails or exits. */
  readonly listeners: Set<() => void>;
}

let pool: ParsePool | undefined;

/**
 * Main side, columnar: runs `task` on a parse worker and yields its batches as the worker packed them
 * (see forEachByTime, which visits them without building event objects). Starts on iteration.
 */
export async function* workerBatches<C>(task: WorkerTask, opts: WorkerBatchOptions = {}): AsyncGenerator<C> {
  pool ??= new ParsePool(Math.max(1, availableParallelism()));
  const weight = opts.weight ?? 1;
  const { port, slot } = pool.open(task, weight);
  const inbox: WorkerMessage<C>[] = [];
  let head = 0;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  port.on('message', (m: WorkerMessage<C>) => {
    inbox.push(m);
    notify();
  });
  slot.listeners.add(notify);
  // Only a consumer waiting for a batch keeps the process alive; an abandoned source does not.
  port.unref();
  let done = false;
  try {
    for (;;) {
      while (head === inbox.length) {
        if (slot.failure !== undefined) throw slot.failure instanceof Error ? slot.failure : new Error(describeError(slot.failure));
        if (slot.exited) throw new Error(`parse worker for ${describeTask(task)} exited before the end of its file`);
        port.ref();
        await new Promise<void>((r) => (wake = r));
        port.unref();
      }
      const m = inbox[head]!;
      inbox[head++] = undefined as unknown as WorkerMessage<C>;
      if (head > 64 && head * 2 > inbox.length) {
        inbox.splice(0, head);
        head = 0;
      }
      for (const b of m.bad) opts.onBadRow?.(b);
      if (m.t === 'end') {
        done = true;
        return;
      }
      if (m.t === 'error') {
        done = true;
        throw (opts.error ?? rebuildError)(m.error);
      }
      port.postMessage(null);
      yield m.cols;
    }
  } finally {
    // Stopped early: the worker ends the task and closes the file (and serves its other tasks on).
    if (!done && !slot.exited) port.postMessage('stop');
    slot.listeners.delete(notify);
    port.close();
    pool.close(slot, weight);
  }
}

function describeTask(task: WorkerTask): string {
  const t = task as WorkerTask & { file?: string; spec?: { file?: string } };
  return t.file ?? t.spec?.file ?? task.module;
}
