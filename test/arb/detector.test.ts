/**
 * The detector: on a book update it evaluates both directions of the affected pair and emits an
 * Opportunity or counts a skip with its reason; the premium of Upbit over Binance is sampled per second.
 *
 * Books (given directly, then one update is sent through `onEvent`):
 *   Binance BTC/USDT  bids 99,990 × 1            asks 100,000 × 0.5, 100,100 × 0.5
 *   Upbit BTC/KRW     bids 141,400,000 × 0.3, 141,200,000 × 0.4     asks 141,500,000 × 1
 *   Upbit USDT/KRW    bid 1,399.5 / ask 1,400
 */
import { describe, expect, it } from 'vitest';
import { parseRateCsv } from '../../src/arb/conversion.ts';
import { ArbDetector, type DetectorConfig, type Inventory } from '../../src/arb/detector.ts';
import type { Opportunity } from '../../src/arb/opportunity.ts';
import { parseAtto } from '../../src/domain/money.ts';
import type { Atto, BookLevelEvent } from '../../src/domain/types.ts';
import { market } from './helpers.ts';

const binance = market('binance', 'BTC/USDT');
const upbit = market('upbit', 'BTC/KRW');

class Balances implements Inventory {
  readonly m = new Map<string, Atto>();
  constructor(init: Record<string, string>) {
    for (const [k, v] of Object.entries(init)) this.m.set(k, parseAtto(v));
  }
  free(venue: string, asset: string): Atto {
    return this.m.get(`${venue}:${asset}`) ?? 0n;
  }
}

const RICH = { 'binance:USDT': '1000000', 'binance:BTC': '10', 'upbit:KRW': '1000000000000', 'upbit:BTC': '10' };

function setup(over: Partial<DetectorConfig> = {}, balances: Record<string, string> = RICH, books = true) {
  const out: Opportunity[] = [];
  const det = new ArbDetector(
    {
      pairs: [{ a: { market: binance }, b: { market: upbit } }],
      referenceQuote: 'USDT',
      conversions: [{ kind: 'book', venue: 'upbit', symbol: 'USDT/KRW' }],
      thresholdBps: 20,
      size: 0.5,
      maxBookAgeMs: 5000,
      maxRateAgeMs: 60_000,
      ...over,
    },
    new Balances(balances),
    (o) => out.push(o),
  );
  const put = (venue: string, symbol: string, ts: number, side: 'bid' | 'ask', price: number, size: number) =>
    det.books.book(venue, symbol).apply(ts, side === 'ask', price, size, false);
  if (books) {
    put('binance', 'BTC/USDT', 1000, 'bid', 99_990, 1);
    put('binance', 'BTC/USDT', 1000, 'ask', 100_000, 0.5);
    put('binance', 'BTC/USDT', 1000, 'ask', 100_100, 0.5);
    put('upbit', 'BTC/KRW', 1000, 'bid', 141_400_000, 0.3);
    put('upbit', 'BTC/KRW', 1000, 'bid', 141_200_000, 0.4);
    put('upbit', 'BTC/KRW', 1000, 'ask', 141_500_000, 1);
    if (!over.conversions) {
      put('upbit', 'USDT/KRW', 1000, 'bid', 1399.5, 1e6);
      put('upbit', 'USDT/KRW', 1000, 'ask', 1400, 1e6);
    }
  }
  /** One row of a venue message, not yet evaluated. */
  const row = (venue: string, symbol: string, ts: number, side: 'bid' | 'ask', price: number, quantity: number) => {
    const ev: BookLevelEvent = { kind: 'level', ts, venue, symbol, side, price, quantity, snapshot: false, reset: false };
    return det.onEvent(ev);
  };
  /** A message of one row: applied and evaluated. */
  const send = (venue: string, symbol: string, ts: number, side: 'bid' | 'ask', price: number, quantity: number) => {
    const known = row(venue, symbol, ts, side, price, quantity);
    det.flush();
    return known;
  };
  return { det, out, send, row, put };
}

