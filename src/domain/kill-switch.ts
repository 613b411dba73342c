/**
 * The trading state every order must pass: `active`, `reducing` (only orders that shrink exposure) or
 * `halted` (cancels only). Trips are one-way within a run unless a person resets them.
 */
import type { TimeMs } from './types.ts';

export const TradingStates = ['active', 'reducing', 'halted'] as const;
export type TradingState = (typeof TradingStates)[number];

const SEVERITY: Record<TradingState, number> = { active: 0, reducing: 1, halted: 2 };

export interface TradingStateChange {
  readonly from: TradingState;
  readonly to: TradingState;
  readonly reason: string;
  readonly ts: TimeMs;
}

export type TradingStateListener = (change: TradingStateChange) => void;

export class KillSwitch {
  private current: TradingState = 'active';
  readonly history: TradingStateChange[] = [];
  private readonly listeners: TradingStateListener[] = [];

  get state(): TradingState {
    return this.current;
  }

  /**
   * Calls `fn` after every change, once it is in `history` (the engine journals and logs trips this
   * way). Returns the function that removes it. The change is made before listeners run: one that
   * throws does not undo it, and its error is rethrown once every listener has run.
   */
  onChange(fn: TradingStateListener): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Moves to a stricter state; a trip to a milder state than the current one is ignored. */
  trip(to: TradingState, reason: string, ts: TimeMs): boolean {
    if (SEVERITY[to] <= SEVERITY[this.current]) return false;
    this.change(to, reason, ts);
    return true;
  }

  /** A person's explicit reset (command or signal), recorded like any other change. */
  reset(reason: string, ts: TimeMs): void {
    if (this.current === 'active') return;
    this.change('active', reason, ts);
  }

  /**
   * A person's explicit choice of state, milder or stricter (e.g. `reduce` while halted: a partial
   * release). Automatic triggers use `trip`, which only ever tightens.
   */
  set(to: TradingState, reason: string, ts: TimeMs): boolean {
    if (to === this.current) return false;
    this.change(to, reason, ts);
    return true;
  }

  private change(to: TradingState, reason: string, ts: TimeMs): void {
    const change: TradingStateChange = { from: this.current, to, reason, ts };
    this.history.push(change);
    this.current = to;
    if (this.listeners.length === 0) return;
    let failure: { error: unknown } | undefined;
    for (const fn of [...this.listeners]) {
      try {
        fn(change);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
