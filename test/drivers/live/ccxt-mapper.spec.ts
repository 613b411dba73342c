/**
 * The mapper on ccxt's own recorded responses (its static response tests: Binance private methods)
 * and on Upbit's documented bodies parsed by ccxt's Upbit class; order params checked on the wire.
 */
import { existsSync } from 'node:fs';
import type { Order, Trade } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { VenueRejectedError } from '../../../src/core/errors.ts';
import {
  balancesFromCcxt,
  fillFromCcxtTrade,
  lookupParams,
  marketFromCcxt,
  orderParams,
  orderSnapshotFromCcxt,
  PrecisionModes,
  statusFromCcxt,
} from '../../../src/drivers/live/ccxt-mapper.ts';
import { parseAtto } from '../../../src/domain/money.ts';
import type { MarketDef, SubmitOrder } from '../../../src/domain/types.ts';
import { BINANCE_RECORDED, offlineExchange, recorded, scriptTransport } from './helpers.ts';

const LTC_USDT: MarketDef = { venue: 'binance', symbol: 'LTC/USDT', base: 'LTC', quote: 'USDT', precision: { price: 0.01, amount: 0.001 }, limits: {} };
const BTC_KRW: MarketDef = {
  venue: 'upbit',
  symbol: 'BTC/KRW',
  base: 'BTC',
  quote: 'KRW',
  precision: { price: 1e-8, amount: 1e-8 },
  limits: { cost: { min: 5000 } },
  tickTable: [
    { from: 0, tick: 1e-8 },
    { from: 1_000_000, tick: 1000 },
  ],
};

/** Upbit's documented GET /v1/order body (a limit buy done in two trades), parsed by ccxt's Upbit class. */
function upbitDoneOrder(): Order {
  const upbit = offlineExchange('upbit');
  return (upbit as any).parseOrder({
    uuid: 'a08f09b1-1718-42e2-9358-f0e5e083d3ee',
    side: 'bid',
    ord_type: 'limit',
    price: '101000.0',
    state: 'done',
    market: 'KRW-BTC',
    created_at: '2018-04-05T14:09:14+09:00',
    volume: '1.0',
    remaining_volume: '0.0',
    reserved_fee: '50.5',
    remaining_fee: '0.0',
    paid_fee: '151.5',
    locked: '0.0',
    executed_volume: '1.0',
    trades_count: 2,
    identifier: 'tf-7',
    trades: [
      { market: 'KRW-BTC', uuid: '78162304-1a4d-4524-b9e6-c9a9e14d76c3', price: '101000.0', volume: '0.77368323', funds: '78142.00623', ask_fee: '117.213009345', bid_fee: '117.213009345', created_at: '2018-04-05T14:09:15+09:00', side: 'bid' },
      { market: 'KRW-BTC', uuid: 'f73da467-c42f-407d-92fa-e10d86450a20', price: '101000.0', volume: '0.22631677', funds: '22857.99377', ask_fee: '34.286990655', bid_fee: '34.286990655', created_at: '2018-04-05T14:09:15+09:00', side: 'bid' },
    ],
  });
}

describe('statusFromCcxt', () => {
  it.each([
    ['open', 0, 1, 'open'],
    ['open', 0.4, 1, 'partially_filled'],
    ['closed', 1, 1, 'filled'],
    ['canceled', 0, 1, 'canceled'],
    ['canceled', 0.3, 1, 'canceled'], // rule 4: the filled part is kept, the status is canceled
    ['expired', 0.3, 1, 'expired'],
    ['rejected', 0, 1, 'rejected'],
    [undefined, 1, 1, 'filled'],
    [undefined, 0.5, 1, 'partially_filled'],
    [undefined, 0, 1, 'unknown'],
  ] as const)('when ccxt says %s with %s of %s filled, then the order is %s', (status, filled, amount, want) => {
    expect(statusFromCcxt(status, filled, amount)).toBe(want);
  });
});

