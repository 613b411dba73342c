/**
 * RunResult fixtures for the report tests: one small run whose figures are computed by hand in the
 * comments below, builders for single records, and a seeded generator for large runs.
 */
import { seededRandom } from '../../src/core/random.ts';
import { notionalAtto, parseAtto } from '../../src/domain/money.ts';
import type { EquitySeries, FillRecord, OrderRecord, RefusedSignal, RunResult } from '../../src/domain/run-result.ts';
import type { Asset, Atto, OrderStatus, TimeMs, VenueId } from '../../src/domain/types.ts';
import { fillStatsOf } from '../../src/reports/fill-stats.ts';

/** 2024-01-01T00:00:00.000Z */
export const T0: TimeMs = Date.UTC(2024, 0, 1);
export const MINUTE = 60_000;
export const DAY = 86_400_000;

const a = parseAtto;

export function makeFill(over: Partial<FillRecord> & Pick<FillRecord, 'price' | 'quantity'>): FillRecord {
  return {
    ts: T0,
    venue: 'binance',
    symbol: 'BTC/USDT',
    clientId: 'c-1',
    exchangeId: 'x-1',
    tradeId: 't-1',
    side: 'buy',
    notional: notionalAtto(over.price, over.quantity),
    fee: 0n,
    feeAsset: 'USDT',
    liquidity: 'taker',
    realizedPnl: 0n,
    positionAfter: 0n,
    ...over,
  };
}

export function makeOrder(over: Partial<OrderRecord> = {}): OrderRecord {
  return {
    clientId: 'c-1',
    exchangeId: 'x-1',
    venue: 'binance',
    symbol: 'BTC/USDT',
    side: 'buy',
    type: 'market',
    quantity: 1,
    status: 'filled',
    filled: 1,
    avgPrice: 40000,
    fees: 0n,
    createdTs: T0,
    updatedTs: T0,
    ...over,
  };
}

/** Equity samples `stepMs` apart from `start`. */
export function series(values: readonly number[], stepMs = MINUTE, start = T0): EquitySeries {
  return { ts: values.map((_, i) => start + i * stepMs), equity: [...values] };
}

export function sheet(entries: Record<VenueId, Record<Asset, string>>): Map<VenueId, Map<Asset, Atto>> {
  return new Map(Object.entries(entries).map(([v, assets]) => [v, new Map(Object.entries(assets).map(([k, s]) => [k, a(s)]))]));
}

/**
 * Seven fills on two venues, by hand:
 * - realized ≠ 0: +200 USDT, −100 USDT, +100000 KRW, −300 USDT → win rate 2/4; USDT profit factor 200/400.
 * - fees: USDT 20 + 8.2 + 11.7 = 39.9; BNB 0.004 + 0.0039 = 0.0079; KRW 2750 + 2800 = 5550.
 * - turnover: USDT 20000 + 8200 + 4000 + 3900 + 11700 = 47800; KRW 5.5M + 5.6M = 11.1M.
 * - a position is open from T0+1min until the BTC/USDT close at T0+7min: 6 of 9 samples exposed.
 * Equity 100,120,90,150,150,105,160,140,150: max drawdown 150→105 = 0.3, peak T0+3min, trough T0+5min.
 */
