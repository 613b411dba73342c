/**
 * `POST /api/v3/order`: LIMIT (GTC, IOC) and MARKET (by `quantity`, or by `quoteOrderQty`) orders,
 * validated in the venue's order — parameters, filters, funds — answered in the requested
 * `newOrderRespType` (default FULL) with the fills already in it, as the venue does for marketable orders.
 */
import { toAtto } from '../../domain/money.ts';
import type { MarketDef, Side } from '../../domain/types.ts';
import type { HttpReply, Route } from '../http-server.ts';
import type { OrderIntent } from '../order-ledger.ts';
import { CLIENT_ID, decimalParam, isReply, ok, randomClientId, signedRoute, symbolParam, type BinanceContext } from './common.ts';
import { binanceError, BinanceErrors, binanceRejection } from './errors.ts';
import { newOrderBody, type RespType } from './format.ts';

const NO_LIQUIDITY = () => binanceError(-2010, 'Order book liquidity is less than LOT_SIZE filter minimum quantity.');

export function newOrderRoute(ctx: BinanceContext): Route {
  return signedRoute(ctx, 'order.create', (p) => placeOrder(ctx, p), 'newClientOrderId');
}

function placeOrder(ctx: BinanceContext, p: URLSearchParams): HttpReply {
  const { core } = ctx;
  const def = symbolParam(core, p);
  if (isReply(def)) return def;
  const sideText = p.get('side');
  if (sideText === null) return BinanceErrors.mandatory('side');
  const side: Side | undefined = sideText === 'BUY' ? 'buy' : sideText === 'SELL' ? 'sell' : undefined;
  if (side === undefined) return BinanceErrors.invalidSide();
  const typeText = p.get('type');
  if (typeText === null) return BinanceErrors.mandatory('type');
  if (typeText !== 'LIMIT' && typeText !== 'MARKET') return BinanceErrors.invalidOrderType();
  const respText = p.get('newOrderRespType') ?? 'FULL';
  if (respText !== 'ACK' && respText !== 'RESULT' && respText !== 'FULL') return BinanceErrors.mandatory('newOrderRespType');
  const clientId = p.get('newClientOrderId') ?? randomClientId();
  if (!CLIENT_ID.test(clientId)) {
    return binanceError(-1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
  }
  const quantity = decimalParam(p, 'quantity');
  if (isReply(quantity)) return quantity;
  const quoteQty = decimalParam(p, 'quoteOrderQty');
  if (isReply(quoteQty)) return quoteQty;
  const price = decimalParam(p, 'price');
  if (isReply(price)) return price;

  const base = { clientId, symbol: def.symbol, side };
  let intent: OrderIntent | HttpReply;
  if (typeText === 'LIMIT') {
    const tif = p.get('timeInForce');
    if (tif === null) return BinanceErrors.mandatory('timeInForce');
    if (tif !== 'GTC' && tif !== 'IOC') return BinanceErrors.invalidTimeInForce(); // FOK is not emulated
    if (quantity === undefined) return BinanceErrors.mandatory('quantity');
    if (price === undefined) return BinanceErrors.mandatory('price');
    if (quoteQty !== undefined) return BinanceErrors.notRequired('quoteOrderQty');
    intent = { ...base, type: 'limit', quantity, price, timeInForce: tif };
  } else {
    if (p.get('timeInForce') !== null) return BinanceErrors.notRequired('timeInForce');
    if (price !== undefined) return BinanceErrors.notRequired('price');
    intent = marketIntent(ctx, def, base, quantity, quoteQty);
  }
  if (isReply(intent)) return intent;
  const out = core.submit(intent);
  if (!out.ok) return binanceRejection(out.code);
  return ok(newOrderBody(out.order, def, respText as RespType));
}

/** A MARKET order by base quantity or by quote budget, with the venue's liquidity and funds checks. */
function marketIntent(
  ctx: BinanceContext,
  def: MarketDef,
  base: { clientId: string; symbol: string; side: Side },
  quantity: number | undefined,
  quoteQty: number | undefined,
): OrderIntent | HttpReply {
  const { core } = ctx;
  if (quantity === undefined && quoteQty === undefined) return BinanceErrors.eitherParam('quantity', 'quoteOrderQty');
  if (quantity !== undefined && quoteQty !== undefined) return BinanceErrors.notRequired('quoteOrderQty');
  if (!core.hasLiquidity(def.symbol, base.side)) return NO_LIQUIDITY();
  let qty = quantity ?? 0;
  if (quoteQty !== undefined) {
    if (!(quoteQty > 0)) return BinanceErrors.mandatory('quoteOrderQty');
    const min = def.limits.cost?.min;
    if (min !== undefined && quoteQty < min) return BinanceErrors.filter('NOTIONAL');
    const lots = core.lotsForQuote(def.symbol, base.side, toAtto(quoteQty));
    if (lots === 0) return NO_LIQUIDITY();
    qty = core.lotQuantity(def.symbol, lots);
  }
  // The engine lets a market buy walk until money runs out; Binance refuses one it cannot pay for.
  if (base.side === 'buy') {
    const cost = core.marketBuyCost(def.symbol, qty);
    const free = core.balances().get(def.quote)?.free ?? 0n;
    if (cost > free) return BinanceErrors.insufficientBalance();
  }
  return { ...base, type: 'market', quantity: qty, ...(quoteQty !== undefined ? { quoteQty } : {}), timeInForce: 'GTC' };
}
