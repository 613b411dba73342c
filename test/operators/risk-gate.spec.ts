import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { KillSwitch } from '../../src/domain/kill-switch.ts';
import { notionalAtto, parseAtto } from '../../src/domain/money.ts';
import { OrderRegistry } from '../../src/domain/order-registry.ts';
import { Portfolio } from '../../src/domain/portfolio.ts';
import type { RefusedSignal } from '../../src/domain/run-result.ts';
import type { MarketDef, OrderSignal } from '../../src/domain/types.ts';
import { assessSignal, riskGate, type RiskContext, type RiskLimits } from '../../src/operators/risk-gate.ts';

const market: MarketDef = { venue: 'binance', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', precision: { price: 0.01, amount: 0.00001 }, limits: {} };

function ctx(limits: RiskLimits, price = 100): RiskContext {
  return {
    limits,
    killSwitch: new KillSwitch(),
    portfolio: new Portfolio(new Map([['binance', new Map([['USDT', parseAtto('100000')]])]]), () => market),
    orders: new OrderRegistry(),
    mark: () => price,
    quoteRate: () => 1,
  };
}
const sig = (over: Partial<OrderSignal> = {}): OrderSignal => ({
  kind: 'order', id: 's', ts: 1, venue: 'binance', symbol: 'BTC/USDT', side: 'buy', quantity: 1, type: 'market', ...over,
});
const rule = (v: ReturnType<typeof assessSignal>) => (v.ok ? 'ok' : v.rule);

describe('risk gate', () => {
  it('when the signal risk is above the limit then it is refused, at the limit it passes', () => {
    const c = ctx({ maxSignalRisk: 0.5 });
    expect(rule(assessSignal(sig({ risk: 0.51 }), c))).toBe('signal_risk');
    expect(rule(assessSignal(sig({ risk: 0.5 }), c))).toBe('ok');
    expect(rule(assessSignal(sig(), c))).toBe('ok');
  });

  it('when an order would push the position past the limit then it is refused, but reducing is allowed', () => {
    const c = ctx({ maxPosition: new Map([['*', 1.5]]) });
    c.portfolio.applyFill({
      kind: 'OrderFilled', clientId: 'a', venue: 'binance', symbol: 'BTC/USDT', ts: 1, exchangeId: 'x', tradeId: 't',
      side: 'buy', price: 100, quantity: 1, notional: notionalAtto(100, 1), fee: 0n, feeAsset: 'USDT', liquidity: 'taker',
    });
    expect(rule(assessSignal(sig({ quantity: 1 }), c))).toBe('max_position');
    expect(rule(assessSignal(sig({ quantity: 0.5 }), c))).toBe('ok');
    expect(rule(assessSignal(sig({ side: 'sell', quantity: 2 }), c))).toBe('ok');
    expect(rule(assessSignal(sig({ side: 'sell', quantity: 3 }), c))).toBe('max_position');
  });

  it('when live orders would exceed the position limit then pending quantity counts', () => {
    const c = ctx({ maxPosition: new Map([['binance:BTC/USDT', 1]]) });
    const o = c.orders.create({ clientId: 'p', venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: 0.8, price: 90, ts: 1 });
    c.orders.transition(o, 'submit', 1);
    expect(rule(assessSignal(sig({ quantity: 0.3 }), c))).toBe('max_position');
    expect(rule(assessSignal(sig({ quantity: 0.2 }), c))).toBe('ok');
  });

  it('when the notional is above the limit then it is refused, and with no price known it is refused too', () => {
    expect(rule(assessSignal(sig({ quantity: 2 }), ctx({ maxOrderNotional: 150 })))).toBe('max_order_notional');
    expect(rule(assessSignal(sig({ quantity: 1 }), ctx({ maxOrderNotional: 150 })))).toBe('ok');
    const c = { ...ctx({ maxOrderNotional: 150 }), mark: () => undefined };
    expect(rule(assessSignal(sig(), c))).toBe('no_reference_price');
    expect(rule(assessSignal(sig({ type: 'limit', price: 100 }), c))).toBe('ok');
  });

  it('when too many orders are live then new ones are refused', () => {
    const c = ctx({ maxOpenOrders: 1 });
    c.orders.transition(c.orders.create({ clientId: 'p', venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: 0.1, price: 90, ts: 1 }), 'submit', 1);
    expect(rule(assessSignal(sig(), c))).toBe('max_open_orders');
  });

  it('when halted then everything is refused; when reducing then only shrinking orders pass', () => {
    const c = ctx({});
    c.killSwitch.trip('reducing', 'test', 1);
    expect(rule(assessSignal(sig(), c))).toBe('reducing');
    c.killSwitch.trip('halted', 'test', 2);
    expect(rule(assessSignal(sig({ side: 'sell' }), c))).toBe('halted');
    expect(c.killSwitch.trip('reducing', 'milder', 3)).toBe(false);
    expect(c.killSwitch.state).toBe('halted');
  });

  it('when used as an operator then refused signals are reported with their rule and source line', () => {
    const refused: RefusedSignal[] = [];
    const passed: string[] = [];
    const in$ = new Subject<OrderSignal>();
    in$.pipe(riskGate(ctx({ maxSignalRisk: 0.5 }), (r) => refused.push(r))).subscribe((s) => passed.push(s.id));
    in$.next(sig({ id: 'a', risk: 0.1 }));
    in$.next(sig({ id: 'b', risk: 0.9, source: { file: 'x.csv', line: 3 } }));
    expect(passed).toEqual(['a']);
    expect(refused).toEqual([expect.objectContaining({ signalId: 'b', rule: 'signal_risk', file: 'x.csv', line: 3 })]);
  });
});
