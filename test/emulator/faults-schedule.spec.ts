/**
 * `--fault` specs: the parser (every kind, its parameters, and a ConfigError naming the flag and the
 * expected form for each malformed spec) and the schedules — `@N` on the N-th order request, every
 * attempt counted, and `:P` drawn from `--seed`, the same requests hit for the same seed, over real
 * ccxt HTTP calls.
 */
import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { emulatorOptionsFromFlags } from '../../src/emulator/cli.ts';
import { describeFaultSpec, faultPlanFromSpecs, parseFaultSpec, parseFaultSpecs } from '../../src/emulator/fault-spec.ts';
import { FAULT_KINDS, type FaultRequest } from '../../src/emulator/faults.ts';
import { book, ccxtFor, emulator, faultLog, rejection, venueOrders } from './helpers.ts';

const order = (n: number): FaultRequest => ({ venue: 'binance', kind: 'order.create', method: 'POST', path: '/api/v3/order', kindSeq: n, orderSeq: n, now: 0 });

describe('fault spec parser', () => {
  it('reads every kind at @N and :P, with the parameters it takes', () => {
    for (const kind of FAULT_KINDS) {
      expect(parseFaultSpec(`${kind}@3`)).toMatchObject({ kind, schedule: { at: 3 }, params: {} });
      expect(parseFaultSpec(`${kind}:0.25`)).toMatchObject({ kind, schedule: { probability: 0.25 } });
    }
    expect(parseFaultSpec('not-found-lag@3,lookups=5').params).toEqual({ lookups: 5 });
    expect(parseFaultSpec('not-found-lag@3,lookups=2,ms=800').params).toEqual({ lookups: 2, ms: 800 });
    expect(parseFaultSpec('stream-silence@2,ms=3000').params).toEqual({ ms: 3000 });
    expect(parseFaultSpec('rate-limit:0.1,retry-after=2')).toMatchObject({ schedule: { probability: 0.1 }, params: { retryAfterS: 2 } });
    expect(parseFaultSpec('ip-ban@1,retry-after=30').params).toEqual({ retryAfterS: 30 });
    expect(parseFaultSpec('error-5xx-after-accept@1,status=503').params).toEqual({ status: 503 });
    expect(parseFaultSpec('clock-skew@1,ms=-2000').params).toEqual({ ms: -2000 });
    expect(parseFaultSpec('partial-then-cancel@1,fill=0.3').params).toEqual({ fill: 0.3 });
    expect(parseFaultSpec('drop-event:1,ms=500').params).toEqual({ ms: 500 });
    expect(parseFaultSpec(' repeat-event@2 ').text).toBe('repeat-event@2');
    expect(describeFaultSpec(parseFaultSpec('not-found-lag@3,lookups=5'))).toBe('not-found-lag on order request 3 (lookups=5)');
    expect(describeFaultSpec(parseFaultSpec('rate-limit:0.1'))).toBe('rate-limit on each order request with p=0.1');
  });

  it('refuses a malformed spec with a ConfigError naming --fault, the spec and what was expected', () => {
    const cases: Array<[string, RegExp]> = [
      ['timeout-after-accept', /expected KIND@N or KIND:P/],
      ['timeout@1', /unknown fault kind "timeout"; expected one of timeout-after-accept, /],
      ['rate-limit@0', /@N: expected the order request number, a whole number ≥ 1/],
      ['rate-limit@1.5', /@N: expected/],
      ['rate-limit:1.5', /:P: expected a probability in \[0, 1\]/],
      ['rate-limit:-0.1', /:P: expected a probability/],
      ['rate-limit:abc', /:P: expected/],
      ['rate-limit@1,retry-after=-1', /retry-after: expected whole seconds ≥ 0/],
      ['not-found-lag@1,lookups=0', /lookups: expected a whole number ≥ 1/],
      ['not-found-lag@1,foo=1', /unknown parameter "foo": not-found-lag takes lookups=…, ms=…/],
      ['timeout-after-accept@1,ms=5', /unknown parameter "ms": timeout-after-accept takes no parameters/],
      ['error-5xx-after-accept@1,status=404', /status: expected an HTTP status 500..599/],
      ['partial-then-cancel@1,fill=1', /fill: expected a fraction strictly between 0 and 1/],
      ['clock-skew@1,ms=0', /ms: expected whole milliseconds, not 0/],
      ['stream-silence@1,ms', /ms: expected whole milliseconds ≥ 1, got ""/],
      ['stream-silence@1,ms=1,ms=2', /ms given twice/],
    ];
    for (const [text, why] of cases) {
      let err: unknown;
      try {
        parseFaultSpec(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toContain(`--fault ${JSON.stringify(text)}`);
      expect((err as ConfigError).message).toMatch(why);
      expect((err as ConfigError).info.field).toBe('fault');
    }
  });

  it('`tradeflow emulator` flags: --fault builds the plan (seeded by --seed) or names the bad flag', () => {
    const o = emulatorOptionsFromFlags({ venue: 'binance', fault: ['timeout-after-accept@2', 'rate-limit:0.5'], seed: 4 }, {});
    expect(o.faultSpecs.map((s) => s.text)).toEqual(['timeout-after-accept@2', 'rate-limit:0.5']);
    expect(o.faults?.decide(order(2))).toEqual({ type: 'fault', kind: 'timeout-after-accept', params: {} });
    expect(emulatorOptionsFromFlags({ venue: 'binance' }, {}).faults).toBeUndefined();
    expect(() => emulatorOptionsFromFlags({ venue: 'binance', fault: ['nope@1'] }, {})).toThrow(/emulator: --fault "nope@1": unknown fault kind/);
  });
});

describe('fault schedules', () => {
  it('@N fires on the N-th order request only; other requests are never asked', () => {
    const plan = faultPlanFromSpecs(parseFaultSpecs(['unknown-status@2', 'duplicate-id@2', 'ip-ban@4']), 1);
    const kindAt = (n: number) => {
      const a = plan.decide(order(n));
      return a?.type === 'fault' ? a.kind : a;
    };
    // The first spec given wins a request two specs name.
    expect([1, 2, 3, 4, 5].map(kindAt)).toEqual([undefined, 'unknown-status', undefined, 'ip-ban', undefined]);
    expect(plan.decide({ ...order(2), kind: 'order.query', orderSeq: undefined })).toBeUndefined();
  });

  it(':P is a pure function of the seed and the order-request sequence, near P on average', () => {
    const hits = (seed: number, specs: string[]) => {
      const plan = faultPlanFromSpecs(parseFaultSpecs(specs), seed);
      return Array.from({ length: 2000 }, (_, i) => plan.decide(order(i + 1)) !== undefined);
    };
    const a = hits(42, ['drop-event:0.2']);
    expect(hits(42, ['drop-event:0.2'])).toEqual(a);
    expect(hits(43, ['drop-event:0.2'])).not.toEqual(a);
    expect(a.filter(Boolean).length / a.length).toBeCloseTo(0.2, 1);
    // An @N spec in front draws nothing: the random hits stay where they were (bar request 7 itself).
    const withAt = hits(42, ['unknown-status@7', 'drop-event:0.2']);
    expect(withAt.filter((_, i) => i !== 6)).toEqual(a.filter((_, i) => i !== 6));
    expect(hits(1, ['drop-event:0']).some(Boolean)).toBe(false);
    expect(hits(1, ['drop-event:1']).every(Boolean)).toBe(true);
  });

  it('over HTTP: @N counts every order attempt, rejected ones included', async () => {
    const emu = await emulator({ venue: 'binance', balances: { USDT: 100 }, faults: faultPlanFromSpecs(parseFaultSpecs(['timeout-before-accept@3']), 1) });
    try {
      emu.state.applyMarket(book('binance', 'BTC/USDT', [[59_990, 1]], [[60_010, 1]]));
      const ex = ccxtFor('binance', emu.url, undefined, { timeout: 300 });
      await ex.loadMarkets();
      await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 59_000, { clientOrderId: 'n-1' });
      await rejection(ex.createOrder('BTC/USDT', 'limit', 'buy', 1, 59_000, { clientOrderId: 'n-2' }), ccxt.InsufficientFunds);
      await rejection(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 59_000, { clientOrderId: 'n-3' }), ccxt.RequestTimeout);
      expect((await venueOrders(emu.url)).map((o) => o.clientOrderId)).toEqual(['n-1']);
      expect((await faultLog(emu.url)).map((f) => [f.orderSeq, f.clientId])).toEqual([[3, 'n-3']]);
    } finally {
      await emu.close();
    }
  });

  it('over HTTP: rate-limit:P with the same seed hits the same order requests, and the log names them', async () => {
    const run = async (seed: number) => {
      const emu = await emulator({ venue: 'binance', balances: { USDT: 10_000 }, faults: faultPlanFromSpecs(parseFaultSpecs(['rate-limit:0.3,retry-after=0']), seed) });
      try {
        emu.state.applyMarket(book('binance', 'BTC/USDT', [[59_990, 1]], [[60_010, 1]]));
        const ex = ccxtFor('binance', emu.url);
        await ex.loadMarkets();
        const hit: number[] = [];
        for (let n = 1; n <= 20; n++) {
          try {
            await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 59_000, { clientOrderId: `p-${n}` });
          } catch (err) {
            if (!(err instanceof ccxt.DDoSProtection)) throw err;
            hit.push(n);
          }
        }
        expect((await faultLog(emu.url)).map((f) => f.orderSeq)).toEqual(hit);
        expect((await venueOrders(emu.url)).length).toBe(20 - hit.length);
        return hit;
      } finally {
        await emu.close();
      }
    };
    const plan = faultPlanFromSpecs(parseFaultSpecs(['rate-limit:0.3,retry-after=0']), 11);
    const expected = Array.from({ length: 20 }, (_, i) => i + 1).filter((n) => plan.decide(order(n)) !== undefined);
    expect(expected.length).toBeGreaterThan(0);
    expect(await run(11)).toEqual(expected);
    expect(await run(11)).toEqual(expected);
    expect(await run(12)).not.toEqual(expected);
  });
});
