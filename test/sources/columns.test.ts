import { describe, expect, it } from 'vitest';
import type { MarketEvent, OrderSignal, Signal } from '../../src/domain/types.ts';
import { MarketColumnsBuilder, SignalColumnsBuilder, SignalUnpacker, packMarket, transferList, unpackMarket } from '../../src/sources/columns.ts';

const same = (a: unknown, b: unknown) => expect(JSON.stringify(a)).toBe(JSON.stringify(b));

describe('market columns', () => {
  const V = 'binance';
  const S = 'BTC/USDT';
  const batches: MarketEvent[][] = [
    [
      { kind: 'level', ts: 1, venue: V, symbol: S, side: 'bid', price: 100.1, quantity: 2, snapshot: true, reset: true },
      { kind: 'level', ts: 1, venue: V, symbol: S, side: 'ask', price: 100.2, quantity: 0, snapshot: true, reset: false },
      { kind: 'level', ts: 2, venue: V, symbol: S, side: 'ask', price: 100.3, quantity: 1.5, snapshot: false, reset: false },
    ],
    [
      { kind: 'trade', ts: 3, venue: V, symbol: S, price: 10, quantity: 1, side: 'buy' },
      { kind: 'trade', ts: 4, venue: V, symbol: S, price: 11, quantity: 2, side: undefined },
      { kind: 'trade', ts: 5, venue: V, symbol: S, price: 12, quantity: 3, side: 'sell' },
    ],
    [{ kind: 'candle', ts: 6, venue: V, symbol: S, open: 1.1, high: 2.2, low: 0.5, close: 1.7, volume: 0 }],
  ];
  for (const events of batches) {
    it(`when ${events[0]!.kind} events are packed and unpacked then they come back field for field, in key order`, () => {
      same(unpackMarket(packMarket(events), V, S), events);
    });
  }

  it('when a builder fills then it hands out full batches, and the rest at the end, each with its own buffers', () => {
    const b = new MarketColumnsBuilder(2);
    const evs = batches[0]!;
    expect(b.add(evs[0]!)).toBe(false);
    expect(b.add(evs[1]!)).toBe(true);
    const first = b.take();
    b.add(evs[2]!);
    const rest = b.take();
    expect([first.n, rest.n]).toEqual([2, 1]);
    same([...unpackMarket(first, V, S), ...unpackMarket(rest, V, S)], evs);
    const buffers = [...transferList(first), ...transferList(rest)];
    expect(new Set(buffers).size, 'transferable: no buffer shared').toBe(buffers.length);
  });
});

describe('signal columns', () => {
  const file = '/data/sig.csv';
  const mk = (line: number, extra: Partial<OrderSignal>): Signal => {
    const base = { kind: 'order' as const, id: `sig.csv:${line}`, ts: 1000 + line, venue: 'binance', symbol: 'BTC/USDT', side: 'buy' as const, quantity: 0.5, type: 'market' as const };
    const { price, risk, ...rest } = extra;
    const s = { ...base, ...rest } as Record<string, unknown>;
    if (price !== undefined) s.price = price;
    if (risk !== undefined) s.risk = risk;
    s.source = { file, line };
    return s as unknown as Signal;
  };
  const signals: Signal[] = [
    mk(2, {}),
    mk(3, { id: 'explicit-1', side: 'sell', price: 101.5 }),
    mk(4, { venue: 'upbit', symbol: 'BTC/KRW', type: 'limit', price: 1e8, risk: 0.25 }),
    mk(5, { id: 'sig.csv:5', risk: 0 }),
    mk(6, { id: 'ü-ñ "quoted, id"' }),
  ];

  it('when signals are packed across batches and unpacked then each is the validated object, in key order', () => {
    const builder = new SignalColumnsBuilder('sig.csv', 2);
    const unpacker = new SignalUnpacker(file, 'sig.csv');
    const out: Signal[] = [];
    for (const s of signals) if (builder.add(s)) out.push(...unpacker.unpack(builder.take()));
    const last = builder.take();
    for (let i = 0; i < last.n; i++) out.push(unpacker.at(last, i));
    same(out, signals);
  });
});
