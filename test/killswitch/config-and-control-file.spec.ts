import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { planFromInputs } from '../../src/engine/backtest-command.ts';
import { ControlFilePoller, RunControls, controlFilePath, writeControlRequest, type ControlTarget } from '../../src/engine/control-file.ts';

const io = { cwd: process.cwd(), isVenue: (v: string) => ['binance', 'upbit'].includes(v) };
const dir = mkdtempSync(path.join(os.tmpdir(), 'tf-ks-cfg-'));
const candles = path.join(dir, 'c.csv');
writeFileSync(candles, 'timestamp,open,high,low,close,volume\n2025-01-01T00:00:00Z,1,1,1,1,1\n');

function scenario(text: string): string {
  const f = path.join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, text);
  return f;
}
const backtest = (risk: string) => scenario(`markets: [{ venue: binance, symbol: BTC/USDT, file: ${candles} }]\nrisk: ${risk}\n`);
const paper = (risk: string, live = '{}') => scenario(`markets: [{ venue: binance, symbol: BTC/USDT }]\nrisk: ${risk}\nlive: ${live}\n`);

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('kill-switch settings in scenarios', () => {
  it('when every new risk field is given then the plan carries it', () => {
    const plan = planFromInputs(
      backtest('{ max_daily_loss: 0.05, max_errors: 3, error_window_ms: 30000, max_divergence: 0.001, divergence_action: halted, max_book_age_ms: 2000 }'),
      {},
      io,
    );
    expect(plan.risk).toEqual({ maxDailyLoss: 0.05, maxErrors: 3, errorWindowMs: 30000, maxDivergence: 0.001, divergenceAction: 'halted', maxBookAgeMs: 2000 });
  });

  it.each([
    ['{ max_daily_loss: 2 }', 'risk.max_daily_loss'],
    ['{ max_errors: 1.5 }', 'risk.max_errors'],
    ['{ error_window_ms: 0 }', 'risk.error_window_ms'],
    ['{ max_divergence: -1 }', 'risk.max_divergence'],
    ['{ divergence_action: stop }', 'risk.divergence_action'],
    ['{ max_book_age_ms: -5 }', 'risk.max_book_age_ms'],
  ])('when risk is %s then the error names %s', (risk, field) => {
    expect(configError(() => planFromInputs(backtest(risk), {}, io)).message).toContain(`field "${field}"`);
  });

  it('when a risk field is misspelt then it is named, never ignored', () => {
    expect(configError(() => planFromInputs(backtest('{ max_book_age: 5000 }'), {}, io)).message).toMatch(/max_book_age/);
  });

  it('when max_book_age_ms is unset then it is off in backtests and on (10 s, or 3 polls) in paper and live', () => {
    expect(planFromInputs(backtest('{}'), {}, io).risk.maxBookAgeMs).toBeUndefined();
    expect(planFromInputs(paper('{}'), {}, io, { command: 'paper' }).risk.maxBookAgeMs).toBe(10_000);
    expect(planFromInputs(paper('{}', '{ poll_interval_ms: 5000 }'), {}, io, { command: 'live' }).risk.maxBookAgeMs).toBe(15_000);
    expect(planFromInputs(paper('{ max_book_age_ms: 0 }'), {}, io, { command: 'paper' }).risk.maxBookAgeMs, '0 turns it off').toBeUndefined();
    expect(planFromInputs(backtest('{ max_book_age_ms: 0 }'), {}, io).risk.maxBookAgeMs).toBeUndefined();
  });

  it('when max_book_age_ms is not above the poll interval in paper then the run refuses to start, naming the field', () => {
    const err = configError(() => planFromInputs(paper('{ max_book_age_ms: 1000 }'), {}, io, { command: 'paper' }));
    expect(err.message).toMatch(/field "risk\.max_book_age_ms": 1000 ms is not above live\.poll_interval_ms \(1000 ms\)/);
  });
});

describe('control file', () => {
  it('when a request is written then it lands whole under control/<run>.json with no temp file left', async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'tf-ks-state-'));
    const { file, request } = await writeControlRequest(state, 'run-paper-20250101T000000', 'reduce', new Date(Date.UTC(2025, 0, 1)));
    expect(file).toBe(path.join(state, 'control', 'run-paper-20250101T000000.json'));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ action: 'reduce', id: request.id, requestedAt: '2025-01-01T00:00:00.000Z' });
    expect(readdirSync(path.dirname(file))).toEqual(['run-paper-20250101T000000.json']);
  });

  it('when the run id is a path then it is refused', () => {
    expect(() => controlFilePath('/tmp', '../etc/x')).toThrow(ConfigError);
    expect(() => controlFilePath('/tmp', 'a/b')).toThrow(ConfigError);
  });

  it('when the poller reads the same request twice then it is applied once; a new request is applied again', async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'tf-ks-state-'));
    const seen: string[] = [];
    const poller = new ControlFilePoller({ file: controlFilePath(state, 'r1'), onRequest: (r) => seen.push(r.action) });
    await poller.pollOnce(); // no file yet: nothing
    await writeControlRequest(state, 'r1', 'halt');
    await poller.pollOnce();
    await poller.pollOnce();
    expect(seen).toEqual(['halt']);
    await writeControlRequest(state, 'r1', 'resume');
    await poller.pollOnce();
    expect(seen).toEqual(['halt', 'resume']);
  });

  it('when the file is malformed then it is reported once and ignored', async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'tf-ks-state-'));
    const file = controlFilePath(state, 'r2');
    const problems: string[] = [];
    const seen: string[] = [];
    const poller = new ControlFilePoller({ file, onRequest: (r) => seen.push(r.action), onProblem: (m) => problems.push(m) });
    await writeControlRequest(state, 'r2', 'halt');
    writeFileSync(file, '{"action":"explode","id":"x"}');
    await poller.pollOnce();
    await poller.pollOnce();
    expect(seen).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/field "action": expected halt, reduce, resume/);
  });

  it('when commands and errors arrive before the core exists then they are applied in order once it is attached', () => {
    let now = 100;
    const controls = new RunControls({ now: () => now });
    controls.command('halt', 'SIGUSR1');
    now = 200;
    controls.noteError('binance book fetch failed');
    const calls: unknown[] = [];
    const target: ControlTarget = {
      control: (action, reason, ts) => calls.push(['control', action, reason, ts]),
      noteError: (ts, what) => calls.push(['error', what, ts]),
    };
    controls.attach(target);
    now = 300;
    controls.command('resume', 'test');
    expect(calls).toEqual([
      ['control', 'halt', 'SIGUSR1', 100],
      ['error', 'binance book fetch failed', 200],
      ['control', 'resume', 'test', 300],
    ]);
  });
});
