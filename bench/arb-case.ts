/**
 * Arbitrage benchmark (issue 6), one case per process (run by bench/run.ts):
 *   exec S MODE  the headline: S × 5,000,000 L2 updates (binance BTC/USDT, upbit BTC/KRW, upbit
 *                USDT/KRW) through a whole backtest with the arbitrage block — simulated venues, the
 *                detector and the REAL execution operator (see execCase). MODE says where the market
 *                data comes from: `csv` parsed from the CSV files, no cache (the default); `cold` a
 *                fresh market data cache (bench/.data/cache-exec-S, emptied first): parsed from CSV
 *                and written to the cache; `warm` read from the cache `cold` left (fails otherwise).
 *   detector S   the same updates, parsed beforehand (untimed) and held as the workers' columnar
 *                batches in memory: the detector (plus the merge and the legs stub) alone.
 *   e2e S        (secondary, not run by bench/run.ts) the updates from CSV through the detector and the
 *                legs stub below instead of the executor.
 *
 * Data (seeded, written once to bench/.data/): one day (S days × … scaled with S) of a shared BTC/USD
 * random walk (0.2 bps/s), a USD/KRW walk and an Upbit premium that mean-reverts (std ≈ 20 bps, τ = 1 h),
 * each venue's 20-level book following its target price; a price move is one message of 4 rows
 * (remove the crossed level, add the new best, keep 20 levels a side), other rows change sizes.
 *
 * Latency figure of `detector`/`e2e`. A stub stands in for the executor there: when the detector
 * emits, the stub sends both legs unless the pair still has legs in flight (busy until both acks, one
 * venue RTT after sending: `busy_skips`). A leg is "sent" — the request written to the venue's socket —
 * after the venue's local processing time and not before its order rate limit allows (a token bucket:
 * Binance 50 orders / 10 s, Upbit 8 / s); when either leg would wait more than MAX_QUEUE_MS, neither is sent
 * (`rate_limited_skips`). `detect_to_legs_sent_*_ms` is then, in EVENT time, from the book update that
 * revealed the opportunity to the later of the two legs being sent: the modelled processing time plus
 * the queueing the rate limits impose — a figure of the latency configuration and the opportunity
 * flow, not of this machine (`legs_queued_pct`: the share of sends that waited for a token). The CPU
 * cost of detection is `wall_ns_per_update` of the detector-only case (wall time per update over the
 * whole run, merge and stub included).
 */
import { rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ArbDetector, type Inventory } from '../src/arb/detector.ts';
import type { Opportunity } from '../src/arb/opportunity.ts';
import { SkipReasons } from '../src/arb/opportunity.ts';
import { loadMarketCatalog } from '../src/config/market-catalog.ts';
import { seededRandom } from '../src/core/random.ts';
import { parseAtto, toAtto } from '../src/domain/money.ts';
import { decimalsOf } from '../src/domain/precision.ts';
import type { Asset, Atto, MarketDef, VenueId } from '../src/domain/types.ts';
import { marketColumnsInWorker } from '../src/market/market-worker.ts';
import { LEVEL_ASK, LEVEL_RESET, type MarketColumns } from '../src/sources/columns.ts';
import { forEachByTime } from '../src/sources/merge-columns.ts';
import { DATA_DIR, START, writeLines } from './generate.ts';
import { planFromInputs } from '../src/engine/backtest-command.ts';
import { runBacktest } from '../src/engine/run-backtest.ts';
import { RECENT_MTIME_MS, cacheStats, resetCacheStats } from '../src/market/cached-market.ts';
import type { ArbitrageReport } from '../src/engine/arb-report.ts';
import { FillStatsAccumulator } from '../src/reports/index.ts';

const DAY = 86_400_000;
const [kind = 'e2e', arg = '1', mode = 'csv'] = process.argv.slice(2);

// ---------------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------------

/** Shares of the 5M updates: Binance BTC/USDT, Upbit BTC/KRW, Upbit USDT/KRW. */
const SHARES = [0.48, 0.44, 0.08] as const;

