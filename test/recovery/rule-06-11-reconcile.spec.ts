/**
 * RELIABILITY rules 6 and 11 through `paper --live` against the emulator:
 *  6. before any signal is acted on (and then periodically) the venue's open orders with our client-id
 *     family that no journal knows are canceled or adopted per `live.reconcile.unknown_orders`, never
 *     ignored, and listed in reconciliation.json;
 * 11. a run stopped with an order left open is continued with `--resume RUN_ID` on the same journal:
 *     the order is taken back, looked up and followed to its end — not sent again, no fill counted
 *     twice, balances equal the venue's. (The kill -9 variant is tested separately.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Exchange } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { ccxtFor } from '../emulator/helpers.ts';
import { KEY, SECRET, expectReconciled, runLive, signalFile, tmpDir, venueOrders } from './helpers.ts';
import { creates, journaledFilled, journaledNow, nthClientId, openJournal, reconciliation, recording, sellInto, stillEmulator, trades, venueOrder, waitFor } from './rule-helpers.ts';

let emu: RunningEmulator;
let raw: Exchange;
beforeEach(async () => {
  emu = await stillEmulator();
  raw = ccxtFor('binance', emu.url, { apiKey: KEY, secret: SECRET });
  await raw.loadMarkets();
});
afterEach(async () => emu?.close());

/** An order with our family prefix, placed at the venue by someone else (a lost session, another host). */
const foreign = (clientOrderId: string, price = 90_000) => raw.createOrder('BTC/USDT', 'limit', 'buy', 0.003, price, { clientOrderId });

describe('rule 6: reconcile before acting, and periodically; our-prefix orders nobody knows are canceled or adopted', () => {
  it('when the venue holds an open order with our prefix that no journal knows (default policy), then it is canceled before the first signal is acted on, and reported', async () => {
    const orphan = await foreign('tfLOSTRUN-7');
    const dir = tmpDir('tf-r6-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,f1']);
    const plan = recording();
    const run = await runLive(emu, { dir, signals, plan });
    const v = venueOrder(emu, 'tfLOSTRUN-7')!;
    expect(v.status).toBe('canceled');
    expect(v.updatedAt, 'canceled before our first order went out').toBeLessThanOrEqual(creates(plan.log)[0]!.now);
    const rec = reconciliation(run);
    expect(rec.foreignOrders).toEqual([expect.objectContaining({ clientId: 'tfLOSTRUN-7', action: 'canceled', exchangeId: String(orphan.id) })]);
    // An order of someone else's family is none of our business.
    expect(run.orders.map((o) => o.client_id)).not.toContain('tfLOSTRUN-7');
    expectReconciled(emu, run);
  });

  it('when the policy is adopt, then the order is taken in as ours, followed to its fill, and reported', async () => {
    await foreign('tfLOSTRUN-8', 100_000);
    const dir = tmpDir('tf-r6-');
    const state = path.join(dir, 'state');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.002,market,,f2']);
    const run$ = runLive(emu, { dir, signals, state, extra: { reconcile: { unknown_orders: 'adopt' }, live: { linger_ms: 6000 } } });
    await waitFor('the adopted order journaled', () => journaledNow(state, 'tfLOSTRUN-8'), 8000);
    sellInto(emu, 99_995, 0.003); // it fills while the run follows it
    const run = await run$;
    expect(venueOrder(emu, 'tfLOSTRUN-8')).toMatchObject({ status: 'filled', filled: '0.003' });
    expect(run.orders.find((o) => o.client_id === 'tfLOSTRUN-8')).toMatchObject({ status: 'filled', filled: '0.003' });
    expect(trades(run).filter((t) => t.client_id === 'tfLOSTRUN-8').reduce((s, t) => s + Number(t.quantity), 0)).toBeCloseTo(0.003, 10);
    expect(reconciliation(run).foreignOrders).toEqual([expect.objectContaining({ clientId: 'tfLOSTRUN-8', action: 'adopted' })]);
    expectReconciled(emu, run);
  });

  it('when such an order appears while the run is going, then the periodic sweep finds and cancels it', async () => {
    const dir = tmpDir('tf-r6-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.002,limit,95000,f3']);
    const run$ = runLive(emu, { dir, signals, extra: { reconcile: { interval_ms: 300 }, live: { linger_ms: 1200 } } });
    await waitFor('our order at the venue', () => emu.state.orders().find((o) => o.clientOrderId?.startsWith('tf') && !o.clientOrderId.startsWith('tfLOST')));
    await foreign('tfLOSTRUN-9');
    const run = await run$;
    expect(venueOrder(emu, 'tfLOSTRUN-9')).toMatchObject({ status: 'canceled' });
    const rec = reconciliation(run);
    expect(rec.sweeps).toBeGreaterThanOrEqual(1);
    expect(rec.foreignOrders).toEqual([expect.objectContaining({ clientId: 'tfLOSTRUN-9', action: 'canceled' })]);
    expectReconciled(emu, run);
  });
});

