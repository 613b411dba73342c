/**
 * `side: arb` rows of a signal file: parsed (in-thread and in a parse worker, to the same signals),
 * refused with file/line/field when malformed, and executed by the arbitrage operator, which prices
 * each again at execution time and skips a stale one with its reason.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Signal } from '../../src/domain/types.ts';
import { signalCsvSource } from '../../src/sources/signal-csv.ts';
import { signalCsvSourceInWorker } from '../../src/sources/signal-worker.ts';
import { T0, runArb, synthData, synthScenario, tmpDir } from './exec-helpers.ts';

const HEADER = 'timestamp,exchange,symbol,side,quantity,id,risk,buy_exchange,sell_exchange,sell_symbol';
const markets = [
  ['binance', 'BTC/USDT'],
  ['upbit', 'BTC/KRW'],
] as const;
const opts = { isKnownVenue: (v: string) => v === 'binance' || v === 'upbit', isKnownMarket: (v: string, s: string) => markets.some(([a, b]) => a === v && b === s) };

async function drain<T>(src: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const b of src) out.push(...b);
  return out;
}

function file(dir: string, rows: string[]): string {
  const f = path.join(dir, 'signals.csv');
  writeFileSync(f, [HEADER, ...rows].join('\n') + '\n');
  return f;
}

describe('arb signal rows', () => {
  it('when a file mixes order, control and arb rows then arb rows become ArbSignals, the same in a parse worker', async () => {
    const f = file(tmpDir('tf-arbsig-'), [
      `${T0},binance,BTC/USDT,buy,0.01,o1,,,,`,
      `${T0 + 1},,BTC/USDT,arb,0.02,a1,0.3,binance,upbit,BTC/KRW`,
      `${T0 + 2},,,halt,,,,,,`,
      `${T0 + 3},,BTC/KRW,ARB,0.5,,,upbit,binance,BTC/USDT`,
    ]);
    const sigs = await drain(signalCsvSource(f, opts));
    expect(sigs[1]).toEqual({ kind: 'arb', id: 'a1', ts: T0 + 1, buyVenue: 'binance', buySymbol: 'BTC/USDT', sellVenue: 'upbit', sellSymbol: 'BTC/KRW', quantity: 0.02, risk: 0.3, source: { file: f, line: 3 } });
    expect(sigs[3]).toEqual({ kind: 'arb', id: 'signals.csv:5', ts: T0 + 3, buyVenue: 'upbit', buySymbol: 'BTC/KRW', sellVenue: 'binance', sellSymbol: 'BTC/USDT', quantity: 0.5, source: { file: f, line: 5 } });
    expect(sigs.map((s) => s.kind)).toEqual(['order', 'arb', 'control', 'arb']);
    const inWorker: Signal[] = await drain(signalCsvSourceInWorker(f, { ...opts, markets }));
    expect(inWorker).toEqual(sigs);
  });

  it('when an arb row is malformed then the error names the line and the field', async () => {
    const dir = tmpDir('tf-arbsig-bad-');
    const cases: Array<[string, string]> = [
      [`${T0},,BTC/USDT,arb,0.02,a1,,binance,,BTC/KRW`, 'sell_exchange'],
      [`${T0},,BTC/USDT,arb,0.02,a1,,binance,binance,BTC/USDT`, 'sell_exchange'],
      [`${T0},,BTC/USDT,arb,0.02,a1,,binance,upbit,`, 'sell_symbol'],
      [`${T0},,BTC/USDT,arb,-1,a1,,binance,upbit,BTC/KRW`, 'quantity'],
      [`${T0},,BTC/USDT,arb,0.02,a1,,kraken,upbit,BTC/KRW`, 'buy_exchange'],
      [`${T0},,ETH/USDT,arb,0.02,a1,,binance,upbit,BTC/KRW`, 'symbol'],
    ];
    for (const [row, field] of cases) {
      const f = file(dir, [row]);
      await expect(drain(signalCsvSource(f, opts)), row).rejects.toThrow(new RegExp(`signals\\.csv:2: field "${field}"`));
    }
  });

  it('when arb signals are replayed then each is priced again at its time: taken while the edge holds, skipped with a reason once it is gone or the books are stale', async () => {
    const dir = tmpDir('tf-arbsig-run-');
    // Upbit 100 bps over Binance for 30 s, then level; the data ends at 59.3 s.
    const files = synthData(dir, { premiumBps: (s) => (s < 30 ? 100 : 0) });
    const signals = file(dir, [
      `${T0 + 5_500},,BTC/USDT,arb,0.01,take,,binance,upbit,BTC/KRW`,
      `${T0 + 6_500},,BTC/KRW,arb,0.01,wrong-way,,upbit,binance,BTC/USDT`,
      `${T0 + 40_500},,BTC/USDT,arb,0.01,gone,,binance,upbit,BTC/KRW`,
      `${T0 + 70_000},,BTC/USDT,arb,0.01,stale,,binance,upbit,BTC/KRW`,
    ]);
    const r = await runArb(synthScenario(dir, files, { signals, arbitrage: { detect: false, cooldown_ms: 0 } }));
    expect(r.arb.opportunities.fromSignals).toEqual({ seen: 4, taken: 1, skipped: { below_threshold: 2, stale_book: 1 } });
    expect(r.arb.opportunities.fromDetector.seen, 'detect: false').toBe(0);
    expect(r.arb.trades).toHaveLength(1);
    expect(r.arb.trades[0]).toMatchObject({ id: 'take', source: 'signal', signalId: 'take', size: 0.01, outcome: 'complete' });
    expect(r.orders.map((o) => o.signal_id).sort()).toEqual(['take:buy', 'take:sell']);
    const refused = r.summary.refused_signals as { count: number; by_rule: Record<string, number> } | unknown;
    expect(JSON.stringify(refused)).toMatch(/arb_below_threshold/);
    expect(JSON.stringify(refused)).toMatch(/arb_stale_book/);
  });

  it('when a file has arb rows but the scenario no arbitrage block then they are refused, not executed', async () => {
    const dir = tmpDir('tf-arbsig-none-');
    const files = synthData(dir);
    const signals = file(dir, [`${T0 + 5_500},,BTC/USDT,arb,0.01,take,,binance,upbit,BTC/KRW`]);
    const sc = synthScenario(dir, files, { signals, top: { arbitrage: undefined } });
    const { backtestCommand } = await import('../../src/engine/backtest-command.ts');
    const { quietIO } = await import('../engine/helpers.ts');
    const out = path.join(dir, 'out');
    const { result } = await backtestCommand(sc, { out }, quietIO());
    expect(result.refused).toEqual([expect.objectContaining({ signalId: 'take', rule: 'no_arbitrage' })]);
    expect(result.orderCounts.size).toBe(0);
  });
});
