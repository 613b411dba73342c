import { describe, expect, it } from 'vitest';
import { ORDER_TRANSITIONS, canTransition, nextStatus } from '../../src/domain/order-state.ts';
import { TransitionError } from '../../src/core/errors.ts';
import { OrderStatuses, TerminalStatuses } from '../../src/domain/types.ts';

describe('order state machine', () => {
  it('when an order goes through its happy path then it ends filled', () => {
    let s = nextStatus('new', 'submit');
    s = nextStatus(s, 'accept');
    s = nextStatus(s, 'fill_partial');
    expect(s).toBe('partially_filled');
    expect(nextStatus(s, 'fill_full')).toBe('filled');
  });

  it('when a partly filled order is canceled then it ends canceled (rule 4)', () => {
    expect(nextStatus('partially_filled', 'cancel')).toBe('canceled');
  });

  it('when a fill crosses a cancel in flight then canceled becomes filled', () => {
    expect(nextStatus('canceled', 'fill_full')).toBe('filled');
  });

  it('when the outcome of a submit is unknown then lookup may adopt any venue state', () => {
    const s = nextStatus('submitting', 'lose_track');
    expect(s).toBe('unknown');
    for (const t of ['accept', 'fill_full', 'cancel', 'reject'] as const) expect(canTransition(s, t)).toBe(true);
  });

  it('when a transition is not in the table then it throws a TransitionError naming the order', () => {
    expect(() => nextStatus('filled', 'accept', 'tf-1')).toThrow(TransitionError);
    expect(() => nextStatus('rejected', 'fill_full', 'tf-1')).toThrow(/tf-1.*fill_full.*rejected/);
    expect(() => nextStatus('new', 'accept')).toThrow(TransitionError);
  });

  it('when any terminal state is reached then no path leads back to a live state', () => {
    for (const t of TerminalStatuses) {
      for (const next of Object.values(ORDER_TRANSITIONS[t])) expect(TerminalStatuses.has(next!), `${t} → ${next}`).toBe(true);
    }
    expect(Object.keys(ORDER_TRANSITIONS).sort()).toEqual([...OrderStatuses].sort());
  });
});