describe('rule 11: a run stopped with orders open is continued on the same journal (--resume)', () => {
  it('when run 1 leaves a resting order open and it fills in part while no run watches, then run 2 (--resume) takes it back, follows it to its end, sends nothing twice and ends with the venue balances', async () => {
    const dir = tmpDir('tf-r11-');
    const state = path.join(dir, 'state');
    const row1 = '2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,limit,100000,k1';
    const run1 = await runLive(emu, { dir, signals: signalFile(dir, [row1]), state, extra: { live: { cancel_on_exit: false, linger_ms: 300 } } });
    const runId = (JSON.parse(readFileSync(path.join(run1.out, 'run.json'), 'utf8')) as { runId: string }).runId;
    const left = run1.orders[0]!;
    expect(left).toMatchObject({ status: 'open', signal_id: 'k1' });
    const cid = left.client_id!;
    expect(venueOrder(emu, cid)).toMatchObject({ status: 'open' });

    sellInto(emu, 99_995, 0.004); // fills in part between the runs

    // The rest fills just as run 2 asks the venue for its balances (after it learned the first part):
    // the balance counts a fill the run has not seen yet — it must not end up counted twice.
    let restFilledAt = 0;
    const plan = recording(undefined, (req) => {
      if (req.kind === 'account' && restFilledAt === 0 && journaledFilled(state, cid) >= 0.004) {
        sellInto(emu, 99_995, 0.006);
        restFilledAt = req.now;
      }
    });
    const signals2 = signalFile(dir, [row1, '2025-01-01T00:00:01Z,binance,BTC/USDT,buy,0.002,market,,k2']);
    const run2 = await runLive(emu, { dir, signals: signals2, state, plan, flags: { resume: runId }, extra: { live: { linger_ms: 8000 } } });
    expect(restFilledAt, 'the rest filled during run 2').toBeGreaterThan(0);

    expect(venueOrders(emu, (id) => id === cid), 'the order was not sent again').toHaveLength(1);
    expect(creates(plan.log).map((r) => r.clientId), 'k1 skipped; k2 continues the id sequence').toEqual([nthClientId(cid.slice(0, cid.lastIndexOf('-')), 2)]);
    expect(venueOrder(emu, cid)).toMatchObject({ status: 'filled', filled: '0.01' });
    expect(run2.orders.find((o) => o.client_id === cid)).toMatchObject({ status: 'filled', filled: '0.01' });
    const fills = trades(run2).filter((t) => t.client_id === cid);
    expect(new Set(fills.map((t) => t.trade_id)).size).toBe(fills.length);
    expect(fills.map((t) => Number(t.quantity)).sort()).toEqual([0.004, 0.006]);
    const rec = reconciliation(run2);
    expect(rec.journalOrders).toEqual([expect.objectContaining({ clientId: cid, journalStatus: 'open' })]);
    const journal = openJournal(state);
    try {
      expect(journal.fills(cid).map((f) => f.quantity).sort()).toEqual([0.004, 0.006]);
      expect(journal.openOrders().map((o) => o.clientId), 'nothing left open in the journal').toEqual([]);
    } finally {
      journal.close();
    }
    expectReconciled(emu, run2);
  });
});
