import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAtto } from '../../src/domain/money.ts';
import type { FillRecord, OrderRecord, RunInfo, RunResult } from '../../src/domain/run-result.ts';
import type { Liquidity, OrderStatus, OrderType, Side } from '../../src/domain/types.ts';
import { ORDER_COLUMNS, TRADE_COLUMNS } from '../../src/reports/csv-writers.ts';
import { REPORT_FILES, RunRecorder } from '../../src/reports/run-recorder.ts';
import { computeSummary, summaryJson } from '../../src/reports/summary.ts';
import { HAND_FILLS, HAND_ORDERS, genFills, genOrders, handRun, largeEquity, makeFill, makeOrder, recordsRun } from './fixtures.ts';

const info = (over: Partial<RunInfo> = {}): RunInfo => ({
  startedAt: new Date().toISOString(),
  finishedAt: new Date().toISOString(),
  wallMs: Math.round(performance.now()),
  host: 'test-host',
  node: process.version,
  tradeflowVersion: '0.1.0',
  argv: ['backtest', 'scenarios/hand.yaml'],
  ...over,
});

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tf-recorder-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const readAll = async (dir: string): Promise<Record<string, string>> =>
  Object.fromEntries(await Promise.all((await readdir(dir)).sort().map(async (f) => [f, await readFile(join(dir, f), 'utf8')])));

/** Records the fills and orders, then publishes the run `result` (aggregates of those records by default). */
async function record(
  outDir: string,
  fills: Iterable<FillRecord>,
  orders: Iterable<OrderRecord>,
  over: Partial<RunResult> = {},
  opts: { chunkBytes?: number; fsync?: boolean; info?: RunInfo } = {},
): Promise<string[]> {
  const rec = await RunRecorder.open(outDir, { fsync: opts.fsync ?? false, chunkBytes: opts.chunkBytes });
  const orderList: OrderRecord[] = [];
  for (const f of fills) rec.fill(f);
  for (const o of orders) {
    rec.order(o);
    orderList.push(o);
  }
  const { orderCounts } = recordsRun([], orderList);
  return rec.publish(handRun({ fillStats: rec.stats, orderCounts, ...over }), opts.info ?? info());
}

/** Fills whose text fields need CSV quoting, or are not ASCII. */
const AWKWARD_FILLS: FillRecord[] = [
  makeFill({ price: 0.1, quantity: 3, clientId: 'a,b', exchangeId: 'say "hi"', tradeId: 'two\nlines', signalId: 'sig\r\n1' }),
  makeFill({ venue: 'upbit', symbol: 'BTC/KRW', price: 55_000_000, quantity: 0.00000001, feeAsset: 'KRW', clientId: '주문-1', tradeId: '🚀', realizedPnl: -1n, positionAfter: -(10n ** 30n) }),
];

function fillFromRow(row: string[]): FillRecord {
  const c = Object.fromEntries(TRADE_COLUMNS.map((k, i) => [k, row[i]!])) as Record<(typeof TRADE_COLUMNS)[number], string>;
  return {
    ts: Date.parse(c.ts),
    venue: c.venue,
    symbol: c.symbol,
    clientId: c.client_id,
    exchangeId: c.exchange_id,
    tradeId: c.trade_id,
    side: c.side as Side,
    price: Number(c.price),
    quantity: Number(c.quantity),
    notional: parseAtto(c.notional),
    fee: parseAtto(c.fee),
    feeAsset: c.fee_asset,
    liquidity: c.liquidity as Liquidity,
    realizedPnl: parseAtto(c.realized_pnl),
    positionAfter: parseAtto(c.position_after),
    ...(c.signal_id === '' ? {} : { signalId: c.signal_id }),
  };
}

