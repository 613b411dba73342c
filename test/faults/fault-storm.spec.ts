/**
 * Issue 5's checks for backtests: the shipped fault-storm scenario (every fault kind a backtest can
 * play) ends with the four invariants at zero and a failures.json that accounts for every fault; a
 * deliberately broken recovery (a driver that resends on a timeout, as a naive retry would) is caught
 * by the report and fails the command.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ORDER_FAULT_KINDS, WINDOW_FAULT_KINDS } from '../../src/config/faults-schema.ts';
import { InvariantError } from '../../src/core/errors.ts';
import type { ExchangeDriver } from '../../src/drivers/exchange-driver.ts';
import type { OrderEvent, SubmitOrder } from '../../src/domain/types.ts';
import { backtestCommand } from '../../src/engine/backtest-command.ts';
import { REPO, quietIO, readCsv, readJson, tmpDir } from '../engine/helpers.ts';

const STORM = path.join(REPO, 'scenarios/fault-storm.yaml');

describe('the fault-storm scenario', () => {
  it('when every backtest fault kind strikes, then all four invariants are zero and each fault is accounted for', async () => {
    const out = path.join(tmpDir(), 'storm');
    await backtestCommand(STORM, { out }, quietIO());
    const report = readJson(path.join(out, 'failures.json'));
    expect(report.invariants).toMatchObject({ lostOrders: 0, duplicatedOrders: 0, positionDivergence: 0, balanceDivergence: 0 });
    expect(report.ok).toBe(true);
    const kinds = new Set(report.faults.map((f: { kind: string }) => f.kind));
    // leg-failure is an arbitrage's fault (test/arb/leg-failures.spec.ts); the storm has no arbitrage.
    for (const k of [...ORDER_FAULT_KINDS, ...WINDOW_FAULT_KINDS].filter((x) => x !== 'leg-failure')) expect(kinds, `fault kind ${k} struck`).toContain(k);
    for (const f of report.faults) {
      expect(f.detected, `fault ${f.id} says how it was detected`).toMatch(/\w/);
      expect(f.action, `fault ${f.id} says what was done`).toMatch(/\w/);
      expect(f.outcome, `fault ${f.id} (${f.entry}) recovered`).not.toMatch(/NOT RECOVERED|pending/);
      expect(typeof f.recoverMs, `fault ${f.id} has a time to recover`).toBe('number');
    }
    // Orders touched by faults that leave the outcome unknown are settled, and orders.csv says how.
    const orders = readCsv(path.join(out, 'orders.csv'));
    const byId = new Map(orders.map((o) => [o.client_id!, o]));
    const lost = report.faults.find((f: { kind: string }) => f.kind === 'timeout-before-accept');
    expect(byId.get(lost.orders[0])).toMatchObject({ status: 'rejected', resolution: 'local' });
    const found = report.faults.find((f: { kind: string }) => f.kind === 'timeout-after-accept');
    expect(byId.get(found.orders[0])).toMatchObject({ resolution: 'lookup' });
    expect(byId.get(found.orders[0])!.status).not.toBe('unknown');
    const partial = report.faults.find((f: { kind: string }) => f.kind === 'partial-then-cancel');
    const p = byId.get(partial.orders[0])!;
    expect(p.status).toBe('canceled');
    expect(Number(p.filled)).toBeGreaterThan(0);
    expect(Number(p.filled)).toBeLessThan(Number(p.quantity));
    // The repeated fill was applied once: no trade id twice in trades.csv.
    const tradeIds = readCsv(path.join(out, 'trades.csv')).map((t) => t.trade_id);
    expect(new Set(tradeIds).size).toBe(tradeIds.length);
    // The price of the faults, against the same run without them.
    expect(report.pnlCost.cost).toBeCloseTo(report.pnlCost.finalEquityWithoutFaults - report.pnlCost.finalEquity, 9);
    const summary = readJson(path.join(out, 'summary.json'));
    expect(report.pnlCost.finalEquity).toBeCloseTo(Number(summary.final_equity ?? summary.equity?.final), 6);
  });

  it('when run twice, then failures.json and the other reports are byte-identical', async () => {
    const a = path.join(tmpDir(), 'a');
    const b = path.join(tmpDir(), 'b');
    await backtestCommand(STORM, { out: a }, quietIO());
    await backtestCommand(STORM, { out: b }, quietIO());
    for (const f of ['failures.json', 'orders.csv', 'trades.csv', 'summary.json', 'equity.csv']) {
      expect(readFileSync(path.join(a, f)), f).toEqual(readFileSync(path.join(b, f)));
    }
  });
});

/**
 * A broken driver: when the venue's answer to a submit is lost (OrderStatusUnknown), it sends the
 * order again, as a library retry of the POST would — exactly what RELIABILITY.md forbids.
 */
function resendingOnTimeout(inner: ExchangeDriver): ExchangeDriver {
  const events = new Subject<OrderEvent>();
  const sent = new Map<string, SubmitOrder>();
  inner.events$.subscribe((ev) => {
    events.next(ev);
    const cmd = sent.get(ev.clientId);
    if (ev.kind === 'OrderStatusUnknown' && cmd) void inner.submit(cmd);
  });
  return Object.assign(Object.create(inner) as ExchangeDriver, {
    events$: events.asObservable(),
    submit: (cmd: SubmitOrder) => {
      sent.set(cmd.clientId, cmd);
      return inner.submit(cmd);
    },
  });
}

describe('a recovery that resends on timeout', () => {
  it('when the driver resends after a lost answer, then failures.json reports the duplicate and the backtest exits non-zero', async () => {
    const out = path.join(tmpDir(), 'broken');
    await expect(backtestCommand(STORM, { out }, quietIO(), { wrapDriver: resendingOnTimeout })).rejects.toBeInstanceOf(InvariantError);
    expect(existsSync(path.join(out, 'failures.json')), 'the reports are still written').toBe(true);
    const report = readJson(path.join(out, 'failures.json'));
    expect(report.ok).toBe(false);
    expect(report.invariants.duplicatedOrders).toBeGreaterThanOrEqual(1);
    const timedOut = report.faults.filter((f: { kind: string }) => f.kind === 'timeout-after-accept').map((f: { orders: string[] }) => f.orders[0]);
    expect(report.invariants.details.join('\n')).toContain(`client id ${timedOut[0]} reached binance twice`);
  });
});
