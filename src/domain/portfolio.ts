/**
 * Balances per venue and asset, positions per venue and market with average cost, realized P&L and
 * fees — all exact (atto bigint). Balances change only through fills.
 */
import { InvariantError } from '../core/errors.ts';
import { attoToNumber, roundHalfAwayDiv, toAtto } from './money.ts';
import type { BalanceSheet, FillRecord } from './run-result.ts';
import type { Asset, Atto, MarketDef, MarketSymbol, OrderFilled, VenueId } from './types.ts';

export interface PositionState {
  /** Signed base quantity traded into (long > 0). */
  qty: Atto;
  /** Signed cost basis in quote: Σ of opening notionals, reduced pro rata on closes. */
  basis: Atto;
  realized: Atto;
  fees: Atto;
}

/** One asset on which the ledger and the venue disagreed. */
export interface BalanceDifference {
  readonly venue: VenueId;
  readonly asset: Asset;
  /** What our fills said. */
  readonly ledger: Atto;
  /** What the venue says (adopted). */
  readonly actual: Atto;
}

export type MarketLookup = (venue: VenueId, symbol: MarketSymbol) => MarketDef | undefined;

export class Portfolio {
  private readonly balances = new Map<VenueId, Map<Asset, Atto>>();
  /** Float shadow of each balance for fast valuation; refreshed whenever the exact value changes. */
  private readonly approx = new Map<VenueId, Map<Asset, number>>();
  private readonly positions = new Map<string, PositionState>();
  private readonly feeTotals = new Map<Asset, Atto>();
  private openPositions = 0;

  constructor(initial: BalanceSheet, private readonly market: MarketLookup) {
    for (const [venue, assets] of initial) {
      for (const [asset, amount] of assets) this.setBalance(venue, asset, amount);
    }
  }

  /**
   * Applies a fill. Deduplication by venue trade id happens before this (the order registry keeps the
   * trade ids of each order), so every call here moves balances.
   */
  applyFill(fill: OrderFilled, signalId?: string): FillRecord {
    const market = this.market(fill.venue, fill.symbol);
    if (!market) throw new InvariantError(`fill for unknown market ${fill.venue} ${fill.symbol}`, { fill });

    const qty = toAtto(fill.quantity);
    const sign = fill.side === 'buy' ? 1n : -1n;
    this.addBalance(fill.venue, market.base, sign * qty);
    this.addBalance(fill.venue, market.quote, -sign * fill.notional);
    this.addBalance(fill.venue, fill.feeAsset, -fill.fee);
    this.feeTotals.set(fill.feeAsset, (this.feeTotals.get(fill.feeAsset) ?? 0n) + fill.fee);

    const pos = this.positionOf(fill.venue, fill.symbol);
    const wasOpen = pos.qty !== 0n;
    const realized = applyToPosition(pos, sign, qty, fill.notional);
    if (wasOpen !== (pos.qty !== 0n)) this.openPositions += wasOpen ? -1 : 1;
    pos.realized += realized;
    if (fill.feeAsset === market.quote) pos.fees += fill.fee;

    return {
      ts: fill.ts,
      venue: fill.venue,
      symbol: fill.symbol,
      clientId: fill.clientId,
      exchangeId: fill.exchangeId,
      tradeId: fill.tradeId,
      side: fill.side,
      price: fill.price,
      quantity: fill.quantity,
      notional: fill.notional,
      fee: fill.fee,
      feeAsset: fill.feeAsset,
      liquidity: fill.liquidity,
      realizedPnl: realized,
      positionAfter: pos.qty,
      ...(signalId !== undefined ? { signalId } : {}),
    };
  }

  /**
   * Takes a venue's balances as the truth (reconciliation, RELIABILITY rule 6): the one change of a
   * balance that is not a fill. Returns every asset whose ledger amount differed, with both amounts.
   * Positions and P&L keep their history; only the balances move.
   */
  adoptBalances(venue: VenueId, venueBalances: ReadonlyMap<Asset, Atto>): BalanceDifference[] {
    const out: BalanceDifference[] = [];
    const mine = this.balances.get(venue) ?? new Map<Asset, Atto>();
    for (const asset of [...new Set([...mine.keys(), ...venueBalances.keys()])].sort()) {
      const ledger = mine.get(asset) ?? 0n;
      const truth = venueBalances.get(asset) ?? 0n;
      if (ledger === truth) continue;
      out.push({ venue, asset, ledger, actual: truth });
      this.setBalance(venue, asset, truth);
    }
    return out;
  }

