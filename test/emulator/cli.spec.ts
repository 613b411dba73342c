/**
 * `tradeflow emulator` flags and run loop, `pointCcxtAt`, and the throughput helper.
 */
import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { measureEmulatorThroughput } from '../../src/emulator/bench.ts';
import { emulatorOptionsFromFlags, runEmulatorCommand } from '../../src/emulator/cli.ts';
import { startEmulator } from '../../src/emulator/emulator.ts';
import { pointCcxtAt } from '../../src/emulator/point-ccxt.ts';
import { KEY, SECRET } from './helpers.ts';

const env = {};

describe('emulator flags', () => {
  it('turns flags into options', () => {
    const o = emulatorOptionsFromFlags(
      { venue: 'upbit', port: 0, apiKey: KEY, secret: SECRET, balance: ['krw=1000000', 'BTC=0.5'], market: ['BTC/KRW=data/x.csv'], symbol: ['ETH/KRW=5000000', 'XRP/KRW'], startPrice: 900, seed: 9, speed: 60 },
      env,
    );
    expect(o).toMatchObject({
      venue: 'upbit',
      balances: { KRW: '1000000', BTC: '0.5' },
      replay: [{ symbol: 'BTC/KRW', file: 'data/x.csv' }],
      walk: [{ symbol: 'ETH/KRW', startPrice: 5_000_000 }, { symbol: 'XRP/KRW', startPrice: 900 }],
      seed: 9,
      speed: 60,
    });
  });

  it('names the bad flag', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ venue: 'kraken' }, '--venue'],
      [{ venue: 'binance', port: 70000 }, '--port'],
      [{ venue: 'binance', speed: 0 }, '--speed'],
      [{ venue: 'binance', balance: ['USDT'] }, '--balance'],
      [{ venue: 'binance', balance: ['USDT=-5'] }, '--balance'],
      [{ venue: 'binance', market: ['BTC/USDT'] }, '--market'],
      [{ venue: 'binance', symbol: ['BTC/USDT'] }, '--symbol'],
      [{ venue: 'binance', apiKey: 'k' }, '--secret'],
    ];
    for (const [flags, name] of cases) {
      expect(() => emulatorOptionsFromFlags(flags as never, env), name).toThrow(ConfigError);
      expect(() => emulatorOptionsFromFlags(flags as never, env)).toThrow(name);
    }
  });

  it('takes keys from the environment when the flags do not give them', () => {
    const o = emulatorOptionsFromFlags({ venue: 'binance' }, { TRADEFLOW_EMULATOR_API_KEY: 'a', TRADEFLOW_EMULATOR_SECRET: 'b' });
    expect([o.apiKey, o.secret]).toEqual(['a', 'b']);
  });

  it('runs until told to stop, on 127.0.0.1, and never prints the keys', async () => {
    const lines: string[] = [];
    let stop!: () => void;
    const until = new Promise<void>((r) => (stop = r));
    const running = runEmulatorCommand(
      { venue: 'binance', port: 0, apiKey: KEY, secret: SECRET, symbol: ['BTC/USDT=60000'], balance: ['USDT=1000'] },
      { print: (l) => lines.push(l), until, env },
    );
    const url = await (async () => {
      for (;;) {
        const m = lines.join('\n').match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        if (m) return m[1]!;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const time = (await (await fetch(`${url}/api/v3/time`)).json()) as { serverTime: number };
    expect(time.serverTime).toBeGreaterThan(0);
    stop();
    await running;
    await expect(fetch(`${url}/api/v3/time`)).rejects.toThrow();
    const out = lines.join('\n');
    expect(out).not.toContain(KEY);
    expect(out).not.toContain(SECRET);
    expect(out).toContain('stopped');
  });
});

describe('startEmulator', () => {
  it('refuses a taken port and an unknown market, naming them', async () => {
    const a = await startEmulator({ venue: 'binance' });
    try {
      expect(a.url).toBe(`http://127.0.0.1:${a.port}`);
      await expect(startEmulator({ venue: 'binance', port: a.port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await a.close();
    }
    await expect(startEmulator({ venue: 'upbit', walk: [{ symbol: 'DOGE/KRW', startPrice: 1 }] })).rejects.toThrow(/--?symbol.*DOGE\/KRW|symbol: upbit has no market DOGE\/KRW/);
  });
});

describe('pointCcxtAt', () => {
  it('moves every API URL to the base, keeping paths, and keeps ccxt classifying errors as for the venue', () => {
    const b = new ccxt.binance();
    pointCcxtAt(b, 'http://127.0.0.1:9999/');
    const api = b.urls.api as Record<string, string>;
    expect(api.public).toBe('http://127.0.0.1:9999/api/v3');
    expect(api.sapi).toBe('http://127.0.0.1:9999/sapi/v1');
    expect(Object.values(api).every((u) => u.startsWith('http://127.0.0.1:9999/'))).toBe(true);
    const exact = (b as unknown as { getExceptionsByUrl(u: string, k: string): Record<string, unknown> }).getExceptionsByUrl('http://127.0.0.1:9999/api/v3/order', 'exact');
    expect(exact['-1008']).toBe(ccxt.OperationFailed);
    const u = new ccxt.upbit();
    pointCcxtAt(u, 'http://127.0.0.1:9998');
    expect(u.urls.api).toEqual({ public: 'http://127.0.0.1:9998', private: 'http://127.0.0.1:9998' });
  });
});

describe('throughput helper', () => {
  it('places and cancels signed orders over keep-alive connections without a failure', async () => {
    const r = await measureEmulatorThroughput({ orders: 1000, connections: 4 });
    console.log(`emulator throughput: ${r.ordersPerSecond.toFixed(0)} orders/s (+ as many cancels), ${r.requestsPerSecond.toFixed(0)} requests/s`);
    expect(r).toMatchObject({ orders: 1000, cancels: 1000, failed: 0 });
  });
});
