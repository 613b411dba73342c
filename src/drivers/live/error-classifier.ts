/**
 * Turns a ccxt error (plus the HTTP status and headers of the response, when there was one) into
 * what the system should do about it — RELIABILITY.md's table, in code:
 *
 *   rejected  — not placed, final: never retried.
 *   transient — not placed, may succeed later: back off (Retry-After, 418 ban), resend with the SAME id.
 *   unknown   — may or may not have reached the book: look it up by client id, never resend blindly.
 *   duplicate — the venue already has an order with this client id: fetch it and adopt it.
 *
 * Order matters: ccxt's classes nest (OrderNotFound ⊂ InvalidOrder ⊂ ExchangeError; RateLimitExceeded,
 * DDoSProtection, RequestTimeout, ExchangeNotAvailable ⊂ NetworkError), so the specific checks run first.
 * For `cancel` and `fetch` nothing is created, so an unknown outcome is simply retryable.
 */
import {
  ArgumentsRequired,
  AuthenticationError,
  BadRequest,
  BadResponse,
  BadSymbol,
  BaseError,
  CancelPending,
  DDoSProtection,
  DuplicateOrderId,
  ExchangeError,
  ExchangeNotAvailable,
  InsufficientFunds,
  InvalidNonce,
  InvalidOrder,
  NetworkError,
  NotSupported,
  OperationFailed,
  OperationRejected,
  OrderNotFound,
  PermissionDenied,
  RateLimitExceeded,
  RequestTimeout,
} from 'ccxt';
import type { VenueId } from '../../domain/types.ts';

export type ErrorKind = 'rejected' | 'transient' | 'unknown' | 'duplicate';
export type VenueOperation = 'submit' | 'cancel' | 'fetch';

export interface ErrorClass {
  readonly kind: ErrorKind;
  /** Human-readable: the ccxt class and message. Not yet redacted — the caller redacts before emitting. */
  readonly reason: string;
  /** The venue's code (Binance `-2010`, Upbit `insufficient_funds_bid`), else `HTTP_<status>` or the ccxt class. */
  readonly code?: string;
  /** Wait at least this long before the next request (Retry-After, or a ban's remaining time). */
  readonly retryAfterMs?: number;
  /** Epoch ms until which the venue bans this IP (HTTP 418): send nothing to it before then. */
  readonly banUntil?: number;
  /** A rate limit (429): the venue counts weight per IP, so background traffic should pause too. */
  readonly rateLimited?: boolean;
  /** The request was refused for its timestamp (InvalidNonce, Binance -1021): resync the clock first. */
  readonly resyncClock?: boolean;
}

export interface ErrorContext {
  readonly venue: VenueId;
  readonly operation: VenueOperation;
  /** Status of the HTTP response that caused the error; absent when no response arrived. */
  readonly httpStatus?: number;
  /** Headers of that response, as ccxt hands them over (capitalized keys). */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  /** That response's body: its venue code when ccxt's message dropped it (errors matched by message). */
  readonly body?: string;
  /** Now, epoch ms (for `banUntil` and HTTP-date Retry-After). */
  readonly now?: number;
}

/** A 418 without Retry-After: Binance's shortest documented ban. */
export const DEFAULT_BAN_MS = 120_000;

// Transport failures that prove the request never left: nothing was sent, so resending is safe.
const NOT_SENT = /ECONNREFUSED|ConnectionRefused|ENOTFOUND|EAI_AGAIN|DNSError|UND_ERR_CONNECT_TIMEOUT|FailedToOpenSocket/;
// Binance says "Duplicate order sent." (-2010, arrives as InvalidOrder); other venues word it alike.
const DUPLICATE = /duplicate (order|client|identifier)|client ?order ?id (is )?(already|duplicated)|identifier.{0,20}(already|exists)/i;