/** Event-time paths on a 100 ms grid: BTC/USD (log), USD/KRW (log), Upbit premium (fraction). */
class Paths {
  static readonly STEP_MS = 100;
  readonly btc: Float64Array;
  readonly fx: Float64Array;
  readonly prem: Float64Array;

  constructor(span: number, seed: number) {
    const n = Math.ceil(span / Paths.STEP_MS) + 1;
    const rnd = seededRandom(seed);
    const normal = () => Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
    const dt = Paths.STEP_MS / 1000;
    this.btc = new Float64Array(n);
    this.fx = new Float64Array(n);
    this.prem = new Float64Array(n);
    const tau = 3600;
    const premStd = 20e-4;
    let b = 0;
    let f = 0;
    let p = 0;
    for (let i = 0; i < n; i++) {
      this.btc[i] = b;
      this.fx[i] = f;
      this.prem[i] = p;
      b += 0.2e-4 * Math.sqrt(dt) * normal();
      f += 0.05e-4 * Math.sqrt(dt) * normal();
      p += (-p * dt) / tau + premStd * Math.sqrt((2 * dt) / tau) * normal();
    }
  }

  at(ts: number): number {
    return Math.min(this.btc.length - 1, Math.floor((ts - START) / Paths.STEP_MS));
  }
}

interface BookGen {
  readonly name: string;
  readonly n: number;
  readonly tick: number;
  /** Ticks between levels (and the spread). */
  readonly spacing: number;
  readonly target: (paths: Paths, i: number) => number;
  readonly size: (rnd: () => number) => number;
  readonly seed: number;
}


/**
 * One venue's L2 file: a 20-level snapshot, then messages. When the target price is a spacing or more
 * away from the book's mid, a 4-row message moves the book one spacing toward it; otherwise one row
 * changes a level's size (5% of them delete it; a later row may restore it).
 */
function bookFile(g: BookGen, span: number, paths: Paths): Promise<string> {
  return writeLines(path.join(DATA_DIR, `arb-${g.name}-${g.n}.csv`), function* () {
    const rnd = seededRandom(g.seed);
    const dec = decimalsOf(g.tick);
    const s = g.spacing;
    const px = (t: number) => (t * g.tick).toFixed(dec);
    const qty = () => g.size(rnd).toFixed(4);
    yield 'timestamp,type,side,price,quantity';
    // Best bid at `a`, best ask at a + s; 20 levels a side, s ticks apart.
    let a = Math.round(g.target(paths, paths.at(START)) / g.tick / s) * s;
    for (let k = 0; k < 20; k++) {
      yield `${START},snapshot,bid,${px(a - s * k)},${qty()}`;
      yield `${START},snapshot,ask,${px(a + s + s * k)},${qty()}`;
    }
    for (let i = 40; i < g.n; ) {
      const ts = START + Math.floor((i * span) / g.n);
      const want = g.target(paths, paths.at(ts)) / g.tick - s / 2;
      if (want >= a + s && i + 4 <= g.n) {
        yield `${ts},delta,ask,${px(a + s)},0`;
        yield `${ts},delta,bid,${px(a + s)},${qty()}`;
        yield `${ts},delta,bid,${px(a - 19 * s)},0`;
        yield `${ts},delta,ask,${px(a + 21 * s)},${qty()}`;
        a += s;
        i += 4;
        continue;
      }
      if (want <= a - s && i + 4 <= g.n) {
        yield `${ts},delta,bid,${px(a)},0`;
        yield `${ts},delta,ask,${px(a)},${qty()}`;
        yield `${ts},delta,ask,${px(a + 20 * s)},0`;
        yield `${ts},delta,bid,${px(a - 20 * s)},${qty()}`;
        a -= s;
        i += 4;
        continue;
      }
      const bid = rnd() < 0.5;
      const k = Math.floor(rnd() * rnd() * 20);
      const q = rnd() < 0.05 ? '0' : qty();
      yield `${ts},delta,${bid ? 'bid' : 'ask'},${px(bid ? a - s * k : a + s + s * k)},${q}`;
      i++;
    }
  });
}

