/**
 * RELIABILITY rules 3, 4 and 5 through `paper --live` against the emulator, on a book the test moves:
 *  3. a fill is applied once, keyed by the venue's trade id, whether trade listings repeat it
 *     (`repeat-event`) or leave it out for a while (`drop-event`: the cumulative quantity is turned
 *     into increments, never added whole);
 *  4. partial fill then cancel ends `canceled` with the filled part kept (`partial-then-cancel`);
 *  5. a cancel that times out is retried, and "no such order" on a cancel means canceled OR filled:
 *     the order is fetched to learn which.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fault, ruleFaults, type FaultAction, type RunningEmulator } from '../../src/emulator/index.ts';
import { expectReconciled, runLive, signalFile, tmpDir, type LiveRun } from './helpers.ts';
import { creates, journaledFilled, nthOrder, recording, round8, sellInto, stillEmulator, trades, venueOrder, waitFor } from './rule-helpers.ts';

let emu: RunningEmulator;
beforeEach(async () => {
  emu = await stillEmulator();
});
afterEach(async () => emu?.close());

/** Our only order at the venue, once it is there. */
const ourOrder = () => waitFor('our order at the venue', () => emu.state.orders().find((o) => o.clientOrderId?.startsWith('tf')));

/** trades.csv of the run: no trade id twice, and the quantities add up to the venue's filled. */
function expectFillsOnce(run: LiveRun, clientId: string): Record<string, string>[] {
  const rows = trades(run).filter((t) => t.client_id === clientId);
  const ids = rows.map((t) => t.trade_id);
  expect(new Set(ids).size, 'no trade applied twice').toBe(ids.length);
  const v = venueOrder(emu, clientId)!;
  expect(round8(rows.reduce((s, t) => s + Number(t.quantity), 0)), 'trades add up to the venue filled').toBe(Number(v.filled));
  return rows;
}

/** A resting buy 0.01 @ 100,000 that the test fills in two parts, waiting for tradeflow to see the first. */
async function fillInTwoParts(run: Promise<LiveRun>, state: string): Promise<{ run: LiveRun; clientId: string }> {
  const o = await ourOrder();
  sellInto(emu, 99_995, 0.004);
  await waitFor('the first part journaled', () => journaledFilled(state, o.clientOrderId!) >= 0.004, 8000);
  sellInto(emu, 99_995, 0.006);
  return { run: await run, clientId: o.clientOrderId! };
}

const resting = (id: string) => signalFile(tmpDir('tf-r3-sig-'), [`2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,limit,100000,${id}`]);

