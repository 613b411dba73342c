/**
 * The scenario file's schema (YAML, snake_case as users write it). Every field is validated on load;
 * unknown fields are errors so that a typo never silently falls back to a default.
 */
import { z } from 'zod';

const positive = z.number().positive();
const nonNegative = z.number().min(0);
/** An amount as a YAML number or a decimal string (strings keep exact decimals). */
const amount = z.union([z.number().min(0), z.string().regex(/^\d+(\.\d+)?$/, 'a non-negative decimal number')]);

const fees = z.strictObject({ maker: nonNegative.max(0.1), taker: nonNegative.max(0.1) });

export const venueSchema = z.strictObject({
  fees: fees.optional(),
  latency_ms: nonNegative.optional(),
  balances: z.record(z.string().min(1), amount).default({}),
});

export const marketSourceSchema = z.strictObject({
  venue: z.string().min(1),
  symbol: z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, 'a ccxt unified symbol such as BTC/USDT'),
  /** Market data for backtests; paper and live take their data from the venue. */
  file: z.string().min(1).optional(),
});

/** Paper and live settings; ignored by backtests. */
export const liveSchema = z.strictObject({
  /** How often order books (paper) and open orders (live) are polled. */
  poll_interval_ms: z.number().int().min(50).default(1000),
  /** Signal-file replay speed: 1 = the file's own pace, 10 = ten times faster, 0 = no waiting. */
  speed: z.number().min(0).default(1),
  /** Cancel our open orders when the run stops (Ctrl-C or end of signals). */
  cancel_on_exit: z.boolean().default(true),
  /** After the last signal, wait this long for open orders to finish before stopping. */
  linger_ms: z.number().int().min(0).default(5000),
  /** Point a venue at another base URL (e.g. the local emulator): `venue: url`. */
  exchange_urls: z.record(z.string(), z.url()).default({}),
  /** Use the venues' testnets through ccxt. */
  sandbox: z.boolean().default(false),
});

export const riskSchema = z.strictObject({
  max_signal_risk: z.number().min(0).max(1).optional(),
  /** A number for every market, or a map `venue:symbol` → limit (key `*` for the default). */
  max_position: z.union([positive, z.record(z.string(), positive)]).optional(),
  max_order_notional: positive.optional(),
  max_open_orders: z.number().int().positive().optional(),
  max_drawdown: z.number().gt(0).max(1).optional(),
});

/** Defaults match the simulator's DEFAULT_CANDLE_BOOK (src/sim/candle-book.ts). */
export const candleBookSchema = z.strictObject({
  spread_bps: nonNegative.default(10),
  levels: z.number().int().positive().default(5),
  level_step_bps: positive.default(10),
  depth_fraction: positive.max(1).default(0.5),
});

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, dot, dash or underscore').optional(),
  description: z.string().optional(),
  mode: z.enum(['backtest', 'paper', 'live']).default('backtest'),
  seed: z.number().int().min(0).default(1),
  quote_currency: z.string().min(1).optional(),
  signals: z.string().min(1).optional(),
  skip_bad_rows: z.boolean().default(false),
  venues: z.record(z.string().min(1), venueSchema).default({}),
  markets: z.array(marketSourceSchema).default([]),
  market_definitions: z.array(z.string()).default([]),
  fill_model: z.enum(['book', 'bar']).default('book'),
  slippage_bps: nonNegative.default(0),
  candle_book: candleBookSchema.optional(),
  latency_ms: nonNegative.default(0),
  fee_bps: nonNegative.max(1000).optional(),
  /** Fixed conversion rates: asset → value of one unit in quote_currency. */
  fx: z.record(z.string(), positive).default({}),
  equity_interval_ms: z.number().int().positive().default(60_000),
  risk: riskSchema.default({}),
  live: liveSchema.prefault({}),
  out: z.string().optional(),
});

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