describe('ArbDetector: opportunities', () => {
  it('when Upbit bids clear Binance asks after fees and conversion then a buy-Binance/sell-Upbit opportunity is emitted', () => {
    const { det, out, send } = setup();
    // A Binance bid-side change touches the pair: both directions are evaluated.
    send('binance', 'BTC/USDT', 2000, 'bid', 99_980, 1);
    // Size 0.5 (configured): buy 0.5 @ 100,000 = 50,000 USDT; sell 0.3 @ 141.4M + 0.2 @ 141.2M = 70,660,000 KRW,
    // worth 70,660,000 / 1,400 (USDT/KRW ask) = 50,471.428571 USDT.
    // gross = 10⁴ × 471.428571 / 50,000 = 94.285714 bps; net = 10⁴ × (50,471.428571 × 0.9995 − 50,050)/50,000 = 79.238571 bps.
    expect(out).toHaveLength(1);
    const o = out[0]!;
    expect(o).toMatchObject({ ts: 2000, buyVenue: 'binance', buySymbol: 'BTC/USDT', sellVenue: 'upbit', sellSymbol: 'BTC/KRW', base: 'BTC', size: 0.5, binding: 'size' });
    expect(o.expectedBuyPrice).toBeCloseTo(100_000, 9);
    expect(o.expectedSellPrice).toBeCloseTo(141_320_000, 6);
    expect(o.grossEdgeBps).toBeCloseTo(94.2857142857, 8);
    expect(o.netEdgeBps).toBeCloseTo(79.2385714286, 8);
    expect([o.buyFee, o.sellFee, o.referenceQuote]).toEqual([0.001, 0.0005, 'USDT']);
    expect(o.rate).toBe(1399.75);
    expect(o.rateAgeMs).toBe(1000);
    expect(Object.isFrozen(o)).toBe(true);
    // The other direction (buy Upbit at 141.5M ÷ 1,399.5 = 101,107.5 USDT, sell Binance at 99,980) loses.
    expect(det.skips.below_threshold).toBe(1);
    expect(det.counts).toEqual({ updates: 1, evaluations: 2, opportunities: 1 });
  });

  it('when the conversion book moves then the pair is re-evaluated with the new rate', () => {
    const { det, out, send } = setup({ thresholdBps: 80 });
    send('upbit', 'USDT/KRW', 2000, 'ask', 1390, 1e6);
    // KRW now buys USDT at 1,390: S' = 70,660,000 / 1,390 = 50,834.532374; net = 10⁴ × (50,809.115108 − 50,050)/50,000 = 151.82 bps.
    expect(out).toHaveLength(1);
    expect(out[0]!.netEdgeBps).toBeCloseTo((1e4 * ((70_660_000 / 1390) * 0.9995 - 50_050)) / 50_000, 8);
    expect(out[0]!.rate).toBe((1399.5 + 1390) / 2);
    expect(det.counts.evaluations).toBe(2);
  });

  it('when the conversion comes from a rate file then its rate and age are reported', () => {
    const series = parseRateCsv('timestamp,rate\n500,1400\n', 'fx.csv', 'USDT', 'KRW');
    const { out, send } = setup({ conversions: [{ kind: 'series', series }] });
    send('binance', 'BTC/USDT', 2000, 'bid', 99_980, 1);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ rate: 1400, rateAgeMs: 1500 });
    expect(out[0]!.netEdgeBps).toBeCloseTo(79.2385714286, 8);
  });

  it('when the rows of one message share a time then they are evaluated once, on the book after the last row', () => {
    // A cheap ask (99,000) that the same message takes away again: evaluated row by row it would be a
    // phantom 187 bps edge; the book after the message has none above 90 bps.
    const { det, out, row } = setup({ thresholdBps: 90 });
    row('binance', 'BTC/USDT', 2000, 'ask', 99_000, 0.5);
    row('binance', 'BTC/USDT', 2000, 'ask', 99_000, 0);
    row('binance', 'BTC/USDT', 2000, 'bid', 99_985, 1);
    expect(det.counts.evaluations, 'nothing evaluated mid-message').toBe(0);
    row('upbit', 'BTC/KRW', 2000, 'ask', 141_500_000, 1); // another book: the Binance message is complete
    expect(det.counts.evaluations).toBe(2);
    expect(det.skips.below_threshold).toBe(2);
    det.finish(2000);
    expect(det.counts.evaluations).toBe(4);
    expect(out).toHaveLength(0);
    expect(det.counts.updates).toBe(4);
  });

  it('when an update is for a market the detector does not watch then it is ignored', () => {
    const { det, send } = setup();
    expect(send('kraken', 'BTC/USD', 2000, 'bid', 1, 1)).toBe(false);
    expect(det.counts.updates).toBe(0);
  });
});