async function inputs(scale: number) {
  const total = Math.round(5_000_000 * scale);
  const span = Math.round(DAY * scale);
  const paths = new Paths(span, 61);
  const usd = (p: Paths, i: number) => 100_000 * Math.exp(p.btc[i]!);
  const krw = (p: Paths, i: number) => 1390 * Math.exp(p.fx[i]!);
  const n = SHARES.map((s) => Math.round(total * s));
  n[2] = total - n[0]! - n[1]!;
  const btcSize = (r: () => number) => 0.01 + r() * 2;
  const files = [
    await bookFile({ name: 'binance-btcusdt', n: n[0]!, tick: 0.01, spacing: 50, target: usd, size: btcSize, seed: 62 }, span, paths),
    await bookFile({ name: 'upbit-btckrw', n: n[1]!, tick: 1000, spacing: 5, target: (p, i) => usd(p, i) * krw(p, i) * (1 + p.prem[i]!), size: btcSize, seed: 63 }, span, paths),
    await bookFile({ name: 'upbit-usdtkrw', n: n[2]!, tick: 0.5, spacing: 1, target: krw, size: (r) => 1000 + r() * 50_000, seed: 64 }, span, paths),
  ];
  return { files, total };
}

// ---------------------------------------------------------------------------------------------------
// Legs stub: stands in for the execution operator (see the module comment)
// ---------------------------------------------------------------------------------------------------

interface VenueLatency {
  /** Local work before a request leaves (signing, serialising), ms. */
  readonly processMs: number;
  /** Order rate limit as a token bucket: `burst` orders at once, refilled at `perSecond`. */
  readonly burst: number;
  readonly perSecond: number;
  /** Request to acknowledgement, ms. */
  readonly rttMs: number;
}

const LATENCY: Record<VenueId, VenueLatency> = {
  // Binance spot: 50 orders per 10 s per account; Upbit: 8 order requests per second.
  binance: { processMs: 0.5, burst: 50, perSecond: 5, rttMs: 30 },
  upbit: { processMs: 0.5, burst: 8, perSecond: 8, rttMs: 20 },
};

/** A venue's order rate limit in event time. */
class TokenBucket {
  private tokens: number;
  private at = -Infinity;

  constructor(private readonly l: VenueLatency) {
    this.tokens = l.burst;
  }

  /** When an order ready at `t` can leave. */
  sendTime(t: number): number {
    const avail = Math.min(this.l.burst, this.tokens + ((t - this.at) * this.l.perSecond) / 1000);
    return avail >= 1 ? t : t + ((1 - avail) * 1000) / this.l.perSecond;
  }

  /** Takes a token at `sent` (a time from `sendTime`). */
  take(sent: number): void {
    this.tokens = Math.min(this.l.burst, this.tokens + ((sent - this.at) * this.l.perSecond) / 1000) - 1;
    this.at = sent;
  }
}

/** Longest a leg may wait for its venue's rate limit before the opportunity is given up (ms). */
const MAX_QUEUE_MS = 50;

class LegsStub implements Inventory {
  readonly balances = new Map<string, Atto>();
  private readonly buckets = new Map<VenueId, TokenBucket>();
  private readonly busyUntil = new Map<string, number>();
  readonly latencies: number[] = [];
  sent = 0;
  busy = 0;
  rateLimited = 0;

  constructor(init: Record<string, string>) {
    for (const [k, v] of Object.entries(init)) this.balances.set(k, parseAtto(v));
  }

  free(venue: VenueId, asset: Asset): Atto {
    return this.balances.get(`${venue}:${asset}`) ?? 0n;
  }

