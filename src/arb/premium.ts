/**
 * The premium of one venue over another as a time series, sampled on a fixed event-time grid (by
 * default each second): premium = 10⁴ × (mid_B × m_B / (mid_A × m_A) − 1) bps, where m converts each
 * venue's quote into the reference quote at the conversion's MID rate (a measurement, not a trade:
 * Upbit BTC/KRW over Binance BTC/USDT is the "kimchi premium"). Stored in growable typed arrays, no
 * object per sample.
 */
import type { MarketSymbol, TimeMs, VenueId } from '../domain/types.ts';

export interface PremiumPoint {
  readonly ts: TimeMs;
  readonly bps: number;
}

export class PremiumSeries {
  private t = new Float64Array(256);
  private v = new Float64Array(256);
  private n = 0;

  constructor(
    /** The venue the premium is measured against. */
    readonly a: { readonly venue: VenueId; readonly symbol: MarketSymbol },
    /** The venue whose premium it is. */
    readonly b: { readonly venue: VenueId; readonly symbol: MarketSymbol },
  ) {}

  get length(): number {
    return this.n;
  }

  tsAt(i: number): TimeMs {
    return this.t[i]!;
  }

  bpsAt(i: number): number {
    return this.v[i]!;
  }

  push(ts: TimeMs, bps: number): void {
    if (this.n === this.t.length) {
      const t = new Float64Array(this.n * 2);
      const v = new Float64Array(this.n * 2);
      t.set(this.t);
      v.set(this.v);
      this.t = t;
      this.v = v;
    }
    this.t[this.n] = ts;
    this.v[this.n] = bps;
    this.n++;
  }

  /** The samples as objects (for reports and tests, not the hot path). */
  points(): PremiumPoint[] {
    const out: PremiumPoint[] = [];
    for (let i = 0; i < this.n; i++) out.push({ ts: this.t[i]!, bps: this.v[i]! });
    return out;
  }
}
