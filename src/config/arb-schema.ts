/**
 * The scenario's `arbitrage:` block: cross-venue arbitrage on the run's markets (issue 6). The
 * detector watches each pair's books, the executor takes what clears the threshold (and executes
 * `side: arb` rows of the signal file), and `arbitrage.json` reports it.
 *
 *   arbitrage:
 *     reference_quote: USDT
 *     pairs: [{ a: binance:BTC/USDT, b: upbit:BTC/KRW }]
 *     conversions: [{ file: ../data/arb/usdt-krw.csv, base: USDT, quote: KRW }]   # or { market: upbit:USDT/KRW }
 *     threshold_bps: 20
 *     size: 0.05
 *     max_book_age_ms: 180000
 *     policy: hedge          # hedge | unwind | report: what a failed or partly filled leg leads to
 *     sequential: false      # true: the less liquid leg first, the other for what it filled
 */
import { z } from 'zod';

/** `venue:BASE/QUOTE`, e.g. `upbit:BTC/KRW`. */
const marketRef = z.string().regex(/^[a-z0-9][a-z0-9_.-]*:[A-Z0-9]+\/[A-Z0-9]+$/, 'VENUE:BASE/QUOTE, e.g. binance:BTC/USDT');

const conversionSchema = z.union([
  /** A conversion market of the run (its book gives the rate): `{ market: upbit:USDT/KRW }`. */
  z.strictObject({ market: marketRef }),
  /** A rate file (CSV `timestamp,rate`): 1 `base` = rate `quote`. */
  z.strictObject({ file: z.string().min(1), base: z.string().regex(/^[A-Z0-9]+$/), quote: z.string().regex(/^[A-Z0-9]+$/) }),
]);

export const arbitrageSchema = z.strictObject({
  /** The quote asset every edge and P&L is measured in (default: the run's quote currency). */
  reference_quote: z.string().regex(/^[A-Z0-9]+$/).optional(),
  /** Two markets of one base on two venues each; both directions are watched. */
  pairs: z.array(z.strictObject({ a: marketRef, b: marketRef })).min(1),
  /** Needed for each pair market whose quote is not the reference quote. */
  conversions: z.array(conversionSchema).default([]),
  /** Which side of a conversion book values each leg: `executable` (default) or `mid`. */
  rate_mode: z.enum(['executable', 'mid']).default('executable'),
  /** Minimum net edge after both taker fees, depth and conversion, in bps of the buy notional. */
  threshold_bps: z.number(),
  /** Largest base amount of one arbitrage. */
  size: z.number().positive(),
  /** A book older than this (ms) is stale: no arbitrage on it (RELIABILITY rule 8). */
  max_book_age_ms: z.number().int().positive(),
  /** A conversion rate older than this (ms) is stale; default: max_book_age_ms. */
  max_rate_age_ms: z.number().int().positive().optional(),
  /** What a failed or partly filled leg leads to, once it is resolved. */
  policy: z.enum(['hedge', 'unwind', 'report']).default('hedge'),
  /** The less liquid leg first, the other only for what it filled (default: both at once). */
  sequential: z.boolean().default(false),
  /** Act on what the detector finds (false: only `side: arb` signal rows are executed). */
  detect: z.boolean().default(true),
  /** After an arbitrage on a pair ends, wait this long (ms) before the next on that pair. */
  cooldown_ms: z.number().int().min(0).default(0),
  /** Corrective orders (hedge or unwind) per arbitrage at most. */
  max_corrections: z.number().int().min(0).default(2),
  /** Premium sampling interval (ms). */
  premium_interval_ms: z.number().int().positive().default(1000),
  /** Book levels kept per side. */
  max_levels: z.number().int().positive().default(64),
  /** Limits of one arbitrage: buy notional in the reference quote, base amount. */
  max_notional: z.number().positive().optional(),
  max_base: z.number().positive().optional(),
});

export type ArbitrageInput = z.input<typeof arbitrageSchema>;
export type ArbitrageScenario = z.output<typeof arbitrageSchema>;