  take(o: Opportunity): void {
    const pair = o.buyVenue < o.sellVenue ? `${o.buyVenue}|${o.sellVenue}` : `${o.sellVenue}|${o.buyVenue}`;
    if ((this.busyUntil.get(pair) ?? -Infinity) > o.ts) {
      this.busy++;
      return;
    }
    // Both legs go out concurrently (RELIABILITY rule 10), each when its venue's rate limit allows; if
    // either would wait longer than MAX_QUEUE_MS the books will have moved: neither leg is sent.
    const bucket = (venue: VenueId): TokenBucket => {
      let b = this.buckets.get(venue);
      if (!b) this.buckets.set(venue, (b = new TokenBucket(LATENCY[venue]!)));
      return b;
    };
    const sb = bucket(o.buyVenue).sendTime(o.ts + LATENCY[o.buyVenue]!.processMs);
    const ss = bucket(o.sellVenue).sendTime(o.ts + LATENCY[o.sellVenue]!.processMs);
    if (Math.max(sb, ss) - o.ts > MAX_QUEUE_MS) {
      this.rateLimited++;
      return;
    }
    bucket(o.buyVenue).take(sb);
    bucket(o.sellVenue).take(ss);
    this.latencies.push(Math.max(sb, ss) - o.ts);
    this.busyUntil.set(pair, Math.max(sb + LATENCY[o.buyVenue]!.rttMs, ss + LATENCY[o.sellVenue]!.rttMs));
    this.sent++;
    // Expected fills move the inventory (no transfers): the next opportunities see it.
    const [base, buyQuote] = o.buySymbol.split('/') as [string, string];
    const sellQuote = o.sellSymbol.split('/')[1]!;
    const buyCost = o.expectedBuyPrice * o.size;
    const sellProceeds = o.expectedSellPrice * o.size;
    this.add(o.buyVenue, buyQuote, -buyCost * (1 + o.buyFee));
    this.add(o.buyVenue, base, o.size);
    this.add(o.sellVenue, base, -o.size);
    this.add(o.sellVenue, sellQuote, sellProceeds * (1 - o.sellFee));
  }

  private add(venue: VenueId, asset: Asset, amount: number): void {
    const k = `${venue}:${asset}`;
    this.balances.set(k, (this.balances.get(k) ?? 0n) + toAtto(Number(amount.toPrecision(15))));
  }
}

// ---------------------------------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------------------------------

function marketsOf(): MarketDef[] {
  const cat = loadMarketCatalog();
  return [cat.get('binance')!.get('BTC/USDT')!, cat.get('upbit')!.get('BTC/KRW')!];
}

const SPECS = (files: string[]) => [
  { venue: 'binance', symbol: 'BTC/USDT', file: files[0]! },
  { venue: 'upbit', symbol: 'BTC/KRW', file: files[1]! },
  { venue: 'upbit', symbol: 'USDT/KRW', file: files[2]! },
];

