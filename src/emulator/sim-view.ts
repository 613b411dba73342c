/**
 * Read access to the simulated exchange's book and balances, which its public interface does not yet
 * offer (it publishes only the top of book and total balances). A venue API needs more: full depth
 * (`/api/v3/depth`, `/v1/orderbook`), free vs locked per asset, and the book a quote-sized market order
 * will walk. Reading the engine's own state — rather than mirroring the data feed — keeps the emulator
 * honest about liquidity our own orders already took.
 *
 * This is the one place that reaches past `SimulatedExchange`'s public surface, through a checked
 * structural view; when the engine grows `depth()` / `balanceDetail()` methods, only this file changes.
 */
import { InvariantError } from '../core/errors.ts';
import type { Asset, Atto, MarketSymbol } from '../domain/types.ts';
import type { MarketState } from '../sim/market-state.ts';
import type { SimulatedExchange } from '../sim/simulated-exchange.ts';
import type { VenueBalances } from '../sim/venue-balances.ts';

interface SimInternals {
  readonly markets: ReadonlyMap<MarketSymbol, MarketState>;
  readonly balances: VenueBalances;
}

function internals(sim: SimulatedExchange): SimInternals {
  const x = sim as unknown as Partial<SimInternals>;
  if (!(x.markets instanceof Map) || typeof x.balances?.entry !== 'function') {
    throw new InvariantError('emulator: SimulatedExchange no longer exposes markets/balances as expected (see sim-view.ts)', {});
  }
  return x as SimInternals;
}

/** The engine's state of one market, or undefined for an unknown symbol. */
export function marketStateOf(sim: SimulatedExchange, symbol: MarketSymbol): MarketState | undefined {
  return internals(sim).markets.get(symbol);
}

/** Price and quantity levels, best first. */
export interface Depth {
  readonly bids: Array<[price: number, quantity: number]>;
  readonly asks: Array<[price: number, quantity: number]>;
}

/** Up to `limit` data-book levels per side, best first, quantities rounded to the lot decimals. */
export function depthOf(sim: SimulatedExchange, symbol: MarketSymbol, limit: number): Depth {
  const m = marketStateOf(sim, symbol);
  if (m === undefined) return { bids: [], asks: [] };
  const read = (side: MarketState['book']['bids']): Array<[number, number]> => {
    const out: Array<[number, number]> = [];
    for (let i = side.len - 1; i >= 0 && out.length < limit; i--) {
      const lots = m.lots.floor(side.qtys[i]!);
      if (lots > 0) out.push([m.grid.price(side.keyAt(i)), m.lots.qty(lots)]);
    }
    return out;
  };
  return { bids: read(m.book.bids), asks: read(m.book.asks) };
}

export interface BalanceDetail {
  readonly free: Atto;
  readonly locked: Atto;
}

/** Free and locked (reserved for open orders) per asset, exactly as the engine holds them. */
export function balanceDetail(sim: SimulatedExchange, assets: Iterable<Asset>): Map<Asset, BalanceDetail> {
  const b = internals(sim).balances;
  const out = new Map<Asset, BalanceDetail>();
  for (const asset of assets) {
    const e = b.entry(asset);
    out.set(asset, { free: e.free, locked: e.locked });
  }
  return out;
}
