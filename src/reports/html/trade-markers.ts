/**
 * Buy and sell markers for one market's price chart, at most `maxMarkers` of them however many
 * trades there were. Up to the cap every fill is its own marker; past it, consecutive fills are
 * grouped in equal-count buckets (doubling as they come, like MinMaxDownsampler) and a bucket shows
 * one marker per side: at its first fill's time and price, carrying how many fills and how much
 * quantity it stands for. Nothing is dropped silently: the counts add up to the fills.
 */

export type MarkerSide = 'buy' | 'sell';

export interface TradeMarker {
  /** Time (ms) and price of the first fill the marker stands for. */
  readonly t: number;
  readonly price: number;
  readonly side: MarkerSide;
  /** Fills grouped into this marker (1 when not grouped) and their total quantity. */
  readonly n: number;
  readonly qty: number;
}

export const DEFAULT_MAX_MARKERS = 600;

interface SideBucket {
  n: number;
  t: number;
  price: number;
  qty: number;
}

export class TradeMarkerReducer {
  private readonly cap: number;
  private size = 1;
  private count = 0;
  private readonly buckets: { buy: SideBucket; sell: SideBucket }[] = [];

  constructor(readonly maxMarkers = DEFAULT_MAX_MARKERS) {
    if (!(maxMarkers >= 4)) throw new RangeError(`maxMarkers must be at least 4, got ${maxMarkers}`);
    // A bucket may hold both a buy and a sell marker.
    this.cap = Math.floor(maxMarkers / 4) * 2;
  }

  /** Fills pushed so far. */
  get total(): number {
    return this.count;
  }

  push(t: number, side: MarkerSide, price: number, qty: number): void {
    let b = Math.floor(this.count / this.size);
    if (b >= this.cap) {
      this.merge();
      b = Math.floor(this.count / this.size);
    }
    if (b === this.buckets.length) this.buckets.push({ buy: emptySide(), sell: emptySide() });
    const s = this.buckets[b]![side];
    if (s.n === 0) {
      s.t = t;
      s.price = price;
    }
    s.n++;
    s.qty += qty;
    this.count++;
  }

  /** The markers in time order (a buy before a sell at the same time). */
  markers(): TradeMarker[] {
    const out: TradeMarker[] = [];
    for (const b of this.buckets) {
      const sides: MarkerSide[] = b.sell.n > 0 && b.buy.n > 0 && b.sell.t < b.buy.t ? ['sell', 'buy'] : ['buy', 'sell'];
      for (const side of sides) {
        const s = b[side];
        if (s.n > 0) out.push({ t: s.t, price: s.price, side, n: s.n, qty: s.qty });
      }
    }
    return out;
  }

  private merge(): void {
    const merged: { buy: SideBucket; sell: SideBucket }[] = [];
    for (let k = 0; k < this.buckets.length; k += 2) {
      const a = this.buckets[k]!;
      const c = this.buckets[k + 1];
      merged.push(c === undefined ? a : { buy: mergeSide(a.buy, c.buy), sell: mergeSide(a.sell, c.sell) });
    }
    this.buckets.length = 0;
    this.buckets.push(...merged);
    this.size *= 2;
  }
}

function emptySide(): SideBucket {
  return { n: 0, t: 0, price: 0, qty: 0 };
}

function mergeSide(a: SideBucket, c: SideBucket): SideBucket {
  if (a.n === 0) return c;
  if (c.n === 0) return a;
  return { n: a.n + c.n, t: a.t, price: a.price, qty: a.qty + c.qty };
}
