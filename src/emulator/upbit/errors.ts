/**
 * Upbit error bodies `{error: {name, message}}` with the names and HTTP statuses of docs.upbit.com
 * ("API 주요 에러 코드 목록") and the messages ccxt's upbit.ts quotes. ccxt classifies on the name
 * (broad match: insufficient_funds → InsufficientFunds, order_not_found → OrderNotFound,
 * invalid_access_key / jwt_verification → AuthenticationError); any other name is a plain
 * ExchangeError, which is why tradeflow judges Upbit errors by HTTP status too.
 */
import type { Side } from '../../domain/types.ts';
import type { FaultReplyInfo, FaultReplyKind, HttpReply } from '../http-server.ts';
import { gatewayPage } from '../venue-faults/gateway-page.ts';
import { kst } from './format.ts';

export function upbitError(status: number, name: string | number, message: string): HttpReply {
  return { status, body: { error: { name, message } } };
}

const sideName = (side: Side): 'bid' | 'ask' => (side === 'buy' ? 'bid' : 'ask');

export const UpbitErrors = {
  jwt: () => upbitError(401, 'jwt_verification', 'Jwt 토큰 검증에 실패했습니다.'),
  accessKey: () => upbitError(401, 'invalid_access_key', '잘못된 엑세스 키입니다.'),
  queryPayload: () => upbitError(401, 'invalid_query_payload', 'Jwt의 query를 검증하는데 실패하였습니다.'),
  nonceUsed: () => upbitError(401, 'nonce_used', 'This temporary number has already been used.'),
  /** A parameter missing or invalid; the message form is the one ccxt quotes for `side`. */
  validation: (field: string) => upbitError(400, 'validation_error', `${field} is missing, ${field} does not have a valid value`),
  createError: (side: Side) => upbitError(400, `create_${sideName(side)}_error`, '주문 요청 정보가 올바르지 않습니다. 파라미터 값이 올바른지 확인해주세요.'),
  insufficient: (side: Side, asset: string) => upbitError(400, `insufficient_funds_${sideName(side)}`, `주문가능한 금액(${asset})이 부족합니다.`),
  underMinTotal: (side: Side, min: number | undefined, quote: string) =>
    upbitError(400, `under_min_total_${sideName(side)}`, `최소주문금액 이상으로 주문해주세요${min !== undefined ? ` (${min} ${quote})` : ''}`),
  invalidPrice: (side: Side) => upbitError(400, `invalid_price_${sideName(side)}`, '주문가격 단위를 잘못 입력하셨습니다. 확인 후 시도해주세요.'),
  tooLarge: () => upbitError(400, 'volume_too_large', '주문 수량이 최대 주문 수량을 초과했습니다.'),
  /** Upbit's identifier is unique forever, failed orders included. The error name is not documented. */
  identifierUsed: () => upbitError(400, 'validation_error', 'identifier is duplicated: an identifier can be used once only'),
  orderNotFound: () => upbitError(404, 'order_not_found', '주문을 찾지 못했습니다.'),
  /** Unknown market on the quotation API. */
  codeNotFound: () => upbitError(404, 404, 'Code not found'),
  server: () => upbitError(500, 'server_error', '서버 오류가 발생했습니다.'),
} as const;

/**
 * Fault answers (fault-runner.ts). Upbit documents 429 and 418 but neither the error names nor a
 * Retry-After header: the emulator answers `too_many_requests` with the `Remaining-Req` header the
 * venue always sends (sec=0), and a 418 whose message gives the ban's end, as Upbit says it does. An
 * unknown outcome (Upbit has no -1007) is the gateway's 504 page; a 5xx is Upbit's `server_error` JSON
 * for 500 and the gateway's page for any other status. ccxt's upbit maps none of these names, so the
 * JSON ones surface as plain ExchangeError (RELIABILITY: judge Upbit by HTTP status).
 */
export function upbitFaultReply(kind: FaultReplyKind, info: FaultReplyInfo): HttpReply {
  switch (kind) {
    case 'server-error':
      return (info.status ?? 500) === 500 ? UpbitErrors.server() : gatewayPage(info.status!);
    case 'unknown-status':
      return gatewayPage(504);
    case 'rate-limit':
      return { ...upbitError(429, 'too_many_requests', 'Too many API requests.'), headers: { 'remaining-req': 'group=order; min=1800; sec=0' } };
    case 'ip-ban':
      return upbitError(418, 'too_many_requests', `Too many API requests. 요청이 차단되었습니다: ${kst(info.until)} 이후 (${info.retryAfterS}초 후) 다시 시도해주세요.`);
    case 'duplicate-id':
      return UpbitErrors.identifierUsed();
  }
}

/** The venue error for an engine rejection code (src/sim/README.md). */
export function upbitRejection(code: string, side: Side, base: string, quote: string, minTotal: number | undefined): HttpReply {
  switch (code) {
    case 'INSUFFICIENT_FUNDS':
      return UpbitErrors.insufficient(side, side === 'buy' ? quote : base);
    case 'MIN_NOTIONAL':
    case 'MIN_AMOUNT':
      return UpbitErrors.underMinTotal(side, minTotal, quote);
    case 'MAX_NOTIONAL':
    case 'MAX_AMOUNT':
      return UpbitErrors.tooLarge();
    case 'PRICE_FILTER':
      return UpbitErrors.invalidPrice(side);
    case 'BAD_SYMBOL':
      return UpbitErrors.validation('market');
    default:
      return UpbitErrors.createError(side);
  }
}
