/**
 * The orders a warm-up places dry (LiveExchange.warmUp): for one market, a market and a limit order on
 * each side, sized and priced like a real one — at least the market's minimum amount and cost, limit
 * prices 2% inside the book on the tick grid — so ccxt's createOrder takes the same branches a signal
 * will. The client ids say what they are; they never leave the process.
 */
import { roundPrice, snapToStep } from '../../domain/precision.ts';
import type { BookTop, MarketDef, SubmitOrder, VenueId } from '../../domain/types.ts';

export interface WarmUpOrder {
  readonly cmd: SubmitOrder;
  readonly market: MarketDef;
}

export function warmUpOrders(venue: VenueId, market: MarketDef, top: BookTop | undefined): WarmUpOrder[] {
  const ref = referencePrice(market, top);
  const minCost = market.limits.cost?.min ?? 0;
  const minAmount = Math.max(market.limits.amount?.min ?? 0, market.precision.amount);
  const quantity = snapToStep(Math.max(minAmount, (minCost * 1.1) / ref), market.precision.amount, 'up');
  const at = (side: 'buy' | 'sell', type: 'market' | 'limit', n: number): WarmUpOrder => ({
    market,
    cmd: {
      clientId: `warm-up-${n}`,
      venue,
      symbol: market.symbol,
      side,
      type,
      quantity,
      // A market order's price is only its reference (Upbit buys by cost); a limit rests 2% inside.
      price: type === 'market' ? ref : roundPrice(market, ref * (side === 'buy' ? 0.98 : 1.02), side === 'buy' ? 'down' : 'up'),
      ts: 0,
    },
  });
  return [at('buy', 'market', 1), at('sell', 'market', 2), at('buy', 'limit', 3), at('sell', 'limit', 4)];
}

/**
 * Mid of the last top, else one of its prices; with no price known at all, a hundred ticks (or minimum
 * prices) up from zero, so that both limit prices stay valid on the grid.
 */
function referencePrice(market: MarketDef, top: BookTop | undefined): number {
  if (top?.bid !== undefined && top.ask !== undefined) return (top.bid + top.ask) / 2;
  return top?.last ?? top?.ask ?? top?.bid ?? 100 * Math.max(market.limits.price?.min ?? 0, market.precision.price);
}
