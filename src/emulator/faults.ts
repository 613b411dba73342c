/**
 * Fault hooks: a plan consulted once per API request, before the venue sees it, deciding whether the
 * request is answered normally or meets a failure a real venue produces. Each failure says whether the
 * venue EXECUTED the request, because that is what the client cannot know and must resolve
 * (RELIABILITY.md: "unknown" outcomes are looked up by client id, never resent blindly).
 *
 * Two kinds of action: transport-level ones (`error`, `timeout-*`, `reset-after-accept`, `delay`), and
 * `{type: 'fault', kind}` naming one of issue 4's fault kinds, which fault-runner.ts turns into the
 * venue's own behaviour (bodies, ban windows, lookup lag, withheld trades...). `fault-spec.ts` builds a
 * plan of the latter from `--fault KIND@N` / `KIND:P`.
 */
import type { VenueId } from '../domain/types.ts';

export type RequestKind =
  | 'order.create'
  | 'order.cancel'
  | 'order.query'
  | 'orders.open'
  | 'orders.closed'
  | 'account'
  | 'trades'
  | 'market'
  | 'time'
  /** `/__emulator/...`: never faulted. */
  | 'introspect'
  | 'other';

/** What the plan sees of a request. */
export interface FaultRequest {
  readonly venue: VenueId;
  readonly kind: RequestKind;
  readonly method: string;
  readonly path: string;
  /** 1-based count of requests of this kind, this one included. */
  readonly kindSeq: number;
  /** On `order.create`: the N of "the N-th order request" (every attempt counts, rejected ones too). */
  readonly orderSeq?: number;
  /** The client order id the request carries (Binance newClientOrderId/origClientOrderId, Upbit identifier). */
  readonly clientId?: string;
  /** Wall time the request arrived. */
  readonly now: number;
}

/** Issue 4's fault kinds, by the names the command line uses. */
export const FAULT_KINDS = [
  'timeout-after-accept',
  'timeout-before-accept',
  'error-5xx-after-accept',
  'unknown-status',
  'rate-limit',
  'ip-ban',
  'clock-skew',
  'not-found-lag',
  'duplicate-id',
  'drop-event',
  'repeat-event',
  'partial-then-cancel',
  'stream-silence',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Optional parameters of a fault kind (which kind takes which: fault-spec.ts `PARAMS`). */
export interface FaultParams {
  /** rate-limit, ip-ban: seconds in the Retry-After header and length of the refusal window. */
  readonly retryAfterS?: number;
  /** error-5xx-after-accept: the HTTP status (500..599). */
  readonly status?: number;
  /** clock-skew: how far the server clock jumps (ms); not-found-lag, drop-event, repeat-event, stream-silence: duration (ms). */
  readonly ms?: number;
  /** not-found-lag: lookups answered not-found; drop-event, repeat-event: trade listings altered. */
  readonly lookups?: number;
  /** partial-then-cancel: the part of the order that fills before the venue cancels the rest (0 < fill < 1). */
  readonly fill?: number;
}

export type FaultAction =
  /** Answer normally. */
  | { readonly type: 'pass' }
  /** Wait, then do `then` (default: answer normally). */
  | { readonly type: 'delay'; readonly ms: number; readonly then?: FaultAction }
  /** Refuse before the venue sees it (429, 418, -1021, 5xx before accept...): nothing executed. */
  | { readonly type: 'error'; readonly status: number; readonly body: unknown; readonly headers?: Readonly<Record<string, string>> }
  /** Execute, then answer with an error instead of the result (5xx after accept, Binance -1007). */
  | { readonly type: 'error-after-accept'; readonly status: number; readonly body: unknown; readonly headers?: Readonly<Record<string, string>> }
  /** Execute, never answer: the client times out not knowing the order exists. */
  | { readonly type: 'timeout-after-accept' }
  /** Never execute, never answer: the client times out and the order does not exist. */
  | { readonly type: 'timeout-before-accept' }
  /** Execute, then drop the connection without an answer (reset after send). */
  | { readonly type: 'reset-after-accept' }
  /** One of issue 4's kinds, played the way the venue would (fault-runner.ts). */
  | { readonly type: 'fault'; readonly kind: FaultKind; readonly params?: FaultParams };

export interface FaultPlan {
  /** The action for this request; undefined means answer normally. Called synchronously, once per request. */
  decide(req: FaultRequest): FaultAction | undefined;
}

export const PASS: FaultAction = { type: 'pass' };

/** The action for fault `kind` with `params`. */
export function fault(kind: FaultKind, params: FaultParams = {}): FaultAction {
  return { type: 'fault', kind, params };
}

/** A plan that hits the N-th order request (1-based) with the given action, once each. */
export function faultsByOrderSeq(actions: ReadonlyMap<number, FaultAction> | Record<number, FaultAction>): FaultPlan {
  const byN = actions instanceof Map ? actions : new Map(Object.entries(actions).map(([n, a]) => [Number(n), a]));
  return {
    decide: (req) => (req.kind === 'order.create' && req.orderSeq !== undefined ? byN.get(req.orderSeq) : undefined),
  };
}

/** A plan made of rules tried in order; a rule with `times` stops matching after that many hits. */
export function ruleFaults(rules: ReadonlyArray<{ when: (req: FaultRequest) => boolean; action: FaultAction; times?: number }>): FaultPlan {
  const left = rules.map((r) => r.times ?? Infinity);
  return {
    decide(req) {
      for (let i = 0; i < rules.length; i++) {
        if (left[i]! > 0 && rules[i]!.when(req)) {
          left[i]! -= 1;
          return rules[i]!.action;
        }
      }
      return undefined;
    },
  };
}
