/**
 * Configured risk limits. The risk gate enforces the per-order ones on every signal; the kill-switch
 * triggers (`kill-triggers.ts`) act on the run-wide ones (drawdown, daily loss, errors, divergence).
 */
export interface RiskLimits {
  /** Signals whose own `risk` exceeds this are refused (0..1). */
  readonly maxSignalRisk?: number;
  /** Max |position| in base units, per `venue:symbol`, with an optional default `*`. */
  readonly maxPosition?: ReadonlyMap<string, number>;
  /** Max notional of one order, in the reporting currency. */
  readonly maxOrderNotional?: number;
  /** Max orders live at once (submitting, open, partially filled, unknown). */
  readonly maxOpenOrders?: number;
  /** Drawdown from the equity peak (fraction) that halts trading. */
  readonly maxDrawdown?: number;
  /** Loss since the first equity of the current UTC day, as a fraction of it, that halts trading. */
  readonly maxDailyLoss?: number;
  /** More than this many errors (venue rejections, unknown outcomes, driver errors) within `errorWindowMs` halt trading. */
  readonly maxErrors?: number;
  /** The window `maxErrors` counts in; default {@link DEFAULT_ERROR_WINDOW_MS}. */
  readonly errorWindowMs?: number;
  /** Relative difference between our ledger and the venue's balance that trips the kill switch. */
  readonly maxDivergence?: number;
  /** What a divergence trip moves to; default `reducing`. */
  readonly divergenceAction?: 'reducing' | 'halted';
  /**
   * Market data older than this (ms) at a signal's time is stale: no new order on it (rule 8).
   * Undefined: not checked.
   */
  readonly maxBookAgeMs?: number;
}

export const DEFAULT_ERROR_WINDOW_MS = 60_000;