describe('ArbDetector: skips and their reasons', () => {
  it('when the edge is under the threshold then both directions count below_threshold', () => {
    const { det, out, send } = setup({ thresholdBps: 90 });
    send('binance', 'BTC/USDT', 2000, 'bid', 99_980, 1);
    expect(out).toHaveLength(0);
    expect(det.skips.below_threshold).toBe(2);
  });

  it('when the size left is under a venue minimum then size_below_minimum', () => {
    const { det, out, send } = setup({ risk: { maxBase: 0.00004 } });
    send('binance', 'BTC/USDT', 2000, 'bid', 99_980, 1);
    expect(out).toHaveLength(0);
    expect(det.skips.size_below_minimum).toBe(1);
  });

  it('when the sell venue holds no base then no_inventory', () => {
    const { det, out, send } = setup({}, { ...RICH, 'upbit:BTC': '0' });
    send('binance', 'BTC/USDT', 2000, 'bid', 99_980, 1);
    expect(out).toHaveLength(0);
    expect(det.skips.no_inventory).toBe(1);
  });

  it('when the other book is older than the maximum age then stale_book', () => {
    const { det, send } = setup();
    send('binance', 'BTC/USDT', 6000, 'bid', 99_980, 1);
    expect(det.skips.stale_book).toBe(0);
    send('binance', 'BTC/USDT', 6001, 'bid', 99_980, 1);
    expect(det.skips.stale_book).toBe(2);
  });

  it('when the conversion book is older than the rate age limit then stale_rate', () => {
    const { det, put, send } = setup({ maxRateAgeMs: 500, maxBookAgeMs: 60_000 });
    put('upbit', 'BTC/KRW', 2000, 'bid', 141_400_000, 0.3);
    send('binance', 'BTC/USDT', 2000, 'bid', 99_980, 1);
    expect(det.skips.stale_rate).toBe(2);
  });

  it('when there is no conversion rate yet then no_rate; when a side is empty then no_book', () => {
    const { det, put, send } = setup({}, RICH, false);
    put('upbit', 'BTC/KRW', 1000, 'bid', 141_400_000, 0.3);
    put('upbit', 'BTC/KRW', 1000, 'ask', 141_500_000, 0.3);
    send('binance', 'BTC/USDT', 1000, 'ask', 100_000, 1);
    // Buy Binance / sell Upbit has both sides; buy Upbit / sell Binance lacks Binance bids.
    expect(det.skips).toMatchObject({ no_rate: 1, no_book: 1 });
  });

  it('when a rate file starts after the event then no_rate', () => {
    const series = parseRateCsv('timestamp,rate\n5000,1400\n', 'fx.csv', 'USDT', 'KRW');
    const { det, send } = setup({ conversions: [{ kind: 'series', series }] });
    send('binance', 'BTC/USDT', 2000, 'bid', 99_980, 1);
    expect(det.skips.no_rate).toBe(2);
  });

  it('when a leg needs a conversion that is not configured then construction fails with a clear message', () => {
    expect(() => setup({ conversions: [] })).toThrow(/no conversion between KRW and the reference quote USDT/);
  });
});

describe('ArbDetector: premium series', () => {
  // mid Binance = (99,990 + 100,000)/2 = 99,995; mid Upbit = (141,400,000 + 141,500,000)/2 = 141,450,000 KRW,
  // at the USDT/KRW mid 1,399.75 = 101,053.759600 USDT; premium = 10⁴ × (101,053.7596/99,995 − 1) = 105.8813 bps.
  const premium = 1e4 * (141_450_000 / 1399.75 / 99_995 - 1);

  it('when events cross second boundaries then one sample per boundary, seeing the books as of that time', () => {
    const { det, send } = setup({ thresholdBps: 1000 });
    send('binance', 'BTC/USDT', 1500, 'ask', 100_200, 1); // grid starts at 2000
    send('binance', 'BTC/USDT', 2500, 'bid', 99_990, 1); // samples 2000
    send('upbit', 'BTC/KRW', 3700, 'ask', 141_460_000, 1); // samples 3000 (before this better ask arrives)
    det.finish(4000); // samples 4000 (after it)
    const pts = det.premium[0]!.points();
    expect(pts.map((p) => p.ts)).toEqual([2000, 3000, 4000]);
    expect(pts[0]!.bps).toBeCloseTo(premium, 9);
    expect(pts[1]!.bps).toBeCloseTo(premium, 9);
    // Upbit mid is now (141,400,000 + 141,460,000)/2 = 141,430,000: 10⁴ × (141,430,000/1,399.75/99,995 − 1) = 104.45 bps.
    expect(pts[2]!.bps).toBeCloseTo(1e4 * (141_430_000 / 1399.75 / 99_995 - 1), 9);
    expect(pts[2]!.bps).toBeCloseTo(104.4524, 3);
    expect(premium).toBeCloseTo(105.8813, 3);
  });

  it('when the data has a gap then samples stop once the books are stale and resume with fresh ones', () => {
    const { det, send } = setup({ thresholdBps: 1000 });
    send('binance', 'BTC/USDT', 1500, 'bid', 99_990, 1);
    send('binance', 'BTC/USDT', 20_000, 'bid', 99_990, 1);
    // Upbit and USDT/KRW were last set at 1000: fresh (age ≤ 5000) at 2000…6000, stale from 7000.
    expect(det.premium[0]!.points().map((p) => p.ts)).toEqual([2000, 3000, 4000, 5000, 6000]);
    send('upbit', 'BTC/KRW', 20_500, 'bid', 141_400_000, 0.3);
    send('upbit', 'USDT/KRW', 20_500, 'bid', 1399.5, 1e6);
    send('binance', 'BTC/USDT', 21_500, 'bid', 99_990, 1);
    expect(det.premium[0]!.points().map((p) => p.ts)).toEqual([2000, 3000, 4000, 5000, 6000, 21_000]);
  });
});
