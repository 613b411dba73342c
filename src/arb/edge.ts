/**
 * The edge of one arbitrage direction — buy `size` on venue A, sell it on venue B — from the visible
 * books, both taker fees and the quote conversion.
 *
 *   B   = Σ askA_i × x_i   walking A's asks to `size` (buy notional, A's quote)
 *   S   = Σ bidB_j × y_j   walking B's bids to `size` (sell notional, B's quote)
 *   B'  = B × β            β: A's quote → reference quote, for money paid     (conversion.ts)
 *   S'  = S × σ            σ: B's quote → reference quote, for money received
 *   gross bps = 10⁴ × (S' − B') / B'
 *   net bps   = 10⁴ × (S' × (1 − f_B) − B' × (1 + f_A)) / B'      f_A, f_B: each venue's taker fee
 *
 * Both are in basis points of the buy notional B' (fees excluded from the denominator). The fees are
 * valued in quote on both legs; a venue that takes the buy fee in base (Binance without BNB) costs the
 * same to first order (f_A × size × price).
 *
 * Numbers. The figures are computed in doubles. The threshold DECISION (net ≥ threshold) is exact: each
 * float result carries a proven bound on its rounding error (`errorBps`, see `edgeErrorBps`), and when
 * the net edge lies within that bound of the threshold the decision is taken again in exact rational
 * arithmetic over the decimal inputs (prices, sizes, fees, rates and the threshold as written), so float
 * noise can never flip it. Outside the band the float comparison is already correct. In practice the
 * band is ~1e-10 bps wide and the exact path is only reached on a tie.
 */
import { ATTO_PER_UNIT, toAtto } from '../domain/money.ts';
import type { DepthSide } from './books.ts';
import type { Ratio } from './ratio.ts';

/** One direction's fees and conversion multipliers at the current time. */
export interface EdgeTerms {
  /** Taker fee rate of the buy venue (0.001 = 0.1%). */
  buyFee: number;
  sellFee: number;
  /** Multiplier from the buy venue's quote to the reference quote (for money paid). */
  buyFactor: number;
  /** Multiplier from the sell venue's quote to the reference quote (for money received). */
  sellFactor: number;
  /** Exact value of `buyFactor`; consulted only for a decision within the float error bound. */
  buyRatio(): Ratio;
  sellRatio(): Ratio;
}

/** Result of `computeEdge`, reused between calls (no allocation per evaluation). */
export class EdgeResult {
  size = 0;
  /** Buy notional in the buy venue's quote (Σ price × qty over the asks walked). */
  buyNotional = 0;
  /** Sell notional in the sell venue's quote. */
  sellNotional = 0;
  /** Levels touched on each side. */
  buyLevels = 0;
  sellLevels = 0;
  /** Worst price reached over best price (≥ 1), per side: bounds the float error of a partial level. */
  buySpread = 1;
  sellSpread = 1;
  /** Notionals in the reference quote. */
  buyRef = 0;
  sellRef = 0;
  grossBps = 0;
  netBps = 0;
  /** Bound on |float netBps − exact netBps|. */
  errorBps = 0;

  get buyVwap(): number {
    return this.buyNotional / this.size;
  }

  get sellVwap(): number {
    return this.sellNotional / this.size;
  }
}

/** The net edge formula on reference-quote notionals (see the module comment). */
export function netEdgeBps(buyRef: number, sellRef: number, buyFee: number, sellFee: number): number {
  return (1e4 * (sellRef * (1 - sellFee) - buyRef * (1 + buyFee))) / buyRef;
}

export function grossEdgeBps(buyRef: number, sellRef: number): number {
  return (1e4 * (sellRef - buyRef)) / buyRef;
}

/** Unit roundoff of doubles. */
const U = 2 ** -53;

/**
 * A bound on the rounding error of a float net edge, in bps. Each side's notional is a sum of `levels`
 * products of decimal inputs (each within U of its double) whose last term's quantity comes from a
 * subtraction: its relative error is at most (2·levels + 3)·U·spread to first order, where `spread` is
 * worst/best price walked (the partial level's error is relative to the whole size at the worst price).
 * The conversion multiplier (one division of a decimal, or of a sum of two) adds ≤ 3U, each fee term
 * ≤ 2U, the final subtraction and division 2U. The result is then 10⁴·(S'/B' + 2)·ε + |net|·ε with
 * ε = (2·levels + 12)·U·spread; it is returned ×4 to cover the second-order terms with room to spare.
 */
export function edgeErrorBps(netBps: number, ratio: number, levels: number, spread: number): number {
  const eps = (2 * levels + 12) * U * spread;
  return 4 * ((1e4 * (Math.abs(ratio) + 2) + Math.abs(netBps)) * eps);
}