function orderFromRow(row: string[]): OrderRecord {
  const c = Object.fromEntries(ORDER_COLUMNS.map((k, i) => [k, row[i]!])) as Record<(typeof ORDER_COLUMNS)[number], string>;
  const opt = (s: string) => (s === '' ? undefined : s);
  return {
    clientId: c.client_id,
    exchangeId: opt(c.exchange_id),
    venue: c.venue,
    symbol: c.symbol,
    side: c.side as Side,
    type: c.type as OrderType,
    quantity: Number(c.quantity),
    price: c.price === '' ? undefined : Number(c.price),
    status: c.status as OrderStatus,
    filled: Number(c.filled),
    avgPrice: c.avg_price === '' ? undefined : Number(c.avg_price),
    fees: parseAtto(c.fees),
    createdTs: Date.parse(c.created_ts),
    updatedTs: Date.parse(c.updated_ts),
    signalId: opt(c.signal_id),
    reason: opt(c.reason),
  };
}

describe('RunRecorder', () => {
  it('publishes every report file into outDir, creating parents, and returns their paths', async () => {
    const out = join(root, 'reports', 'run-hand');
    const paths = await record(out, HAND_FILLS, HAND_ORDERS);
    expect(paths).toEqual(REPORT_FILES.map((f) => join(out, f)));
    expect((await readdir(out)).sort()).toEqual([...REPORT_FILES].sort());
    expect(await readdir(join(root, 'reports')), 'no temp or old directory left beside it').toEqual(['run-hand']);
    expect(JSON.parse(await readFile(join(out, 'run.json'), 'utf8'))).toMatchObject({ runId: 'run-hand', host: 'test-host' });
    expect(await readFile(join(out, 'summary.json'), 'utf8'), 'the summary of the recorded fills').toBe(
      summaryJson(await computeSummary(handRun())),
    );
  });

  it('writes rows across many chunk flushes, and the CSVs read back as the records', async () => {
    const out = join(root, 'run');
    const fills = [...AWKWARD_FILLS, ...HAND_FILLS, ...genFills(2_000, 5)];
    const orders = [...HAND_ORDERS, ...genOrders(1_000), makeOrder({ clientId: 'x"y', reason: 'a,\n"b"' })];
    const rec = await RunRecorder.open(out, { fsync: false, chunkBytes: 4096 });
    for (const f of fills) rec.fill(f);
    for (const o of orders) rec.order(o);
    const onDisk = (await stat(join(rec.tempDir, 'trades.csv'))).size;
    await rec.publish(handRun({ fillStats: rec.stats, orderCounts: recordsRun([], orders).orderCounts }), info());
    const total = (await stat(join(out, 'trades.csv'))).size;
    // All but the last partial chunk (< 4096 bytes) was written while recording.
    expect(onDisk, 'full chunks reached the disk while recording').toBeGreaterThan(total - 4096);

    const [tradeHeader, ...tradeRows] = parse(await readFile(join(out, 'trades.csv'), 'utf8')) as string[][];
    expect(tradeHeader).toEqual([...TRADE_COLUMNS]);
    expect(tradeRows.map(fillFromRow)).toEqual(fills);
    const [orderHeader, ...orderRows] = parse(await readFile(join(out, 'orders.csv'), 'utf8')) as string[][];
    expect(orderHeader).toEqual([...ORDER_COLUMNS]);
    expect(orderRows.map(orderFromRow)).toEqual(orders);
  });

  it('abort leaves no directory at all, and a later fill is refused', async () => {
    const out = join(root, 'run');
    const rec = await RunRecorder.open(out, { fsync: false, chunkBytes: 64 });
    for (const f of HAND_FILLS) rec.fill(f);
    await rec.abort();
    await rec.abort(); // idempotent
    expect(await readdir(root)).toEqual([]);
    expect(() => rec.fill(HAND_FILLS[0]!)).toThrow(/aborted/);
    await expect(rec.publish(handRun(), info())).rejects.toThrow(/aborted/);
  });

  it('abort leaves an existing outDir untouched', async () => {
    const out = join(root, 'run');
    await mkdir(out);
    await writeFile(join(out, 'summary.json'), 'previous');
    const rec = await RunRecorder.open(out, { fsync: false });
    rec.fill(HAND_FILLS[0]!);
    await rec.abort();
    expect(await readdir(root)).toEqual(['run']);
    expect(await readAll(out)).toEqual({ 'summary.json': 'previous' });
  });

  it('publishing over an existing outDir replaces it as a whole, stale files included', async () => {
    const out = join(root, 'run');
    await mkdir(out);
    await writeFile(join(out, 'stale.txt'), 'old');
    await record(out, HAND_FILLS, HAND_ORDERS);
    expect((await readdir(out)).sort()).toEqual([...REPORT_FILES].sort());
    expect(await readdir(root)).toEqual(['run']);
  });

  it.each([
    ['the summary cannot be computed (NaN equity)', { finalEquity: Number.NaN }, '$.final_equity'],
    ['fillStats does not match the fills recorded', { fillStats: recordsRun(HAND_FILLS.slice(1), []).fillStats }, 'fillStats.count is 6 but 7'],
    ['orderCounts do not match the orders recorded', { orderCounts: new Map([['filled', 2]]) }, 'orderCounts add up to 2 but 10'],
  ] as const)('when %s then publish fails and the old outDir is untouched', async (_, over, message) => {
    const out = join(root, 'run');
    await mkdir(out);
    await writeFile(join(out, 'summary.json'), 'previous');
    await expect(record(out, HAND_FILLS, HAND_ORDERS, over as Partial<RunResult>)).rejects.toThrow(message);
    expect(await readdir(root), 'no temp or old directory left').toEqual(['run']);
    expect(await readAll(out)).toEqual({ 'summary.json': 'previous' });
  });

  it('when run.json cannot be serialized then nothing is published and nothing half-written remains', async () => {
    const out = join(root, 'fresh');
    await expect(record(out, HAND_FILLS, HAND_ORDERS, {}, { info: info({ wallMs: Number.NaN }) })).rejects.toThrow('$.wallMs');
    expect(await readdir(root)).toEqual([]);
  });

  it('when a temp dir from a crashed process with our pid exists then it is cleared first', async () => {
    const out = join(root, 'run');
    await mkdir(`${out}.tmp-${process.pid}`);
    await writeFile(join(`${out}.tmp-${process.pid}`, 'junk'), 'x');
    await record(out, HAND_FILLS, HAND_ORDERS);
    expect((await readdir(out)).sort()).toEqual([...REPORT_FILES].sort());
    expect(await readdir(root)).toEqual(['run']);
  });

  it('the same records give byte-identical files except run.json, whatever the chunk size and fsync', async () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    const equity = largeEquity(5_000, 3);
    await record(a, genFills(3_000, 3), genOrders(3_000), { equity }, { fsync: true, info: info({ host: 'one' }) });
    await record(b, genFills(3_000, 3), genOrders(3_000), { equity }, { chunkBytes: 1000, info: info({ host: 'two', wallMs: 99 }) });
    const [fa, fb] = [await readAll(a), await readAll(b)];
    expect(fa['run.json']).not.toBe(fb['run.json']);
    delete fa['run.json'];
    delete fb['run.json'];
    expect(Object.keys(fa)).toEqual(['equity.csv', 'orders.csv', 'prices.csv', 'report.html', 'summary.json', 'trades.csv']);
    for (const f of Object.keys(fa)) expect(fa[f] === fb[f], `${f} differs`).toBe(true);
  });

  it('refuses records after publish', async () => {
    const out = join(root, 'run');
    const rec = await RunRecorder.open(out, { fsync: false });
    await rec.publish(handRun({ ...recordsRun([], []) }), info());
    expect(() => rec.order(HAND_ORDERS[0]!)).toThrow(/published/);
    await rec.abort(); // no-op: the published reports stay
    expect((await readdir(out)).sort()).toEqual([...REPORT_FILES].sort());
  });
});