  balance(venue: VenueId, asset: Asset): Atto {
    return this.balances.get(venue)?.get(asset) ?? 0n;
  }

  position(venue: VenueId, symbol: MarketSymbol): Readonly<PositionState> | undefined {
    return this.positions.get(`${venue}\u0000${symbol}`);
  }

  /** Every (venue, symbol) position with its key parts. */
  *allPositions(): IterableIterator<[VenueId, MarketSymbol, Readonly<PositionState>]> {
    for (const [key, pos] of this.positions) {
      const [venue, symbol] = key.split('\u0000') as [string, string];
      yield [venue, symbol, pos];
    }
  }

  /** True when some (venue, symbol) position is non-zero. O(1): a count kept as fills move positions. */
  hasOpenPosition(): boolean {
    return this.openPositions > 0;
  }

  feesPaid(): ReadonlyMap<Asset, Atto> {
    return this.feeTotals;
  }

  /** A deep copy of every balance. */
  snapshot(): BalanceSheet {
    const out = new Map<VenueId, Map<Asset, Atto>>();
    for (const [venue, assets] of this.balances) out.set(venue, new Map(assets));
    return out;
  }

  /** Float balances for valuation (never used for accounting). */
  approxBalances(): ReadonlyMap<VenueId, ReadonlyMap<Asset, number>> {
    return this.approx;
  }

  private positionOf(venue: VenueId, symbol: MarketSymbol): PositionState {
    const key = `${venue}\u0000${symbol}`;
    let pos = this.positions.get(key);
    if (!pos) {
      pos = { qty: 0n, basis: 0n, realized: 0n, fees: 0n };
      this.positions.set(key, pos);
    }
    return pos;
  }

  private addBalance(venue: VenueId, asset: Asset, delta: Atto): void {
    if (delta === 0n) return;
    this.setBalance(venue, asset, this.balance(venue, asset) + delta);
  }

  private setBalance(venue: VenueId, asset: Asset, amount: Atto): void {
    let v = this.balances.get(venue);
    let a = this.approx.get(venue);
    if (!v || !a) {
      v = new Map();
      a = new Map();
      this.balances.set(venue, v);
      this.approx.set(venue, a);
    }
    v.set(asset, amount);
    a.set(asset, attoToNumber(amount));
  }
}

/**
 * Average-cost position update. Opening (or adding to) a position adds the notional to the basis;
 * reducing releases basis pro rata and realizes the difference; a fill that crosses zero closes the
 * old position and opens the rest on the other side. Returns the realized P&L in quote atto.
 */
export function applyToPosition(pos: PositionState, sign: 1n | -1n, qty: Atto, notional: Atto): Atto {
  if (pos.qty === 0n || (pos.qty > 0n) === (sign > 0n)) {
    pos.qty += sign * qty;
    pos.basis += sign * notional;
    return 0n;
  }
  const open = pos.qty < 0n ? -pos.qty : pos.qty;
  const closeQty = qty < open ? qty : open;
  const basisClosed = roundHalfAwayDiv(pos.basis * closeQty, open);
  const notionalClosed = closeQty === qty ? notional : roundHalfAwayDiv(notional * closeQty, qty);
  // Long closed by a sell: proceeds − cost. Short closed by a buy: sale proceeds (−basis) − cost.
  const realized = pos.qty > 0n ? notionalClosed - basisClosed : -basisClosed - notionalClosed;
  pos.qty += sign * closeQty;
  pos.basis -= basisClosed;
  if (pos.qty === 0n) pos.basis = 0n;
  const rest = qty - closeQty;
  if (rest > 0n) {
    pos.qty += sign * rest;
    pos.basis += sign * (notional - notionalClosed);
  }
  return realized;
}
