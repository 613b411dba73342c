/**
 * Binance public endpoints: ping, time, exchangeInfo, depth, ticker/bookTicker, ticker/24hr,
 * ticker/price. Books include our own resting orders, as the venue's do. Market data comes from
 * `core.market()` (frozen during a stream-silence fault); `time` follows the server clock (clock-skew).
 */
import type { MarketDef } from '../../domain/types.ts';
import { decimalsFor, fixed } from '../decimal.ts';
import type { Route } from '../http-server.ts';
import type { VenueCore } from '../venue-core.ts';
import type { MarketView } from '../venue-faults/market-freeze.ts';
import { intParam, isReply, ok, publicRoute, symbolParam, symbolsParam } from './common.ts';
import { marketId, symbolInfo } from './format.ts';

const RATE_LIMITS = [
  { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
  { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
  { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
  { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
];

function dp(def: MarketDef): number {
  return Math.max(8, decimalsFor(def.precision.price), decimalsFor(def.precision.amount));
}

function bookTicker(m: MarketView, def: MarketDef): Record<string, unknown> {
  const { bids, asks } = m.depth(def.symbol, 1);
  const d = dp(def);
  return {
    symbol: marketId(def),
    bidPrice: fixed(bids[0]?.[0] ?? 0, d),
    bidQty: fixed(bids[0]?.[1] ?? 0, d),
    askPrice: fixed(asks[0]?.[0] ?? 0, d),
    askQty: fixed(asks[0]?.[1] ?? 0, d),
  };
}

function ticker24h(m: MarketView, def: MarketDef, now: number): Record<string, unknown> {
  const s = m.stats(def.symbol);
  const d = dp(def);
  const last = s?.last ?? 0;
  const open = s?.open ?? 0;
  const change = last - open;
  return {
    symbol: marketId(def),
    priceChange: fixed(change, d),
    priceChangePercent: fixed(open > 0 ? (change / open) * 100 : 0, 3),
    weightedAvgPrice: fixed(s && s.volume > 0 ? s.quoteVolume / s.volume : last, d),
    prevClosePrice: fixed(open, d),
    lastPrice: fixed(last, d),
    lastQty: fixed(s?.lastQty ?? 0, d),
    ...(({ symbol: _, ...top }) => top)(bookTicker(m, def)),
    openPrice: fixed(open, d),
    highPrice: fixed(s?.high ?? 0, d),
    lowPrice: fixed(s?.low ?? 0, d),
    volume: fixed(s?.volume ?? 0, d),
    quoteVolume: fixed(s?.quoteVolume ?? 0, d),
    openTime: s?.openTime ?? now,
    closeTime: now,
    firstId: s && s.count > 0 ? 1 : -1,
    lastId: s && s.count > 0 ? s.count : -1,
    count: s?.count ?? 0,
  };
}

/** One object for `symbol`, an array otherwise. */
function perSymbol(core: VenueCore, p: URLSearchParams, f: (def: MarketDef) => unknown) {
  const defs = symbolsParam(core, p);
  if (isReply(defs)) return defs;
  return ok(p.get('symbol') !== null ? f(defs[0]!) : defs.map(f));
}

export function marketRoutes(core: VenueCore): Record<string, Route> {
  return {
    'GET /api/v3/ping': publicRoute('time', () => ok({})),
    'GET /api/v3/time': publicRoute('time', () => ok({ serverTime: core.serverNow() })),
    'GET /api/v3/exchangeInfo': publicRoute('market', (p) => {
      const defs = symbolsParam(core, p);
      if (isReply(defs)) return defs;
      return ok({ timezone: 'UTC', serverTime: core.serverNow(), rateLimits: RATE_LIMITS, exchangeFilters: [], symbols: defs.map(symbolInfo) });
    }),
    'GET /api/v3/depth': publicRoute('market', (p) => {
      const def = symbolParam(core, p);
      if (isReply(def)) return def;
      const limit = intParam(p, 'limit', 1, 5000);
      if (isReply(limit)) return limit;
      const m = core.market();
      const { bids, asks } = m.depth(def.symbol, limit ?? 100);
      const d = dp(def);
      const row = ([price, qty]: [number, number]) => [fixed(price, d), fixed(qty, d)];
      return ok({ lastUpdateId: m.updateId, bids: bids.map(row), asks: asks.map(row) });
    }),
    'GET /api/v3/ticker/bookTicker': publicRoute('market', (p) => {
      const m = core.market();
      return perSymbol(core, p, (def) => bookTicker(m, def));
    }),
    'GET /api/v3/ticker/24hr': publicRoute('market', (p) => {
      const m = core.market();
      const now = m.now();
      return perSymbol(core, p, (def) => ticker24h(m, def, now));
    }),
    'GET /api/v3/ticker/price': publicRoute('market', (p) => {
      const m = core.market();
      return perSymbol(core, p, (def) => ({ symbol: marketId(def), price: fixed(m.stats(def.symbol)?.last ?? 0, dp(def)) }));
    }),
  };
}
