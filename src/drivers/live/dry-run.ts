/**
 * Dry-run ccxt calls: built, priced and signed by ccxt exactly as a real call, then stopped where the
 * request would be handed to the transport. The live driver uses them to warm its order path before
 * the first signal (see LiveExchange.warmUp): ccxt's createOrder → sign chain runs in V8's interpreter
 * for its first few hundred calls, which cost 0.3–4 ms each against ~0.05 ms once optimised.
 *
 * Two guards read the flag: the probe's `fetch` wrapper (ccxt-probe.ts) rejects with DryRunStop before
 * anything reaches the transport, and the rate limiter (rate-limiter.ts) lets the call through free,
 * so a warm-up neither sends nor spends the venue's request budget.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const calls = new AsyncLocalStorage<true>();

/** Runs `fn` with every ccxt request it makes stopped at the transport. */
export function dryRun<T>(fn: () => Promise<T>): Promise<T> {
  return calls.run(true, fn);
}

export function inDryRun(): boolean {
  return calls.getStore() === true;
}

/** What a dry-run call ends with once it reached the transport: the request was built and not sent. */
export class DryRunStop extends Error {
  constructor() {
    super('dry run: the request was built and not sent');
    this.name = 'DryRunStop';
  }
}
