/**
 * Optional push updates through ccxt.pro (`watchOrders` / `watchMyTrades`), for venues and builds
 * that offer them. Polling stays on underneath — a quiet or broken stream must not lose anything
 * (RELIABILITY rule 7) — and the order tracker deduplicates what both report.
 */
import type { Exchange, Order, Trade } from 'ccxt';
import { setTimeout as sleep } from 'node:timers/promises';

export interface WatchHandlers {
  readonly onOrder: (o: Order) => void;
  readonly onTrades: (t: Trade[]) => void;
  readonly onError: (err: unknown) => void;
}

/** Pause after a stream error before watching again (ccxt reconnects inside the next watch call). */
const RETRY_MS = 1_000;

type Watchable = Exchange & {
  watchOrders?: () => Promise<Order[]>;
  watchMyTrades?: () => Promise<Trade[]>;
  close?: () => Promise<unknown>;
};

export class OrderWatcher {
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  /** Starts the streams the exchange offers; undefined when it offers none. */
  static start(ex: Exchange, h: WatchHandlers): OrderWatcher | undefined {
    const w = ex as Watchable;
    const has = ex.has as Record<string, unknown>;
    const orders = has.watchOrders === true && typeof w.watchOrders === 'function';
    const trades = has.watchMyTrades === true && typeof w.watchMyTrades === 'function';
    if (!orders && !trades) return undefined;
    const watcher = new OrderWatcher(w);
    if (orders) watcher.loop(() => w.watchOrders!(), (os) => os.forEach(h.onOrder), h.onError);
    if (trades) watcher.loop(() => w.watchMyTrades!(), h.onTrades, h.onError);
    return watcher;
  }

  private constructor(private readonly ex: Watchable) {}

  private loop<T>(watch: () => Promise<T>, deliver: (v: T) => void, onError: (err: unknown) => void): void {
    this.loops.push(
      (async () => {
        while (!this.stopped) {
          try {
            const v = await watch();
            if (!this.stopped) deliver(v);
          } catch (err) {
            if (this.stopped) return;
            onError(err);
            await sleep(RETRY_MS);
          }
        }
      })(),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.ex.close?.().catch(() => undefined); // rejects the pending watch calls...
    // ...which ends the loops; a stream that ignores close() must not hang shutdown.
    await Promise.race([Promise.allSettled(this.loops), sleep(RETRY_MS)]);
  }
}
