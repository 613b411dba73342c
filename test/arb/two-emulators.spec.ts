/**
 * The arbitrage operator against two exchange emulators on 127.0.0.1 — Binance (BTC/USDT) and Upbit
 * (BTC/KRW), each a seeded random-walk book, Upbit priced 1% over Binance at the scenario's 1,400 KRW
 * per USDT — through real ccxt over HTTP:
 *  - `tradeflow paper` (`--exchange-url binance=… --exchange-url upbit=…`): the detector watches both
 *    venues' books, legs fill on the paper venues' matching engines, nothing reaches the emulators;
 *  - `tradeflow paper --live --yes` with keys: the legs are real orders at both emulators, and what
 *    tradeflow believes (orders.csv, balances) is what the emulators have.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import type { ArbitrageReport } from '../../src/engine/arb-report.ts';
import { liveCommand, type LiveFlags } from '../../src/engine/live-command.ts';
import { liveIO, readCsv } from '../engine/helpers.ts';
import { arbEmulators, arbRunFiles, type ArbEmulators, type ArbRunFiles } from './emulator-rig.ts';

let emus: ArbEmulators;
let binance: RunningEmulator;
let upbit: RunningEmulator;
beforeAll(async () => {
  emus = await arbEmulators('arb', { seeds: [5, 6] });
  ({ binance, upbit } = emus);
});
afterAll(async () => emus?.close());

/** `detect: false`: only the signal file's arb rows are executed. */
function setup(detect = true): ArbRunFiles {
  // The run lasts as long as its signal file at speed 1 (3 s): arb rows, then a no-op control row.
  return arbRunFiles(
    'tf-arb-emu-',
    [
      '2025-01-01T00:00:00Z,,,resume,,start,,,',
      '2025-01-01T00:00:01Z,,BTC/USDT,arb,0.004,csv-arb,binance,upbit,BTC/KRW',
      '2025-01-01T00:00:02Z,,BTC/KRW,arb,0.004,csv-wrong-way,upbit,binance,BTC/USDT',
      '2025-01-01T00:00:03Z,,,resume,,keep-alive,,,',
    ],
    { arbitrage: { size: 0.01, cooldown_ms: 1000, detect } },
  );
}

const flags = (out: string, signals: string): LiveFlags => ({
  signals,
  out,
  'exchange-url': [`binance=${binance.url}`, `upbit=${upbit.url}`],
});

function readArb(out: string): ArbitrageReport {
  return JSON.parse(readFileSync(path.join(out, 'arbitrage.json'), 'utf8')) as ArbitrageReport;
}

describe('arbitrage against two emulators (ccxt over HTTP)', () => {
  it('when paper runs the arb scenario then both legs of each arbitrage fill on the paper venues and nothing reaches the emulators', async () => {
    const { dir, scenario, signals } = setup();
    const out = path.join(dir, 'paper');
    const before = [binance.state.orders().length, upbit.state.orders().length];
    const io = liveIO();
    const { summary } = await liveCommand(scenario, flags(out, signals), io);
    expect(summary.mode).toBe('paper');
    const arb = readArb(out);
    expect(arb.trades.length, io.errors.join('\n')).toBeGreaterThanOrEqual(1);
    expect(arb.opportunities.fromSignals.seen, 'the arb rows were priced at execution').toBe(2);
    for (const t of arb.trades) {
      expect(t.outcome).toBe('complete');
      expect([t.buy.venue, t.sell.venue]).toEqual(['binance', 'upbit']);
      expect(t.expected.netBps).toBeGreaterThanOrEqual(20);
      // The legs met the books the edge was priced on, give or take a poll: within a few bps.
      expect(Math.abs(t.realized.netBps! - t.expected.netBps)).toBeLessThan(10);
    }
    const orders = readCsv(path.join(out, 'orders.csv'));
    expect(orders.length).toBe(arb.trades.length * 2);
    expect(orders.every((o) => o.status === 'filled')).toBe(true);
    expect(new Set(orders.map((o) => o.client_id)).size).toBe(orders.length);
    expect([binance.state.orders().length, upbit.state.orders().length], 'paper orders never reach a venue').toEqual(before);
    const sum = Object.values(arb.pnl.byVenue).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(arb.pnl.total, 4);
    expect(Number(arb.inventory.drift.binance!.BTC)).toBeCloseTo(-Number(arb.inventory.drift.upbit!.BTC), 12);
  }, 60_000);

  it('when --live runs the arb rows then the legs are real orders at both emulators, once each, and the ledger equals both venues', async () => {
    const { dir, scenario, signals } = setup(false);
    const out = path.join(dir, 'live');
    const io = liveIO({ env: { ...emus.keys } });
    await liveCommand(scenario, { ...flags(out, signals), live: true, yes: true }, io);
    const arb = readArb(out);
    // The row with the edge is taken; the one the wrong way round is priced again and skipped.
    expect(arb.opportunities.fromSignals, io.errors.join('\n')).toEqual({ seen: 2, taken: 1, skipped: { below_threshold: 1 } });
    expect(arb.trades.map((t) => t.id)).toEqual(['csv-arb']);
    // At most the row's size; less when the top of a book (all a live run sees) holds less.
    expect(arb.trades[0]!.size).toBeGreaterThan(0);
    expect(arb.trades[0]!.size).toBeLessThanOrEqual(0.004);
    const ours = new Map(readCsv(path.join(out, 'orders.csv')).map((o) => [o.client_id!, o]));
    for (const t of arb.trades) {
      expect(t.outcome, JSON.stringify(t)).toBe('complete');
      for (const leg of t.orders) {
        const emu = leg.venue === 'binance' ? binance : upbit;
        const there = emu.state.orders().filter((o) => o.clientOrderId === leg.clientId);
        expect(there, `${leg.clientId} reached ${leg.venue} exactly once`).toHaveLength(1);
        expect(Number(there[0]!.filled)).toBeCloseTo(leg.filled, 12);
        expect(ours.get(leg.clientId!)?.status).toBe(there[0]!.status);
      }
    }
    // The ledger is the venues' truth, asset by asset.
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { balances: Record<string, Record<string, string>> };
    for (const [venue, emu] of [['binance', binance], ['upbit', upbit]] as const) {
      const bal = emu.state.balances();
      for (const [asset, amount] of Object.entries(summary.balances[venue] ?? {})) {
        expect(Number(amount), `${venue} ${asset}`).toBeCloseTo(Number(bal[asset]?.total ?? 0), 8);
      }
    }
    const text = [readFileSync(path.join(out, 'arbitrage.json'), 'utf8'), ...io.errors, ...io.lines].join('\n');
    for (const secret of Object.values(emus.keys)) expect(text).not.toContain(secret);
  }, 60_000);
});
