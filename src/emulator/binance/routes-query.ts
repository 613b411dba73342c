/**
 * Binance order queries and cancels, and the account: `GET`/`DELETE /api/v3/order` (by `orderId` or
 * `origClientOrderId`), `GET`/`DELETE /api/v3/openOrders`, `GET /api/v3/allOrders`,
 * `GET /api/v3/myTrades`, `GET /api/v3/account`. Venue faults show here: a lagging order is "Order does
 * not exist." to `GET order` and missing from lists (cancels still reach it); `myTrades` drops or
 * repeats the trades of orders a drop-event / repeat-event marked.
 */
import type { MarketDef } from '../../domain/types.ts';
import type { HttpReply, Route } from '../http-server.ts';
import type { OrderRecord } from '../order-ledger.ts';
import { intParam, isReply, ok, randomClientId, signedRoute, symbolParam, type BinanceContext } from './common.ts';
import { BinanceErrors } from './errors.ts';
import { accountBody, cancelBody, orderBody, tradeBody } from './format.ts';

/** The order `orderId` / `origClientOrderId` name in market `def`; `missing` is the venue's "not found". */
function findOrder(ctx: BinanceContext, def: MarketDef, p: URLSearchParams, missing: () => HttpReply): OrderRecord | HttpReply {
  const id = p.get('orderId');
  const cid = p.get('origClientOrderId');
  if (id === null && cid === null) return BinanceErrors.eitherParam('origClientOrderId', 'orderId');
  let r: OrderRecord | undefined;
  if (id !== null) {
    const n = Number(id);
    if (!Number.isInteger(n)) return BinanceErrors.mandatory('orderId');
    r = ctx.core.ledger.bySequence(n);
    if (r !== undefined && cid !== null && r.clientId !== cid) r = undefined;
  } else r = ctx.core.ledger.byClient(cid!);
  return r !== undefined && r.symbol === def.symbol ? r : missing();
}

/** Optional non-negative integer parameters, or the venue's error for the first malformed one. */
function ints<K extends string>(p: URLSearchParams, names: readonly K[]): Partial<Record<K, number>> | HttpReply {
  const out: Partial<Record<K, number>> = {};
  for (const name of names) {
    const v = intParam(p, name, name === 'limit' ? 1 : 0, Number.MAX_SAFE_INTEGER);
    if (isReply(v)) return v;
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function withSymbol(ctx: BinanceContext, p: URLSearchParams, then: (def: MarketDef) => HttpReply): HttpReply {
  const def = symbolParam(ctx.core, p);
  return isReply(def) ? def : then(def);
}

export function queryRoutes(ctx: BinanceContext): Record<string, Route> {
  const { core } = ctx;
  return {
    'GET /api/v3/order': signedRoute(
      ctx,
      'order.query',
      (p) =>
        withSymbol(ctx, p, (def) => {
          const r = findOrder(ctx, def, p, BinanceErrors.orderDoesNotExist);
          if (isReply(r)) return r;
          if (core.faults.notFound(r, { request: 'GET /api/v3/order', requestKind: 'order.query' })) return BinanceErrors.orderDoesNotExist();
          return ok(orderBody(r, def));
        }),
      'origClientOrderId',
    ),
    'DELETE /api/v3/order': signedRoute(
      ctx,
      'order.cancel',
      (p, now) =>
        withSymbol(ctx, p, (def) => {
          const r = findOrder(ctx, def, p, BinanceErrors.unknownOrder);
          if (isReply(r)) return r;
          if (!core.cancel(r)) return BinanceErrors.unknownOrder(); // already filled, canceled or expired
          return ok(cancelBody(r, def, p.get('newClientOrderId') ?? randomClientId(), now));
        }),
      'origClientOrderId',
    ),
    'GET /api/v3/openOrders': signedRoute(ctx, 'orders.open', (p) => {
      let def: MarketDef | undefined;
      if (p.get('symbol') !== null) {
        const d = symbolParam(core, p);
        if (isReply(d)) return d;
        def = d;
      }
      return ok(core.faults.listed(core.ledger.openOrders(def?.symbol)).map((r) => orderBody(r, core.markets.get(r.symbol)!)));
    }),
    'DELETE /api/v3/openOrders': signedRoute(ctx, 'order.cancel', (p, now) =>
      withSymbol(ctx, p, (def) => {
        const open = core.ledger.openOrders(def.symbol);
        if (open.length === 0) return BinanceErrors.unknownOrder();
        return ok(open.filter((r) => core.cancel(r)).map((r) => cancelBody(r, def, randomClientId(), now)));
      }),
    ),
    'GET /api/v3/allOrders': signedRoute(ctx, 'orders.closed', (p) =>
      withSymbol(ctx, p, (def) => {
        const q = ints(p, ['orderId', 'startTime', 'endTime', 'limit']);
        if (isReply(q)) return q;
        const rows = core.faults
          .listed(core.ledger.all())
          .filter((r) => r.symbol === def.symbol && r.seq >= (q.orderId ?? 0) && r.createdAt >= (q.startTime ?? 0) && r.createdAt <= (q.endTime ?? Infinity));
        const n = Math.min(q.limit ?? 500, 1000);
        return ok((q.orderId === undefined ? rows.slice(-n) : rows.slice(0, n)).map((r) => orderBody(r, def)));
      }),
    ),
    'GET /api/v3/myTrades': signedRoute(ctx, 'trades', (p) =>
      withSymbol(ctx, p, (def) => {
        const q = ints(p, ['orderId', 'fromId', 'startTime', 'endTime', 'limit']);
        if (isReply(q)) return q;
        const all = core.ledger.trades.filter(
          ({ order, fill }) =>
            order.symbol === def.symbol &&
            (q.orderId === undefined || order.seq === q.orderId) &&
            fill.tradeId >= (q.fromId ?? 0) &&
            fill.ts >= (q.startTime ?? 0) &&
            fill.ts <= (q.endTime ?? Infinity),
        );
        const rows = core.faults.tradeView(all, { request: 'GET /api/v3/myTrades', requestKind: 'trades' });
        const n = Math.min(q.limit ?? 500, 1000);
        return ok((q.fromId === undefined ? rows.slice(-n) : rows.slice(0, n)).map(({ order, fill }) => tradeBody(order, fill, def)));
      }),
    ),
    'GET /api/v3/account': signedRoute(ctx, 'account', (p, now) => {
      const first = core.markets.values().next().value as MarketDef | undefined;
      return ok(accountBody(core.balances(), first?.maker ?? 0, first?.taker ?? 0, now, p.get('omitZeroBalances') === 'true'));
    }),
  };
}
