/**
 * Instruments one ccxt exchange instance, per call, without subclassing it:
 *  - `fetch` (ccxt's documented override point for the transport) marks when a call's HTTP request is
 *    handed to the transport — the end of the in-process latency the benchmark measures — and stops a
 *    dry-run call (dry-run.ts) there, before anything is sent;
 *  - `onRestResponse` (ccxt's per-response hook, called just before `handleErrors`) records the HTTP
 *    status and headers, which ccxt does not attach to the error it throws: Upbit errors with an unknown
 *    `error.name` are judged by the status, and Retry-After lives in the headers.
 * AsyncLocalStorage ties both to the call that caused them, so concurrent calls never see each other's
 * response (ccxt's own `last_response_headers` is one shared field, racy under concurrency).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { DryRunStop, inDryRun } from './dry-run.ts';

/** What one ccxt call did on the wire. Mutated by the hooks while the call runs. */
export interface CallRecord {
  /** `performance.now()` when the caller started the operation (submit() entry). */
  readonly startedAt: number;
  /** `performance.now()` when the first HTTP request of the call was handed to the transport. */
  sentAt?: number;
  /** Number of HTTP requests the call made (ccxt retries would show here). */
  requests: number;
  status?: number;
  headers?: Record<string, string>;
  /** The start of the response body (venue error codes that ccxt's message may have dropped). */
  body?: string;
}

/** Enough of a body for any venue's error object; order lists are not needed here. */
const BODY_KEPT = 2_000;

type FetchFn = (url: string, method?: string, headers?: unknown, body?: unknown) => Promise<unknown>;
type OnRestResponseFn = (status: number, statusText: string, url: string, method: string, headers: Record<string, string>, body: string, ...rest: unknown[]) => string;
interface Hookable {
  fetch: FetchFn;
  onRestResponse: OnRestResponseFn;
}

const PROBES = new WeakMap<object, CcxtProbe>();

export class CcxtProbe {
  private readonly als = new AsyncLocalStorage<CallRecord>();

  /** The probe of `exchange`, installing the hooks on first use (once per instance). */
  static of(exchange: object): CcxtProbe {
    let probe = PROBES.get(exchange);
    if (!probe) {
      probe = new CcxtProbe(exchange as Hookable);
      PROBES.set(exchange, probe);
    }
    return probe;
  }

  private constructor(ex: Hookable) {
    const als = this.als;
    const fetch = ex.fetch;
    const onRestResponse = ex.onRestResponse;
    ex.fetch = function (this: unknown, url, method, headers, body) {
      if (inDryRun()) return Promise.reject(new DryRunStop());
      const rec = als.getStore();
      if (rec) {
        rec.sentAt ??= performance.now();
        rec.requests += 1;
      }
      return fetch.call(this, url, method, headers, body);
    };
    ex.onRestResponse = function (this: unknown, status, statusText, url, method, headers, body, ...rest) {
      const rec = als.getStore();
      if (rec) {
        rec.status = status;
        rec.headers = headers;
        rec.body = typeof body === 'string' ? body.slice(0, BODY_KEPT) : undefined;
      }
      return onRestResponse.call(this, status, statusText, url, method, headers, body, ...rest);
    };
  }

  /** Runs `fn` (one ccxt call) with `rec` collecting what happened on the wire. */
  run<T>(rec: CallRecord, fn: () => Promise<T>): Promise<T> {
    return this.als.run(rec, fn);
  }

  static record(startedAt = performance.now()): CallRecord {
    return { startedAt, requests: 0 };
  }
}
