/**
 * `tradeflow emulator --fault ...` as a real child process (bin/tradeflow.js, port 0): the URL is read
 * from its stdout, real ccxt meets the faults over HTTP, the introspection endpoints tell what reached
 * the venue, and a bad spec stops it with exit code 2 and a message naming --fault.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ccxt from 'ccxt';
import { afterEach, describe, expect, it } from 'vitest';
import { ccxtFor, faultLog, KEY, rejection, SECRET, venueOrders } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/tradeflow.js', import.meta.url));
let child: ChildProcessWithoutNullStreams | undefined;

function start(args: string[]): { proc: ChildProcessWithoutNullStreams; out: () => string; err: () => string; exit: Promise<number | null> } {
  // Keys through the environment, as documented, so they stay out of the process list.
  const proc = spawn(process.execPath, [BIN, 'emulator', ...args], { env: { ...process.env, TRADEFLOW_EMULATOR_API_KEY: KEY, TRADEFLOW_EMULATOR_SECRET: SECRET } });
  let out = '';
  let err = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, out: () => out, err: () => err, exit };
}

async function urlOf(out: () => string, exit: Promise<unknown>): Promise<string> {
  let exited = false;
  void exit.then(() => (exited = true));
  const end = Date.now() + 30_000;
  for (;;) {
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out());
    if (m) return m[1]!;
    if (exited || Date.now() > end) throw new Error(`emulator did not start:\n${out()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

afterEach(() => {
  if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

describe('tradeflow emulator --fault (child process)', () => {
  it('times out the first order while the venue keeps it, lags the second, and reports both', async () => {
    const run = start(['--venue', 'binance', '--port', '0', '--symbol', 'BTC/USDT=60000', '--balance', 'USDT=10000', '--fault', 'timeout-after-accept@1', '--fault', 'not-found-lag@2,lookups=1']);
    child = run.proc;
    const url = await urlOf(run.out, run.exit);
    expect(run.out()).toContain('faults:  timeout-after-accept on order request 1; not-found-lag on order request 2 (lookups=1)');
    const ex = ccxtFor('binance', url, undefined, { timeout: 500 });
    await ex.loadMarkets();
    await rejection(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50_000, { clientOrderId: 'cli-1' }), ccxt.RequestTimeout);
    expect((await venueOrders(url)).map((o) => [o.clientOrderId, o.status])).toEqual([['cli-1', 'open']]);
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50_000, { clientOrderId: 'cli-2' });
    await rejection(ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'cli-2' }), ccxt.OrderNotFound);
    expect((await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'cli-2' })).clientOrderId).toBe('cli-2');
    expect((await faultLog(url)).map((f) => [f.kind, f.trigger, f.orderSeq ?? null, f.clientId])).toEqual([
      ['timeout-after-accept', true, 1, 'cli-1'],
      ['not-found-lag', true, 2, 'cli-2'],
      ['not-found-lag', false, null, 'cli-2'],
    ]);
    run.proc.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.out()).toContain('stopped');
    expect(run.out() + run.err()).not.toContain(SECRET);
  });

  it('refuses a malformed --fault with exit code 2 and a message naming the flag and the form', async () => {
    const run = start(['--venue', 'binance', '--port', '0', '--fault', 'timeout-after-accept@first']);
    child = run.proc;
    expect(await run.exit).toBe(2);
    expect(run.err()).toContain('--fault "timeout-after-accept@first"');
    expect(run.err()).toContain('KIND@N or KIND:P');
  });
});
