/**
 * Offline ccxt exchanges for the live driver's unit tests: real ccxt Binance/Upbit objects whose URLs
 * point at 127.0.0.1 (nothing may reach a real venue), with markets parsed by ccxt itself from the
 * venues' documented raw shapes, and the HTTP transport (`exchange.fetch`) replaced by a script.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Exchange } from 'ccxt';
import { createCcxtExchange } from '../../../src/drivers/live/create-exchange.ts';

export const NOWHERE = 'http://127.0.0.1:9';
export const SHARED_CCXT = path.resolve(import.meta.dirname, '../../../../shared/data/ccxt');
export const BINANCE_RECORDED = path.join(SHARED_CCXT, 'static_response_extract/binance.json');
export const UPBIT_RECORDED = path.join(SHARED_CCXT, 'ts/src/test/static/response/upbit.json');

/** ccxt's recorded `parsedResponse` of a method (its static response tests). */
export function recorded(file: string, method: string, index = 0): any {
  if (!existsSync(file)) throw new Error(`missing ${file}`);
  return JSON.parse(readFileSync(file, 'utf8')).methods[method][index].parsedResponse;
}

/** Binance's exchangeInfo entry for BTCUSDT, as documented (PRICE_FILTER, LOT_SIZE, NOTIONAL). */
export const BINANCE_BTCUSDT_RAW = {
  symbol: 'BTCUSDT',
  status: 'TRADING',
  baseAsset: 'BTC',
  baseAssetPrecision: 8,
  quoteAsset: 'USDT',
  quotePrecision: 8,
  quoteAssetPrecision: 8,
  orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
  icebergAllowed: true,
  ocoAllowed: true,
  isSpotTradingAllowed: true,
  isMarginTradingAllowed: true,
  filters: [
    { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
    { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
    { filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
  ],
  permissions: [],
  permissionSets: [['SPOT', 'MARGIN']],
};

export const SECRET = 'TOP-SECRET-9f8e7d6c5b4a';
export const API_KEY = 'API-KEY-0123456789abcdef';

/** A ccxt exchange that cannot reach anything, with BTC/USDT (Binance) or BTC/KRW (Upbit) loaded. */
export function offlineExchange(venue: 'binance' | 'upbit', creds = true): Exchange {
  const ex = createCcxtExchange(venue, { baseUrl: NOWHERE, ...(creds ? { apiKey: API_KEY, secret: SECRET } : {}) });
  const anyEx = ex as any;
  if (venue === 'binance') {
    anyEx.options.crossMarginPairsData = [];
    anyEx.options.isolatedMarginPairsData = [];
    ex.setMarkets([anyEx.parseMarket(BINANCE_BTCUSDT_RAW)]);
  } else {
    ex.setMarkets([anyEx.parseMarket({ market: 'KRW-BTC', korean_name: '비트코인', english_name: 'Bitcoin' })]);
  }
  return ex;
}

export interface WireRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

export interface WireReply {
  readonly status?: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * Replaces the exchange's transport (install it BEFORE constructing a LiveExchange, whose probe wraps
 * `fetch`): each request is recorded and answered by `respond`, and the answer goes through ccxt's own
 * response handling (`handleRestResponse` → `handleErrors` → status table), exactly as a real response
 * would. `respond` may also throw, as ccxt's fetch does for timeouts and refused connections.
 */
export function scriptTransport(ex: Exchange, respond: (req: WireRequest, n: number) => WireReply | Promise<WireReply>): WireRequest[] {
  const seen: WireRequest[] = [];
  const anyEx = ex as any;
  anyEx.fetch = async (url: string, method: string, headers: Record<string, string>, body: string | undefined) => {
    const req = { url, method, headers, body };
    seen.push(req);
    const r = await respond(req, seen.length);
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    const response = { status: r.status ?? 200, statusText: '', headers: r.headers ?? {}, text: async () => text };
    return anyEx.handleRestResponse(response, url, method, headers, body);
  };
  return seen;
}
