import { describe, expect, it } from 'vitest';
import { KillSwitch } from '../../src/domain/kill-switch.ts';
import { notionalAtto, parseAtto } from '../../src/domain/money.ts';
import { OrderRegistry } from '../../src/domain/order-registry.ts';
import { Portfolio } from '../../src/domain/portfolio.ts';
import type { MarketDef, OrderSignal } from '../../src/domain/types.ts';
import { assessSignal, type RiskContext, type RiskLimits } from '../../src/operators/risk-gate.ts';

const market: MarketDef = { venue: 'binance', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', precision: { price: 0.01, amount: 0.00001 }, limits: {} };

function ctx(limits: RiskLimits, over: Partial<RiskContext> = {}): RiskContext {
  return {
    limits,
    killSwitch: new KillSwitch(),
    portfolio: new Portfolio(new Map([['binance', new Map([['USDT', parseAtto('100000')]])]]), () => market),
    orders: new OrderRegistry(),
    mark: () => 100,
    quoteRate: () => 1,
    ...over,
  };
}
const sig = (over: Partial<OrderSignal> = {}): OrderSignal => ({
  kind: 'order', id: 's', ts: 1_000_000, venue: 'binance', symbol: 'BTC/USDT', side: 'buy', quantity: 1, type: 'market', ...over,
});
const rule = (v: ReturnType<typeof assessSignal>) => (v.ok ? 'ok' : v.rule);

/** A long position of `qty` BTC. */
function hold(c: RiskContext, qty: number): void {
  c.portfolio.applyFill({
    kind: 'OrderFilled', clientId: 'a', venue: 'binance', symbol: 'BTC/USDT', ts: 1, exchangeId: 'x', tradeId: 't',
    side: 'buy', price: 100, quantity: qty, notional: notionalAtto(100, qty), fee: 0n, feeAsset: 'USDT', liquidity: 'taker',
  });
}

describe('risk gate under the kill switch', () => {
  it('when reducing then an order that shrinks the position passes and one that grows or flips it is refused', () => {
    const c = ctx({});
    hold(c, 2);
    c.killSwitch.trip('reducing', 'max_divergence: test', 1);
    expect(rule(assessSignal(sig({ side: 'sell', quantity: 1 }), c)), 'shrinks 2 → 1').toBe('ok');
    expect(rule(assessSignal(sig({ side: 'sell', quantity: 2 }), c)), 'closes 2 → 0').toBe('ok');
    expect(rule(assessSignal(sig({ side: 'buy', quantity: 0.1 }), c)), 'grows').toBe('reducing');
    expect(rule(assessSignal(sig({ side: 'sell', quantity: 3 }), c)), 'flips to short').toBe('reducing');
  });

  it('when reducing with no position then every order is refused (nothing to shrink)', () => {
    const c = ctx({});
    c.killSwitch.trip('reducing', 'x', 1);
    expect(rule(assessSignal(sig({ side: 'sell' }), c))).toBe('reducing');
    expect(rule(assessSignal(sig({ side: 'buy' }), c))).toBe('reducing');
  });

  it('when halted then every new order is refused, even one that would close the position', () => {
    const c = ctx({});
    hold(c, 2);
    c.killSwitch.trip('halted', 'max_drawdown: test', 1);
    for (const s of [sig({ side: 'sell', quantity: 2 }), sig({ side: 'buy', quantity: 0.001 }), sig({ type: 'limit', price: 90 })]) {
      const v = assessSignal(s, c);
      expect(rule(v)).toBe('halted');
      expect(v.ok ? '' : v.reason).toMatch(/only cancels/);
    }
  });
});

describe('stale market data (rule 8)', () => {
  it('when the book is older than the limit then stale_book; at the limit it passes', () => {
    let age: number | undefined = 5000;
    const c = ctx({ maxBookAgeMs: 5000 }, { markAge: () => age });
    expect(rule(assessSignal(sig(), c))).toBe('ok');
    age = 5001;
    const v = assessSignal(sig(), c);
    expect(rule(v)).toBe('stale_book');
    expect(v.ok ? '' : v.reason).toBe('market data for binance BTC/USDT is 5001 ms old, above the limit 5000 ms');
  });

  it('when no market data arrived yet then the order is refused as stale', () => {
    const c = ctx({ maxBookAgeMs: 5000 }, { markAge: () => undefined });
    const v = assessSignal(sig(), c);
    expect(rule(v)).toBe('stale_book');
    expect(v.ok ? '' : v.reason).toMatch(/no market data for binance BTC\/USDT yet/);
  });

  it('when the age is asked then it is asked for the signal’s market at the signal’s time', () => {
    const asked: unknown[] = [];
    const c = ctx({ maxBookAgeMs: 10 }, { markAge: (v, s, ts) => (asked.push([v, s, ts]), 0) });
    assessSignal(sig({ ts: 42 }), c);
    expect(asked).toEqual([['binance', 'BTC/USDT', 42]]);
  });

  it('when no book age limit is configured then the age is never asked (no cost per signal)', () => {
    const c = ctx({}, {
      markAge: () => {
        throw new Error('must not be called');
      },
    });
    expect(rule(assessSignal(sig(), c))).toBe('ok');
  });

  it('when halted and stale then halted wins (the first failing rule)', () => {
    const c = ctx({ maxBookAgeMs: 1 }, { markAge: () => 99 });
    c.killSwitch.trip('halted', 'x', 1);
    expect(rule(assessSignal(sig(), c))).toBe('halted');
  });
});
