/**
 * Money for the simulated venue: what an order must reserve, how many lots a market buy can pay for,
 * and what one fill does to balances. Every amount is exact atto, charged in the quote asset:
 * notional = price × quantity (what `notionalAtto` gives), fee = round-half-away(rate × notional)
 * (what `mulRate` gives). Both are computed from integer keys and lots here because this runs once
 * per fill on the hot path; test/sim checks they equal the money.ts functions.
 */
import { InvariantError } from '../core/errors.ts';
import { ATTO_PER_UNIT, notionalAtto, roundHalfAwayDiv } from '../domain/money.ts';
import type { Atto, Liquidity, OrderEvent, TimeMs, VenueId } from '../domain/types.ts';
import type { MarketState } from './market-state.ts';
import type { SimOrder } from './sim-order.ts';
import type { BalanceEntry } from './venue-balances.ts';

/** What the matching functions need from the venue: funds and the effect of a fill. */
export interface FillSink {
  /** Lots of `order` that can be paid for at `priceKey` (only market buys are ever short). */
  affordable(order: SimOrder, m: MarketState, priceKey: number, lots: number, liquidity: Liquidity): number;
  fill(order: SimOrder, m: MarketState, priceKey: number, lots: number, liquidity: Liquidity, ts: TimeMs): void;
  /** Ends an open order as canceled or expired, releasing what is left of its reservation. */
  end(order: SimOrder, m: MarketState, status: 'canceled' | 'expired', reason: string, ts: TimeMs): void;
}

/** Exact notional of `lots` lots at price `key`, in quote atto. */
export function notionalOf(m: MarketState, key: number, lots: number): Atto {
  const unit = m.notionalUnit;
  if (unit === 0n) return notionalAtto(m.grid.price(key), m.lots.qty(lots));
  const kl = key * lots;
  return (Number.isSafeInteger(kl) ? BigInt(kl) : BigInt(key) * BigInt(lots)) * unit;
}

/** Fee on `notional` at a rate given in atto: round half away from zero, as `mulRate`. */
export function feeOf(notional: Atto, rateAtto: Atto): Atto {
  return rateAtto === 0n ? 0n : roundHalfAwayDiv(notional * rateAtto, ATTO_PER_UNIT);
}

export class Settlement implements FillSink {
  private tradeSeq = 0;
  private readonly venue: VenueId;
  private readonly emit: (e: OrderEvent) => void;
  private readonly onFinal: (o: SimOrder) => void;

  constructor(venue: VenueId, emit: (e: OrderEvent) => void, onFinal: (o: SimOrder) => void) {
    this.venue = venue;
    this.emit = emit;
    this.onFinal = onFinal;
  }

  /** Quote cost (notional + fee) of `lots` lots at `key`. */
  cost(m: MarketState, key: number, lots: number, liquidity: Liquidity): Atto {
    const notional = notionalOf(m, key, lots);
    return notional + feeOf(notional, liquidity === 'maker' ? m.makerAtto : m.takerAtto);
  }

  /** Whether `free` pays for `lots` at `key`; a float estimate settles the clear cases without bigints. */
  canPay(m: MarketState, free: Atto, key: number, lots: number, liquidity: Liquidity): boolean {
    const rate = liquidity === 'maker' ? m.fees.maker : m.fees.taker;
    const approx = ((key * lots * m.lots.step) / m.grid.scale) * (1 + rate) * 1e18;
    const f = Number(free);
    if (f > approx * (1 + 1e-9) + 1e3) return true;
    if (f < approx * (1 - 1e-9) - 1e3) return false;
    return this.cost(m, key, lots, liquidity) <= free;
  }

  /**
   * Quote a limit buy locks at acceptance: notional at its limit plus the fee at the higher of the two
   * rates (it may fill as taker), plus 1 atto per lot because per-fill fee rounding can add up to half
   * an atto per fill over the fee of the whole.
   */
  buyReservation(m: MarketState, key: number, lots: number): Atto {
    const liquidity: Liquidity = m.fees.maker > m.fees.taker ? 'maker' : 'taker';
    return this.cost(m, key, lots, liquidity) + BigInt(lots);
  }

  affordable(o: SimOrder, m: MarketState, key: number, lots: number, liquidity: Liquidity): number {
    if (o.funded) return lots;
    const free = m.quote.free;
    if (this.canPay(m, free, key, lots, liquidity)) return lots;
    // Estimate from the cost of one lot, then settle on the exact boundary (a step or two at most).
    const one = this.cost(m, key, 1, liquidity);
    let n = one > 0n ? Math.min(lots, Number(free / one)) : lots;
    while (n < lots && this.cost(m, key, n + 1, liquidity) <= free) n++;
    while (n > 0 && this.cost(m, key, n, liquidity) > free) n--;
    return n;
  }

  fill(o: SimOrder, m: MarketState, key: number, lots: number, liquidity: Liquidity, ts: TimeMs): void {
    const remaining = o.lots - o.filledLots;
    if (!(lots > 0 && lots <= remaining)) {
      throw new InvariantError(`fill of ${lots} lots on ${o.exchangeId} with ${remaining} open`, { lots, remaining });
    }
    const notional = notionalOf(m, key, lots);
    const fee = feeOf(notional, liquidity === 'maker' ? m.makerAtto : m.takerAtto);
    const base = m.lots.atto(lots);
    if (o.side === 'buy') {
      const cost = notional + fee;
      if (o.funded) this.spendReserved(o, cost, m.quote);
      else m.quote.spendFree(cost);
      m.base.credit(base);
    } else {
      this.spendReserved(o, base, m.base);
      m.quote.credit(notional - fee);
    }
    o.filledLots += lots;
    o.updatedTs = ts;
    o.status = o.filledLots === o.lots ? 'filled' : 'partially_filled';
    this.emit({
      kind: 'OrderFilled',
      clientId: o.clientId,
      venue: this.venue,
      symbol: o.symbol,
      ts,
      exchangeId: o.exchangeId,
      tradeId: `${this.venue}-t${++this.tradeSeq}`,
      side: o.side,
      price: m.grid.price(key),
      quantity: m.lots.qty(lots),
      notional,
      fee,
      feeAsset: m.def.quote,
      liquidity,
    });
    if (o.status === 'filled') {
      this.releaseRest(o, m);
      this.onFinal(o);
    }
  }

  end(o: SimOrder, m: MarketState, status: 'canceled' | 'expired', reason: string, ts: TimeMs): void {
    this.releaseRest(o, m);
    o.status = status;
    o.updatedTs = ts;
    const base = { clientId: o.clientId, venue: this.venue, symbol: o.symbol, ts, reason };
    this.emit(status === 'canceled' ? { kind: 'OrderCanceled', ...base } : { kind: 'OrderExpired', ...base });
    this.onFinal(o);
  }

  private spendReserved(o: SimOrder, amount: Atto, from: BalanceEntry): void {
    if (amount > o.reservedLeft) {
      throw new InvariantError(`fill of ${o.exchangeId} needs ${amount} atto but ${o.reservedLeft} is reserved`, {
        exchangeId: o.exchangeId,
      });
    }
    o.reservedLeft -= amount;
    from.spendLocked(amount);
  }

  private releaseRest(o: SimOrder, m: MarketState): void {
    if (o.reservedLeft === 0n) return;
    (o.side === 'buy' ? m.quote : m.base).release(o.reservedLeft);
    o.reservedLeft = 0n;
  }
}
