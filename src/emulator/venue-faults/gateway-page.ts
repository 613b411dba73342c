/**
 * The answer of the load balancer in front of a venue when the backend fails or times out: an HTML
 * page, not the venue's JSON. ccxt then classifies by HTTP status alone (500/502/503 →
 * ExchangeNotAvailable, 504 → RequestTimeout), which is what a client meets in production.
 */
import { STATUS_CODES } from 'node:http';
import type { HttpReply } from '../http-server.ts';

export function gatewayPage(status: number): HttpReply {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return { status, body: null, html: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n` };
}