async function* replay(batches: MarketColumns[]): AsyncGenerator<MarketColumns> {
  yield* batches;
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/**
 * `exec S MODE`: the same updates through a whole backtest with the arbitrage block — the simulated venues
 * (Binance 30 ms, Upbit 20 ms latency), the detector, and the real execution operator sending both
 * legs through the TradingCore. Figures from arbitrage.json: arbitrages taken and how they ended,
 * detection → both legs sent and → done in EVENT time. The executor adds no event time of its own
 * (it acts when the moment of the revealing update is complete); the venues' latency is the rest.
 * MODE `csv` | `cold` | `warm`: where the market data comes from (see the module comment); the wall
 * time runs from the start of the backtest (first file read) to its end.
 */
async function execCase(scale: number, mode: string): Promise<Record<string, unknown>> {
  if (mode !== 'csv' && mode !== 'cold' && mode !== 'warm') throw new Error(`exec mode ${mode}: expected csv, cold or warm`);
  const { files, total } = await inputs(scale);
  // cold: a fresh cache folder (every file parsed from CSV, and cached); warm: the folder cold left.
  const cacheDir = path.join(DATA_DIR, `cache-exec-${scale}`);
  if (mode === 'cold') rmSync(cacheDir, { recursive: true, force: true });
  if (mode !== 'csv') {
    // Files written moments ago are not cached (see RECENT_MTIME_MS): fresh data waits, untimed.
    const wait = Math.max(...files.map((f) => statSync(f).mtimeMs)) + RECENT_MTIME_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait + 50));
  }
  resetCacheStats();
  const scenario = path.join(DATA_DIR, `arb-exec-${scale}.json`);
  writeFileSync(
    scenario,
    JSON.stringify({
      name: 'arb-exec-bench',
      quote_currency: 'USDT',
      markets: SPECS(files),
      venues: {
        binance: { latency_ms: 30, balances: { USDT: 1_000_000, BTC: 10 } },
        upbit: { latency_ms: 20, balances: { KRW: 1_390_000_000, BTC: 10, USDT: 0 } },
      },
      fx: { KRW: 1 / 1390 },
      equity_interval_ms: 3_600_000,
      arbitrage: {
        reference_quote: 'USDT',
        pairs: [{ a: 'binance:BTC/USDT', b: 'upbit:BTC/KRW' }],
        conversions: [{ market: 'upbit:USDT/KRW' }],
        threshold_bps: 10,
        size: 0.05,
        max_book_age_ms: 5_000,
        max_rate_age_ms: 60_000,
        max_notional: 20_000,
        premium_interval_ms: 60_000,
      },
    }),
  );
  const isVenue = (v: string) => v === 'binance' || v === 'upbit';
  const plan = planFromInputs(scenario, {}, { cwd: DATA_DIR, isVenue });
  const stats = new FillStatsAccumulator();
  let report: ArbitrageReport | undefined;
  const t0 = performance.now();
  const result = await runBacktest(plan, {
    isVenue,
    recorder: { fill: (r) => stats.add(r), order: () => {}, get stats() { return stats.snapshot(); } },
    onArbitrage: (r) => (report = r),
    ...(mode === 'csv' ? {} : { cache: { dir: cacheDir, onNote: (m: string) => process.stderr.write(`warning: ${m}\n`) } }),
  });
  const wall = (performance.now() - t0) / 1000;
  const cache = cacheStats();
  if (mode === 'warm' && cache.hits !== SPECS(files).length) {
    throw new Error(`exec warm: ${cache.hits} of ${SPECS(files).length} files came from the cache (run \`exec ${scale} cold\` first)`);
  }
  const a = report!;
  const sent = a.trades.map((t) => Date.parse(t.started) - Date.parse(t.detected));
  const done = a.trades.filter((t) => t.done).map((t) => Date.parse(t.done!) - Date.parse(t.detected));
  const skipped: Record<string, number> = {};
  for (const [k, v] of Object.entries(a.opportunities.fromDetector.skipped)) skipped[`skip_${k}`] = v;
  const label = { csv: 'CSV, no cache', cold: 'CSV parsed + cache written', warm: 'from the cache' }[mode];
  return {
    case: `arb exec (${label})`,
    scale: String(scale),
    events: result.eventsProcessed,
    updates: total,
    wall_s: wall,
    updates_per_s: total / wall,
    cache_hits: cache.hits,
    cache_written: cache.written,
    candidates: a.opportunities.fromDetector.seen,
    arbitrages: a.trades.length,
    ...Object.fromEntries(Object.entries(a.outcomes).map(([k, v]) => [`outcome_${k}`, v])),
    ...skipped,
    pnl_usdt: Math.round(a.pnl.total),
    detect_to_legs_sent_p50_ms: quantile(sent, 0.5),
    detect_to_legs_sent_max_ms: quantile(sent, 1),
    detect_to_done_p50_ms: quantile(done, 0.5),
    detect_to_done_p99_ms: quantile(done, 0.99),
    target: total / wall >= 1_000_000 ? 'met (>= 1M/s)' : 'NOT met (< 1M/s)',
  };
}