export const HAND_FILLS: readonly FillRecord[] = [
  makeFill({ ts: T0 + 1 * MINUTE, side: 'buy', price: 40000, quantity: 0.5, fee: a('20'), positionAfter: a('0.5'), tradeId: 't1', clientId: 'c1' }),
  makeFill({ ts: T0 + 2 * MINUTE, side: 'sell', price: 41000, quantity: 0.2, fee: a('8.2'), realizedPnl: a('200'), positionAfter: a('0.3'), tradeId: 't2', clientId: 'c2' }),
  makeFill({ ts: T0 + 3 * MINUTE, symbol: 'ETH/USDT', side: 'buy', price: 2000, quantity: 2, fee: a('0.004'), feeAsset: 'BNB', liquidity: 'maker', positionAfter: a('2'), tradeId: 't3', clientId: 'c3', signalId: 's3' }),
  makeFill({ ts: T0 + 4 * MINUTE, symbol: 'ETH/USDT', side: 'sell', price: 1950, quantity: 2, fee: a('0.0039'), feeAsset: 'BNB', realizedPnl: a('-100'), tradeId: 't4', clientId: 'c4' }),
  makeFill({ ts: T0 + 5 * MINUTE, venue: 'upbit', symbol: 'BTC/KRW', side: 'buy', price: 55_000_000, quantity: 0.1, fee: a('2750'), feeAsset: 'KRW', positionAfter: a('0.1'), tradeId: 'u1', clientId: 'c5' }),
  makeFill({ ts: T0 + 6 * MINUTE, venue: 'upbit', symbol: 'BTC/KRW', side: 'sell', price: 56_000_000, quantity: 0.1, fee: a('2800'), feeAsset: 'KRW', realizedPnl: a('100000'), tradeId: 'u2', clientId: 'c6' }),
  makeFill({ ts: T0 + 7 * MINUTE, side: 'sell', price: 39000, quantity: 0.3, fee: a('11.7'), realizedPnl: a('-300'), tradeId: 't7', clientId: 'c7' }),
];

export const HAND_EQUITY = [100, 120, 90, 150, 150, 105, 160, 140, 150];

/** One filled order per hand fill, plus a canceled, a rejected and an unknown one (awkward reasons). */
export const HAND_ORDERS: readonly OrderRecord[] = [
  ...HAND_FILLS.map((f) => makeOrder({ clientId: f.clientId, venue: f.venue, symbol: f.symbol, side: f.side, quantity: f.quantity, filled: f.quantity, avgPrice: f.price, fees: f.fee, createdTs: f.ts, updatedTs: f.ts, signalId: f.signalId })),
  makeOrder({ clientId: 'c8', type: 'limit', price: 30000, status: 'canceled', filled: 0, avgPrice: undefined, reason: 'canceled by "risk", limit hit' }),
  makeOrder({ clientId: 'c9', status: 'rejected', filled: 0, exchangeId: undefined, avgPrice: undefined, reason: 'MIN_NOTIONAL\nnotional 3 < 5' }),
  makeOrder({ clientId: 'c10', status: 'unknown', filled: 0, exchangeId: undefined, avgPrice: undefined }),
];

/** What the engine passes as `orderCounts`. */
export function countsOf(orders: Iterable<OrderRecord>): Map<OrderStatus, number> {
  const out = new Map<OrderStatus, number>();
  for (const o of orders) out.set(o.status, (out.get(o.status) ?? 0) + 1);
  return out;
}

/** The aggregate fields of a RunResult for these fills and orders. */
export function recordsRun(fills: Iterable<FillRecord>, orders: Iterable<OrderRecord>): Pick<RunResult, 'fillStats' | 'orderCounts'> {
  return { fillStats: fillStatsOf(fills), orderCounts: countsOf(orders) };
}

export function handRun(over: Partial<RunResult> = {}): RunResult {
  const refused: RefusedSignal[] = [
    { ts: T0, signalId: 'r1', reason: 'position would exceed 1 BTC', rule: 'max_position' },
    { ts: T0, signalId: 'r2', reason: 'position would exceed 1 BTC', rule: 'max_position' },
    { ts: T0, signalId: 'r3', reason: 'risk 0.9 > 0.8', rule: 'risk_score' },
  ];
  const badRows: RefusedSignal[] = [
    { file: 'data/signals.csv', line: 17, reason: 'price "abc" is not a number', rule: 'parse' },
    { file: 'data/signals.csv', line: 42, reason: 'unknown venue "kraken"', rule: 'parse' },
  ];
  return {
    runId: 'run-hand',
    scenario: 'scenarios/hand.yaml',
    mode: 'backtest',
    seed: 7,
    quoteCurrency: 'USDT',
    startTs: T0,
    endTs: T0 + 8 * MINUTE,
    initialBalances: sheet({ binance: { USDT: '100000', BNB: '1' }, upbit: { KRW: '10000000' } }),
    finalBalances: sheet({
      binance: { USDT: '99746.1', BNB: '0.9921', BTC: '0' },
      upbit: { KRW: '10094450', BTC: '0.000000000000000001' },
    }),
    initialEquity: 100,
    finalEquity: 150,
    equity: series(HAND_EQUITY),
    ...recordsRun(HAND_FILLS, HAND_ORDERS),
    // The engine measures exposure; by hand, a position is open at 6 of the 9 samples.
    exposure: 6 / 9,
    refused,
    badRows,
    marks: new Map([['binance:BTC/USDT', 39000]]),
    riskState: { state: 'halted', reason: 'daily loss limit', ts: T0 + 7 * MINUTE },
    eventsProcessed: 1234,
    warnings: ['book for upbit BTC/KRW crossed at 2024-01-01T00:03:00.000Z'],
    ...over,
  };
}

