/**
 * RELIABILITY.md's error table, row by row. Errors are real ccxt errors: either constructed from ccxt's
 * classes, or — better — produced by ccxt's own Binance/Upbit response handlers from the venues' real
 * error bodies, so a ccxt upgrade that remaps a code shows up here.
 */
import {
  AuthenticationError,
  BadRequest,
  BadSymbol,
  DDoSProtection,
  DuplicateOrderId,
  ExchangeError,
  ExchangeNotAvailable,
  InsufficientFunds,
  InvalidNonce,
  InvalidOrder,
  NetworkError,
  OrderNotFound,
  PermissionDenied,
  RateLimitExceeded,
  RequestTimeout,
  type Exchange,
} from 'ccxt';
import { describe, expect, it } from 'vitest';
import { classifyError, DEFAULT_BAN_MS, retryAfter, type ErrorContext, type ErrorKind, type VenueOperation } from '../../../src/drivers/live/error-classifier.ts';
import { createCcxtExchange } from '../../../src/drivers/live/create-exchange.ts';

const LOCAL = 'http://127.0.0.1:9';
const binance = createCcxtExchange('binance', { baseUrl: LOCAL });
const upbit = createCcxtExchange('upbit', { baseUrl: LOCAL });
const NOW = 1_700_000_000_000;

/** The error ccxt's own handlers throw for this HTTP response (handleErrors, then the status table). */
function fromResponse(ex: Exchange, status: number, body: string, method = 'POST', url = `${LOCAL}/api/v3/order`): Error {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  try {
    const skip = ex.handleErrors(status, 'reason', url, method, {}, body, parsed, {}, '');
    if (skip === undefined) ex.handleHttpStatusCode(status, 'reason', url, method, body);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`ccxt did not throw for ${status} ${body}`);
}

interface Row {
  readonly name: string;
  readonly err: () => unknown;
  readonly ctx?: Partial<ErrorContext>;
  readonly kind: ErrorKind;
  readonly expect?: (c: ReturnType<typeof classifyError>) => void;
}

