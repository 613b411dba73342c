/**
 * How many orders per second the emulator sustains on loopback: a Binance emulator with a random-walk
 * book, `connections` keep-alive HTTP connections, each placing signed LIMIT orders that rest
 * (alternating buy below and sell above the book) and cancelling each one — so every order costs a
 * create and a cancel, both signed and checked. Requests are built and signed here, not through ccxt,
 * so the figure is the emulator's, not the client's.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { startEmulator } from './emulator.ts';

export interface ThroughputOptions {
  /** Orders to place (each also cancelled). Default 5000. */
  readonly orders?: number;
  /** Concurrent keep-alive connections. Default 8. */
  readonly connections?: number;
}

export interface ThroughputResult {
  readonly orders: number;
  readonly cancels: number;
  readonly failed: number;
  readonly seconds: number;
  /** Orders placed per second (each with its cancel). */
  readonly ordersPerSecond: number;
  /** HTTP requests per second (creates + cancels). */
  readonly requestsPerSecond: number;
}

const KEY = 'bench-key';
const SECRET = 'bench-secret';

export async function measureEmulatorThroughput(opts: ThroughputOptions = {}): Promise<ThroughputResult> {
  const total = opts.orders ?? 5000;
  const connections = opts.connections ?? 8;
  const emu = await startEmulator({
    venue: 'binance',
    apiKey: KEY,
    secret: SECRET,
    balances: { USDT: '100000000', BTC: '1000' },
    walk: [{ symbol: 'BTC/USDT', startPrice: 60000 }],
    walkOptions: { intervalMs: 100 },
    seed: 42,
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const call = (method: string, query: string): Promise<{ status: number; body: string }> => {
    const signed = `${query}&timestamp=${Date.now()}&recvWindow=10000`;
    const payload = `${signed}&signature=${createHmac('sha256', SECRET).update(signed).digest('hex')}`;
    const post = method === 'POST';
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: '127.0.0.1',
          port: emu.port,
          method,
          path: post ? '/api/v3/order' : `/api/v3/order?${payload}`,
          headers: { 'X-MBX-APIKEY': KEY, ...(post ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(payload) } : {}) },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(post ? payload : undefined);
    });
  };

  let next = 0;
  let placed = 0;
  let cancelled = 0;
  let failed = 0;
  const worker = async (w: number): Promise<void> => {
    for (;;) {
      const n = next++;
      if (n >= total) return;
      const buy = n % 2 === 0;
      const q = `symbol=BTCUSDT&side=${buy ? 'BUY' : 'SELL'}&type=LIMIT&timeInForce=GTC&quantity=0.00100&price=${buy ? '30000.00' : '90000.00'}&newClientOrderId=bench-${w}-${n}&newOrderRespType=ACK`;
      const created = await call('POST', q);
      if (created.status !== 200) {
        failed++;
        continue;
      }
      placed++;
      const { orderId } = JSON.parse(created.body) as { orderId: number };
      const gone = await call('DELETE', `symbol=BTCUSDT&orderId=${orderId}`);
      if (gone.status === 200) cancelled++;
      else failed++;
    }
  };
  const t0 = process.hrtime.bigint();
  try {
    await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)));
  } finally {
    agent.destroy();
    await emu.close();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    orders: placed,
    cancels: cancelled,
    failed,
    seconds,
    ordersPerSecond: placed / seconds,
    requestsPerSecond: (placed + cancelled) / seconds,
  };
}
