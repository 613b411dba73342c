import { describe, expect, it } from 'vitest';
import { formatConsoleSummary, MAX_CONSOLE_LINES } from '../../src/reports/console-summary.ts';
import { computeSummary, type Summary } from '../../src/reports/summary.ts';
import { handRun, recordsRun } from './fixtures.ts';

const lines = (text: string) => text.trimEnd().split('\n');

describe('formatConsoleSummary', () => {
  it('shows return, drawdown, ratios, fills, fees, orders, balances, refusals and the report folder', async () => {
    const text = formatConsoleSummary(await computeSummary(handRun()), { outDir: 'reports/run-hand' });
    expect(text).toContain('return +50.00%');
    expect(text).toContain('30.00%'); // max drawdown
    expect(text).toMatch(/sharpe -?\d+\.\d\d/);
    expect(text).toContain('fills     7');
    expect(text).toContain('BNB 0.0079  KRW 5550  USDT 39.9');
    expect(text).toContain('10: filled 7  canceled 1  rejected 1  unknown 1');
    expect(text).toMatch(/upbit\s+BTC 0 {2}KRW 10094450/); // 1 atto shown to 8 decimals
    expect(text).toContain('3  (max_position 2, risk_score 1)');
    expect(text).toContain('first: data/signals.csv:17');
    expect(text).toContain('halted — daily loss limit');
    expect(lines(text).at(-1)).toBe('reports   reports/run-hand');
    expect(lines(text).length).toBeLessThanOrEqual(MAX_CONSOLE_LINES);
  });

  it('when there are many venues and warnings then it still fits on one screen', async () => {
    const base = await computeSummary(handRun());
    const balances = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`venue${i}`, { USDT: '1' }]));
    const s: Summary = {
      ...base,
      balances,
      warnings: Array.from({ length: 50 }, (_, i) => `warning ${i}\nwith a second line`),
      scenario: 'a\nb',
    };
    const out = lines(formatConsoleSummary(s, { outDir: 'x', width: 80 }));
    expect(out.length).toBeLessThanOrEqual(MAX_CONSOLE_LINES);
    expect(out.every((l) => l.length <= 80)).toBe(true);
    expect(out.join('\n')).toContain('… and 34 more venues');
  });

  it('when statistics are missing then prints n/a rather than NaN', async () => {
    const s = await computeSummary(handRun({ ...recordsRun([], []), exposure: null }));
    const text = formatConsoleSummary({ ...s, sharpe: null, sortino: null });
    expect(text).toContain('sharpe n/a');
    expect(text).toContain('win rate n/a');
    expect(text).not.toContain('NaN');
  });
});
