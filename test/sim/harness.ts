/**
 * Small hand-made markets and a harness that drives one SimulatedExchange in event time and records
 * every event it emits.
 */
import { EventClock } from '../../src/core/clock.ts';
import { parseAtto } from '../../src/domain/money.ts';
import type {
  Asset,
  Atto,
  MarketDef,
  OrderEvent,
  OrderFilled,
  OrderSnapshot,
  OrderType,
  Side,
  TimeMs,
} from '../../src/domain/types.ts';
import { SimulatedExchange, type SimulatedVenueConfig } from '../../src/sim/simulated-exchange.ts';

/** Binance spot BTC/USDT: tick 0.01, step 0.00001, min cost 5. */
export const BINANCE_BTC_USDT: MarketDef = {
  venue: 'binance',
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  precision: { price: 0.01, amount: 0.00001 },
  limits: { amount: { min: 0.00001 }, cost: { min: 5 } },
};

/** Same rules without minimums, for tests about other things. */
export const PLAIN_BTC_USDT: MarketDef = { ...BINANCE_BTC_USDT, limits: {} };

/** Upbit KRW price units (2025 policy) as ccxt-style rows. */
const UPBIT_KRW_TABLE = [
  { from: 0, tick: 1e-8 },
  { from: 0.0001, tick: 1e-7 },
  { from: 0.001, tick: 1e-6 },
  { from: 0.01, tick: 1e-5 },
  { from: 0.1, tick: 0.0001 },
  { from: 1, tick: 0.001 },
  { from: 10, tick: 0.01 },
  { from: 100, tick: 1 },
  { from: 1000, tick: 1 },
  { from: 5000, tick: 5 },
  { from: 10000, tick: 10 },
  { from: 50000, tick: 50 },
  { from: 100000, tick: 100 },
  { from: 500000, tick: 500 },
  { from: 1000000, tick: 1000 },
];

/** Upbit BTC/KRW: KRW tick table, step 1e-8, min cost 5000. */
export const UPBIT_BTC_KRW: MarketDef = {
  venue: 'upbit',
  symbol: 'BTC/KRW',
  base: 'BTC',
  quote: 'KRW',
  precision: { price: 1e-8, amount: 1e-8 },
  limits: { amount: { min: 1e-8 }, cost: { min: 5000 } },
  tickTable: UPBIT_KRW_TABLE,
};

/** Upbit USDT/KRW: its own table, 0.5 KRW between 1,000 and 5,000. */
export const UPBIT_USDT_KRW: MarketDef = {
  ...UPBIT_BTC_KRW,
  symbol: 'USDT/KRW',
  base: 'USDT',
  tickTable: UPBIT_KRW_TABLE.map((r) => (r.from === 100 ? { from: 100, tick: 0.1 } : r.from === 1000 ? { from: 1000, tick: 0.5 } : r)),
};

export const atto = (decimal: string): Atto => parseAtto(decimal);

export interface HarnessOptions extends Partial<Omit<SimulatedVenueConfig, 'balances'>> {
  balances?: Record<Asset, string>;
  defs?: MarketDef[];
}

export class Harness {
  readonly clock = new EventClock(0);
  readonly ex: SimulatedExchange;
  readonly events: OrderEvent[] = [];
  readonly venue: string;
  readonly symbol: string;
  private n = 0;

  constructor(opts: HarnessOptions = {}) {
    const defs = opts.defs ?? [PLAIN_BTC_USDT];
    this.venue = defs[0]!.venue;
    this.symbol = defs[0]!.symbol;
    const balances = opts.balances ?? { BTC: '10', USDT: '100000' };
    this.ex = new SimulatedExchange(
      {
        venue: this.venue,
        markets: new Map(defs.map((d) => [d.symbol, d])),
        fees: opts.fees ?? { maker: 0.0005, taker: 0.001 },
        latencyMs: opts.latencyMs ?? 0,
        fillModel: opts.fillModel ?? 'book',
        ...(opts.slippageBps !== undefined ? { slippageBps: opts.slippageBps } : {}),
        ...(opts.candleBook ? { candleBook: opts.candleBook } : {}),
        balances: new Map(Object.entries(balances).map(([a, v]) => [a, atto(v)])),
      },
      this.clock,
    );
    this.ex.events$.subscribe((e) => this.events.push(e));
  }

  at(ts: TimeMs): this {
    this.clock.advance(ts);
    return this;
  }

  level(side: 'bid' | 'ask', price: number, quantity: number, symbol = this.symbol): void {
    const ts = this.clock.now();
    this.ex.onMarket({ kind: 'level', ts, venue: this.venue, symbol, side, price, quantity, snapshot: false, reset: false });
  }

  /** A snapshot: clears the book, then sets the given levels. */
  book(bids: Array<[number, number]>, asks: Array<[number, number]>, symbol = this.symbol): void {
    const ts = this.clock.now();
    const rows = [...bids.map((l) => ['bid', l] as const), ...asks.map((l) => ['ask', l] as const)];
    rows.forEach(([side, [price, quantity]], i) =>
      this.ex.onMarket({ kind: 'level', ts, venue: this.venue, symbol, side, price, quantity, snapshot: true, reset: i === 0 }),
    );
  }

  trade(price: number, quantity: number, symbol = this.symbol): void {
    this.ex.onMarket({ kind: 'trade', ts: this.clock.now(), venue: this.venue, symbol, price, quantity });
  }

  candle(open: number, high: number, low: number, close: number, volume: number, symbol = this.symbol): void {
    this.ex.onMarket({ kind: 'candle', ts: this.clock.now(), venue: this.venue, symbol, open, high, low, close, volume });
  }

  /** Submits an order now; returns its client id. */
  submit(side: Side, type: OrderType, quantity: number, price?: number, symbol = this.symbol): string {
    const clientId = `c${++this.n}`;
    void this.ex.submit({
      clientId,
      venue: this.venue,
      symbol,
      side,
      type,
      quantity,
      ...(price !== undefined ? { price } : {}),
      ts: this.clock.now(),
    });
    return clientId;
  }

  cancel(clientId: string, symbol = this.symbol): void {
    void this.ex.cancel({ clientId, venue: this.venue, symbol, ts: this.clock.now() });
  }

  /** Works off commands that have arrived by now (the end-of-data flush). */
  settle(): void {
    this.ex.finish(this.clock.now());
  }

  of(clientId: string): OrderEvent[] {
    return this.events.filter((e) => e.clientId === clientId);
  }

  kinds(clientId: string): string[] {
    return this.of(clientId).map((e) => e.kind);
  }

  fills(clientId: string): OrderFilled[] {
    return this.of(clientId).filter((e): e is OrderFilled => e.kind === 'OrderFilled');
  }

  async balance(asset: Asset): Promise<Atto> {
    return (await this.ex.fetchBalance()).get(asset) ?? 0n;
  }

  order(clientId: string, symbol = this.symbol): Promise<OrderSnapshot | undefined> {
    return this.ex.fetchOrder({ symbol, clientId });
  }
}

export const sum = (xs: readonly Atto[]): Atto => xs.reduce((a, b) => a + b, 0n);