async function main(): Promise<Record<string, unknown>> {
  const scale = Number(arg);
  if (kind === 'exec') return execCase(scale, mode);
  const { files, total } = await inputs(scale);
  const specs = SPECS(files);
  const [binance, upbit] = marketsOf();
  const legs = new LegsStub({ 'binance:USDT': '1000000', 'binance:BTC': '10', 'upbit:KRW': '1390000000', 'upbit:BTC': '10' });
  const det = new ArbDetector(
    {
      pairs: [{ a: { market: binance! }, b: { market: upbit! } }],
      referenceQuote: 'USDT',
      conversions: [{ kind: 'book', venue: 'upbit', symbol: 'USDT/KRW' }],
      thresholdBps: 10,
      size: 0.05,
      maxBookAgeMs: 5_000,
      maxRateAgeMs: 60_000,
      risk: { maxNotional: 20_000 },
    },
    legs,
    (o) => legs.take(o),
  );
  const ids = specs.map((s) => det.bookId(s.venue, s.symbol)!);
  const visit = (c: MarketColumns, i: number, source: number): void => {
    const f = c.flags[i]!;
    det.onLevel(ids[source]!, c.ts[i]!, (f & LEVEL_ASK) !== 0, c.a[i]!, c.b[i]!, (f & LEVEL_RESET) !== 0);
  };
  let sources: AsyncIterable<MarketColumns>[];
  let caseName: string;
  let t0: number;
  if (kind === 'e2e') {
    caseName = 'arb end-to-end (CSV)';
    t0 = performance.now();
    sources = specs.map((s) => marketColumnsInWorker(s));
  } else if (kind === 'detector') {
    caseName = 'arb detector only';
    // Parse first, untimed: the batches exactly as the workers hand them over.
    const held: MarketColumns[][] = [];
    for (const s of specs) {
      const bs: MarketColumns[] = [];
      for await (const b of marketColumnsInWorker(s)) bs.push(b);
      held.push(bs);
    }
    t0 = performance.now();
    sources = held.map(replay);
  } else throw new Error(`unknown arb case ${kind}`);
  let lastTs = 0;
  await forEachByTime(sources, (c, i, source) => {
    visit(c, i, source);
    lastTs = c.ts[i]!;
  });
  det.finish(lastTs);
  const wall = (performance.now() - t0) / 1000;
  const updates = det.counts.updates;
  if (updates !== total) throw new Error(`expected ${total} updates, the detector saw ${updates}`);
  const skips: Record<string, number> = {};
  for (const r of SkipReasons) if (det.skips[r] > 0) skips[`skip_${r}`] = det.skips[r];
  const series = det.premium[0]!;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < series.length; i++) {
    lo = Math.min(lo, series.bpsAt(i));
    hi = Math.max(hi, series.bpsAt(i));
  }
  return {
    case: caseName,
    scale: String(scale),
    updates,
    wall_s: wall,
    updates_per_s: updates / wall,
    wall_ns_per_update: Math.round((wall * 1e9) / updates),
    evaluations: det.counts.evaluations,
    opportunities: det.counts.opportunities,
    legs_sent: legs.sent,
    busy_skips: legs.busy,
    rate_limited_skips: legs.rateLimited,
    ...skips,
    premium_samples: series.length,
    premium_min_bps: Math.round(lo),
    premium_max_bps: Math.round(hi),
    legs_queued_pct: Math.round((100 * legs.latencies.filter((l) => l > 0.5).length) / Math.max(1, legs.latencies.length)),
    detect_to_legs_sent_p50_ms: quantile(legs.latencies, 0.5),
    detect_to_legs_sent_p99_ms: quantile(legs.latencies, 0.99),
    detect_to_legs_sent_max_ms: quantile(legs.latencies, 1),
    target: updates / wall >= 1_000_000 ? 'met (>= 1M/s)' : 'NOT met (< 1M/s)',
  };
}

const fig = await main();
fig.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify(fig)}\n`);