const submitRows: Row[] = [
  // not placed, final
  { name: 'InsufficientFunds (Binance balance message)', err: () => fromResponse(binance, 400, '{"code":-2010,"msg":"Account has insufficient balance for requested action."}'), kind: 'rejected' },
  { name: 'InvalidOrder (Binance -2010)', err: () => fromResponse(binance, 400, '{"code":-2010,"msg":"Order would immediately match and take."}'), kind: 'rejected' },
  { name: 'InvalidOrder (Binance LOT_SIZE filter, -1013)', err: () => fromResponse(binance, 400, '{"code":-1013,"msg":"Filter failure: LOT_SIZE"}'), kind: 'rejected' },
  { name: 'BadSymbol', err: () => new BadSymbol('binance does not have market symbol FOO/BAR'), kind: 'rejected' },
  { name: 'AuthenticationError (Binance -1022 bad signature)', err: () => fromResponse(binance, 400, '{"code":-1022,"msg":"Signature for this request is not valid."}'), kind: 'rejected', expect: (c) => expect(c.code).toBe('-1022') },
  { name: 'AuthenticationError (Upbit jwt_verification)', err: () => fromResponse(upbit, 401, '{"error":{"name":"jwt_verification","message":"Jwt 토큰 검증에 실패했습니다."}}'), kind: 'rejected', expect: (c) => expect(c.code).toBe('jwt_verification') },
  { name: 'PermissionDenied', err: () => new PermissionDenied('binance {"code":-2015}'), kind: 'rejected' },
  { name: 'BadRequest', err: () => new BadRequest('binance {"code":-1100,"msg":"Illegal characters"}'), kind: 'rejected' },
  { name: 'InsufficientFunds (Upbit insufficient_funds_bid)', err: () => fromResponse(upbit, 400, '{"error":{"name":"insufficient_funds_bid","message":"주문가능한 금액(KRW)이 부족합니다."}}'), kind: 'rejected', expect: (c) => expect(c.code).toBe('insufficient_funds_bid') },
  { name: 'a bare 4xx that ccxt maps to ExchangeNotAvailable', err: () => new ExchangeNotAvailable('x'), ctx: { httpStatus: 400 }, kind: 'rejected' },
  { name: 'OrderNotFound', err: () => fromResponse(binance, 400, '{"code":-2013,"msg":"Order does not exist."}', 'GET'), kind: 'rejected' },
  // not placed, transient
  { name: 'ECONNREFUSED before the request left (ccxt NetworkError)', err: () => new NetworkError(`binance POST ${LOCAL}/api/v3/order fetch failed: connect ECONNREFUSED 127.0.0.1:9`), kind: 'transient' },
  { name: 'ECONNREFUSED as a raw socket error', err: () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), kind: 'transient' },
  {
    name: 'RateLimitExceeded with Retry-After',
    err: () => new RateLimitExceeded('upbit 429'),
    ctx: { httpStatus: 429, headers: { 'Retry-After': '3' } },
    kind: 'transient',
    expect: (c) => expect(c.retryAfterMs).toBe(3000),
  },
  {
    name: 'DDoSProtection (Binance 429: ccxt throws DDoSProtection, not RateLimitExceeded)',
    err: () => fromResponse(binance, 429, '{"code":-1003,"msg":"Too many requests."}'),
    ctx: { httpStatus: 429, headers: { 'Retry-After': '7' } },
    kind: 'transient',
    expect: (c) => {
      expect(c.retryAfterMs).toBe(7000);
      expect(c.banUntil).toBeUndefined();
    },
  },
  {
    name: 'Binance 418 ban with Retry-After: stop all traffic until it ends',
    err: () => fromResponse(binance, 418, '{"code":-1003,"msg":"Way too much request weight used."}'),
    ctx: { httpStatus: 418, headers: { 'Retry-After': '120' } },
    kind: 'transient',
    expect: (c) => expect(c.banUntil).toBe(NOW + 120_000),
  },
  {
    name: 'Binance 418 naming the ban end in the body, status read from the message',
    err: () => fromResponse(binance, 418, '{"code":-1003,"msg":"Way too much request weight used; IP banned until 1700000600000."}'),
    kind: 'transient',
    expect: (c) => {
      expect(c.banUntil).toBe(1_700_000_600_000);
      expect(c.retryAfterMs).toBe(600_000);
    },
  },
  {
    name: 'Upbit 418 giving the ban end in KST and the seconds left: the ban ends then, not at a default',
    err: () => fromResponse(upbit, 418, `{"error":{"name":"too_many_requests","message":"Too many API requests. 요청이 차단되었습니다: ${new Date(NOW + 5000 + 9 * 3600_000).toISOString().slice(0, 19)}+09:00 이후 (5초 후) 다시 시도해주세요."}}`),
    ctx: { httpStatus: 418 },
    kind: 'transient',
    expect: (c) => {
      expect(c.banUntil).toBe(Math.floor((NOW + 5000) / 1000) * 1000);
      expect(c.code).toBe('HTTP_418');
    },
  },
  {
    name: 'a 418 that only says how many seconds are left',
    err: () => fromResponse(upbit, 418, '{"error":{"name":"too_many_requests","message":"blocked; retry in 7 seconds"}}'),
    ctx: { httpStatus: 418 },
    kind: 'transient',
    expect: (c) => expect(c.banUntil).toBe(NOW + 7000),
  },
  { name: '418 without any duration: the shortest documented ban', err: () => new DDoSProtection('x'), ctx: { httpStatus: 418 }, kind: 'transient', expect: (c) => expect(c.banUntil).toBe(NOW + DEFAULT_BAN_MS) },
  { name: 'InvalidNonce / Binance -1021: resync the clock', err: () => fromResponse(binance, 400, '{"code":-1021,"msg":"Timestamp for this request was 1000ms ahead of the server\'s time."}'), kind: 'transient', expect: (c) => expect(c.resyncClock).toBe(true) },
  { name: 'InvalidNonce (class only)', err: () => new InvalidNonce('nonce too small'), kind: 'transient', expect: (c) => expect(c.resyncClock).toBe(true) },
  { name: 'Upbit plain ExchangeError on 429', err: () => fromResponse(upbit, 429, '{"error":{"name":"too_many_requests","message":"Too many API requests."}}'), ctx: { httpStatus: 429 }, kind: 'transient' },
  // unknown
  { name: 'RequestTimeout (ccxt abort timer)', err: () => new RequestTimeout(`binance POST ${LOCAL}/api/v3/order request timed out (10000 ms)`), kind: 'unknown' },
  { name: 'ExchangeNotAvailable on 503', err: () => fromResponse(binance, 503, 'Service Unavailable', 'POST'), ctx: { httpStatus: 503 }, kind: 'unknown' },
  { name: 'HTTP 502 read from ccxt’s message', err: () => fromResponse(binance, 502, 'Bad Gateway'), kind: 'unknown' },
  { name: 'NetworkError after the request left (reset)', err: () => new NetworkError(`binance POST ${LOCAL}/api/v3/order fetch failed: other side closed (ECONNRESET)`), kind: 'unknown' },
  { name: 'Binance -1007 (timeout in the backend: execution status unknown)', err: () => fromResponse(binance, 408, '{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}'), kind: 'unknown', expect: (c) => expect(c.code).toBe('-1007') },
  { name: 'Binance -1006 (unexpected response from the message bus)', err: () => fromResponse(binance, 500, '{"code":-1006,"msg":"An unexpected response was received from the message bus. Execution status unknown."}'), kind: 'unknown' },
  { name: 'Upbit plain ExchangeError on 500', err: () => fromResponse(upbit, 500, '{"error":{"name":"server_error","message":"internal"}}'), ctx: { httpStatus: 500 }, kind: 'unknown' },
  { name: 'Upbit plain ExchangeError with no status at hand', err: () => new ExchangeError('upbit {"error":{"name":"mystery"}}'), kind: 'unknown' },
  { name: 'not a ccxt error at all', err: () => new TypeError('boom'), kind: 'unknown' },
  // duplicate
  { name: 'Binance "Duplicate order sent." (-2010, InvalidOrder)', err: () => fromResponse(binance, 400, '{"code":-2010,"msg":"Duplicate order sent."}'), kind: 'duplicate' },
  { name: 'DuplicateOrderId', err: () => new DuplicateOrderId('x'), kind: 'duplicate' },
  // Upbit's unknown error names: the status decides
  { name: 'Upbit plain ExchangeError on 400 (e.g. under_min_total_bid)', err: () => fromResponse(upbit, 400, '{"error":{"name":"under_min_total_bid","message":"최소주문금액 이상으로 주문해주세요"}}'), ctx: { httpStatus: 400 }, kind: 'rejected', expect: (c) => expect(c.code).toBe('under_min_total_bid') },
];

