/**
 * The report writers that lay bytes out directly (no row strings) must write exactly what the string
 * functions they replace write: formatAtto, csvField, isoTime, String(roundSignificant(x)), the row
 * functions, and writeEquityCsv for a streamed equity.csv.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatAtto } from '../../src/domain/money.ts';
import type { EquitySeries } from '../../src/domain/run-result.ts';
import { ChunkedFile, csvField } from '../../src/reports/csv-file.ts';
import { orderRow, tradeRow, writeEquityCsv, writeOrderRow, writeTradeRow } from '../../src/reports/csv-writers.ts';
import { isoTime, isoTimeInto } from '../../src/reports/iso-time.ts';
import { medianSpacingMs, periodReturns, meanStd, sharpe, sortino, YEAR_MS } from '../../src/reports/metrics.ts';
import { RunRecorder } from '../../src/reports/run-recorder.ts';
import { roundSignificant, significantText } from '../../src/reports/stable-json.ts';
import { HAND_FILLS, HAND_ORDERS, handRun, largeEquity, makeFill, makeOrder, recordsRun, series } from './fixtures.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tf-fast-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
/** What `write` puts in a ChunkedFile with `chunkBytes`, read back. */
async function written(write: (f: ChunkedFile) => void, chunkBytes?: number): Promise<string> {
  const path = join(dir, `f${n++}.txt`);
  const f = new ChunkedFile(path, { fsync: false, chunkBytes });
  write(f);
  f.close();
  return readFile(path, 'utf8');
}

const anyDouble = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: -1e13, max: 1e13, noNaN: true }),
  fc.integer({ min: -1e9, max: 1e9 }).map((i) => i / 1000),
  fc.constantFrom(0, -0, 0.1, 1e21, 1e-7, 1e-6, 5e-324, 123456789012.5, 9.9999999999995e-7),
);

describe('significantText', () => {
  it('equals String(roundSignificant(x)) for any double', () => {
    fc.assert(fc.property(anyDouble, (x) => significantText(x) === String(roundSignificant(x))), { numRuns: 20_000 });
  });
});

describe('isoTimeInto', () => {
  it('writes isoTime for any time, in any order, including runs inside one day and one second', () => {
    const base = Date.UTC(2024, 0, 1);
    const times = fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: 0, max: 3 * 86_400_000 }).map((d) => base + d));
    fc.assert(
      fc.property(fc.array(times, { maxLength: 30 }), (xs) => {
        const buf = new Uint8Array(32);
        for (const ts of [...xs, ...xs.map((t) => t + 1)]) {
          const end = isoTimeInto(buf, 0, ts, 'ts');
          expect(Buffer.from(buf.subarray(0, end)).toString('latin1')).toBe(isoTime(ts, 'ts'));
        }
      }),
    );
  });
});

