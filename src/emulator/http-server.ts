/**
 * The HTTP layer: node:http on 127.0.0.1 only, keep-alive, one synchronous handler per route, and the
 * fault plumbing (faults.ts) between the request and the venue. Handlers never see sockets; a fault
 * that withholds or drops an answer is applied here, so every route gets every fault for free. What a
 * fault means at the venue (bodies, windows, lag...) is the `FaultHandler`'s business (fault-runner.ts).
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { VenueId } from '../domain/types.ts';
import { PASS, type FaultAction, type FaultPlan, type FaultRequest, type RequestKind } from './faults.ts';

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  /** The query string as sent (still encoded, without `?`): signatures are computed over it. */
  readonly rawQuery: string;
  readonly query: URLSearchParams;
  /** The body as sent. */
  readonly rawBody: string;
  readonly headers: IncomingHttpHeaders;
}

export interface HttpReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as is (text/html) instead of `body` as JSON: a gateway's error page. */
  readonly html?: string;
}

export interface Route {
  readonly kind: RequestKind;
  handle(req: HttpRequest): HttpReply;
  /** The client order id the request names, for the fault plan. */
  clientIdOf?(req: HttpRequest): string | undefined;
}

/** The venue answers a fault needs from a dialect. */
export type FaultReplyKind = 'server-error' | 'unknown-status' | 'rate-limit' | 'ip-ban' | 'duplicate-id';

export interface FaultReplyInfo {
  /** Seconds until the window ends (Retry-After). */
  readonly retryAfterS: number;
  /** Wall time the window ends. */
  readonly until: number;
  /** `server-error`: the status asked for (else the dialect's usual one). */
  readonly status?: number;
}

/** One venue dialect: its routes, its bodies for "no such endpoint" and "we broke", and its fault answers. */
export interface Dialect {
  route(method: string, path: string): Route | undefined;
  notFound(req: HttpRequest): HttpReply;
  internalError(err: unknown): HttpReply;
  faultReply(kind: FaultReplyKind, info: FaultReplyInfo): HttpReply;
  /** Whether a `rate-limit` window refuses requests of `kind` (the venue's rate-limit group). */
  inRateLimitGroup(kind: RequestKind): boolean;
  /** Whether signed requests carry a timestamp the venue checks (so `clock-skew` can bite). */
  readonly checksTimestamps: boolean;
}

/** What the socket sees of a resolved fault. */
export type Transport = { readonly type: 'reply'; readonly reply: HttpReply } | { readonly type: 'hold' } | { readonly type: 'reset' };

/** Turns fault actions into venue behaviour and logs them (fault-runner.ts). */
export interface FaultHandler {
  /** The refusal of an open ban / rate-limit window, if one covers `req`; `planned` is what the plan chose (logged as suppressed). */
  gate(req: FaultRequest, planned: FaultAction | undefined): HttpReply | undefined;
  /** A fault action other than pass/delay; `execute` runs the route (the venue sees the request). */
  resolve(action: FaultAction, req: FaultRequest, execute: () => HttpReply): Transport;
  /** Notes a delay before it starts. */
  delayed(req: FaultRequest, ms: number): void;
}

export interface ServerOptions {
  readonly venue: VenueId;
  readonly port: number;
  readonly dialect: Dialect;
  /** Read on every request, so a test can swap plans while the server runs. */
  readonly faults: () => FaultPlan | undefined;
  readonly faultHandler: FaultHandler;
  readonly log?: (line: string) => void;
}

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

export async function startHttpServer(opts: ServerOptions): Promise<RunningServer> {
  const kindSeq = new Map<RequestKind, number>();
  let orderSeq = 0;
  /** Sockets of requests a fault left unanswered; destroyed on close. */
  const held = new Set<Socket>();
  const hold = (s: Socket | null): void => {
    if (s === null || held.has(s)) return;
    held.add(s);
    s.once('close', () => held.delete(s));
  };

  const send = (res: ServerResponse, reply: HttpReply): void => {
    const text = reply.html ?? JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': reply.html !== undefined ? 'text/html' : 'application/json;charset=UTF-8',
      'content-length': Buffer.byteLength(text),
      ...reply.headers,
    });
    res.end(text);
  };

  const execute = (route: Route, req: HttpRequest): HttpReply => {
    try {
      return route.handle(req);
    } catch (err) {
      opts.log?.(`emulator ${opts.venue}: ${req.method} ${req.path} failed: ${err instanceof Error ? err.message : String(err)}`);
      return opts.dialect.internalError(err);
    }
  };

  const apply = (action: FaultAction, route: Route, req: HttpRequest, res: ServerResponse, info: FaultRequest): void => {
    if (action.type === 'pass') return send(res, execute(route, req));
    if (action.type === 'delay') {
      opts.faultHandler.delayed(info, action.ms);
      setTimeout(() => apply(action.then ?? PASS, route, req, res, info), action.ms).unref();
      return;
    }
    const out = opts.faultHandler.resolve(action, info, () => execute(route, req));
    if (out.type === 'reply') return send(res, out.reply);
    if (out.type === 'hold') return hold(res.socket);
    res.socket?.destroy();
  };

  const onRequest = (msg: IncomingMessage, res: ServerResponse, rawBody: string): void => {
    const url = msg.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const method = msg.method ?? 'GET';
    const req: HttpRequest = { method, path, rawQuery, query: new URLSearchParams(rawQuery), rawBody, headers: msg.headers };
    const route = opts.dialect.route(method, path);
    if (route === undefined) return send(res, opts.dialect.notFound(req));
    // Counted whether or not a plan is installed, so a plan set mid-run still sees true sequence numbers.
    const n = (kindSeq.get(route.kind) ?? 0) + 1;
    kindSeq.set(route.kind, n);
    if (route.kind === 'order.create') orderSeq++;
    if (route.kind === 'introspect') return send(res, execute(route, req));
    const clientId = route.clientIdOf?.(req);
    const info: FaultRequest = {
      venue: opts.venue,
      kind: route.kind,
      method,
      path,
      kindSeq: n,
      ...(route.kind === 'order.create' ? { orderSeq } : {}),
      ...(clientId !== undefined ? { clientId } : {}),
      now: Date.now(),
    };
    // The plan is asked even when a ban refuses the request, so its random draws follow the request order alone.
    const action = opts.faults()?.decide(info);
    const refused = opts.faultHandler.gate(info, action);
    if (refused !== undefined) return send(res, refused);
    if (action !== undefined && action.type !== 'pass') {
      opts.log?.(`emulator ${opts.venue}: fault ${action.type === 'fault' ? action.kind : action.type} on ${method} ${path}`);
    }
    apply(action ?? PASS, route, req, res, info);
  };

  const server = http.createServer((msg, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    msg.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) msg.destroy();
      else chunks.push(c);
    });
    msg.on('end', () => onRequest(msg, res, chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8')));
  });
  server.keepAliveTimeout = 60_000;

  // Loopback only, whatever the caller asks: the emulator accepts keys and must not be reachable.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of held) s.destroy();
        held.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
