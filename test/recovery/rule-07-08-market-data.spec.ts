/**
 * RELIABILITY rules 7 and 8 through `paper --live` against the emulator:
 *  7. when market data goes quiet (`stream-silence`) orders are still settled by REST polling, and an
 *     older snapshot of an order, arriving after a newer one, never undoes a fill;
 *  8. market data older than `risk.max_book_age_ms` is stale: no new order is sent on it.
 */
import type { Exchange } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fault, ruleFaults, type FaultAction, type FaultPlan, type RunningEmulator } from '../../src/emulator/index.ts';
import { ccxtFor } from '../emulator/helpers.ts';
import { KEY, SECRET, binanceEmulator, expectReconciled, runLive, signalFile, tmpDir } from './helpers.ts';
import { creates, journaledFilled, nthOrder, openJournal, recording, round8, sellInto, stillEmulator, trades, venueOrder, waitFor } from './rule-helpers.ts';

let emu: RunningEmulator;
afterEach(async () => emu?.close());

const ourOrder = () => waitFor('our order at the venue', () => emu.state.orders().find((o) => o.clientOrderId?.startsWith('tf')));

describe('rule 7: quiet market data does not stop order settlement; an older snapshot never undoes a newer fill', () => {
  beforeEach(async () => {
    emu = await stillEmulator();
  });

  it('when market data freezes (stream-silence) while a resting order fills, then polling still settles it: filled, with the venue fills and balances', async () => {
    const dir = tmpDir('tf-r7-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,limit,100000,q1']);
    const plan = recording(nthOrder({ 1: fault('stream-silence', { ms: 5000 }) }));
    const run$ = runLive(emu, { dir, signals, plan, extra: { live: { linger_ms: 6000 } } });
    const o = await ourOrder();
    sellInto(emu, 99_995, 0.01);
    const run = await run$;
    const silence = emu.state.faults().find((f) => f.kind === 'stream-silence' && f.trigger)!;
    expect(silence).toBeDefined();
    const settledAt = Date.parse(run.orders[0]!.updated_ts!);
    expect(settledAt, 'settled while market data was still frozen').toBeLessThan(silence.at + 5000);
    expect(run.orders[0]).toMatchObject({ client_id: o.clientOrderId, status: 'filled', filled: '0.01' });
    expectReconciled(emu, run);
  });

  it('when the venue serves an older snapshot of the order after a newer one (stale replica), then nothing is undone: status and fills only move forward', async () => {
    const dir = tmpDir('tf-r7-');
    const state = `${dir}/state`;
    const raw: Exchange = ccxtFor('binance', emu.url, { apiKey: KEY, secret: SECRET });
    await raw.loadMarkets();
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,limit,100000,q2']);
    let stale: FaultAction | undefined;
    let served = 0;
    const plan: FaultPlan = {
      decide: (req) => {
        if (req.kind !== 'order.query' || stale === undefined) return undefined;
        served++;
        return stale;
      },
    };
    const run$ = runLive(emu, { dir, signals, plan, state, extra: { live: { linger_ms: 8000 } } });
    const o = await ourOrder();
    const cid = o.clientOrderId!;
    // The venue's answer for the order as it is now: NEW, nothing filled.
    const before = (await raw.fetchOrder('', 'BTC/USDT', { clientOrderId: cid })).info as Record<string, unknown>;
    expect(before.status).toBe('NEW');
    sellInto(emu, 99_995, 0.004);
    sellInto(emu, 99_995, 0.003);
    await waitFor('0.007 journaled', () => journaledFilled(state, cid) >= 0.007, 5000);
    // Now every lookup of the order gets the old NEW snapshot for a while.
    stale = { type: 'error', status: 200, body: before };
    await waitFor('old snapshots served', () => served >= 5, 5000);
    stale = undefined;
    sellInto(emu, 99_995, 0.003);
    const run = await run$;

    expect(venueOrder(emu, cid)).toMatchObject({ status: 'filled', filled: '0.01' });
    expect(run.orders[0]).toMatchObject({ status: 'filled', filled: '0.01' });
    const rows = trades(run);
    expect(new Set(rows.map((t) => t.trade_id)).size).toBe(rows.length);
    expect(round8(rows.reduce((s, t) => s + Number(t.quantity), 0))).toBe(0.01);
    const journal = openJournal(state);
    try {
      const statuses = journal.transitions(cid).map((t) => t.status);
      const firstPartial = statuses.indexOf('partially_filled');
      expect(firstPartial).toBeGreaterThan(0);
      expect(statuses.slice(firstPartial), 'never back to open after a fill').not.toContain('open');
    } finally {
      journal.close();
    }
    expectReconciled(emu, run);
  });
});

describe('rule 8: stale market data blocks new orders', () => {
  beforeEach(async () => {
    emu = await binanceEmulator(28);
  });

  it('when the order book cannot be fetched for longer than max_book_age_ms, then a signal arriving then is refused (stale_book) and nothing is sent; once books are back, orders go again', async () => {
    const dir = tmpDir('tf-r8-');
    const signals = signalFile(dir, [
      '2025-01-01T00:00:00.000Z,binance,BTC/USDT,buy,0.001,market,,s1',
      '2025-01-01T00:00:00.700Z,binance,BTC/USDT,buy,0.001,market,,s2',
      '2025-01-01T00:00:01.700Z,binance,BTC/USDT,buy,0.001,market,,s3',
    ]);
    // From the first order on, market data requests fail for 1 s (an outage of the public endpoints).
    let outageFrom = 0;
    const down: FaultAction = { type: 'error', status: 503, body: { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' } };
    const plan = recording(
      ruleFaults([{ when: (r) => r.kind === 'market' && outageFrom > 0 && r.now < outageFrom + 1000, action: down }]),
      (req) => {
        if (req.kind === 'order.create' && outageFrom === 0) outageFrom = req.now;
      },
    );
    const run = await runLive(emu, { dir, signals, plan, extra: { live: { speed: 1 }, risk: { max_book_age_ms: 300 } } });
    expect(plan.log.some((r) => r.action === down), 'book fetches did fail').toBe(true);
    expect(run.summary.refused_signals.by_rule).toEqual({ stale_book: 1 });
    expect(run.log.some((l) => /refused s2: stale_book: market data for binance BTC\/USDT is \d+ ms old/.test(l))).toBe(true);
    expect(run.orders.map((o) => o.signal_id).sort()).toEqual(['s1', 's3']);
    expect(creates(plan.log), 'nothing sent for the stale signal').toHaveLength(2);
    expectReconciled(emu, run);
  });

  // A venue that keeps answering with the same book (stream-silence: same lastUpdateId and levels) is
  // not fresh data, however often it is fetched: a book's age runs from when its content last changed.
  it('when the venue keeps serving a frozen book (stream-silence), then the data is judged stale by its age and no new order goes out on it', async () => {
    const dir = tmpDir('tf-r8-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00.000Z,binance,BTC/USDT,buy,0.001,market,,z1', '2025-01-01T00:00:00.800Z,binance,BTC/USDT,buy,0.001,market,,z2']);
    const plan = recording(nthOrder({ 1: fault('stream-silence', { ms: 4000 }) }));
    const run = await runLive(emu, { dir, signals, plan, extra: { live: { speed: 1 }, risk: { max_book_age_ms: 300 } } });
    expect(run.summary.refused_signals.by_rule).toEqual({ stale_book: 1 });
    expect(creates(plan.log)).toHaveLength(1);
  });
});