describe('rule 3: a fill is applied once, keyed by venue trade id', () => {
  it('when trade listings repeat every trade (repeat-event), then each is applied once: trades.csv has no duplicate id, filled and balances equal the venue', async () => {
    const dir = tmpDir('tf-r3-');
    const state = `${dir}/state`;
    const plan = nthOrder({ 1: fault('repeat-event', { lookups: 20 }) });
    const { run, clientId } = await fillInTwoParts(runLive(emu, { dir, signals: resting('rp1'), plan, state, extra: { live: { linger_ms: 8000 } } }), state);
    const altered = emu.state.faults().filter((f) => f.kind === 'repeat-event' && !f.trigger);
    expect(altered.length, 'tradeflow did read repeated listings').toBeGreaterThanOrEqual(1);
    expect(venueOrder(emu, clientId)).toMatchObject({ status: 'filled', trades: 2 });
    const rows = expectFillsOnce(run, clientId);
    expect(rows).toHaveLength(2);
    expect(run.orders[0]).toMatchObject({ status: 'filled', filled: '0.01' });
    expectReconciled(emu, run);
  });

  it('when a trade is left out of one listing (drop-event), then it is applied once when it shows up: no duplicate, filled equals the venue', async () => {
    const dir = tmpDir('tf-r3-');
    const state = `${dir}/state`;
    const plan = nthOrder({ 1: fault('drop-event', { lookups: 1 }) });
    const { run, clientId } = await fillInTwoParts(runLive(emu, { dir, signals: resting('dr1'), plan, state, extra: { live: { linger_ms: 8000 } } }), state);
    expect(emu.state.faults().filter((f) => f.kind === 'drop-event' && !f.trigger).length, 'a listing did leave the trade out').toBeGreaterThanOrEqual(1);
    expectFillsOnce(run, clientId);
    expect(run.orders[0]).toMatchObject({ status: 'filled', filled: '0.01' });
    expectReconciled(emu, run);
  });

  it('when the listings keep leaving the trades out (cumulative quantity only), then increments of the cumulative filled are applied, never the whole: 0.004 then 0.006', async () => {
    const { run, clientId } = await cumulativeOnly('dr2');
    const rows = expectFillsOnce(run, clientId);
    expect(rows.map((t) => Number(t.quantity))).toEqual([0.004, 0.006]);
    expect(rows.every((t) => t.trade_id!.includes('@')), 'synthesized from the cumulative quantity').toBe(true);
    expect(run.orders[0]).toMatchObject({ status: 'filled', filled: '0.01' });
    // The base asset moved by exactly the venue's fills (were the cumulative 0.01 added whole, it would be 1.014).
    expect(Number(run.summary.balances.binance!.BTC)).toBe(Number(emu.state.balances().BTC!.total));
  });

  // KNOWN GAP (reported): Binance's order endpoint carries no fee, so fills synthesized from the
  // cumulative quantity carry fee 0 while the venue charged one; the trades that would tell it are
  // ignored once the order counts cumulatively. The ledger's quote balance ends above the venue's by
  // the fee. Remove `.fails` once cumulative fills learn their fee (from late trades, or an estimate).
  it('when the listings keep leaving the trades out, then the fee the venue charged is still in the ledger (balances equal)', async () => {
    const { run } = await cumulativeOnly('dr3');
    expectReconciled(emu, run);
  });
});

/** A resting order filled in two parts while `myTrades` never lists its trades: only the cumulative quantity tells. */
async function cumulativeOnly(signalId: string) {
  const dir = tmpDir('tf-r3-');
  const state = `${dir}/state`;
  const plan = nthOrder({ 1: fault('drop-event', { lookups: 1000 }) });
  return fillInTwoParts(runLive(emu, { dir, signals: resting(signalId), plan, state, extra: { live: { linger_ms: 8000 } } }), state);
}

describe('rule 4: partial fill then cancel ends canceled with the filled part kept', () => {
  it('when a market order fills in part and the venue cancels the rest, then it is canceled with that part, in trades and balances', async () => {
    const dir = tmpDir('tf-r4-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,pc1']);
    const run = await runLive(emu, { dir, signals, plan: nthOrder({ 1: fault('partial-then-cancel', { fill: 0.4 }) }) });
    const v = venueOrder(emu, run.orders[0]!.client_id!)!;
    expect(v).toMatchObject({ status: 'canceled', filled: '0.004' });
    expect(run.orders[0]).toMatchObject({ status: 'canceled', filled: '0.004' });
    expectFillsOnce(run, v.clientOrderId!);
    expect(run.summary.balances.binance!.BTC).toBe('1.004');
    expectReconciled(emu, run);
  });

  it('when a resting order fills in part and the venue then cancels it (seen by polling), then it is canceled with the part kept', async () => {
    const dir = tmpDir('tf-r4-');
    const run$ = runLive(emu, { dir, signals: resting('pc2'), plan: nthOrder({ 1: fault('partial-then-cancel', { fill: 0.5 }) }), extra: { live: { linger_ms: 8000 } } });
    const o = await ourOrder();
    sellInto(emu, 99_995, 0.01);
    const run = await run$;
    expect(venueOrder(emu, o.clientOrderId!)).toMatchObject({ status: 'canceled', filled: '0.005' });
    expect(run.orders[0]).toMatchObject({ status: 'canceled', filled: '0.005' });
    expect(run.orders[0]!.reason).toMatch(/canceled by the venue/);
    expectFillsOnce(run, o.clientOrderId!);
    expectReconciled(emu, run);
  });
});

