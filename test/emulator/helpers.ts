/**
 * Test helpers: an emulator per test on 127.0.0.1 (port 0), a real ccxt client pointed at it, and book
 * snapshots to drive the engine deterministically through the same path a data feed uses.
 */
import ccxt, { type Balances, type Exchange } from 'ccxt';
import type { BookLevelEvent, MarketSymbol } from '../../src/domain/types.ts';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/emulator.ts';
import { emulatorCcxtOptions, pointCcxtAt } from '../../src/emulator/point-ccxt.ts';
import type { EmulatorOrderView } from '../../src/emulator/introspection.ts';
import type { FaultLogEntry } from '../../src/emulator/venue-faults/fault-log.ts';

export const KEY = 'test-api-key-0123456789';
export const SECRET = 'test-secret-abcdefghijklmnopqrstuvwxyz';

/** A ccxt client of `venue` pointed at `url`, rate limiter off (tests only), given keys. */
export function ccxtFor(venue: 'binance' | 'upbit', url: string, keys: { apiKey: string; secret: string } = { apiKey: KEY, secret: SECRET }, extra: Record<string, unknown> = {}): Exchange {
  const Ctor = venue === 'binance' ? ccxt.binance : ccxt.upbit;
  const ex = new Ctor({ ...keys, enableRateLimit: false, timeout: 5000, options: emulatorCcxtOptions(venue), ...extra });
  pointCcxtAt(ex, url);
  return ex;
}

/** Snapshot rows replacing the book of `symbol`: levels as [price, quantity], any order. */
export function book(venue: string, symbol: MarketSymbol, bids: Array<[number, number]>, asks: Array<[number, number]>): BookLevelEvent[] {
  const rows: BookLevelEvent[] = [];
  const add = (side: 'bid' | 'ask', [price, quantity]: [number, number]) =>
    rows.push({ kind: 'level', ts: 0, venue, symbol, side, price, quantity, snapshot: true, reset: rows.length === 0 });
  bids.forEach((l) => add('bid', l));
  asks.forEach((l) => add('ask', l));
  return rows;
}

/** Starts an emulator; the caller closes it (afterEach). */
export async function emulator(opts: Omit<EmulatorOptions, 'apiKey' | 'secret'> & Partial<Pick<EmulatorOptions, 'apiKey' | 'secret'>>): Promise<RunningEmulator> {
  return startEmulator({ apiKey: KEY, secret: SECRET, ...opts });
}

/** GET a JSON introspection endpoint. */
export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return (await res.json()) as T;
}

/** What reached the venue, and every fault that fired, as the introspection endpoints serve them. */
export const venueOrders = (url: string) => getJson<EmulatorOrderView[]>(`${url}/__emulator/orders`);
export const faultLog = (url: string) => getJson<FaultLogEntry[]>(`${url}/__emulator/faults`);

/** Polls `probe` until it returns a value or `ms` pass. */
export async function eventually<T>(probe: () => Promise<T | undefined>, ms = 5000, every = 25): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Expects `p` to reject with an instance of `cls`; returns the error. */
export async function rejection(p: Promise<unknown>, cls: abstract new (...a: never[]) => Error): Promise<Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof cls) return err;
    throw new Error(`expected ${cls.name}, got ${(err as Error).constructor.name}: ${(err as Error).message}`);
  }
  throw new Error(`expected ${cls.name}, but it resolved`);
}

/** One asset's free / used / total from a ccxt balance structure (0 when absent). */
export function asset(bal: Balances, code: string): { free: number; used: number; total: number } {
  const b = (bal as unknown as Record<string, { free?: number; used?: number; total?: number } | undefined>)[code];
  return { free: b?.free ?? 0, used: b?.used ?? 0, total: b?.total ?? 0 };
}
