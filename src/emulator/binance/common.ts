/**
 * Shared pieces of the Binance routes: the context they run in, signed-endpoint wrapping, and the
 * parameter readers that turn a missing or malformed parameter into the venue's own error.
 */
import { randomBytes } from 'node:crypto';
import type { MarketDef } from '../../domain/types.ts';
import { parseDecimal } from '../decimal.ts';
import type { RequestKind } from '../faults.ts';
import type { HttpReply, HttpRequest, Route } from '../http-server.ts';
import type { VenueCore } from '../venue-core.ts';
import { checkSigned, paramsOf, type BinanceKeys } from './auth.ts';
import { BinanceErrors } from './errors.ts';

export interface BinanceContext {
  readonly core: VenueCore;
  readonly keys: BinanceKeys;
}

export const ok = (body: unknown): HttpReply => ({ status: 200, body });

export function isReply(x: unknown): x is HttpReply {
  return typeof x === 'object' && x !== null && 'status' in x && 'body' in x;
}

/** A route whose handler runs only once the key, time window and signature check out. */
export function signedRoute(
  ctx: BinanceContext,
  kind: RequestKind,
  handler: (p: URLSearchParams, now: number) => HttpReply,
  clientIdParam?: string,
): Route {
  return {
    kind,
    handle(req: HttpRequest): HttpReply {
      const p = paramsOf(req);
      const now = ctx.core.serverNow(); // skewed by a clock-skew fault: the time window check bites
      return checkSigned(req, p, ctx.keys, now) ?? handler(p, now);
    },
    ...(clientIdParam ? { clientIdOf: (req: HttpRequest) => paramsOf(req).get(clientIdParam) ?? undefined } : {}),
  };
}

export function publicRoute(kind: RequestKind, handler: (p: URLSearchParams) => HttpReply): Route {
  return { kind, handle: (req) => handler(req.query) };
}

/** The market a `symbol` parameter names; a reply when missing (-1102) or unknown (-1121). */
export function symbolParam(core: VenueCore, p: URLSearchParams): MarketDef | HttpReply {
  const id = p.get('symbol');
  if (id === null || id === '') return BinanceErrors.mandatory('symbol');
  return core.marketById(id.toUpperCase()) ?? BinanceErrors.invalidSymbol();
}

/** Markets named by `symbol`, `symbols` (a JSON array) or, with neither, every market. */
export function symbolsParam(core: VenueCore, p: URLSearchParams): MarketDef[] | HttpReply {
  if (p.get('symbol') !== null) {
    const def = symbolParam(core, p);
    return isReply(def) ? def : [def];
  }
  const list = p.get('symbols');
  if (list === null) return [...core.markets.values()];
  let ids: unknown;
  try {
    ids = JSON.parse(list);
  } catch {
    return BinanceErrors.mandatory('symbols');
  }
  if (!Array.isArray(ids)) return BinanceErrors.mandatory('symbols');
  const out: MarketDef[] = [];
  for (const id of ids) {
    const def = typeof id === 'string' ? core.marketById(id) : undefined;
    if (def === undefined) return BinanceErrors.invalidSymbol();
    out.push(def);
  }
  return out;
}

/** An optional decimal parameter: undefined when absent, a reply when malformed (-1100). */
export function decimalParam(p: URLSearchParams, name: string): number | undefined | HttpReply {
  const v = p.get(name);
  if (v === null) return undefined;
  return parseDecimal(v) ?? BinanceErrors.illegalChars(name);
}

/** An optional integer parameter within [min, max]; a reply when malformed. */
export function intParam(p: URLSearchParams, name: string, min: number, max: number): number | undefined | HttpReply {
  const v = p.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= min && n <= max ? n : BinanceErrors.mandatory(name);
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A client order id like the ones Binance makes up when none is sent (22 alphanumerics). */
export function randomClientId(): string {
  const bytes = randomBytes(22);
  let s = '';
  for (const b of bytes) s += ID_CHARS[b % ID_CHARS.length];
  return s;
}

export const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
