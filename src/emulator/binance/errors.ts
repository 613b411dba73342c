/**
 * Binance spot error bodies `{code, msg}` with the codes, messages and HTTP statuses the venue uses,
 * and the mapping from the matching engine's rejection codes. ccxt classifies on these exact strings
 * (e.g. "Account has insufficient balance for requested action." → InsufficientFunds, any body naming
 * LOT_SIZE or PRICE_FILTER → InvalidOrder, -2010 → InvalidOrder, -2013/-2011 → OrderNotFound).
 */
import type { FaultReplyInfo, FaultReplyKind, HttpReply } from '../http-server.ts';
import { gatewayPage } from '../venue-faults/gateway-page.ts';

export function binanceError(code: number, msg: string, status = 400): HttpReply {
  return { status, body: { code, msg } };
}

export const BinanceErrors = {
  unknown: () => binanceError(-1000, 'An unknown error occurred while processing the request.', 500),
  badApiKeyFormat: () => binanceError(-2014, 'API-key format invalid.', 401),
  rejectedApiKey: () => binanceError(-2015, 'Invalid API-key, IP, or permissions for action.', 401),
  badSignature: () => binanceError(-1022, 'Signature for this request is not valid.'),
  outsideRecvWindow: () => binanceError(-1021, 'Timestamp for this request is outside of the recvWindow.'),
  aheadOfServer: () => binanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  recvWindowTooLarge: () => binanceError(-1131, 'recvWindow must be less than 60000'),
  mandatory: (name: string) => binanceError(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  eitherParam: (a: string, b: string) => binanceError(-1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`),
  illegalChars: (name: string) =>
    binanceError(-1100, `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`),
  notRequired: (name: string) => binanceError(-1106, `Parameter '${name}' sent when not required.`),
  invalidSymbol: () => binanceError(-1121, 'Invalid symbol.'),
  invalidSide: () => binanceError(-1117, 'Invalid side.'),
  invalidOrderType: () => binanceError(-1116, 'Invalid orderType.'),
  invalidTimeInForce: () => binanceError(-1115, 'Invalid timeInForce.'),
  orderDoesNotExist: () => binanceError(-2013, 'Order does not exist.'),
  unknownOrder: () => binanceError(-2011, 'Unknown order sent.'),
  insufficientBalance: () => binanceError(-2010, 'Account has insufficient balance for requested action.'),
  duplicateOrder: () => binanceError(-2010, 'Duplicate order sent.'),
  filter: (name: 'LOT_SIZE' | 'PRICE_FILTER' | 'NOTIONAL' | 'MARKET_LOT_SIZE') => binanceError(-1013, `Filter failure: ${name}`),
  /** -1007 (ccxt: RequestTimeout) with 408, the status Binance documents for a backend timeout. */
  backendTimeout: () => binanceError(-1007, 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.', 408),
} as const;

/**
 * Fault answers (fault-runner.ts). 429 and 418 carry -1003 with the venue's two messages and a
 * Retry-After in seconds (ccxt raises DDoSProtection on both statuses before reading the body); a 5xx is
 * the gateway's HTML page, since Binance's backend did not answer.
 */
export function binanceFaultReply(kind: FaultReplyKind, info: FaultReplyInfo): HttpReply {
  const retry = { 'retry-after': String(info.retryAfterS) };
  switch (kind) {
    case 'server-error':
      return gatewayPage(info.status ?? 502);
    case 'unknown-status':
      return BinanceErrors.backendTimeout();
    case 'rate-limit': {
      const msg = 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.';
      return { ...binanceError(-1003, msg, 429), headers: { ...retry, 'x-mbx-used-weight-1m': '6001' } };
    }
    case 'ip-ban': {
      const msg = `Way too much request weight used; IP banned until ${info.until}. Please use WebSocket Streams for live updates to avoid bans.`;
      return { ...binanceError(-1003, msg, 418), headers: retry };
    }
    case 'duplicate-id':
      return BinanceErrors.duplicateOrder();
  }
}

/** The venue error for an engine rejection code (src/sim/README.md "When an order arrives"). */
export function binanceRejection(code: string): HttpReply {
  switch (code) {
    case 'BAD_SYMBOL':
      return BinanceErrors.invalidSymbol();
    case 'DUPLICATE_CLIENT_ID':
      return BinanceErrors.duplicateOrder();
    case 'LOT_SIZE':
    case 'MIN_AMOUNT':
    case 'MAX_AMOUNT':
      return BinanceErrors.filter('LOT_SIZE');
    case 'PRICE_FILTER':
      return BinanceErrors.filter('PRICE_FILTER');
    case 'MIN_NOTIONAL':
    case 'MAX_NOTIONAL':
      return BinanceErrors.filter('NOTIONAL');
    case 'INSUFFICIENT_FUNDS':
      return BinanceErrors.insufficientBalance();
    default:
      return binanceError(-2010, 'Order was rejected.');
  }
}
