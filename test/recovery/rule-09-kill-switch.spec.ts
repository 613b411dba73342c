/**
 * RELIABILITY rule 9 through `paper --live` against the emulator: `halted` lets only cancels through,
 * `reducing` only orders that shrink the position; the switch trips by command (control rows) and on
 * the error rate (`risk.max_errors`) — and orders already out are still resolved and followed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fault, type RunningEmulator } from '../../src/emulator/index.ts';
import { binanceEmulator, expectReconciled, runLive, signalFile, tmpDir, venueOrders } from './helpers.ts';
import { creates, nthOrder, recording } from './rule-helpers.ts';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await binanceEmulator(29);
});
afterAll(async () => emu?.close());

describe('rule 9: the kill switch', () => {
  it('when a halt command arrives (control row), then later orders are refused (halted) while cancels still go: the resting order is canceled on exit', async () => {
    const dir = tmpDir('tf-r9-');
    const signals = signalFile(dir, [
      '2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.002,limit,50000,h1',
      '2025-01-01T00:00:01Z,,,halt,,,,h2',
      '2025-01-01T00:00:02Z,binance,BTC/USDT,buy,0.001,market,,h3',
    ]);
    const plan = recording();
    const run = await runLive(emu, { dir, signals, plan, extra: { live: { linger_ms: 300 } } });
    expect(run.summary.risk_state.state).toBe('halted');
    expect(run.summary.risk_state.reason).toMatch(/halt: control signal h2/);
    expect(run.summary.refused_signals.by_rule).toEqual({ halted: 1 });
    expect(run.orders.map((o) => o.signal_id)).toEqual(['h1']);
    expect(creates(plan.log), 'nothing new sent once halted').toHaveLength(1);
    const cancels = plan.log.filter((r) => r.kind === 'order.cancel');
    expect(cancels.length, 'the cancel went out while halted').toBeGreaterThanOrEqual(1);
    expect(run.orders[0]).toMatchObject({ status: 'canceled' });
    expectReconciled(emu, run);
  });

  it('when reducing (control row), then an order that grows the position is refused and one that shrinks it goes', async () => {
    const dir = tmpDir('tf-r9-');
    const signals = signalFile(dir, [
      '2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,d1',
      '2025-01-01T00:00:01Z,,,reduce,,,,d2',
      '2025-01-01T00:00:02Z,binance,BTC/USDT,buy,0.001,market,,d3',
      '2025-01-01T00:00:03Z,binance,BTC/USDT,sell,0.004,market,,d4',
    ]);
    const plan = recording();
    const run = await runLive(emu, { dir, signals, plan });
    expect(run.summary.risk_state.state).toBe('reducing');
    expect(run.summary.refused_signals.by_rule).toEqual({ reducing: 1 });
    expect(run.orders.map((o) => o.signal_id).sort()).toEqual(['d1', 'd4']);
    expect(run.orders.every((o) => o.status === 'filled')).toBe(true);
    expect(creates(plan.log)).toHaveLength(2);
    expectReconciled(emu, run);
  });

  it('when venue errors exceed max_errors, then trading halts: the next signal is refused, and the orders whose outcome was unknown are still resolved (adopted, not resent)', async () => {
    const dir = tmpDir('tf-r9-');
    const signals = signalFile(dir, [
      '2025-01-01T00:00:00.000Z,binance,BTC/USDT,buy,0.001,market,,x1',
      '2025-01-01T00:00:00.100Z,binance,BTC/USDT,buy,0.001,market,,x2',
      '2025-01-01T00:00:00.700Z,binance,BTC/USDT,buy,0.001,market,,x3',
    ]);
    const plan = recording(nthOrder({ 1: fault('unknown-status'), 2: fault('unknown-status') }));
    const run = await runLive(emu, { dir, signals, plan, extra: { live: { speed: 1 }, risk: { max_errors: 1, error_window_ms: 60_000 } } });
    expect(run.summary.risk_state.state).toBe('halted');
    expect(run.summary.risk_state.reason).toMatch(/^max_errors: 2 errors within 60000 ms exceeded the limit 1/);
    expect(run.summary.refused_signals.by_rule).toEqual({ halted: 1 });
    expect(creates(plan.log), 'the unknown ones were not resent, x3 never went').toHaveLength(2);
    const bySignal = new Map(run.orders.map((o) => [o.signal_id, o]));
    for (const id of ['x1', 'x2']) {
      expect(bySignal.get(id)).toMatchObject({ status: 'filled', resolution: 'lookup' });
      expect(venueOrders(emu, (cid) => cid === bySignal.get(id)!.client_id)).toHaveLength(1);
    }
    expect(bySignal.has('x3')).toBe(false);
    expectReconciled(emu, run);
  });
});
