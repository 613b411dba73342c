/**
 * Values balances in one reporting currency using the latest marks. Conversion paths (BTC→KRW→USDT
 * for an Upbit BTC/KRW balance reported in USDT) are found once from the market list and reused;
 * only the marks change between samples.
 */
import type { Asset, MarketDef, MarketSymbol, VenueId } from './types.ts';

export type MarkSource = (venue: VenueId, symbol: MarketSymbol) => number | undefined;

/** One hop: multiply by the mark of (venue, symbol), or divide when `inverse`. */
interface Hop {
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly inverse: boolean;
}

export class Valuation {
  private readonly paths = new Map<string, Hop[] | null>();

  /**
   * @param markets every market with marks, across venues
   * @param quote the reporting currency
   * @param fixedRates asset → value of one unit in `quote` (a rate file or scenario `fx`), used when no
   *   market path exists
   */
  constructor(
    private readonly markets: readonly MarketDef[],
    readonly quote: Asset,
    private readonly fixedRates: ReadonlyMap<Asset, number> = new Map(),
  ) {}

  /** Value of one unit of `asset` held on `venue`, in the reporting currency; undefined if unknown. */
  rate(venue: VenueId, asset: Asset, marks: MarkSource): number | undefined {
    if (asset === this.quote) return 1;
    const path = this.pathFor(venue, asset);
    if (path) {
      let r = 1;
      for (const hop of path) {
        const m = marks(hop.venue, hop.symbol);
        if (m === undefined || !(m > 0)) return this.fixedRates.get(asset);
        r = hop.inverse ? r / m : r * m;
      }
      return r;
    }
    return this.fixedRates.get(asset);
  }

  /** Σ balance × rate; assets with no known rate are listed in `unpriced` and counted as 0. */
  value(
    balances: ReadonlyMap<VenueId, ReadonlyMap<Asset, number>>,
    marks: MarkSource,
    unpriced?: Set<string>,
  ): number {
    let total = 0;
    for (const [venue, assets] of balances) {
      for (const [asset, amount] of assets) {
        if (amount === 0) continue;
        const r = this.rate(venue, asset, marks);
        if (r === undefined) unpriced?.add(`${venue}:${asset}`);
        else total += amount * r;
      }
    }
    return total;
  }

  /** Breadth-first search over markets (same venue first, then any venue), at most 3 hops. */
  private pathFor(venue: VenueId, asset: Asset): Hop[] | null {
    const key = `${venue}\u0000${asset}`;
    const cached = this.paths.get(key);
    if (cached !== undefined) return cached;
    const ordered = [...this.markets].sort((a, b) => Number(b.venue === venue) - Number(a.venue === venue));
    const seen = new Set<Asset>([asset]);
    let frontier: Array<{ asset: Asset; path: Hop[] }> = [{ asset, path: [] }];
    let found: Hop[] | null = null;
    for (let depth = 0; depth < 3 && !found && frontier.length > 0; depth++) {
      const next: Array<{ asset: Asset; path: Hop[] }> = [];
      for (const node of frontier) {
        for (const m of ordered) {
          let to: Asset | undefined;
          let inverse = false;
          if (m.base === node.asset) to = m.quote;
          else if (m.quote === node.asset) {
            to = m.base;
            inverse = true;
          }
          if (to === undefined || seen.has(to)) continue;
          const path = [...node.path, { venue: m.venue, symbol: m.symbol, inverse }];
          if (to === this.quote) {
            found = path;
            break;
          }
          seen.add(to);
          next.push({ asset: to, path });
        }
        if (found) break;
      }
      frontier = next;
    }
    this.paths.set(key, found);
    return found;
  }
}
