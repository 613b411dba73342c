/**
 * The scenario's `faults:` block: failures to rehearse, seeded and replayable. Each entry names a kind
 * and when it strikes — the N-th order request (`order`), each order request with a probability
 * (`probability`, drawn from the fault seed), or an event time (`at`, ISO 8601 or epoch ms; with
 * `duration_ms` for faults that last) — and optionally where (`venue`, `symbol`).
 */
import { z } from 'zod';

/** Kinds that act on one order request. */
export const ORDER_FAULT_KINDS = [
  'timeout-after-accept',
  'timeout-before-accept',
  'error-5xx-after-accept',
  'unknown-status',
  'reject',
  /** One arbitrage leg failing: the venue named by `venue` refuses the leg (a reject scoped to one venue). */
  'leg-failure',
  'partial-then-cancel',
  'drop-event',
  'repeat-event',
  'clock-skew',
] as const;

/** Kinds that open a window of time (from the order request or the time that triggers them). */
export const WINDOW_FAULT_KINDS = ['rate-limit', 'ip-ban', 'stream-silence', 'stale-book', 'latency-spike', 'price-gap'] as const;

/** Kinds only paper/live runs can play (a process crash needs a process to restart). */
export const PROCESS_FAULT_KINDS = ['crash'] as const;

export const SCENARIO_FAULT_KINDS = [...ORDER_FAULT_KINDS, ...WINDOW_FAULT_KINDS, ...PROCESS_FAULT_KINDS] as const;
export type ScenarioFaultKind = (typeof SCENARIO_FAULT_KINDS)[number];

const time = z.union([z.number().int(), z.string().min(1)]);

export const faultEntrySchema = z
  .strictObject({
    kind: z.enum(SCENARIO_FAULT_KINDS),
    /** The N-th order request of the run (1-based; counted per venue when `venue` is given). */
    order: z.number().int().positive().optional(),
    /** Each order request, with this probability. */
    probability: z.number().min(0).max(1).optional(),
    /** From this event time on (the first order request at or after it, for order faults). */
    at: time.optional(),
    venue: z.string().min(1).optional(),
    symbol: z.string().min(1).optional(),
    /** How long a window fault lasts. */
    duration_ms: z.number().int().positive().optional(),
    /** rate-limit / ip-ban: the Retry-After the venue gives. */
    retry_after_ms: z.number().int().positive().optional(),
    /** latency-spike: added latency. stale-book: how far behind the book lags. clock-skew: the resync round trip. */
    latency_ms: z.number().int().positive().optional(),
    /** partial-then-cancel: the fraction that fills before the venue cancels the rest. */
    fill: z.number().gt(0).lt(1).optional(),
    /** price-gap: the jump, in percent (negative: down). */
    gap_pct: z.number().min(-90).max(1000).optional(),
    /** drop-event: when the poll that catches the dropped fill comes. */
    poll_ms: z.number().int().positive().optional(),
  })
  .superRefine((f, ctx) => {
    const triggers = [f.order !== undefined, f.probability !== undefined, f.at !== undefined].filter(Boolean).length;
    if (triggers !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of order, probability or at', path: ['kind'] });
    const isWindow = (WINDOW_FAULT_KINDS as readonly string[]).includes(f.kind);
    if (f.kind === 'leg-failure' && f.venue === undefined) ctx.addIssue({ code: 'custom', message: 'leg-failure fails one leg: name its venue', path: ['venue'] });
    if (f.kind === 'price-gap' && f.gap_pct === undefined) ctx.addIssue({ code: 'custom', message: 'price-gap needs gap_pct', path: ['gap_pct'] });
    if (f.kind === 'price-gap' && f.at === undefined) ctx.addIssue({ code: 'custom', message: 'price-gap strikes at a time: give at', path: ['at'] });
    if (f.kind === 'crash' && f.at === undefined && f.order === undefined) ctx.addIssue({ code: 'custom', message: 'crash strikes at a time or an order: give at or order', path: ['at'] });
    if (!isWindow && f.duration_ms !== undefined && f.kind !== 'crash') ctx.addIssue({ code: 'custom', message: `${f.kind} acts on one order request and takes no duration_ms`, path: ['duration_ms'] });
  });

export const faultsSchema = z.strictObject({
  /** Seed of the probabilistic faults; default the scenario's seed. */
  seed: z.number().int().min(0).optional(),
  /** Also run the scenario without faults and report what they cost (backtests). Default true. */
  compare_without: z.boolean().default(true),
  schedule: z.array(faultEntrySchema).default([]),
});

export type FaultEntryInput = z.infer<typeof faultEntrySchema>;
export type FaultsInput = z.infer<typeof faultsSchema>;
