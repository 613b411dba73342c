/**
 * The Upbit dialect of the emulator: its route table and its error bodies for unknown endpoints and
 * internal failures.
 */
import type { Dialect, Route } from '../http-server.ts';
import type { VenueCore } from '../venue-core.ts';
import { NonceMemory, type UpbitKeys } from './auth.ts';
import { upbitError, UpbitErrors, upbitFaultReply } from './errors.ts';
import { marketRoutes } from './routes-market.ts';
import { newOrderRoute } from './routes-order.ts';
import { queryRoutes } from './routes-query.ts';

export function upbitDialect(core: VenueCore, keys: UpbitKeys): Dialect {
  const ctx = { core, keys, nonces: new NonceMemory(), identifiers: new Set<string>() };
  const routes = new Map<string, Route>(
    Object.entries({
      ...marketRoutes(core),
      ...queryRoutes(ctx),
      'POST /v1/orders': newOrderRoute(ctx),
    }),
  );
  return {
    route: (method, path) => routes.get(`${method} ${path}`),
    notFound: (req) => upbitError(404, 'not_found', `The emulator does not implement ${req.method} ${req.path}.`),
    internalError: () => UpbitErrors.server(),
    faultReply: upbitFaultReply,
    // Upbit limits per group; a rate-limit fault models the order group (POST /v1/orders) running dry.
    inRateLimitGroup: (kind) => kind === 'order.create',
    // The JWT carries a nonce, no timestamp: a skewed clock cannot fail an Upbit request.
    checksTimestamps: false,
  };
}
