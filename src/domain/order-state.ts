/**
 * The order state machine: one table of (status, event) → status. Unusual edges carry a one-line reason.
 * An event that is not in the table for the current status is an invalid transition and throws.
 */
import { TransitionError } from '../core/errors.ts';
import type { OrderStatus } from './types.ts';

/** What can happen to an order, from the order manager's point of view. */
export type OrderTransition =
  | 'submit' // the request is about to leave (client id already journaled)
  | 'accept' // the venue acknowledged it (OrderAccepted)
  | 'fill_partial' // a fill that leaves quantity open
  | 'fill_full' // a fill that completes the quantity
  | 'cancel' // canceled by us or the venue (filled part, if any, is kept)
  | 'expire' // IOC/market remainder, or time in force ran out
  | 'reject' // the venue (or a local check) refused it: final, never retried
  | 'lose_track'; // the submit's outcome is unknown (timeout, 5xx, reset after send)

type Table = Readonly<Record<OrderStatus, Partial<Record<OrderTransition, OrderStatus>>>>;

export const ORDER_TRANSITIONS: Table = {
  new: { submit: 'submitting', reject: 'rejected' /* local limit check before sending */ },
  submitting: {
    accept: 'open',
    // Some venues report the fill before (or instead of) the ack, e.g. market orders over REST.
    fill_partial: 'partially_filled',
    fill_full: 'filled',
    cancel: 'canceled',
    expire: 'expired',
    reject: 'rejected',
    lose_track: 'unknown',
  },
  open: {
    accept: 'open', // a repeated ack (stream + REST) is harmless
    fill_partial: 'partially_filled',
    fill_full: 'filled',
    cancel: 'canceled',
    expire: 'expired',
    reject: 'rejected',
    lose_track: 'unknown',
  },
  partially_filled: {
    accept: 'partially_filled', // late ack after the first fill
    fill_partial: 'partially_filled',
    fill_full: 'filled',
    cancel: 'canceled', // rule 4: partial then cancel ends canceled, filled part kept
    expire: 'expired',
    lose_track: 'unknown',
  },
  unknown: {
    // Resolution by lookup adopts whatever the venue says.
    accept: 'open',
    fill_partial: 'partially_filled',
    fill_full: 'filled',
    cancel: 'canceled',
    expire: 'expired',
    reject: 'rejected', // proven absent: the attempt never reached the book
    lose_track: 'unknown',
  },
  filled: {
    fill_full: 'filled', // a duplicate fill report is deduplicated upstream; the status stays
  },
  canceled: {
    // Canceled + Filled → Filled: a fill that crossed our cancel in flight happens at real venues.
    fill_partial: 'canceled',
    fill_full: 'filled',
    cancel: 'canceled',
  },
  expired: {
    fill_full: 'filled', // same race as canceled
    fill_partial: 'expired',
    expire: 'expired',
  },
  rejected: {
    reject: 'rejected',
  },
};

/** Applies a transition; throws TransitionError when the table has no such edge. */
export function nextStatus(status: OrderStatus, transition: OrderTransition, clientId = '?'): OrderStatus {
  const next = ORDER_TRANSITIONS[status][transition];
  if (next === undefined) {
    throw new TransitionError(`order ${clientId}: cannot ${transition} when ${status}`, {
      clientId,
      status,
      transition,
    });
  }
  return next;
}

export function canTransition(status: OrderStatus, transition: OrderTransition): boolean {
  return ORDER_TRANSITIONS[status][transition] !== undefined;
}

