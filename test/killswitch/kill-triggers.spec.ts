import { describe, expect, it } from 'vitest';
import { KillSwitch, type TradingStateChange } from '../../src/domain/kill-switch.ts';
import { KillTriggers, relativeDifference } from '../../src/domain/kill-triggers.ts';
import { parseAtto } from '../../src/domain/money.ts';
import type { RiskLimits } from '../../src/domain/risk-limits.ts';

const T0 = Date.UTC(2025, 0, 1, 9, 0, 0);
const MIN = 60_000;
const DAY = 86_400_000;

function setup(limits: RiskLimits) {
  const ks = new KillSwitch();
  return { ks, tr: new KillTriggers(limits, ks) };
}

describe('kill switch', () => {
  it('when it changes then listeners hear it after history has it, and an unsubscribed one does not', () => {
    const ks = new KillSwitch();
    const heard: Array<[TradingStateChange, number]> = [];
    const off = ks.onChange((c) => heard.push([c, ks.history.length]));
    ks.trip('reducing', 'r', 1);
    ks.trip('reducing', 'again', 2); // same severity: ignored
    off();
    ks.trip('halted', 'h', 3);
    expect(heard.map(([c, n]) => [c.from, c.to, c.reason, n])).toEqual([['active', 'reducing', 'r', 1]]);
    expect(ks.history.map((c) => c.to)).toEqual(['reducing', 'halted']);
  });

  it('when a listener throws then the change stands and the error reaches the caller', () => {
    const ks = new KillSwitch();
    ks.onChange(() => {
      throw new Error('journal down');
    });
    expect(() => ks.trip('halted', 'x', 1)).toThrow(/journal down/);
    expect(ks.state).toBe('halted');
  });

  it('when a person sets reducing while halted then it is a partial release, recorded; trips never relax it', () => {
    const ks = new KillSwitch();
    ks.trip('halted', 'auto', 1);
    expect(ks.trip('reducing', 'auto milder', 2)).toBe(false);
    expect(ks.set('reducing', 'person', 3)).toBe(true);
    expect(ks.state).toBe('reducing');
    expect(ks.history.map((c) => `${c.from}>${c.to}`)).toEqual(['active>halted', 'halted>reducing']);
  });
});