export function classifyError(err: unknown, ctx: ErrorContext): ErrorClass {
  const message = err instanceof Error ? err.message : String(err);
  const className = err instanceof Error ? err.constructor.name : typeof err;
  const reason = `${className}: ${message}`.slice(0, 600);
  const venueCode = venueErrorCode(message) ?? (ctx.body !== undefined ? venueErrorCode(ctx.body) : undefined);
  const status = ctx.httpStatus ?? statusFromMessage(message);
  const code = venueCode ?? (status !== undefined ? `HTTP_${status}` : className);
  const base = { reason, code };
  const outcomeUnknown = (): ErrorClass => ({ ...base, kind: ctx.operation === 'submit' ? 'unknown' : 'transient' });

  if (!(err instanceof BaseError)) {
    // Not ccxt's: a raw transport error, or a bug. Only a refused connection proves nothing was sent.
    const errno = (err as { code?: unknown } | null)?.code;
    if (typeof errno === 'string' && NOT_SENT.test(errno)) return { ...base, kind: 'transient' };
    return outcomeUnknown();
  }

  // 1. Bans and rate limits: the venue refused to process the request at all.
  if (status === 418 || /IP banned until/i.test(message)) {
    const now = ctx.now ?? 0;
    const until = bannedUntil(message, now) ?? now + (retryAfter(ctx.headers, now) ?? DEFAULT_BAN_MS);
    return { ...base, kind: 'transient', code: 'HTTP_418', banUntil: until, retryAfterMs: Math.max(0, until - now) };
  }
  if (err instanceof RateLimitExceeded || err instanceof DDoSProtection || status === 429) {
    const wait = retryAfter(ctx.headers, ctx.now ?? 0);
    return { ...base, kind: 'transient', rateLimited: true, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
  }
  // 2. Clock skew: refused for its timestamp, never processed.
  if (err instanceof InvalidNonce || venueCode === '-1021') return { ...base, kind: 'transient', resyncClock: true };
  // 3. Binance's "execution status unknown" codes, whatever class ccxt gave them.
  if (venueCode === '-1006' || venueCode === '-1007') return outcomeUnknown();
  if (err instanceof RequestTimeout) return outcomeUnknown();
  if (err instanceof CancelPending) return { ...base, kind: 'transient' };
  // 4. The order exists already under this client id: adopt it.
  if (ctx.operation === 'submit' && (err instanceof DuplicateOrderId || (err instanceof ExchangeError && DUPLICATE.test(message)))) {
    return { ...base, kind: 'duplicate' };
  }
  // 5. ccxt maps bare 4xx statuses to ExchangeNotAvailable; a 4xx is the sender's fault, not an outage.
  if (err instanceof ExchangeNotAvailable) {
    if (status !== undefined && status >= 400 && status < 500) return { ...base, kind: 'rejected' };
    return outcomeUnknown();
  }
  if (err instanceof NetworkError) {
    // Reset, socket closed, body cut... after the request may have left: only "refused" proves it didn't.
    return NOT_SENT.test(message) ? { ...base, kind: 'transient' } : outcomeUnknown();
  }
  if (err instanceof OperationFailed || err instanceof BadResponse) return outcomeUnknown();
  // 6. Final refusals. OrderNotFound is final too; cancel/fetch callers treat it as "look it up".
  if (
    err instanceof OrderNotFound ||
    err instanceof InsufficientFunds ||
    err instanceof InvalidOrder ||
    err instanceof BadSymbol ||
    err instanceof BadRequest ||
    err instanceof AuthenticationError ||
    err instanceof PermissionDenied ||
    err instanceof ArgumentsRequired ||
    err instanceof NotSupported ||
    err instanceof OperationRejected
  ) {
    return { ...base, kind: 'rejected' };
  }
  // 7. A plain ExchangeError (e.g. Upbit with an `error.name` ccxt does not know): the status decides.
  if (status !== undefined) {
    if (status >= 500) return outcomeUnknown();
    if (status === 408) return outcomeUnknown();
    if (status >= 400) return { ...base, kind: 'rejected' };
  }
  // No status and no known class: we cannot prove it was not placed.
  return outcomeUnknown();
}

/** Binance `"code":-2010` or Upbit `"name":"insufficient_funds_bid"` from a ccxt message (which carries the body). */
export function venueErrorCode(message: string): string | undefined {
  const binance = /"code"\s*:\s*"?(-\d+)"?/.exec(message);
  if (binance) return binance[1];
  const upbit = /"error"\s*:\s*\{[^}]*"name"\s*:\s*"?([A-Za-z0-9_]+)"?/.exec(message);
  return upbit?.[1];
}

/** ccxt's own messages name the status: `binance 418 I'm a teapot ...` or `upbit GET http://... 429 ...`. */
function statusFromMessage(message: string): number | undefined {
  const m = /^\S+ (?:(?:GET|POST|PUT|DELETE|PATCH) \S+ )?([1-5]\d\d) /.exec(message);
  return m ? Number(m[1]) : undefined;
}

/**
 * When a ban ends, from the venue's message: Binance names the epoch ms (`IP banned until 1700000000000`);
 * Upbit gives the time with its offset (KST, `2024-01-01T09:00:05+09:00`) and the seconds left
 * (`(5초 후)`, or `5 seconds`). Undefined when the message says neither.
 */
export function bannedUntil(message: string, now: number): number | undefined {
  const epoch = /banned until (\d{13})/i.exec(message);
  if (epoch) return Number(epoch[1]);
  const iso = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})/.exec(message);
  if (iso) {
    const at = Date.parse(iso[0].replace(' ', 'T'));
    if (Number.isFinite(at)) return at;
  }
  const secs = /(\d+(?:\.\d+)?)\s*(?:초|seconds?\b|secs?\b)/i.exec(message);
  return secs ? now + Math.round(Number(secs[1]) * 1000) : undefined;
}

/** Retry-After in ms: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Header names are matched case-insensitively. */
export function retryAfter(headers: ErrorContext['headers'], now: number): number | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'retry-after');
  const raw = key !== undefined ? headers[key]?.trim() : undefined;
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
