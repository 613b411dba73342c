import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromArray } from '../../src/sources/event-source.ts';
import { mergeByTime } from '../../src/sources/merge-by-time.ts';
import { asColumns, forEachByTime, type EventColumns } from '../../src/sources/merge-columns.ts';
import { drain } from './helpers.ts';

interface Ev {
  ts: number;
  src: number;
  seq: number;
}
const tag = (e: Ev) => `${e.ts}:${e.src}.${e.seq}`;

async function visitAll(sources: Ev[][], batch: number): Promise<string[]> {
  const out: string[] = [];
  await forEachByTime(
    sources.map((s) => asColumns(fromArray(s, batch))),
    (b, i, source) => {
      const ev = (b as EventColumns<Ev>).events[i]!;
      expect(ev.src).toBe(source);
      expect(b.ts[i]).toBe(ev.ts);
      out.push(tag(ev));
    },
  );
  return out;
}

const sourcesArb = fc.array(
  fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 40 }).map((ts) => ts.sort((a, b) => a - b)),
  { minLength: 1, maxLength: 6 },
);

describe('forEachByTime', () => {
  it('visits events in exactly mergeByTime order for any sources, ties and batch sizes', async () => {
    await fc.assert(
      fc.asyncProperty(sourcesArb, fc.integer({ min: 1, max: 7 }), async (times, batch) => {
        const sources = times.map((ts, src) => ts.map((t, seq) => ({ ts: t, src, seq })));
        const expected = (await drain(mergeByTime(sources.map((s) => fromArray(s, batch))))).map(tag);
        expect(await visitAll(sources, batch)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('when visit throws then the other sources are closed and the error is rethrown', async () => {
    let closed = 0;
    async function* source(ts: number[]): AsyncGenerator<EventColumns<Ev>> {
      try {
        yield* asColumns(fromArray(ts.map((t, seq) => ({ ts: t, src: 0, seq })), 1));
      } finally {
        closed++;
      }
    }
    const boom = new Error('boom');
    await expect(
      forEachByTime([source([1, 2, 3]), source([1, 5, 6])], (_b, i, src) => {
        if (src === 1 && i === 0) throw boom;
      }),
    ).rejects.toBe(boom);
    expect(closed).toBe(2);
  });

  it('when a source fails then the error is rethrown and the others are closed', async () => {
    let closed = false;
    async function* good(): AsyncGenerator<EventColumns<Ev>> {
      try {
        yield* asColumns(fromArray([{ ts: 1, src: 0, seq: 0 }, { ts: 9, src: 0, seq: 1 }], 1));
      } finally {
        closed = true;
      }
    }
    async function* bad(): AsyncGenerator<EventColumns<Ev>> {
      yield* asColumns(fromArray([{ ts: 2, src: 1, seq: 0 }], 1));
      throw new Error('bad file');
    }
    await expect(forEachByTime([good(), bad()], () => {})).rejects.toThrow('bad file');
    expect(closed).toBe(true);
  });

  it('when there are no events then it resolves without visiting', async () => {
    let n = 0;
    await forEachByTime([asColumns(fromArray<Ev>([])), asColumns(fromArray<Ev>([]))], () => n++);
    expect(n).toBe(0);
  });
});