const ctxFor = (row: Row, operation: VenueOperation): ErrorContext => ({ venue: 'binance', operation, now: NOW, ...row.ctx });

describe('classifyError for submit', () => {
  it.each(submitRows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const err = row.err();
    const c = classifyError(err, ctxFor(row, 'submit'));
    expect(c.kind, `${(err as Error).constructor.name}: ${(err as Error).message}`).toBe(row.kind);
    expect(c.reason).toContain((err as Error).constructor.name);
    row.expect?.(c);
  });

  it('when ccxt throws these classes, then the error really is of that class (guards the table against ccxt remaps)', () => {
    expect(fromResponse(binance, 400, '{"code":-2010,"msg":"Account has insufficient balance for requested action."}')).toBeInstanceOf(InsufficientFunds);
    expect(fromResponse(binance, 400, '{"code":-2010,"msg":"Duplicate order sent."}')).toBeInstanceOf(InvalidOrder);
    expect(fromResponse(binance, 429, '{}')).toBeInstanceOf(DDoSProtection);
    expect(fromResponse(binance, 400, '{"code":-1021,"msg":"x"}')).toBeInstanceOf(InvalidNonce);
    expect(fromResponse(binance, 400, '{"code":-1022,"msg":"x"}')).toBeInstanceOf(AuthenticationError);
    expect(fromResponse(binance, 408, '{"code":-1007,"msg":"x"}')).toBeInstanceOf(RequestTimeout);
    expect(fromResponse(upbit, 429, '{"error":{"name":"too_many_requests"}}').constructor).toBe(ExchangeError);
    expect(fromResponse(upbit, 400, '{"error":{"name":"order_not_found"}}')).toBeInstanceOf(OrderNotFound);
  });
});

describe('classifyError for cancel and fetch', () => {
  const unknownRows = submitRows.filter((r) => r.kind === 'unknown');
  it.each(unknownRows.map((r) => [r.name, r] as const))('when the outcome is unknown (%s), then it is simply retryable', (_n, row) => {
    expect(classifyError(row.err(), ctxFor(row, 'cancel')).kind).toBe('transient');
    expect(classifyError(row.err(), ctxFor(row, 'fetch')).kind).toBe('transient');
  });

  it('when a cancel meets a "duplicate" message, then it is not treated as an order to adopt', () => {
    expect(classifyError(new DuplicateOrderId('x'), { venue: 'binance', operation: 'cancel' }).kind).toBe('rejected');
  });

  it('when a fetch is refused for auth, then it is rejected', () => {
    expect(classifyError(new AuthenticationError('x'), { venue: 'binance', operation: 'fetch' }).kind).toBe('rejected');
  });
});

describe('retryAfter', () => {
  it('reads delta-seconds, HTTP-dates, and any header case', () => {
    expect(retryAfter({ 'retry-after': '2' }, NOW)).toBe(2000);
    expect(retryAfter({ 'Retry-After': new Date(NOW + 5000).toUTCString() }, NOW)).toBe(5000);
    expect(retryAfter({ 'Retry-After': 'soon' }, NOW)).toBeUndefined();
    expect(retryAfter(undefined, NOW)).toBeUndefined();
  });
});
