/**
 * Binance spot response shapes (REST API v3), built from our market definitions and the emulator's
 * order ledger: prices and quantities as 8-decimal strings, ids as numbers, times in epoch ms.
 */
import type { Asset, MarketDef } from '../../domain/types.ts';
import { decimalsFor, exactAtto, fixed } from '../decimal.ts';
import type { FillRecord, OrderRecord } from '../order-ledger.ts';
import type { BalanceDetail } from '../sim-view.ts';

/** Binance prints 8 decimals; a market finer than that (never on Binance) gets what it needs. */
function dp(def: MarketDef): number {
  return Math.max(8, decimalsFor(def.precision.price), decimalsFor(def.precision.amount));
}

export function marketId(def: MarketDef): string {
  return def.id ?? `${def.base}${def.quote}`;
}

/** An `exchangeInfo` symbol: PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE and NOTIONAL from the MarketDef. */
export function symbolInfo(def: MarketDef): Record<string, unknown> {
  const d = dp(def);
  const { amount, cost, price } = def.limits;
  return {
    symbol: marketId(def),
    status: 'TRADING',
    baseAsset: def.base,
    baseAssetPrecision: 8,
    quoteAsset: def.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'MARKET'],
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: false,
    cancelReplaceAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: fixed(price?.min ?? def.precision.price, d), maxPrice: fixed(price?.max ?? 1_000_000, d), tickSize: fixed(def.precision.price, d) },
      { filterType: 'LOT_SIZE', minQty: fixed(amount?.min ?? def.precision.amount, d), maxQty: fixed(amount?.max ?? 9_000_000, d), stepSize: fixed(def.precision.amount, d) },
      { filterType: 'MARKET_LOT_SIZE', minQty: fixed(0, d), maxQty: fixed(amount?.max ?? 9_000_000, d), stepSize: fixed(0, d) },
      {
        filterType: 'NOTIONAL',
        minNotional: fixed(cost?.min ?? 0, d),
        applyMinToMarket: true,
        maxNotional: fixed(cost?.max ?? 9_000_000, d),
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

export function orderStatus(r: OrderRecord): string {
  switch (r.status) {
    case 'partially_filled':
      return 'PARTIALLY_FILLED';
    case 'filled':
      return 'FILLED';
    case 'canceled':
      return 'CANCELED';
    case 'expired':
      return 'EXPIRED';
    default:
      return 'NEW';
  }
}

/** Fields shared by every order shape, in the venue's order. */
function core(r: OrderRecord, def: MarketDef): Record<string, unknown> {
  const d = dp(def);
  return {
    symbol: marketId(def),
    orderId: r.seq,
    orderListId: -1,
    clientOrderId: r.clientId,
    price: fixed(r.intent.price ?? 0, d),
    origQty: fixed(r.intent.quantity, d),
    executedQty: exactAtto(r.filled, d),
    cummulativeQuoteQty: exactAtto(r.quote, d),
    status: orderStatus(r),
    timeInForce: r.intent.timeInForce,
    type: r.intent.type === 'limit' ? 'LIMIT' : 'MARKET',
    side: r.intent.side === 'buy' ? 'BUY' : 'SELL',
  };
}

/** `GET /api/v3/order`, `openOrders`, `allOrders`. */
export function orderBody(r: OrderRecord, def: MarketDef): Record<string, unknown> {
  const d = dp(def);
  return {
    ...core(r, def),
    stopPrice: fixed(0, d),
    icebergQty: fixed(0, d),
    time: r.createdAt,
    updateTime: r.updatedAt,
    isWorking: true,
    workingTime: r.createdAt,
    origQuoteOrderQty: fixed(r.intent.quoteQty ?? 0, d),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

export type RespType = 'ACK' | 'RESULT' | 'FULL';

/** `POST /api/v3/order` in the requested `newOrderRespType`. */
export function newOrderBody(r: OrderRecord, def: MarketDef, resp: RespType): Record<string, unknown> {
  const d = dp(def);
  const ack = { symbol: marketId(def), orderId: r.seq, orderListId: -1, clientOrderId: r.clientId, transactTime: r.createdAt };
  if (resp === 'ACK') return ack;
  const { symbol: _s, orderId: _o, orderListId: _l, clientOrderId: _c, ...rest } = core(r, def);
  const result = {
    ...ack,
    ...rest,
    price: fixed(r.intent.price ?? 0, d),
    origQuoteOrderQty: fixed(r.intent.quoteQty ?? 0, d),
    workingTime: r.createdAt,
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
  if (resp === 'RESULT') return result;
  return { ...result, fills: r.fills.map((f) => fillBody(f, d)) };
}

function fillBody(f: FillRecord, d: number): Record<string, unknown> {
  return { price: fixed(f.price, d), qty: fixed(f.quantity, d), commission: exactAtto(f.fee, d), commissionAsset: f.feeAsset, tradeId: f.tradeId };
}

/** `DELETE /api/v3/order`: `clientOrderId` is the cancel request's own id, as on Binance. */
export function cancelBody(r: OrderRecord, def: MarketDef, cancelClientId: string, ts: number): Record<string, unknown> {
  const { symbol, orderId, orderListId, clientOrderId, ...rest } = core(r, def);
  return {
    symbol,
    origClientOrderId: clientOrderId,
    orderId,
    orderListId,
    clientOrderId: cancelClientId,
    transactTime: ts,
    ...rest,
    origQuoteOrderQty: fixed(r.intent.quoteQty ?? 0, dp(def)),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

/** One `myTrades` row. */
export function tradeBody(r: OrderRecord, f: FillRecord, def: MarketDef): Record<string, unknown> {
  const d = dp(def);
  return {
    symbol: marketId(def),
    id: f.tradeId,
    orderId: r.seq,
    orderListId: -1,
    price: fixed(f.price, d),
    qty: fixed(f.quantity, d),
    quoteQty: exactAtto(f.notional, d),
    commission: exactAtto(f.fee, d),
    commissionAsset: f.feeAsset,
    time: f.ts,
    isBuyer: r.intent.side === 'buy',
    isMaker: f.liquidity === 'maker',
    isBestMatch: true,
  };
}

/** `GET /api/v3/account`. Commission fields follow Binance: integer bps in the legacy fields. */
export function accountBody(balances: ReadonlyMap<Asset, BalanceDetail>, maker: number, taker: number, now: number, omitZero: boolean) {
  const rows: Array<{ asset: string; free: string; locked: string }> = [];
  for (const [asset, b] of balances) {
    if (omitZero && b.free === 0n && b.locked === 0n) continue;
    rows.push({ asset, free: exactAtto(b.free), locked: exactAtto(b.locked) });
  }
  return {
    makerCommission: Math.round(maker * 10_000),
    takerCommission: Math.round(taker * 10_000),
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: fixed(maker), taker: fixed(taker), buyer: fixed(0), seller: fixed(0) },
    canTrade: true,
    canWithdraw: false,
    canDeposit: false,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: now,
    accountType: 'SPOT',
    balances: rows,
    permissions: ['SPOT'],
    uid: 1,
  };
}
