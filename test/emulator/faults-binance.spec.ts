/**
 * Issue 4's fault kinds that decide whether a Binance order reaches the venue and what the client is
 * told, through real ccxt 4.5 over HTTP on 127.0.0.1: what ccxt raises, the headers it sees, and what
 * `/__emulator/orders` and `/__emulator/faults` say really happened.
 */
import ccxt, { type Exchange } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/emulator.ts';
import { faultPlanFromSpecs, parseFaultSpec } from '../../src/emulator/fault-spec.ts';
import { book, ccxtFor, emulator, faultLog, rejection, venueOrders } from './helpers.ts';

const SYM = 'BTC/USDT';
let emu: RunningEmulator;
let ex: Exchange;

const place = (cid: string) => ex.createOrder(SYM, 'limit', 'buy', 0.001, 59_000, { clientOrderId: cid });
const cids = async () => (await venueOrders(emu.url)).map((o) => o.clientOrderId);
const header = (name: string) => (ex.last_response_headers as Record<string, string> | undefined)?.[name];
/** Installs the plan `--fault` specs would build. */
const faults = (...specs: string[]) => emu.state.setFaultPlan(faultPlanFromSpecs(specs.map(parseFaultSpec), 1));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(async () => {
  emu = await emulator({ venue: 'binance', balances: { USDT: 10_000 } });
  emu.state.applyMarket(book('binance', SYM, [[59_990, 1]], [[60_010, 1]]));
  ex = ccxtFor('binance', emu.url, undefined, { timeout: 400 });
  await ex.loadMarkets();
});
afterEach(async () => {
  await emu.close();
});

describe('binance: unknown outcomes', () => {
  it('timeout-after-accept: RequestTimeout, while the venue holds the order (found by client id)', async () => {
    faults('timeout-after-accept@1');
    await rejection(place('ta-1'), ccxt.RequestTimeout);
    expect(await cids()).toEqual(['ta-1']);
    expect((await ex.fetchOrder('', SYM, { clientOrderId: 'ta-1' })).status).toBe('open');
    const [f] = await faultLog(emu.url);
    expect(f).toMatchObject({ kind: 'timeout-after-accept', trigger: true, orderSeq: 1, clientId: 'ta-1', orderId: '1', executed: true, request: 'POST /api/v3/order' });
    expect(f!.time).toBe(new Date(f!.at).toISOString());
  });

  it('timeout-before-accept: RequestTimeout, and nothing reached the venue', async () => {
    faults('timeout-before-accept@1');
    await rejection(place('tb-1'), ccxt.RequestTimeout);
    expect(await cids()).toEqual([]);
    expect((await faultLog(emu.url))[0]).toMatchObject({ kind: 'timeout-before-accept', executed: false, clientId: 'tb-1' });
  });

  it('unknown-status: -1007 (408) → RequestTimeout, order placed', async () => {
    faults('unknown-status@1');
    const err = await rejection(place('us-1'), ccxt.RequestTimeout);
    expect(err.message).toContain('-1007');
    expect(err.message).toContain('execution status unknown');
    expect(await cids()).toEqual(['us-1']);
  });

  it('error-5xx-after-accept: the gateway page (502) → ExchangeNotAvailable; status=504 → RequestTimeout; both placed', async () => {
    faults('error-5xx-after-accept@1', 'error-5xx-after-accept@2,status=504');
    const e502 = await rejection(place('5x-1'), ccxt.ExchangeNotAvailable);
    expect(e502.message).toContain('502');
    await rejection(place('5x-2'), ccxt.RequestTimeout);
    expect(await cids()).toEqual(['5x-1', '5x-2']);
    expect((await faultLog(emu.url)).map((f) => [f.kind, f.executed, f.params])).toEqual([
      ['error-5xx-after-accept', true, undefined],
      ['error-5xx-after-accept', true, { status: 504 }],
    ]);
  });

  it('duplicate-id: "Duplicate order sent." (InvalidOrder) while exactly one order with that id is live', async () => {
    faults('duplicate-id@1');
    const err = await rejection(place('dup-1'), ccxt.InvalidOrder);
    expect(err.message).toContain('Duplicate order sent.');
    expect(await cids()).toEqual(['dup-1']);
    expect((await ex.fetchOrder('', SYM, { clientOrderId: 'dup-1' })).status).toBe('open');
    // A blind resend meets the venue's own duplicate check: still one order.
    await rejection(place('dup-1'), ccxt.InvalidOrder);
    expect(await cids()).toEqual(['dup-1']);
  });
});