describe.skipIf(!existsSync(BINANCE_RECORDED))('Binance, on ccxt’s recorded responses', () => {
  it('when an open limit order comes back from createOrder, then the snapshot is open with its client id', () => {
    const snap = orderSnapshotFromCcxt('binance', recorded(BINANCE_RECORDED, 'createOrder'));
    expect(snap).toMatchObject({ exchangeId: '9780331417', clientId: 'x-R4BD3S824d31be3228a348eaa0a303', symbol: 'SOL/USDT', side: 'buy', type: 'limit', price: 241, quantity: 0.05, filled: 0, status: 'open' });
  });

  it('when a closed market order is fetched, then it is filled and carries no limit price', () => {
    const snap = orderSnapshotFromCcxt('binance', recorded(BINANCE_RECORDED, 'fetchOrder'));
    expect(snap).toMatchObject({ exchangeId: '3397148653', type: 'market', side: 'sell', quantity: 0.1, filled: 0.1, status: 'filled' });
    expect(snap.price).toBeUndefined();
  });

  it('when a trade is mapped, then notional and fee are exact atto and the ids are the venue’s', () => {
    const t: Trade = recorded(BINANCE_RECORDED, 'fetchMyTrades')[0];
    const fill = fillFromCcxtTrade(t, 'tf-1', LTC_USDT);
    expect(fill).toMatchObject({ kind: 'OrderFilled', clientId: 'tf-1', exchangeId: '3784695242', tradeId: '309520010', side: 'sell', price: 69.63, quantity: 0.2, feeAsset: 'USDT', liquidity: 'taker', ts: 1698138992358 });
    expect(fill.notional, '69.63 × 0.2').toBe(parseAtto('13.926'));
    expect(fill.fee).toBe(parseAtto('0.013926'));
    expect(Object.isFrozen(fill)).toBe(true);
  });

  it('when balances are mapped, then totals are exact from the strings and zero assets are left out', () => {
    const b = balancesFromCcxt(recorded(BINANCE_RECORDED, 'fetchBalance'));
    expect(b.get('LTC')).toBe(parseAtto('0.919741'));
    expect(b.get('ETH')).toBe(parseAtto('0.02229833'));
    expect(b.has('BTC')).toBe(false);
  });

  it('when open orders are mapped, then a LIMIT_MAKER order is a limit order', () => {
    const [o] = recorded(BINANCE_RECORDED, 'fetchOpenOrders') as Order[];
    expect(orderSnapshotFromCcxt('binance', o!)).toMatchObject({ type: 'limit', price: 50, status: 'open' });
  });
});

describe('Upbit, on its documented bodies parsed by ccxt', () => {
  it('when a done order carries its trades, then each trade maps to an exact fill in KRW', () => {
    const order = upbitDoneOrder();
    expect(orderSnapshotFromCcxt('upbit', order)).toMatchObject({ clientId: 'tf-7', status: 'filled', filled: 1, quantity: 1 });
    const fills = order.trades.map((t) => fillFromCcxtTrade(t, 'tf-7', BTC_KRW));
    expect(fills.map((f) => f.tradeId)).toEqual(['78162304-1a4d-4524-b9e6-c9a9e14d76c3', 'f73da467-c42f-407d-92fa-e10d86450a20']);
    expect(fills[0]!.notional).toBe(parseAtto('78142.00623'));
    expect(fills[0]!.fee, 'ccxt leaves Upbit fee costs as strings sometimes; the raw string wins').toBe(parseAtto('117.213009345'));
    expect(fills.reduce((s, f) => s + f.notional, 0n)).toBe(parseAtto('101000'));
    expect(fills.every((f) => f.side === 'buy' && f.feeAsset === 'KRW')).toBe(true);
  });

  it('when a KRW balance has more digits than a double holds, then the total is still exact', () => {
    const upbit = offlineExchange('upbit');
    const b = (upbit as any).parseBalance([
      { currency: 'KRW', balance: '123456789.12345678', locked: '0.5', avg_buy_price: '0', avg_buy_price_modified: false, unit_currency: 'KRW' },
      { currency: 'BTC', balance: '0.00000001', locked: '0', avg_buy_price: '0', avg_buy_price_modified: false, unit_currency: 'KRW' },
    ]);
    const out = balancesFromCcxt(b, (id) => upbit.safeCurrencyCode(id) ?? id);
    expect(out.get('KRW')).toBe(parseAtto('123456789.62345678'));
    expect(out.get('BTC')).toBe(parseAtto('0.00000001'));
  });
});