describe('rule 5: a cancel that times out is retried; "no such order" on a cancel is resolved by fetching', () => {
  it('when the cancel times out after the venue did it, then the retry meets "Unknown order" and the fetch shows canceled: canceled, the partial fill kept', async () => {
    const dir = tmpDir('tf-r5-');
    const state = `${dir}/state`;
    const plan = recording(ruleFaults([{ when: (r) => r.kind === 'order.cancel', action: fault('timeout-after-accept'), times: 1 }]));
    const run$ = runLive(emu, { dir, signals: resting('cx1'), plan, state, extra: { live: { linger_ms: 1000 } } });
    const o = await ourOrder();
    sellInto(emu, 99_995, 0.004);
    await waitFor('the part journaled', () => journaledFilled(state, o.clientOrderId!) >= 0.004, 5000);
    const run = await run$;
    const cancels = plan.log.filter((r) => r.kind === 'order.cancel');
    expect(cancels.length, 'the timed-out cancel was retried').toBe(2);
    const queries = plan.log.filter((r) => r.kind === 'order.query' && r.now > cancels[1]!.now);
    expect(queries.length, 'the order was fetched after "Unknown order"').toBeGreaterThanOrEqual(1);
    expect(venueOrder(emu, o.clientOrderId!)).toMatchObject({ status: 'canceled', filled: '0.004' });
    expect(run.orders[0]).toMatchObject({ status: 'canceled', filled: '0.004' });
    expectFillsOnce(run, o.clientOrderId!);
    expectReconciled(emu, run);
  });

  it('when the order filled at the venue before our cancel reached it, then the cancel meets "Unknown order" and the fetch shows it FILLED: filled, not canceled', async () => {
    const dir = tmpDir('tf-r5-');
    let filledAt = 0;
    // The order fills at the venue just as our cancel arrives (before the venue handles it).
    const plan = recording(undefined, (req) => {
      if (req.kind === 'order.cancel' && filledAt === 0) {
        sellInto(emu, 99_995, 0.01);
        filledAt = req.now;
      }
    });
    const run = await runLive(emu, { dir, signals: resting('cx2'), plan, extra: { live: { linger_ms: 300 } } });
    const cid = run.orders[0]!.client_id!;
    expect(venueOrder(emu, cid)).toMatchObject({ status: 'filled', filled: '0.01' });
    const cancels = plan.log.filter((r) => r.kind === 'order.cancel');
    expect(cancels, 'one cancel: it was answered (Unknown order), not retried blindly').toHaveLength(1);
    const lookups = plan.log.filter((r) => r.kind === 'order.query' && r.now >= filledAt);
    expect(lookups.length, 'the order was fetched to learn its fate').toBeGreaterThanOrEqual(1);
    expect(run.orders[0]).toMatchObject({ status: 'filled', filled: '0.01' });
    expectFillsOnce(run, cid);
    expect(creates(plan.log)).toHaveLength(1);
    expectReconciled(emu, run);
  });

  it('when the order filled before our cancel and lookups then lag ("Order does not exist" for 1.5 s), then it is not given up as canceled: the fill is found once the venue shows it', async () => {
    const dir = tmpDir('tf-r5-');
    let filledAt = 0;
    const notFound: FaultAction = { type: 'error', status: 400, body: { code: -2013, msg: 'Order does not exist.' } };
    const plan = recording({ decide: (req) => (filledAt > 0 && req.kind === 'order.query' && req.now < filledAt + 1500 ? notFound : undefined) }, (req) => {
      if (req.kind === 'order.cancel' && filledAt === 0) {
        sellInto(emu, 99_995, 0.01);
        filledAt = req.now;
      }
    });
    // Patience longer than the lag: an order is given up as gone only after absent_after_ms of "not found".
    const run = await runLive(emu, { dir, signals: resting('cx3'), plan, extra: { live: { linger_ms: 300 }, reconcile: { absent_after_ms: 5000 } } });
    const cid = run.orders[0]!.client_id!;
    const lagging = plan.log.filter((r) => r.action === notFound);
    expect(lagging.length, 'more "no such order" answers than the lookup count alone would accept').toBeGreaterThanOrEqual(10);
    expect(venueOrder(emu, cid)).toMatchObject({ status: 'filled', filled: '0.01' });
    expect(run.orders[0]).toMatchObject({ status: 'filled', filled: '0.01' });
    expectFillsOnce(run, cid);
    expectReconciled(emu, run);
  });
});
