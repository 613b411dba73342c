/**
 * Everything the simulated venue keeps for one market: its rules in integer units, the data book,
 * our resting orders, bar-model orders waiting for a candle, the reference price, and references to
 * the two balance entries its fills move (so a fill does no map lookups).
 */
import { toAtto } from '../domain/money.ts';
import type { Atto, BookTop, MarketDef, TimeMs, VenueId } from '../domain/types.ts';
import { OrderBook } from './order-book.ts';
import { LotGrid, PriceGrid } from './price-grid.ts';
import { RestingOrders } from './resting-orders.ts';
import type { SimOrder } from './sim-order.ts';
import type { BalanceEntry } from './venue-balances.ts';

export interface FeeRates {
  readonly maker: number;
  readonly taker: number;
}

/** The last candle seen, kept so an order arriving exactly at its open time can still meet it. */
export interface CandleKeys {
  ts: TimeMs;
  open: number;
  openKey: number;
  highKey: number;
  lowKey: number;
}

export class MarketState {
  readonly def: MarketDef;
  readonly grid: PriceGrid;
  readonly lots: LotGrid;
  readonly fees: FeeRates;
  /** Fee rates in atto, so a fee is one multiply-and-round (same result as `mulRate`). */
  readonly makerAtto: Atto;
  readonly takerAtto: Atto;
  /**
   * Atto of quote per (price key × lot): notional = key × lots × unit, exactly `notionalAtto(price, qty)`
   * without the decimal conversions. 0n when the market's decimals do not allow it (then notionalAtto).
   */
  readonly notionalUnit: Atto;
  readonly book = new OrderBook();
  /** Resting buys (best = highest limit at the end). */
  readonly buys = new RestingOrders(1);
  /** Resting sells (best = lowest limit at the end). */
  readonly sells = new RestingOrders(-1);
  /** Bar model: market orders waiting, FIFO, for the first candle that opens at or after their arrival. */
  barPending: SimOrder[] = [];
  readonly base: BalanceEntry;
  readonly quote: BalanceEntry;
  /** Last trade price or last candle close. */
  lastPrice: number | undefined;
  /** Volume of the previous candle, sizing the next synthetic book. */
  prevVolume: number | undefined;
  lastCandle: CandleKeys | undefined;
  /** Time of the last market event applied to this market. */
  lastTs: TimeMs = 0;
  /** Top of book last published on book$ (0 = none), to publish only on change. */
  pubBid = 0;
  pubAsk = 0;
  pubLast = 0;

  constructor(def: MarketDef, fees: FeeRates, base: BalanceEntry, quote: BalanceEntry) {
    this.def = def;
    this.fees = fees;
    this.makerAtto = toAtto(fees.maker);
    this.takerAtto = toAtto(fees.taker);
    this.grid = new PriceGrid(def);
    this.lots = new LotGrid(def);
    const scale = BigInt(this.grid.scale);
    this.notionalUnit = this.lots.stepAtto % scale === 0n ? this.lots.stepAtto / scale : 0n;
    this.base = base;
    this.quote = quote;
  }

  restingFor(side: 'buy' | 'sell'): RestingOrders {
    return side === 'buy' ? this.buys : this.sells;
  }

  /** Reference price for valuation: last trade / candle close, else mid, else the one side there is. */
  mark(): number | undefined {
    if (this.lastPrice !== undefined) return this.lastPrice;
    const mid = this.book.midKey();
    if (mid > 0) return this.grid.price(mid);
    const one = this.book.bids.bestKey() || this.book.asks.bestKey();
    return one > 0 ? this.grid.price(one) : undefined;
  }

  /** True when best bid, best ask or mark moved since the last call that returned true. */
  topMoved(): boolean {
    const bid = this.book.bids.bestKey();
    const ask = this.book.asks.bestKey();
    const last = this.mark() ?? 0;
    if (bid === this.pubBid && ask === this.pubAsk && last === this.pubLast) return false;
    this.pubBid = bid;
    this.pubAsk = ask;
    this.pubLast = last;
    return true;
  }

  top(venue: VenueId, ts: TimeMs): BookTop {
    const { bids, asks } = this.book;
    const g = this.grid;
    return {
      ts,
      venue,
      symbol: this.def.symbol,
      bid: bids.len > 0 ? g.price(bids.bestKey()) : undefined,
      bidSize: bids.len > 0 ? bids.bestQty() : undefined,
      ask: asks.len > 0 ? g.price(asks.bestKey()) : undefined,
      askSize: asks.len > 0 ? asks.bestQty() : undefined,
      last: this.mark(),
    };
  }
}