describe('kill triggers', () => {
  it('when drawdown is just under the limit then no trip; just over then halted with rule, figure and limit', () => {
    const { ks, tr } = setup({ maxDrawdown: 0.1 });
    tr.onEquity(T0, 1000);
    tr.onEquity(T0 + MIN, 900.5); // 9.95%
    expect(ks.state).toBe('active');
    tr.onEquity(T0 + 2 * MIN, 899); // 10.10%
    expect(ks.state).toBe('halted');
    expect(ks.history[0]!.reason).toBe('max_drawdown: drawdown 10.10% exceeded the limit 10.00%');
    expect(ks.history[0]!.ts).toBe(T0 + 2 * MIN);
  });

  it('when the daily loss is just under the limit then no trip; over then halted naming the day start', () => {
    const { ks, tr } = setup({ maxDailyLoss: 0.05 });
    tr.onEquity(T0, 1000);
    tr.onEquity(T0 + MIN, 1100); // a gain: the day's start stays 1000
    tr.onEquity(T0 + 2 * MIN, 950.5); // 4.95% below the day's first equity
    expect(ks.state).toBe('active');
    tr.onEquity(T0 + 3 * MIN, 949); // 5.10%
    expect(ks.state).toBe('halted');
    expect(ks.history[0]!.reason).toBe(
      'max_daily_loss: loss 5.10% since 2025-01-01T09:00:00.000Z (equity 1000 → 949) exceeded the limit 5.00%',
    );
  });

  it('when a new UTC day starts then the daily loss is measured from its first equity', () => {
    const { ks, tr } = setup({ maxDailyLoss: 0.05 });
    tr.onEquity(T0, 1000);
    tr.onEquity(T0 + MIN, 960); // day 1: 4%
    const day2 = Date.UTC(2025, 0, 2, 0, 0, 30);
    tr.onEquity(day2, 960); // day 2 starts at 960
    tr.onEquity(day2 + MIN, 915); // 4.69% of 960 (8.5% of 1000): no trip
    expect(ks.state, 'yesterday’s loss does not count today').toBe('active');
    tr.onEquity(day2 + 2 * MIN, 911); // 5.10% of 960
    expect(ks.state).toBe('halted');
    expect(ks.history[0]!.reason).toMatch(/^max_daily_loss: loss 5\.10% since 2025-01-02T00:00:30\.000Z/);
  });

  it('when exactly max_errors errors fall in the window then no trip; one more then halted', () => {
    const { ks, tr } = setup({ maxErrors: 3, errorWindowMs: 60_000 });
    expect(tr.noteError(T0, 'e1')).toBe(false);
    expect(tr.noteError(T0 + 10_000, 'e2')).toBe(false);
    expect(tr.noteError(T0 + 20_000, 'e3')).toBe(false);
    expect(ks.state).toBe('active');
    expect(tr.noteError(T0 + 59_999, 'OrderRejected binance BTC/USDT c4')).toBe(true);
    expect(ks.state).toBe('halted');
    expect(ks.history[0]!.reason).toBe('max_errors: 4 errors within 60000 ms exceeded the limit 3 (last: OrderRejected binance BTC/USDT c4)');
  });

  it('when the oldest of max_errors + 1 errors is a full window back then no trip', () => {
    const { ks, tr } = setup({ maxErrors: 2 });
    tr.noteError(T0, 'a');
    tr.noteError(T0 + 30_000, 'b');
    tr.noteError(T0 + 60_000, 'c'); // a is 60 s back: outside the default 60 s window
    expect(ks.state).toBe('active');
    tr.noteError(T0 + 61_000, 'd'); // b, c, d within 31 s
    expect(ks.state).toBe('halted');
  });

  it('when max_errors is not configured then errors are ignored', () => {
    const { ks, tr } = setup({});
    for (let i = 0; i < 100; i++) expect(tr.noteError(T0 + i, 'e')).toBe(false);
    expect(ks.state).toBe('active');
  });

  it('when divergence is at the limit then no trip; above then reducing by default, halted when configured', () => {
    const { ks, tr } = setup({ maxDivergence: 0.001 });
    expect(tr.noteDivergence(T0, { venue: 'binance', asset: 'USDT', ledger: '1000', venueAmount: '999', relative: 0.001 })).toBe(false);
    const rel = relativeDifference(1000, 998.9);
    expect(tr.noteDivergence(T0 + 1, { venue: 'binance', asset: 'USDT', ledger: parseAtto('1000'), venueAmount: parseAtto('998.9'), relative: rel })).toBe(true);
    expect(ks.state).toBe('reducing');
    expect(ks.history[0]!.reason).toBe('max_divergence: binance USDT ledger 1000 vs venue 998.9 differ by 0.11%, above the limit 0.10%');

    const h = setup({ maxDivergence: 0.001, divergenceAction: 'halted' });
    h.tr.noteDivergence(T0, { venue: 'upbit', asset: 'KRW', ledger: 100, venueAmount: 0, relative: 1 });
    expect(h.ks.state).toBe('halted');
  });

  it('when a person resumes after a drawdown halt then the trigger re-arms from the next sample instead of tripping again', () => {
    const { ks, tr } = setup({ maxDrawdown: 0.1, maxDailyLoss: 0.2, maxErrors: 0 });
    tr.onEquity(T0, 1000);
    tr.onEquity(T0 + MIN, 850);
    expect(ks.state).toBe('halted');
    ks.reset('person', T0 + 2 * MIN);
    tr.onEquity(T0 + 3 * MIN, 850);
    expect(ks.state, 'the accepted loss does not trip again').toBe('active');
    tr.onEquity(T0 + 4 * MIN, 760); // 10.6% below the new peak 850
    expect(ks.state).toBe('halted');
    expect(ks.history.at(-1)!.reason).toMatch(/^max_drawdown: drawdown 10\.59%/);
  });

  it('when equity samples come but the switch is already halted then nothing more is recorded', () => {
    const { ks, tr } = setup({ maxDrawdown: 0.01 });
    tr.onEquity(T0, 1000);
    for (let i = 1; i < 50; i++) tr.onEquity(T0 + i * MIN, 1000 - 10 * i);
    expect(ks.history.length).toBe(1);
    expect(tr.drawdown).toBeCloseTo(0.49, 10);
  });

  it('relative difference is symmetric and 0 for two zeros', () => {
    expect(relativeDifference(0, 0)).toBe(0);
    expect(relativeDifference(100, 99)).toBeCloseTo(0.01, 12);
    expect(relativeDifference(99, 100)).toBeCloseTo(0.01, 12);
    expect(relativeDifference(5, 0)).toBe(1);
  });
});
