/**
 * Fault hooks: a plan consulted once per API request, before the venue sees it, deciding whether the
 * request is answered normally or meets a failure a real venue produces. Each failure says whether the
 * venue EXECUTED the request, because that is what the client cannot know and must resolve
 * (RELIABILITY.md: "unknown" outcomes are looked up by client id, never resent blindly).
 *
 * Transport-level actions are implemented here and in http-server.ts. Issue 4 adds venue-level faults
 * (not-found lag after create, dropped/repeated order events, partial-then-cancel, stream silence,
 * clock skew) as further `FaultAction` variants handled by the dialects, and the `--fault KIND@N` /
 * `KIND:P` schedule parser on top of `faultsByOrderSeq` / a seeded probability plan.
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
  | { readonly type: 'reset-after-accept' };

export interface FaultPlan {
  /** The action for this request; undefined means answer normally. Called synchronously, once per request. */
  decide(req: FaultRequest): FaultAction | undefined;
}

export const PASS: FaultAction = { type: 'pass' };

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
