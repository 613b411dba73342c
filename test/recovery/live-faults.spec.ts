/**
 * Issue 5 in paper and live: a scenario's `faults:` are played by the emulator over real HTTP (live)
 * or by the fault-injecting driver around the paper venue, and failures.json accounts for each fault
 * and checks the invariants against the venue's truth.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { liveCommand } from '../../src/engine/live-command.ts';
import { liveIO, readJson } from '../engine/helpers.ts';
import { KEY, SECRET, binanceEmulator, signalFile, tmpDir, venueOrders } from './helpers.ts';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await binanceEmulator(41);
});
afterAll(async () => emu?.close());

function scenario(dir: string, faults: unknown[]): string {
  const f = path.join(dir, 'faulty.json');
  writeFileSync(
    f,
    JSON.stringify({
      name: 'faulty',
      venues: { binance: { balances: { USDT: 5000, BTC: 0.5 } } },
      live: { poll_interval_ms: 100, speed: 0, linger_ms: 6000, request_timeout_ms: 400, reconcile: { absent_lookups: 3, absent_after_ms: 600, interval_ms: 0 } },
      faults: { seed: 3, schedule: faults },
    }),
  );
  return f;
}

const rows = ['buy', 'sell', 'buy', 'sell', 'buy', 'sell'].map((side, i) => `2025-01-01T00:00:0${i}Z,binance,BTC/USDT,${side},0.002,market,,f${i}`);
const env = { TRADEFLOW_BINANCE_API_KEY: KEY, TRADEFLOW_BINANCE_SECRET: SECRET };

describe('scenario faults in paper and live runs', () => {
  it('when a live run against the emulator has faults, then the emulator plays them over HTTP and failures.json reports them with zero invariants', async () => {
    const dir = tmpDir('tf-lf-');
    const out = path.join(dir, 'out');
    const faults = [
      { kind: 'timeout-after-accept', order: 1 },
      { kind: 'timeout-before-accept', order: 2 },
      { kind: 'error-5xx-after-accept', order: 3 },
      { kind: 'repeat-event', order: 4 },
      // Last: a rate limit refuses every request for its window, so a fault planned inside it never fires.
      { kind: 'rate-limit', order: 5, retry_after_ms: 1000 },
    ];
    await liveCommand(scenario(dir, faults), { market: ['binance:BTC/USDT'], signals: signalFile(dir, rows), out, live: true, yes: true, 'exchange-url': [`binance=${emu.url}`] }, liveIO({ env }));
    const report = readJson(path.join(out, 'failures.json'));
    expect(report.invariants).toMatchObject({ lostOrders: 0, duplicatedOrders: 0, positionDivergence: 0, balanceDivergence: 0 });
    expect(report.faults.map((f: { kind: string }) => f.kind).sort(), JSON.stringify(emu.state.faults())).toEqual(faults.map((f) => f.kind).sort());
    for (const f of report.faults) expect(f.outcome, f.entry).toMatch(/^ended:/);
    const lost = report.faults.find((f: { kind: string }) => f.kind === 'timeout-before-accept');
    expect(lost.outcome).toMatch(/rejected, resolved by tradeflow locally/);
    expect(venueOrders(emu, (id) => id === lost.orders[0]), 'the absent order was never resent').toHaveLength(0);
    // The plan is removed from the emulator after the run.
    expect(emu.state.faults().filter((f) => f.trigger).length).toBe(faults.length);
  });

  it('when a paper run has faults, then the paper venue plays them and failures.json checks the paper book', async () => {
    const dir = tmpDir('tf-pf-');
    const out = path.join(dir, 'out');
    const faults = [
      { kind: 'timeout-after-accept', order: 1 },
      { kind: 'reject', order: 2 },
      { kind: 'partial-then-cancel', order: 3, fill: 0.5 },
      { kind: 'drop-event', order: 4, poll_ms: 300 },
    ];
    await liveCommand(scenario(dir, faults), { market: ['binance:BTC/USDT'], signals: signalFile(dir, rows), out, 'exchange-url': [`binance=${emu.url}`] }, liveIO());
    const report = readJson(path.join(out, 'failures.json'));
    expect(report.ok, JSON.stringify(report.invariants)).toBe(true);
    expect(report.faults.map((f: { kind: string }) => f.kind)).toEqual(faults.map((f) => f.kind));
    for (const f of report.faults) expect(f.outcome, f.entry).not.toMatch(/NOT RECOVERED|pending/);
  });

  it('when a live scenario asks for a fault only a backtest can play, or an event time, then it is refused before anything runs', async () => {
    const dir = tmpDir('tf-lf-');
    const out = path.join(dir, 'out');
    const flags = { market: ['binance:BTC/USDT'], signals: signalFile(dir, rows), out, live: true, yes: true, 'exchange-url': [`binance=${emu.url}`] };
    await expect(liveCommand(scenario(dir, [{ kind: 'latency-spike', order: 1 }]), flags, liveIO({ env }))).rejects.toThrow(/faults\.schedule\.0\.kind: latency-spike cannot be injected in a live run/);
    await expect(liveCommand(scenario(dir, [{ kind: 'reject', at: '2025-01-01T00:00:00Z' }]), flags, liveIO({ env }))).rejects.toBeInstanceOf(ConfigError);
    expect(existsSync(out)).toBe(false);
  });
});
