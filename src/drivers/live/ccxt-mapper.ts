/**
 * ccxt's unified structures ↔ tradeflow's types. Pure functions, no I/O.
 *
 * Exactness: ccxt hands numbers over as doubles parsed from the venue's decimal strings. A double's
 * shortest form is the venue's string whenever it has ≤ 15 significant digits, which covers prices and
 * quantities; balances and fees can be longer (a KRW balance with 8 decimals), so where the raw venue
 * string is at hand in `info` it is used instead — after checking that it says the same thing as ccxt's
 * number, so that a field that means something else on another venue is never picked up.
 */
import type { Balances as CcxtBalances, Market, MarketInterface, Order, Trade } from 'ccxt';
import { ConfigError, VenueRejectedError } from '../../core/errors.ts';
import { formatAtto, mulAtto, parseAtto, toAtto } from '../../domain/money.ts';
import { decimalsOf } from '../../domain/precision.ts';
import type { Asset, Atto, MarketDef, MinMax, OrderFilled, OrderSnapshot, OrderStatus, Side, SubmitOrder, VenueId } from '../../domain/types.ts';

/** ccxt's precision modes (ccxt/js/src/base/functions/number.js). */
export const PrecisionModes = { DECIMAL_PLACES: 2, SIGNIFICANT_DIGITS: 3, TICK_SIZE: 4 } as const;

export interface MarketOptions {
  /** The exchange's `precisionMode`; TICK_SIZE (Binance, Upbit) unless told. */
  readonly precisionMode?: number;
  /** Needed only in SIGNIFICANT_DIGITS mode, where the tick depends on the price's magnitude. */
  readonly referencePrice?: number;
}

/** A ccxt market as tradeflow's MarketDef: precision converted to tick/step sizes. */
export function marketFromCcxt(venue: VenueId, market: Market | MarketInterface, opts: MarketOptions = {}): MarketDef {
  if (!market) throw new ConfigError(`${venue}: no such market in ccxt's list`, { venue });
  const m: MarketInterface = market;
  const mode = opts.precisionMode ?? PrecisionModes.TICK_SIZE;
  const where = `${venue} ${m.symbol}`;
  const tick = toStep(m.precision.price, mode, opts.referencePrice, `${where}: precision.price`);
  const step = toStep(m.precision.amount, mode, m.limits?.amount?.min ?? 1, `${where}: precision.amount`);
  return {
    venue,
    symbol: m.symbol,
    ...(m.id ? { id: m.id } : {}),
    base: m.base,
    quote: m.quote,
    precision: { price: tick, amount: step },
    limits: { amount: minMax(m.limits?.amount), price: minMax(m.limits?.price), cost: minMax(m.limits?.cost) },
    ...(typeof m.maker === 'number' ? { maker: m.maker } : {}),
    ...(typeof m.taker === 'number' ? { taker: m.taker } : {}),
  };
}

function toStep(value: number | undefined, mode: number, reference: number | undefined, field: string): number {
  if (typeof value !== 'number' || !(value >= 0)) throw new ConfigError(`${field}: ccxt reports no precision`, { field });
  if (mode === PrecisionModes.TICK_SIZE) return value;
  if (mode === PrecisionModes.DECIMAL_PLACES) return Number(`1e-${value}`);
  if (mode === PrecisionModes.SIGNIFICANT_DIGITS) {
    if (reference === undefined || !(reference > 0)) {
      throw new ConfigError(`${field}: significant-digits precision needs a reference price to become a tick`, { field });
    }
    // n significant digits at magnitude 10^e leave a step of 10^(e − n + 1).
    return Number(`1e${Math.floor(Math.log10(reference)) - value + 1}`);
  }
  throw new ConfigError(`${field}: unknown ccxt precisionMode ${mode}`, { field });
}

function minMax(v: { min?: number | undefined; max?: number | undefined } | undefined): MinMax {
  return {
    ...(typeof v?.min === 'number' ? { min: v.min } : {}),
    ...(typeof v?.max === 'number' ? { max: v.max } : {}),
  };
}

/** ccxt's order status plus the filled quantity → tradeflow's status. */
export function statusFromCcxt(status: string | undefined, filled: number | undefined, amount: number | undefined): OrderStatus {
  const some = (filled ?? 0) > 0;
  switch (status) {
    case 'open':
      return some ? 'partially_filled' : 'open';
    case 'closed':
      return 'filled';
    case 'canceled':
    case 'cancelled':
      return 'canceled'; // with a filled part kept, if any (RELIABILITY rule 4)
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    default:
      if (some && amount !== undefined && (filled ?? 0) >= amount) return 'filled';
      return some ? 'partially_filled' : 'unknown';
  }
}

