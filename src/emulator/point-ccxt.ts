/**
 * Pointing a ccxt exchange at an emulator (or any other base URL): every URL under `exchange.urls.api`
 * keeps its path and gets the new origin, so `https://api.binance.com/api/v3` becomes
 * `http://127.0.0.1:PORT/api/v3` and Upbit's `https://{hostname}` becomes `http://127.0.0.1:PORT`.
 * The live driver uses this for `--exchange-url VENUE=URL`.
 *
 * ccxt's binance also picks its error table by URL (`getExceptionsByUrl`: spot codes such as -1008 →
 * OperationFailed apply only to `https://api.binance.com/...`). Left alone, the same venue error would
 * surface as a different ccxt class against the emulator than against the venue, and tradeflow's error
 * classification would be tested on the wrong classes; so the rewritten URLs are mapped back there.
 */

/** The part of a ccxt Exchange this touches. */
export interface CcxtUrlsHolder {
  urls: { api?: unknown };
}

const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/]+/i;

function rebase(value: unknown, base: string, pairs: Array<[string, string]>): unknown {
  if (typeof value === 'string') {
    if (!ORIGIN.test(value)) return value;
    const moved = value.replace(ORIGIN, base);
    pairs.push([moved, value]);
    return moved;
  }
  if (Array.isArray(value)) return value.map((v) => rebase(v, base, pairs));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = rebase(v, base, pairs);
    return out;
  }
  return value;
}

type ExceptionsByUrl = (url: string | undefined, exactOrBroad: string) => unknown;

/** Rewrites every `exchange.urls.api` URL to `baseUrl` (scheme, host, port and any path prefix). */
export function pointCcxtAt(exchange: CcxtUrlsHolder, baseUrl: string): void {
  const parsed = new URL(baseUrl);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new RangeError(`pointCcxtAt: not an http(s) URL: ${baseUrl}`);
  const base = baseUrl.replace(/\/+$/, '');
  const pairs: Array<[moved: string, original: string]> = [];
  exchange.urls.api = rebase(exchange.urls.api, base, pairs);
  pairs.sort((a, b) => b[0].length - a[0].length);

  const holder = exchange as CcxtUrlsHolder & { getExceptionsByUrl?: ExceptionsByUrl };
  const byUrl = holder.getExceptionsByUrl;
  if (typeof byUrl !== 'function') return;
  const original = byUrl.bind(exchange);
  holder.getExceptionsByUrl = (url, exactOrBroad) => {
    const hit = typeof url === 'string' ? pairs.find(([moved]) => url.startsWith(moved)) : undefined;
    return original(hit ? hit[1] + url!.slice(hit[0].length) : url, exactOrBroad);
  };
}

/**
 * ccxt options (pass to the constructor) that keep `loadMarkets` on the endpoints a venue emulator
 * serves. Binance: markets from spot `exchangeInfo` only — no futures/options exchangeInfo, no SAPI
 * currency or margin-pair calls (private SAPI endpoints the emulator does not speak). Upbit needs none.
 */
export function emulatorCcxtOptions(venue: string): Record<string, unknown> {
  if (venue === 'binance') return { fetchCurrencies: false, fetchMargins: false, fetchMarkets: { types: ['spot'] } };
  return {};
}
