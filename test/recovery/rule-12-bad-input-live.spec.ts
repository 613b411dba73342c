/**
 * RELIABILITY rule 12 in live mode (the backtest cases are in test/engine/bad-input.spec.ts): bad input
 * stops `paper --live` with a message naming file, line and field, no report folder is published, and
 * the API key and secret appear in no output, log, report or journal file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.ts';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { liveCommand, type LiveFlags } from '../../src/engine/live-command.ts';
import { liveIO } from '../engine/helpers.ts';
import { KEY, SECRET, binanceEmulator, recoveryScenario, runLive, signalFile, tmpDir } from './helpers.ts';
import { filesUnder } from './rule-helpers.ts';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await binanceEmulator(32);
});
afterAll(async () => emu?.close());

/** Runs `paper --live` in `dir` (journal in dir/state, report in dir/out) and returns how it ended. */
async function liveRun(dir: string, signals: string, extra: Record<string, unknown> = {}) {
  const io = liveIO({ env: { TRADEFLOW_BINANCE_API_KEY: KEY, TRADEFLOW_BINANCE_SECRET: SECRET, TRADEFLOW_STATE_DIR: path.join(dir, 'state') } });
  const out = path.join(dir, 'out');
  const flags: LiveFlags = { market: ['binance:BTC/USDT'], signals, out, live: true, yes: true, 'exchange-url': [`binance=${emu.url}`] };
  const error = await liveCommand(recoveryScenario(dir, extra), flags, io).then(() => undefined, (e: unknown) => e as Error);
  return { error, out, text: [...io.lines, ...io.errors, error?.message ?? '', error?.stack ?? ''].join('\n') };
}

/** Neither the key nor the secret in any file under `dir` (journal, WAL, reports, scenario...) nor in `text`. */
function expectNoKeys(dir: string, text: string): void {
  expect(text.includes(KEY) || text.includes(SECRET), 'key or secret in the console output').toBe(false);
  const files = filesUnder(dir);
  expect(files.some((f) => f.endsWith('journal.sqlite'))).toBe(true);
  for (const f of files) {
    const bytes = readFileSync(f);
    expect(bytes.includes(KEY) || bytes.includes(SECRET), `key or secret in ${path.relative(dir, f)}`).toBe(false);
  }
}

describe('rule 12: bad input stops a live run naming file, line and field; keys appear nowhere', () => {
  it('when a signal names a symbol the run does not trade, then it stops with file:line and field "symbol", publishes no report, and leaks no key', async () => {
    const dir = tmpDir('tf-r12-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.001,market,,b1', '2025-01-01T00:00:01Z,binance,ETH/USDT,buy,0.01,market,,b2']);
    const r = await liveRun(dir, signals);
    expect(r.error).toBeInstanceOf(DataError);
    expect(r.error!.message).toMatch(/signals\.csv:3: field "symbol".*ETH\/USDT/);
    expect(existsSync(r.out), 'no report folder').toBe(false);
    expect(filesUnder(dir).filter((f) => f.startsWith(path.join(dir, 'out'))), 'nothing half-written').toEqual([]);
    expectNoKeys(dir, r.text);
  });

  it('when a quantity is negative, then it stops naming file, line and field "quantity", with nothing sent for it', async () => {
    const dir = tmpDir('tf-r12-');
    const before = emu.state.orders().length;
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,-0.5,market,,n1']);
    const r = await liveRun(dir, signals);
    expect(r.error).toBeInstanceOf(DataError);
    expect(r.error!.message).toMatch(/signals\.csv:2: field "quantity"/);
    expect(existsSync(r.out)).toBe(false);
    expect(emu.state.orders().length).toBe(before);
    expectNoKeys(dir, r.text);
  });

  it('when a scenario field is wrong, then it stops naming the field, before anything is sent', async () => {
    const dir = tmpDir('tf-r12-');
    const before = emu.state.orders().length;
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.001,market,,w1']);
    const r = await liveRun(dir, signals, { reconcile: { unknown_orders: 'ignore' } });
    expect(r.error?.message).toMatch(/live\.reconcile\.unknown_orders/);
    expect(existsSync(r.out)).toBe(false);
    expect(emu.state.orders().length).toBe(before);
    expect(r.text.includes(KEY) || r.text.includes(SECRET)).toBe(false);
  });

  it('when a venue error comes back during a good run, then the run completes and still no file of it holds the key or secret', async () => {
    const dir = tmpDir('tf-r12-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.001,market,,g1', '2025-01-01T00:00:01Z,binance,BTC/USDT,buy,0.5,limit,90000,g2']);
    const run = await runLive(emu, { dir, signals });
    expect(run.orders.find((o) => o.signal_id === 'g2')).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/^-2010: InsufficientFunds/) }); // answered by the venue
    writeFileSync(path.join(dir, 'console.txt'), run.log.join('\n'));
    expectNoKeys(dir, run.log.join('\n'));
  });
});