/** The venue's view of one order. */
export function orderSnapshotFromCcxt(venue: VenueId, o: Order, fallback: { clientId?: string; symbol?: string; ts?: number } = {}): OrderSnapshot {
  const type = o.type === 'market' ? 'market' : 'limit';
  const filled = o.filled ?? 0;
  const clientId = o.clientOrderId ?? fallback.clientId;
  return {
    ...(clientId ? { clientId } : {}),
    exchangeId: String(o.id),
    venue,
    symbol: o.symbol ?? fallback.symbol ?? '',
    side: o.side === 'sell' ? 'sell' : 'buy',
    type,
    // Upbit market buys are by cost: no amount until filled.
    quantity: o.amount ?? filled,
    // A market order's `price` is, on Upbit, the quote budget: not a limit price.
    ...(type === 'limit' && typeof o.price === 'number' ? { price: o.price } : {}),
    filled,
    status: statusFromCcxt(o.status, o.filled, o.amount),
    ts: o.lastUpdateTimestamp ?? o.lastTradeTimestamp ?? o.timestamp ?? fallback.ts ?? 0,
  };
}

/** One of our fills from a ccxt trade; `opts` stands in for what the trade lacks (id, order, time, side). */
export function fillFromCcxtTrade(
  t: Trade,
  clientId: string,
  market: MarketDef,
  opts: { tradeId?: string; ts?: number; exchangeId?: string; side?: Side } = {},
): OrderFilled {
  const info = (t.info ?? {}) as Record<string, unknown>;
  // ccxt leaves side, order id and time unset on the fills embedded in a Binance order response.
  const side: Side = t.side === 'sell' || t.side === 'buy' ? t.side : (opts.side ?? 'buy');
  const price = exact(info.price, t.price, 'price');
  const quantity = exact(info.qty ?? info.volume ?? info.executedQty, t.amount, 'amount');
  const feeCost = t.fee?.cost as number | string | undefined; // ccxt's Upbit parser leaves some fee costs as strings
  const feeInfo = info.commission ?? (side === 'buy' ? info.bid_fee : info.ask_fee);
  const fee = feeCost === undefined || feeCost === null ? 0n : exact(feeInfo, Number(feeCost), 'fee');
  const tradeId = t.id ?? opts.tradeId;
  const exchangeId = t.order ?? opts.exchangeId;
  if (!tradeId || !exchangeId) throw new RangeError(`${market.venue} ${market.symbol}: trade without ${tradeId ? 'order' : 'trade'} id`);
  return Object.freeze({
    kind: 'OrderFilled',
    clientId,
    venue: market.venue,
    symbol: market.symbol,
    ts: t.timestamp ?? opts.ts ?? 0,
    exchangeId: String(exchangeId),
    tradeId: String(tradeId),
    side,
    price: Number(formatAtto(price)),
    quantity: Number(formatAtto(quantity)),
    notional: mulAtto(price, quantity),
    fee,
    feeAsset: t.fee?.currency ?? market.quote,
    liquidity: t.takerOrMaker === 'maker' ? 'maker' : 'taker', // Upbit's trades do not say: taker
  });
}

/**
 * The exact value of a ccxt number: the venue's raw string when it agrees with the number (it is the
 * same value without float noise), else the number's shortest decimal form.
 */
export function exact(raw: unknown, value: number | string | undefined, what = 'value'): Atto {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof raw === 'string' && n !== undefined && Number.isFinite(n)) {
    try {
      const parsed = parseAtto(raw);
      if (Math.abs(Number(raw) - n) <= 1e-12 * Math.max(1, Math.abs(n))) return parsed;
    } catch {
      // not a decimal: fall back to ccxt's number
    }
  }
  if (n === undefined || !Number.isFinite(n)) throw new RangeError(`ccxt gave no ${what}`);
  return toAtto(n);
}

/** Arguments of `exchange.createOrder(symbol, type, side, amount, price, params)`. */
export interface CcxtOrderCall {
  readonly symbol: string;
  readonly type: 'market' | 'limit';
  readonly side: 'buy' | 'sell';
  readonly amount: number;
  readonly price: number | undefined;
  readonly params: Readonly<Record<string, string | number>>;
}

