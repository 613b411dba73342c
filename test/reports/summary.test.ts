import { describe, expect, it } from 'vitest';
import { OrderStatuses } from '../../src/domain/types.ts';
import { buildSummary, computeSummary, summaryJson } from '../../src/reports/summary.ts';
import { normalize, roundSignificant, stableStringify } from '../../src/reports/stable-json.ts';
import { handRun, recordsRun, series } from './fixtures.ts';

describe('summary', () => {
  it('over the hand run holds the hand-computed headline figures', async () => {
    const s = await computeSummary(handRun());
    expect(s).toMatchObject({
      quote_currency: 'USDT',
      initial_equity: 100,
      final_equity: 150,
      total_return: 0.5,
      max_drawdown_peak: '2024-01-01T00:03:00.000Z',
      max_drawdown_trough: '2024-01-01T00:05:00.000Z',
      win_rate: 0.5,
      profit_factor: 0.5,
      profit_factor_by_quote: { USDT: 0.5, KRW: null },
      fees_paid: { USDT: '39.9', BNB: '0.0079', KRW: '5550' },
      turnover: { USDT: '47800', KRW: '11100000' },
      fills: 7,
      start: '2024-01-01T00:00:00.000Z',
      end: '2024-01-01T00:08:00.000Z',
      events_processed: 1234,
      equity_samples: 9,
    });
    expect(s.max_drawdown).toBeCloseTo(0.3, 12);
    expect(s.exposure).toBeCloseTo(6 / 9, 12);
    expect(s.sharpe).not.toBeNull();
  });

  it('lists every order status, with 0 for those no order ended in', async () => {
    const s = await computeSummary(handRun());
    expect(Object.keys(s.orders).sort()).toEqual([...OrderStatuses].sort());
    expect(s.orders).toMatchObject({ filled: 7, canceled: 1, rejected: 1, unknown: 1, open: 0, new: 0 });
  });

  it('takes exposure as the engine measured it', async () => {
    expect((await computeSummary(handRun({ exposure: 0.25 }))).exposure).toBe(0.25);
  });

  it('writes balances exactly, down to one atto', async () => {
    const s = await computeSummary(handRun());
    expect(s.balances).toEqual({
      binance: { USDT: '99746.1', BNB: '0.9921', BTC: '0' },
      upbit: { KRW: '10094450', BTC: '0.000000000000000001' },
    });
  });

  it('counts refused signals by rule and lists bad rows with file, line and reason', async () => {
    const s = await computeSummary(handRun());
    expect(s.refused_signals).toEqual({ count: 3, by_rule: { max_position: 2, risk_score: 1 } });
    expect(s.bad_rows.count).toBe(2);
    expect(s.bad_rows.rows[0]).toMatchObject({ file: 'data/signals.csv', line: 17, rule: 'parse' });
    expect(s.risk_state).toEqual({ state: 'halted', reason: 'daily loss limit', ts: '2024-01-01T00:07:00.000Z' });
  });

  it('when there are more bad rows than the cap then lists the cap and counts them all', () => {
    const bad = Array.from({ length: 5 }, (_, i) => ({ file: 'f.csv', line: i + 1, reason: 'x', rule: 'parse' }));
    const s = buildSummary(handRun({ badRows: bad }), { perVenue: {}, perSymbol: {} }, { maxBadRowsListed: 2 });
    expect(s.bad_rows.count).toBe(5);
    expect(s.bad_rows.rows).toHaveLength(2);
  });

  it('when the run has no fills and one equity sample then statistics are null, not NaN', async () => {
    const s = await computeSummary(handRun({ ...recordsRun([], []), exposure: null, equity: series([100]) }));
    expect(s).toMatchObject({ sharpe: null, sortino: null, win_rate: null, profit_factor: null, max_drawdown: 0, exposure: null, fills: 0 });
    expect(s).toMatchObject({ fees_paid: {}, turnover: {}, profit_factor_by_quote: {} });
    expect(Object.values(s.orders).every((n) => n === 0)).toBe(true);
    expect(s.per_venue).toEqual({});
    expect(() => summaryJson(s)).not.toThrow();
  });

  it('summaryJson has sorted keys, ends with a newline and parses back', async () => {
    const text = summaryJson(await computeSummary(handRun()));
    expect(text.endsWith('}\n')).toBe(true);
    const keys = Object.keys(JSON.parse(text) as object);
    expect(keys).toEqual([...keys].sort());
  });

  it('when a start time is not a date then the summary names the field', () => {
    expect(() => buildSummary(handRun({ startTs: Number.NaN }), { perVenue: {}, perSymbol: {} })).toThrow(/startTs/);
  });
});

describe('stableStringify', () => {
  it('sorts keys at every depth', () => {
    expect(stableStringify({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 2 } })).toBe(
      stableStringify({ a: { c: 2, d: [{ y: 2, z: 1 }] }, b: 1 }),
    );
  });

  it('rounds non-integers to significant digits and leaves integers exact', () => {
    expect(roundSignificant(0.1 + 0.2)).toBe(0.3);
    expect(roundSignificant(1704067200000)).toBe(1704067200000);
    expect(roundSignificant(-0)).toBe(0);
    expect(roundSignificant(1.23456789, 3)).toBe(1.23);
  });

  it('when a value is NaN, Infinity, bigint or a Map then throws naming its path', () => {
    expect(() => stableStringify({ a: { b: [1, Number.NaN] } })).toThrow('$.a.b[1]');
    expect(() => stableStringify({ x: Infinity })).toThrow('$.x');
    expect(() => stableStringify({ x: 1n })).toThrow('bigint');
    expect(() => stableStringify({ x: new Map() })).toThrow('Map');
  });

  it('omits undefined properties like JSON.stringify', () => {
    expect(normalize({ a: undefined, b: null }, 12, '$')).toEqual({ b: null });
  });
});
