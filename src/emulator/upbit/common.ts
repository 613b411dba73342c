/**
 * Shared pieces of the Upbit routes: context, the authenticated-route wrapper (JSON body for POST,
 * query string otherwise, JWT checked against both) and parameter access.
 */
import type { RequestKind } from '../faults.ts';
import type { HttpReply, HttpRequest, Route } from '../http-server.ts';
import type { VenueCore } from '../venue-core.ts';
import { checkJwt, type NonceMemory, type UpbitKeys } from './auth.ts';
import { UpbitErrors } from './errors.ts';

export interface UpbitContext {
  readonly core: VenueCore;
  readonly keys: UpbitKeys;
  readonly nonces: NonceMemory;
  /** Every identifier ever sent with an order, accepted or not: Upbit never allows one twice. */
  readonly identifiers: Set<string>;
}

export interface Params {
  get(name: string): string | undefined;
  /** Array parameters (`states[]=a&states[]=b`, or a JSON array). */
  getAll(name: string): string[];
}

export const ok = (body: unknown, status = 200): HttpReply => ({ status, body });

function fromQuery(q: URLSearchParams): Params {
  return { get: (n) => q.get(n) ?? undefined, getAll: (n) => [...q.getAll(n), ...q.getAll(`${n}[]`)] };
}

function fromJson(o: Record<string, unknown>): Params {
  return {
    get: (n) => (o[n] === undefined || o[n] === null ? undefined : String(o[n])),
    getAll: (n) => (Array.isArray(o[n]) ? (o[n] as unknown[]).map(String) : []),
  };
}

function parseBody(req: HttpRequest): Record<string, unknown> | undefined | 'bad' {
  if (req.method !== 'POST') return undefined;
  if (req.rawBody === '') return {};
  try {
    const v: unknown = JSON.parse(req.rawBody);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : 'bad';
  } catch {
    return 'bad';
  }
}

function paramsOf(req: HttpRequest): Params {
  const body = parseBody(req);
  return body === undefined || body === 'bad' ? fromQuery(req.query) : fromJson(body);
}

export function privateRoute(ctx: UpbitContext, kind: RequestKind, handler: (p: Params, now: number) => HttpReply, clientIdParam?: string): Route {
  return {
    kind,
    handle(req) {
      const body = parseBody(req);
      if (body === 'bad') return UpbitErrors.validation('body');
      const fail = checkJwt(req, body, ctx.keys, ctx.nonces);
      if (fail) return fail;
      return handler(body === undefined ? fromQuery(req.query) : fromJson(body), ctx.core.tick());
    },
    ...(clientIdParam ? { clientIdOf: (req: HttpRequest) => paramsOf(req).get(clientIdParam) } : {}),
  };
}

export function publicRoute(kind: RequestKind, handler: (p: Params) => HttpReply): Route {
  return { kind, handle: (req) => handler(fromQuery(req.query)) };
}
