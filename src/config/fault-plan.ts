/**
 * The scenario's `faults:` block → the FaultPlanSpec the fault-injecting driver plays: times parsed,
 * defaults filled in, and what cannot work refused with the field named (a price gap on L2 book data,
 * a fault on a venue the run does not trade).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ConfigError } from '../core/errors.ts';
import { FAULT_DEFAULTS, type FaultEntry, type FaultPlanSpec, type FaultTrigger } from '../faults/fault-schedule.ts';
import { parseTimestamp } from '../sources/timestamp.ts';
import type { FaultsInput } from './faults-schema.ts';

export interface FaultPlanContext {
  readonly label: string;
  readonly seed: number;
  readonly venues: ReadonlySet<string>;
  /** Market data kinds per `venue symbol` (price gaps need candles or trades). */
  readonly dataKind: (venue: string | undefined, symbol: string | undefined) => 'book' | 'other' | undefined;
}

export function faultPlanSpec(input: FaultsInput, ctx: FaultPlanContext): FaultPlanSpec {
  const err = (i: number, field: string, msg: string) => new ConfigError(`${ctx.label}: faults.schedule.${i}.${field}: ${msg}`, { field: `faults.schedule.${i}.${field}` });
  const entries = input.schedule.map((f, i): FaultEntry => {
    let trigger: FaultTrigger;
    if (f.order !== undefined) trigger = { order: f.order };
    else if (f.probability !== undefined) trigger = { probability: f.probability };
    else {
      const at = typeof f.at === 'number' ? f.at : Number.NaN;
      let ts = at;
      if (typeof f.at === 'string') {
        try {
          ts = parseTimestamp(f.at);
        } catch (e) {
          throw err(i, 'at', (e as Error).message);
        }
      }
      trigger = { at: ts };
    }
    if (f.venue !== undefined && !ctx.venues.has(f.venue)) throw err(i, 'venue', `"${f.venue}" is not traded in this run`);
    if (f.kind === 'price-gap' && ctx.dataKind(f.venue, f.symbol) === 'book') {
      throw err(i, 'kind', 'a price gap applies to candle or trade data; an L2 book cannot be shifted mid-stream');
    }
    return {
      index: i,
      kind: f.kind,
      trigger,
      ...(f.venue !== undefined ? { venue: f.venue } : {}),
      ...(f.symbol !== undefined ? { symbol: f.symbol } : {}),
      durationMs: f.duration_ms ?? (f.kind === 'price-gap' ? Infinity : FAULT_DEFAULTS.durationMs),
      retryAfterMs: f.retry_after_ms ?? FAULT_DEFAULTS.retryAfterMs,
      latencyMs: f.latency_ms ?? (f.kind === 'clock-skew' ? 250 : FAULT_DEFAULTS.latencyMs),
      fill: f.fill ?? FAULT_DEFAULTS.fill,
      gapPct: f.gap_pct ?? FAULT_DEFAULTS.gapPct,
      pollMs: f.poll_ms ?? FAULT_DEFAULTS.pollMs,
    };
  });
  return { seed: input.seed ?? ctx.seed, compareWithout: input.compare_without, entries };
}

/** Whether a market file holds L2 book levels (its header has timestamp, type, side, price, quantity). */
export function looksLikeBookFile(file: string): boolean {
  if (file.endsWith('.gz')) return false;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const header = buf.subarray(0, n).toString('utf8').split(/\r?\n/)[0]!.toLowerCase().split(',').map((c) => c.trim());
    return ['timestamp', 'type', 'side', 'price', 'quantity'].every((c) => header.includes(c));
  } finally {
    closeSync(fd);
  }
}