/**
 * Walks `asks` and `bids` to `size` and fills `out`. Returns false (leaving `out` partly written) when
 * either side's visible depth is short of `size`.
 */
export function computeEdge(asks: DepthSide, bids: DepthSide, size: number, terms: EdgeTerms, out: EdgeResult): boolean {
  out.size = size;
  if (!walk(asks, size, out, true) || !walk(bids, size, out, false)) return false;
  const buyRef = out.buyNotional * terms.buyFactor;
  const sellRef = out.sellNotional * terms.sellFactor;
  out.buyRef = buyRef;
  out.sellRef = sellRef;
  out.grossBps = grossEdgeBps(buyRef, sellRef);
  out.netBps = netEdgeBps(buyRef, sellRef, terms.buyFee, terms.sellFee);
  out.errorBps = edgeErrorBps(out.netBps, sellRef / buyRef, out.buyLevels + out.sellLevels, Math.max(out.buySpread, out.sellSpread));
  return true;
}

function walk(side: DepthSide, size: number, out: EdgeResult, buy: boolean): boolean {
  let rem = size;
  let notional = 0;
  let i = 0;
  const depth = side.depth;
  while (rem > 0) {
    if (i === depth) {
      // A remainder that is only the float noise of the subtractions is no shortfall.
      if (rem <= size * 1e-12) break;
      return false;
    }
    const q = side.size(i);
    const take = q < rem ? q : rem;
    notional += side.price(i) * take;
    rem -= take;
    i++;
  }
  const best = side.price(0);
  const worst = side.price(i - 1);
  if (buy) {
    out.buyNotional = notional;
    out.buyLevels = i;
    out.buySpread = worst / best;
  } else {
    out.sellNotional = notional;
    out.sellLevels = i;
    out.sellSpread = best / worst;
  }
  return true;
}

/** Whether the edge in `e` (from `computeEdge` with the same books and terms) clears `thresholdBps`. */
export function edgeClears(e: EdgeResult, asks: DepthSide, bids: DepthSide, terms: EdgeTerms, thresholdBps: number): boolean {
  const d = e.netBps - thresholdBps;
  if (d > e.errorBps) return true;
  if (d < -e.errorBps) return false;
  return clearsExact(walkExact(bids, e.size), walkExact(asks, e.size), terms, thresholdBps);
}

/**
 * Whether buying at `askPrice` and selling at `bidPrice` (one unit, the marginal edge at a level pair)
 * clears `thresholdBps` — the same formula and the same exact fallback as `edgeClears`.
 */
export function marginalClears(askPrice: number, bidPrice: number, terms: EdgeTerms, thresholdBps: number): boolean {
  const buyRef = askPrice * terms.buyFactor;
  const sellRef = bidPrice * terms.sellFactor;
  const net = netEdgeBps(buyRef, sellRef, terms.buyFee, terms.sellFee);
  const d = net - thresholdBps;
  const err = edgeErrorBps(net, sellRef / buyRef, 2, 1);
  if (d > err) return true;
  if (d < -err) return false;
  return clearsExact(toAtto(bidPrice), toAtto(askPrice), terms, thresholdBps);
}

/**
 * Exact `net ≥ threshold` for sell notional S = sN/K and buy notional B = bN/K (any common scale K):
 *   10⁴·(S·σ·(1 − f_B) − B·β·(1 + f_A)) ≥ T·B·β
 * multiplied through by K·E·σd·βd (all positive; E = 10¹⁸ scales the fees and T):
 *   10⁴·(sN·σn·βd·(E − F_B) − bN·βn·σd·(E + F_A)) ≥ Tn·bN·βn·σd
 */
export function clearsExact(sN: bigint, bN: bigint, terms: EdgeTerms, thresholdBps: number): boolean {
  const E = ATTO_PER_UNIT;
  const sigma = terms.sellRatio();
  const beta = terms.buyRatio();
  const fS = toAtto(terms.sellFee);
  const fB = toAtto(terms.buyFee);
  const T = toAtto(thresholdBps);
  const lhs = 10_000n * (sN * sigma.num * beta.den * (E - fS) - bN * beta.num * sigma.den * (E + fB));
  const rhs = T * bN * beta.num * sigma.den;
  return lhs >= rhs;
}

/** Σ price × qty walking `side` to `size`, exactly, in units of 10⁻³⁶ quote. */
export function walkExact(side: DepthSide, size: number): bigint {
  let rem = toAtto(size);
  let sum = 0n;
  for (let i = 0; rem > 0n && i < side.depth; i++) {
    const q = toAtto(side.size(i));
    const take = q < rem ? q : rem;
    sum += toAtto(side.price(i)) * take;
    rem -= take;
  }
  return sum;
}