/** The `arbitrage:` block resolved for a run (paths absolute, markets checked against the run's). */
export interface ArbPlan {
  readonly referenceQuote: string;
  readonly pairs: ReadonlyArray<{ readonly a: MarketRef; readonly b: MarketRef }>;
  readonly conversions: ReadonlyArray<({ readonly kind: 'book' } & MarketRef) | { readonly kind: 'file'; readonly file: string; readonly base: string; readonly quote: string }>;
  readonly rateMode: 'executable' | 'mid';
  readonly thresholdBps: number;
  readonly size: number;
  readonly maxBookAgeMs: number;
  readonly maxRateAgeMs: number;
  readonly policy: 'hedge' | 'unwind' | 'report';
  readonly sequential: boolean;
  readonly detect: boolean;
  readonly cooldownMs: number;
  readonly maxCorrections: number;
  readonly premiumIntervalMs: number;
  readonly maxLevels: number;
  readonly maxNotional?: number;
  readonly maxBase?: number;
}

export interface MarketRef {
  readonly venue: string;
  readonly symbol: string;
}

export interface ArbPlanContext {
  /** Markets of the run (`markets:`). */
  readonly symbols: ReadonlyArray<MarketRef>;
  readonly quoteCurrency: string;
  /** Resolves a path of the scenario (relative to its folder). */
  readonly resolve: (p: string) => string;
  /** Checks a file exists; throws a ConfigError naming the field otherwise. */
  readonly requireFile: (file: string, field: string) => string;
  readonly err: (field: string, msg: string) => Error;
}

export function arbPlanOf(a: ArbitrageScenario, ctx: ArbPlanContext): ArbPlan {
  const known = new Set(ctx.symbols.map((m) => `${m.venue}:${m.symbol}`));
  const ref = (s: string, field: string): MarketRef => {
    if (!known.has(s)) throw ctx.err(field, `${s} is not one of the run's markets (add it under markets:)`);
    const i = s.indexOf(':');
    return { venue: s.slice(0, i), symbol: s.slice(i + 1) };
  };
  const pairs = a.pairs.map((p, i) => {
    const x = ref(p.a, `arbitrage.pairs.${i}.a`);
    const y = ref(p.b, `arbitrage.pairs.${i}.b`);
    if (x.venue === y.venue) throw ctx.err(`arbitrage.pairs.${i}`, `both markets are on ${x.venue}: a pair is two venues`);
    if (x.symbol.split('/')[0] !== y.symbol.split('/')[0]) throw ctx.err(`arbitrage.pairs.${i}`, `${x.symbol} and ${y.symbol} differ in base asset`);
    return { a: x, b: y };
  });
  const conversions = a.conversions.map((c, i) =>
    'market' in c
      ? { kind: 'book' as const, ...ref(c.market, `arbitrage.conversions.${i}.market`) }
      : { kind: 'file' as const, file: ctx.requireFile(ctx.resolve(c.file), `arbitrage.conversions.${i}.file`), base: c.base, quote: c.quote },
  );
  const referenceQuote = a.reference_quote ?? ctx.quoteCurrency;
  const quotes = new Set(conversions.flatMap((c) => (c.kind === 'file' ? [c.base, c.quote] : c.symbol.split('/'))));
  for (const [i, p] of pairs.entries()) {
    for (const m of [p.a, p.b]) {
      const q = m.symbol.split('/')[1]!;
      if (q !== referenceQuote && !(quotes.has(q) && quotes.has(referenceQuote))) {
        throw ctx.err(`arbitrage.pairs.${i}`, `${m.venue}:${m.symbol} is quoted in ${q}, not the reference quote ${referenceQuote}: add a ${q}↔${referenceQuote} conversion (market or rate file)`);
      }
    }
  }
  return {
    referenceQuote,
    pairs,
    conversions,
    rateMode: a.rate_mode,
    thresholdBps: a.threshold_bps,
    size: a.size,
    maxBookAgeMs: a.max_book_age_ms,
    maxRateAgeMs: a.max_rate_age_ms ?? a.max_book_age_ms,
    policy: a.policy,
    sequential: a.sequential,
    detect: a.detect,
    cooldownMs: a.cooldown_ms,
    maxCorrections: a.max_corrections,
    premiumIntervalMs: a.premium_interval_ms,
    maxLevels: a.max_levels,
    ...(a.max_notional !== undefined ? { maxNotional: a.max_notional } : {}),
    ...(a.max_base !== undefined ? { maxBase: a.max_base } : {}),
  };
}
