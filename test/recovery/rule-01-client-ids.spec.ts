/**
 * RELIABILITY rule 1 through `paper --live` against the emulator: client ids are tradeflow's, journaled
 * durably BEFORE the request leaves, unique per attempt — and the "not placed, transient" row of the
 * error table: a 429, a 418 ban or a -1021 clock refusal is resent with the SAME client id after the
 * back-off the venue asked for (no traffic at all during a ban), and the order is placed once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fault, startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { liveCommand } from '../../src/engine/live-command.ts';
import type { Summary } from '../../src/reports/index.ts';
import { liveIO, readCsv } from '../engine/helpers.ts';
import { KEY, SECRET, binanceEmulator, expectReconciled, recoveryScenario, runLive, signalFile, tmpDir, venueOrders } from './helpers.ts';
import { creates, journaledNow, nthOrder, openJournal, recording } from './rule-helpers.ts';

let emu: RunningEmulator;
beforeEach(async () => {
  emu = await binanceEmulator(21);
});
afterEach(async () => emu?.close());

describe('rule 1: client ids are journaled before sending and unique per attempt', () => {
  it('when orders go out (one of them lost before the venue took it), then each id was durable in the journal before its request arrived, ids never repeat, and the lost one is not reused', async () => {
    const dir = tmpDir('tf-r1-');
    const state = path.join(dir, 'state');
    const signals = signalFile(dir, [
      '2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,a1',
      '2025-01-01T00:00:01Z,binance,BTC/USDT,buy,0.002,limit,50000,a2',
      '2025-01-01T00:00:02Z,binance,BTC/USDT,sell,0.003,market,,a3',
    ]);
    // What another process reading the journal file sees at the moment each order request arrives.
    const durableAtArrival = new Map<string, boolean>();
    const plan = recording(nthOrder({ 2: fault('timeout-before-accept') }), (req) => {
      if (req.kind === 'order.create' && req.clientId !== undefined) durableAtArrival.set(req.clientId, journaledNow(state, req.clientId));
    });
    const run = await runLive(emu, { dir, signals, plan, state, extra: { live: { linger_ms: 2000 } } });

    const sent = creates(plan.log);
    expect(sent).toHaveLength(3);
    expect([...durableAtArrival.values()], 'every intent was on disk before its request reached the venue').toEqual([true, true, true]);
    const ids = sent.map((r) => r.clientId!);
    expect(new Set(ids).size, 'one client id per attempt').toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^tf[A-Za-z0-9]+-[0-9a-z]+$/);

    const journal = openJournal(state);
    try {
      for (const id of ids) expect(journal.order(id), `intent of ${id}`).toBeDefined();
      // The venue's view of every order it took matches what was journaled as the intent.
      for (const v of venueOrders(emu, (id) => ids.includes(id))) {
        const intent = journal.order(v.clientOrderId!)!.intent;
        expect({ side: intent.side, type: intent.type, quantity: intent.quantity, price: intent.price }).toEqual({ side: v.side, type: v.type, quantity: v.quantity, price: v.price });
      }
    } finally {
      journal.close();
    }
    // The attempt lost before the venue took it: proven absent, rejected, its id never sent again.
    const lost = sent[1]!.clientId!;
    expect(run.orders.find((o) => o.client_id === lost)).toMatchObject({ status: 'rejected', resolution: 'local' });
    expect(ids.filter((id) => id === lost)).toHaveLength(1);
    expect(venueOrders(emu, (id) => id === lost)).toHaveLength(0);
    expectReconciled(emu, run);
  });

  it('when the order request is rate-limited (429 + Retry-After), then it is resent with the SAME id after Retry-After and placed once', async () => {
    const dir = tmpDir('tf-r1-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,rl1']);
    const plan = recording(nthOrder({ 1: fault('rate-limit', { retryAfterS: 1 }) }));
    const run = await runLive(emu, { dir, signals, plan });

    const sent = creates(plan.log);
    expect(sent.map((r) => r.clientId)).toEqual([run.orders[0]!.client_id, run.orders[0]!.client_id]);
    expect(sent[1]!.now - sent[0]!.now, 'Retry-After: 1 honoured').toBeGreaterThanOrEqual(1000);
    // Binance counts weight per IP: book polls and lookups pause for the Retry-After too (requests
    // already on the wire when the 429 came back may still arrive).
    const limitedAt = sent[0]!.now;
    const during = plan.log.filter((r) => r.now > limitedAt + 150 && r.now < limitedAt + 1000 && r.kind !== 'order.create');
    expect(during.map((r) => `${r.method} ${r.path} @+${r.now - limitedAt}ms`), 'no background traffic during the 429 window').toEqual([]);
    expect(run.orders).toHaveLength(1);
    expect(run.orders[0]).toMatchObject({ status: 'filled' });
    expect(venueOrders(emu, (id) => id === run.orders[0]!.client_id)).toHaveLength(1);
    expect(emu.state.faults().filter((f) => f.kind === 'rate-limit' && f.trigger)).toHaveLength(1);
    const journal = openJournal(run.state);
    try {
      expect(journal.transitions(run.orders[0]!.client_id!).filter((t) => t.status === 'new'), 'one intent, not one per attempt').toHaveLength(1);
    } finally {
      journal.close();
    }
    expectReconciled(emu, run);
  });

  it('when the IP is banned (418), then nothing at all is sent until the ban ends, and the order then goes once with the same id', async () => {
    const dir = tmpDir('tf-r1-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,ban1']);
    const plan = recording(nthOrder({ 1: fault('ip-ban', { retryAfterS: 2 }) }));
    const run = await runLive(emu, { dir, signals, plan });

    const sent = creates(plan.log);
    expect(sent.map((r) => r.clientId)).toEqual([run.orders[0]!.client_id, run.orders[0]!.client_id]);
    const bannedAt = sent[0]!.now;
    const banEnd = bannedAt + 2000;
    // Requests already on the wire when the 418 came back may still arrive; nothing may be sent after.
    const during = plan.log.filter((r) => r.now > bannedAt + 150 && r.now < banEnd);
    expect(during.map((r) => `${r.method} ${r.path} @+${r.now - bannedAt}ms`), 'no traffic during the ban').toEqual([]);
    expect(sent[1]!.now).toBeGreaterThanOrEqual(banEnd);
    const refusedInBan = emu.state.faults().filter((f) => f.kind === 'ip-ban' && !f.trigger);
    expect(refusedInBan.every((f) => f.at <= bannedAt + 150), 'the venue refused nothing sent after the ban was known').toBe(true);
    expect(run.orders[0]).toMatchObject({ status: 'filled' });
    expect(venueOrders(emu, (id) => id === run.orders[0]!.client_id)).toHaveLength(1);
    expectReconciled(emu, run);
  });

  it('when the venue clock jumps (-1021), then the client resyncs its clock and resends the same id: placed once', async () => {
    const dir = tmpDir('tf-r1-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,sk1']);
    const plan = recording(nthOrder({ 1: fault('clock-skew', { ms: 61_000 }) }));
    const run = await runLive(emu, { dir, signals, plan });

    const sent = creates(plan.log);
    expect(sent.map((r) => r.clientId)).toEqual([run.orders[0]!.client_id, run.orders[0]!.client_id]);
    const resync = plan.log.filter((r) => r.kind === 'time' && r.now >= sent[0]!.now && r.now <= sent[1]!.now);
    expect(resync.length, 'the server time was fetched between the refusal and the resend').toBeGreaterThanOrEqual(1);
    expect(emu.state.faults().find((f) => f.kind === 'clock-skew' && f.trigger)).toMatchObject({ executed: false });
    expect(run.orders[0]).toMatchObject({ status: 'filled' });
    expect(venueOrders(emu, (id) => id === run.orders[0]!.client_id)).toHaveLength(1);
    expectReconciled(emu, run);
  });

  it('on Upbit (identifier never reusable): a rate-limited order goes again with the SAME identifier, a proven-absent one is never re-sent under its identifier, and every identifier is journaled', async () => {
    const up = await startEmulator({
      venue: 'upbit', port: 0, apiKey: KEY, secret: SECRET, balances: { KRW: '100000000', BTC: '1' },
      walk: [{ symbol: 'BTC/KRW', startPrice: 140_000_000 }], walkOptions: { intervalMs: 20 }, seed: 5,
    });
    try {
      const dir = tmpDir('tf-r1-up-');
      const state = path.join(dir, 'state');
      const signals = signalFile(dir, [
        '2025-01-01T00:00:00Z,upbit,BTC/KRW,buy,0.001,limit,150000000,u1',
        '2025-01-01T00:00:00Z,upbit,BTC/KRW,buy,0.001,limit,150000000,u2',
      ]);
      // The first identifier to arrive is lost before the venue takes it; the second meets a 429.
      const seen: string[] = [];
      const plan = recording({
        decide(req) {
          if (req.kind !== 'order.create' || req.clientId === undefined) return undefined;
          const first = !seen.includes(req.clientId);
          if (first) seen.push(req.clientId);
          if (first && seen.length === 1) return fault('timeout-before-accept');
          if (first && seen.length === 2) return fault('rate-limit', { retryAfterS: 1 });
          return undefined;
        },
      });
      up.state.setFaultPlan(plan);
      const out = path.join(dir, 'out');
      const io = liveIO({ env: { TRADEFLOW_UPBIT_API_KEY: KEY, TRADEFLOW_UPBIT_SECRET: SECRET, TRADEFLOW_STATE_DIR: state } });
      await liveCommand(recoveryScenario(dir), { market: ['upbit:BTC/KRW'], signals, out, live: true, yes: true, 'exchange-url': [`upbit=${up.url}`] }, io);
      up.state.setFaultPlan(undefined);

      const orders = readCsv(path.join(out, 'orders.csv'));
      const byId = new Map(orders.map((o) => [o.client_id, o]));
      const [lost, limited] = seen as [string, string];
      expect(seen).toHaveLength(2);
      expect(creates(plan.log).filter((r) => r.clientId === limited).length, 'resent after the 429 with the same identifier').toBeGreaterThanOrEqual(2);
      expect(creates(plan.log).filter((r) => r.clientId === lost), 'the lost identifier went once').toHaveLength(1);
      expect(byId.get(limited)).toMatchObject({ status: 'filled' });
      expect(byId.get(lost)).toMatchObject({ status: 'rejected', resolution: 'local' });
      const atVenue = up.state.orders().map((o) => o.clientOrderId);
      expect(atVenue).toEqual([limited]);
      const journal = openJournal(state);
      try {
        for (const id of seen) expect(journal.order(id)).toBeDefined();
      } finally {
        journal.close();
      }
      // The ledger equals the venue's balances.
      const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as Summary;
      const bal = up.state.balances();
      for (const [asset, amount] of Object.entries(summary.balances.upbit ?? {})) expect(Number(amount), asset).toBe(Number(bal[asset]?.total ?? 0));
    } finally {
      await up.close();
    }
  });
});
