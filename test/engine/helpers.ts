import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Readable } from 'node:stream';
import { backtestCommand, type CommandIO } from '../../src/engine/backtest-command.ts';
import type { LiveIO } from '../../src/engine/live-command.ts';
import type { RunFlags } from '../../src/engine/run-options.ts';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const SHARED = path.resolve(REPO, '../shared/data');

export function tmpDir(prefix = 'tf-e2e-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function quietIO(): CommandIO & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (t) => lines.push(t),
    err: (t) => errors.push(t),
    progress: false,
    cwd: REPO,
    isVenue: (id) => ['binance', 'upbit', 'kraken', 'binanceus'].includes(id),
    version: 'test',
    argv: [],
  };
}

export function runBacktestCli(scenario: string | undefined, flags: RunFlags) {
  return backtestCommand(scenario, flags, quietIO());
}

export function readCsv(file: string): Record<string, string>[] {
  return parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
}

export function readJson(file: string): any {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** IO for paper/live commands in tests: captured output, no stdin, an abort signal of its own. */
export function liveIO(over: Partial<LiveIO> = {}): LiveIO & { lines: string[]; errors: string[] } {
  const base = quietIO();
  return {
    ...base,
    stdin: Readable.from([]) as unknown as NodeJS.ReadableStream,
    abort: new AbortController().signal,
    ...over,
    // Each run gets a journal of its own unless a test says otherwise (a shared one would make every
    // run reconcile the orders earlier tests left behind).
    env: { TRADEFLOW_STATE_DIR: tmpDir('tf-state-'), ...over.env },
  };
}
