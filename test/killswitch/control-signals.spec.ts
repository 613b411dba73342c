/**
 * Control rows (side = halt | reduce | resume) in every signal reader: CSV in this thread, CSV in a
 * parse worker (columns), JSON lines. They must come out as the same ControlSignal objects.
 */
import { describe, expect, it } from 'vitest';
import type { Signal } from '../../src/domain/types.ts';
import { SignalColumnsBuilder, SignalUnpacker } from '../../src/sources/columns.ts';
import { signalCsvSource } from '../../src/sources/signal-csv.ts';
import { signalJsonLinesSource } from '../../src/sources/signal-jsonl.ts';
import { signalCsvSourceInWorker } from '../../src/sources/signal-worker.ts';
import { dataErrorOf, drain, tmpFile } from '../sources/helpers.ts';

const CSV =
  'timestamp,exchange,symbol,side,quantity,type,price,id\n' +
  '2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.5,limit,100,b1\n' +
  '2025-01-01T00:00:01Z,,,halt,,,,\n' +
  '2025-01-01T00:00:02Z,,,REDUCE,,,,r1\n' +
  '2025-01-01T00:00:03Z,whatever,not a symbol,resume,-3,,,\n' +
  '2025-01-01T00:00:04Z,binance,BTC/USDT,sell,0.5,market,,s1\n';

const T = Date.UTC(2025, 0, 1);

describe('control signal rows', () => {
  it('when a CSV has halt/reduce/resume rows then they become control signals and the rest of the row is ignored', async () => {
    const file = tmpFile('control.csv', CSV);
    const sigs = await drain(signalCsvSource(file, { isKnownVenue: (v) => v === 'binance', isKnownMarket: () => true }));
    expect(sigs.map((s) => (s.kind === 'control' ? `${s.kind}:${s.action}:${s.id}` : s.kind === 'order' ? `${s.kind}:${s.side}:${s.id}` : s.kind))).toEqual([
      'order:buy:b1',
      'control:halt:control.csv:3',
      'control:reduce:r1',
      'control:resume:control.csv:5',
      'order:sell:s1',
    ]);
    expect(sigs[1]).toEqual({ kind: 'control', id: 'control.csv:3', ts: T + 1000, action: 'halt', source: { file, line: 3 } });
  });

  it('when the CSV is parsed in a worker then the control signals are the same objects, key order included', async () => {
    const file = tmpFile('control-w.csv', CSV);
    const opts = { isKnownVenue: (v: string) => v === 'binance', isKnownMarket: () => true };
    const here = await drain(signalCsvSource(file, opts));
    const there = await drain(signalCsvSourceInWorker(file, { ...opts, markets: [['binance', 'BTC/USDT']] }));
    expect(JSON.stringify(there)).toBe(JSON.stringify(here));
  });

  it('when control signals are packed into columns and unpacked then they survive, among orders', () => {
    const sigs: Signal[] = [
      { kind: 'control', id: 'x.csv:2', ts: 1, action: 'resume', source: { file: 'x.csv', line: 2 } },
      { kind: 'order', id: 'o', ts: 2, venue: 'binance', symbol: 'BTC/USDT', side: 'sell', quantity: 1, type: 'market', source: { file: 'x.csv', line: 3 } },
      { kind: 'control', id: 'mine', ts: 3, action: 'reduce', source: { file: 'x.csv', line: 4 } },
    ];
    const b = new SignalColumnsBuilder('x.csv', 8);
    for (const s of sigs) b.add(s);
    const back = new SignalUnpacker('x.csv', 'x.csv').unpack(b.take());
    expect(JSON.stringify(back)).toBe(JSON.stringify(sigs));
  });

  it('when JSON lines carry a control row without exchange or symbol then it is a control signal', async () => {
    const file = tmpFile(
      'control.jsonl',
      '{"timestamp":"2025-01-01T00:00:00Z","side":"halt","id":"h"}\n{"timestamp":"2025-01-01T00:00:01Z","exchange":"binance","symbol":"BTC/USDT","side":"buy","quantity":1}\n',
    );
    const sigs = await drain(signalJsonLinesSource(file));
    expect(sigs[0]).toEqual({ kind: 'control', id: 'h', ts: T, action: 'halt', source: { file, line: 1 } });
    expect(sigs[1]!.kind).toBe('order');
  });

  it('when a side is neither an order side nor a control then the row is refused as before', async () => {
    const file = tmpFile('bad-side.csv', 'timestamp,exchange,symbol,side,quantity\n2025-01-01T00:00:00Z,binance,BTC/USDT,stop,1\n');
    const err = await dataErrorOf(signalCsvSource(file));
    expect(err.message).toMatch(/field "side": expected "buy" or "sell", got "stop"/);
  });

  it('when a control row has a bad timestamp then it is refused naming the field', async () => {
    const file = tmpFile('bad-ts.csv', 'timestamp,exchange,symbol,side,quantity\nyesterday,,,halt,\n');
    const err = await dataErrorOf(signalCsvSource(file));
    expect(err.message).toMatch(/bad-ts\.csv:2.*field "timestamp"/);
  });
});
