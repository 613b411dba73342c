/** Configured risk limits; the risk gate enforces them, the kill switch acts on the drawdown one. */
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
}