describe('ChunkedFile as a row sink', () => {
  const atto = fc.oneof(
    fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
    fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
    fc.constantFrom(0n, 1n, -1n, 10n ** 18n, 5n * 10n ** 17n, 10n ** 45n),
  );
  const text = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('a,b', 'say "hi"', 'two\nlines', 'cr\r', '주문-1', '🚀', 'x'.repeat(70)));

  for (const chunkBytes of [undefined, 100, 7]) {
    it(`writes exactly formatAtto, csvField, isoTime and String(roundSignificant) (chunk ${chunkBytes ?? 'default'})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(atto, text, fc.integer({ min: 0, max: 4e12 }), anyDouble), { maxLength: 20 }), async (rows) => {
          let expected = '';
          const got = await written((f) => {
            for (const [a, s, ts, x] of rows) {
              f.atto(a);
              f.comma();
              f.field(s);
              f.comma();
              f.time(ts, 'ts');
              f.comma();
              f.significant(x);
              f.text('\n');
              expected += `${formatAtto(a)},${csvField(s)},${isoTime(ts, 'ts')},${String(roundSignificant(x))}\n`;
            }
          }, chunkBytes);
          expect(got).toBe(expected);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('writes trade and order rows exactly as tradeRow and orderRow build them', async () => {
    const fills = [
      ...HAND_FILLS,
      makeFill({ price: 0.1, quantity: 3, clientId: 'a,b', exchangeId: 'say "hi"', tradeId: 'two\nlines', signalId: 'sig\r\n1' }),
      makeFill({ venue: 'upbit', symbol: 'BTC/KRW', price: 55_000_000, quantity: 1e-8, feeAsset: 'KRW', clientId: '주문-1', tradeId: '🚀', realizedPnl: -1n, positionAfter: -(10n ** 30n) }),
    ];
    const orders = [...HAND_ORDERS, makeOrder({ clientId: 'a,"b"', reason: 'MIN_NOTIONAL: below, the minimum', fees: -(10n ** 17n) })];
    for (const chunkBytes of [undefined, 50]) {
      const got = await written((f) => {
        for (const x of fills) writeTradeRow(f, x);
        for (const o of orders) writeOrderRow(f, o);
      }, chunkBytes);
      expect(got).toBe(fills.map(tradeRow).join('') + orders.map(orderRow).join(''));
    }
  });

  it('when a row has a time that is not a date then it throws naming the field and writes none of the row', async () => {
    const path = join(dir, 'bad.csv');
    const f = new ChunkedFile(path, { fsync: false });
    expect(() => writeOrderRow(f, makeOrder({ updatedTs: Number.NaN }))).toThrow('order.updatedTs');
    expect(() => writeTradeRow(f, makeFill({ price: 1, quantity: 1, ts: Number.NaN }))).toThrow('fill.ts');
    f.close();
    expect(await readFile(path, 'utf8')).toBe('');
  });
});

describe('equity.csv streamed by the recorder', () => {
  async function streamed(points: EquitySeries, result: EquitySeries): Promise<{ streamed: string; whole: string }> {
    const out = join(dir, `run${n++}`);
    const rec = await RunRecorder.open(out, { fsync: false, chunkBytes: 64 });
    for (let i = 0; i < points.ts.length; i++) rec.equity(points.ts[i]!, points.equity[i]!);
    const { orderCounts } = recordsRun([], []);
    await rec.publish(handRun({ equity: result, finalEquity: result.equity[result.equity.length - 1] ?? 0, fillStats: rec.stats, orderCounts }), {
      startedAt: '',
      finishedAt: '',
      wallMs: 0,
      host: '',
      node: '',
      tradeflowVersion: '',
      argv: [],
    });
    const wholePath = join(dir, `whole${n++}.csv`);
    writeEquityCsv(wholePath, result, { fsync: false });
    return { streamed: await readFile(join(out, 'equity.csv'), 'utf8'), whole: await readFile(wholePath, 'utf8') };
  }

  it('when every point is streamed then equity.csv is byte for byte what writeEquityCsv writes', async () => {
    const s = largeEquity(5_000);
    const { streamed: a, whole } = await streamed(s, s);
    expect(a).toBe(whole);
  });

  it('when the final sample replaced the last point streamed then the file ends with the replacement', async () => {
    const s = series([100, 110, 90, 95]);
    const replaced: EquitySeries = { ts: s.ts, equity: [100, 110, 90, 97] };
    const { streamed: a, whole } = await streamed(s, replaced);
    expect(a).toBe(whole);
    expect(a.trim().split('\n').pop()).toMatch(/,97,/);
  });

  it('when the result does not continue what was streamed then the file is written from the result', async () => {
    const s = series([100, 110, 90, 95]);
    const other = series([100, 105]);
    const { streamed: a, whole } = await streamed(s, other);
    expect(a).toBe(whole);
  });

  it('when nothing was streamed then publish writes the file from the result', async () => {
    const s = series([100, 120, 90]);
    const { streamed: a, whole } = await streamed({ ts: [], equity: [] }, s);
    expect(a).toBe(whole);
  });

  it('when a streamed point is not finite then publish fails as writeEquityCsv does', async () => {
    const s = series([100, Number.NaN, 90, 95]);
    await expect(streamed(s, s)).rejects.toThrow('equity[1] is NaN');
  });
});

describe('metrics computed without building arrays', () => {
  /** The reference definitions, as plain passes over arrays. */
  function refMedian(ts: readonly number[]): number | null {
    const gaps: number[] = [];
    for (let i = 1; i < ts.length; i++) if (ts[i]! - ts[i - 1]! > 0) gaps.push(ts[i]! - ts[i - 1]!);
    if (gaps.length === 0) return null;
    const s = Float64Array.from(gaps).sort();
    const m = s.length >> 1;
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  }
  function refSharpe(s: EquitySeries): number | null {
    const r = periodReturns(s.equity);
    const med = refMedian(s.ts);
    if (r.length < 2 || med === null) return null;
    const { mean, std } = meanStd(r);
    if (!(std > 1e-14 * Math.max(1, Math.abs(mean)))) return null;
    const x = (mean / std) * Math.sqrt(YEAR_MS / med);
    return Number.isFinite(x) ? x : null;
  }
  function refSortino(s: EquitySeries): number | null {
    const r = periodReturns(s.equity);
    const med = refMedian(s.ts);
    if (r.length < 2 || med === null) return null;
    let sq = 0;
    for (const x of r) if (x < 0) sq += x * x;
    const down = Math.sqrt(sq / r.length);
    const { mean } = meanStd(r);
    if (!(down > 1e-14 * Math.max(1, Math.abs(mean)))) return null;
    const x = (mean / down) * Math.sqrt(YEAR_MS / med);
    return Number.isFinite(x) ? x : null;
  }

  it('gives the same median spacing, Sharpe and Sortino as the array definitions, bit for bit', () => {
    const seriesArb = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 5 }).map((k) => [0, 1, 60_000, 60_000, 120_000, 7][k]!), fc.double({ min: -50, max: 200, noNaN: true })), { maxLength: 60 })
      .map((steps) => {
        const ts: number[] = [];
        const equity: number[] = [];
        let t = 1_700_000_000_000;
        for (const [dt, e] of steps) {
          t += dt;
          ts.push(t);
          equity.push(e);
        }
        return { ts, equity };
      });
    fc.assert(
      fc.property(seriesArb, (s) => {
        expect(medianSpacingMs(s.ts)).toBe(refMedian(s.ts));
        expect(sharpe(s)).toBe(refSharpe(s));
        expect(sortino(s)).toBe(refSortino(s));
      }),
      { numRuns: 500 },
    );
  });

  it('when a series has many distinct gaps then the median is still exact', () => {
    const ts = Array.from({ length: 5_000 }, (_, i) => i * i + (i % 7));
    expect(medianSpacingMs(ts)).toBe(refMedian(ts));
  });
});
