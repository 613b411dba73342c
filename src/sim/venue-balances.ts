/**
 * The simulated venue's own balances: free and locked (reserved for open orders) per asset, in atto.
 * This is the venue's truth that reconciliation compares against; it never goes negative — every
 * debit checks, and a violation is a bug in the matching engine, so it throws InvariantError.
 */
import { InvariantError } from '../core/errors.ts';
import type { Asset, Atto } from '../domain/types.ts';

export class BalanceEntry {
  readonly asset: Asset;
  free: Atto;
  locked: Atto = 0n;

  constructor(asset: Asset, free: Atto) {
    this.asset = asset;
    this.free = free;
  }

  total(): Atto {
    return this.free + this.locked;
  }

  /** Moves `amount` from free to locked. */
  reserve(amount: Atto): void {
    if (amount > this.free) this.fail('reserve', amount);
    this.free -= amount;
    this.locked += amount;
  }

  /** Moves `amount` from locked back to free. */
  release(amount: Atto): void {
    if (amount > this.locked) this.fail('release', amount);
    this.locked -= amount;
    this.free += amount;
  }

  /** Pays `amount` out of locked funds (a fill of a reserved order). */
  spendLocked(amount: Atto): void {
    if (amount > this.locked) this.fail('spend locked', amount);
    this.locked -= amount;
  }

  /** Pays `amount` out of free funds (a market buy, which walks until free quote runs out). */
  spendFree(amount: Atto): void {
    if (amount > this.free) this.fail('spend free', amount);
    this.free -= amount;
  }

  credit(amount: Atto): void {
    if (amount < 0n) this.fail('credit', amount);
    this.free += amount;
  }

  private fail(op: string, amount: Atto): never {
    throw new InvariantError(`venue balance of ${this.asset} would go negative: ${op} ${amount} atto`, {
      asset: this.asset,
      op,
      amount: amount.toString(),
      free: this.free.toString(),
      locked: this.locked.toString(),
    });
  }
}

export class VenueBalances {
  private readonly entries = new Map<Asset, BalanceEntry>();

  constructor(initial: ReadonlyMap<Asset, Atto>) {
    for (const [asset, amount] of initial) {
      if (amount < 0n) {
        throw new InvariantError(`initial balance of ${asset} is negative: ${amount} atto`, { asset });
      }
      this.entries.set(asset, new BalanceEntry(asset, amount));
    }
  }

  /** The entry of `asset`, created at zero on first use (markets hold references to their two entries). */
  entry(asset: Asset): BalanceEntry {
    let e = this.entries.get(asset);
    if (!e) {
      e = new BalanceEntry(asset, 0n);
      this.entries.set(asset, e);
    }
    return e;
  }

  /** Totals (free + locked) per asset. */
  totals(): Map<Asset, Atto> {
    const out = new Map<Asset, Atto>();
    for (const [asset, e] of this.entries) out.set(asset, e.total());
    return out;
  }
}
