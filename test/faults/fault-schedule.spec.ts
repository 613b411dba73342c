import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { FAULT_DEFAULTS, FaultSchedule, type FaultEntry, type FaultKind, type FaultTrigger } from '../../src/faults/fault-schedule.ts';
import { planFromInputs } from '../../src/engine/backtest-command.ts';
import { REPO, quietIO, tmpDir } from '../engine/helpers.ts';

const entry = (index: number, kind: FaultKind, trigger: FaultTrigger, extra: Partial<FaultEntry> = {}): FaultEntry => ({
  index, kind, trigger, durationMs: 1000, retryAfterMs: 100, latencyMs: 50, fill: 0.5, gapPct: -5, pollMs: 1000, ...extra,
});
const req = (ts: number, venue = 'binance', symbol = 'BTC/USDT') => ({ venue, symbol, ts });

describe('FaultSchedule', () => {
  it('when an entry names the N-th order, then exactly that request is hit, counted per venue when a venue is named', () => {
    const s = new FaultSchedule({ seed: 1, compareWithout: false, entries: [entry(0, 'reject', { order: 2 }), entry(1, 'timeout-after-accept', { order: 2 }, { venue: 'upbit' })] });
    const hits = [req(1), req(2, 'upbit'), req(3), req(4, 'upbit'), req(5)].map((r) => s.onOrderRequest(r).fault?.kind);
    // Request 2 of the run is upbit's first; request 4 is upbit's second.
    expect(hits).toEqual([undefined, 'reject', undefined, 'timeout-after-accept', undefined]);
  });

  it('when probabilities are drawn, then the same seed hits the same requests, and an added order entry does not shift them', () => {
    const p = entry(0, 'reject', { probability: 0.3 });
    const run = (entries: FaultEntry[]) => {
      const s = new FaultSchedule({ seed: 9, compareWithout: false, entries });
      return Array.from({ length: 200 }, (_, i) => s.onOrderRequest(req(i)).fault?.index === 0);
    };
    const a = run([p]);
    expect(run([p])).toEqual(a);
    expect(run([entry(1, 'drop-event', { order: 5 }), { ...p, index: 0 }])).toEqual(a);
    const n = a.filter(Boolean).length;
    expect(n).toBeGreaterThan(40);
    expect(n).toBeLessThan(80);
  });

  it('when a window opens at a time, then it covers [at, at+duration) for its venue and symbol only', () => {
    const s = new FaultSchedule({ seed: 1, compareWithout: false, entries: [entry(0, 'stream-silence', { at: 1000 }, { symbol: 'BTC/USDT', durationMs: 500 })] });
    expect(s.activeWindows('stream-silence', 'binance', 'BTC/USDT', 999)).toHaveLength(0);
    expect(s.activeWindows('stream-silence', 'binance', 'BTC/USDT', 1000)).toHaveLength(1);
    expect(s.activeWindows('stream-silence', 'binance', 'BTC/USDT', 1499)).toHaveLength(1);
    expect(s.activeWindows('stream-silence', 'binance', 'BTC/USDT', 1500)).toHaveLength(0);
    expect(s.activeWindows('stream-silence', 'binance', 'ETH/USDT', 1200)).toHaveLength(0);
  });

  it('when a window fault names an order, then the window opens at that request', () => {
    const s = new FaultSchedule({ seed: 1, compareWithout: false, entries: [entry(0, 'rate-limit', { order: 2 }, { durationMs: 300 })] });
    expect(s.onOrderRequest(req(100)).opened).toHaveLength(0);
    const { opened, fault } = s.onOrderRequest(req(200));
    expect(fault).toBeUndefined();
    expect(opened.map((w) => [w.start, w.end])).toEqual([[200, 500]]);
    expect(s.activeWindows('rate-limit', 'binance', 'BTC/USDT', 499)).toHaveLength(1);
  });
});

describe('the faults: block of a scenario', () => {
  const scenario = (faults: unknown, market = path.join(REPO, 'data/sample/binance-btcusdt-1m.csv')) => {
    const f = path.join(tmpDir(), 'sc.json');
    writeFileSync(f, JSON.stringify({ signals: path.join(REPO, 'data/sample/signals.csv'), markets: [{ venue: 'binance', symbol: 'BTC/USDT', file: market }], venues: { binance: { balances: { USDT: 1000 } } }, faults }));
    return f;
  };

  it('when an entry is valid, then the plan carries it with its defaults filled in', () => {
    const plan = planFromInputs(scenario({ schedule: [{ kind: 'stream-silence', at: '2025-06-01T01:00:00Z' }, { kind: 'price-gap', at: 1748739600000, gap_pct: 4 }] }), {}, quietIO());
    expect(plan.faults!.entries[0]).toMatchObject({ kind: 'stream-silence', trigger: { at: Date.parse('2025-06-01T01:00:00Z') }, durationMs: FAULT_DEFAULTS.durationMs });
    expect(plan.faults!.entries[1]).toMatchObject({ kind: 'price-gap', gapPct: 4, durationMs: Infinity });
    expect(plan.faults!.seed).toBe(plan.seed);
  });

  it('when an entry gives two triggers, names an unknown kind or an untraded venue, then the error names the field', () => {
    expect(() => planFromInputs(scenario({ schedule: [{ kind: 'reject', order: 1, probability: 0.5 }] }), {}, quietIO())).toThrow(/faults\.schedule\.0.*exactly one of order, probability or at/s);
    expect(() => planFromInputs(scenario({ schedule: [{ kind: 'meteor', order: 1 }] }), {}, quietIO())).toThrow(/faults\.schedule\.0\.kind/);
    expect(() => planFromInputs(scenario({ schedule: [{ kind: 'reject', order: 1, venue: 'kraken' }] }), {}, quietIO())).toThrow(ConfigError);
    expect(() => planFromInputs(scenario({ schedule: [{ kind: 'reject', order: 1, venue: 'kraken' }] }), {}, quietIO())).toThrow(/faults\.schedule\.0\.venue/);
  });

  it('when a price gap is scheduled on L2 book data, then it is refused (a book cannot be shifted mid-stream)', () => {
    const dir = tmpDir();
    const book = path.join(dir, 'book.csv');
    writeFileSync(book, 'timestamp,type,side,price,quantity\n1748736000000,snapshot,bid,100,1\n1748736000000,snapshot,ask,101,1\n');
    expect(() => planFromInputs(scenario({ schedule: [{ kind: 'price-gap', at: 1748739600000, gap_pct: 4 }] }, book), {}, quietIO())).toThrow(/faults\.schedule\.0\.kind: a price gap applies to candle or trade data/);
  });
});
