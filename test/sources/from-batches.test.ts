import { firstValueFrom, map, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromBatches } from '../../src/sources/from-batches.ts';
import { countingSource } from './helpers.ts';

describe('fromBatches', () => {
  it('when batches are emitted then every record arrives in order and the stream completes', async () => {
    const { source } = countingSource([[1, 2], [3], [], [4, 5]]);
    expect(await firstValueFrom(fromBatches(source).pipe(toArray()))).toEqual([1, 2, 3, 4, 5]);
  });

  it('when a batch is emitted then its records come synchronously, before the next pull', async () => {
    const c = countingSource([[1, 2, 3], [4, 5]]);
    const seen: Array<[number, number]> = [];
    await firstValueFrom(fromBatches(c.source).pipe(map((v) => seen.push([v, c.pulls()])), toArray()));
    expect(seen).toEqual([[1, 1], [2, 1], [3, 1], [4, 2], [5, 2]]);
  });

  it('when the subscriber unsubscribes early then no further batch is pulled and the source is closed', async () => {
    const c = countingSource([[1, 2], [3, 4], [5, 6], [7, 8]]);
    expect(await firstValueFrom(fromBatches(c.source).pipe(take(3), toArray()))).toEqual([1, 2, 3]);
    // Let any stray pull happen before counting.
    await new Promise((r) => setTimeout(r, 20));
    expect(c.pulls()).toBe(2);
    expect(c.closed()).toBe(true);
  });

  it('when unsubscribed while a pull is pending then nothing more is emitted', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let pulls = 0;
    async function* slow(): AsyncGenerator<number[]> {
      pulls++;
      yield [1];
      pulls++;
      await gate;
      yield [2];
      pulls++;
      yield [3];
    }
    const got: number[] = [];
    const sub = fromBatches(slow()).subscribe((v) => got.push(v));
    await new Promise((r) => setTimeout(r, 10));
    sub.unsubscribe();
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([1]);
    expect(pulls).toBe(2);
  });

  it('when the source throws then the error reaches the subscriber as an Observable error', async () => {
    async function* failing(): AsyncGenerator<number[]> {
      yield [1];
      throw new Error('bad row 7');
    }
    const got: number[] = [];
    const err = await new Promise<unknown>((resolve) => fromBatches(failing()).subscribe({ next: (v) => got.push(v), error: resolve }));
    expect(got).toEqual([1]);
    expect((err as Error).message).toBe('bad row 7');
  });
});
