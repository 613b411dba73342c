import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { signalJsonLinesSource, signalsFromJsonLines } from '../../src/sources/signal-jsonl.ts';
import { dataErrorOf, drain, FIXTURES, tmpFile } from './helpers.ts';

const line = (o: Record<string, unknown>): string =>
  JSON.stringify({ timestamp: 1000, exchange: 'binance', symbol: 'BTC/USDT', side: 'buy', quantity: 1, ...o });

describe('signalJsonLinesSource', () => {
  it('when the fixture is read then fields are converted like the CSV reader does and blank lines are skipped', async () => {
    const file = join(FIXTURES, 'signals.jsonl');
    const signals = await drain(signalJsonLinesSource(file));
    expect(signals).toEqual([
      { kind: 'order', id: 'j1', ts: Date.UTC(2025, 4, 26), venue: 'binance', symbol: 'BTC/USDT', side: 'buy', quantity: 0.5, type: 'market', risk: 0.2, source: { file, line: 1 } },
      { kind: 'order', id: 'signals.jsonl:3', ts: Date.UTC(2025, 4, 26, 0, 5), venue: 'upbit', symbol: 'BTC/KRW', side: 'sell', quantity: 0.25, type: 'limit', price: 150000000, source: { file, line: 3 } },
    ]);
  });

  it('when read from a stream then errors and default ids use the given name', async () => {
    const input = Readable.from([`${line({ id: 'a' })}\n${line({ quantity: -3 })}\n`]);
    const err = await dataErrorOf(signalJsonLinesSource(input, { name: 'live' }));
    expect(err.message).toBe('live:2: field "quantity": expected a positive number, got "-3"');
  });

  it('when a line is not JSON or not an object then the error names the line', async () => {
    const file = tmpFile('bad.jsonl', `${line({})}\n{"timestamp":\n`);
    expect((await dataErrorOf(signalJsonLinesSource(file))).message).toMatch(/bad\.jsonl:2: expected a JSON object, got malformed JSON/);
    const file2 = tmpFile('arr.jsonl', '[1,2]\n');
    expect((await dataErrorOf(signalJsonLinesSource(file2))).message).toMatch(/arr\.jsonl:1: expected a JSON object, got "\[1,2\]"/);
  });

  it('when a limit has no price, an id repeats or time goes back then the shared validation refuses it', async () => {
    const noPrice = Readable.from([`${line({ type: 'limit' })}\n`]);
    expect((await dataErrorOf(signalJsonLinesSource(noPrice))).message).toMatch(/^stdin:1: field "price": .*limit order needs a price/);
    const dup = Readable.from([`${line({ id: 'x' })}\n${line({ id: 'x', timestamp: 2000 })}\n`]);
    expect((await dataErrorOf(signalJsonLinesSource(dup))).message).toMatch(/^stdin:2: field "id": expected a unique id, got "x" already used on line 1/);
    const back = Readable.from([`${line({ timestamp: 2000 })}\n${line({ timestamp: 1000 })}\n`]);
    expect((await dataErrorOf(signalJsonLinesSource(back))).message).toMatch(/^stdin:2: field "timestamp": out of time order/);
  });

  it('when skipBadRows is set then bad lines are counted and the rest flow', async () => {
    const input = Readable.from([`${line({ side: 'hold' })}\n${line({})}\nnot json\n${line({ timestamp: 5 })}`]);
    const bad: number[] = [];
    const signals = await drain(signalJsonLinesSource(input, { skipBadRows: true, onBadRow: (r) => bad.push(r.line) }));
    expect(signals.map((s) => s.source?.line)).toEqual([2]);
    expect(bad).toEqual([1, 3, 4]);
  });

  it('when a line arrives on a live stream then its signal is emitted before the stream ends', async () => {
    const input = new PassThrough();
    const first = firstValueFrom(signalsFromJsonLines(input).pipe(take(1)));
    input.write(`${line({ id: 'now' })}\n`);
    // The stream stays open: the signal must not wait for more input or a full batch.
    expect((await first).id).toBe('now');
    input.end();
  });

  it('when lines are split across chunks (and a multi-byte character too) then they are reassembled', async () => {
    const text = `${line({ id: 'é1' })}\r\n${line({ id: 'é2', timestamp: 2000 })}`;
    const bytes = Buffer.from(text, 'utf8');
    const mid = bytes.indexOf(0xc3) + 1; // inside the two bytes of the first "é"
    const chunks = [bytes.subarray(0, 5), bytes.subarray(5, mid), bytes.subarray(mid, mid + 70), bytes.subarray(mid + 70)];
    const ids = await firstValueFrom(signalsFromJsonLines(Readable.from(chunks)).pipe(toArray()));
    expect(ids.map((s) => s.id)).toEqual(['é1', 'é2']);
  });
});
