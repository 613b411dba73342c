/**
 * Upbit account and order queries: `GET /v1/accounts`, `/v1/orders/chance`, `GET`/`DELETE /v1/order`
 * (by `uuid` or `identifier`), `GET /v1/orders/open`, `GET /v1/orders/closed`. Venue faults show here:
 * a lagging order is `order_not_found` to `GET /v1/order` and missing from lists (cancels still reach
 * it); the `trades` of an order a drop-event / repeat-event marked lack or repeat its fills.
 */
import type { MarketDef } from '../../domain/types.ts';
import { plain, plainAtto } from '../decimal.ts';
import type { HttpReply, Route } from '../http-server.ts';
import type { OrderRecord } from '../order-ledger.ts';
import { ok, privateRoute, type Params, type UpbitContext } from './common.ts';
import { UpbitErrors } from './errors.ts';
import { accountsBody, marketId, orderBody, upbitState } from './format.ts';

function findOrder(ctx: UpbitContext, p: Params): OrderRecord | HttpReply {
  const uuid = p.get('uuid');
  const identifier = p.get('identifier');
  if (uuid === undefined && identifier === undefined) return UpbitErrors.validation('uuid');
  const r = uuid !== undefined ? ctx.core.ledger.byOrderUuid(uuid) : ctx.core.ledger.byClient(identifier!);
  if (r === undefined || (uuid === undefined && r.intent.identifier !== identifier)) return UpbitErrors.orderNotFound();
  return r;
}

const isRecord = (x: OrderRecord | HttpReply): x is OrderRecord => 'seq' in x;

/** `market` when given (a reply for an unknown one), else undefined for "all markets". */
function optionalMarket(ctx: UpbitContext, p: Params): MarketDef | undefined | HttpReply {
  const id = p.get('market');
  if (id === undefined) return undefined;
  return ctx.core.marketById(id) ?? UpbitErrors.validation('market');
}

function list(ctx: UpbitContext, p: Params, rows: OrderRecord[], maxLimit: number): HttpReply {
  const limit = Number(p.get('limit') ?? 100);
  const page = Number(p.get('page') ?? 1);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) return UpbitErrors.validation('limit');
  if (!Number.isInteger(page) || page < 1) return UpbitErrors.validation('page');
  const asc = p.get('order_by') === 'asc';
  const sorted = asc ? rows : [...rows].reverse();
  return ok(ctx.core.faults.listed(sorted).slice((page - 1) * limit, page * limit).map((r) => orderBody(r, ctx.core.markets.get(r.symbol)!)));
}

function timeParam(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isFinite(n) ? n : fallback;
}

export function queryRoutes(ctx: UpbitContext): Record<string, Route> {
  const { core } = ctx;
  const account = (asset: string) => {
    const b = core.balances().get(asset);
    return { currency: asset, balance: plainAtto(b?.free ?? 0n), locked: plainAtto(b?.locked ?? 0n), avg_buy_price: '0', avg_buy_price_modified: false, unit_currency: 'KRW' };
  };
  return {
    'GET /v1/accounts': privateRoute(ctx, 'account', () => ok(accountsBody(core.balances(), 'KRW'))),
    'GET /v1/orders/chance': privateRoute(ctx, 'account', (p) => {
      const def = core.marketById(p.get('market') ?? '');
      if (def === undefined) return UpbitErrors.validation('market');
      const fee = plain(def.taker ?? 0);
      const makerFee = plain(def.maker ?? 0);
      const min = plain(def.limits.cost?.min ?? 0);
      return ok({
        bid_fee: fee,
        ask_fee: fee,
        maker_bid_fee: makerFee,
        maker_ask_fee: makerFee,
        market: {
          id: marketId(def),
          name: def.symbol,
          order_types: ['limit'],
          ask_types: ['limit', 'market'],
          bid_types: ['limit', 'price'],
          order_sides: ['ask', 'bid'],
          bid: { currency: def.quote, price_unit: null, min_total: min },
          ask: { currency: def.base, price_unit: null, min_total: min },
          max_total: plain(def.limits.cost?.max ?? 1_000_000_000),
          state: 'active',
        },
        bid_account: account(def.quote),
        ask_account: account(def.base),
      });
    }),
    'GET /v1/order': privateRoute(
      ctx,
      'order.query',
      (p) => {
        const r = findOrder(ctx, p);
        if (!isRecord(r)) return r;
        const at = { request: 'GET /v1/order', requestKind: 'order.query' } as const;
        if (core.faults.notFound(r, at)) return UpbitErrors.orderNotFound();
        const fills = core.faults.tradeView(r.fills.map((fill) => ({ order: r, fill })), at).map((t) => t.fill);
        return ok(orderBody(r, core.markets.get(r.symbol)!, { trades: fills }));
      },
      'identifier',
    ),
    'DELETE /v1/order': privateRoute(
      ctx,
      'order.cancel',
      (p) => {
        const r = findOrder(ctx, p);
        if (!isRecord(r)) return r;
        if (!r.isOpen) return UpbitErrors.orderNotFound();
        // Upbit answers a cancel with the order as it stood when the request was taken: still `wait`.
        const body = orderBody(r, core.markets.get(r.symbol)!);
        core.cancel(r);
        return ok(body);
      },
      'identifier',
    ),
    'GET /v1/orders/open': privateRoute(ctx, 'orders.open', (p) => {
      const def = optionalMarket(ctx, p);
      if (def !== undefined && !('symbol' in def)) return def;
      const states = [...p.getAll('states'), ...(p.get('state') !== undefined ? [p.get('state')!] : [])];
      if (states.some((s) => s !== 'wait' && s !== 'watch')) return UpbitErrors.validation('state');
      const rows = states.length > 0 && !states.includes('wait') ? [] : core.ledger.openOrders(def?.symbol);
      return list(ctx, p, rows, 100);
    }),
    'GET /v1/orders/closed': privateRoute(ctx, 'orders.closed', (p) => {
      const def = optionalMarket(ctx, p);
      if (def !== undefined && !('symbol' in def)) return def;
      const states = [...p.getAll('states'), ...(p.get('state') !== undefined ? [p.get('state')!] : [])];
      if (states.some((s) => s !== 'done' && s !== 'cancel')) return UpbitErrors.validation('state');
      const want = states.length === 0 ? ['done', 'cancel'] : states;
      const [from, to] = [timeParam(p.get('start_time'), 0), timeParam(p.get('end_time'), Infinity)];
      const rows = core.ledger
        .all()
        .filter((r) => !r.isOpen && (def === undefined || r.symbol === def.symbol) && want.includes(upbitState(r)))
        .filter((r) => r.createdAt >= from && r.createdAt <= to);
      return list(ctx, p, rows, 1000);
    }),
  };
}
