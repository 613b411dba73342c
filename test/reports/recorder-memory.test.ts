/**
 * The point of the recorder: memory does not grow with the number of fills and orders.
 *
 * Measured with a forced GC before and after, because heapUsed without one mostly measures garbage
 * not yet collected (it swings by 30–90 MB over this run even when nothing is retained). Measured on
 * the dev machine: +0.0 MB over 200k fills + 200k orders, while a recorder that kept each FillRecord
 * grew by 75 MB and one that kept each row string by 240 MB. The 20 MB bound sits well between.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../src/domain/run-result.ts';
import { RunRecorder } from '../../src/reports/run-recorder.ts';
import { genFills, genOrders, handRun, recordsRun } from './fixtures.ts';

const N = 200_000;
const MAX_GROWTH_MB = 20;

/** `global.gc` without restarting the worker with --expose-gc. */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tf-recorder-mem-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('RunRecorder memory', () => {
  it(`recording ${N / 1000}k fills and ${N / 1000}k orders grows the heap by less than ${MAX_GROWTH_MB} MB`, async () => {
    const gc = exposeGc();
    const out = join(root, 'run');
    const rec = await RunRecorder.open(out, { fsync: false });
    // Warm up first, so code and the per-market state are in the baseline rather than the growth.
    for (const f of genFills(5_000, 9)) rec.fill(f);
    for (const o of genOrders(5_000)) rec.order(o);
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (const f of genFills(N, 1)) rec.fill(f); // generated one at a time: the test holds none
    for (const o of genOrders(N)) rec.order(o);
    gc();
    gc();
    const growthMb = (process.memoryUsage().heapUsed - before) / 1e6;
    expect(growthMb, `heap grew by ${growthMb.toFixed(1)} MB`).toBeLessThan(MAX_GROWTH_MB);

    const stats = rec.stats;
    expect(stats.count).toBe(N + 5_000);
    const orderCounts = recordsRun([], [...genOrders(5_000), ...genOrders(N)]).orderCounts;
    const info: RunInfo = { startedAt: '', finishedAt: '', wallMs: 0, host: 'h', node: process.version, tradeflowVersion: '0', argv: [] };
    await rec.publish(handRun({ fillStats: stats, orderCounts }), info);
    const lines = (await readFile(join(out, 'trades.csv'), 'utf8')).split('\n').length;
    expect(lines, 'header + every fill + final newline').toBe(N + 5_000 + 2);
  });
});
