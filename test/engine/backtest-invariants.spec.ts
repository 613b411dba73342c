import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatAtto, parseAtto } from '../../src/domain/money.ts';
import { REPO, readCsv, readJson, runBacktestCli, tmpDir } from './helpers.ts';

const scenario = path.join(REPO, 'scenarios/quickstart.yaml');

describe('backtest on the bundled sample (quickstart)', () => {
  it('when the run completes then every balance = initial + signed fills − fees, exactly', async () => {
    const out = path.join(tmpDir(), 'run');
    await runBacktestCli(scenario, { out });
    const summary = readJson(path.join(out, 'summary.json'));
    const trades = readCsv(path.join(out, 'trades.csv'));
    expect(trades.length, 'the sample strategy trades').toBeGreaterThan(20);
    const expected = new Map<string, bigint>([
      ['USDT', parseAtto('10000')],
      ['BTC', parseAtto('0.05')],
      ['ETH', parseAtto('1')],
    ]);
    const add = (a: string, v: bigint) => expected.set(a, (expected.get(a) ?? 0n) + v);
    for (const t of trades) {
      const [base, quote] = t.symbol!.split('/') as [string, string];
      const s = t.side === 'buy' ? 1n : -1n;
      // Notional column must be exactly price × quantity.
      expect(parseAtto(t.notional!)).toBe((parseAtto(t.price!) * parseAtto(t.quantity!)) / 10n ** 18n);
      add(base, s * parseAtto(t.quantity!));
      add(quote, -s * parseAtto(t.notional!));
      add(t.fee_asset!, -parseAtto(t.fee!));
    }
    for (const [asset, amount] of expected) expect(summary.balances.binance[asset], asset).toBe(formatAtto(amount));
    expect(summary.fills).toBe(trades.length);
    const fees = trades.reduce((s, t) => s + parseAtto(t.fee!), 0n);
    expect(summary.fees_paid.USDT).toBe(formatAtto(fees));
  });

  it('when equity is written then its last row is final_equity and its first initial_equity', async () => {
    const out = path.join(tmpDir(), 'run');
    await runBacktestCli(scenario, { out });
    const summary = readJson(path.join(out, 'summary.json'));
    const equity = readCsv(path.join(out, 'equity.csv'));
    expect(Number(equity[equity.length - 1]!.equity)).toBe(summary.final_equity);
    expect(Number(equity[0]!.equity)).toBe(summary.initial_equity);
    expect(summary.total_return).toBeCloseTo(summary.final_equity / summary.initial_equity - 1, 9);
  });

  it('when orders are reported then counts by status match orders.csv and the risk refusal is listed', async () => {
    const out = path.join(tmpDir(), 'run');
    await runBacktestCli(scenario, { out });
    const summary = readJson(path.join(out, 'summary.json'));
    const orders = readCsv(path.join(out, 'orders.csv'));
    const counts: Record<string, number> = {};
    for (const o of orders) counts[o.status!] = (counts[o.status!] ?? 0) + 1;
    for (const [status, n] of Object.entries(summary.orders)) expect(counts[status] ?? 0, status).toBe(n);
    expect(summary.refused_signals.by_rule.signal_risk).toBe(1);
    // Every filled quantity in orders.csv equals the sum of its fills in trades.csv.
    const trades = readCsv(path.join(out, 'trades.csv'));
    const filled = new Map<string, bigint>();
    for (const t of trades) filled.set(t.client_id!, (filled.get(t.client_id!) ?? 0n) + parseAtto(t.quantity!));
    for (const o of orders) expect(formatAtto(filled.get(o.client_id!) ?? 0n), o.client_id).toBe(formatAtto(parseAtto(o.filled!)));
  });

  it('when the same run is made twice then every report but run.json is byte-identical', async () => {
    const a = path.join(tmpDir(), 'a');
    const b = path.join(tmpDir(), 'b');
    await runBacktestCli(scenario, { out: a });
    await runBacktestCli(scenario, { out: b });
    const files = readdirSync(a).filter((f) => f !== 'run.json').sort();
    expect(files).toEqual(['equity.csv', 'orders.csv', 'prices.csv', 'report.html', 'summary.json', 'trades.csv']);
    for (const f of files) expect(readFileSync(path.join(b, f)).equals(readFileSync(path.join(a, f))), f).toBe(true);
  });
});
