/**
 * The scenario file's schema (YAML, snake_case as users write it). Every field is validated on load;
 * unknown fields are errors so that a typo never silently falls back to a default.
 */
import { z } from 'zod';
import { arbitrageSchema } from './arb-schema.ts';
import { faultsSchema } from './faults-schema.ts';

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
  /**
   * `full`: each order intent is fsynced before its request leaves (survives a power loss). `normal`:
   * no fsync on the submit path (survives kill -9, not an OS crash), for the lowest latency.
   */
  journal_sync: z.enum(['full', 'normal']).default('full'),
  /**
   * Dry-run order placements per live venue before the first signal (built and signed, never sent):
   * the first few hundred real orders otherwise run ccxt's order path cold, 0.3–4 ms slower. 0: off.
   */
  warmup_calls: z.number().int().min(0).max(100_000).default(2000),
  /** How long a request to a venue may go unanswered before its outcome counts as unknown. */
  request_timeout_ms: z.number().int().min(100).default(10_000),
  /** Where the journal (`journal.sqlite`) and control files live (default `state/` in the working directory). */
  state_dir: z.string().min(1).optional(),
  /** Reconciliation with the venues: at start, then every `interval_ms` (RELIABILITY rules 2, 6, 11). */
  reconcile: z
    .strictObject({
      /** Open orders at a venue with our client-id family but in no journal: adopt them, or cancel them. */
      unknown_orders: z.enum(['adopt', 'cancel']).default('cancel'),
      /** Client ids `<family…>-<seq>` are tradeflow's. */
      client_id_family: z.string().regex(/^[A-Za-z0-9]{1,8}$/, '1-8 letters or digits').default('tf'),
      /** Periodic sweep; 0 turns it off. */
      interval_ms: z.number().int().min(0).default(30_000),
      /** How long start-up waits for lookups of orders an earlier session left open. */
      settle_timeout_ms: z.number().int().min(0).default(30_000),
      /** An unknown order is proven absent only after this many "not found" lookups... */
      absent_lookups: z.number().int().min(1).default(6),
      /** ...spanning at least this long (Binance may not show an order right after its create). */
      absent_after_ms: z.number().int().min(0).default(5_000),
    })
    .prefault({}),
});

export const riskSchema = z.strictObject({
  max_signal_risk: z.number().min(0).max(1).optional(),
  /** A number for every market, or a map `venue:symbol` → limit (key `*` for the default). */
  max_position: z.union([positive, z.record(z.string(), positive)]).optional(),
  max_order_notional: positive.optional(),
  max_open_orders: z.number().int().positive().optional(),
  max_drawdown: z.number().gt(0).max(1).optional(),
  /** Loss since the first equity of the UTC day, as a fraction of it, that halts trading. */
  max_daily_loss: z.number().gt(0).max(1).optional(),
  /** More than this many errors (venue rejections, unknown outcomes, driver errors) within `error_window_ms` halt trading. */
  max_errors: z.number().int().min(0).optional(),
  error_window_ms: z.number().int().positive().optional(),
  /** Relative ledger/venue balance difference (0.001 = 0.1%) that trips `divergence_action`. */
  max_divergence: z.number().gt(0).max(1).optional(),
  divergence_action: z.enum(['reducing', 'halted']).optional(),
  /** Market data older than this (ms) is stale: no new orders (paper/live default 10000; 0 turns it off). */
  max_book_age_ms: z.number().int().min(0).optional(),
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
  /** Failures to rehearse (see faults-schema.ts). */
  faults: faultsSchema.optional(),
  /** Cross-venue arbitrage (see arb-schema.ts). */
  arbitrage: arbitrageSchema.optional(),
  out: z.string().optional(),
});

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
