import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinMaxDownsampler, compareRounded, type SampledSeries } from '../../../src/reports/html/downsample.ts';
import { drawdownFrom } from '../../../src/reports/metrics.ts';
import { roundSignificant } from '../../../src/reports/stable-json.ts';
import { MINUTE, T0, prng } from '../fixtures.ts';

function sample(values: readonly number[], maxPoints: number, step = MINUTE): SampledSeries {
  const d = new MinMaxDownsampler(maxPoints);
  values.forEach((v, i) => d.push(T0 + i * step, v));
  return d.result();
}

function randomWalk(n: number, seed: number, start = 10_000): number[] {
  const r = prng(seed);
  const out: number[] = [];
  let x = start;
  for (let i = 0; i < n; i++) {
    x *= 1 + (r() - 0.5) * 0.01;
    out.push(x);
  }
  return out;
}

/** Index of the first extreme, as the downsampler breaks ties (the earliest). */
function argExtreme(values: readonly number[], better: (a: number, b: number) => boolean): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (better(values[i]!, values[best]!)) best = i;
  return best;
}

describe('MinMaxDownsampler', () => {
  it('when_empty_then_no_points', () => {
    expect(sample([], 100)).toEqual({ t: [], v: [], total: 0 });
  });

  it('when_a_single_point_then_it_is_kept', () => {
    expect(sample([5], 100)).toEqual({ t: [T0], v: [5], total: 1 });
  });

  it('when_fewer_points_than_the_limit_then_all_are_kept_as_they_are', () => {
    const values = [3, 1, 4, 1.5, 9, 2, 6];
    const s = sample(values, 100);
    expect(s.v, 'every point, in order').toEqual(values);
    expect(s.t).toEqual(values.map((_, i) => T0 + i * MINUTE));
  });

  it('when_a_million_points_then_at_most_N_come_out_with_the_extremes_first_and_last', () => {
    const values = randomWalk(1_000_000, 7);
    const s = sample(values, 5000);
    expect(s.total).toBe(1_000_000);
    expect(s.t.length, 'at most maxPoints').toBeLessThanOrEqual(5000);
    // The bucket size doubles as the series grows, so between half and all of the budget is used.
    expect(s.t.length, 'uses at least half the budget').toBeGreaterThan(2500);
    for (let i = 1; i < s.t.length; i++) expect(s.t[i]! > s.t[i - 1]!, `times strictly ascending at ${i}`).toBe(true);
    const hi = argExtreme(values, (a, b) => a > b);
    const lo = argExtreme(values, (a, b) => a < b);
    expect(s.t, 'the highest point is kept at its time').toContain(T0 + hi * MINUTE);
    expect(s.t, 'the lowest point is kept at its time').toContain(T0 + lo * MINUTE);
    expect(Math.max(...s.v)).toBe(roundSignificant(values[hi]!));
    expect(Math.min(...s.v)).toBe(roundSignificant(values[lo]!));
    expect(s.t[0]).toBe(T0);
    expect(s.v[0]).toBe(roundSignificant(values[0]!));
    expect(s.t[s.t.length - 1]).toBe(T0 + (values.length - 1) * MINUTE);
    expect(s.v[s.v.length - 1]).toBe(roundSignificant(values[values.length - 1]!));
  });

  it('when_the_equity_has_a_deep_drawdown_then_its_deepest_point_survives_in_both_curves', () => {
    const values = randomWalk(300_000, 3);
    // A sharp dip of a few minutes, far narrower than a bucket (300k / ~2.5k buckets ≈ 120 points).
    for (let i = 0; i < 5; i++) values[150_001 + i] = values[150_000]! * (0.6 + i * 0.01);
    let peak = -Infinity;
    const dd = values.map((e) => drawdownFrom((peak = Math.max(peak, e)), e));
    const deepest = argExtreme(dd, (a, b) => a > b);
    expect(deepest, 'the dip is the deepest drawdown').toBe(150_001);
    const ddSampled = sample(dd, 5000);
    const eqSampled = sample(values, 5000);
    const at = ddSampled.t.indexOf(T0 + deepest * MINUTE);
    expect(at, 'the deepest drawdown is a point of the drawdown chart').toBeGreaterThanOrEqual(0);
    expect(ddSampled.v[at]).toBe(roundSignificant(dd[deepest]!));
    expect(eqSampled.t, 'and the trough is a point of the equity chart').toContain(T0 + deepest * MINUTE);
  });

  it('when_streamed_then_the_result_equals_fixed_buckets_of_the_final_size', () => {
    // Reference: knowing the length in advance, buckets of the size the stream ends with.
    const values = randomWalk(12_345, 11);
    const maxPoints = 100;
    const s = sample(values, maxPoints);
    const cap = Math.floor((maxPoints - 2) / 4) * 2;
    let size = 1;
    while (Math.ceil(values.length / size) > cap) size *= 2;
    const keep = new Set<number>([0, values.length - 1]);
    for (let start = 0; start < values.length; start += size) {
      const chunk = values.slice(start, start + size);
      keep.add(start + argExtreme(chunk, (a, b) => a < b));
      keep.add(start + argExtreme(chunk, (a, b) => a > b));
    }
    const idx = [...keep].sort((a, b) => a - b);
    expect(s.t).toEqual(idx.map((i) => T0 + i * MINUTE));
    expect(s.v).toEqual(idx.map((i) => roundSignificant(values[i]!)));
  });

  it('when_values_carry_float_noise_then_memory_and_the_rounded_file_values_give_the_same_points', () => {
    // What the recorder holds (noisy doubles) and what equity.csv holds (12 significant digits) must
    // draw the same chart: the page from memory and the page rebuilt from the files are byte-identical.
    const r = prng(5);
    const raw: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      const flat = 10_000 + Math.floor(i / 700) * 0.25;
      raw.push(r() < 0.5 ? flat : flat + (r() - 0.5) * 1e-9); // ties after rounding, not before
    }
    const fromMemory = sample(raw, 500);
    const fromFile = sample(raw.map((x) => roundSignificant(x)), 500);
    expect(fromMemory).toEqual(fromFile);
  });

  it('when_points_share_a_time_then_only_the_later_is_kept', () => {
    const d = new MinMaxDownsampler(100);
    d.push(T0, 1);
    d.push(T0 + 1, 2);
    d.push(T0 + 1, 3);
    d.push(T0 + 2, 4);
    expect(d.result()).toEqual({ t: [T0, T0 + 1, T0 + 2], v: [1, 3, 4], total: 4 });
  });

  it('for_any_series_at_most_N_points_subset_of_the_input_extremes_kept', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 3000 }), fc.integer({ min: 6, max: 300 }), (values, maxPoints) => {
        const s = sample(values, maxPoints, 1);
        expect(s.t.length).toBeLessThanOrEqual(maxPoints);
        if (values.length === 0) return;
        for (let i = 0; i < s.t.length; i++) {
          const index = s.t[i]! - T0;
          expect(s.v[i]).toBe(roundSignificant(values[index]!));
          if (i > 0) expect(s.t[i]! > s.t[i - 1]!).toBe(true);
        }
        const rounded = values.map((v) => roundSignificant(v));
        expect(s.v).toContain(Math.max(...rounded));
        expect(s.v).toContain(Math.min(...rounded));
      }),
      { numRuns: 200, seed: 42 },
    );
  });
});

describe('compareRounded', () => {
  it('orders values as their 12-significant-digit roundings do', () => {
    expect(compareRounded(1, 2)).toBeLessThan(0);
    expect(compareRounded(2, 1)).toBeGreaterThan(0);
    expect(compareRounded(10_000, 10_000 + 1e-9)).toBe(0);
    expect(compareRounded(0, 0)).toBe(0);
    expect(compareRounded(-5, 5)).toBeLessThan(0);
  });
});
