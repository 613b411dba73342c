/**
 * The Binance spot dialect of the emulator: its route table and its error bodies for unknown
 * endpoints and internal failures.
 */
import type { Dialect, Route } from '../http-server.ts';
import type { VenueCore } from '../venue-core.ts';
import type { BinanceKeys } from './auth.ts';
import { binanceError, BinanceErrors, binanceFaultReply } from './errors.ts';
import { marketRoutes } from './routes-market.ts';
import { newOrderRoute } from './routes-order.ts';
import { queryRoutes } from './routes-query.ts';

export function binanceDialect(core: VenueCore, keys: BinanceKeys): Dialect {
  const ctx = { core, keys };
  const routes = new Map<string, Route>(
    Object.entries({
      ...marketRoutes(core),
      ...queryRoutes(ctx),
      'POST /api/v3/order': newOrderRoute(ctx),
    }),
  );
  return {
    route: (method, path) => routes.get(`${method} ${path}`),
    notFound: (req) => binanceError(-1000, `The emulator does not implement ${req.method} ${req.path}.`, 404),
    internalError: () => BinanceErrors.unknown(),
    faultReply: binanceFaultReply,
    // Request weight is counted per IP over every endpoint, so a 429 window refuses everything.
    inRateLimitGroup: () => true,
    checksTimestamps: true,
  };
}
