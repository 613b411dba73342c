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

export class KillSwitch {
  private current: TradingState = 'active';
  readonly history: TradingStateChange[] = [];

  get state(): TradingState {
    return this.current;
  }

  /** Moves to a stricter state; a trip to a milder state than the current one is ignored. */
  trip(to: TradingState, reason: string, ts: TimeMs): boolean {
    if (SEVERITY[to] <= SEVERITY[this.current]) return false;
    this.history.push({ from: this.current, to, reason, ts });
    this.current = to;
    return true;
  }

  /** A person's explicit reset (command or signal), recorded like any other change. */
  reset(reason: string, ts: TimeMs): void {
    if (this.current === 'active') return;
    this.history.push({ from: this.current, to: 'active', reason, ts });
    this.current = 'active';
  }
}
