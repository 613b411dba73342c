/**
 * Binance request checks for SIGNED (TRADE / USER_DATA) endpoints, in the venue's order: the API key
 * header (-2014 malformed or missing, -2015 unknown), the mandatory `timestamp` and `signature`
 * (-1102), `recvWindow` (-1131 above 60000), the time window (-1021, recvWindow default 5000 ms and at
 * most 1000 ms ahead of the server), then the HMAC-SHA256 signature (-1022) over the query string
 * concatenated with the body, both exactly as sent minus the `signature` parameter.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HttpReply, HttpRequest } from '../http-server.ts';
import { BinanceErrors } from './errors.ts';

export interface BinanceKeys {
  readonly apiKey: string;
  /** Never logged nor echoed: used only to compute the expected signature. */
  readonly secret: string;
}

/** Request parameters: body (form-encoded) and query string; the query wins on a clash, as on Binance. */
export function paramsOf(req: HttpRequest): URLSearchParams {
  if (req.rawBody === '') return req.query;
  const out = new URLSearchParams(req.rawBody);
  for (const [k, v] of req.query) out.set(k, v);
  return out;
}

function withoutSignature(raw: string): { rest: string; signature: string | undefined } {
  if (raw === '') return { rest: '', signature: undefined };
  let signature: string | undefined;
  const kept: string[] = [];
  for (const part of raw.split('&')) {
    if (part.startsWith('signature=')) signature = part.slice('signature='.length); // hex: nothing to decode
    else kept.push(part);
  }
  return { rest: kept.join('&'), signature };
}

/** Checks key only (USER_STREAM / MARKET_DATA endpoints with a key would use this). */
export function checkApiKey(req: HttpRequest, keys: BinanceKeys): HttpReply | undefined {
  const key = req.headers['x-mbx-apikey'];
  if (typeof key !== 'string' || key === '' || !/^[\x21-\x7e]+$/.test(key)) return BinanceErrors.badApiKeyFormat();
  // An emulator started without keys refuses every signed request.
  if (keys.apiKey === '' || keys.secret === '' || !safeEqual(key, keys.apiKey)) return BinanceErrors.rejectedApiKey();
  return undefined;
}

/** Undefined when the request may proceed, else the error reply. */
export function checkSigned(req: HttpRequest, params: URLSearchParams, keys: BinanceKeys, now: number): HttpReply | undefined {
  const keyError = checkApiKey(req, keys);
  if (keyError) return keyError;
  const q = withoutSignature(req.rawQuery);
  const b = withoutSignature(req.rawBody);
  const signature = q.signature ?? b.signature;
  if (signature === undefined || signature === '') return BinanceErrors.mandatory('signature');
  const tsText = params.get('timestamp');
  const ts = tsText === null ? Number.NaN : Number(tsText);
  if (!Number.isInteger(ts)) return BinanceErrors.mandatory('timestamp');
  const rwText = params.get('recvWindow');
  const recvWindow = rwText === null ? 5000 : Number(rwText);
  if (!Number.isFinite(recvWindow) || recvWindow < 0) return BinanceErrors.mandatory('recvWindow');
  if (recvWindow > 60_000) return BinanceErrors.recvWindowTooLarge();
  if (ts > now + 1000) return BinanceErrors.aheadOfServer();
  if (now - ts > recvWindow) return BinanceErrors.outsideRecvWindow();
  const expected = createHmac('sha256', keys.secret).update(q.rest + b.rest).digest('hex');
  if (!safeEqual(signature.toLowerCase(), expected)) return BinanceErrors.badSignature();
  return undefined;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
