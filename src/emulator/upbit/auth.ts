/**
 * Upbit authentication: `Authorization: Bearer <JWT>` signed HS256 (or HS512) with the secret key,
 * payload `{access_key, nonce, query_hash?, query_hash_alg?}`. `query_hash` is the SHA512 of the
 * request's parameters as an UNENCODED query string (`a=1&b=x`) — from the URL for GET/DELETE, from the
 * JSON body's keys in order for POST — and is required whenever there are parameters. A nonce is
 * accepted once. Checked with node:crypto; no JWT library.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { HttpReply, HttpRequest } from '../http-server.ts';
import { UpbitErrors } from './errors.ts';

export interface UpbitKeys {
  readonly accessKey: string;
  /** Never logged nor echoed. */
  readonly secret: string;
}

/** Nonces seen recently (bounded, oldest forgotten first). */
export class NonceMemory {
  private readonly seen = new Set<string>();
  constructor(private readonly capacity = 200_000) {}
  /** False when `nonce` was used before. */
  claim(nonce: string): boolean {
    if (this.seen.has(nonce)) return false;
    this.seen.add(nonce);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }
}

/** The unencoded query string the hash covers; undefined when the query string does not decode. */
export function hashedQuery(req: HttpRequest, body: Record<string, unknown> | undefined): string | undefined {
  if (body !== undefined) {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(body)) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const x of v) parts.push(`${k}[]=${String(x)}`);
      else parts.push(`${k}=${String(v)}`);
    }
    return parts.join('&');
  }
  if (req.rawQuery === '') return '';
  const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  try {
    return req.rawQuery
      .split('&')
      .map((part) => {
        const eq = part.indexOf('=');
        return eq < 0 ? dec(part) : `${dec(part.slice(0, eq))}=${dec(part.slice(eq + 1))}`;
      })
      .join('&');
  } catch {
    return undefined;
  }
}

function b64json(s: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase());
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Undefined when the request is authentic, else the error reply. */
export function checkJwt(req: HttpRequest, body: Record<string, unknown> | undefined, keys: UpbitKeys, nonces: NonceMemory): HttpReply | undefined {
  const auth = req.headers.authorization;
  const m = typeof auth === 'string' ? /^Bearer\s+([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(auth) : null;
  if (m === null) return UpbitErrors.jwt();
  const [, h, p, sig] = m as unknown as [string, string, string, string];
  const header = b64json(h);
  const payload = b64json(p);
  if (header === undefined || payload === undefined) return UpbitErrors.jwt();
  const alg = header.alg === 'HS256' ? 'sha256' : header.alg === 'HS512' ? 'sha512' : undefined;
  if (alg === undefined) return UpbitErrors.jwt();
  // An emulator started without keys refuses every authenticated request.
  if (keys.accessKey === '' || keys.secret === '' || payload.access_key !== keys.accessKey) return UpbitErrors.accessKey();
  const expected = createHmac(alg, keys.secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return UpbitErrors.jwt();
  if (typeof payload.nonce !== 'string' || payload.nonce === '') return UpbitErrors.queryPayload();
  if (!nonces.claim(payload.nonce)) return UpbitErrors.nonceUsed();
  const query = hashedQuery(req, body);
  if (query === undefined) return UpbitErrors.queryPayload();
  if (query === '') return undefined;
  const hashAlg = payload.query_hash_alg ?? 'SHA512';
  if (typeof payload.query_hash !== 'string' || hashAlg !== 'SHA512') return UpbitErrors.queryPayload();
  if (!sameHex(payload.query_hash, createHash('sha512').update(query).digest('hex'))) return UpbitErrors.queryPayload();
  return undefined;
}
