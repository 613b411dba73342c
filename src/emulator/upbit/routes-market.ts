/**
 * Upbit quotation endpoints: `GET /v1/market/all`, `/v1/orderbook`, `/v1/ticker`, `/v1/ticker/all`.
 * Numbers are JSON numbers here (unlike the exchange endpoints); books include our resting orders.
 * Books and tickers come from `core.market()`, frozen with their timestamps during a stream-silence.
 */
import type { MarketDef } from '../../domain/types.ts';
import type { HttpReply, Route } from '../http-server.ts';
import type { VenueCore } from '../venue-core.ts';
import type { MarketView } from '../venue-faults/market-freeze.ts';
import { ok, publicRoute, type Params } from './common.ts';
import { UpbitErrors } from './errors.ts';
import { marketId } from './format.ts';

/** Markets named by the comma-separated `markets` parameter; a 404 "Code not found" for an unknown one. */
function marketsParam(core: VenueCore, p: Params): MarketDef[] | HttpReply {
  const text = p.get('markets');
  if (text === undefined || text === '') return UpbitErrors.validation('markets');
  const out: MarketDef[] = [];
  for (const id of text.split(',')) {
    const def = core.marketById(id.trim());
    if (def === undefined) return UpbitErrors.codeNotFound();
    out.push(def);
  }
  return out;
}

const isReply = (x: unknown): x is HttpReply => !Array.isArray(x);

function ymd(ts: number, offsetMs: number): { date: string; time: string } {
  const iso = new Date(ts + offsetMs).toISOString();
  return { date: iso.slice(0, 10).replace(/-/g, ''), time: iso.slice(11, 19).replace(/:/g, '') };
}

function ticker(m: MarketView, def: MarketDef, now: number): Record<string, unknown> {
  const s = m.stats(def.symbol);
  const last = s?.last ?? 0;
  const open = s?.open ?? 0;
  const change = last - open;
  const ts = s?.ts ?? now;
  const utc = ymd(ts, 0);
  const kst = ymd(ts, 9 * 3600_000);
  const day = new Date(ts).toISOString().slice(0, 10);
  return {
    market: marketId(def),
    trade_date: utc.date,
    trade_time: utc.time,
    trade_date_kst: kst.date,
    trade_time_kst: kst.time,
    trade_timestamp: ts,
    opening_price: open,
    high_price: s?.high ?? 0,
    low_price: s?.low ?? 0,
    trade_price: last,
    prev_closing_price: open,
    change: change > 0 ? 'RISE' : change < 0 ? 'FALL' : 'EVEN',
    change_price: Math.abs(change),
    change_rate: open > 0 ? Math.abs(change) / open : 0,
    signed_change_price: change,
    signed_change_rate: open > 0 ? change / open : 0,
    trade_volume: s?.lastQty ?? 0,
    acc_trade_price: s?.quoteVolume ?? 0,
    acc_trade_price_24h: s?.quoteVolume ?? 0,
    acc_trade_volume: s?.volume ?? 0,
    acc_trade_volume_24h: s?.volume ?? 0,
    highest_52_week_price: s?.high ?? 0,
    highest_52_week_date: day,
    lowest_52_week_price: s?.low ?? 0,
    lowest_52_week_date: day,
    timestamp: now,
  };
}

function orderbook(m: MarketView, def: MarketDef, count: number, now: number): Record<string, unknown> {
  const { bids, asks } = m.depth(def.symbol, count);
  // Units pair the i-th ask with the i-th bid; a side with fewer levels shows zeros (never on the venue).
  const n = Math.max(bids.length, asks.length);
  const units = [];
  let totalAsk = 0;
  let totalBid = 0;
  for (let i = 0; i < n; i++) {
    const [ap, as] = asks[i] ?? [0, 0];
    const [bp, bs] = bids[i] ?? [0, 0];
    totalAsk += as;
    totalBid += bs;
    units.push({ ask_price: ap, bid_price: bp, ask_size: as, bid_size: bs });
  }
  return { market: marketId(def), timestamp: now, total_ask_size: totalAsk, total_bid_size: totalBid, orderbook_units: units, level: 0 };
}

export function marketRoutes(core: VenueCore): Record<string, Route> {
  return {
    'GET /v1/market/all': publicRoute('market', () =>
      ok(
        [...core.markets.values()].map((def) => ({
          market: marketId(def),
          korean_name: def.base,
          english_name: def.base,
          market_event: { warning: false, caution: {} },
        })),
      ),
    ),
    'GET /v1/orderbook': publicRoute('market', (p) => {
      const defs = marketsParam(core, p);
      if (isReply(defs)) return defs;
      const count = Number(p.get('count') ?? 30);
      if (!Number.isInteger(count) || count < 1 || count > 30) return UpbitErrors.validation('count');
      const m = core.market();
      return ok(defs.map((def) => orderbook(m, def, count, m.now())));
    }),
    'GET /v1/ticker': publicRoute('market', (p) => {
      const defs = marketsParam(core, p);
      if (isReply(defs)) return defs;
      const m = core.market();
      return ok(defs.map((def) => ticker(m, def, m.now())));
    }),
    'GET /v1/ticker/all': publicRoute('market', (p) => {
      const quotes = (p.get('quote_currencies') ?? '').split(',').filter((q) => q !== '');
      const m = core.market();
      const defs = [...core.markets.values()].filter((d) => quotes.length === 0 || quotes.includes(d.quote));
      return ok(defs.map((def) => ticker(m, def, m.now())));
    }),
  };
}