describe('marketFromCcxt', () => {
  it('when ccxt parses Binance’s exchangeInfo, then tick, step and minimum notional come through', () => {
    const m = offlineExchange('binance').market('BTC/USDT');
    expect(marketFromCcxt('binance', m)).toMatchObject({ symbol: 'BTC/USDT', id: 'BTCUSDT', base: 'BTC', quote: 'USDT', precision: { price: 0.01, amount: 0.00001 }, limits: { amount: { min: 0.00001, max: 9000 }, cost: { min: 5 } } });
  });

  it('when an exchange counts decimal places, then they become a tick', () => {
    const m = { symbol: 'X/Y', base: 'X', quote: 'Y', precision: { price: 2, amount: 4 }, limits: {} } as any;
    expect(marketFromCcxt('v', m, { precisionMode: PrecisionModes.DECIMAL_PLACES }).precision).toEqual({ price: 0.01, amount: 0.0001 });
  });

  it('when an exchange counts significant digits, then the tick follows the reference price, and without one it refuses', () => {
    const m = { symbol: 'X/Y', base: 'X', quote: 'Y', precision: { price: 5, amount: 5 }, limits: { amount: { min: 0.001 } } } as any;
    expect(marketFromCcxt('v', m, { precisionMode: PrecisionModes.SIGNIFICANT_DIGITS, referencePrice: 43210 }).precision.price).toBe(1);
    expect(() => marketFromCcxt('v', m, { precisionMode: PrecisionModes.SIGNIFICANT_DIGITS })).toThrow(/reference price/);
  });
});

describe('orderParams', () => {
  const cmd = (over: Partial<SubmitOrder>): SubmitOrder => ({ clientId: 'tf-1', venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: 0.001, ts: 0, ...over });

  it('when a Binance market buy is sent, then it goes by quantity with newClientOrderId, and no retry option reaches the wire', async () => {
    const ex = offlineExchange('binance');
    const wire = scriptTransport(ex, () => ({ body: { symbol: 'BTCUSDT', orderId: 1, clientOrderId: 'tf-1', status: 'NEW', type: 'MARKET', side: 'BUY', origQty: '0.001', executedQty: '0' } }));
    const call = orderParams('binance', cmd({}));
    expect(call).toMatchObject({ type: 'market', amount: 0.001, price: undefined, params: { clientOrderId: 'tf-1', maxRetriesOnFailure: 0 } });
    await ex.createOrder(call.symbol, call.type, call.side, call.amount, call.price, { ...call.params });
    const sent = new URLSearchParams(wire[0]!.body);
    expect(sent.get('newClientOrderId')).toBe('tf-1');
    expect(sent.get('quantity')).toBe('0.001');
    expect(sent.has('quoteOrderQty'), 'a price on a market order would make it a quote-sized order').toBe(false);
    expect(wire[0]!.body).not.toContain('maxRetriesOnFailure');
  });

  it('when an Upbit market buy is sent, then it is by cost (quantity × reference, whole KRW) with the identifier', async () => {
    const ex = offlineExchange('upbit');
    const wire = scriptTransport(ex, () => ({ body: { uuid: 'u-1', side: 'bid', ord_type: 'price', price: '6187', state: 'wait', market: 'KRW-BTC', identifier: 'tf-2', executed_volume: '0', trades: [] } }));
    const call = orderParams('upbit', cmd({ clientId: 'tf-2', venue: 'upbit', symbol: 'BTC/KRW', quantity: 0.00012345 }), { market: BTC_KRW, referencePrice: 50_123_000 });
    expect(call.params.cost, '0.00012345 × 50,123,000 = 6187.68… rounded down').toBe('6187');
    await ex.createOrder(call.symbol, call.type, call.side, call.amount, call.price, { ...call.params });
    const body = JSON.parse(wire[0]!.body!);
    expect(body).toEqual({ market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '6187', identifier: 'tf-2' });
  });

  it('when an Upbit market buy has no reference price, then it is refused locally', () => {
    expect(() => orderParams('upbit', cmd({ venue: 'upbit', symbol: 'BTC/KRW' }), { market: BTC_KRW })).toThrow(VenueRejectedError);
  });

  it('when an Upbit market sell or a limit order is sent, then it is by volume', () => {
    expect(orderParams('upbit', cmd({ venue: 'upbit', side: 'sell' })).params.cost).toBeUndefined();
    expect(orderParams('upbit', cmd({ venue: 'upbit', type: 'limit', price: 100 }))).toMatchObject({ type: 'limit', price: 100 });
  });

  it('when an order is looked up by client id, then each venue gets its own parameter', () => {
    expect(lookupParams('binance', 'tf-1')).toEqual({ clientOrderId: 'tf-1' });
    expect(lookupParams('upbit', 'tf-1')).toEqual({ identifier: 'tf-1' });
  });
});
