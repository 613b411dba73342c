/**
 * prices.csv: `ts,venue,symbol,price`, the mark of every traded market at the equity samples — the
 * line the report's price charts put the trades on.
 *
 * Not every sample: a minute-sampled year is half a million rows per market, and formatting them
 * (number → text is the slow part) cost a million-bar backtest 15 % more CPU. Each market's marks go
 * through the report's MinMaxDownsampler instead, and prices.csv holds what it kept: every sample when
 * a run has at most 5000, else at most 5000 rows per market with each stretch's lowest and highest mark
 * (see html/downsample.ts). Rows are in time order, markets sorted by venue and symbol at equal times.
 */
import type { MarketSymbol, TimeMs, VenueId } from '../domain/types.ts';
import { csvField, csvRow, writeChunked, type ChunkedFileOptions } from './csv-file.ts';
import { isoTime } from './iso-time.ts';

export const PRICE_COLUMNS = ['ts', 'venue', 'symbol', 'price'] as const;

/** Receives one market's marks (the report keeps a downsampled copy). Times in whole ms. */
export type PriceListener = (ts: TimeMs, price: number) => void;

/** One market's marks, as the engine pushes them. */
export class PriceTrack {
  constructor(
    readonly venue: VenueId,
    readonly symbol: MarketSymbol,
    private readonly listener: PriceListener,
  ) {}

  /** The mark at a sample time. No mark (yet), or a bad one: nothing. */
  push(ts: TimeMs, price: number | undefined): void {
    if (price === undefined || !(price > 0) || price === Infinity) return;
    // As prices.csv will read back: ISO times hold whole milliseconds (Date truncates toward zero).
    this.listener(Math.trunc(ts), price);
  }
}

/** One market's kept marks: times (ms) ascending, prices. */
export interface PriceSeries {
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly t: readonly number[];
  readonly v: readonly number[];
}

/** Writes prices.csv from each market's kept marks, merged into one time-ordered list of rows. */
export function writePricesCsv(path: string, series: readonly PriceSeries[], options: ChunkedFileOptions = {}): void {
  const markets = [...series].sort((a, b) => compareText(a.venue, b.venue) || compareText(a.symbol, b.symbol));
  const middle = markets.map((m) => `,${csvField(m.venue)},${csvField(m.symbol)},`);
  const at = markets.map(() => 0);
  writeChunked(
    path,
    (append) => {
      append(csvRow(PRICE_COLUMNS));
      for (;;) {
        // The market whose next row is earliest (the first of them at equal times); few markets, so a scan.
        let next = -1;
        for (let k = 0; k < markets.length; k++) {
          const i = at[k]!;
          if (i < markets[k]!.t.length && (next < 0 || markets[k]!.t[i]! < markets[next]!.t[at[next]!]!)) next = k;
        }
        if (next < 0) return;
        const m = markets[next]!;
        const i = at[next]!++;
        append(`${isoTime(m.t[i]!, 'prices.ts')}${middle[next]!}${String(m.v[i]!)}\n`);
      }
    },
    options,
  );
}

/** What the engine needs to record prices: a track per market (the RunRecorder offers it). */
export interface PriceSink {
  priceTrack(venue: VenueId, symbol: MarketSymbol): Pick<PriceTrack, 'push'>;
}

/**
 * The function the equity sampler calls at each sample: pushes every market's mark to its track.
 * One closure over an array, so a sample costs a mark lookup and a compare per market.
 */
export function priceRecorder(
  markets: Iterable<{ readonly venue: VenueId; readonly symbol: MarketSymbol }>,
  mark: (venue: VenueId, symbol: MarketSymbol) => number | undefined,
  sink: PriceSink,
): (ts: TimeMs) => void {
  const tracks = [...markets].map((m) => ({ venue: m.venue, symbol: m.symbol, track: sink.priceTrack(m.venue, m.symbol) }));
  return (ts) => {
    for (let i = 0; i < tracks.length; i++) {
      const t = tracks[i]!;
      t.track.push(ts, mark(t.venue, t.symbol));
    }
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
