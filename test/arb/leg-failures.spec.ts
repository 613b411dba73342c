/**
 * Leg failures (issue 6, RELIABILITY rule 10): backtests of one arbitrage (buy Binance BTC/USDT, sell
 * Upbit BTC/KRW) with a fault injected on ONE venue's leg — the scenario's `faults:` entries scoped
 * with `venue: upbit` — checked three ways: the arbitrage report (outcome, residual, drift), every
 * submit tradeflow made (recorded outside the fault injector: a timed-out leg must be submitted
 * exactly once), and failures.json's invariants against the simulated venues' own orders and balances
 * (no lost order, no duplicated order, ledger = venue).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runArb, submitRecorder, synthData, synthScenario, tmpDir, type ArbRun } from './exec-helpers.ts';

const dir = tmpDir('tf-arb-legs-');
let files: ReturnType<typeof synthData>;
beforeAll(() => {
  files = synthData(dir);
});

async function run(fault: Record<string, unknown> | undefined, arbitrage: Record<string, unknown> = {}) {
  const rec = submitRecorder();
  const r = await runArb(synthScenario(dir, files, { arbitrage, ...(fault ? { faults: [{ venue: 'upbit', order: 1, ...fault }] } : {}) }), rec.hooks);
  return { ...r, submits: rec.submits };
}

function expectClean(r: ArbRun): void {
  expect(r.failures?.invariants, 'no lost or duplicated order, ledger = venue').toMatchObject({ lostOrders: 0, duplicatedOrders: 0, positionDivergence: 0, balanceDivergence: 0 });
  expect(r.failures?.ok).toBe(true);
  // P&L per venue sums to the total.
  const sum = Object.values(r.arb.pnl.byVenue).reduce((a, b) => a + b, 0);
  expect(sum).toBeCloseTo(r.arb.pnl.total, 4);
}

const drift = (r: ArbRun, venue: string, asset: string) => Number(r.arb.inventory.drift[venue]?.[asset] ?? 0);

describe('arbitrage leg failures, injected on one venue', () => {
  it('when no fault strikes then both legs fill and the realized edge is the expected one', async () => {
    const r = await run(undefined);
    expect(r.arb.trades).toHaveLength(1);
    const t = r.arb.trades[0]!;
    expect(t.outcome).toBe('complete');
    expect(t.realized.netBps).toBeCloseTo(t.expected.netBps, 6);
    // 100 bps gross at 1,400 KRW/USDT, less 0.10% + 0.05% taker fees.
    expect(t.expected.netBps).toBeCloseTo(84.95, 2);
    expect(r.arb.pnl.total).toBeCloseTo((84.95 / 1e4) * 0.02 * 100_000, 2);
    expect(drift(r, 'binance', 'BTC')).toBe(0.02);
    expect(drift(r, 'upbit', 'BTC')).toBe(-0.02);
    expect(r.arb.inventory.transfers).toEqual([{ asset: 'BTC', from: 'binance', to: 'upbit', amount: '0.02' }]);
  });

  it('when a leg-failure fault names Upbit then that leg fails, is never resent, and the arbitrage is hedged; failures.json says so', async () => {
    const r = await run({ kind: 'leg-failure' });
    expect(r.arb.trades[0]!.outcome).toBe('hedged');
    const upbit = r.submits.filter((s) => s.venue === 'upbit');
    expect(upbit.map((s) => s.signalId)).toEqual(['arb-1:sell', 'arb-1:hedge-1']);
    const f = r.failures!.faults.find((x) => x.kind === 'leg-failure')!;
    expect(f.detected).toMatch(/arbitrage leg on upbit rejected/);
    expectClean(r);
  });

  it('when the Upbit leg is rejected then the sell is hedged on Upbit under a new client id, once', async () => {
    const r = await run({ kind: 'reject' });
    const t = r.arb.trades[0]!;
    expect(t.outcome).toBe('hedged');
    expect(t.orders.map((o) => [o.role, o.venue, o.status])).toEqual([
      ['buy', 'binance', 'filled'],
      ['sell', 'upbit', 'failed'],
      ['hedge', 'upbit', 'filled'],
    ]);
    const upbit = r.submits.filter((s) => s.venue === 'upbit');
    expect(upbit.map((s) => s.signalId)).toEqual(['arb-1:sell', 'arb-1:hedge-1']);
    expect(new Set(upbit.map((s) => s.clientId)).size).toBe(2);
    expect(r.arb.residual.byAsset).toEqual({});
    expect(drift(r, 'binance', 'BTC') + drift(r, 'upbit', 'BTC'), 'no net exposure').toBeCloseTo(0, 12);
    expectClean(r);
  });

  it('when the Upbit leg is rejected under policy unwind then the Binance buy is sold back', async () => {
    const r = await run({ kind: 'reject' }, { policy: 'unwind' });
    const t = r.arb.trades[0]!;
    expect(t.outcome).toBe('unwound');
    expect(t.orders.at(-1)).toMatchObject({ role: 'unwind', venue: 'binance', side: 'sell', status: 'filled', filled: 0.02 });
    expect(drift(r, 'binance', 'BTC')).toBe(0);
    expect(drift(r, 'upbit', 'BTC')).toBe(0);
    // The round trip on Binance costs the spread and two fees: a loss, reported per venue.
    expect(r.arb.pnl.byVenue.binance).toBeLessThan(0);
    expectClean(r);
  });

  it('when the Upbit leg is rejected under policy report then the residual is left and reported', async () => {
    const r = await run({ kind: 'reject' }, { policy: 'report' });
    expect(r.arb.trades[0]!.outcome).toBe('reported');
    expect(r.arb.residual.byAsset).toEqual({ BTC: 0.02 });
    expect(r.arb.residual.items[0]).toMatchObject({ id: 'arb-1', venue: 'binance', quantity: 0.02 });
    expect(drift(r, 'binance', 'BTC'), 'the residual is the drift').toBe(0.02);
    expect(r.submits.filter((s) => s.venue === 'upbit')).toHaveLength(1);
    expectClean(r);
  });

  it('when the Upbit leg times out after the venue took it then it is looked up, found filled, and never resent', async () => {
    const r = await run({ kind: 'timeout-after-accept' });
    const t = r.arb.trades[0]!;
    expect(t.outcome, 'the leg did fill: nothing to correct').toBe('complete');
    const sell = t.orders.find((o) => o.role === 'sell')!;
    expect(sell).toMatchObject({ status: 'filled', filled: 0.02, resolution: 'lookup' });
    // Exactly one submit for the leg, exactly one order at the venue.
    expect(r.submits.filter((s) => s.venue === 'upbit').map((s) => s.signalId)).toEqual(['arb-1:sell']);
    expect(r.orders.filter((o) => o.venue === 'upbit')).toHaveLength(1);
    expect(r.failures!.faults[0]).toMatchObject({ kind: 'timeout-after-accept', venue: 'upbit' });
    expect(r.arb.residual.byAsset).toEqual({});
    expectClean(r);
  });

  it('when the Upbit leg times out before the venue took it then it is proven absent first, then hedged with a new client id', async () => {
    const r = await run({ kind: 'timeout-before-accept' });
    const t = r.arb.trades[0]!;
    expect(t.outcome).toBe('hedged');
    const sell = t.orders.find((o) => o.role === 'sell')!;
    expect(sell).toMatchObject({ status: 'failed', resolution: 'local' });
    const [leg, hedge] = r.orders.filter((o) => o.venue === 'upbit');
    expect(leg!.status).toBe('rejected');
    // The hedge went out only once the leg was settled (the resolver's lookups take seconds).
    expect(Date.parse(hedge!.created_ts!)).toBeGreaterThanOrEqual(Date.parse(leg!.updated_ts!));
    expect(Date.parse(leg!.updated_ts!) - Date.parse(leg!.created_ts!)).toBeGreaterThanOrEqual(5000);
    expect(hedge!.client_id).not.toBe(leg!.client_id);
    expect(r.submits.filter((s) => s.signalId === 'arb-1:sell')).toHaveLength(1);
    expectClean(r);
  });

  it('when the Upbit leg fills half and the venue cancels the rest then only the missing half is hedged', async () => {
    const r = await run({ kind: 'partial-then-cancel', fill: 0.5 });
    const t = r.arb.trades[0]!;
    expect(t.outcome).toBe('hedged');
    expect(t.orders.map((o) => [o.role, o.status, o.filled])).toEqual([
      ['buy', 'filled', 0.02],
      ['sell', 'partial', 0.01],
      ['hedge', 'filled', 0.01],
    ]);
    expect(drift(r, 'upbit', 'BTC')).toBe(-0.02);
    expect(r.arb.residual.byAsset).toEqual({});
    // The hedge met the same book: the arbitrage earned what was expected.
    expect(t.pnl).toBeCloseTo(r.arb.pnl.total, 6);
    expect(r.arb.pnl.total).toBeCloseTo((84.95 / 1e4) * 0.02 * 100_000, 2);
    expectClean(r);
  });

  it('when the Upbit leg fills half under policy report then the unsold half is the residual on Binance', async () => {
    const r = await run({ kind: 'partial-then-cancel', fill: 0.5 }, { policy: 'report' });
    expect(r.arb.residual.items).toEqual([expect.objectContaining({ asset: 'BTC', quantity: 0.01, venue: 'binance' })]);
    expect(drift(r, 'binance', 'BTC') + drift(r, 'upbit', 'BTC')).toBeCloseTo(0.01, 12);
    expectClean(r);
  });

  it('when sequential then the less liquid leg goes first and the other only after it filled', async () => {
    for (const [upbitLevelSize, firstVenue] of [
      [0.03, 'upbit'],
      [0.08, 'binance'],
    ] as const) {
      const books = synthData(tmpDir('tf-arb-seq-'), { levelSize: 0.05, upbitLevelSize });
      const rec = submitRecorder();
      const r = await runArb(synthScenario(dir, books, { arbitrage: { sequential: true } }), rec.hooks);
      expect(r.arb.trades[0]!.outcome).toBe('complete');
      expect(rec.submits.map((s) => s.venue), `Upbit levels of ${upbitLevelSize} BTC`).toEqual([firstVenue, firstVenue === 'upbit' ? 'binance' : 'upbit']);
      const [first, second] = [...r.orders].sort((a, b) => Date.parse(a.created_ts!) - Date.parse(b.created_ts!));
      expect(first!.venue).toBe(firstVenue);
      expect(Date.parse(second!.created_ts!), 'the second leg waited for the first fill').toBeGreaterThanOrEqual(Date.parse(first!.updated_ts!));
      expect(Date.parse(second!.created_ts!)).toBeGreaterThan(Date.parse(first!.created_ts!));
    }
  });
});
