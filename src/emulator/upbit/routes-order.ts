/**
 * `POST /v1/orders`: `limit`, `price` (market buy by cost) and `market` (market sell by volume) orders
 * with an optional `identifier` that may be used once ever — even a rejected order burns it. The
 * answer is 201 with the order as accepted (`wait`, nothing executed), as Upbit answers before
 * matching; the matching itself has already happened and `GET /v1/order` shows it.
 */
import { randomUUID } from 'node:crypto';
import { mulRate, toAtto } from '../../domain/money.ts';
import type { Side } from '../../domain/types.ts';
import { parseDecimal } from '../decimal.ts';
import type { HttpReply, Route } from '../http-server.ts';
import type { OrderIntent } from '../order-ledger.ts';
import { ok, privateRoute, type Params, type UpbitContext } from './common.ts';
import { UpbitErrors, upbitRejection } from './errors.ts';
import { orderBody } from './format.ts';

export function newOrderRoute(ctx: UpbitContext): Route {
  return privateRoute(ctx, 'order.create', (p) => placeOrder(ctx, p), 'identifier');
}

function decimal(p: Params, name: string): number | undefined | HttpReply {
  const v = p.get(name);
  if (v === undefined) return undefined;
  const n = parseDecimal(v);
  return n !== undefined && n > 0 ? n : UpbitErrors.validation(name);
}

const isReply = (x: unknown): x is HttpReply => typeof x === 'object' && x !== null && 'status' in x;

function placeOrder(ctx: UpbitContext, p: Params): HttpReply {
  const { core } = ctx;
  const identifier = p.get('identifier');
  if (identifier !== undefined) {
    if (ctx.identifiers.has(identifier)) return UpbitErrors.identifierUsed();
    ctx.identifiers.add(identifier);
  }
  const def = core.marketById(p.get('market') ?? '');
  if (def === undefined) return UpbitErrors.validation('market');
  const sideText = p.get('side');
  const side: Side | undefined = sideText === 'bid' ? 'buy' : sideText === 'ask' ? 'sell' : undefined;
  if (side === undefined) return UpbitErrors.validation('side');
  const type = p.get('ord_type');
  if (type !== 'limit' && type !== 'price' && type !== 'market') return UpbitErrors.validation('ord_type');
  const volume = decimal(p, 'volume');
  if (isReply(volume)) return volume;
  const price = decimal(p, 'price');
  if (isReply(price)) return price;
  const tif = p.get('time_in_force');
  if (tif !== undefined && tif !== 'ioc') return UpbitErrors.validation('time_in_force'); // fok, post_only: not emulated

  const base = { clientId: identifier ?? `upbit-${randomUUID()}`, symbol: def.symbol, side, ...(identifier !== undefined ? { identifier } : {}) };
  let intent: OrderIntent;
  if (type === 'limit') {
    if (volume === undefined) return UpbitErrors.validation('volume');
    if (price === undefined) return UpbitErrors.validation('price');
    intent = { ...base, type: 'limit', quantity: volume, price, timeInForce: tif === 'ioc' ? 'IOC' : 'GTC' };
  } else if (type === 'market') {
    // A market order is a sell by volume; a price or a bid side is a malformed order, as on Upbit.
    if (side !== 'sell' || price !== undefined || volume === undefined) return UpbitErrors.createError(side);
    intent = { ...base, type: 'market', quantity: volume, timeInForce: 'GTC' };
  } else {
    // `price`: a buy that spends `price` of quote; the venue locks it plus the fee.
    if (side !== 'buy' || volume !== undefined || price === undefined) return UpbitErrors.createError(side);
    const min = def.limits.cost?.min;
    if (min !== undefined && price < min) return UpbitErrors.underMinTotal('buy', min, def.quote);
    if (def.limits.cost?.max !== undefined && price > def.limits.cost.max) return UpbitErrors.tooLarge();
    const budget = toAtto(price);
    const needed = budget + mulRate(budget, Math.max(def.maker ?? 0, def.taker ?? 0));
    if (needed > (core.balances().get(def.quote)?.free ?? 0n)) return UpbitErrors.insufficient('buy', def.quote);
    const lots = core.lotsForQuote(def.symbol, 'buy', budget);
    if (lots === 0) return UpbitErrors.createError('buy'); // nothing to buy on an empty book
    intent = { ...base, type: 'market', quantity: core.lotQuantity(def.symbol, lots), quoteQty: price, timeInForce: 'GTC' };
  }
  const out = core.submit(intent);
  if (!out.ok) return upbitRejection(out.code, side, def.base, def.quote, def.limits.cost?.min);
  return ok(orderBody(out.order, def, { accepted: true }), 201);
}
