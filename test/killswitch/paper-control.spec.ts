/**
 * A person's control of a running paper run, end to end: `bin/tradeflow.js paper` as a child process
 * against the emulator (real ccxt over HTTP), signals appended to a followed JSON-lines file, and the
 * run's stderr telling us when each step happened (no sleeps guessing at timing).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { SqliteJournal } from '../../src/journal/sqlite-journal.ts';
import { REPO, readCsv, readJson, tmpDir } from '../engine/helpers.ts';

const BIN = path.join(REPO, 'bin/tradeflow.js');
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({
    venue: 'binance', port: 0, apiKey: 'ks-key-0123', secret: 'ks-secret-4567',
    balances: { USDT: '10000' }, walk: [{ symbol: 'BTC/USDT', startPrice: 100_000 }], walkOptions: { intervalMs: 50 }, seed: 11,
  });
});
afterAll(async () => emu?.close());

interface PaperRun {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly signals: string;
  readonly out: string;
  readonly env: NodeJS.ProcessEnv;
  stderr(): string;
  /** Resolves with the match once stderr matches `re`; fails with stderr after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  /** Ctrl-C, then the exit code. */
  stop(): Promise<number | null>;
}

function startPaper(extra: string[] = []): PaperRun {
  const dir = tmpDir('tf-ks-paper-');
  const signals = path.join(dir, 'signals.jsonl');
  writeFileSync(signals, '');
  const out = path.join(dir, 'out');
  const env = { ...process.env, CI: '1', TRADEFLOW_STATE_DIR: path.join(dir, 'state') };
  const child = spawn(
    process.execPath,
    [BIN, 'paper', '--market', 'binance:BTC/USDT', '--balance', 'binance:USDT=5000', '--signals', signals, '--follow', '--out', out, '--exchange-url', `binance=${emu.url}`, '--poll-ms', '100', ...extra],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    child,
    signals,
    out,
    env,
    stderr: () => err,
    async waitFor(re, ms = 30_000) {
      const end = Date.now() + ms;
      for (;;) {
        const m = re.exec(err);
        if (m) return m;
        if (Date.now() > end || child.exitCode !== null) throw new Error(`stderr never matched ${re}:\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

const row = (id: string, extra = '') =>
  `{"timestamp":"2025-01-01T00:00:00Z","exchange":"binance","symbol":"BTC/USDT","side":"buy","quantity":0.001,"id":"${id}"${extra}}\n`;

/** `tradeflow halt …` as its own process, like a person in another terminal. */
function haltCommand(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, 'halt', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

describe('taking control of a running paper run', () => {
  it('when the run gets SIGUSR2 then SIGUSR1 then it reduces then halts: a later signal is refused as halted and both are in summary.json', async () => {
    const run = startPaper();
    try {
      await run.waitFor(/run \S+: halt it with .*kill -USR1 \d+/);
      process.kill(run.child.pid!, 'SIGUSR2');
      await run.waitFor(/risk: active → reducing: reduce: SIGUSR2/);
      process.kill(run.child.pid!, 'SIGUSR1');
      await run.waitFor(/risk: reducing → halted: halt: SIGUSR1/);
      appendFileSync(run.signals, row('after-halt'));
      await run.waitFor(/refused after-halt: halted: trading is halted/);
    } finally {
      expect(await run.stop(), run.stderr()).toBe(0);
    }
    const summary = readJson(path.join(run.out, 'summary.json'));
    expect(summary.refused_signals.by_rule).toEqual({ halted: 1 });
    expect(summary.fills).toBe(0);
    expect(summary.risk.state).toBe('halted');
    expect(summary.risk.history).toHaveLength(2);
    expect(summary.risk.history[0]).toMatchObject({ from: 'active', to: 'reducing', reason: 'reduce: SIGUSR2' });
    expect(summary.risk.history[1]).toMatchObject({ from: 'reducing', to: 'halted', reason: 'halt: SIGUSR1' });
    expect(summary.risk.history[1].iso).toBe(new Date(summary.risk.history[1].ts).toISOString());
  }, 90_000);

  it('when `tradeflow halt RUN_ID` is run then the running paper run picks it up; --resume lets orders through again', async () => {
    const run = startPaper(['--max-signal-risk', '0.5']);
    let runId = '';
    try {
      runId = (await run.waitFor(/run (\S+): halt it with/))[1]!;
      const halt = await haltCommand([runId], run.env);
      expect(halt.code, halt.err).toBe(0);
      expect(halt.out).toMatch(new RegExp(`halt requested for run ${runId}: .*control/${runId}\\.json`));
      await run.waitFor(/risk: active → halted: halt: tradeflow halt request \S+ of \d{4}-/);
      appendFileSync(run.signals, row('while-halted'));
      await run.waitFor(/refused while-halted: halted/);

      const resume = await haltCommand([runId, '--resume'], run.env);
      expect(resume.code, resume.err).toBe(0);
      await run.waitFor(/risk: halted → active: resume: tradeflow halt request/);
      // `resumed` must go out; `marker` (refused for its risk score) tells us it was read after it.
      appendFileSync(run.signals, row('resumed') + row('marker', ',"risk":0.9'));
      await run.waitFor(/refused marker: signal_risk/);
    } finally {
      expect(await run.stop(), run.stderr()).toBe(0);
    }
    const orders = readCsv(path.join(run.out, 'orders.csv'));
    expect(orders.map((o) => [o.signal_id, o.status])).toEqual([['resumed', 'filled']]);
    const summary = readJson(path.join(run.out, 'summary.json'));
    expect(summary.refused_signals.by_rule).toEqual({ halted: 1, signal_risk: 1 });
    expect(summary.risk.state).toBe('active');
    expect(summary.risk.history.map((c: { from: string; to: string }) => `${c.from}>${c.to}`)).toEqual(['active>halted', 'halted>active']);
    // The changes are journaled with the run too.
    const journal = new SqliteJournal(path.join(run.env.TRADEFLOW_STATE_DIR!, 'journal.sqlite'));
    try {
      journal.open(runId);
      const events = journal.runEvents(runId).filter((e) => e.kind === 'kill-switch');
      expect(events.map((e) => [e.detail.from, e.detail.to])).toEqual([
        ['active', 'halted'],
        ['halted', 'active'],
      ]);
    } finally {
      journal.close();
    }
  }, 120_000);
});