/** Deterministic PRNG (the project's mulberry32) so large fixtures are the same on every run. */
export const prng = seededRandom;

/** A random walk of `samples` equity points, one per second. */
export function largeEquity(samples: number, seed = 1): EquitySeries {
  const rnd = prng(seed);
  const equity = new Array<number>(samples);
  let e = 1_000_000;
  for (let i = 0; i < samples; i++) {
    e = Math.round(e * (1 + (rnd() - 0.5) * 0.002) * 100) / 100;
    equity[i] = e;
  }
  return series(equity, 1000);
}

const MARKETS = [
  ['binance', 'BTC/USDT', 40000],
  ['binance', 'ETH/USDT', 2000],
  ['upbit', 'BTC/KRW', 55_000_000],
] as const;

/**
 * `n` fills on three markets, generated one at a time so a memory test holds none of them. Every
 * other fill closes with a random P&L.
 */
export function* genFills(n: number, seed = 1): Generator<FillRecord> {
  const rnd = prng(seed);
  for (let i = 0; i < n; i++) {
    const [venue, symbol, px] = MARKETS[i % 3]!;
    const price = Math.round(px * (1 + (rnd() - 0.5) * 0.01));
    const quantity = Math.round(rnd() * 1000) / 1000 + 0.001;
    const pnl = Math.round((rnd() - 0.45) * 1e6) / 1e4;
    yield makeFill({ ts: T0 + i * 1000, venue, symbol, price, quantity, side: i % 2 ? 'sell' : 'buy', fee: notionalAtto(price, quantity) / 1000n, feeAsset: symbol.split('/')[1]!, realizedPnl: i % 2 ? a(String(pnl)) : 0n, positionAfter: i % 2 ? 0n : a(String(quantity)), tradeId: `t${i}`, clientId: `c${i}`, exchangeId: `x${i}` });
  }
}

/** `n` final orders, mostly filled, some canceled with a reason that needs quoting. */
export function* genOrders(n: number): Generator<OrderRecord> {
  for (let i = 0; i < n; i++) {
    const [venue, symbol, px] = MARKETS[i % 3]!;
    const canceled = i % 7 === 0;
    yield makeOrder({ clientId: `c${i}`, exchangeId: `x${i}`, venue, symbol, side: i % 2 ? 'sell' : 'buy', type: canceled ? 'limit' : 'market', price: canceled ? px : undefined, quantity: 0.5, status: canceled ? 'canceled' : 'filled', filled: canceled ? 0 : 0.5, avgPrice: canceled ? undefined : px, fees: canceled ? 0n : a('0.02'), createdTs: T0 + i * 1000, updatedTs: T0 + i * 1000 + 5, reason: canceled ? 'canceled by risk, "limit"' : undefined });
  }
}

/** A large run: `samples` equity points and the aggregates of `fills` generated fills and as many orders. */
export function largeRun(samples: number, fills: number, seed = 1): RunResult {
  const equity = largeEquity(samples, seed);
  return handRun({ runId: `run-large-${seed}`, equity, ...recordsRun(genFills(fills, seed), genOrders(fills)), initialEquity: 1_000_000, finalEquity: equity.equity.at(-1) ?? 1_000_000 });
}
