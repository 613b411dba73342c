/**
 * Two exchange emulators on 127.0.0.1 for the arbitrage tests that run `tradeflow paper` (and
 * `--live`) — Binance BTC/USDT and Upbit BTC/KRW — and the scenario and signal files those runs take:
 * one pair, a 1,400 KRW per USDT rate file, Upbit priced about 1% over Binance.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { tmpDir } from '../engine/helpers.ts';

export interface ArbEmulators {
  readonly binance: RunningEmulator;
  readonly upbit: RunningEmulator;
  /** Each venue's keys, as the environment passes them to a live run. */
  readonly keys: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * Both emulators, with the account balances an arbitrage buying on Binance and selling on Upbit needs.
 * `walk`: seeded random-walk books (Binance from 100,000 USDT, Upbit from 141,400,000 KRW) with these
 * seeds; without it the books stay empty until a test sets them.
 */
export async function arbEmulators(tag: string, walk?: { readonly seeds: readonly [number, number] }): Promise<ArbEmulators> {
  const keys = {
    TRADEFLOW_BINANCE_API_KEY: `${tag}-binance-key-4c1d9e`, TRADEFLOW_BINANCE_SECRET: `${tag}-binance-secret-8f2a6b0c`,
    TRADEFLOW_UPBIT_API_KEY: `${tag}-upbit-key-7e3b5a`, TRADEFLOW_UPBIT_SECRET: `${tag}-upbit-secret-1d9c4e7f`,
  };
  const walkOptions = { intervalMs: 50, volatilityBps: 0.3, spreadBps: 2 };
  const binance = await startEmulator({
    venue: 'binance', port: 0, apiKey: keys.TRADEFLOW_BINANCE_API_KEY, secret: keys.TRADEFLOW_BINANCE_SECRET, balances: { USDT: '10000', BTC: '0' },
    ...(walk ? { walk: [{ symbol: 'BTC/USDT', startPrice: 100_000 }], walkOptions, seed: walk.seeds[0] } : {}),
  });
  const upbit = await startEmulator({
    venue: 'upbit', port: 0, apiKey: keys.TRADEFLOW_UPBIT_API_KEY, secret: keys.TRADEFLOW_UPBIT_SECRET, balances: { KRW: '0', BTC: '0.1' },
    ...(walk ? { walk: [{ symbol: 'BTC/KRW', startPrice: 141_400_000 }], walkOptions, seed: walk.seeds[1] } : {}),
  });
  return {
    binance,
    upbit,
    keys,
    close: async () => {
      await binance.close();
      await upbit.close();
    },
  };
}

export interface ArbRunFiles {
  readonly dir: string;
  readonly scenario: string;
  readonly signals: string;
}

/**
 * A temp folder with the scenario (paper balances matching the emulators' accounts) and a signal file
 * of `rows` (after the header `timestamp,exchange,symbol,side,quantity,id,buy_exchange,sell_exchange,sell_symbol`).
 * `arbitrage` and `live` are merged over the defaults.
 */
export function arbRunFiles(prefix: string, rows: readonly string[], over: { readonly arbitrage?: object; readonly live?: object } = {}): ArbRunFiles {
  const dir = tmpDir(prefix);
  const rate = path.join(dir, 'usdt-krw.csv');
  writeFileSync(rate, `timestamp,rate\n${new Date(Date.now() - 60_000).toISOString()},1400\n`);
  const scenario = path.join(dir, 'arb.json');
  writeFileSync(
    scenario,
    JSON.stringify({
      name: path.basename(dir),
      quote_currency: 'USDT',
      markets: [
        { venue: 'binance', symbol: 'BTC/USDT' },
        { venue: 'upbit', symbol: 'BTC/KRW' },
      ],
      venues: { binance: { balances: { USDT: 10000, BTC: 0 } }, upbit: { balances: { KRW: 0, BTC: 0.1 } } },
      fx: { KRW: 1 / 1400 },
      live: { poll_interval_ms: 100, speed: 1, linger_ms: 4000, request_timeout_ms: 2000, reconcile: { interval_ms: 0, settle_timeout_ms: 4000 }, ...over.live },
      arbitrage: {
        reference_quote: 'USDT',
        pairs: [{ a: 'binance:BTC/USDT', b: 'upbit:BTC/KRW' }],
        conversions: [{ file: rate, base: 'USDT', quote: 'KRW' }],
        threshold_bps: 20,
        size: 0.004,
        max_book_age_ms: 3000,
        max_rate_age_ms: 86_400_000,
        policy: 'hedge',
        ...over.arbitrage,
      },
    }),
  );
  const signals = path.join(dir, 'signals.csv');
  writeFileSync(signals, ['timestamp,exchange,symbol,side,quantity,id,buy_exchange,sell_exchange,sell_symbol', ...rows].join('\n') + '\n');
  return { dir, scenario, signals };
}