export interface OrderParamsOptions {
  readonly market?: MarketDef;
  /** Price to turn a market buy's quantity into a quote budget (best ask, else last). */
  readonly referencePrice?: number;
  /** Market buys are sized by cost on this venue (Upbit `ord_type=price`); default: venue is upbit. */
  readonly marketBuyByCost?: boolean;
}

/**
 * The ccxt call for a SubmitOrder.
 * - `clientOrderId` is ccxt's unified param: Binance sends it as `newClientOrderId`, Upbit as `identifier`.
 * - `maxRetriesOnFailure: 0`: fetch2 reads it from params (before options) and strips it before signing,
 *   so this one POST is never resent by ccxt whatever the exchange's options say.
 * - A market order gets no price: on Binance a price would turn it into a `quoteOrderQty` order.
 * - Upbit market BUYs are by cost: `cost` = quantity × reference price, rounded down to the quote's
 *   precision (whole KRW on tick-table markets), so the order never spends more than asked.
 */
export function orderParams(venue: VenueId, cmd: SubmitOrder, opts: OrderParamsOptions = {}): CcxtOrderCall {
  const params: Record<string, string | number> = { clientOrderId: cmd.clientId, maxRetriesOnFailure: 0 };
  if (cmd.type === 'limit') {
    if (cmd.price === undefined) throw new RangeError(`order ${cmd.clientId}: a limit order needs a price`);
    return { symbol: cmd.symbol, type: 'limit', side: cmd.side, amount: cmd.quantity, price: cmd.price, params };
  }
  if (cmd.side === 'buy' && (opts.marketBuyByCost ?? venue === 'upbit')) {
    const ref = opts.referencePrice;
    if (ref === undefined || !(ref > 0)) {
      throw new VenueRejectedError(`order ${cmd.clientId}: ${venue} market buys are by cost and no reference price is known for ${cmd.symbol}`, {
        code: 'NO_REFERENCE_PRICE',
      });
    }
    const decimals = opts.market?.tickTable?.length ? 0 : opts.market ? decimalsOf(opts.market.precision.price) : 8;
    params.cost = formatAtto(truncateTo(mulAtto(toAtto(cmd.quantity), toAtto(ref)), decimals));
  }
  return { symbol: cmd.symbol, type: 'market', side: cmd.side, amount: cmd.quantity, price: undefined, params };
}

function truncateTo(v: Atto, decimals: number): Atto {
  const unit = 10n ** BigInt(Math.max(0, 18 - decimals));
  return v - (v % unit);
}

/**
 * Total (free + locked) per asset, zero balances left out. Binance (`info.balances[]` of
 * asset/free/locked) and Upbit (`info[]` of currency/balance/locked) are read from their strings.
 */
export function balancesFromCcxt(b: CcxtBalances, codeOf: (venueId: string) => Asset = (id) => id): Map<Asset, Atto> {
  const raw = new Map<Asset, Atto>();
  const rows: unknown = Array.isArray(b.info) ? b.info : (b.info as { balances?: unknown } | undefined)?.balances;
  if (Array.isArray(rows)) {
    for (const r of rows as Array<Record<string, unknown>>) {
      const id = r.asset ?? r.currency;
      const free = r.free ?? r.balance;
      if (typeof id !== 'string' || typeof free !== 'string' || typeof r.locked !== 'string') continue;
      try {
        raw.set(codeOf(id), parseAtto(free) + parseAtto(r.locked));
      } catch {
        // leave it to ccxt's number
      }
    }
  }
  const out = new Map<Asset, Atto>();
  const totals = (b as unknown as { total?: Record<string, number | undefined> }).total ?? {};
  for (const [asset, total] of Object.entries(totals)) {
    if (typeof total !== 'number' || !Number.isFinite(total)) continue;
    const fromInfo = raw.get(asset);
    const v = fromInfo !== undefined && Math.abs(Number(formatAtto(fromInfo)) - total) <= 1e-12 * Math.max(1, total) ? fromInfo : toAtto(total);
    if (v !== 0n) out.set(asset, v);
  }
  return out;
}

/** Params that make ccxt's fetchOrder/cancelOrder find an order by our client id (with no exchange id). */
export function lookupParams(venue: VenueId, clientId: string): Record<string, string> {
  // ccxt's Upbit methods read the raw `identifier`; Binance (and most) read the unified `clientOrderId`.
  return venue === 'upbit' ? { identifier: clientId } : { clientOrderId: clientId };
}
