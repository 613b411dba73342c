/**
 * Builds the ccxt exchange a live (or paper) driver talks to: validated venue id, rate limiter on,
 * ccxt's retries off, spot-only market loading, optional testnet, and — for the emulator and for every
 * test — all of its URLs pointed at one base URL so that nothing can reach the real venue.
 */
import ccxt, { type Exchange } from 'ccxt';
import { ConfigError } from '../../core/errors.ts';
import type { VenueId } from '../../domain/types.ts';

export interface CcxtExchangeOptions {
  readonly apiKey?: string;
  readonly secret?: string;
  /** The venue's testnet through ccxt's `setSandboxMode(true)`. */
  readonly sandbox?: boolean;
  /** Send every request here instead (an emulator): every URL of `urls.api` (and `urls.test`) is rewritten. */
  readonly baseUrl?: string;
  /** Build ccxt.pro's class (watchOrders/watchMyTrades) instead of the REST one. */
  readonly websocket?: boolean;
  /** ccxt's request timeout (ms): how long a request may go unanswered before its outcome is unknown. */
  readonly timeoutMs?: number;
}

/**
 * Options for every venue: spot markets only, no retries by ccxt (an order POST must never be resent
 * by the library — RELIABILITY.md), and Binance's open-orders-without-symbol warning (a thrown error in
 * ccxt 4.5) off, since reconciliation asks for all open orders on purpose.
 */
const COMMON_OPTIONS = {
  defaultType: 'spot',
  maxRetriesOnFailure: 0,
  warnOnFetchOpenOrdersWithoutSymbol: false,
} as const;

/** Per venue: what keeps `loadMarkets()` to the spot endpoints. */
const SPOT_ONLY: Readonly<Record<string, Record<string, unknown>>> = {
  // Without these, Binance's loadMarkets also calls the futures APIs (fapi/dapi) and the private
  // private /sapi capital and margin-pair endpoints (which need keys and are not spot trading).
  binance: { fetchCurrencies: false, fetchMargins: false, fetchMarkets: { types: ['spot'] } },
};

export function isCcxtExchangeId(venue: string): boolean {
  return (ccxt.exchanges as readonly string[]).includes(venue);
}

export function createCcxtExchange(venue: VenueId, o: CcxtExchangeOptions = {}): Exchange {
  if (!isCcxtExchangeId(venue)) {
    throw new ConfigError(`"${venue}" is not a ccxt exchange id (e.g. binance, upbit, kraken)`, { field: 'venue', venue });
  }
  const classes = (o.websocket ? ccxt.pro : ccxt) as unknown as Record<string, new (config: object) => Exchange>;
  const Ctor = classes[venue];
  if (!Ctor) throw new ConfigError(`ccxt has no ${o.websocket ? 'websocket (ccxt.pro) ' : ''}class for "${venue}"`, { field: 'venue', venue });
  const ex = new Ctor({
    enableRateLimit: true,
    ...(o.timeoutMs !== undefined ? { timeout: o.timeoutMs } : {}),
    ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}),
    ...(o.secret !== undefined ? { secret: o.secret } : {}),
    options: { ...COMMON_OPTIONS, ...SPOT_ONLY[venue] },
  });
  if (o.sandbox) {
    // ccxt's setSandboxMode swaps in `urls.test` whenever the key exists — Upbit's is empty, which
    // would leave the exchange with no URLs at all — so a testnet must actually be listed.
    const test = (ex.urls as Record<string, unknown>).test;
    const listed = typeof test === 'string' ? test.length > 0 : test !== null && typeof test === 'object' && Object.keys(test).length > 0;
    if (!listed) throw new ConfigError(`${venue} has no testnet in ccxt (--sandbox)`, { field: 'sandbox', venue });
    ex.setSandboxMode(true);
  }
  if (o.baseUrl !== undefined) pointCcxtAt(ex, o.baseUrl);
  return ex;
}

/**
 * Rewrites every URL of the exchange (`urls.api`, and `urls.test` so that a later switch to sandbox
 * cannot escape either) to `baseUrl`, keeping each URL's path: Binance's `https://api.binance.com/api/v3`
 * becomes `http://127.0.0.1:8080/api/v3`, Upbit's `https://{hostname}` becomes `http://127.0.0.1:8080`.
 * Websocket URLs keep their path and get the ws:// form of the base.
 */
export function pointCcxtAt(ex: Exchange, baseUrl: string): void {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new ConfigError(`exchange URL "${baseUrl}" is not a URL (expected e.g. http://127.0.0.1:8080)`, { field: 'exchange-url' });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new ConfigError(`exchange URL "${baseUrl}" must be http(s)`, { field: 'exchange-url' });
  }
  const prefix = `${base.host}${base.pathname.replace(/\/+$/, '')}`;
  const wsScheme = base.protocol === 'https:' ? 'wss' : 'ws';
  const rewrite = (url: string): string =>
    url.replace(/^(https?|wss?):\/\/[^/]+/, (_m, scheme: string) => `${scheme.startsWith('ws') ? wsScheme : base.protocol.slice(0, -1)}://${prefix}`);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return rewrite(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const urls = ex.urls as Record<string, unknown>;
  for (const key of ['api', 'test', 'apiBackup']) if (urls[key] !== undefined) urls[key] = walk(urls[key]);
}
