import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromArray } from '../../src/sources/event-source.ts';
import { mergeByTime } from '../../src/sources/merge-by-time.ts';
import { countingSource, drain } from './helpers.ts';

interface Ev {
  ts: number;
  src: number;
  seq: number;
}
const evs = (src: number, ...ts: number[]): Ev[] => ts.map((t, seq) => ({ ts: t, src, seq }));
const tag = (e: Ev) => `${e.ts}:${e.src}.${e.seq}`;

/** Reference: stable sort by (ts, source index), keeping each source's own order. */
function reference(sources: Ev[][]): string[] {
  return sources.flat().sort((a, b) => a.ts - b.ts || a.src - b.src || a.seq - b.seq).map(tag);
}

describe('mergeByTime', () => {
  it('when timestamps tie then the lower source index comes first and each source keeps its order', async () => {
    const s0 = evs(0, 1, 1, 2, 3);
    const s1 = evs(1, 1, 2, 2, 5);
    const out = await drain(mergeByTime([fromArray(s0), fromArray(s1)]));
    expect(out.map(tag)).toEqual(['1:0.0', '1:0.1', '1:1.0', '2:0.2', '2:1.1', '2:1.2', '3:0.3', '5:1.3']);
    // Swapping the sources swaps who wins the ties.
    const swapped = await drain(mergeByTime([fromArray(s1), fromArray(s0)]));
    expect(swapped.map(tag)).toEqual(['1:1.0', '1:0.0', '1:0.1', '2:1.1', '2:1.2', '2:0.2', '3:0.3', '5:1.3']);
  });

  it('when sources are uneven, empty or have empty batches then all events come out in order', async () => {
    const a = evs(0, 1, 10, 20, 30, 40, 50);
    const b = evs(1, 5);
    const empty: AsyncIterable<Ev[]> = fromArray<Ev>([]);
    async function* gappy(): AsyncGenerator<Ev[]> {
      yield [];
      yield evs(3, 2, 3);
      yield [];
      yield [{ ts: 60, src: 3, seq: 2 }];
    }
    const out = await drain(mergeByTime([fromArray(a, 2), fromArray(b), empty, gappy()]));
    expect(out.map(tag)).toEqual(reference([a, b, [], [...evs(3, 2, 3), { ts: 60, src: 3, seq: 2 }]]));
  });

  it('when there are no sources or only empty ones then nothing is emitted', async () => {
    expect(await drain(mergeByTime([]))).toEqual([]);
    expect(await drain(mergeByTime([fromArray([]), fromArray([])]))).toEqual([]);
  });

  it('when any number of sources and batchings are merged then the result equals the stable sort', async () => {
    const source = fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 40 }).map((ts) => ts.sort((x, y) => x - y));
    await fc.assert(
      fc.asyncProperty(fc.array(source, { maxLength: 9 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 9 }), async (tss, batch, maxBatch) => {
        const sources = tss.map((ts, i) => evs(i, ...ts));
        const batches: Ev[][] = [];
        for await (const b of mergeByTime(sources.map((s) => fromArray(s, batch)), { maxBatch })) batches.push(b);
        expect(batches.flat().map(tag)).toEqual(reference(sources));
        expect(batches.every((b) => b.length >= 1 && b.length <= maxBatch)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('when the first output batch is taken then each source has been pulled once, not read ahead', async () => {
    const a = countingSource([evs(0, 1, 2), evs(0, 3, 4), evs(0, 5)]);
    const b = countingSource([evs(1, 1, 9), evs(1, 10)]);
    const it = mergeByTime([a.source, b.source])[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value?.map(tag)).toEqual(['1:0.0', '1:1.0', '2:0.1']);
    expect([a.pulls(), b.pulls()]).toEqual([1, 1]);
    await it.return?.();
  });

  it('when the consumer stops early then every source is closed', async () => {
    const srcs = [0, 1, 2, 3, 4, 5].map((i) => countingSource([evs(i, 1, 2), evs(i, 3, 4)]));
    for await (const batch of mergeByTime(srcs.map((s) => s.source), { maxBatch: 2 })) {
      expect(batch).toHaveLength(2);
      break;
    }
    expect(srcs.map((s) => s.closed())).toEqual([true, true, true, true, true, true]);
  });

  it('when one source fails then the merge fails with its error and the others are closed', async () => {
    const ok = countingSource([evs(0, 1), evs(0, 2), evs(0, 3)]);
    async function* failing(): AsyncGenerator<Ev[]> {
      yield evs(1, 1);
      throw new Error('disk on fire');
    }
    await expect(drain(mergeByTime([ok.source, failing()]))).rejects.toThrow('disk on fire');
    expect(ok.closed()).toBe(true);
  });
});