describe('binance: refusals (not placed)', () => {
  it('rate-limit: 429 -1003 with Retry-After; the window refuses all traffic, then the same client id goes through', async () => {
    faults('rate-limit@2,retry-after=1');
    await place('rl-1');
    const err = await rejection(place('rl-2'), ccxt.DDoSProtection); // ccxt raises DDoSProtection on any 429
    expect(err.message).toContain('-1003');
    expect(header('Retry-After')).toBe('1');
    expect(header('X-Mbx-Used-Weight-1m')).toBe('6001');
    await rejection(ex.fetchOrderBook(SYM), ccxt.DDoSProtection); // request weight is per IP
    expect(Number(header('Retry-After'))).toBeGreaterThanOrEqual(1);
    expect(await cids()).toEqual(['rl-1']);
    await sleep(1050);
    await place('rl-2');
    expect(await cids()).toEqual(['rl-1', 'rl-2']);
    const log = await faultLog(emu.url);
    expect(log.map((f) => [f.kind, f.trigger, f.requestKind])).toEqual([
      ['rate-limit', true, 'order.create'],
      ['rate-limit', false, 'market'],
    ]);
  });

  it('rate-limit with retry-after=0 refuses only its own request', async () => {
    faults('rate-limit@1,retry-after=0');
    await rejection(place('r0-1'), ccxt.DDoSProtection);
    expect(header('Retry-After')).toBe('0');
    await place('r0-1');
    expect(await cids()).toEqual(['r0-1']);
  });

  it('ip-ban: 418 with Retry-After; every request refused until the ban ends (introspection still answers)', async () => {
    faults('ip-ban@1,retry-after=1');
    const err = await rejection(place('ban-1'), ccxt.DDoSProtection);
    expect(err.message).toContain('418');
    expect(err.message).toMatch(/IP banned until \d+/);
    expect(header('Retry-After')).toBe('1');
    await rejection(ex.fetchOrderBook(SYM), ccxt.DDoSProtection);
    await rejection(ex.fetchBalance(), ccxt.DDoSProtection);
    expect(await cids()).toEqual([]);
    await sleep(1050);
    expect((await ex.fetchOrderBook(SYM)).bids[0]).toEqual([59_990, 1]);
    await place('ban-1');
    const log = await faultLog(emu.url);
    expect(log.map((f) => [f.kind, f.trigger])).toEqual([
      ['ip-ban', true],
      ['ip-ban', false],
      ['ip-ban', false],
    ]);
    expect(log[0]!.executed).toBe(false);
  });

  it('a planned fault that meets a ban does not fire, and the log says so', async () => {
    faults('ip-ban@1,retry-after=1', 'timeout-after-accept@2');
    await rejection(place('b-1'), ccxt.DDoSProtection);
    await rejection(place('b-2'), ccxt.DDoSProtection);
    const log = await faultLog(emu.url);
    expect(log[1]).toMatchObject({ kind: 'ip-ban', trigger: false, orderSeq: 2 });
    expect(log[1]!.effect).toContain('planned timeout-after-accept did not fire');
  });

  it('clock-skew: -1021 → InvalidNonce until the client resyncs its clock; then the same client id goes through', async () => {
    faults('clock-skew@1');
    const err = await rejection(place('cs-1'), ccxt.InvalidNonce);
    expect(err.message).toContain('Timestamp for this request is outside of the recvWindow.');
    await rejection(ex.fetchBalance(), ccxt.InvalidNonce); // the skew lasts: every signed call fails
    expect(await cids()).toEqual([]);
    expect((await ex.fetchTime())! - Date.now()).toBeGreaterThan(60_000);
    await ex.loadTimeDifference();
    await place('cs-1');
    expect(await cids()).toEqual(['cs-1']);
    expect((await faultLog(emu.url))[0]).toMatchObject({ kind: 'clock-skew', executed: false });
  });

  it('clock-skew with a negative ms puts the server behind: "1000ms ahead of the server\'s time"', async () => {
    faults('clock-skew@1,ms=-5000');
    expect((await rejection(place('cs-2'), ccxt.InvalidNonce)).message).toContain('ahead of the server');
  });
});
