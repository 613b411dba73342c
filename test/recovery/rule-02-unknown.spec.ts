/**
 * RELIABILITY rule 2 (and the "unknown" and "duplicate client id" rows of the error table), beyond the
 * cases in unknown-orders.spec.ts: a 5xx after the venue took the order, a lookup that lags the
 * create (OrderNotFound is not proof of absence), and a "Duplicate order sent." answer — each resolved
 * by looking the order up by client id, never by sending it again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fault, ruleFaults, type RunningEmulator } from '../../src/emulator/index.ts';
import { binanceEmulator, expectReconciled, runLive, signalFile, tmpDir, venueOrders } from './helpers.ts';
import { creates, nthOrder, recording } from './rule-helpers.ts';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await binanceEmulator(22);
});
afterAll(async () => emu?.close());

describe('rule 2: an unknown order is looked up by client id, never resent blindly', () => {
  it('when the venue takes the order but answers 502 (ExchangeNotAvailable), then the lookup adopts it: one order at the venue, resolved by lookup', async () => {
    const dir = tmpDir('tf-r2-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,e1']);
    const plan = recording(nthOrder({ 1: fault('error-5xx-after-accept', { status: 502 }) }));
    const run = await runLive(emu, { dir, signals, plan });
    expect(run.orders).toHaveLength(1);
    expect(run.orders[0]).toMatchObject({ status: 'filled', resolution: 'lookup' });
    expect(creates(plan.log), 'never resent').toHaveLength(1);
    expect(emu.state.faults().find((f) => f.kind === 'error-5xx-after-accept' && f.trigger)).toMatchObject({ executed: true });
    expect(venueOrders(emu, (id) => id === run.orders[0]!.client_id)).toHaveLength(1);
    expectReconciled(emu, run);
  });

  it('when the submit times out and the first lookups answer "Order does not exist" (venue lag), then the order is not given up: a later lookup finds and adopts it', async () => {
    const dir = tmpDir('tf-r2-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,lag1']);
    const notFound = { type: 'error' as const, status: 400, body: { code: -2013, msg: 'Order does not exist.' } };
    const plan = recording(
      ruleFaults([
        { when: (r) => r.kind === 'order.create', action: fault('timeout-after-accept'), times: 1 },
        // Two lookups lag (the scenario needs 3 "not found" over 600 ms to call it absent).
        { when: (r) => r.kind === 'order.query', action: notFound, times: 2 },
      ]),
    );
    const run = await runLive(emu, { dir, signals, plan });
    const queries = plan.log.filter((r) => r.kind === 'order.query');
    expect(queries.length, 'looked up again after "not found"').toBeGreaterThanOrEqual(3);
    // Backoff: the lookups are spread out, not fired back to back.
    expect(queries[1]!.now - queries[0]!.now).toBeGreaterThanOrEqual(200);
    expect(run.orders[0]).toMatchObject({ status: 'filled', resolution: 'lookup' });
    expect(creates(plan.log), 'never resent').toHaveLength(1);
    expect(venueOrders(emu, (id) => id === run.orders[0]!.client_id)).toHaveLength(1);
    expectReconciled(emu, run);
  });

  it('when the venue answers "Duplicate order sent." (-2010) to a create it executed, then the order is fetched by client id and adopted, not sent again', async () => {
    const dir = tmpDir('tf-r2-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,d1', '2025-01-01T00:00:01Z,binance,BTC/USDT,sell,0.002,limit,150000,d2']);
    const plan = recording(nthOrder({ 1: fault('duplicate-id'), 2: fault('duplicate-id') }));
    const run = await runLive(emu, { dir, signals, plan, extra: { live: { linger_ms: 300 } } });
    expect(emu.state.faults().filter((f) => f.kind === 'duplicate-id' && f.trigger && f.executed)).toHaveLength(2);
    expect(creates(plan.log), 'never resent').toHaveLength(2);
    expect(run.orders).toHaveLength(2);
    const byId = new Map(run.orders.map((o) => [o.signal_id, o]));
    expect(byId.get('d1')).toMatchObject({ status: 'filled' });
    expect(byId.get('d2')).toMatchObject({ status: 'canceled' }); // adopted while resting, canceled on exit
    for (const o of run.orders) expect(venueOrders(emu, (id) => id === o.client_id)).toHaveLength(1);
    expectReconciled(emu, run);
  });
});
