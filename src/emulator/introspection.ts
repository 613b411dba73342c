/**
 * What tests (and issue 4's reliability checks) compare against: every order the venue accepted, with
 * its client id, status and filled amount, and the venue's balances — served at `GET /__emulator/orders`
 * and `GET /__emulator/balances` — and every fault that fired (`GET /__emulator/faults`, read by the
 * failure report), outside the venue dialect and never touched by faults.
 */
import { formatAtto } from '../domain/money.ts';
import type { Asset, MarketSymbol, OrderStatus, Side, TimeMs } from '../domain/types.ts';
import type { Dialect, Route } from './http-server.ts';
import { venueClientId, venueOrderId } from './order-ledger.ts';
import type { VenueCore } from './venue-core.ts';

export interface EmulatorOrderView {
  /** Acceptance sequence, 1-based. */
  readonly seq: number;
  /** The id the venue API uses: Binance orderId (as a string) or Upbit uuid. */
  readonly orderId: string;
  /** Binance newClientOrderId; Upbit identifier (absent when the order had none). */
  readonly clientOrderId?: string;
  readonly symbol: MarketSymbol;
  readonly side: Side;
  readonly type: 'limit' | 'market';
  readonly price?: number;
  readonly quantity: number;
  readonly quoteQty?: number;
  /** Filled base and cumulative quote, exact decimal strings. */
  readonly filled: string;
  readonly cost: string;
  readonly fee: string;
  readonly trades: number;
  readonly status: OrderStatus;
  readonly createdAt: TimeMs;
  readonly updatedAt: TimeMs;
}

export interface BalanceView {
  readonly free: string;
  readonly locked: string;
  readonly total: string;
}

export function orderViews(core: VenueCore): EmulatorOrderView[] {
  return core.ledger.all().map((r) => {
    const cid = venueClientId(core.venue, r);
    return {
      seq: r.seq,
      orderId: venueOrderId(core.venue, r),
      ...(cid !== undefined ? { clientOrderId: cid } : {}),
      symbol: r.symbol,
      side: r.intent.side,
      type: r.intent.type,
      ...(r.intent.price !== undefined ? { price: r.intent.price } : {}),
      quantity: r.intent.quantity,
      ...(r.intent.quoteQty !== undefined ? { quoteQty: r.intent.quoteQty } : {}),
      filled: formatAtto(r.filled),
      cost: formatAtto(r.quote),
      fee: formatAtto(r.fee),
      trades: r.fills.length,
      status: r.status,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  });
}

export function balanceViews(core: VenueCore): Record<Asset, BalanceView> {
  const out: Record<Asset, BalanceView> = {};
  for (const [asset, b] of core.balances()) {
    out[asset] = { free: formatAtto(b.free), locked: formatAtto(b.locked), total: formatAtto(b.free + b.locked) };
  }
  return out;
}

/**
 * `dialect` plus the `/__emulator/...` routes. `POST /__emulator/faults` with `{"specs": ["KIND@N", …],
 * "seed": S}` replaces the fault plan (the `--fault` syntax): how a scenario's `faults:` reach an
 * emulator that is already running. An empty list clears it.
 */
export function withIntrospection(dialect: Dialect, core: VenueCore, setFaults?: (specs: string[], seed: number) => void): Dialect {
  const routes = new Map<string, Route>([
    [
      'POST /__emulator/faults',
      {
        kind: 'introspect',
        handle: (req) => {
          if (!setFaults) return { status: 404, body: { error: 'fault plans cannot be set on this emulator' } };
          try {
            const body = JSON.parse(req.rawBody || '{}') as { specs?: unknown; seed?: unknown };
            const specs = Array.isArray(body.specs) ? body.specs.map(String) : [];
            setFaults(specs, typeof body.seed === 'number' ? body.seed : 1);
            return { status: 200, body: { specs } };
          } catch (err) {
            return { status: 400, body: { error: (err as Error).message } };
          }
        },
      },
    ],
    ['GET /__emulator/orders', { kind: 'introspect', handle: () => ({ status: 200, body: orderViews(core) }) }],
    ['GET /__emulator/balances', { kind: 'introspect', handle: () => ({ status: 200, body: balanceViews(core) }) }],
    ['GET /__emulator/faults', { kind: 'introspect', handle: () => ({ status: 200, body: core.faults.log.entries() }) }],
  ]);
  return { ...dialect, route: (method, path) => routes.get(`${method} ${path}`) ?? dialect.route(method, path) };
}
