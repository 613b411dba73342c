import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { computeBreakdowns } from '../../src/reports/breakdowns.ts';
import { fillStatsOf } from '../../src/reports/fill-stats.ts';
import { HAND_FILLS } from './fixtures.ts';

describe('loading danfojs for the breakdowns', () => {
  it('when breakdowns are computed then the dependencies danfojs never uses for them are not loaded', async () => {
    const b = await computeBreakdowns(fillStatsOf(HAND_FILLS));
    expect(Object.keys(b.perVenue).length).toBeGreaterThan(0);
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.some((f) => f.includes('/node_modules/danfojs/')), 'danfojs itself is loaded').toBe(true);
    for (const dep of ['mathjs', 'xlsx', 'plotly.js-dist-min']) {
      expect(loaded.some((f) => f.includes(`/node_modules/${dep}/`)), dep).toBe(false);
    }
  });
});
